/* chroma.h — how far an RGB image's colour strays from a function of its
 * brightness: grey and toned (sepia) pictures are near 0, colour photos far
 * above. vision/tone.h decides "monochrome" for the detector with it; the
 * sheet cutter (sheet.h) hands the frames of a black-and-white negative over
 * grey with it. */
#ifndef FACETAG_MEDIA_CHROMA_H
#define FACETAG_MEDIA_CHROMA_H

#include "media/image.h"

/* spread: the RMS distance (8-bit levels) of the samples' chroma (B - Y,
 * R - Y) from the mean chroma of samples of the same brightness (32 bins),
 * over a grid of at most ~65,000 pixels; cb, cr: the mean chroma; luma_sd:
 * the standard deviation of the brightness. All 0 for an empty image. */
typedef struct chroma_stats {
    double spread, cb, cr, luma_sd;
} chroma_stats;
chroma_stats chroma_measure(const image *img);

#endif
