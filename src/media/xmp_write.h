/* xmp_write.h — facetag's names written as standard XMP with Exempi: the MWG
 * face regions (mwg-rs:Regions: AppliedToDimensions in pixels, one region of
 * type Face per named face with its normalised centre-based stArea), the same
 * rectangles as Microsoft Photo regions (MP:RegionInfo), the names as keywords
 * (dc:subject) and as digiKam person tags ("People/NAME" in
 * digiKam:TagsList), and facetag:PhotoID. Format: docs/xmp.md.
 *
 * Writing into an existing packet replaces its MWG and MP regions whole; the
 * names of the regions it replaces are taken out of dc:subject and
 * digiKam:TagsList first (so a renamed person does not stay behind), every
 * other property is kept. */
#ifndef FACETAG_MEDIA_XMP_WRITE_H
#define FACETAG_MEDIA_XMP_WRITE_H

#include "core/error.h"

#include <stddef.h>

typedef struct xmp_face_tag {
    const char *name;  /* UTF-8; NULL or "" for a region without a name */
    double x, y, w, h; /* top-left and size, normalised to the image as stored (xmp_regions.h) */
} xmp_face_tag;

typedef struct xmp_tag_set {
    const xmp_face_tag *faces;
    size_t n;
    int applied_w, applied_h; /* the stored image's pixels (before orientation) */
    int orientation;          /* > 0: also written as tiff:Orientation (sidecars) */
    const char *photo_id;     /* facetag:PhotoID, NULL for none */
    /* names of people on the file's later pages (a multi-page TIFF): MWG
     * regions have no page, so these are keywords only (dc:subject,
     * digiKam:TagsList), listed in facetag:PageNames too so that the next
     * write can take them back out like a region's name */
    const char *const *page_names;
    size_t n_page_names;
} xmp_tag_set;

/* The packet old[0..old_len) (NULL: a new one) with the set written into it;
 * *out malloc'd, NUL-terminated (caller frees). ERR_FORMAT when old is not XMP.
 * ERR_INTERNAL when the toolkit refuses a property: the message names the
 * property and the value ("refused to set mwg-rs:Regions/…/mwg-rs:Name to
 * "…""), and Exempi's code only when it gave one (its catch-all branch sets
 * none). */
int xmp_write_packet(const char *old, size_t old_len, const xmp_tag_set *t, char **out, size_t *out_len, err *e);

/* Writes the set into the XMP embedded in the image file at path, atomically:
 * the file is copied to ".NAME.facetag-tmp" in its folder, the copy updated by
 * Exempi's file handler, flushed and renamed over path. Killed at any moment,
 * path holds the old bytes or the new ones (a stale temporary copy is replaced
 * by the next run). ERR_FORMAT when Exempi cannot write XMP into that kind of
 * file; ERR_IO on file errors; the message names path (and, for a refused
 * property, the property as xmp_write_packet does); path is then unchanged. */
int xmp_write_file(const char *path, const xmp_tag_set *t, err *e);

#endif
