/* bench_sheet_grid — ordinary photos seen through a grid, and contact
 * sheets of bursts of one scene: what the contact-sheet finder makes of
 * each with the continuity check (media/sheet_continuity.h) and without it,
 * in one run, and the check's two measures, to show the margin.
 *
 *   bench_sheet_grid [--stride N] [--check] [--verbose]
 *
 * windows: every Nth group photo (default every one) behind four windows —
 *   grey 5x4 panes (bars 2 % of the longer side, grey 30), grey 4x3 (1.5 %,
 *   20), colour 3x3 (3 %, 45), colour 6x4 (1 %, 12) — at 1600 px, JPEG q90
 *   (tests/unit/gridgen.c). Split before / after; for those split before,
 *   the measures (one scene when `same` < 0.85 and `within` < 1.3).
 * bursts: sheets whose every strip is one scene: the frames of a strip are
 *   crops of one group photo, the same crop (a still scene), or shifted 3 %
 *   or 8 % of the photo's width from frame to frame (a camera following the
 *   scene); layouts 35 mm 6x6, 35 mm 1-2 strips, 120 3x4 and 120 4x3 with
 *   the seeded angle, polarity, tint and grain of the sweep
 *   (tests/unit/sheetsweep.c). Frames found (IoU >= 0.9) before / after.
 * --check: exit 1 unless no burst frame is lost and at least 85 % of the
 * window photos split before are not split after.
 *
 * The photos are faces' photos (data/group-photos): people in a row, their
 * heads at one height in every frame of a burst, as on a stage. */
#include "../tests/unit/gridgen.h"
#include "../tests/unit/sheetgen.h"
#include "../tests/unit/sheetsweep.h"
#include "media/sheet.h"
#include "media/sheet_continuity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

static const char *shared_dir(void)
{
    const char *s = getenv("FACETAG_SHARED");
    return s ? s : "../shared";
}

/* The image as the finder sees it: grey, at most SHEET_WORK_EDGE. */
static uint8_t *grey_of(VipsImage *in, int *w, int *h, double *scale)
{
    int longest = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
    *scale = longest > SHEET_WORK_EDGE ? (double)SHEET_WORK_EDGE / longest : 1.0;
    VipsImage *s = NULL, *g = NULL, *b = NULL, *u = NULL;
    if (*scale < 1 ? vips_resize(in, &s, *scale, "kernel", VIPS_KERNEL_LINEAR, NULL) : vips_copy(in, &s, NULL))
        return NULL;
    int rc = vips_colourspace(s, &g, VIPS_INTERPRETATION_B_W, NULL);
    g_object_unref(s);
    if (rc)
        return NULL;
    rc = vips_extract_band(g, &b, 0, NULL);
    g_object_unref(g);
    if (rc)
        return NULL;
    rc = vips_cast_uchar(b, &u, NULL);
    g_object_unref(b);
    if (rc)
        return NULL;
    size_t len = 0;
    uint8_t *p = vips_image_write_to_memory(u, &len);
    *w = u->Xsize, *h = u->Ysize;
    g_object_unref(u);
    *scale = (double)in->Xsize / *w;
    return p;
}

/* Detects with the check on and off; the measures of the result without it. */
typedef struct verdict {
    sheet_result before, after;
    sheet_continuity c;
} verdict;

static int judge(VipsImage *in, verdict *v, err *e)
{
    int w, h;
    double scale;
    uint8_t *g = grey_of(in, &w, &h, &scale);
    if (!g)
        return err_set(e, ERR_FORMAT, "grey: %s", vips_error_buffer());
    sheet_continuity_set(0);
    int rc = sheet_detect_grey(g, w, h, SHEET_AUTO, &v->before, e);
    sheet_continuity_set(1);
    if (rc == 0)
        rc = sheet_detect_grey(g, w, h, SHEET_AUTO, &v->after, e);
    if (rc == 0)
        sheet_continuity_measure(g, w, h, &v->before, &v->c);
    g_free(g);
    for (int k = 0; k < 2 && rc == 0; k++) {
        sheet_result *r = k ? &v->after : &v->before;
        for (int i = 0; i < r->nframes; i++) {
            r->frames[i].cx *= scale, r->frames[i].cy *= scale;
            r->frames[i].w *= scale, r->frames[i].h *= scale;
        }
    }
    return rc;
}

typedef struct spread {
    int n;
    double v[1024];
} spread;

static void spread_add(spread *s, double x)
{
    if (s->n < 1024)
        s->v[s->n++] = x;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void spread_print(const char *what, spread *s)
{
    if (!s->n) {
        printf("  %s: none\n", what);
        return;
    }
    qsort(s->v, (size_t)s->n, sizeof s->v[0], cmp_d);
    printf("  %s (%d): min %.3f, q10 %.3f, median %.3f, q90 %.3f, max %.3f\n", what, s->n, s->v[0], s->v[s->n / 10],
           s->v[s->n / 2], s->v[s->n * 9 / 10], s->v[s->n - 1]);
}

int main(int argc, char **argv)
{
    if (VIPS_INIT(argv[0]))
        return 1;
    int stride = 1, check = 0, verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            stride = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (!strcmp(argv[i], "--verbose"))
            verbose = 1;
        else {
            fprintf(stderr, "usage: bench_sheet_grid [--stride N] [--check] [--verbose]\n");
            return 2;
        }
    }
    if (stride < 1)
        stride = 1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/group-photos", shared_dir());
    char **photos = NULL;
    int nphotos = 0;
    sheetgen_list_images(dir, &photos, &nphotos);
    if (nphotos < 6) {
        fprintf(stderr, "bench_sheet_grid: no group photos under %s\n", dir);
        return 1;
    }
    err e;
    verdict *v = malloc(sizeof *v);
    if (!v)
        return 1;

    /* windows */
    static const struct {
        const char *name;
        int cols, rows;
        double bar;
        int tone, grey;
    } win[] = { { "grey 5x4", 5, 4, 0.02, 30, 1 },
                { "grey 4x3", 4, 3, 0.015, 20, 1 },
                { "colour 3x3", 3, 3, 0.03, 45, 0 },
                { "colour 6x4", 6, 4, 0.01, 12, 0 } };
    int nwin = (int)(sizeof win / sizeof win[0]), photos_seen = 0, split_before = 0, split_after = 0;
    spread wsame = { 0 }, wwithin = { 0 };
    printf("windows over every %d. group photo:\n", stride);
    for (int p = 0; p < nphotos; p += stride)
        for (int k = 0; k < nwin; k++) {
            VipsImage *im = NULL;
            if (gridgen_window(photos[p], 1600, win[k].cols, win[k].rows, win[k].bar, win[k].tone, win[k].grey, &im,
                               &e) ||
                judge(im, v, &e)) {
                fprintf(stderr, "bench_sheet_grid: %s\n", e.msg);
                if (im)
                    g_object_unref(im);
                return 1;
            }
            g_object_unref(im);
            photos_seen++;
            split_before += v->before.nframes > 0;
            split_after += v->after.nframes > 0;
            if (v->before.nframes > 0) {
                spread_add(&wsame, v->c.same);
                spread_add(&wwithin, v->c.within);
            }
            if (verbose && v->before.nframes > 0)
                printf("  %s, %s: %d frames before, %d after; same %.3f within %.3f (%d of %d pairs run on)\n",
                       strrchr(photos[p], '/') + 1, win[k].name, v->before.nframes, v->after.nframes, v->c.same,
                       v->c.within, v->c.runs_on, v->c.pairs);
        }
    printf("  %d photos: split before %d, after %d\n", photos_seen, split_before, split_after);
    spread_print("same, of those split before", &wsame);
    spread_print("within, of those split before", &wwithin);

    /* bursts */
    char tmpl[] = "/tmp/bench_sheet_grid-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
    }
    static const struct {
        const char *name;
        double frac, shift;
    } kind[] = { { "still", 0.9, 0.0 }, { "shift 3 %", 0.8, 0.03 }, { "shift 8 %", 0.6, 0.08 } };
    static const sheetsweep_layout lay[] = { SWEEP_35_6X6, SWEEP_35_STRIP, SWEEP_120_3X4, SWEEP_120_4X3 };
    int frames = 0, found_before = 0, found_after = 0, sheets = 0, lost_sheets = 0;
    spread bsame = { 0 }, bwithin = { 0 };
    printf("bursts of one scene per strip:\n");
    for (int q = 0; q < 3; q++)
        for (int l = 0; l < 4; l++)
            for (unsigned seed = 0; seed < 3; seed++) {
                sheetgen_spec sp;
                sheetsweep_spec(lay[l], 3000 + seed, 0, &sp);
                /* strip s is photo (seed * 7 + s * 5 + q) % n, each frame of it one crop */
                int nstrip = sp.strips, per = sp.per_strip, n = nstrip * per;
                char **paths = calloc((size_t)n, sizeof *paths);
                if (!paths)
                    return 1;
                for (int s = 0; s < nstrip; s++) {
                    int ph = (int)((seed * 7 + (unsigned)s * 5 + (unsigned)q * 11) % (unsigned)nphotos);
                    char tag[32];
                    snprintf(tag, sizeof tag, "%d", s);
                    if (gridgen_burst(photos[ph], tmpl, tag, per, kind[q].frac, kind[q].shift, paths + s * per, &e)) {
                        fprintf(stderr, "bench_sheet_grid: %s\n", e.msg);
                        return 1;
                    }
                }
                sheetgen_sheet sh;
                if (sheetgen_make(&sp, (const char *const *)paths, n, 0, &sh, &e)) {
                    fprintf(stderr, "bench_sheet_grid: %s\n", e.msg);
                    return 1;
                }
                for (int i = 0; i < n; i++) {
                    unlink(paths[i]);
                    free(paths[i]);
                }
                free(paths);
                VipsImage *raw = vips_image_new_from_memory(sh.rgb, (size_t)sh.width * sh.height * 3, sh.width,
                                                            sh.height, 3, VIPS_FORMAT_UCHAR);
                void *jpg = NULL;
                size_t jlen = 0;
                VipsImage *scan = NULL;
                if (!raw || vips_jpegsave_buffer(raw, &jpg, &jlen, "Q", 85, NULL) ||
                    !(scan = vips_image_new_from_buffer(jpg, jlen, "", NULL)) || judge(scan, v, &e)) {
                    fprintf(stderr, "bench_sheet_grid: burst sheet: %s %s\n", vips_error_buffer(), e.msg);
                    return 1;
                }
                g_object_unref(scan);
                g_object_unref(raw);
                g_free(jpg);
                double miou;
                int hb = sheetgen_score(sh.truth, sh.nframes, v->before.frames, v->before.nframes, 0.9, &miou);
                int ha = sheetgen_score(sh.truth, sh.nframes, v->after.frames, v->after.nframes, 0.9, &miou);
                sheets++;
                frames += sh.nframes, found_before += hb, found_after += ha;
                lost_sheets += ha < hb;
                if (v->before.nframes > 0) {
                    spread_add(&bsame, v->c.same);
                    spread_add(&bwithin, v->c.within);
                }
                if (verbose || ha < hb) {
                    char d[256];
                    sheetsweep_describe(&sp, d, sizeof d);
                    printf("  %s, %s: %d of %d frames before, %d after; same %.3f within %.3f (%d pairs)%s%s\n",
                           kind[q].name, d, hb, sh.nframes, ha, v->c.same, v->c.within, v->c.pairs,
                           ha < hb ? "; after: " : "", ha < hb ? v->after.why : "");
                }
                sheetgen_free(&sh);
            }
    rmdir(tmpl);
    printf("  %d sheets: frames found before %d of %d, after %d; sheets that lost frames: %d\n", sheets, found_before,
           frames, found_after, lost_sheets);
    spread_print("same, of those split before", &bsame);
    spread_print("within, of those split before", &bwithin);
    free(v);
    sheetgen_list_free(photos, nphotos);
    int fail = check && (found_after < found_before || split_after * 100 > split_before * 15);
    if (check)
        printf("check: %s\n", fail ? "FAILED" : "passed");
    return fail;
}
