/* annotate_fixture.h — a small real catalog (SQLite file) for the annotate
 * tests (test_annotate_events, _fingerprint, _parsecache, _quotes, _rejected,
 * _stage): photos with a source path and sidecar JSON, a detector face of a
 * person on them, and annotate run as `facetag annotate` runs it. Photo n's
 * id is its number printf'd "%016x", so SQL can name it as printf('%016x', n). */
#ifndef FACETAG_TESTS_ANNOTATE_FIXTURE_H
#define FACETAG_TESTS_ANNOTATE_FIXTURE_H

#include "annotate/annotate.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A fresh catalog file in a new test_tmpdir(tag), whose path goes into dir
 * (size bytes); NULL after a failed CHECK when it does not open. */
catalog *annotate_fixture_open(const char *tag, char *dir, size_t size);
/* Closes c and removes dir. */
void annotate_fixture_close(catalog *c, const char *dir);
/* Puts photo n with sidecar JSON (NULL: none; borrowed), and its source at
 * path unless path is NULL (a photo put again: only its sidecar changes). */
void annotate_fixture_photo(catalog *c, int n, const char *path, const char *sidecar);
/* A detector face of person (0: of nobody) on photo n, the photo analysed;
 * the face's id. */
int64_t annotate_fixture_face(catalog *c, int n, int64_t person);
/* The sidecar {"txt": caption}, NULL for a NULL caption; caller frees. */
char *annotate_fixture_caption(const char *caption);
/* annotate_run with the default options (full: --full); a failed run is a
 * failed CHECK. */
annotate_summary annotate_fixture_run(catalog *c, bool full);
/* The first column of fmt's first row as text, fmt's one %d photo n (caller
 * frees; NULL for none). */
char *annotate_fixture_query(catalog *c, const char *fmt, int n);
/* Checks that photo n's annotation names the event want (a failed CHECK
 * names the photo, the event found and want). */
void annotate_fixture_event_is(catalog *c, int n, const char *want);
/* Checks that photo n's annotation has the date value want (NULL: none); a
 * failed CHECK names the photo, what (the case), the date found and want. */
void annotate_fixture_date_is(catalog *c, int n, const char *want, const char *what);

#endif
