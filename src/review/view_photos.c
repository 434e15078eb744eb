/* view_photos.c — photo objects (views.h): summaries for lists (the review
 * queue, all photos, search) and one photo with its faces. */
#include "review/views.h"

#include "review/http.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Summary columns of photo row p: photo_id, file, width, height, timestamp, caption. */
#define SUMMARY_COLS                                                                                          \
    "p.photo_id, (SELECT s.path FROM photo_sources s WHERE s.photo_id = p.photo_id ORDER BY s.id LIMIT 1), "   \
    "p.width, p.height, p.taken_at, " VIEW_CAPTION("p")

static int db_error(catalog *c, const char *what, err *e)
{
    return err_set(e, ERR_DB, "%s: %s: %s", catalog_path(c), what, sqlite3_errmsg(catalog_db(c)));
}

static json_t *summary_from_row(sqlite3_stmt *st)
{
    json_t *p = json_object();
    json_object_set_new(p, "photo_id", http_json_text((const char *)sqlite3_column_text(st, 0)));
    json_object_set_new(p, "file", http_json_text((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(p, "width", json_integer(sqlite3_column_int(st, 2)));
    json_object_set_new(p, "height", json_integer(sqlite3_column_int(st, 3)));
    json_object_set_new(p, "timestamp", http_json_text((const char *)sqlite3_column_text(st, 4)));
    /* A caption from a JSON sidecar may be any JSON value: only text is a caption. */
    json_object_set_new(p, "caption", sqlite3_column_type(st, 5) == SQLITE_TEXT
                                          ? http_json_text((const char *)sqlite3_column_text(st, 5))
                                          : json_null());
    return p;
}

/* Runs a prepared list query whose columns are SUMMARY_COLS and then count
 * columns named by `counts`; keep (may be NULL) filters rows. */
typedef bool (*row_filter)(sqlite3_stmt *st, const void *ud);

static int run_list(catalog *c, sqlite3_stmt *st, const char *const *counts, size_t ncounts, row_filter keep,
                    const void *ud, long limit, json_t **out, err *e)
{
    json_t *arr = json_array();
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (keep && !keep(st, ud))
            continue;
        if (limit >= 0 && (long)json_array_size(arr) >= limit)
            continue;
        json_t *p = summary_from_row(st);
        for (size_t i = 0; i < ncounts; i++)
            json_object_set_new(p, counts[i], json_integer(sqlite3_column_int64(st, 6 + (int)i)));
        json_array_append_new(arr, p);
    }
    int rc = step == SQLITE_DONE ? 0 : db_error(c, "list photos", e);
    sqlite3_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int view_pending(catalog *c, long limit, long offset, json_t **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    /* Walk the analysis runs newest first; a run counts when it is the photo's
     * newest done one and has a face nobody has settled. */
    if (sqlite3_prepare_v2(
            catalog_db(c),
            "SELECT " SUMMARY_COLS ", "
            "(SELECT count(*) FROM faces f WHERE f.photo_id = a.photo_id AND f.model_version = a.model_version), "
            "(SELECT count(*) FROM faces f WHERE f.photo_id = a.photo_id AND f.model_version = a.model_version "
            "  AND f.status = 'unreviewed') "
            "FROM analysis_runs a JOIN photos p ON p.photo_id = a.photo_id "
            "WHERE a.status = 'done' "
            "AND NOT EXISTS (SELECT 1 FROM analysis_runs b WHERE b.photo_id = a.photo_id AND b.status = 'done' "
            "  AND b.rowid > a.rowid) "
            "AND EXISTS (SELECT 1 FROM faces f WHERE f.photo_id = a.photo_id AND f.model_version = a.model_version "
            "  AND f.status = 'unreviewed') "
            "ORDER BY a.rowid DESC LIMIT ?1 OFFSET ?2",
            -1, &st, NULL) != SQLITE_OK)
        return db_error(c, "list pending photos", e);
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    static const char *const counts[] = {"faces", "unreviewed"};
    return run_list(c, st, counts, 2, NULL, NULL, -1, out, e);
}

int view_photo_list(catalog *c, long limit, long offset, json_t **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    int64_t total = 0;
    if (sqlite3_prepare_v2(catalog_db(c), "SELECT count(*) FROM photos", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_error(c, "count photos", e);
    }
    total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(catalog_db(c),
                           "SELECT " SUMMARY_COLS ", (SELECT count(*) FROM faces f WHERE f.photo_id = p.photo_id AND "
                           VIEW_CURRENT_FACE("f") ") FROM photos p ORDER BY p.rowid DESC LIMIT ?1 OFFSET ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(c, "list photos", e);
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    static const char *const counts[] = {"faces"};
    json_t *photos;
    int rc = run_list(c, st, counts, 1, NULL, NULL, -1, &photos, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "photos", photos);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int view_photo(catalog *c, const char *photo_id, bool suggest, json_t **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(catalog_db(c), "SELECT " SUMMARY_COLS " FROM photos p WHERE p.photo_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(c, "read photo", e);
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    json_t *p = NULL;
    if (step == SQLITE_ROW)
        p = summary_from_row(st);
    else if (step == SQLITE_DONE)
        rc = err_set(e, ERR_NOTFOUND, "photo %s does not exist", photo_id);
    else
        rc = db_error(c, "read photo", e);
    sqlite3_finalize(st);
    if (rc == 0) {
        json_t *faces;
        rc = view_faces(c, VIEW_FACES_OF_PHOTO, photo_id, 0, suggest, &faces, e);
        if (rc == 0)
            json_object_set_new(p, "faces", faces);
    }
    if (rc) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* Search rows: SUMMARY_COLS, faces count, then the names in the photo joined by
 * U+001F. */
static bool search_keep(sqlite3_stmt *st, const void *ud)
{
    const char *q = ud;
    if (view_text_contains((const char *)sqlite3_column_text(st, 1), q) ||
        (sqlite3_column_type(st, 5) == SQLITE_TEXT && view_text_contains((const char *)sqlite3_column_text(st, 5), q)))
        return true;
    const char *names = (const char *)sqlite3_column_text(st, 7);
    if (!names)
        return false;
    /* Each name on its own, so a query cannot match across two names. */
    char *copy = strdup(names), *save = NULL;
    bool found = false;
    for (char *n = copy ? strtok_r(copy, "\x1f", &save) : NULL; n && !found; n = strtok_r(NULL, "\x1f", &save))
        found = view_text_contains(n, q);
    free(copy);
    return found;
}

int view_photo_search(catalog *c, const char *q, long limit, json_t **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(catalog_db(c),
                           "SELECT " SUMMARY_COLS ", (SELECT count(*) FROM faces f WHERE f.photo_id = p.photo_id AND "
                           VIEW_CURRENT_FACE("f") "), "
                           "(SELECT group_concat(n.name, char(31)) FROM faces f JOIN persons n ON n.id = f.person_id "
                           "  WHERE f.photo_id = p.photo_id AND n.name IS NOT NULL AND " VIEW_CURRENT_FACE("f") ") "
                           "FROM photos p ORDER BY p.rowid DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(c, "search photos", e);
    static const char *const counts[] = {"faces"};
    return run_list(c, st, counts, 1, search_keep, q, limit, out, e);
}
