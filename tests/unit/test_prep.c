/* test_prep.c — image → network input: computeReshapedDimensions rounding,
 * padToSquare placement (end / centred, odd differences), TF1 legacy bilinear
 * taps against hand-computed values, crops, normalisations, bad rectangles. */
#include "testutil.h"
#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static image make_image(int w, int h)
{
    image img = { w, h, malloc((size_t)w * h * 3) };
    for (int i = 0; i < w * h * 3; i++)
        img.rgb[i] = (uint8_t)(7 * i + 3);
    return img;
}

static uint8_t px(const image *img, int x, int y, int c)
{
    return img->rgb[((size_t)y * img->width + x) * 3 + c];
}

static void test_reshaped_dims(void)
{
    int rw, rh;
    prep_reshaped_dims(1920, 1280, 512, &rw, &rh);
    CHECK(rw == 512 && rh == 341);
    prep_reshaped_dims(375, 500, 512, &rw, &rh);
    CHECK(rw == 384 && rh == 512);
    prep_reshaped_dims(4, 1, 2, &rw, &rh); /* 0.5 rounds up like Math.round */
    CHECK(rw == 2 && rh == 1);
    prep_reshaped_dims(4000, 1, 512, &rw, &rh); /* 0.128 rounds to 0: kept at 1 */
    CHECK(rw == 512 && rh == 1);
    prep_reshaped_dims(300, 300, 416, &rw, &rh);
    CHECK(rw == 416 && rh == 416);
}

static void test_identity_and_pad_end(void)
{
    image img = make_image(4, 2);
    float out[4 * 4 * 3];
    err e = { 0 };
    /* 4x2 → square 4x4, size 4: no resize; rows 2-3 are padding (0). */
    CHECK(prep_square_image(&img, PREP_PAD_END, 4, out, &e) == 0);
    int ok = 1;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                ok &= out[(y * 4 + x) * 3 + c] == (y < 2 ? (float)px(&img, x, y, c) : 0.0f);
    CHECK(ok);
    /* Centred: diff 2, append round(1) = 1 after, 1 before. */
    CHECK(prep_square_image(&img, PREP_PAD_CENTRE, 4, out, &e) == 0);
    ok = 1;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                ok &= out[(y * 4 + x) * 3 + c] == ((y == 1 || y == 2) ? (float)px(&img, x, y - 1, c) : 0.0f);
    CHECK(ok);
    free(img.rgb);
}

static void test_centre_odd(void)
{
    /* 1 wide, 4 high: diff 3, append round(1.5) = 2 after, 1 before (columns). */
    image img = make_image(1, 4);
    float out[4 * 4 * 3];
    err e = { 0 };
    CHECK(prep_square_image(&img, PREP_PAD_CENTRE, 4, out, &e) == 0);
    int ok = 1;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            ok &= out[(y * 4 + x) * 3] == (x == 1 ? (float)px(&img, 0, y, 0) : 0.0f);
    CHECK(ok);
    free(img.rgb);
}

/* Reference legacy bilinear written from the formula in NOTES §1.3. */
static float legacy(const image *img, int size, int oy, int ox, int c)
{
    double scale = (double)img->width / size; /* square images only here */
    double sy = scale * oy, sx = scale * ox;
    int y0 = (int)floor(sy), x0 = (int)floor(sx);
    int y1 = (int)ceil(sy) < img->height - 1 ? (int)ceil(sy) : img->height - 1;
    int x1 = (int)ceil(sx) < img->width - 1 ? (int)ceil(sx) : img->width - 1;
    double fy = sy - y0, fx = sx - x0;
    double tl = px(img, x0, y0, c), tr = px(img, x1, y0, c), bl = px(img, x0, y1, c), br = px(img, x1, y1, c);
    double top = tl + (tr - tl) * fx, bot = bl + (br - bl) * fx;
    return (float)(top + (bot - top) * fy);
}

static void test_legacy_resize(void)
{
    err e = { 0 };
    /* Downscale 4 → 2: taps at 0 and 2 exactly, no blending (no antialiasing). */
    image a = make_image(4, 4);
    float out[7 * 7 * 3];
    CHECK(prep_square_image(&a, PREP_PAD_END, 2, out, &e) == 0);
    CHECK(out[0] == px(&a, 0, 0, 0) && out[3] == px(&a, 2, 0, 0) && out[(1 * 2 + 1) * 3 + 2] == px(&a, 2, 2, 2));
    free(a.rgb);
    /* Upscale 3 → 7 and 5 → 3: every value against the formula; the last row/col
     * clamps at the edge (ceil beyond the image). */
    int sizes[][2] = { { 3, 7 }, { 5, 3 }, { 6, 4 } };
    for (int t = 0; t < 3; t++) {
        image b = make_image(sizes[t][0], sizes[t][0]);
        int s = sizes[t][1];
        CHECK(prep_square_image(&b, PREP_PAD_END, s, out, &e) == 0);
        int ok = 1;
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++)
                for (int c = 0; c < 3; c++)
                    ok &= out[(y * s + x) * 3 + c] == legacy(&b, s, y, x, c);
        CHECK_MSG(ok, "%d -> %d", sizes[t][0], s);
        free(b.rgb);
    }
}

static void test_crop(void)
{
    image img = make_image(10, 8);
    float out[3 * 3 * 3];
    err e = { 0 };
    prep_rect r = { 4, 5, 3, 3 };
    CHECK(prep_square(&img, r, PREP_PAD_CENTRE, 3, out, &e) == 0);
    CHECK(out[0] == px(&img, 4, 5, 0) && out[(2 * 3 + 2) * 3 + 1] == px(&img, 6, 7, 1));
    prep_rect outside[] = { { 8, 0, 3, 2 }, { 0, 7, 2, 2 }, { -1, 0, 2, 2 }, { 0, 0, 0, 2 }, { 0, 0, 2, -1 } };
    for (int i = 0; i < 5; i++) {
        CHECK(prep_square(&img, outside[i], PREP_PAD_END, 3, out, &e) == ERR_INVALID);
        CHECK_MSG(strstr(e.msg, "10x8") != NULL, "%s", e.msg);
    }
    CHECK(prep_square(&img, r, PREP_PAD_END, 0, out, &e) == ERR_INVALID);
    free(img.rgb);
}

static void test_area(void)
{
    err e = { 0 };
    float a[8 * 8 * 3], b[8 * 8 * 3];
    /* Not shrinking: identical to the legacy resize. */
    image img = make_image(3, 3);
    CHECK(prep_square_area(&img, (prep_rect){ 0, 0, 3, 3 }, PREP_PAD_END, 7, a, &e) == 0);
    CHECK(prep_square(&img, (prep_rect){ 0, 0, 3, 3 }, PREP_PAD_END, 7, b, &e) == 0);
    CHECK(memcmp(a, b, sizeof(float) * 7 * 7 * 3) == 0);
    free(img.rgb);
    /* 4x4 -> 2x2: each output is the mean of its 2x2 block (legacy would take one pixel). */
    img = make_image(4, 4);
    CHECK(prep_square_area(&img, (prep_rect){ 0, 0, 4, 4 }, PREP_PAD_END, 2, a, &e) == 0);
    int ok = 1;
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++)
            for (int c = 0; c < 3; c++) {
                double m = (px(&img, 2 * ox, 2 * oy, c) + px(&img, 2 * ox + 1, 2 * oy, c) +
                            px(&img, 2 * ox, 2 * oy + 1, c) + px(&img, 2 * ox + 1, 2 * oy + 1, c)) /
                           4.0;
                ok &= fabs(a[(oy * 2 + ox) * 3 + c] - m) < 1e-4;
            }
    CHECK(ok);
    free(img.rgb);
    /* 3 -> 2 (scale 1.5): output 0 = (p0 + 0.5 p1) / 1.5 per axis; output 1 = (0.5 p1 + p2) / 1.5. */
    img = make_image(3, 3);
    CHECK(prep_square_area(&img, (prep_rect){ 0, 0, 3, 3 }, PREP_PAD_END, 2, a, &e) == 0);
    double wts[2][3] = { { 1 / 1.5, 0.5 / 1.5, 0 }, { 0, 0.5 / 1.5, 1 / 1.5 } };
    ok = 1;
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++) {
            double m = 0;
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    m += wts[oy][y] * wts[ox][x] * px(&img, x, y, 1);
            ok &= fabs(a[(oy * 2 + ox) * 3 + 1] - m) < 1e-3;
        }
    CHECK(ok);
    free(img.rgb);
    /* 8 wide, 2 high -> 4: the bottom half comes from the zero padding. */
    img = make_image(8, 2);
    CHECK(prep_square_area(&img, (prep_rect){ 0, 0, 8, 2 }, PREP_PAD_END, 4, a, &e) == 0);
    ok = 1;
    for (int i = 4 * 3; i < 4 * 4 * 3; i++)
        ok &= a[i] == 0.0f;
    CHECK(ok && a[0] > 0);
    /* Bad rectangles are refused as by prep_square. */
    CHECK(prep_square_area(&img, (prep_rect){ 6, 0, 4, 2 }, PREP_PAD_END, 2, a, &e) == ERR_INVALID);
    free(img.rgb);
}

static void test_canvas(void)
{
    err e = { 0 };
    image img = make_image(2, 1);
    float out[4 * 4 * 3];
    const float fill[3] = { 10, 20, 30 };
    /* 2x1 at (1,2) on a 4 px canvas, no resize. */
    CHECK(prep_canvas(&img, 4, 1, 2, fill, 4, out, &e) == 0);
    int ok = 1;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++) {
                int inside = y == 2 && (x == 1 || x == 2);
                ok &= out[(y * 4 + x) * 3 + c] == (inside ? (float)px(&img, x - 1, 0, c) : fill[c]);
            }
    CHECK(ok);
    CHECK(prep_canvas(&img, 4, 3, 0, fill, 4, out, &e) == ERR_INVALID); /* does not fit */
    CHECK(prep_canvas(&img, 4, -1, 0, fill, 4, out, &e) == ERR_INVALID);
    free(img.rgb);
}

static void test_rotate(void)
{
    err e = { 0 };
    image img = make_image(3, 2), r90 = { 0 }, r = { 0 }, back = { 0 };
    CHECK(prep_rotate(&img, 90, &r90, &e) == 0);
    CHECK(r90.width == 2 && r90.height == 3);
    /* Clockwise: the bottom-left source pixel (0,1) lands top-left, top-left (0,0) top-right. */
    CHECK(memcmp(r90.rgb, img.rgb + (1 * 3 + 0) * 3, 3) == 0);
    CHECK(memcmp(r90.rgb + 1 * 3, img.rgb, 3) == 0);
    CHECK(prep_rotate(&r90, 270, &back, &e) == 0);
    CHECK(back.width == 3 && back.height == 2 && memcmp(back.rgb, img.rgb, 3 * 2 * 3) == 0);
    image_free(&back);
    image r180 = { 0 }, twice = { 0 };
    CHECK(prep_rotate(&img, 180, &r180, &e) == 0);
    CHECK(prep_rotate(&r90, 90, &twice, &e) == 0);
    CHECK(twice.width == 3 && memcmp(twice.rgb, r180.rgb, 3 * 2 * 3) == 0);
    CHECK(memcmp(r180.rgb, img.rgb + (1 * 3 + 2) * 3, 3) == 0); /* last pixel first */
    CHECK(prep_rotate(&img, 0, &r, &e) == 0 && memcmp(r.rgb, img.rgb, 18) == 0);
    image_free(&r);
    CHECK(prep_rotate(&img, 45, &r, &e) == ERR_INVALID && r.rgb == NULL);
    image_free(&r90);
    image_free(&r180);
    image_free(&twice);
    free(img.rgb);
}

static void test_norm(void)
{
    float t[6] = { 0, 127.5f, 255, 122.782f, 117.001f, 104.298f };
    prep_norm_ssd(t, 1);
    CHECK(t[0] == -1.0f && t[1] == 0.0f && t[2] == 1.0f);
    prep_norm_mean(t + 3, 1, PREP_MEAN_FACE);
    CHECK(t[3] == 0.0f && t[4] == 0.0f && t[5] == 0.0f);
    float u[3] = { 255, 0, 97.404f };
    prep_norm_mean(u, 1, PREP_MEAN_TINY);
    CHECK(u[0] == (255.0f - 117.001f) / 255.0f && u[1] == (0.0f - 114.697f) / 255.0f && u[2] == 0.0f);
}

int main(void)
{
    test_reshaped_dims();
    test_identity_and_pad_end();
    test_centre_odd();
    test_legacy_resize();
    test_crop();
    test_area();
    test_canvas();
    test_rotate();
    test_norm();
    return test_main_end();
}
