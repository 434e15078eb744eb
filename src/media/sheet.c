/* sheet.c — finds the frames of a contact sheet or film strip scan (sheet.h). */
#include "media/sheet.h"
#include "media/sheet_continuity.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

int sheet_mode_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "off") == 0)
        return SHEET_OFF;
    if (strcmp(s, "auto") == 0)
        return SHEET_AUTO;
    if (strcmp(s, "force") == 0)
        return SHEET_FORCE;
    return -1;
}

const char *sheet_mode_name(sheet_mode m)
{
    return m == SHEET_OFF ? "off" : m == SHEET_FORCE ? "force" : "auto";
}

static atomic_int shortcuts_on = 1;

void sheet_set_shortcuts(int on)
{
    atomic_store(&shortcuts_on, on != 0);
}

/* ---- geometry ----------------------------------------------------------- */

void sheet_frame_corners(const sheet_frame *f, double xy[8])
{
    double a = f->angle * PI / 180.0, c = cos(a), s = sin(a);
    static const double sx[4] = { -1, 1, 1, -1 }, sy[4] = { -1, -1, 1, 1 };
    for (int i = 0; i < 4; i++) {
        double dx = sx[i] * f->w / 2, dy = sy[i] * f->h / 2;
        xy[2 * i] = f->cx + dx * c + dy * s;
        xy[2 * i + 1] = f->cy - dx * s + dy * c;
    }
}

static double poly_area(const double *p, int n)
{
    double a = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        a += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1];
    }
    return fabs(a) / 2;
}

/* Sutherland-Hodgman: clips polygon p (n points) by the half-plane left of
 * the directed edge a->b (or right, by orientation sign). */
static int clip_edge(const double *p, int n, const double *a, const double *b, double sign, double *out)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        const double *cur = p + 2 * i, *prev = p + 2 * ((i + n - 1) % n);
        double dc = sign * ((b[0] - a[0]) * (cur[1] - a[1]) - (b[1] - a[1]) * (cur[0] - a[0]));
        double dp = sign * ((b[0] - a[0]) * (prev[1] - a[1]) - (b[1] - a[1]) * (prev[0] - a[0]));
        if ((dc >= 0) != (dp >= 0)) {
            double t = dp / (dp - dc);
            out[2 * m] = prev[0] + t * (cur[0] - prev[0]);
            out[2 * m + 1] = prev[1] + t * (cur[1] - prev[1]);
            m++;
        }
        if (dc >= 0) {
            out[2 * m] = cur[0];
            out[2 * m + 1] = cur[1];
            m++;
        }
    }
    return m;
}

double sheet_frame_iou(const sheet_frame *a, const sheet_frame *b)
{
    double pa[8], pb[8], buf1[64], buf2[64];
    sheet_frame_corners(a, pa);
    sheet_frame_corners(b, pb);
    /* orientation of b's corner order */
    double sign = 0;
    for (int i = 0; i < 4; i++) {
        int j = (i + 1) % 4;
        sign += pb[2 * i] * pb[2 * j + 1] - pb[2 * j] * pb[2 * i + 1];
    }
    sign = sign >= 0 ? 1 : -1;
    memcpy(buf1, pa, sizeof pa);
    int n = 4;
    for (int i = 0; i < 4 && n > 0; i++) {
        n = clip_edge(buf1, n, pb + 2 * i, pb + 2 * ((i + 1) % 4), sign, buf2);
        memcpy(buf1, buf2, sizeof(double) * 2 * (size_t)n);
    }
    double inter = n >= 3 ? poly_area(buf1, n) : 0;
    double uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0 ? inter / uni : 0;
}

/* ---- the work image ------------------------------------------------------- */

typedef struct plane {
    int w, h;
    uint8_t *p;
} plane;

/* Box-averaged copy at 1/f. */
static int plane_shrink(const uint8_t *g, int w, int h, int f, plane *out)
{
    out->w = w / f;
    out->h = h / f;
    out->p = malloc((size_t)out->w * (size_t)out->h);
    if (!out->p)
        return -1;
    for (int y = 0; y < out->h; y++)
        for (int x = 0; x < out->w; x++) {
            unsigned s = 0;
            for (int j = 0; j < f; j++) {
                const uint8_t *row = g + (size_t)(y * f + j) * (size_t)w + (size_t)x * (size_t)f;
                for (int i = 0; i < f; i++)
                    s += row[i];
            }
            out->p[(size_t)y * (size_t)out->w + (size_t)x] = (uint8_t)((s + (unsigned)(f * f) / 2) / (unsigned)(f * f));
        }
    return 0;
}

static int percentile(const uint8_t *p, size_t n, double q)
{
    size_t hist[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        hist[p[i]]++;
    size_t want = (size_t)(q * (double)n), acc = 0;
    for (int v = 0; v < 256; v++) {
        acc += hist[v];
        if (acc > want)
            return v;
    }
    return 255;
}

/* The value of the outer ring of the image (2 %), for pixels rotated in from
 * outside: paper if the sheet has a paper margin, base if it has none; -1
 * when out of memory. */
static int ring_median(const plane *g)
{
    int bw = g->w / 50 + 1, bh = g->h / 50 + 1;
    size_t n = 0, cap = (size_t)g->w * (size_t)g->h;
    uint8_t *v = malloc(cap);
    if (!v)
        return -1;
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            if (y < bh || y >= g->h - bh || x < bw || x >= g->w - bw)
                v[n++] = g->p[(size_t)y * (size_t)g->w + (size_t)x];
    int m = percentile(v, n, 0.5);
    free(v);
    return m;
}

/* ---- skew --------------------------------------------------------------- */

/* Sharpness of the row and column profiles of the base mask seen at angle a:
 * sum over bins of (base count)^2 / count, i.e. the between-bin variance.
 * The plain per-pixel loop: the reference skew_score is proven against
 * (sheet_set_shortcuts(0)). */
static double skew_score_plain(const uint8_t *mask, int w, int h, double a_deg, double *rs, double *rc, double *cs,
                               double *cc)
{
    double a = a_deg * PI / 180.0, c = cos(a), s = sin(a);
    double cx = w / 2.0, cy = h / 2.0;
    int nb = w + h + 4;
    memset(rs, 0, sizeof(double) * (size_t)nb);
    memset(rc, 0, sizeof(double) * (size_t)nb);
    memset(cs, 0, sizeof(double) * (size_t)nb);
    memset(cc, 0, sizeof(double) * (size_t)nb);
    double off = (w + h) / 2.0 - (w > h ? w : h) / 2.0 + 2;
    for (int y = 0; y < h; y++) {
        double yy = y + 0.5 - cy;
        for (int x = 0; x < w; x++) {
            double xx = x + 0.5 - cx;
            int u = (int)(cx + xx * c - yy * s + off), v = (int)(cy + xx * s + yy * c + off);
            if (u < 0 || v < 0 || u >= nb || v >= nb)
                continue;
            double m = mask[(size_t)y * (size_t)w + (size_t)x];
            cs[u] += m;
            cc[u] += 1;
            rs[v] += m;
            rc[v] += 1;
        }
    }
    double score = 0, tot = 0, totm = 0;
    for (int i = 0; i < nb; i++) {
        if (rc[i] > 0)
            score += rs[i] * rs[i] / rc[i];
        if (cc[i] > 0)
            score += cs[i] * cs[i] / cc[i];
        tot += rc[i];
        totm += rs[i];
    }
    return tot > 0 ? score - 2 * totm * totm / tot : 0;
}

/* The score from the integer bins (rs, rc, cs, cc: nb each, in that order)
 * skew_score and skew_score_runs fill, with skew_score_plain's sums. */
static double skew_total(const int *bins, int nb)
{
    const int *rs = bins, *rc = bins + nb, *cs = bins + 2 * nb, *cc = bins + 3 * nb;
    double score = 0, tot = 0, totm = 0;
    for (int i = 0; i < nb; i++) {
        double r = rs[i], k = cs[i];
        if (rc[i] > 0)
            score += r * r / rc[i];
        if (cc[i] > 0)
            score += k * k / cc[i];
        tot += rc[i];
        totm += r;
    }
    return tot > 0 ? score - 2 * totm * totm / tot : 0;
}

/* Each column's terms of a pixel's rotated coordinates (the column's share
 * of the plain loop's expressions, the same operations): ux[x], vx[x]. */
static void skew_columns(int w, double cx, double cy, double c, double s, double *ux, double *vx)
{
    for (int x = 0; x < w; x++) {
        double xx = x + 0.5 - cx;
        ux[x] = cx + xx * c;
        vx[x] = cy + xx * s;
    }
}

/* skew_score_plain's score, faster.
 * bins: 4 * (w + h + 4) ints, colt: 2 * w doubles (scratch). The counts are
 * integers (exact in any order), so a row's run of pixels that fall in one
 * row bin (the bin changes a few times a row at these angles) is summed in a
 * register; each pixel's bins are the expressions of a plain per-pixel loop
 * with the terms of its column and of its row computed once (the same
 * operations in the same order: the same bins to the bit). */
static double skew_score(const uint8_t *mask, int w, int h, double a_deg, int *bins, double *colt)
{
    double a = a_deg * PI / 180.0, c = cos(a), s = sin(a);
    double cx = w / 2.0, cy = h / 2.0;
    int nb = w + h + 4;
    int *rs = bins, *rc = bins + nb, *cs = bins + 2 * nb, *cc = bins + 3 * nb;
    memset(bins, 0, sizeof(int) * 4 * (size_t)nb);
    double off = (w + h) / 2.0 - (w > h ? w : h) / 2.0 + 2;
    double *ux = colt, *vx = colt + w;
    skew_columns(w, cx, cy, c, s, ux, vx);
    for (int y = 0; y < h; y++) {
        double yy = y + 0.5 - cy, ys = yy * s, yc = yy * c;
        const uint8_t *row = mask + (size_t)y * (size_t)w;
        int cur = -1, sm = 0, sn = 0;
        for (int x = 0; x < w; x++) {
            int u = (int)(ux[x] - ys + off), v = (int)(vx[x] + yc + off);
            if (u < 0 || v < 0 || u >= nb || v >= nb)
                continue;
            int m = row[x];
            cs[u] += m;
            cc[u] += 1;
            if (v != cur) {
                if (cur >= 0)
                    rs[cur] += sm, rc[cur] += sn;
                cur = v, sm = 0, sn = 0;
            }
            sm += m;
            sn++;
        }
        if (cur >= 0)
            rs[cur] += sm, rc[cur] += sn;
    }
    return skew_total(bins, nb);
}

/* Prefix sums of a mask's rows and columns, for skew_score_runs:
 * row[y * (w + 1) + x] = the sum of mask[y][0..x), col[x * (h + 1) + y] =
 * the sum of mask[0..y)[x]. A mask's values are at most 4 (find_skew's half
 * size copy) and its sides at most SHEET_WORK_EDGE (plane_shrink). */
typedef struct mask_sums {
    uint16_t *row, *col;
} mask_sums;
_Static_assert(4 * SHEET_WORK_EDGE < 65536, "mask_sums holds a row's sum in 16 bits");

static int mask_sums_make(const uint8_t *mask, int w, int h, mask_sums *S)
{
    S->row = malloc(sizeof *S->row * (size_t)(w + 1) * (size_t)h);
    S->col = malloc(sizeof *S->col * (size_t)(h + 1) * (size_t)w);
    if (!S->row || !S->col) {
        free(S->row), free(S->col);
        S->row = S->col = NULL;
        return -1;
    }
    for (int x = 0; x < w; x++)
        S->col[(size_t)x * (size_t)(h + 1)] = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *m = mask + (size_t)y * (size_t)w;
        uint16_t *r = S->row + (size_t)y * (size_t)(w + 1);
        r[0] = 0;
        for (int x = 0; x < w; x++) {
            r[x + 1] = (uint16_t)(r[x] + m[x]);
            uint16_t *c = S->col + (size_t)x * (size_t)(h + 1) + y;
            c[1] = (uint16_t)(c[0] + m[x]);
        }
    }
    return 0;
}

/* skew_score's score, from the prefix sums S of the same mask: along a row
 * a pixel's row bin v changes a few times at these angles and only one way
 * (it is monotonic in x: the same rounded operations on a monotonic
 * argument), so the row's pixels of a bin are one run, summed as the
 * difference of two prefix sums; likewise a column's pixels of a column bin
 * u. Each run's ends are found by evaluating the pixel's own bin expression
 * (a guess from the line's slope, then a walk to where the bin changes), so
 * every pixel lands in the bin it has in skew_score_plain. When a corner of
 * the image falls outside the bins (then some pixels are left out, which the
 * runs do not know), the per-pixel skew_score. */
static double skew_score_runs(const uint8_t *mask, const mask_sums *S, int w, int h, double a_deg, int *bins,
                              double *colt)
{
    double a = a_deg * PI / 180.0, c = cos(a), s = sin(a);
    double cx = w / 2.0, cy = h / 2.0;
    int nb = w + h + 4;
    double off = (w + h) / 2.0 - (w > h ? w : h) / 2.0 + 2;
    double *ux = colt, *vx = colt + w;
    skew_columns(w, cx, cy, c, s, ux, vx);
#define SKEW_U(x, y) ((int)(ux[x] - ((y) + 0.5 - cy) * s + off))
#define SKEW_V(x, y) ((int)(vx[x] + ((y) + 0.5 - cy) * c + off))
    /* u and v are monotonic in x and in y: their extremes lie at corners */
    for (int k = 0; k < 4; k++) {
        int x = k & 1 ? w - 1 : 0, y = k & 2 ? h - 1 : 0, u = SKEW_U(x, y), v = SKEW_V(x, y);
        if (u < 0 || v < 0 || u >= nb || v >= nb)
            return skew_score(mask, w, h, a_deg, bins, colt);
    }
    int *rs = bins, *rc = bins + nb, *cs = bins + 2 * nb, *cc = bins + 3 * nb;
    memset(bins, 0, sizeof(int) * 4 * (size_t)nb);
    /* where each run begins: along a row the first x at which the bin
     * (made non-decreasing by the slope's sign) reaches t, for every t past
     * the row's first bin: a guess from the slope, then the bin expression
     * walked to where it reaches t. The guesses do not depend on each other
     * (nor on the walks), so the rows' runs are found at the pace of many at
     * once. */
    double inv = s != 0 ? 1 / s : 0;
    int sv = s > 0 ? 1 : -1; /* the row bin times sv rises along x */
    for (int y = 0; y < h; y++) {
        const uint16_t *pre = S->row + (size_t)y * (size_t)(w + 1);
        double R = cy + (y + 0.5 - cy) * c + off + (0.5 - cx) * s; /* the bin's value at x: R + x * s */
        int t0 = sv * SKEW_V(0, y), t1 = sv * SKEW_V(w - 1, y), xa = 0;
        for (int t = t0 + 1; t <= t1 + 1; t++) {
            int xb = w;
            if (t <= t1) {
                double xp = ((sv > 0 ? t : 1 - t) - R) * inv;
                xb = xp >= w - 1 ? w - 1 : xp <= 1 ? 1 : (int)ceil(xp);
                while (xb < w - 1 && sv * SKEW_V(xb, y) < t)
                    xb++;
                while (xb > 1 && sv * SKEW_V(xb - 1, y) >= t)
                    xb--;
            }
            int bin = sv * (t - 1);
            rs[bin] += pre[xb] - pre[xa];
            rc[bin] += xb - xa;
            xa = xb;
        }
    }
    int su = s > 0 ? -1 : 1; /* the column bin times su rises along y */
    for (int x = 0; x < w; x++) {
        const uint16_t *pre = S->col + (size_t)x * (size_t)(h + 1);
        double R = ux[x] + off + (cy - 0.5) * s; /* the bin's value at y: R - y * s */
        int t0 = su * SKEW_U(x, 0), t1 = su * SKEW_U(x, h - 1), ya = 0;
        for (int t = t0 + 1; t <= t1 + 1; t++) {
            int yb = h;
            if (t <= t1) {
                double yp = (R - (su < 0 ? 1 - t : t)) * inv;
                yb = yp >= h - 1 ? h - 1 : yp <= 1 ? 1 : (int)ceil(yp);
                while (yb < h - 1 && su * SKEW_U(x, yb) < t)
                    yb++;
                while (yb > 1 && su * SKEW_U(x, yb - 1) >= t)
                    yb--;
            }
            int bin = su * (t - 1);
            cs[bin] += pre[yb] - pre[ya];
            cc[bin] += yb - ya;
            ya = yb;
        }
    }
#undef SKEW_U
#undef SKEW_V
    return skew_total(bins, nb);
}

/* skew_score_runs (S: the mask's sums) or, without shortcuts (S NULL),
 * skew_score_plain; buf: 4 * (w + h + 4) doubles, colt: 2 * w doubles. */
static double skew_at(const uint8_t *mask, const mask_sums *S, int w, int h, double a_deg, double *buf, double *colt)
{
    int nb = w + h + 4;
    if (!S)
        return skew_score_plain(mask, w, h, a_deg, buf, buf + nb, buf + 2 * nb, buf + 3 * nb);
    return skew_score_runs(mask, S, w, h, a_deg, (int *)(void *)buf, colt);
}

/* The skew angle of base mask `mask`; -1 when out of memory. */
static int find_skew(const uint8_t *mask, int w, int h, int plain, double *angle)
{
    int nb = w + h + 4, w2 = w / 2, h2 = h / 2;
    double *buf = malloc(sizeof(double) * 4 * (size_t)nb);
    double *colt = malloc(sizeof(double) * 2 * (size_t)w);
    uint8_t *m2 = malloc((size_t)w2 * (size_t)h2 + 1);
    mask_sums S2 = { 0 }, S = { 0 };
    if (!buf || !colt || !m2) {
        free(buf), free(colt), free(m2);
        return -1;
    }
    /* the coarse search (0.5 degree steps) on a half-size copy of the mask
     * (each pixel the count of base among its four), the fine one on the
     * mask itself; every pixel is used: a sparser sampling beats with the
     * bins at some angles */
    for (int y = 0; y < h2; y++)
        for (int x = 0; x < w2; x++) {
            const uint8_t *p = mask + (size_t)(2 * y) * (size_t)w + (size_t)(2 * x);
            m2[(size_t)y * (size_t)w2 + (size_t)x] = (uint8_t)(p[0] + p[1] + p[w] + p[w + 1]);
        }
    if (!plain && mask_sums_make(m2, w2, h2, &S2) != 0) {
        free(buf), free(colt), free(m2);
        return -1;
    }
    double best = -1, best_a = 0;
    for (double a = -SHEET_MAX_ANGLE; a <= SHEET_MAX_ANGLE + 1e-9; a += 0.5) {
        double sc = skew_at(m2, plain ? NULL : &S2, w2, h2, a, buf, colt);
        if (sc > best)
            best = sc, best_a = a;
    }
    free(m2), free(S2.row), free(S2.col);
    if (!plain && mask_sums_make(mask, w, h, &S) != 0) {
        free(buf), free(colt);
        return -1;
    }
    best = skew_at(mask, plain ? NULL : &S, w, h, best_a, buf, colt);
    for (double step = 0.1; step > 0.015; step /= 5) {
        double center = best_a;
        for (int k = -5; k <= 5; k++) {
            double a = center + k * step;
            if (k == 0)
                continue;
            double sc = skew_at(mask, plain ? NULL : &S, w, h, a, buf, colt);
            if (sc > best)
                best = sc, best_a = a;
        }
    }
    free(buf), free(colt), free(S.row), free(S.col);
    *angle = best_a;
    return 0;
}

/* D(u,v) = g at the point that sheet coordinates (u,v) came from (bilinear). */
static int deskew(const plane *g, double a_deg, uint8_t fill, plane *out)
{
    out->w = g->w;
    out->h = g->h;
    out->p = malloc((size_t)g->w * (size_t)g->h);
    if (!out->p)
        return -1;
    double a = a_deg * PI / 180.0, c = cos(a), s = sin(a), cx = g->w / 2.0, cy = g->h / 2.0;
    for (int v = 0; v < g->h; v++) {
        double vv = v + 0.5 - cy;
        for (int u = 0; u < g->w; u++) {
            double uu = u + 0.5 - cx;
            double x = cx + uu * c + vv * s - 0.5, y = cy - uu * s + vv * c - 0.5;
            int x0 = (int)floor(x), y0 = (int)floor(y);
            uint8_t val = fill;
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < g->w && y0 + 1 < g->h) {
                double fx = x - x0, fy = y - y0;
                const uint8_t *p = g->p + (size_t)y0 * (size_t)g->w + (size_t)x0;
                double t = p[0] * (1 - fx) + p[1] * fx, b = p[g->w] * (1 - fx) + p[g->w + 1] * fx;
                val = (uint8_t)(t * (1 - fy) + b * fy + 0.5);
            }
            out->p[(size_t)v * (size_t)g->w + (size_t)u] = val;
        }
    }
    return 0;
}

/* ---- layout ------------------------------------------------------------- */

typedef struct run {
    int a, b; /* [a, b) */
} run;

typedef struct box {
    double x0, y0, x1, y1; /* in the deskewed (maybe transposed) work image */
    int strip, good;
} box;

typedef struct layout {
    box f[SHEET_MAX_FRAMES];
    int n, strips;
    double score;
    char why[160];
    int how_read; /* the bits of layout_find's `how` this reading looked at (LAYOUT_HOW) */
    int nomem;    /* out of memory: no result, the caller's ERR_NOMEM */
} layout;

static void layout_nomem(layout *L)
{
    L->n = 0;
    L->nomem = 1;
    snprintf(L->why, sizeof L->why, "out of memory");
}

/* Runs where prof[i] >= thr, holes of at most `close` samples bridged. */
static int find_runs(const double *prof, int n, double thr, int close, run *out, int max)
{
    int k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && prof[i] < thr)
            i++;
        if (i >= n)
            break;
        int a = i;
        for (;;) {
            while (i < n && prof[i] >= thr)
                i++;
            int j = i;
            while (j < n && prof[j] < thr && j - i < close + 1)
                j++;
            if (j < n && j - i <= close && prof[j] >= thr)
                i = j;
            else
                break;
        }
        out[k].a = a;
        out[k].b = i;
        k++;
    }
    return k;
}

/* Hysteresis: each run grown on both sides while prof[i] >= low, runs that
 * then touch merged. A band of frame rows is broken where the frames of a
 * strip are dark in the same rows (few frames a row: 120 film); rows that
 * hold a little content still belong to it, a rebate's rows hold almost
 * none (edge print). Returns the number of runs left. */
static int grow_runs(const double *prof, int n, double low, run *r, int k)
{
    for (int i = 0; i < k; i++) {
        while (r[i].a > 0 && prof[r[i].a - 1] >= low)
            r[i].a--;
        while (r[i].b < n && prof[r[i].b] >= low)
            r[i].b++;
    }
    int m = 0;
    for (int i = 0; i < k; i++) {
        if (m > 0 && r[i].a <= r[m - 1].b) {
            if (r[i].b > r[m - 1].b)
                r[m - 1].b = r[i].b;
            continue;
        }
        r[m++] = r[i];
    }
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Fraction of base pixels in a rectangle of mask m (1 = base). */
static double base_frac(const uint8_t *m, int w, int x0, int y0, int x1, int y1)
{
    if (x1 <= x0 || y1 <= y0)
        return 1;
    long s = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            s += m[(size_t)y * (size_t)w + (size_t)x];
    return (double)s / ((double)(x1 - x0) * (y1 - y0));
}

/* Paper in the film area: a run of non-base along a row longer than `len` is
 * no frame (a frame's rows end at a gap of base, at most a strip's half), it
 * is paper beside a short strip, a label, a mask. Returns a copy of m with
 * those runs marked 1, so that they hold no frame and no band of frames;
 * NULL when out of memory. */
static uint8_t *mask_paper(const uint8_t *m, int w, int h, int x0, int y0, int x1, int y1, int len)
{
    uint8_t *mp = malloc((size_t)w * (size_t)h);
    if (!mp)
        return NULL;
    memcpy(mp, m, (size_t)w * (size_t)h);
    for (int y = y0; y < y1; y++) {
        uint8_t *row = mp + (size_t)y * (size_t)w;
        for (int x = x0; x < x1;) {
            if (row[x]) {
                x++;
                continue;
            }
            int e = x;
            while (e < x1 && !row[e])
                e++;
            if (e - x > len)
                memset(row + x, 1, (size_t)(e - x));
            x = e;
        }
    }
    return mp;
}

/* Row profile of the film area x0..x1, y0..y1: the share of content among
 * the row's film (m: 1 = base or paper, m0: 1 = base; paper = m && !m0); a
 * row mostly paper has none. prof[y - y0]. */
static void row_profile(const uint8_t *m, const uint8_t *m0, int w, int x0, int x1, int y0, int y1, double *prof)
{
    int fw = x1 - x0;
    for (int y = y0; y < y1; y++) {
        long s = 0, paper = 0;
        for (int x = x0; x < x1; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            s += m[i];
            paper += m[i] && !m0[i];
        }
        long film = fw - paper;
        prof[y - y0] = film >= 0.15 * fw ? 1.0 - (double)(s - paper) / film : 0;
    }
}

/* Marks in mp (1 = base or paper) every run of non-base down a column of the
 * film area longer than len: taller than any frame, so paper. Returns how
 * many columns had one. */
static int mark_paper_columns(uint8_t *mp, int w, int x0, int x1, int y0, int y1, int len)
{
    int cols = 0;
    for (int x = x0; x < x1; x++) {
        int marked = 0;
        for (int y = y0; y < y1;) {
            if (mp[(size_t)y * (size_t)w + (size_t)x]) {
                y++;
                continue;
            }
            int e = y;
            while (e < y1 && !mp[(size_t)e * (size_t)w + (size_t)x])
                e++;
            if (e - y > len) {
                for (int k = y; k < e; k++)
                    mp[(size_t)k * (size_t)w + (size_t)x] = 1;
                marked = 1;
            }
            y = e;
        }
        cols += marked;
    }
    return cols;
}

/* Does frame b lie on film: film base in the rebate just above or below it
 * (sprocket holes, the strip's edge), in the rows 2..8 % of the frame height
 * away? Paper where a strip ends has none. A side outside the image says
 * nothing; with both outside the frame is kept. */
static int on_film(const uint8_t *m, int w, int h, const box *b, double Hf)
{
    int r0 = (int)(0.02 * Hf) + 1, r1 = (int)(0.08 * Hf) + 2;
    int xa = b->x0 < 0 ? 0 : (int)b->x0, xb = b->x1 > w ? w : (int)b->x1;
    int ya0 = (int)b->y0 - r1, ya1 = (int)b->y0 - r0, yb0 = (int)b->y1 + r0, yb1 = (int)b->y1 + r1;
    double best = -1;
    if (ya0 >= 0)
        best = fmax(best, base_frac(m, w, xa, ya0, xb, ya1));
    if (yb1 <= h)
        best = fmax(best, base_frac(m, w, xa, yb0, xb, yb1));
    return best < 0 || best >= 0.3;
}

/* Is the rectangle of grey g (w wide) blank: its tones (10th to 90th
 * percentile) spread no more than its grain makes them (the median step
 * between neighbouring pixels; about 2.7 times it for grain alone)? Paper
 * beside a short strip, a holder; a picture's tones spread far wider than
 * its steps. */
static int is_blank(const uint8_t *g, int w, int x0, int y0, int x1, int y1)
{
    unsigned hist[256] = { 0 }, dh[256] = { 0 }, n = 0;
    for (int y = y0; y < y1; y += 2) {
        const uint8_t *row = g + (size_t)y * (size_t)w;
        for (int x = x0; x + 1 < x1; x += 2) {
            hist[row[x]]++, n++;
            dh[abs(row[x + 1] - row[x])]++;
        }
    }
    if (n < 16)
        return 0;
    unsigned acc = 0;
    int p10 = -1, p90 = 255, step = 0;
    for (int v = 0; v < 256; v++) {
        acc += hist[v];
        if (p10 < 0 && acc > n / 10)
            p10 = v;
        if (acc > n - n / 10) {
            p90 = v;
            break;
        }
    }
    /* the median step, interpolated within its integer bin */
    acc = 0;
    while (step < 255 && acc + dh[step] <= n / 2)
        acc += dh[step++];
    double med = step + (n / 2.0 - acc) / (dh[step] ? dh[step] : 1) - 0.5;
    if (med < 1)
        med = 1;
    return p90 - p10 <= 4.5 * med;
}

/* The share of rectangle x0..x1, y0..y1 that is picture, counted in cells
 * of about `cell` pixels: a cell's pixels off the base tone (mask m, 1 =
 * base), and the whole cell when its tones are not blank (is_blank). Film
 * base is flat, only grain; a scene is not, even where its tones are the
 * base's (the clear shadows of a negative, the black of a print). At least
 * the share of pixels off the base tone. */
static double textured_content(const uint8_t *m, const uint8_t *g, int w, int h, int x0, int y0, int x1, int y1,
                               int cell)
{
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0, x1 = x1 > w ? w : x1, y1 = y1 > h ? h : y1;
    if (x1 <= x0 || y1 <= y0)
        return 0;
    int nx = (x1 - x0) / cell, ny = (y1 - y0) / cell;
    nx = nx < 1 ? 1 : nx, ny = ny < 1 ? 1 : ny;
    double sum = 0, area = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            int cx0 = x0 + (x1 - x0) * i / nx, cx1 = x0 + (x1 - x0) * (i + 1) / nx;
            int cy0 = y0 + (y1 - y0) * j / ny, cy1 = y0 + (y1 - y0) * (j + 1) / ny;
            double a = (double)(cx1 - cx0) * (cy1 - cy0), bf = base_frac(m, w, cx0, cy0, cx1, cy1);
            sum += a * (bf > 0 && !is_blank(g, w, cx0, cy0, cx1, cy1) ? 1 : 1 - bf);
            area += a;
        }
    return area > 0 ? sum / area : 0;
}

/* Is aspect (frame width along the strip over height) within tol of a
 * film format's, either way round: 24 x 36 and 6 x 9 (3:2), half frame
 * 18 x 24 (4:3), 6 x 4.5 (56 x 41.5), 6 x 7 (56 x 69.5), 6 x 6? */
static int film_format(double aspect, double tol)
{
    static const double formats[] = { 1.5, 4.0 / 3, 56 / 41.5, 69.5 / 56, 1.0 };
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (fabs(aspect / formats[i] - 1) <= tol || fabs(aspect * formats[i] - 1) <= tol)
            return 1;
    return 0;
}

/* How many of the gaps between neighbouring frames f[0..n) of a strip (as
 * layout_find's checks count them: at most 0.3 wf wide, 85 % base in mask m)
 * are flat (is_blank in grey g across their middle 60 %)? Film base between
 * two frames of a strip is; the dark parts of a photo that a reading takes
 * for gaps have texture, and so has a gap across two strips (the film's
 * edges, the rebates' edge print). */
static int flat_gaps(const box *f, int n, const uint8_t *m, const uint8_t *g, int w, double wf)
{
    int flat = 0;
    for (int i = 0; i + 1 < n; i++) {
        const box *b = &f[i], *c = &f[i + 1];
        int g0 = (int)b->x1, g1 = (int)c->x0;
        if (c->strip != b->strip || g1 - g0 > 0.3 * wf || g1 - g0 < 1)
            continue;
        int gy0 = (int)(b->y0 + (b->y1 - b->y0) * 0.05), gy1 = (int)(b->y1 - (b->y1 - b->y0) * 0.05);
        int inset = (g1 - g0) / 5; /* off the frames' edges */
        if (base_frac(m, w, g0, gy0, g1, gy1) >= 0.85 && is_blank(g, w, g0 + inset, gy0, g1 - inset, gy1))
            flat++;
    }
    return flat;
}

/* How layout_find reads a sheet (each way is tried; the layout that passes
 * the checks with the most frames and clean gaps wins):
 * LAYOUT_DARK_ROWS: a band grown over rows of a little content (a strip
 * whose frames are dark in the same rows: with 3 or 4 frames a strip, often),
 * paper marked down the columns too (below a short last strip), the frame
 * height the tallest band near the upper quartile;
 * LAYOUT_DIVISOR_PITCH: the pitch the best fold's divisor, not the first
 * fold that comes close (a fraction such as 2/3 folds gaps onto every other
 * gap). */
enum { LAYOUT_DARK_ROWS = 1, LAYOUT_DIVISOR_PITCH = 2 };
/* Every read of a bit of `how` goes through LAYOUT_HOW, which notes it in
 * L->how_read: a reading whose `how` differs from another's only in bits the
 * other never read takes the same path and comes to the same layout, so
 * try_polarity does not run it again. */
#define LAYOUT_HOW(bit) ((L->how_read |= (bit)), (how & (bit)))

/* The pitch from the fold scores Sp[k] of pitches pmin + k * pstep (the
 * best sbest): the smallest peak of which the best is a multiple (divisor:
 * LAYOUT_DIVISOR_PITCH), or the first peak that comes close to the best (the
 * old rule); 0 when nothing folds. */
static double pitch_pick(const double *Sp, int np, double pmin, double pstep, double sbest, int divisor)
{
    double P = 0;
    int kb = -1;
    for (int k = 0; k < np; k++)
        if (sbest > 0 && Sp[k] == sbest)
            kb = k;
    if (kb >= 0) {
        double Pb = pmin + kb * pstep;
        P = Pb;
        for (int k = 0; k < kb; k++) {
            if (Sp[k] < 0.6 * sbest || (k > 0 && Sp[k - 1] > Sp[k]) || Sp[k + 1] > Sp[k])
                continue; /* a peak */
            double Pk = pmin + k * pstep, q = Pb / Pk;
            if (!divisor && Sp[k] >= 0.9 * sbest) { /* the old rule */
                int kk = k;
                while (kk + 1 < np && Sp[kk + 1] >= Sp[kk])
                    kk++;
                P = pmin + kk * pstep;
                break;
            }
            if (divisor && q >= 1.5 && fabs(q - round(q)) <= 0.04 * round(q)) {
                P = Pk;
                break;
            }
        }
    }
    return P;
}

/* Strips along x in mask m0 (w x h, 1 = film base; g the grey it came
 * from). Out of memory: L->nomem
 * (and no frames). */
static void layout_find(const uint8_t *m0, const uint8_t *g, int w, int h, sheet_mode mode, int how, layout *L)
{
    memset(L, 0, sizeof *L);
    const uint8_t *m = m0;
    uint8_t *mp = NULL;
    int nb = w > h ? w : h;
    double *rowb = calloc((size_t)nb, sizeof *rowb), *colb = calloc((size_t)nb, sizeof *colb);
    double *prof = calloc((size_t)nb, sizeof *prof);
    run *bands = calloc((size_t)nb, sizeof *bands), *runs = calloc((size_t)nb, sizeof *runs);
    double *tmp = calloc((size_t)nb + SHEET_MAX_FRAMES, sizeof *tmp);
    if (!rowb || !colb || !prof || !bands || !runs || !tmp) {
        layout_nomem(L);
        goto out;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *row = m + (size_t)y * (size_t)w;
        long sum = 0; /* (a count: exact in any order) */
        for (int x = 0; x < w; x++) {
            sum += row[x];
            colb[x] += row[x];
        }
        rowb[y] = (double)sum;
    }
    /* the film area: inside any paper margin (rows and columns without base) */
    int x0 = 0, x1 = w, y0 = 0, y1 = h;
    while (y0 < h && rowb[y0] / w < 0.04)
        y0++;
    while (y1 > y0 && rowb[y1 - 1] / w < 0.04)
        y1--;
    while (x0 < w && colb[x0] / h < 0.04)
        x0++;
    while (x1 > x0 && colb[x1 - 1] / h < 0.04)
        x1--;
    int fw = x1 - x0, fh = y1 - y0;
    if (fw < 32 || fh < 32) {
        snprintf(L->why, sizeof L->why, "no film base");
        goto out;
    }
    /* the layout is found with paper marked (the checks below look at m0) */
    mp = mask_paper(m0, w, h, x0, y0, x1, y1, (int)(0.55 * fw));
    if (!mp) {
        layout_nomem(L);
        goto out;
    }
    m = mp;
    /* bands of frame rows: rows mostly content, beside any paper (a short
     * strip's rows are frames along the film it has) */
    row_profile(m, m0, w, x0, x1, y0, y1, prof);
    memcpy(tmp, prof, sizeof(double) * (size_t)fh);
    qsort(tmp, (size_t)fh, sizeof *tmp, cmp_double);
    double top = tmp[(int)(fh * 0.9)];
    if (top < 0.2) {
        snprintf(L->why, sizeof L->why, "no rows of frames");
        goto out;
    }
    int nbands = find_runs(prof, fh, top * 0.55, fh / 200 + 1, bands, nb);
    /* paper across the strips (below a short last strip where the sheet has
     * no margin): a column's run of non-base taller than 1.25 times the
     * tallest band is no frame; marked, then the bands again, each grown
     * over rows of a little content (frames dark in the same rows) */
    int tallest = 0, nq = 0;
    for (int bi = 0; bi < nbands; bi++)
        if (bands[bi].b - bands[bi].a > tallest)
            tallest = bands[bi].b - bands[bi].a;
    /* (the upper quartile of the bands that may be strips: the band of a
     * short last strip runs on down the paper beside it when the sheet has
     * no margin, and is the tallest) */
    for (int bi = 0; bi < nbands && nq < nb; bi++) {
        int hb = bands[bi].b - bands[bi].a;
        if (hb >= 8 && hb >= fh / 40 && 2 * hb >= tallest)
            tmp[nq++] = hb;
    }
    if (nq > 0) {
        qsort(tmp, (size_t)nq, sizeof *tmp, cmp_double);
        tallest = (int)tmp[(3 * (nq - 1) + 2) / 4];
    }
    if (LAYOUT_HOW(LAYOUT_DARK_ROWS) && tallest >= 8 &&
        mark_paper_columns(mp, w, x0, x1, y0, y1, (int)(1.25 * tallest))) {
        row_profile(m, m0, w, x0, x1, y0, y1, prof);
        nbands = find_runs(prof, fh, top * 0.55, fh / 200 + 1, bands, nb);
    }
    if (LAYOUT_HOW(LAYOUT_DARK_ROWS))
        nbands = grow_runs(prof, fh, top * 0.25, bands, nbands);
    /* frames in each band: columns mostly content between gaps of base */
    box *cand = calloc(SHEET_MAX_FRAMES * 4, sizeof *cand);
    if (!cand) {
        layout_nomem(L);
        goto out;
    }
    int nc = 0, nbh = 0;
    double *bh = tmp + nb; /* band heights, up to SHEET_MAX_FRAMES */
    int strips = 0;
    int maxb = 0; /* a band much lower than the tallest is a rebate's edge print */
    for (int bi = 0; bi < nbands; bi++)
        if (bands[bi].b - bands[bi].a > maxb)
            maxb = bands[bi].b - bands[bi].a;
    for (int bi = 0; bi < nbands; bi++) {
        int ya = bands[bi].a + y0, yb = bands[bi].b + y0;
        int bhgt = yb - ya;
        if (bhgt < 8 || bhgt < fh / 40 || bhgt < maxb / 2)
            continue;
        int ia = ya + bhgt / 10, ib = yb - bhgt / 10;
        for (int x = x0; x < x1; x++) {
            long s = 0;
            for (int y = ia; y < ib; y++)
                s += m[(size_t)y * (size_t)w + (size_t)x];
            prof[x - x0] = 1.0 - (double)s / (ib - ia);
        }
        /* a gap is a column of (nearly) pure base; anything else is frame */
        int nr = find_runs(prof, fw, 0.12, 1, runs, nb);
        int added = 0;
        for (int r = 0; r < nr && nc < SHEET_MAX_FRAMES * 4; r++) {
            if (runs[r].b - runs[r].a < bhgt / 5)
                continue; /* specks: edge print, holes */
            /* edge print along a strip seen across: columns of a little
             * content at a run's ends are rebate, not frame */
            int lim = bhgt / 10;
            for (int k = 0; k < lim && runs[r].b - runs[r].a > bhgt / 5 && prof[runs[r].a] < 0.35; k++)
                runs[r].a++;
            for (int k = 0; k < lim && runs[r].b - runs[r].a > bhgt / 5 && prof[runs[r].b - 1] < 0.35; k++)
                runs[r].b--;
            cand[nc++] = (box){ runs[r].a + x0, ya, runs[r].b + x0, yb, strips, 0 };
            added++;
        }
        if (added) {
            if (nbh < SHEET_MAX_FRAMES)
                bh[nbh++] = bhgt;
            strips++;
        }
    }
    if (nc == 0) {
        snprintf(L->why, sizeof L->why, "no frames between gaps");
        free(cand);
        goto out;
    }
    /* the frame height: bands come out short where frames are dark along an
     * edge (with 3 or 4 frames a strip, often half the strips), rarely tall:
     * the tallest band not more than 15 % above the upper quartile */
    median(bh, nbh); /* sorts */
    double Hf = bh[(3 * (nbh - 1) + 2) / 4];
    for (int i = nbh - 1; i >= 0 && LAYOUT_HOW(LAYOUT_DARK_ROWS); i--)
        if (bh[i] <= 1.15 * Hf) {
            Hf = bh[i];
            break;
        }
    /* The frames of a strip repeat with one pitch: folded modulo the pitch,
     * the columns of all frames of a strip line up, and the gaps between
     * frames (pure film base in every frame) stand out even where a frame's
     * dark edge runs into its gap. One pitch and one gap for the sheet (one
     * camera), fitted on all strips together; each strip its own phase. */
    int ns = 0;
    int sst[SHEET_MAX_FRAMES], sya[SHEET_MAX_FRAMES], syb[SHEET_MAX_FRAMES], scx0[SHEET_MAX_FRAMES],
        scx1[SHEET_MAX_FRAMES];
    double *C = calloc((size_t)w * (size_t)(strips ? strips : 1), sizeof *C); /* column base fraction per strip */
    double *B = calloc((size_t)w + 1, sizeof *B);
    if (!C || !B) {
        layout_nomem(L);
        free(C), free(B), free(cand);
        goto out;
    }
    for (int st = 0; st < strips && ns < SHEET_MAX_FRAMES; st++) {
        int ya = -1, yb = -1;
        for (int i = 0; i < nc; i++)
            if (cand[i].strip == st) {
                ya = (int)cand[i].y0, yb = (int)cand[i].y1;
                break;
            }
        if (ya < 0)
            continue;
        int bhgt = yb - ya, ia = ya + bhgt / 10, ib = yb - bhgt / 10;
        double *c = C + (size_t)ns * (size_t)w;
        for (int x = 0; x < w; x++) {
            long sum = 0;
            for (int y = ia; y < ib; y++)
                sum += m[(size_t)y * (size_t)w + (size_t)x];
            c[x] = (double)sum / (ib - ia);
        }
        int cx0 = x0, cx1 = x1; /* the strip's content extent */
        while (cx0 < x1 && c[cx0] > 0.7)
            cx0++;
        while (cx1 > cx0 && c[cx1 - 1] > 0.7)
            cx1--;
        sst[ns] = st, sya[ns] = ya, syb[ns] = yb, scx0[ns] = cx0, scx1[ns] = cx1;
        ns++;
    }
    int nbins_max = (int)(2.2 * Hf) + 4;
    double *F = calloc((size_t)nbins_max, sizeof *F), *Fn = calloc((size_t)nbins_max, sizeof *Fn);
    double *Sp = NULL;
    if (!F || !Fn) {
        layout_nomem(L);
        free(C), free(B), free(cand), free(F), free(Fn);
        goto out;
    }
    /* the pitch: where folding explains most of the profiles' variance (the
     * F ratio of between-phase to within-phase variance, pooled over the
     * strips that hold at least two pitches); a multiple of the pitch folds
     * as well, so the smallest pitch that comes close to the best wins */
    const double pmin = 0.55 * Hf, pmax = 2.1 * Hf, pstep = 0.25;
    int np = (int)((pmax - pmin) / pstep) + 1;
    Sp = calloc((size_t)np, sizeof *Sp);
    double *F2 = calloc((size_t)nbins_max, sizeof *F2);
    if (!Sp || !F2) {
        layout_nomem(L);
        free(C), free(B), free(cand), free(F), free(Fn), free(Sp), free(F2);
        goto out;
    }
    double sbest = 0;
    for (int k = 0; k < np; k++) {
        double P = pmin + k * pstep, ssb = 0, ssw = 0, dfb = 0, dfw = 0;
        int nbins = (int)ceil(P);
        for (int s = 0; s < ns; s++) {
            if (scx1[s] - scx0[s] < 2 * P)
                continue; /* too short to repeat */
            memset(F, 0, sizeof *F * (size_t)nbins);
            memset(F2, 0, sizeof *F2 * (size_t)nbins);
            memset(Fn, 0, sizeof *Fn * (size_t)nbins);
            const double *c = C + (size_t)s * (size_t)w;
            double ph = 0, tot = 0, cnt = 0;
            for (int x = scx0[s]; x < scx1[s]; x++) {
                int b = (int)ph;
                F[b] += c[x];
                F2[b] += c[x] * c[x];
                Fn[b] += 1;
                tot += c[x], cnt += 1;
                ph += 1;
                if (ph >= P)
                    ph -= P;
            }
            double mean = tot / cnt;
            for (int b = 0; b < nbins; b++)
                if (Fn[b] > 0) {
                    double mb = F[b] / Fn[b];
                    ssb += Fn[b] * (mb - mean) * (mb - mean);
                    ssw += F2[b] - Fn[b] * mb * mb;
                    dfb += 1;
                    dfw += Fn[b] - 1;
                }
            dfb -= 1;
        }
        double score = dfb > 0 && dfw > 0 ? (ssb / dfb) / (ssw / dfw + 1e-6) : 0;
        Sp[k] = score;
        if (score > sbest)
            sbest = score;
    }
    free(F2);
    /* a multiple of the pitch folds as well as the pitch, so the smallest
     * peak of which the best is a multiple wins (with few frames a strip a
     * multiple can fold better); a peak at a fraction that is no divisor
     * (2/3 of the pitch folds gaps onto every other gap) does not */
    int div_read = L->how_read & LAYOUT_DIVISOR_PITCH, divisor = LAYOUT_HOW(LAYOUT_DIVISOR_PITCH) != 0;
    double P = pitch_pick(Sp, np, pmin, pstep, sbest, divisor);
    /* the other rule picks the same pitch: the reading goes on the same way */
    if (!div_read && pitch_pick(Sp, np, pmin, pstep, sbest, !divisor) == P)
        L->how_read &= ~LAYOUT_DIVISOR_PITCH;
    free(Sp);
    /* each strip's gap in its folded profile: the run of most-base bins */
    double gapw[SHEET_MAX_FRAMES], gapc[SHEET_MAX_FRAMES];
    int ngw = 0;
    for (int s = 0; s < ns && P > 0; s++) {
        gapc[s] = -1;
        if (scx1[s] - scx0[s] < 1.5 * P)
            continue;
        int nbins = (int)ceil(P);
        memset(F, 0, sizeof *F * (size_t)nbins);
        memset(Fn, 0, sizeof *Fn * (size_t)nbins);
        const double *c = C + (size_t)s * (size_t)w;
        double ph = 0;
        for (int x = scx0[s]; x < scx1[s]; x++) {
            int b = (int)ph;
            F[b] += c[x];
            Fn[b] += 1;
            ph += 1;
            if (ph >= P)
                ph -= P;
        }
        int nb2 = (int)P; /* whole bins only (the last is partial) */
        double fmax = -1, *fv = tmp;
        int bmax = 0;
        for (int b = 0; b < nb2; b++) {
            fv[b] = Fn[b] > 0 ? F[b] / Fn[b] : 0;
            if (fv[b] > fmax)
                fmax = fv[b], bmax = b;
        }
        double srt[4096];
        int nsrt = nb2 < 4096 ? nb2 : 4096;
        memcpy(srt, fv, sizeof *srt * (size_t)nsrt);
        double fmed = median(srt, nsrt), gthr = fmax - 0.35 * (fmax - fmed);
        if (fmax - fmed < 0.2)
            continue; /* no gap stands out */
        int lo = 0, hi = 0;
        while (lo < nb2 && fv[(bmax - lo - 1 + nb2) % nb2] >= gthr)
            lo++;
        while (hi < nb2 && fv[(bmax + hi + 1) % nb2] >= gthr)
            hi++;
        if (lo + hi + 1 >= nb2 / 2)
            continue;
        gapw[ngw++] = lo + hi + 1;
        gapc[s] = bmax + (hi - lo) / 2.0 + 0.5; /* bin centre, in phase from scx0 */
    }
    double gw = ngw ? median(gapw, ngw) : 0, Wf = P - gw;
    if (P == 0 || ngw == 0 || Wf < 0.5 * Hf || Wf > 2.0 * Hf) {
        snprintf(L->why, sizeof L->why, P == 0 ? "no repeating frames" : "no frame pitch with gaps of film base");
        free(C), free(B), free(cand), free(F), free(Fn);
        goto out;
    }
    free(F), free(Fn);
    const int tcell = Hf / 12 > 12 ? (int)(Hf / 12) : 12; /* textured_content's cells: a frame 12 across */
    int n = 0;
    for (int s = 0; s < ns && n < SHEET_MAX_FRAMES; s++) {
        int ya = sya[s], yb = syb[s], cx0 = scx0[s], cx1 = scx1[s];
        const double *c = C + (size_t)s * (size_t)w;
        B[0] = 0;
        for (int x = 0; x < w; x++)
            B[x + 1] = B[x] + c[x];
        double bp = P, bo;
        if (gapc[s] >= 0)
            bo = cx0 + gapc[s] + gw / 2; /* a frame's left edge */
        else                             /* a lone frame: its content */
            bo = cx0 + ((cx1 - cx0) - Wf) / 2;
        while (bo > cx0 - 0.6 * Wf)
            bo -= bp;
        while (bo < cx0 - 0.6 * Wf)
            bo += bp;
        int st = sst[s];
        for (double fx = bo; fx + 0.5 * Wf <= cx1 && fx + Wf <= x1 + 1 && n < SHEET_MAX_FRAMES; fx += bp) {
            if (fx + 0.5 * Wf < cx0 || fx < x0 - 1)
                continue;
            int f0 = (int)(fx + 0.5), f1 = (int)(fx + Wf + 0.5);
            if (f0 < 0 || f1 > w)
                continue;
            /* an empty place on the strip (film base: unexposed, the leader),
             * not a dark frame (a scene in the base's tones, with texture) */
            if (1 - (B[f1] - B[f0]) / (f1 - f0) < 0.08 && textured_content(m, g, w, h, f0, ya, f1, yb, tcell) < 0.5)
                continue;
            box bx = { fx, ya, fx + Wf, yb, st, 0 };
            /* each edge where its own columns turn from base to content, near the grid */
            int lim = (int)fmin((bp - Wf) / 2, 0.02 * Wf) + 2, le = -1, re = -1;
            for (int d = 0; d <= lim && le < 0; d++)
                for (int sgn = -1; sgn <= 1 && le < 0; sgn += 2) {
                    int x = f0 + sgn * d;
                    if (x >= 1 && x < w && B[x] - B[x - 1] > 0.7 && B[x + 1] - B[x] <= 0.7)
                        le = x;
                }
            for (int d = 0; d <= lim && re < 0; d++)
                for (int sgn = -1; sgn <= 1 && re < 0; sgn += 2) {
                    int x = f1 + sgn * d;
                    if (x >= 1 && x < w && B[x] - B[x - 1] <= 0.7 && B[x + 1] - B[x] > 0.7)
                        re = x;
                }
            if (le >= 0 && re >= 0 && fabs((re - le) - Wf) <= 0.03 * Wf)
                bx.x0 = le, bx.x1 = re, bx.good = 1;
            else if (le >= 0 && (re < 0 || fabs((le + Wf) - f1) <= fabs((re - Wf) - f0)))
                bx.x0 = le, bx.x1 = le + Wf, bx.good = 1; /* one edge seen: the other by the size */
            else if (re >= 0)
                bx.x1 = re, bx.x0 = re - Wf, bx.good = 1;
            L->f[n++] = bx;
        }
    }
    free(B);
    free(C);
    /* each strip's frames one height, Hf: a strip whose band came out short
     * (frames dark along one edge) or tall is placed where a window of Hf
     * rows holds the most content of its frames */
    {
        double *r = calloc((size_t)h, sizeof *r);
        if (!r) {
            layout_nomem(L);
            free(cand);
            goto out;
        }
        int Hl = (int)lround(Hf);
        for (int i = 0; r && i < n;) {
            int j = i;
            while (j < n && L->f[j].strip == L->f[i].strip)
                j++;
            int ya = (int)L->f[i].y0, yb = (int)L->f[i].y1;
            int lo = (ya < yb - Hl ? ya : yb - Hl) - Hl / 10, hi = (ya > yb - Hl ? ya : yb - Hl) + Hl / 10;
            if (lo < 0)
                lo = 0;
            if (hi + Hl > h)
                hi = h - Hl;
            /* within the film area and off the neighbouring strips' rows:
             * a band short on one side (its frames light along that edge)
             * would slide the window onto the next strip's frames or the
             * holder or paper beyond the film */
            int flo = i > 0 && L->f[i - 1].y1 > y0 ? (int)L->f[i - 1].y1 : y0;
            int fhi = j < n && L->f[j].y0 < y1 ? (int)L->f[j].y0 : y1;
            int clo = flo > lo ? flo : lo, chi = fhi - Hl < hi ? fhi - Hl : hi;
            if (chi >= clo)
                lo = clo, hi = chi;
            if (hi >= lo && abs((yb - ya) - Hl) > Hl / 50) {
                for (int y = lo; y < hi + Hl; y++) {
                    double sum = 0, cnt = 0;
                    for (int k = i; k < j; k++)
                        for (int x = (int)L->f[k].x0 + 2; x < (int)L->f[k].x1 - 2; x++)
                            if (x >= 0 && x < w)
                                sum += 1 - m[(size_t)y * (size_t)w + (size_t)x], cnt++;
                    r[y] = cnt ? sum / cnt : 0;
                }
                double acc = 0, best = -1;
                int by = ya;
                for (int y = lo; y < lo + Hl; y++)
                    acc += r[y];
                for (int y0w = lo; y0w <= hi; y0w++) {
                    double centre = fabs(y0w + Hl / 2.0 - (ya + yb) / 2.0);
                    if (acc > best + 1e-9 ||
                        (fabs(acc - best) <= 1e-9 && centre < fabs(by + Hl / 2.0 - (ya + yb) / 2.0)))
                        best = acc, by = y0w;
                    if (y0w + Hl < h)
                        acc += r[y0w + Hl] - r[y0w];
                }
                for (int k = i; k < j; k++)
                    L->f[k].y0 = by, L->f[k].y1 = by + Hl;
            }
            i = j;
        }
        free(r);
    }
    /* each frame's top and bottom, refined where its own columns say so */
    for (int i = 0; i < n; i++) {
        box *b = &L->f[i];
        int fx0 = (int)b->x0 + 2, fx1 = (int)b->x1 - 2;
        if (fx0 < 0)
            fx0 = 0;
        if (fx1 > w)
            fx1 = w;
        int band = (int)(b->y1 - b->y0), lim = (int)(0.06 * band) + 1;
        double ny0 = b->y0, ny1 = b->y1;
        for (int side = 0; side < 2 && fx1 > fx0; side++) {
            int edge = side == 0 ? (int)b->y0 : (int)b->y1, best = edge, bestd = lim + 1;
            for (int d = -lim; d <= lim; d++) {
                int y = edge + d; /* the edge lies between rows y-1 and y */
                if (y < 1 || y >= h)
                    continue;
                double above = 1 - base_frac(m, w, fx0, y - 1, fx1, y);
                double below = 1 - base_frac(m, w, fx0, y, fx1, y + 1);
                int is_edge = side == 0 ? (above < 0.5 && below >= 0.5) : (above >= 0.5 && below < 0.5);
                if (is_edge && abs(d) < bestd)
                    best = y, bestd = abs(d);
            }
            if (side == 0)
                ny0 = best;
            else
                ny1 = best;
        }
        /* one height per sheet: an edge that moved the height off it was content */
        if (fabs((ny1 - ny0) - Hf) <= 0.03 * Hf)
            b->y0 = ny0, b->y1 = ny1;
    }
    /* only frames on film: a place of the grid past a strip's end is paper,
     * and a place that is blank (paper beside a short strip, the holder) */
    {
        int k = 0;
        for (int i = 0; i < n; i++) {
            const box *b = &L->f[i];
            int bx0 = (int)b->x0 < 0 ? 0 : (int)b->x0, bx1 = (int)b->x1 > w ? w : (int)b->x1;
            int by0 = (int)b->y0 < 0 ? 0 : (int)b->y0, by1 = (int)b->y1 > h ? h : (int)b->y1;
            int ix = (bx1 - bx0) / 8, iy = (by1 - by0) / 8;
            if (on_film(m0, w, h, b, Hf) && !is_blank(g, w, bx0 + ix, by0 + iy, bx1 - ix, by1 - iy))
                L->f[k++] = *b;
        }
        n = k;
    }
    L->n = n;
    L->strips = strips;

    /* ---- the checks: only a sheet passes them --------------------------- */
    int good = 0, gaps = 0, pure_gaps = 0;
    double area = 0, content = 0;
    for (int i = 0; i < n; i++) {
        box *b = &L->f[i];
        good += b->good;
        area += (b->x1 - b->x0) * (b->y1 - b->y0);
        content += 1 - base_frac(m0, w, (int)b->x0, (int)b->y0, (int)b->x1, (int)b->y1);
        if (i + 1 < n && L->f[i + 1].strip == b->strip) {
            box *c = &L->f[i + 1];
            int g0 = (int)b->x1, g1 = (int)c->x0;
            if (g1 - g0 > 0.3 * Wf)
                continue; /* a missing frame, not a gap */
            gaps++;
            int gy0 = (int)(b->y0 + (b->y1 - b->y0) * 0.05), gy1 = (int)(b->y1 - (b->y1 - b->y0) * 0.05);
            if (g1 - g0 >= 1 && base_frac(m0, w, g0, gy0, g1, gy1) >= 0.85)
                pure_gaps++;
        }
    }
    double aspect = Wf / Hf;
    /* frames whose tones are mostly the base's may be light negatives (their
     * scenes' shadows as clear as the base): the picture counted by texture,
     * when the frames have a film's shape and most gaps are flat film base */
    if (n > 0 && content / n < 0.5 && film_format(aspect, 0.06) && 2 * flat_gaps(L->f, n, m0, g, w, Wf) >= gaps) {
        content = 0;
        for (int i = 0; i < n; i++) {
            const box *b = &L->f[i];
            content += textured_content(m0, g, w, h, (int)b->x0, (int)b->y0, (int)b->x1, (int)b->y1, tcell);
        }
    }
    L->score = n + (double)pure_gaps;
    const int min_frames = mode == SHEET_FORCE ? 1 : 4;
    if (n < min_frames)
        snprintf(L->why, sizeof L->why, "%d frames found, a sheet has at least %d", n, min_frames);
    else if (mode == SHEET_FORCE)
        L->why[0] = '\0';
    else if (aspect < 0.6 || aspect > 1.8)
        snprintf(L->why, sizeof L->why, "frames of aspect %.2f are no film format", aspect);
    else if (good < 0.3 * n)
        snprintf(L->why, sizeof L->why, "only %d of %d frames have the common size", good, n);
    else if (gaps < 0.7 * (n - strips) || pure_gaps < 0.8 * gaps || gaps == 0)
        snprintf(L->why, sizeof L->why, "%d of %d gaps between frames are clean film base (want %d)", pure_gaps, gaps,
                 n - strips);
    else if (area < 0.35 * fw * fh)
        snprintf(L->why, sizeof L->why, "frames cover %.0f%% of the film area", 100 * area / (fw * fh));
    else if (content / n < 0.5)
        snprintf(L->why, sizeof L->why, "the frames are mostly film base");
    else
        L->why[0] = '\0';
    if (L->why[0])
        L->n = 0;
    else
        for (int i = 0; i < n; i++)
            L->f[i].strip = L->f[i].strip; /* strips already numbered in order */
    /* one frame height: a strip's band may come out short (its frames dark
     * along an edge: the strip was placed at Hf where its content is), and
     * then the rows just outside the placed frames must be film base on both
     * sides, as a strip's rebates are; a band taller than a frame is no strip */
    for (int st = 0; st < strips && L->n && mode != SHEET_FORCE; st++) {
        double band = -1;
        for (int i = 0; i < nc && band < 0; i++)
            if (cand[i].strip == st)
                band = cand[i].y1 - cand[i].y0;
        double d = (band - Hf) / Hf, above = 0, below = 0;
        int nf = 0, r0 = (int)(0.02 * Hf) + 1, r1 = (int)(0.08 * Hf) + 2;
        for (int i = 0; i < L->n; i++) {
            const box *b = &L->f[i];
            if (b->strip != st)
                continue;
            int xa = b->x0 < 0 ? 0 : (int)b->x0, xb = b->x1 > w ? w : (int)b->x1;
            int ya0 = (int)b->y0 - r1, yb1 = (int)b->y1 + r1;
            above += ya0 >= 0 ? base_frac(m0, w, xa, ya0, xb, (int)b->y0 - r0) : 0;
            below += yb1 <= h ? base_frac(m0, w, xa, (int)b->y1 + r0, xb, yb1) : 0;
            nf++;
        }
        if (nf == 0)
            continue;
        int rebates = above / nf >= 0.5 && below / nf >= 0.5;
        if (band >= 0 && (d > 0.12 || (d < -0.12 && !rebates))) {
            snprintf(L->why, sizeof L->why, "strips of different heights (%.0f vs %.0f)", band, Hf);
            L->n = 0;
        }
    }
    free(cand);
out:
    free(mp);
    free(rowb), free(colb), free(prof), free(bands), free(runs), free(tmp);
}

static uint8_t *transpose(const uint8_t *m, int w, int h)
{
    uint8_t *t = malloc((size_t)w * (size_t)h);
    if (!t)
        return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            t[(size_t)x * (size_t)h + (size_t)y] = m[(size_t)y * (size_t)w + (size_t)x];
    return t;
}

/* One polarity: grey g with the film base dark. Fills *res when it finds a
 * sheet better than res's current one. */
static int try_polarity(const plane *g, sheet_mode mode, int negative, double scale, sheet_result *res,
                        double *best_score, err *e)
{
    int sheet_shortcuts = atomic_load(&shortcuts_on);
    size_t n = (size_t)g->w * (size_t)g->h;
    /* the base is a dark peak of the histogram: the darkest one, or a
     * lighter one beside it when the darkest is the black surround of a
     * contact print (paper exposed through no film is darker than film
     * base); holes and the surround count as base too */
    size_t hist[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        hist[g->p[i]]++;
    double sm[256];
    for (int v = 0; v < 256; v++) {
        sm[v] = 0;
        for (int k = v - 3; k <= v + 3; k++)
            sm[v] += k >= 0 && k < 256 ? (double)hist[k] : 0;
    }
    int p40 = percentile(g->p, n, 0.4), p75 = percentile(g->p, n, 0.75), peak = 0;
    double peakv = -1;
    for (int v = 0; v <= p40; v++)
        if (sm[v] > peakv)
            peakv = sm[v], peak = v;
    int darkest = peak;
    for (int v = darkest + 6; v <= p75 && v <= darkest + 30 && v < 253; v++) {
        if (sm[v] < 0.12 * peakv || sm[v] < sm[v - 1] || sm[v] < sm[v + 1])
            continue;
        double valley = sm[v];
        for (int k = darkest; k < v; k++)
            if (sm[k] < valley)
                valley = sm[k];
        if (valley <= 0.85 * sm[v])
            peak = v; /* the lightest such peak */
    }
    /* the peak's half width at half height (about 1.2 sigma of the grain) */
    double half = 0;
    for (int k = peak - 1; k <= peak + 1; k++)
        half += k >= 0 && k < 256 ? (double)hist[k] : 0;
    half /= 6;
    int hw = 1;
    while (peak + hw < 255 && (double)hist[peak + hw] > half)
        hw++;
    int thr = peak + (int)(2.8 * hw);
    if (thr < peak + 12)
        thr = peak + 12;
    if (thr > peak + 40)
        thr = peak + 40;
    uint8_t *mask = malloc(n);
    if (!mask)
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    size_t nbase = 0;
    for (size_t i = 0; i < n; i++)
        nbase += mask[i] = g->p[i] <= thr;
    double frac = (double)nbase / (double)n;
    if (mode != SHEET_FORCE && (frac < 0.08 || frac > 0.9)) {
        if (res->nframes == 0)
            snprintf(res->why, sizeof res->why, "film base (%s) covers %.0f%% of the scan",
                     negative ? "bright" : "dark", frac * 100);
        free(mask);
        return 0;
    }
    double a = 0;
    plane d = { 0 };
    int fill = ring_median(g);
    if (find_skew(mask, g->w, g->h, !sheet_shortcuts, &a) != 0 || fill < 0 || deskew(g, a, (uint8_t)fill, &d) != 0) {
        free(mask);
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        mask[i] = d.p[i] <= thr;
    layout *L = malloc(sizeof *L);
    uint8_t *tm = transpose(mask, g->w, g->h), *td = transpose(d.p, g->w, g->h);
    if (!L || !tm || !td) {
        free(L), free(tm), free(td), free(mask), free(d.p);
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    }
    double ca = cos(a * PI / 180), sa = sin(a * PI / 180), cx = g->w / 2.0, cy = g->h / 2.0;
    /* per direction, each reading run: the bits of `how` it read, whether it
     * passed, why not */
    int ran[2][4] = { { 0 } }, read[2][4], passed[2][4];
    char *whys = malloc(8 * sizeof L->why); /* [vert][how] */
    if (!whys) {
        free(L), free(tm), free(td), free(mask), free(d.p);
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    }
    for (int k = 0; k < 8; k++) {
        int vert = k & 1, how = k >> 1, same = -1;
        /* a reading that differs from one already run only in bits of `how`
         * that one never read is that one again: its layout did not beat the
         * best then and cannot now; a failure leaves its reason */
        for (int j = 0; j < how && sheet_shortcuts && same < 0; j++)
            if (ran[vert][j] && ((how ^ j) & read[vert][j]) == 0)
                same = j;
        if (same >= 0) {
            const char *why = whys + (4 * vert + same) * sizeof L->why;
            if (!passed[vert][same] && res->nframes == 0 && why[0])
                snprintf(res->why, sizeof res->why, "%s", why);
            continue;
        }
        if (vert)
            layout_find(tm, td, g->h, g->w, mode, how, L);
        else
            layout_find(mask, d.p, g->w, g->h, mode, how, L);
        if (L->nomem) {
            free(whys), free(L), free(tm), free(td), free(mask), free(d.p);
            return err_set(e, ERR_NOMEM, "sheet: out of memory");
        }
        ran[vert][how] = 1, read[vert][how] = L->how_read, passed[vert][how] = L->n > 0;
        memcpy(whys + (4 * vert + how) * sizeof L->why, L->why, sizeof L->why);
        if (L->n == 0) {
            if (res->nframes == 0 && L->why[0])
                snprintf(res->why, sizeof res->why, "%s", L->why);
            continue;
        }
        if (L->score <= *best_score)
            continue;
        *best_score = L->score;
        res->nframes = L->n;
        res->angle = a;
        res->negative = negative;
        res->vertical = vert;
        res->strips = L->strips;
        res->why[0] = '\0';
        for (int i = 0; i < L->n; i++) {
            const box *b = &L->f[i];
            double u0 = vert ? b->y0 : b->x0, u1 = vert ? b->y1 : b->x1;
            double v0 = vert ? b->x0 : b->y0, v1 = vert ? b->x1 : b->y1;
            double uc = (u0 + u1) / 2 - cx, vc = (v0 + v1) / 2 - cy;
            sheet_frame *f = &res->frames[i];
            f->no = i + 1;
            f->strip = b->strip;
            f->cx = (cx + uc * ca + vc * sa) * scale;
            f->cy = (cy - uc * sa + vc * ca) * scale;
            f->w = (u1 - u0) * scale;
            f->h = (v1 - v0) * scale;
            f->angle = a;
        }
    }
    free(whys), free(L), free(tm), free(td), free(mask), free(d.p);
    return 0;
}

int sheet_detect_grey(const uint8_t *grey, int width, int height, sheet_mode mode, sheet_result *out, err *e)
{
    memset(out, 0, sizeof *out);
    if (!grey || width < 16 || height < 16)
        return err_set(e, ERR_INVALID, "sheet: image of %dx%d is too small", width, height);
    if (mode == SHEET_OFF) {
        snprintf(out->why, sizeof out->why, "sheet detection is off");
        return 0;
    }
    /* a thumbnail is no sheet; a film strip is long and narrow (a 35 mm
     * strip of six frames is 5.5 times as long as wide, a 120 strip of
     * three 2.8 times), and a scan of one comes to the detector at most
     * SHEET_WORK_EDGE long */
    int shorter = width < height ? width : height, longer = width + height - shorter;
    if (mode != SHEET_FORCE && shorter < 300 && (shorter < 160 || longer < 2.5 * shorter)) {
        snprintf(out->why, sizeof out->why, "too small for a sheet of frames");
        return 0;
    }
    int longest = width > height ? width : height;
    int f = (longest + SHEET_WORK_EDGE - 1) / SHEET_WORK_EDGE;
    plane g = { 0 }, inv = { 0 };
    if (plane_shrink(grey, width, height, f, &g) != 0)
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    size_t n = (size_t)g.w * (size_t)g.h;
    inv.w = g.w, inv.h = g.h;
    inv.p = malloc(n);
    if (!inv.p) {
        free(g.p);
        return err_set(e, ERR_NOMEM, "sheet: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        inv.p[i] = (uint8_t)(255 - g.p[i]);
    double best = -1;
    int rc = try_polarity(&g, mode, 0, f, out, &best, e);
    if (rc == 0)
        rc = try_polarity(&inv, mode, 1, f, out, &best, e);
    free(g.p), free(inv.p);
    if (rc)
        memset(out, 0, sizeof *out);
    if (rc == 0)
        sheet_continuity_check(grey, width, height, mode, out);
    if (out->nframes == 0 && !out->why[0])
        snprintf(out->why, sizeof out->why, "no sheet layout");
    return rc;
}
