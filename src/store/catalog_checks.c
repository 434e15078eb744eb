/* catalog_checks.c — the read-only queries of catalog_checks.h. */
#include "store/catalog_checks.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The year of an ISO date prefix ("1977", "1977-02-14T..."); 0 when none. A
 * decade ("1970", precision 'decade') counts as its middle. */
static int date_year(const char *date, const char *precision)
{
    if (!date || strlen(date) < 4)
        return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (date[i] < '0' || date[i] > '9')
            return 0;
        y = y * 10 + (date[i] - '0');
    }
    if (precision && strcmp(precision, "decade") == 0)
        y += 5;
    return y;
}

/* arr (elements of size bytes, capacity *cap; first allocation `first`) with
 * room for row n: arr itself, or its larger copy; on ERR_NOMEM (in *rc,
 * naming what was being read) arr unchanged. */
static void *room(catalog *c, void *arr, size_t *cap, size_t n, size_t size, size_t first, const char *what, int *rc,
                  err *e)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : first;
    void *p = realloc(arr, ncap * size);
    if (!p) {
        *rc = err_set(e, ERR_NOMEM, "%s: out of memory reading %s for the checks", catalog_path(c), what);
        return arr;
    }
    *cap = ncap;
    return p;
}

int catalog_checks_faces(catalog *c, catalog_check_face **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "WITH " CATALOG_CURRENT_CTE " "
        "SELECT f.id, f.person_id, f.photo_id, f.face_no, f.embedding, f.age, f.status = 'confirmed',"
        "  CASE WHEN a.date_value IS NOT NULL THEN a.date_value ELSE p.taken_at END,"
        "  CASE WHEN a.date_value IS NOT NULL THEN a.date_precision END "
        "FROM faces f JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version "
        "JOIN persons s ON s.id = f.person_id AND s.hidden = 0 "
        "JOIN photos p ON p.photo_id = f.photo_id "
        "LEFT JOIN photo_annotations a ON a.photo_id = f.photo_id "
        "ORDER BY f.person_id, f.photo_id, f.id";
    sqlite3_stmt *st = catalog_prepare(c, sql, "read the faces of persons for the checks", e);
    if (!st)
        return e ? e->code : ERR_DB;
    size_t cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        *out = room(c, *out, &cap, *n, sizeof **out, 256, "faces", &rc, e);
        if (rc)
            break;
        catalog_check_face *f = &(*out)[*n];
        memset(f, 0, sizeof *f);
        f->face_id = sqlite3_column_int64(st, 0);
        f->person_id = sqlite3_column_int64(st, 1);
        snprintf(f->photo_id, sizeof f->photo_id, "%s", (const char *)sqlite3_column_text(st, 2));
        f->face_no = sqlite3_column_int(st, 3);
        if (sqlite3_column_type(st, 4) == SQLITE_BLOB) {
            if (sqlite3_column_bytes(st, 4) != 512) {
                rc = err_set(e, ERR_FORMAT, "%s: face %lld: embedding of %d bytes, expected 512", catalog_path(c),
                             (long long)f->face_id, sqlite3_column_bytes(st, 4));
                break;
            }
            catalog_embedding_decode(sqlite3_column_blob(st, 4), f->embedding);
            f->has_embedding = true;
        }
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            f->has_age = true;
            f->age = sqlite3_column_double(st, 5);
        }
        f->confirmed = sqlite3_column_int(st, 6) == 1;
        const char *date = (const char *)sqlite3_column_text(st, 7);
        snprintf(f->date, sizeof f->date, "%s", date ? date : "");
        f->year = date_year(date, (const char *)sqlite3_column_text(st, 8));
        (*n)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "read the faces of persons for the checks", e);
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void catalog_checks_names_free(catalog_check_name *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i].label);
    free(names);
}

int catalog_checks_names(catalog *c, catalog_check_name **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "SELECT s.id, s.name, 1.0, 'name' FROM persons s "
        "WHERE s.hidden = 0 AND s.name IS NOT NULL AND s.name <> '' "
        "  AND EXISTS (SELECT 1 FROM faces f WHERE f.person_id = s.id) "
        "UNION ALL "
        "SELECT g.person_id, g.label, g.confidence, g.source FROM person_suggestions g "
        "JOIN persons s ON s.id = g.person_id AND s.hidden = 0 "
        "WHERE g.status <> 'rejected' AND EXISTS (SELECT 1 FROM faces f WHERE f.person_id = s.id) "
        "ORDER BY 1, 3 DESC";
    sqlite3_stmt *st = catalog_prepare(c, sql, "read the names of persons for the checks", e);
    if (!st)
        return e ? e->code : ERR_DB;
    size_t cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        *out = room(c, *out, &cap, *n, sizeof **out, 64, "names", &rc, e);
        if (rc)
            break;
        catalog_check_name *m = &(*out)[*n];
        m->person_id = sqlite3_column_int64(st, 0);
        m->label = strdup((const char *)sqlite3_column_text(st, 1));
        m->confidence = sqlite3_column_double(st, 2);
        snprintf(m->source, sizeof m->source, "%s", (const char *)sqlite3_column_text(st, 3));
        if (!m->label) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory reading names for the checks", catalog_path(c));
            break;
        }
        (*n)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "read the names of persons for the checks", e);
    sqlite3_finalize(st);
    if (rc) {
        catalog_checks_names_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
