/* sheet_continuity.h — one scene seen through a grid is no contact sheet.
 *
 * A photo of a scene behind a sash window (or any grid of dark bars) has what
 * the finder wants of a sheet: frames of one size in rows, separated by
 * straight gaps of one dark tone. What tells them apart is what lies on
 * either side of a gap. Behind a window's bar the scene runs on: the bar hides
 * a narrow band, so the picture just left of it and the picture just right of
 * it are neighbours in one scene. On film each frame holds a whole picture:
 * the facing edges of two neighbouring frames are the right edge of one
 * picture and the left edge of the next. Even in a burst of one scene (the
 * same stage frame after frame) they are the scene's two ends, and what the
 * two frames share lies at the SAME place in both (the right edge of one
 * alike to the right edge of the next, a horizon at one height in every
 * frame), not across the gap.
 *
 * So for every two neighbouring frames (along a strip and across strips) the
 * grey profiles just inside their facing edges are compared (the mean
 * absolute difference `across`) with two references:
 *   - `same`: the same places in the two frames (the first frame's facing
 *     edge against the second's far edge, and the other way round; the
 *     smaller). Behind bars these are a pane apart and differ more than the
 *     two sides of a bar; on film they are alike in a burst and as unlike as
 *     the facing edges in unrelated pictures;
 *   - `within`: a step as long as the one across the gap taken inside each
 *     frame. Behind bars the picture changes across the bar about as much as
 *     it does over such a step anywhere; between two pictures it changes more.
 * A result is one scene when, over the pairs (medians), `across` is well
 * under `same` AND not above `within` by much (SAME_MAX, WITHIN_MAX in
 * sheet_continuity.c). A scene with nothing but horizontal structure (a bare
 * horizon behind bars) is not told from a burst of it and stays a sheet, as
 * before; so do pictures hung apart on a wall (a "gallery wall"): they are
 * separate pictures, as frames on film are.
 *
 * A result with fewer than 2 frames measures nothing (pairs 0). */
#ifndef FACETAG_MEDIA_SHEET_CONTINUITY_H
#define FACETAG_MEDIA_SHEET_CONTINUITY_H

#include "media/sheet.h"
#include <stdint.h>

typedef struct sheet_continuity {
    int pairs;     /* neighbouring frames compared */
    int runs_on;   /* pairs where the scene runs on across the gap */
    double same;   /* median over the pairs: grey difference across the gap
                    * over the difference at the same place in both frames */
    double within; /* median over the pairs: grey difference across the gap
                    * over the difference a step as wide inside each frame */
} sheet_continuity;

/* Measures the frames of r (boxes in grey's pixels) on an 8-bit grey image
 * (row-major, stride = width). Allocates nothing; each ratio has 1 grey
 * level added to its divisor, so flat places read as about 1 (no evidence). */
void sheet_continuity_measure(const uint8_t *grey, int width, int height, const sheet_result *r, sheet_continuity *out);

/* 1 when the measure says one scene seen through a grid. */
int sheet_continuity_one_scene(const sheet_continuity *c);

/* The check as sheet_detect_grey makes it, last: in SHEET_AUTO a result whose
 * frames are one scene seen through a grid becomes "not a sheet" (nframes 0,
 * `why` saying so); SHEET_FORCE and results that are not sheets are left as
 * they are. grey and r as for sheet_continuity_measure. */
void sheet_continuity_check(const uint8_t *grey, int width, int height, sheet_mode mode, sheet_result *r);

/* The check on (default) or off, process-wide: off only for a before-and-
 * after in one run (bench_sheet_grid) and for showing that a test's input
 * would be split without it (test_sheet_grid). */
void sheet_continuity_set(int on);

#endif
