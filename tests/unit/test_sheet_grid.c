/* test_sheet_grid — an ordinary photo seen through a window is not split as
 * a contact sheet; a sheet of bursts of one scene still is (issue 13: "an
 * ordinary photo is never split"; media/sheet_continuity.h).
 *
 *   - a group photo behind a grey sash window of 5x4 panes, and another
 *     behind a colour one of 6x4 (tests/unit/gridgen.c, from shared/data):
 *     without the continuity check the finder splits each into its panes
 *     (so the input is a real temptation); with it, neither is split and the
 *     reason says why; --sheets force still splits (the user's word);
 *   - a single 35 mm strip whose six frames are one scene, shifted 3 % from
 *     frame to frame, and a 120 sheet whose strips are each one still scene:
 *     every frame found (IoU >= 0.9) with the check, as without it. */
#include "testutil.h"

#include "gridgen.h"
#include "media/image.h"
#include "media/sheet.h"
#include "media/sheet_continuity.h"
#include "sheetgen.h"
#include "sheetsweep.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

static void test_window(const char *photo, int cols, int rows, double bar, int tone, int grey)
{
    err e;
    VipsImage *im = NULL;
    int rc = gridgen_window(photo, 1600, cols, rows, bar, tone, grey, &im, &e);
    CHECK_MSG(rc == 0, "%s", rc ? e.msg : "");
    if (rc)
        return;
    sheet_result *r = malloc(sizeof *r);
    sheet_continuity_set(0);
    CHECK(sheet_detect_image(im, SHEET_AUTO, r, &e) == 0);
    CHECK_MSG(r->nframes >= cols * rows / 2, "%s behind %dx%d panes: %d frames without the check (%s)", photo, cols,
              rows, r->nframes, r->why);
    sheet_continuity_set(1);
    CHECK(sheet_detect_image(im, SHEET_AUTO, r, &e) == 0);
    CHECK_MSG(r->nframes == 0 && strstr(r->why, "one scene seen through a grid"),
              "%s behind %dx%d panes: %d frames (%s)", photo, cols, rows, r->nframes, r->why);
    CHECK(sheet_detect_image(im, SHEET_FORCE, r, &e) == 0);
    CHECK_MSG(r->nframes > 0, "forced: %d frames", r->nframes);
    free(r);
    g_object_unref(im);
}

/* A sheet of layout l (seed) whose strips are each a burst of one photo. */
static void test_burst(const char *const *photos, int nphotos, sheetsweep_layout l, unsigned seed, double frac,
                       double shift)
{
    err e;
    sheetgen_spec sp;
    sheetsweep_spec(l, seed, 0, &sp);
    int n = sp.strips * sp.per_strip;
    char **paths = calloc((size_t)n, sizeof *paths);
    const char *dir = test_tmpdir("sheet_grid");
    int rc = 0;
    for (int s = 0; s < sp.strips && rc == 0; s++) {
        char tag[16];
        snprintf(tag, sizeof tag, "%d", s);
        rc = gridgen_burst(photos[(seed + 3 * (unsigned)s) % (unsigned)nphotos], dir, tag, sp.per_strip, frac, shift,
                           paths + s * sp.per_strip, &e);
    }
    CHECK_MSG(rc == 0, "%s", rc ? e.msg : "");
    sheetgen_sheet sh;
    if (rc == 0 && sheetgen_make(&sp, (const char *const *)paths, n, 0, &sh, &e) == 0) {
        VipsImage *im = vips_image_new_from_memory(sh.rgb, (size_t)sh.width * sh.height * 3, sh.width, sh.height, 3,
                                                   VIPS_FORMAT_UCHAR);
        sheet_result *r = malloc(sizeof *r);
        int hits[2] = { 0, 0 };
        double miou = 0;
        for (int on = 0; on < 2; on++) {
            sheet_continuity_set(on);
            CHECK(im && sheet_detect_image(im, SHEET_AUTO, r, &e) == 0);
            hits[on] = sheetgen_score(sh.truth, sh.nframes, r->frames, r->nframes, 0.9, &miou);
        }
        char d[256];
        sheetsweep_describe(&sp, d, sizeof d);
        CHECK_MSG(hits[0] == sh.nframes && hits[1] == sh.nframes,
                  "burst sheet (%s; frames shifted %.0f %%): %d of %d frames without the check, %d with it (%s)", d,
                  shift * 100, hits[0], sh.nframes, hits[1], r->nframes ? "" : r->why);
        free(r);
        if (im)
            g_object_unref(im);
        sheetgen_free(&sh);
    } else if (rc == 0) {
        CHECK_MSG(0, "sheetgen: %s", e.msg);
    }
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    test_rmtree(dir);
}

int main(void)
{
    err e;
    if (image_init("test_sheet_grid", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    char **photos;
    int nphotos;
    if (sheetgen_group_photos(&photos, &nphotos) != 0) {
        printf("skipped: no shared/ data for the photos\n");
        return test_main_end();
    }
    CHECK(nphotos >= 10);
    if (nphotos >= 10) {
        test_window(photos[0], 5, 4, 0.02, 30, 1);
        test_window(photos[2], 6, 4, 0.01, 12, 0);
        test_burst((const char *const *)photos, nphotos, SWEEP_35_STRIP, 3002, 0.8, 0.03);
        test_burst((const char *const *)photos, nphotos, SWEEP_120_3X4, 3003, 0.9, 0.0);
    }
    sheetgen_list_free(photos, nphotos);
    return test_main_end();
}
