/* sheet_continuity.c — one scene seen through a grid is no contact sheet
 * (sheet_continuity.h). */
#include "media/sheet_continuity.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_N 48 /* points along an edge */
#define MAX_PAIRS (4 * SHEET_MAX_FRAMES)
/* How deep inside a frame its edge's profile is read, of the frame's extent
 * square to the edge: close to the gap, so that the step across a window's
 * bar is short, and clear of the gap's blur. 1 % read windows best of 1, 2
 * and 3.5 % (docs/decisions/2026-12-08-sheet-one-scene-through-a-grid.md). */
#define DEPTH 0.01
/* One scene through a grid: the difference across the gaps (medians over
 * the pairs) under SAME_MAX of the difference at the same places, and under
 * WITHIN_MAX of a step as long inside a frame. Measured (ibid.): of 140 window
 * photos split before, same 0.22..1.28 (median 0.62), within 0.63..1.30, 126
 * under both; of 478 seeded sheets split (30 seeds and the held-out 40) none
 * nearer to both limits than 1.13 times them; bursts of one scene same >=
 * 1.15. */
#define SAME_MAX 0.85
#define WITHIN_MAX 1.3

static atomic_int check_on = 1;

static double sample(const uint8_t *g, int w, int h, double x, double y)
{
    if (x < 0)
        x = 0;
    if (y < 0)
        y = 0;
    if (x > w - 1.001)
        x = w - 1.001;
    if (y > h - 1.001)
        y = h - 1.001;
    int x0 = (int)x, y0 = (int)y;
    double fx = x - x0, fy = y - y0;
    const uint8_t *p = g + (size_t)y0 * (size_t)w + (size_t)x0;
    return (1 - fy) * ((1 - fx) * p[0] + fx * p[1]) + fy * ((1 - fx) * p[w] + fx * p[w + 1]);
}

/* An edge of a frame: from p along e (unit, length len), n pointing inwards,
 * `across` the frame's extent square to the edge. */
typedef struct edge {
    double px, py, ex, ey, len, nx, ny, across;
} edge;

/* Edge k of f (corners k and k+1 of sheet_frame_corners), read in the
 * direction of (tx, ty). */
static edge edge_of(const sheet_frame *f, int k, double tx, double ty)
{
    double xy[8];
    sheet_frame_corners(f, xy);
    double px = xy[2 * k], py = xy[2 * k + 1], qx = xy[2 * ((k + 1) % 4)], qy = xy[2 * ((k + 1) % 4) + 1];
    if ((qx - px) * tx + (qy - py) * ty < 0) {
        double sx = px, sy = py;
        px = qx, py = qy, qx = sx, qy = sy;
    }
    edge E;
    E.px = px, E.py = py;
    E.len = hypot(qx - px, qy - py);
    E.ex = (qx - px) / E.len, E.ey = (qy - py) / E.len;
    E.nx = -E.ey, E.ny = E.ex;
    double mx = (px + qx) / 2, my = (py + qy) / 2;
    double c = (f->cx - mx) * E.nx + (f->cy - my) * E.ny;
    if (c < 0)
        E.nx = -E.nx, E.ny = -E.ny, c = -c;
    E.across = 2 * c;
    return E;
}

/* The grey profile along E, `depth` pixels inside: each point the mean of a
 * small patch (a third of the point spacing along, +-0.5 % of the frame
 * across), so that grain and JPEG blocks matter little. */
static void profile(const uint8_t *g, int w, int h, const edge *E, double depth, double *out)
{
    double step = 0.88 * E->len / PROFILE_N;
    for (int i = 0; i < PROFILE_N; i++) {
        double s = (0.06 + 0.88 * (i + 0.5) / PROFILE_N) * E->len, sum = 0;
        for (int a = -1; a <= 1; a++)
            for (int d = -1; d <= 1; d++) {
                double dd = depth + d * 0.005 * E->across, aa = s + a * step / 3;
                sum += sample(g, w, h, E->px + E->ex * aa + E->nx * dd, E->py + E->ey * aa + E->ny * dd);
            }
        out[i] = sum / 9;
    }
}

static double mean_diff(const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < PROFILE_N; i++)
        s += fabs(a[i] - b[i]);
    return s / PROFILE_N;
}

/* The edge of f (0..3) that faces most along (dx, dy). */
static int facing(const sheet_frame *f, double dx, double dy)
{
    double xy[8];
    sheet_frame_corners(f, xy);
    int best = 0;
    double bv = -1e300;
    for (int k = 0; k < 4; k++) {
        double mx = (xy[2 * k] + xy[2 * ((k + 1) % 4)]) / 2 - f->cx;
        double my = (xy[2 * k + 1] + xy[2 * ((k + 1) % 4) + 1]) / 2 - f->cy;
        double v = mx * dx + my * dy;
        if (v > bv)
            bv = v, best = k;
    }
    return best;
}

/* Neighbours: the centre of b lies one frame on (0.9..1.9 frame lengths)
 * along one of a's axes and within half a frame along the other. */
static int neighbours(const sheet_frame *a, const sheet_frame *b)
{
    double an = a->angle * 3.14159265358979323846 / 180.0, c = cos(an), s = sin(an);
    double dx = b->cx - a->cx, dy = b->cy - a->cy;
    double u = fabs((dx * c - dy * s) / a->w), v = fabs((dx * s + dy * c) / a->h);
    return (u > 0.9 && u < 1.9 && v < 0.5) || (v > 0.9 && v < 1.9 && u < 0.5);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void sheet_continuity_measure(const uint8_t *grey, int width, int height, const sheet_result *r, sheet_continuity *out)
{
    *out = (sheet_continuity){ 0 };
    double same[MAX_PAIRS], within[MAX_PAIRS];
    int m = 0;
    for (int i = 0; i < r->nframes && m < MAX_PAIRS; i++)
        for (int j = i + 1; j < r->nframes && m < MAX_PAIRS; j++) {
            const sheet_frame *a = &r->frames[i], *b = &r->frames[j];
            if (!neighbours(a, b))
                continue;
            double dx = b->cx - a->cx, dy = b->cy - a->cy, dl = hypot(dx, dy);
            dx /= dl, dy /= dl;
            int af = facing(a, dx, dy), bf = facing(b, -dx, -dy);
            /* every profile read along the gap, the same way in both frames */
            edge ea = edge_of(a, af, -dy, dx), eb = edge_of(b, bf, -dy, dx);
            edge fa = edge_of(a, (af + 2) % 4, -dy, dx), fb = edge_of(b, (bf + 2) % 4, -dy, dx);
            double da = DEPTH * ea.across, db = DEPTH * eb.across;
            /* the width of the gap: between the two facing edges */
            double gap = fabs((eb.px - ea.px) * ea.nx + (eb.py - ea.py) * ea.ny);
            double sep = gap + da + db; /* from one profile across to the other */
            double pa[PROFILE_N], pb[PROFILE_N], qa[PROFILE_N], qb[PROFILE_N], ra[PROFILE_N], rb[PROFILE_N];
            profile(grey, width, height, &ea, da, pa);
            profile(grey, width, height, &eb, db, pb);
            profile(grey, width, height, &fa, da, qa);
            profile(grey, width, height, &fb, db, qb);
            double ia = da + sep, ib = db + sep; /* the same step taken inside each frame */
            if (ia > 0.45 * ea.across)
                ia = 0.45 * ea.across;
            if (ib > 0.45 * eb.across)
                ib = 0.45 * eb.across;
            profile(grey, width, height, &ea, ia, ra);
            profile(grey, width, height, &eb, ib, rb);
            double across = mean_diff(pa, pb);
            double s1 = mean_diff(pa, qb), s2 = mean_diff(qa, pb);
            double w1 = mean_diff(pa, ra), w2 = mean_diff(pb, rb);
            same[m] = across / ((s1 < s2 ? s1 : s2) + 1.0);
            within[m] = across / ((w1 + w2) / 2 + 1.0);
            out->runs_on += same[m] < SAME_MAX && within[m] < WITHIN_MAX;
            m++;
        }
    out->pairs = m;
    out->same = median(same, m);
    out->within = median(within, m);
}

int sheet_continuity_one_scene(const sheet_continuity *c)
{
    return c->pairs >= 4 && c->same < SAME_MAX && c->within < WITHIN_MAX;
}

void sheet_continuity_set(int on)
{
    atomic_store(&check_on, on ? 1 : 0);
}

void sheet_continuity_check(const uint8_t *grey, int width, int height, sheet_mode mode, sheet_result *r)
{
    if (mode != SHEET_AUTO || r->nframes == 0 || !atomic_load(&check_on))
        return;
    sheet_continuity c;
    sheet_continuity_measure(grey, width, height, r, &c);
    if (!sheet_continuity_one_scene(&c))
        return;
    int n = r->nframes;
    memset(r, 0, sizeof *r);
    snprintf(r->why, sizeof r->why,
             "one scene seen through a grid: across the gaps between its %d frames the picture runs on "
             "(difference %.2f of the same places', %.2f of a step inside a frame)",
             n, c.same, c.within);
}
