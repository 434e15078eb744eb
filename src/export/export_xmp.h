/* export_xmp.h — facetag's names as standard XMP face regions (`facetag export
 * xmp`, format in docs/xmp.md): for every photo with at least one named face,
 * the faces whose person has a name people gave (rejected faces left out;
 * with confirmed_only, only the faces people confirmed, not those clustering
 * put into a named person) become MWG regions (and the same as Microsoft Photo regions), the names
 * dc:subject keywords and digiKam "People/NAME" tags (media/xmp_write.h).
 * Areas are normalised to the original file's pixels as stored, before its
 * EXIF orientation (AppliedToDimensions = those pixels), which is what MWG
 * prescribes (docs/decisions/2026-12-07-xmp-regions-stored-frame.md).
 *
 * Originals in the data folder (incoming/) are never written. Pages and
 * frames have no file of their own; their faces go where they belong
 * (docs/decisions/2026-12-07-xmp-pages-and-sheets.md): a contact sheet's XMP
 * holds the faces named on its frames, as regions in the sheet's pixels; a
 * multi-page file's XMP holds its first page's regions and the names on its
 * later pages as keywords only (MWG regions have no page); frames of a video
 * are left out (counted in `skipped`). */
#ifndef FACETAG_EXPORT_EXPORT_XMP_H
#define FACETAG_EXPORT_EXPORT_XMP_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdint.h>
#include <stdio.h>

typedef struct export_xmp_summary {
    int64_t photos;  /* photos with named faces */
    int64_t regions; /* regions written */
    int64_t files;   /* sidecars or image files written */
    int64_t skipped; /* photos or files left out, each with a line on msgs */
    int64_t failed;  /* files that could not be written, each with a line on msgs */
} export_xmp_summary;

/* One sidecar per file with named faces in dir (created if needed): named
 * after the file the photo was first ingested from, "NAME.EXT.xmp"; when two
 * such photos share a file name, the later ones go to dir/PHOTO_ID/NAME.EXT.xmp.
 * Each is written atomically (temp file, rename). Returns 0 when the export
 * ran (see s->failed), <0 when it could not (catalog, dir). */
int export_xmp_sidecars(catalog *c, const char *dir, int confirmed_only, FILE *msgs, export_xmp_summary *s, err *e);

/* --in-place: the user's own copies of archive photos, paths[0..n) (files,
 * and folders walked recursively), get the regions in their embedded XMP,
 * each file replaced atomically (xmp_write_file). A file is a copy of photo P
 * when its bytes hash to P (untouched since ingest) or when its XMP carries
 * facetag:PhotoID P (written by an earlier export); any other file is skipped
 * with its reason, as is anything under data_dir. Returns 0 when the export
 * ran (see s->failed), <0 when it could not. */
int export_xmp_in_place(catalog *c, const char *data_dir, char *const *paths, int n, int confirmed_only, FILE *msgs,
                        export_xmp_summary *s, err *e);

#endif
