/* xmp_import.h — face regions other tools wrote into a photo's XMP (read at
 * ingest: store/catalog_xmp.h) become people's decisions once the photo is
 * analysed: a region whose box overlaps a face of the photo's current analysis
 * by IoU >= 0.5 (one face per region, best overlaps first) names that face
 * (persons_name_face: confirmed into the person of that name, created if
 * needed); a region where no face was found becomes a face drawn by hand
 * (draw_face) with that name. Decisions are logged with actor "xmp".
 * `facetag analyze` runs this after every analysis.
 *
 * Each region is applied once: its status in the catalog says what it became
 * ('matched', 'drawn', or 'failed' with the reason: no name, a name two
 * regions of one photo share, a box too small to draw). Killed between a
 * decision and the region's status, the next run finds the face it made (by
 * IoU, now named) and only records the status, so nothing is applied twice. */
#ifndef FACETAG_REVIEW_XMP_IMPORT_H
#define FACETAG_REVIEW_XMP_IMPORT_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"

#include <stdint.h>
#include <stdio.h>

#define XMP_IMPORT_MIN_IOU 0.5
#define XMP_IMPORT_ACTOR "xmp"

typedef struct xmp_import_summary {
    int64_t photos;  /* photos whose pending regions were applied */
    int64_t matched; /* regions that named a detected face */
    int64_t drawn;   /* regions drawn as new faces */
    int64_t failed;  /* regions that became nothing, each with a line on msgs */
} xmp_import_summary;

/* Applies the pending regions of every analysed photo. models_dir: for the
 * per-face networks of drawn faces (loaded only when a region is drawn).
 * Returns 0 when it ran (see s->failed), <0 when the catalog failed. */
int xmp_import_apply(catalog *c, objstore *os, const char *models_dir, FILE *msgs, xmp_import_summary *s, err *e);

/* Intersection over union of two boxes (x, y, w, h); 0 when either is empty. */
double xmp_import_iou(const double a[4], const double b[4]);

#endif
