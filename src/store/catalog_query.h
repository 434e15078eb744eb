/* catalog_query.h — the catalog's read-only query entry point, for read models
 * that turn rows straight into an answer (the review's JSON views, `facetag
 * people`, exports, the decision log listing) and would otherwise need one
 * catalog function per view.
 *
 * Contract:
 *  - Only statements that do not write are accepted: catalog_query refuses any
 *    other (ERR_INVALID, "... is not a read-only statement"). Every change to
 *    the catalog goes through a named function of a store header (catalog.h,
 *    persons.h, people_store.h, ...), so a second backend reimplements those and
 *    these queries, and nothing outside src/store touches a connection.
 *  - SQL is SQLite's dialect over the schema documented in catalog_schema.c;
 *    values are bound, never spliced into the text.
 *  - Errors use the catalog's one mapping (a lock held past the busy timeout is
 *    ERR_BUSY, which the review answers with 503 + Retry-After); messages name the
 *    catalog file and `what`.
 *  - A cursor belongs to the catalog handle (one thread at a time) and must be
 *    closed before the handle; text and blobs it returns stay valid until the
 *    next catalog_cursor_next, catalog_cursor_reset or catalog_cursor_close.
 *
 * "A photo's current analysis" has one meaning everywhere (the review, `facetag
 * people`, the export, catalog_faces_of_photo): the model version of the
 * photo's newest 'done' analysis run (analysis_runs; a replaced run takes a new
 * rowid, so newest = highest rowid). It is per photo, not catalog-wide, because
 * while an archive is being re-analysed with a new model the photos not yet
 * re-analysed must stay visible and reviewable with the faces they have; once
 * the re-analysis is done both readings coincide. A photo without a 'done' run
 * has no current faces. (Clustering is a different question — which descriptors
 * are comparable — and uses one model version for all: people_store_model.) */
#ifndef FACETAG_STORE_CATALOG_QUERY_H
#define FACETAG_STORE_CATALOG_QUERY_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SQL expression: the current model version of the photo whose id is the SQL
 * expression `photo` (NULL when it has no 'done' run). */
#define CATALOG_CURRENT_VERSION(photo)                                                                                 \
    "(SELECT cur.model_version FROM analysis_runs cur WHERE cur.photo_id = " photo " AND cur.status = 'done' "         \
    "ORDER BY cur.rowid DESC LIMIT 1)"

/* SQL condition: face row `f` belongs to its photo's current analysis. */
#define CATALOG_CURRENT_FACE(f) f ".model_version = " CATALOG_CURRENT_VERSION(f ".photo_id")

/* SQL common table expression `cur(photo_id, model_version)`: each photo's
 * current version, computed once with a window over analysis_runs (the same
 * meaning as CATALOG_CURRENT_VERSION, faster when every photo is needed). */
#define CATALOG_CURRENT_CTE                                                                                            \
    "cur AS MATERIALIZED (SELECT photo_id, model_version FROM (SELECT photo_id, model_version, "                       \
    "   row_number() OVER (PARTITION BY photo_id ORDER BY rowid DESC) AS rn FROM analysis_runs "                       \
    "   WHERE status = 'done') WHERE rn = 1)"

typedef struct catalog_cursor catalog_cursor;

/* Prepares a read-only statement; NULL with e set on error (ERR_INVALID for a
 * statement that writes or for more than one statement). Close with
 * catalog_cursor_close. */
catalog_cursor *catalog_query(catalog *c, const char *sql, const char *what, err *e);

/* Binds parameter i (1-based, ?N). Text is copied; NULL text binds SQL NULL.
 * Return 0, or ERR_INVALID for an index out of range (also reported by the
 * following catalog_cursor_next). */
int catalog_cursor_bind_i64(catalog_cursor *q, int i, int64_t v);
int catalog_cursor_bind_double(catalog_cursor *q, int i, double v);
int catalog_cursor_bind_text(catalog_cursor *q, int i, const char *s);

/* Steps to the next row: 1 when there is one, 0 at the end, <0 on error. */
int catalog_cursor_next(catalog_cursor *q, err *e);
/* Back to before the first row, bindings kept (to run again with new ones). */
void catalog_cursor_reset(catalog_cursor *q);

/* Columns of the current row (0-based). */
bool catalog_cursor_is_null(catalog_cursor *q, int col);
/* true when the value is text (not NULL, a number or a blob). */
bool catalog_cursor_is_text(catalog_cursor *q, int col);
int64_t catalog_cursor_i64(catalog_cursor *q, int col);
int catalog_cursor_int(catalog_cursor *q, int col);
double catalog_cursor_double(catalog_cursor *q, int col);
/* NULL for SQL NULL. */
const char *catalog_cursor_text(catalog_cursor *q, int col);
/* NULL for SQL NULL or an empty blob; *len set. */
const void *catalog_cursor_blob(catalog_cursor *q, int col, size_t *len);

void catalog_cursor_close(catalog_cursor *q);

/* Runs a query whose first row's first column is an integer: 1 and *out set
 * when there is a row with a non-NULL value, 0 when not, <0 on error. Binds
 * text parameters ?1.. from args[0..nargs). */
int catalog_query_i64(catalog *c, const char *sql, const char *what, const char *const *args, size_t nargs,
                      int64_t *out, err *e);

#endif
