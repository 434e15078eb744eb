/* ingest_xmp.h — face regions other tools wrote (digiKam, Lightroom, Picasa,
 * Windows Photo Gallery, exiftool...), read at ingest (internal to src/ingest/):
 * MWG or Microsoft Photo regions from the photo's XMP sidecar (STEM.xmp or
 * NAME.EXT.xmp beside it, any case of the extension) or, when the sidecar has
 * none, from the XMP embedded in the file (media/xmp_regions.h). Their
 * rectangles, normalised to the stored pixels, are turned with the photo's
 * EXIF orientation and scaled to processed-image pixels, and recorded in the
 * file's ingest transaction (store/catalog_xmp.h); after analysis they become
 * people's decisions (review/xmp_import.h).
 *
 * Bad XMP never fails the photo: a broken or oversized packet, a region
 * outside the image, a region that is not a face, each becomes one reason in
 * `notes`, which ingest prints as "PATH: XMP: ..." and the photo goes on. */
#ifndef FACETAG_INGEST_INGEST_XMP_H
#define FACETAG_INGEST_INGEST_XMP_H

#include "core/error.h"
#include "core/progress.h"
#include "store/catalog.h"
#include "store/catalog_xmp.h"

#include <stdbool.h>

typedef struct ingest_xmp {
    catalog_xmp_region *v; /* malloc'd */
    size_t n;
    char *notes; /* malloc'd reasons, or NULL */
} ingest_xmp;

/* Reads the regions of the photo p (page 0 of the file at path): the
 * sidecar's, else (unless sidecar_only) the embedded ones. *out is NULL when
 * there is nothing to record or report; else malloc'd, freed with
 * ingest_xmp_free. Never fails: what cannot be read is in notes. */
void ingest_xmp_read(const char *path, const catalog_photo *p, bool sidecar_only, ingest_xmp **out);
/* The regions of the file at path, whose photo_id is in the catalog already
 * (the file ingested again: another tool may have written regions into its
 * sidecar or, with sidecar_only false, into the file since), read as
 * ingest_xmp_read does with the photo's stored size and orientation. Nothing
 * (*out NULL) for a back of a print or a contact sheet (their faces are not
 * theirs), or when sidecar_only and there is no sidecar (no catalog read
 * then: the common case of an unchanged file costs four stat calls). */
int ingest_xmp_reread(catalog *cat, const char *path, const char *photo_id, bool sidecar_only, ingest_xmp **out,
                      err *e);
/* Records x's regions for photo_id (inside the caller's transaction;
 * catalog_xmp_regions_put: those recorded before are left as they are).
 * *added (may be NULL) counts the regions new to the catalog. */
int ingest_xmp_record(catalog *cat, const char *photo_id, const ingest_xmp *x, int *added, err *e);
/* "SHOWN_PATH: XMP: notes" on the progress output when x has notes. */
void ingest_xmp_report(progress *pr, const char *shown_path, const ingest_xmp *x);
void ingest_xmp_free(ingest_xmp *x);

#endif
