/* prep.c — padToSquare + TF1 legacy bilinear resize + normalisation (NOTES §1.3-1.4),
 * arithmetic in the order of tfjs-backend-cpu's ResizeBilinear kernel. */
#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>

const float PREP_MEAN_TINY[3] = {117.001f, 114.697f, 97.404f};
const float PREP_MEAN_FACE[3] = {122.782f, 117.001f, 104.298f};

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
        t[o] = (axis_tap){i0, i1, src - i0};
    }
}

int prep_square(const image *img, prep_rect crop, prep_pad pad, int size, float *out, err *e)
{
    if (!img || !img->rgb || crop.w <= 0 || crop.h <= 0 || crop.x < 0 || crop.y < 0 ||
        crop.x + crop.w > img->width || crop.y + crop.h > img->height || size < 1)
        return err_set(e, ERR_INVALID, "crop %dx%d at (%d,%d) of a %dx%d image to %d px: not inside the image",
                       crop.w, crop.h, crop.x, crop.y, img ? img->width : 0, img ? img->height : 0, size);
    int side = crop.w > crop.h ? crop.w : crop.h;
    int diff = side - (crop.w > crop.h ? crop.h : crop.w);
    int before = 0;
    if (pad == PREP_PAD_CENTRE) {
        int append = (int)js_round(diff * 0.5);
        before = diff - append;
    }
    /* Offset of the crop inside the padded square. */
    int offy = crop.h < crop.w ? before : 0, offx = crop.w < crop.h ? before : 0;

    /* One tap table per axis; the square is side x side. (VLA-free: size is small.) */
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
                double tl = r0 && in0 ? r0[c0 + ch] : 0.0, tr = r0 && in1 ? r0[c1 + ch] : 0.0;
                double bl = r1 && in0 ? r1[c0 + ch] : 0.0, br = r1 && in1 ? r1[c1 + ch] : 0.0;
                double top = tl + (tr - tl) * fx;
                double bot = bl + (br - bl) * fx;
                o[ox * 3 + ch] = (float)(top + (bot - top) * fy);
            }
        }
    }
    free(ty);
    return 0;
}

int prep_square_image(const image *img, prep_pad pad, int size, float *out, err *e)
{
    prep_rect r = {0, 0, img ? img->width : 0, img ? img->height : 0};
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
