/* sheet_image.c — sheet detection and frame cutting on libvips images
 * (sheet.h): the grey copy the detector looks at, and each frame turned
 * upright out of the full-resolution scan. */
#include "media/sheet.h"

#include "media/chroma.h"
#include "media/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define PI 3.14159265358979323846

static int vips_fail(err *e, const char *what)
{
    int rc = err_set(e, ERR_FORMAT, "%s: %s", what, vips_error_buffer());
    vips_error_clear();
    return rc;
}

int sheet_detect_image(VipsImage *in, sheet_mode mode, sheet_result *out, err *e)
{
    memset(out, 0, sizeof *out);
    if (mode == SHEET_OFF) {
        snprintf(out->why, sizeof out->why, "sheet detection is off");
        return 0;
    }
    int W = in->Xsize, H = in->Ysize, longest = W > H ? W : H;
    double scale = longest > SHEET_WORK_EDGE ? (double)SHEET_WORK_EDGE / longest : 1.0;
    VipsImage *small = NULL, *grey = NULL, *u8 = NULL;
    int rc = 0;
    if (scale < 1.0 ? vips_resize(in, &small, scale, "kernel", VIPS_KERNEL_LINEAR, NULL) : vips_copy(in, &small, NULL))
        return vips_fail(e, "sheet: shrink");
    if (vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL)) {
        g_object_unref(small);
        return vips_fail(e, "sheet: grey");
    }
    g_object_unref(small);
    VipsImage *one = NULL;
    if (grey->Bands > 1) {
        if (vips_extract_band(grey, &one, 0, NULL)) {
            g_object_unref(grey);
            return vips_fail(e, "sheet: band");
        }
        g_object_unref(grey);
        grey = one;
    }
    if (vips_cast_uchar(grey, &u8, NULL)) {
        g_object_unref(grey);
        return vips_fail(e, "sheet: cast");
    }
    g_object_unref(grey);
    size_t len = 0;
    uint8_t *px = vips_image_write_to_memory(u8, &len);
    int w = u8->Xsize, h = u8->Ysize;
    g_object_unref(u8);
    if (!px)
        return vips_fail(e, "sheet: decode");
    rc = sheet_detect_grey(px, w, h, mode, out, e);
    g_free(px);
    if (rc)
        return rc;
    double sx = (double)W / w, sy = (double)H / h;
    for (int i = 0; i < out->nframes; i++) {
        sheet_frame *f = &out->frames[i];
        f->cx *= sx;
        f->cy *= sy;
        f->w *= sx;
        f->h *= sy;
    }
    return 0;
}

/* Whether a frame cut from a scan of negatives, inverted (8-bit, 3 bands),
 * has a colour that is a function of its brightness (chroma_measure's spread
 * below SHEET_MONO_SPREAD, as vision/tone.h's monochrome): black-and-white
 * film, toned only by the film base and the scan, handed over grey (sepia
 * inverted is blue, which the face detector reads worse: bench_sheet
 * --second-set, 5 of 6 tight faces of a sepia negative found grey, 0 blue).
 * Told before the levels are stretched: the stretch multiplies the scan's
 * chroma noise with the picture, and a dark frame's passed the threshold
 * (docs/decisions/2026-12-08-grey-negative-frames.md). <0 when
 * libvips fails. */
#define SHEET_MONO_SPREAD 4.0
static int negative_is_mono(VipsImage *cur, int *mono)
{
    *mono = 0;
    size_t len = 0;
    uint8_t *px = vips_image_write_to_memory(cur, &len);
    if (!px)
        return -1;
    image img = { .width = cur->Xsize, .height = cur->Ysize, .rgb = px };
    *mono = chroma_measure(&img).spread < SHEET_MONO_SPREAD;
    g_free(px);
    return 0;
}

/* *out: cur (8-bit sRGB) grey, as 3-band sRGB. <0 when libvips fails. */
static int frame_grey(VipsImage *cur, VipsImage **out)
{
    *out = NULL;
    VipsImage *g = NULL, *rgb = NULL, *u = NULL;
    VipsImage *in = NULL;
    if (vips_copy(cur, &in, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
        return -1;
    int bad = vips_colourspace(in, &g, VIPS_INTERPRETATION_B_W, NULL) ||
              vips_colourspace(g, &rgb, VIPS_INTERPRETATION_sRGB, NULL) || vips_cast_uchar(rgb, &u, NULL);
    g_object_unref(in);
    if (g)
        g_object_unref(g);
    if (rgb)
        g_object_unref(rgb);
    if (bad) {
        if (u)
            g_object_unref(u);
        return -1;
    }
    *out = u;
    return 0;
}

int sheet_frame_extract(VipsImage *in, const sheet_frame *f, int negative, VipsImage **out, err *e)
{
    *out = NULL;
    double longest = f->w > f->h ? f->w : f->h;
    double k = longest > 0 && longest < SHEET_FRAME_MIN_EDGE ? SHEET_FRAME_MIN_EDGE / longest : 1.0;
    int w = (int)lround(f->w * k), h = (int)lround(f->h * k);
    if (w < 1 || h < 1)
        return err_set(e, ERR_INVALID, "sheet: frame %d has no size", f->no);
    double a = f->angle * PI / 180.0, c = cos(a) * k, s = sin(a) * k;
    /* X = k((x - cx) c - (y - cy) s) + w/2, Y = k((x - cx) s + (y - cy) c) + h/2; pixel centres at +0.5 */
    double odx = -(f->cx * c - f->cy * s) + w / 2.0 + 0.5 * c - 0.5 * s - 0.5;
    double ody = -(f->cx * s + f->cy * c) + h / 2.0 + 0.5 * s + 0.5 * c - 0.5;
    VipsArrayInt *area = vips_array_int_newv(4, 0, 0, w, h);
    VipsInterpolate *ip = vips_interpolate_new(k > 1 ? "bicubic" : "bilinear");
    VipsImage *rot = NULL;
    int bad = vips_affine(in, &rot, c, -s, s, c, "oarea", area, "odx", odx, "ody", ody, "interpolate", ip, NULL);
    vips_area_unref(VIPS_AREA(area));
    g_object_unref(ip);
    if (bad)
        return vips_fail(e, "sheet: cut frame");
    /* the cut once, in memory: the levels, the mean and the caller's encode
     * each read it (lazily, each would resample the scan again) */
    VipsImage *cur = vips_image_copy_memory(rot), *t = NULL;
    g_object_unref(rot);
    if (!cur)
        return vips_fail(e, "sheet: cut frame");
    int mono = 0;
    if (negative) {
        if (vips_invert(cur, &t, NULL)) {
            g_object_unref(cur);
            return vips_fail(e, "sheet: invert");
        }
        g_object_unref(cur);
        cur = t;
        if (cur->Bands == 3 && cur->BandFmt == VIPS_FORMAT_UCHAR && negative_is_mono(cur, &mono) < 0) {
            g_object_unref(cur);
            return vips_fail(e, "sheet: grey frame");
        }
        int lo = 0, hi = 255;
        if (vips_percent(cur, 1, &lo, NULL) == 0 && vips_percent(cur, 99, &hi, NULL) == 0 && hi > lo + 8) {
            double m = 255.0 / (double)(hi - lo);
            if (vips_linear1(cur, &t, m, -lo * m, NULL) == 0) {
                g_object_unref(cur);
                cur = t;
            }
        }
    }
    if (vips_cast_uchar(cur, &t, NULL)) {
        g_object_unref(cur);
        return vips_fail(e, "sheet: cast");
    }
    g_object_unref(cur);
    cur = t;
    if (mono) { /* black-and-white film: grey, not the inverted tone of its base */
        VipsImage *g = NULL;
        if (frame_grey(cur, &g) < 0) {
            g_object_unref(cur);
            return vips_fail(e, "sheet: grey frame");
        }
        g_object_unref(cur);
        cur = g;
    }
    /* an exposure fault: the gamma that brings the mean to 0.45 */
    double mean = 0;
    if (vips_avg(cur, &mean, NULL) == 0) {
        mean /= 255;
        if (mean > 0.02 && mean < 0.98 && (mean < 0.3 || mean > 0.62)) {
            double p = log(0.45) / log(mean);
            p = p < 0.5 ? 0.5 : p > 2.0 ? 2.0 : p;
            VipsImage *g = NULL, *u = NULL;
            if (vips_gamma(cur, &g, "exponent", 1.0 / p, NULL) == 0 && vips_cast_uchar(g, &u, NULL) == 0) {
                g_object_unref(cur);
                cur = u;
            } else if (u) {
                g_object_unref(u);
            }
            if (g)
                g_object_unref(g);
        }
    }
    *out = cur;
    return 0;
}
