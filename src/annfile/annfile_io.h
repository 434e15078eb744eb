/* annfile_io.h — annotation files (annfile.h) out of the catalog and back in.
 *
 * Both sides work on the catalog as export_json_build (export/export_json.h)
 * shows it: the file is that document's view of one photo, and an import
 * compares a file with that view, so what the export would write again is no
 * change. */
#ifndef FACETAG_ANNFILE_ANNFILE_IO_H
#define FACETAG_ANNFILE_ANNFILE_IO_H

#include "annfile/annfile.h"
#include "core/error.h"
#include "store/catalog.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The catalog as export_json_build shows it, indexed by photo and event. */
typedef struct annfile_view annfile_view;
int annfile_view_load(catalog *c, annfile_view **out, err *e);
void annfile_view_free(annfile_view *v);
/* Photos in photo_id order. */
size_t annfile_view_photos(const annfile_view *v);
const char *annfile_view_photo_id(const annfile_view *v, size_t i);

/* The annotation file of photo photo_id (a new reference), NULL when the view
 * has no such photo or out of memory. */
json_t *annfile_build(const annfile_view *v, const char *photo_id);

/* Writes DIR/{photo_id}.json for every photo (each file atomically: a killed
 * export leaves whole files only); *written counts them. */
int annfile_write_dir(const annfile_view *v, const char *dir, size_t *written, err *e);

typedef struct annfile_result {
    size_t changes; /* decisions applied (or, with check, that would be) */
} annfile_result;

/* Applies d (read from the file `name`) to c as decisions of actor, all or
 * nothing (one transaction, a savepoint in the caller's when one is open):
 * compares it with v's view of the photo and turns each difference into a
 * decision (annfile.h says which). check: everything is checked and counted,
 * then undone. log (may be NULL) gets one line per decision. Errors name the
 * file and the field: an unknown photo (ERR_NOTFOUND), a face that matches none
 * (ERR_NOTFOUND), a change the catalog refuses (ERR_CONFLICT, ERR_INVALID). v
 * stays as it was: load it again to import a second file of the same photo. */
int annfile_apply(catalog *c, const annfile_view *v, const annfile_doc *d, const char *name, const char *actor,
                  bool check, FILE *log, annfile_result *r, err *e);

#endif
