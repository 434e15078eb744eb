/* tone.h — the detector's view of black-and-white photos (issue 13).
 *
 * The SSD face detector was trained on colour photos and scores faces in grey
 * pixels lower: on group-photos made grey it finds 240 of the 249 faces it
 * finds in colour, and contact-sheet frames (grey or sepia film) lose the same.
 * pipeline_options.mono therefore also shows the detector a monochrome photo
 * (grey, or one warm tone such as sepia: its colour a function of its
 * brightness) re-toned by a fixed warm tint of its brightness; landmarks,
 * descriptors and attributes still read the photo's own pixels. By default
 * (PIPELINE_TINT_CONFIRM) the re-toned view may only raise the score of a
 * candidate the plain view already has: shown to every pass alone, the tint
 * wins back most faces grey loses, but also finds false faces in faceless
 * crops and turns some rotated copies wrongly. The tint, the monochrome test and those
 * figures: docs/decisions/2026-12-07-monochrome-detector-tint.md. */
#ifndef FACETAG_VISION_TONE_H
#define FACETAG_VISION_TONE_H

#include "core/error.h"
#include "media/image.h"

#include <stdbool.h>

/* out channel c = clamp(gain[c] * Y + offset[c], 0, 255), Y the pixel's
 * brightness (Rec. 601 luma, 0..255). */
typedef struct tone_tint {
    double gain[3], offset[3];
} tone_tint;

/* The tint default mode uses (the decision file says how it was chosen). */
tone_tint tone_default_tint(void);

/* How far img's colour strays from a function of its brightness: the RMS
 * distance (in 8-bit levels) of the samples' chroma (B - Y, R - Y) from the
 * mean chroma of samples of the same brightness (32 bins), over a grid of at
 * most ~65,000 pixels. 0 for a grey image, about 0 for a sepia one, 10-60 for
 * colour photos. img must be non-empty. */
double tone_chroma_spread(const image *img);

/* What tone_is_monochrome looks at: the spread above, the mean chroma (B - Y,
 * R - Y; sepia: cb < 0 < cr) and the standard deviation of the brightness. */
typedef struct tone_stats {
    double spread, cb, cr, luma_sd;
} tone_stats;
tone_stats tone_measure(const image *img);

/* Whether img is monochrome for the detector: tone_chroma_spread below
 * TONE_MONO_SPREAD and its mean chroma neutral or warm, not blue
 * (TONE_MAX_BLUE; tone.c says why). */
bool tone_is_monochrome(const image *img);

/* dst (allocated here, caller frees with image_free) = img re-toned by t.
 * ERR_NOMEM when the copy cannot be had; ERR_INVALID for an empty img. */
int tone_apply(const image *img, const tone_tint *t, image *dst, err *e);

#endif
