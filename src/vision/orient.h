/* orient.h — which way up a scan lies when it carries no orientation metadata:
 * the SSD detection of the upright view, and of a turned view only when the
 * evidence says the scan lies on its side or upside down.
 *
 * The cascade (each step measured on the 6 demo and 48 group photos and their
 * 162 turned copies, see orient.c):
 *   1. the upright pass at 512 px; two faces above ORIENT_UPRIGHT_SCORE end it;
 *   2. one pass over a mosaic of the four views at 256 px (one quadrant each):
 *      when a turned view's faces are more confident than the upright one's,
 *      that view is detected at 512 px and kept if it beats the upright pass;
 *   3. when the mosaic shows no face in any view (faces too small for 256 px)
 *      and the upright pass is not clearly confident but found a face above
 *      0.5: the same mosaic over the part of the image around the upright
 *      pass's faces (larger there), decided as in step 2;
 *   4. when that shows nothing either, or the upright pass found no face above
 *      0.5, the three turned views at 512 px (the full search).
 * An upright photo costs 1-3 passes instead of 4, a turned one 3 (5-6 when its
 * faces are small). */
#ifndef FACETAG_VISION_ORIENT_H
#define FACETAG_VISION_ORIENT_H

#include "core/error.h"
#include "media/image.h"
#include "vision/detection.h"
#include "vision/prep.h"
#include "vision/ssd.h"

/* Detects faces in img in the orientation the cascade chooses: *degrees is the
 * clockwise turn to apply to img (prep_rotate) to make it upright (0, 90, 180,
 * 270), out gets the detections (opt's threshold) in that turned image's pixels.
 * 0, or an error (e set). */
int orient_detect(ssd_runner *r, const image *img, const ssd_options *opt, int *degrees, det_list *out, err *e);

/* The mosaic step alone: conf[k] = ssd_confidence of the faces found in the
 * view turned clockwise by 90*k degrees, all four views at 256 px in one pass. */
int orient_mosaic(ssd_runner *r, const image *img, double conf[4], err *e);
/* The same over the part `area` of img (inside it, non-empty; ERR_INVALID
 * otherwise): its four turns, each at 256 px. */
int orient_mosaic_area(ssd_runner *r, const image *img, prep_rect area, double conf[4], err *e);

#endif
