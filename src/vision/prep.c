/* prep.c — padToSquare + TF1 legacy bilinear resize + normalisation (NOTES §1.3-1.4),
 * arithmetic in the order of tfjs-backend-cpu's ResizeBilinear kernel. */
#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const float PREP_MEAN_TINY[3] = { 117.001f, 114.697f, 97.404f };
const float PREP_MEAN_FACE[3] = { 122.782f, 117.001f, 104.298f };

/* JS Math.round for the non-negative values used here. */
static double js_round(double x)
{
    return floor(x + 0.5);
}

void prep_reshaped_dims(int width, int height, int size, int *rw, int *rh)
{
    double s = (double)size / (double)(width > height ? width : height);
    *rw = (int)js_round(width * s);
    *rh = (int)js_round(height * s);
    /* A side that rounds to 0 (e.g. 4000x1) would make face-api divide by zero. */
    if (*rw < 1)
        *rw = 1;
    if (*rh < 1)
        *rh = 1;
}

/* Sample coordinates along one output axis of the legacy resize. */
typedef struct axis_tap {
    int i0, i1; /* source indices in the padded square */
    double f;
} axis_tap;

static void axis_taps(int in, int out, axis_tap *t)
{
    double ratio = (double)in / (double)out;
    for (int o = 0; o < out; o++) {
        double src = ratio * o;
        double fl = floor(src);
        int i0 = fl < 0 ? 0 : (int)fl;
        int i1 = (int)ceil(src);
        if (i1 > in - 1)
            i1 = in - 1;
        t[o] = (axis_tap){ i0, i1, src - i0 };
    }
}

static int check_crop(const image *img, prep_rect crop, int size, err *e)
{
    if (!img || !img->rgb || crop.w <= 0 || crop.h <= 0 || crop.x < 0 || crop.y < 0 || crop.x + crop.w > img->width ||
        crop.y + crop.h > img->height || size < 1)
        return err_set(e, ERR_INVALID, "crop %dx%d at (%d,%d) of a %dx%d image to %d px: not inside the image", crop.w,
                       crop.h, crop.x, crop.y, img ? img->width : 0, img ? img->height : 0, size);
    return 0;
}

/* Legacy bilinear resize of a virtual side x side square that holds the crop at
 * (offx, offy) and `fill` everywhere else. */
static int resize_virtual(const image *img, prep_rect crop, int side, int offx, int offy, const float fill[3], int size,
                          float *out, err *e)
{
    axis_tap *ty = malloc(sizeof(axis_tap) * (size_t)size * 2);
    if (!ty)
        return err_set(e, ERR_NOMEM, "out of memory resizing to %d px", size);
    axis_tap *tx = ty + size;
    axis_taps(side, size, ty);
    axis_taps(side, size, tx);

    const size_t stride = (size_t)img->width * 3;
    for (int oy = 0; oy < size; oy++) {
        int sy0 = ty[oy].i0 - offy, sy1 = ty[oy].i1 - offy;
        const uint8_t *r0 = (sy0 >= 0 && sy0 < crop.h) ? img->rgb + (size_t)(crop.y + sy0) * stride : NULL;
        const uint8_t *r1 = (sy1 >= 0 && sy1 < crop.h) ? img->rgb + (size_t)(crop.y + sy1) * stride : NULL;
        double fy = ty[oy].f;
        float *o = out + (size_t)oy * size * 3;
        for (int ox = 0; ox < size; ox++) {
            int sx0 = tx[ox].i0 - offx, sx1 = tx[ox].i1 - offx;
            int in0 = sx0 >= 0 && sx0 < crop.w, in1 = sx1 >= 0 && sx1 < crop.w;
            size_t c0 = (size_t)(crop.x + sx0) * 3, c1 = (size_t)(crop.x + sx1) * 3;
            double fx = tx[ox].f;
            for (int ch = 0; ch < 3; ch++) {
                double f = fill[ch];
                double tl = r0 && in0 ? r0[c0 + ch] : f, tr = r0 && in1 ? r0[c1 + ch] : f;
                double bl = r1 && in0 ? r1[c0 + ch] : f, br = r1 && in1 ? r1[c1 + ch] : f;
                double top = tl + (tr - tl) * fx;
                double bot = bl + (br - bl) * fx;
                o[ox * 3 + ch] = (float)(top + (bot - top) * fy);
            }
        }
    }
    free(ty);
    return 0;
}

int prep_square(const image *img, prep_rect crop, prep_pad pad, int size, float *out, err *e)
{
    if (check_crop(img, crop, size, e) != 0)
        return e ? e->code : ERR_INVALID;
    int side = crop.w > crop.h ? crop.w : crop.h;
    int diff = side - (crop.w > crop.h ? crop.h : crop.w);
    int before = 0;
    if (pad == PREP_PAD_CENTRE) {
        int append = (int)js_round(diff * 0.5);
        before = diff - append;
    }
    /* Offset of the crop inside the padded square. */
    int offy = crop.h < crop.w ? before : 0, offx = crop.w < crop.h ? before : 0;
    static const float zero[3] = { 0, 0, 0 };
    return resize_virtual(img, crop, side, offx, offy, zero, size, out, e);
}

int prep_canvas(const image *img, int side, int offx, int offy, const float fill[3], int size, float *out, err *e)
{
    prep_rect all = { 0, 0, img ? img->width : 0, img ? img->height : 0 };
    if (check_crop(img, all, size, e) != 0)
        return e ? e->code : ERR_INVALID;
    if (offx < 0 || offy < 0 || offx + all.w > side || offy + all.h > side)
        return err_set(e, ERR_INVALID, "%dx%d image at (%d,%d) does not fit a %d px canvas", all.w, all.h, offx, offy,
                       side);
    return resize_virtual(img, all, side, offx, offy, fill, size, out, e);
}

/* Box-filter taps of one output pixel along one axis: source [first, first+n)
 * of the padded square with weights w (summing to 1). */
typedef struct area_tap {
    int first, n;
    size_t w; /* offset into the shared weight array */
} area_tap;

/* Taps for side -> size (side > size); weights in *wout (caller frees). */
static int area_taps(int side, int size, area_tap *t, float **wout)
{
    double scale = (double)side / size;
    size_t cap = (size_t)size * ((size_t)ceil(scale) + 2);
    float *w = malloc(cap * sizeof *w);
    if (!w)
        return -1;
    size_t used = 0;
    for (int o = 0; o < size; o++) {
        double a = o * scale, b = (o + 1) * scale;
        int first = (int)floor(a), last = (int)ceil(b) - 1;
        if (last > side - 1)
            last = side - 1;
        t[o] = (area_tap){ first, last - first + 1, used };
        for (int i = first; i <= last; i++) {
            double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
            w[used++] = (float)((hi - lo) / scale);
        }
    }
    *wout = w;
    return 0;
}

int prep_square_area(const image *img, prep_rect crop, prep_pad pad, int size, float *out, err *e)
{
    int side = crop.w > crop.h ? crop.w : crop.h;
    if (size < 1 || side <= size || !img || !img->rgb || crop.w <= 0 || crop.h <= 0 || crop.x < 0 || crop.y < 0 ||
        crop.x + crop.w > img->width || crop.y + crop.h > img->height)
        return prep_square(img, crop, pad, size, out, e); /* also reports bad rectangles */
    int diff = side - (crop.w > crop.h ? crop.h : crop.w);
    int before = pad == PREP_PAD_CENTRE ? diff - (int)js_round(diff * 0.5) : 0;
    int offy = crop.h < crop.w ? before : 0, offx = crop.w < crop.h ? before : 0;
    area_tap *t = malloc(sizeof *t * (size_t)size);
    int *jlo = malloc(sizeof(int) * (size_t)size * 2);
    float *w = NULL, *row = malloc(sizeof(float) * (size_t)size * 3);
    if (!t || !jlo || !row || area_taps(side, size, t, &w) != 0) {
        free(t);
        free(jlo);
        free(row);
        return err_set(e, ERR_NOMEM, "out of memory resizing to %d px", size);
    }
    /* The same taps serve both axes of the square. Per output column, the taps
     * inside the crop (the padding is 0): [jlo, jhi). */
    int *jhi = jlo + size;
    for (int ox = 0; ox < size; ox++) {
        int lo = 0, hi = t[ox].n;
        while (lo < hi && t[ox].first + lo - offx < 0)
            lo++;
        while (hi > lo && t[ox].first + hi - 1 - offx >= crop.w)
            hi--;
        jlo[ox] = lo, jhi[ox] = hi;
    }
    const size_t stride = (size_t)img->width * 3;
    int row_sy = -1; /* the source row `row` holds: neighbouring output rows share one */
    for (int oy = 0; oy < size; oy++) {
        float *o = out + (size_t)oy * size * 3;
        memset(o, 0, sizeof(float) * (size_t)size * 3);
        for (int k = 0; k < t[oy].n; k++) {
            int sy = t[oy].first + k - offy;
            if (sy < 0 || sy >= crop.h)
                continue; /* padding rows are 0 */
            if (sy != row_sy) {
                const uint8_t *src = img->rgb + (size_t)(crop.y + sy) * stride + (size_t)(crop.x - offx) * 3;
                for (int ox = 0; ox < size; ox++) {
                    float acc[3] = { 0, 0, 0 };
                    const float *wx = w + t[ox].w;
                    const uint8_t *p = src + (size_t)t[ox].first * 3;
                    for (int j = jlo[ox]; j < jhi[ox]; j++) {
                        acc[0] += wx[j] * p[j * 3], acc[1] += wx[j] * p[j * 3 + 1], acc[2] += wx[j] * p[j * 3 + 2];
                    }
                    row[ox * 3] = acc[0], row[ox * 3 + 1] = acc[1], row[ox * 3 + 2] = acc[2];
                }
                row_sy = sy;
            }
            float wy = w[t[oy].w + k];
            for (int i = 0; i < size * 3; i++)
                o[i] += wy * row[i];
        }
    }
    free(t);
    free(jlo);
    free(w);
    free(row);
    return 0;
}

int prep_square_image(const image *img, prep_pad pad, int size, float *out, err *e)
{
    prep_rect r = { 0, 0, img ? img->width : 0, img ? img->height : 0 };
    return prep_square(img, r, pad, size, out, e);
}

void prep_norm_ssd(float *t, size_t n)
{
    for (size_t i = 0; i < n * 3; i++)
        t[i] = t[i] / 127.5f - 1.0f;
}

void prep_norm_mean(float *t, size_t n, const float mean[3])
{
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            t[i * 3 + c] = (t[i * 3 + c] - mean[c]) / 255.0f;
}

int prep_rotate(const image *src, int degrees, image *dst, err *e)
{
    dst->width = dst->height = 0;
    dst->rgb = NULL;
    if (!src || !src->rgb || src->width < 1 || src->height < 1)
        return err_set(e, ERR_INVALID, "rotate: empty image");
    if (degrees != 0 && degrees != 90 && degrees != 180 && degrees != 270)
        return err_set(e, ERR_INVALID, "rotate: %d degrees is not a multiple of 90 in 0..270", degrees);
    int w = src->width, h = src->height;
    int dw = degrees % 180 ? h : w, dh = degrees % 180 ? w : h;
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out)
        return err_set(e, ERR_NOMEM, "rotate: out of memory for %dx%d", w, h);
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            int sx, sy; /* source pixel shown at (x, y) after a clockwise rotation */
            switch (degrees) {
            case 90:
                sx = y, sy = h - 1 - x;
                break;
            case 180:
                sx = w - 1 - x, sy = h - 1 - y;
                break;
            case 270:
                sx = w - 1 - y, sy = x;
                break;
            default:
                sx = x, sy = y;
                break;
            }
            memcpy(out + ((size_t)y * dw + x) * 3, src->rgb + ((size_t)sy * w + sx) * 3, 3);
        }
    dst->width = dw;
    dst->height = dh;
    dst->rgb = out;
    return 0;
}
