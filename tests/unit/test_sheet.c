/* test_sheet — contact sheets are split into their frames, ordinary photos
 * never are (the fast floor of bench_sheet's measurement).
 *
 * Sheets made by sheetgen from group photos and faces-dev with the frame
 * boxes as truth: 35 mm 6x6 grey with a paper margin, 120 film 3x4 sepia and
 * vertical, a 35 mm scan of negatives, a single strip; each rotated by a few
 * degrees with grain and exposure faults. Floor: >= 98 % of the frames found
 * with IoU >= 0.9, no extra frame. Then ordinary photos (every group photo, a
 * sample of faces-dev; fewer under sanitizers) must come out as "not a
 * sheet"; the detector's shortcuts (sheet_set_shortcuts) change no result,
 * on sheets and on ordinary photos at full size; and the geometry helpers
 * on known cases. */
#include "testutil.h"

#include "media/image.h"
#include "media/sheet.h"
#include "sheetgen.h"
#include "sheetsweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static void test_geometry(void)
{
    sheet_frame a = { 1, 0, 50, 50, 40, 20, 0 }, b = a;
    CHECK(fabs(sheet_frame_iou(&a, &b) - 1) < 1e-9);
    b.cx += 20; /* half overlap: 400 / (800 + 800 - 400) */
    CHECK(fabs(sheet_frame_iou(&a, &b) - 1.0 / 3) < 1e-9);
    b = a;
    b.angle = 90; /* a cross: 20x20 common */
    CHECK(fabs(sheet_frame_iou(&a, &b) - 400.0 / 1200) < 1e-9);
    double xy[8];
    a.angle = 90;
    sheet_frame_corners(&a, xy); /* turned a quarter counter-clockwise: the top-left corner goes bottom-left */
    CHECK(fabs(xy[0] - 40) < 1e-9 && fabs(xy[1] - 70) < 1e-9);
    CHECK(sheet_mode_parse("auto") == SHEET_AUTO && sheet_mode_parse("force") == SHEET_FORCE &&
          sheet_mode_parse("off") == SHEET_OFF && sheet_mode_parse("yes") == -1);
}

static int detect_rgb(const uint8_t *rgb, int w, int h, sheet_mode mode, sheet_result *r)
{
    uint8_t *g = sheetgen_grey(rgb, w, h);
    err e;
    int rc = g ? sheet_detect_grey(g, w, h, mode, r, &e) : -1;
    free(g);
    return rc;
}

static void test_sheets(char **photos, int nphotos)
{
    const sheetgen_spec specs[] = {
        { .film = 35,
          .strips = 6,
          .per_strip = 6,
          .px_per_mm = 7,
          .angle = 2.3,
          .paper_margin = 1,
          .noise = 6,
          .seed = 1 },
        { .film = 120,
          .strips = 4,
          .per_strip = 3,
          .px_per_mm = 6,
          .angle = -2.8,
          .sepia = 1,
          .vertical = 1,
          .noise = 5,
          .seed = 2 },
        { .film = 35, .strips = 4, .per_strip = 6, .px_per_mm = 7, .angle = 1.2, .negative = 1, .noise = 6, .seed = 3 },
        { .film = 35, .strips = 1, .per_strip = 6, .px_per_mm = 9, .angle = -1.6, .sepia = 1, .noise = 7, .seed = 4 },
        /* a short last strip printed through a mask: white paper where its
         * film is not, which holds no frame */
        { .film = 35,
          .strips = 4,
          .per_strip = 6,
          .last_strip = 2,
          .px_per_mm = 7,
          .angle = -1.9,
          .paper_margin = 1,
          .noise = 6,
          .seed = 5 },
        /* 120 strips of 3 whose frames are dark along an edge: the bands of
         * frame rows come out short, the strips' rebates show the height */
        { .film = 120,
          .strips = 4,
          .per_strip = 3,
          .px_per_mm = 6,
          .angle = 0.31,
          .sepia = 1,
          .vertical = 1,
          .noise = 5,
          .seed = 149 },
    };
    int total = 0, found = 0, extra = 0;
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        sheetgen_sheet s;
        err e;
        int rc = sheetgen_make(&specs[k], (const char *const *)photos, nphotos, (int)k * 37, &s, &e);
        CHECK_MSG(rc == 0, "sheetgen: %s", e.msg);
        if (rc)
            continue;
        if (getenv("SHEET_DUMP")) {
            char out[256];
            snprintf(out, sizeof out, "%s/sheet%zu.jpg", getenv("SHEET_DUMP"), k);
            sheetgen_write_jpeg(out, s.rgb, s.width, s.height, 85, &e);
        }
        sheet_result *r = malloc(sizeof *r);
        rc = detect_rgb(s.rgb, s.width, s.height, SHEET_AUTO, r);
        CHECK(rc == 0);
        if (k == 1 || (k == 4 && !SANITIZED)) { /* the same without the shortcuts */
            sheet_result *plain = malloc(sizeof *plain);
            sheet_set_shortcuts(0);
            CHECK(detect_rgb(s.rgb, s.width, s.height, SHEET_AUTO, plain) == 0);
            sheet_set_shortcuts(1);
            CHECK_MSG(sheetgen_same_result(r, plain), "sheet %zu: %d frames with the shortcuts, %d without", k,
                      r->nframes, plain->nframes);
            free(plain);
        }
        double miou = 0;
        int hits = sheetgen_score(s.truth, s.nframes, r->frames, r->nframes, 0.9, &miou);
        printf("sheet %zu (%s %dx%d, %.1f deg%s): %d frames, %d of %d found (mean IoU %.3f), angle %.2f%s%s\n", k,
               specs[k].film == 35 ? "35mm" : "120", s.width, s.height, specs[k].angle,
               specs[k].negative ? ", negative" : "", r->nframes, hits, s.nframes, miou, r->angle,
               r->nframes ? "" : ", why: ", r->why);
        if (getenv("SHEET_DEBUG"))
            for (int i = 0; i < s.nframes; i++) {
                const sheet_frame *t = &s.truth[i];
                int best = 0;
                for (int j = 1; j < r->nframes; j++)
                    if (sheet_frame_iou(t, &r->frames[j]) > sheet_frame_iou(t, &r->frames[best]))
                        best = j;
                const sheet_frame *d = r->nframes ? &r->frames[best] : t;
                printf("  truth %d: %.0f,%.0f %.0fx%.0f  found %.0f,%.0f %.0fx%.0f  iou %.3f\n", t->no, t->cx, t->cy,
                       t->w, t->h, d->cx, d->cy, d->w, d->h, sheet_frame_iou(t, d));
            }
        CHECK_MSG(fabs(r->angle - specs[k].angle) < 0.3, "sheet %zu: angle %.2f, truth %.2f", k, r->angle,
                  specs[k].angle);
        CHECK(r->negative == specs[k].negative);
        total += s.nframes;
        found += hits;
        extra += r->nframes - hits;
        free(r);
        sheetgen_free(&s);
    }
    printf("generated sheets: %d of %d frames found with IoU >= 0.9, %d extra\n", found, total, extra);
    CHECK_MSG(found >= 0.98 * total, "%d of %d", found, total);
    CHECK(extra == 0);
}

/* The fast floor of bench_sheet --sweep (make check-full: 40 seeds of every
 * layout, docs/real-sheets.md): one seed of five layouts (35 mm 6x6 and
 * single strips are test_sheets' own; under sanitizers none), the sweep's floor per layout (>= 98 % of the frames) and no
 * extra box (a blank place is no frame: the box on the paper beside a short
 * last strip of 120 film, seeds 1004 and 1005, is gone); and two sheets (under sanitizers one) that were not split
 * before the splitter tried its other readings (layout_find's `how`): 120
 * film in a dark holder whose strips' bands broke on dark frames, and 120
 * with a short last strip; and (not under sanitizers) light negatives in a
 * holder. */
static void test_sweep(char **photos, int nphotos)
{
    sheetsweep sw = { 0 };
    err e;
    unsigned mask = (1u << SWEEP_LAYOUTS) - 1 - (1u << SWEEP_35_6X6) - (1u << SWEEP_35_STRIP);
    int rc = SANITIZED ? 0 : sheetsweep_run(mask, 1004, 1, 0, (const char *const *)photos, nphotos, &sw, stdout, 1, &e);
    CHECK_MSG(rc == 0, "sweep: %s", e.msg);
    rc = sheetsweep_one(SWEEP_NEG_HOLDER, 1007, 0, (const char *const *)photos, nphotos, &sw, stdout, 1, &e);
    CHECK_MSG(rc == 0, "sweep: %s", e.msg);
    if (!SANITIZED) {
        rc = sheetsweep_one(SWEEP_120_SHORT, 1005, 0, (const char *const *)photos, nphotos, &sw, stdout, 1, &e);
        CHECK_MSG(rc == 0, "sweep: %s", e.msg);
        /* light negatives in a holder: half of each frame as clear as the
         * base, the bands short on one side (not split before the frames'
         * texture counted and the strips' windows stayed on the film) */
        rc = sheetsweep_one(SWEEP_NEG_HOLDER, 1018, 0, (const char *const *)photos, nphotos, &sw, stdout, 1, &e);
        CHECK_MSG(rc == 0, "sweep: %s", e.msg);
    }
    sheetsweep_print(&sw, stdout);
    for (int l = 0; l < SWEEP_LAYOUTS; l++) {
        const sheetsweep_row *r = &sw.row[l];
        if (!r->sheets)
            continue;
        CHECK_MSG(r->found >= 0.98 * r->frames, "%s: %d of %d frames", sheetsweep_name((sheetsweep_layout)l), r->found,
                  r->frames);
        CHECK_MSG(r->extra == 0, "%s: %d extra boxes", sheetsweep_name((sheetsweep_layout)l), r->extra);
    }
}

static void test_ordinary(const char *dir, int stride, int *tried, int *split)
{
    char **paths;
    int n;
    sheetgen_list_images(dir, &paths, &n);
    CHECK_MSG(n > 0, "no photos under %s", dir);
    for (int i = 0; i < n; i += stride) {
        /* as ingest sees it, at most the detector's size (shrink-on-load) */
        VipsImage *im = NULL;
        if (vips_thumbnail(paths[i], &im, SHEET_WORK_EDGE, "size", VIPS_SIZE_DOWN, NULL) != 0)
            im = NULL;
        CHECK_MSG(im != NULL, "%s", paths[i]);
        if (!im)
            continue;
        sheet_result *r = malloc(sizeof *r);
        err e;
        int rc = sheet_detect_image(im, SHEET_AUTO, r, &e);
        CHECK_MSG(rc == 0, "%s: %s", paths[i], e.msg);
        CHECK_MSG(r->nframes == 0, "%s split into %d frames", paths[i], r->nframes);
        (*tried)++;
        *split += r->nframes > 0;
        free(r);
        g_object_unref(im);
    }
    sheetgen_list_free(paths, n);
}

/* Ordinary photos at full size (the finder's work edge, as a camera's photo
 * reaches it): the shortcuts change nothing there either (each reading of
 * the layout runs deep on them, unlike on the small photos above). */
static void test_shortcuts_ordinary(const char *dir, int count)
{
    char **paths;
    int n;
    sheetgen_list_images(dir, &paths, &n);
    for (int i = 0; i < n && i < count * 7; i += 7) {
        VipsImage *th = NULL, *im = NULL; /* in memory: read twice */
        if (vips_thumbnail(paths[i], &th, SHEET_WORK_EDGE, "size", VIPS_SIZE_BOTH, "height", SHEET_WORK_EDGE, NULL) ==
            0)
            im = vips_image_copy_memory(th);
        if (th)
            g_object_unref(th);
        CHECK_MSG(im != NULL, "%s", paths[i]);
        if (!im)
            continue;
        sheet_result *fast = malloc(sizeof *fast), *plain = malloc(sizeof *plain);
        err e;
        CHECK(sheet_detect_image(im, SHEET_AUTO, fast, &e) == 0);
        sheet_set_shortcuts(0);
        CHECK(sheet_detect_image(im, SHEET_AUTO, plain, &e) == 0);
        sheet_set_shortcuts(1);
        CHECK_MSG(sheetgen_same_result(fast, plain), "%s (%dx%d): \"%s\" with the shortcuts, \"%s\" without", paths[i],
                  im->Xsize, im->Ysize, fast->why, plain->why);
        free(fast), free(plain);
        g_object_unref(im);
    }
    sheetgen_list_free(paths, n);
}

int main(void)
{
    err e;
    if (image_init("test_sheet", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    test_geometry();
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("skipped: no shared/ data for the generated sheets\n");
        return test_main_end();
    }
    char groups[4096], dev[4096];
    snprintf(groups, sizeof groups, "%s/data/group-photos", shared);
    snprintf(dev, sizeof dev, "%s/data/faces-dev", shared);
    char **photos;
    int nphotos;
    sheetgen_list_images(groups, &photos, &nphotos);
    test_sheets(photos, nphotos);
    sheetgen_list_free(photos, nphotos);
    /* the sweep's photos: every group photo and every 10th of faces-dev, as bench_sheet */
    char **gp, **dp;
    int ng, nd;
    sheetgen_list_images(groups, &gp, &ng);
    sheetgen_list_images(dev, &dp, &nd);
    char **mixed = malloc(sizeof *mixed * (size_t)(ng + nd));
    int nm = 0;
    for (int i = 0, j = 0; mixed && (i < ng || j < nd); i++, j += 10) {
        if (i < ng)
            mixed[nm++] = gp[i];
        if (j < nd)
            mixed[nm++] = dp[j];
    }
    if (mixed)
        test_sweep(mixed, nm);
    free(mixed);
    sheetgen_list_free(gp, ng);
    sheetgen_list_free(dp, nd);
    int tried = 0, split = 0;
    test_ordinary(groups, SANITIZED ? 6 : 1, &tried, &split);
    test_ordinary(dev, SANITIZED ? 200 : 20, &tried, &split);
    printf("ordinary photos: %d of %d split\n", split, tried);
    test_shortcuts_ordinary(groups, SANITIZED ? 1 : 3);
    return test_main_end();
}
