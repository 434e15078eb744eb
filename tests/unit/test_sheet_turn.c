/* test_sheet_turn — the frames of vertical strips are handed over upright,
 * and a sheet's frames vote which way they lie (issue 13: faces in the
 * frames of vertical strips).
 *
 *   - sheet_frame_turn describes the same rectangle from the picture's top
 *     (IoU 1, four quarters are the frame again, angle in (-180, 180]);
 *     sheet_result_upright turns vertical sheets only, once;
 *   - a generated sheet of two vertical strips, turned a quarter either way
 *     (sheetgen_spec.turn, as a real sheet lies): split (sheet_detect_grey),
 *     made upright and cut (sheet_frame_extract), every frame is landscape
 *     and matches its photo upright when the pictures' tops face the sheet's
 *     left (SHEET_VERTICAL_QUARTERS), upside down when they face right — the
 *     case the sheet's vote turns back (analyze/sheet_vote.h);
 *   - sheet_vote_turn: the majority of the frames with faces, at least
 *     SHEET_VOTE_MIN of them, else 0. */
#include "testutil.h"

#include "analyze/sheet_vote.h"
#include "media/image.h"
#include "media/sheet.h"
#include "sheetgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static void test_turn_geometry(void)
{
    sheet_frame a = { 3, 1, 120, 80, 40, 60, 1.5 }, b = a;
    sheet_frame_turn(&b, 1);
    CHECK(fabs(b.angle - 91.5) < 1e-9 && b.w == 60 && b.h == 40 && b.cx == 120 && b.cy == 80 && b.no == 3);
    CHECK(fabs(sheet_frame_iou(&a, &b) - 1) < 1e-9);
    double xa[8], xb[8];
    sheet_frame_corners(&a, xa);
    sheet_frame_corners(&b, xb);
    /* the same four corners, started one further: b's top-left is a's bottom-left */
    for (int i = 0; i < 4; i++)
        CHECK(fabs(xb[2 * i] - xa[2 * ((i + 3) % 4)]) < 1e-9 && fabs(xb[2 * i + 1] - xa[2 * ((i + 3) % 4) + 1]) < 1e-9);
    sheet_frame c = a;
    for (int k = 0; k < 4; k++)
        sheet_frame_turn(&c, 1);
    CHECK(fabs(c.angle - a.angle) < 1e-9 && c.w == a.w && c.h == a.h);
    c = a;
    sheet_frame_turn(&c, -1);
    CHECK(fabs(c.angle + 88.5) < 1e-9 && c.w == 60);
    c = a;
    sheet_frame_turn(&c, 2);
    CHECK(fabs(c.angle + 178.5) < 1e-9 && c.w == 40);
    sheet_frame_turn(&c, 2);
    CHECK(fabs(c.angle - 1.5) < 1e-9);

    sheet_result *r = calloc(1, sizeof *r);
    r->nframes = 1;
    r->frames[0] = a;
    sheet_result_upright(r); /* strips along x: as found */
    CHECK(r->upright == 0 && r->frames[0].angle == a.angle);
    r->vertical = 1;
    sheet_result_upright(r);
    sheet_result_upright(r); /* once */
    CHECK(r->upright == SHEET_VERTICAL_QUARTERS &&
          fabs(r->frames[0].angle - (1.5 + 90 * SHEET_VERTICAL_QUARTERS)) < 1e-9);
    free(r);
}

/* Correlation of 6x4 grid means of two grey images of the same aspect. */
static void grid(const uint8_t *g, int w, int h, int stride, double out[24])
{
    for (int gy = 0; gy < 4; gy++)
        for (int gx = 0; gx < 6; gx++) {
            double s = 0;
            int n = 0;
            for (int y = gy * h / 4; y < (gy + 1) * h / 4; y++)
                for (int x = gx * w / 6; x < (gx + 1) * w / 6; x++)
                    s += g[(size_t)y * stride + x], n++;
            out[gy * 6 + gx] = n ? s / n : 0;
        }
}

static double corr(const double *a, const double *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++)
        ma += a[i] / n, mb += b[i] / n;
    for (int i = 0; i < n; i++)
        sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb);
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

/* A vertical sheet turned `turn` (sheetgen_spec.turn): every frame cut
 * upright-by-guess is landscape and matches its photo upright (want_180 0)
 * or upside down (1). */
static void test_vertical_sheet(char **photos, int nphotos, int turn, int want_180)
{
    sheetgen_spec sp = { .film = 35,
                         .strips = 2,
                         .per_strip = 5,
                         .px_per_mm = 6,
                         .angle = turn > 0 ? 1.2 : -0.8,
                         .noise = 3,
                         .vertical = 1,
                         .turn = turn,
                         .seed = 21 };
    sheetgen_sheet s;
    err e;
    if (sheetgen_make(&sp, (const char *const *)photos, nphotos, 0, &s, &e) != 0) {
        CHECK_MSG(0, "sheetgen: %s", e.msg);
        return;
    }
    uint8_t *g = sheetgen_grey(s.rgb, s.width, s.height);
    sheet_result *r = calloc(1, sizeof *r);
    CHECK(g && r && sheet_detect_grey(g, s.width, s.height, SHEET_AUTO, r, &e) == 0);
    CHECK_MSG(r && r->nframes == s.nframes && r->vertical, "turn %d: %d of %d frames, vertical %d (%s)", turn,
              r ? r->nframes : -1, s.nframes, r ? r->vertical : -1, r ? r->why : "");
    VipsImage *im =
        g ? vips_image_new_from_memory(g, (size_t)s.width * s.height, s.width, s.height, 1, VIPS_FORMAT_UCHAR) : NULL;
    if (r)
        sheet_result_upright(r);
    int matched = 0, landscape = 0;
    for (int i = 0; im && r && i < r->nframes && i < s.nframes; i++) {
        int t = -1;
        for (int k = 0; k < s.nframes; k++)
            if (sheet_frame_iou(&r->frames[i], &s.truth[k]) >= 0.9)
                t = k;
        VipsImage *cut = NULL;
        uint8_t *alone = NULL;
        if (t < 0 || sheet_frame_extract(im, &r->frames[i], 0, &cut, &e) != 0 ||
            sheetgen_photo_crop(photos[s.photo[t]], s.frame_w, s.frame_h, &alone, &e) != 0) {
            if (cut)
                g_object_unref(cut);
            free(alone);
            continue;
        }
        landscape += cut->Xsize > cut->Ysize;
        size_t len = 0;
        uint8_t *px = vips_image_write_to_memory(cut, &len);
        uint8_t *ag = sheetgen_grey(alone, s.frame_w, s.frame_h);
        double gc[24], ga[24], gr[24];
        CHECK(cut->Bands == 1); /* grey came in, grey goes out */
        grid(px, cut->Xsize, cut->Ysize, cut->Xsize, gc);
        grid(ag, s.frame_w, s.frame_h, s.frame_w, ga);
        for (int k = 0; k < 24; k++)
            gr[k] = ga[23 - k]; /* the photo turned 180 */
        double up = corr(gc, ga, 24), down = corr(gc, gr, 24);
        matched += want_180 ? down > up + 0.2 : up > down + 0.2;
        g_free(px);
        free(ag);
        free(alone);
        g_object_unref(cut);
    }
    CHECK_MSG(landscape == s.nframes, "turn %d: %d of %d frames landscape", turn, landscape, s.nframes);
    CHECK_MSG(matched == s.nframes, "turn %d: %d of %d frames %s", turn, matched, s.nframes,
              want_180 ? "upside down" : "upright");
    if (im)
        g_object_unref(im);
    free(r);
    free(g);
    sheetgen_free(&s);
}

static void test_vote(void)
{
    int rot[8] = { 180, 180, 0, 180, 90, 0, 0, 0 }, faces[8] = { 1, 3, 0, 2, 1, 0, 0, 0 }, voters = -1;
    CHECK(sheet_vote_turn(rot, faces, 8, &voters) == 180 && voters == 4);
    faces[2] = faces[5] = faces[6] = 1; /* 3 upright against 3 turned and 1 sideways: none wins */
    CHECK(sheet_vote_turn(rot, faces, 8, &voters) == 0 && voters == 7);
    int one[2] = { 270, 0 }, f1[2] = { 1, 0 };
    CHECK(sheet_vote_turn(one, f1, 2, NULL) == 0); /* a single frame is no vote */
    int two[3] = { 270, 270, 0 }, f2[3] = { 1, 1, 0 };
    CHECK(sheet_vote_turn(two, f2, 3, NULL) == 270);
    int up[3] = { 0, 0, 180 }, f3[3] = { 2, 1, 1 };
    CHECK(sheet_vote_turn(up, f3, 3, NULL) == 0); /* most needed no turn */
    CHECK(sheet_vote_turn(NULL, NULL, 0, &voters) == 0 && voters == 0);
}

int main(void)
{
    err e;
    if (image_init("test_sheet_turn", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    test_turn_geometry();
    test_vote();
    char **photos;
    int nphotos;
    if (sheetgen_group_photos(&photos, &nphotos) != 0) {
        printf("skipped: no shared/ data for the generated sheets\n");
        return test_main_end();
    }
    CHECK(nphotos >= 10);
    if (nphotos >= 10) {
        test_vertical_sheet(photos, nphotos, SHEET_VERTICAL_QUARTERS, 0);
        test_vertical_sheet(photos, nphotos, -SHEET_VERTICAL_QUARTERS, 1);
    }
    sheetgen_list_free(photos, nphotos);
    return test_main_end();
}
