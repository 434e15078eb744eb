/* tone.c — monochrome photos re-toned for the detector (tone.h). */
#include "vision/tone.h"

#include "media/chroma.h"

#include <math.h>
#include <stdlib.h>

/* Below this chroma spread (8-bit levels) a photo counts as monochrome. The
 * decision file has the measured spreads: grey and sepia photos, frames and
 * JPEG-compressed grey scans stay below 3, the lowest colour photo of
 * group-photos and faces-dev is far above. */
#define TONE_MONO_SPREAD 4.0
/* ... and neutral or warm: mean B - Y at most this. Black-and-white prints are
 * grey or toned warm (sepia); the 22 monochrome group photos and 474 of
 * faces-dev have mean B - Y of -27..+0.5. The one false face the tint made in
 * test_vision_groups' faceless squares was a crop of a light-blue shirt
 * (spread 2.4, mean B - Y +17): a coloured surface, not a monochrome photo.
 * Blue-toned prints (cyanotypes) therefore stay as they are (not measured). */
#define TONE_MAX_BLUE 5.0

tone_tint tone_default_tint(void)
{
    return (tone_tint){ .gain = { 1.0, 0.78, 0.62 }, .offset = { 10, 6, 0 } };
}

static int luma(const uint8_t *p)
{
    return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
}

tone_stats tone_measure(const image *img)
{
    chroma_stats c = chroma_measure(img);
    return (tone_stats){ .spread = c.spread, .cb = c.cb, .cr = c.cr, .luma_sd = c.luma_sd };
}

double tone_chroma_spread(const image *img)
{
    return tone_measure(img).spread;
}

bool tone_is_monochrome(const image *img)
{
    if (!img || !img->rgb || img->width < 1 || img->height < 1)
        return false;
    tone_stats st = tone_measure(img);
    return st.spread < TONE_MONO_SPREAD && st.cb <= TONE_MAX_BLUE;
}

int tone_apply(const image *img, const tone_tint *t, image *dst, err *e)
{
    *dst = (image){ 0 };
    if (!img || !img->rgb || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "tone: empty image");
    uint8_t lut[256][3];
    for (int v = 0; v < 256; v++)
        for (int c = 0; c < 3; c++) {
            double o = round(t->gain[c] * v + t->offset[c]);
            lut[v][c] = (uint8_t)(o < 0 ? 0 : o > 255 ? 255 : o);
        }
    size_t pixels = (size_t)img->width * (size_t)img->height;
    dst->rgb = malloc(pixels * 3);
    if (!dst->rgb)
        return err_set(e, ERR_NOMEM, "tone: out of memory for a %dx%d copy", img->width, img->height);
    dst->width = img->width;
    dst->height = img->height;
    for (size_t i = 0; i < pixels; i++) {
        const uint8_t *l = lut[luma(img->rgb + i * 3)];
        dst->rgb[i * 3] = l[0], dst->rgb[i * 3 + 1] = l[1], dst->rgb[i * 3 + 2] = l[2];
    }
    return 0;
}
