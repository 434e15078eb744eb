/* chroma.c — colour against brightness (chroma.h). */
#include "media/chroma.h"

#include <math.h>
#include <stddef.h>

#define CHROMA_BINS 32
#define CHROMA_MAX_SAMPLES 65536

static int luma(const uint8_t *p)
{
    return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
}

chroma_stats chroma_measure(const image *img)
{
    chroma_stats st = { 0 };
    size_t pixels = (size_t)img->width * (size_t)img->height;
    int step = 1;
    while (pixels / ((size_t)step * step) > CHROMA_MAX_SAMPLES)
        step++;
    double n[CHROMA_BINS] = { 0 }, s1[CHROMA_BINS][2] = { { 0 } }, s2[CHROMA_BINS] = { 0 };
    double sy = 0, syy = 0, scb = 0, scr = 0;
    size_t total = 0;
    for (int y = step / 2; y < img->height; y += step)
        for (int x = step / 2; x < img->width; x += step) {
            const uint8_t *p = img->rgb + ((size_t)y * img->width + x) * 3;
            int v = luma(p), b = v * CHROMA_BINS / 256;
            double cb = p[2] - v, cr = p[0] - v;
            n[b]++;
            s1[b][0] += cb, s1[b][1] += cr;
            s2[b] += cb * cb + cr * cr;
            sy += v, syy += (double)v * v, scb += cb, scr += cr;
            total++;
        }
    if (total == 0)
        return st;
    /* Sum over bins of the squared distances from the bin's mean chroma. */
    double ss = 0;
    for (int b = 0; b < CHROMA_BINS; b++)
        if (n[b] > 0)
            ss += s2[b] - (s1[b][0] * s1[b][0] + s1[b][1] * s1[b][1]) / n[b];
    st.spread = sqrt(fmax(0, ss) / (double)total);
    st.cb = scb / (double)total, st.cr = scr / (double)total;
    st.luma_sd = sqrt(fmax(0, syy / (double)total - (sy / (double)total) * (sy / (double)total)));
    return st;
}
