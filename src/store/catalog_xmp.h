/* catalog_xmp.h — face regions read from a photo's XMP at ingest (MWG or
 * Microsoft Photo, embedded or in a sidecar; media/xmp_regions.h), kept until
 * the photo has been analysed and then turned into people's decisions
 * (review/xmp_import.h). Boxes are in processed-image pixels, like faces.
 *
 * A region's status: 'pending' until applied; then 'matched' (a detected face
 * got its name), 'drawn' (no face was found there: it was drawn) or 'failed'
 * (reason says why). face_id is the face it became.
 *
 * All functions return 0 (or the count stated) or a negative errcode with e set. */
#ifndef FACETAG_STORE_CATALOG_XMP_H
#define FACETAG_STORE_CATALOG_XMP_H

#include "core/error.h"
#include "store/catalog.h"

#include <stddef.h>
#include <stdint.h>

typedef struct catalog_xmp_region {
    int region_no;   /* 0.. within the photo */
    char name[520];  /* "" when the region has none */
    double box[4];   /* x, y, w, h in processed-image pixels; w, h > 0 */
    char kind[4];    /* "mwg" or "mp" */
    char origin[12]; /* "embedded" or "sidecar" */
    char status[12]; /* see above */
    int64_t face_id; /* 0: none */
} catalog_xmp_region;

/* Two regions with the same name (or both none) whose boxes overlap by this
 * much are the same region. */
#define CATALOG_XMP_SAME_IOU 0.5

/* Records the regions read from a photo's XMP (inside the ingest
 * transaction), at its first ingest and again whenever its XMP is read again
 * (re-ingest: another tool may have written regions since). A region that is
 * recorded already (the same name and box, CATALOG_XMP_SAME_IOU) is left as it
 * is, with what it became; any other is added, pending, with the next
 * region_no (v[i].region_no is not used); a recorded region the XMP no longer
 * has is kept (it may be a decision already). *added (may be NULL) counts the
 * regions added. ERR_INVALID for a bad kind/origin or a box without area. */
int catalog_xmp_regions_put(catalog *c, const char *photo_id, const catalog_xmp_region *v, size_t n, int *added,
                            err *e);

/* The photos that have pending regions and a current analysis (photo_id
 * order): *ids malloc'd array of n malloc'd strings (free each, then the array). */
int catalog_xmp_pending_photos(catalog *c, char ***ids, size_t *n, err *e);

/* Every region of the photo, region_no order; *out malloc'd (free()). */
int catalog_xmp_regions_of(catalog *c, const char *photo_id, catalog_xmp_region **out, size_t *n, err *e);

/* Records what region (photo_id, region_no) became: status 'matched', 'drawn'
 * or 'failed', the face (0: none) and the reason (NULL: none). */
int catalog_xmp_region_done(catalog *c, const char *photo_id, int region_no, const char *status, int64_t face_id,
                            const char *reason, err *e);

/* 1 when face_id's person is named exactly `name`, else 0. */
int catalog_xmp_face_named(catalog *c, int64_t face_id, const char *name, err *e);

#endif
