/* analyze_flip.h — a print scanned mirror-wise, flipped back (the "flip"
 * action of the mirrored-scan check, annotate/checks.h): the photo's processed
 * image becomes its mirror image; its faces' boxes are mirrored and its
 * analysis dropped, so the next analysis reads the flipped image and hands
 * people's decisions (person, confirmed, rejected) to the new faces over the
 * same spots (catalog_analysis_record); its OCR result is dropped (read again).
 * The original in incoming/ is never touched.
 *
 * Kill-safe and never done twice: the flipped image's SHA-256 is recorded with
 * the flip in one transaction before the image is written; an attempt that
 * finds the flip recorded but the image not yet flipped finishes it, one that
 * finds both does nothing. */
#ifndef FACETAG_ANALYZE_ANALYZE_FLIP_H
#define FACETAG_ANALYZE_ANALYZE_FLIP_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"

/* Flips photo_id (actor named in the record). 1 when flipped now (or a flip
 * killed half-way was finished), 0 when it was flipped already; <0 with e set
 * (ERR_NOTFOUND: no such photo or no processed image). */
int analyze_flip(objstore *store, catalog *cat, const char *photo_id, const char *actor, err *e);

#endif
