/* sidecar.h — captions and metadata kept beside a photo, read at ingest for the
 * annotation stage:
 *   STEM.txt            free text (UTF-8; Latin-1/CP1252 is converted)
 *   STEM.json           any JSON
 *   STEM.xmp, NAME.xmp  XMP: title, description, keywords, date, location, creator,
 *                       person names of MWG / Microsoft face regions
 *   album.txt, album.json   in the photo's folder: about every photo there
 * where NAME is the photo's file name and STEM that name without its extension.
 * Everything found goes into one JSON object:
 *   {"txt": "...", "json": {...}, "xmp": {"title": "...", ...},
 *    "album": {"txt": "...", "json": {...}}}
 * A sidecar that cannot be parsed is kept as "<key>_error": "reason" so the photo
 * still ingests. Sidecars larger than SIDECAR_MAX_BYTES are not read. */
#ifndef FACETAG_MEDIA_SIDECAR_H
#define FACETAG_MEDIA_SIDECAR_H

#include "core/error.h"
#include <stddef.h>

#define SIDECAR_MAX_BYTES (1024 * 1024)

/* 1 when name (no folder) has a sidecar extension: .txt .json .xmp (any case). */
int sidecar_has_sidecar_ext(const char *name);
/* 1 when name is album.txt or album.json (any case). */
int sidecar_is_album(const char *name);
/* 1 when name is a sidecar or album file of its folder, whose entries are
 * names[0..n) (name may be among them): an album file, or a .txt/.json/.xmp
 * whose stem is the stem of another entry that is not itself a sidecar type,
 * or NAME.xmp beside NAME. Such files are read with their photo, not ingested. */
int sidecar_is_companion(const char *name, const char *const *names, size_t n);

/* Collects the sidecars of the photo at photo_path (a file path) as the JSON
 * text described above; *json is malloc'd (caller frees) or NULL when the photo
 * has no sidecar. Fails only on out-of-memory. */
int sidecar_collect(const char *photo_path, char **json, err *e);

/* The pieces, for tests. Each returns malloc'd JSON text, caller frees. */
/* Text as a JSON string value: valid UTF-8 is kept, anything else is read as CP1252. */
char *sidecar_text_json(const char *data, size_t len);
/* XMP packet to {"title":..., "description":..., "keywords":[...], "date":...,
 * "location":..., "creator":..., "persons":[...]} with only the fields found;
 * ERR_FORMAT when the XML is not well-formed. */
int sidecar_xmp_json(const char *xml, size_t len, char **json, err *e);

#endif
