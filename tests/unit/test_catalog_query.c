/* test_catalog_query.c — the catalog's interface rules (issue 10) on a real
 * SQLite catalog: the read-only query entry point refuses writes and several
 * statements, binds and reads values; the one error mapping turns a write lock
 * held by another process past the busy timeout into ERR_BUSY; the one
 * transaction helper makes a failed call inside a caller's transaction undo
 * only itself; "current analysis" means each photo's newest 'done' run. */
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define ID1 "0123456789abcdef"
#define ID2 "fedcba9876543210"

static void put_photo(catalog *c, const char *id)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    snprintf(p.format, sizeof p.format, "jpeg");
    memset(p.sha256, 'a', 64);
    memcpy(p.sha256, id, 16);
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", id);
    p.width = 100, p.height = 80;
    err e = { 0 };
    CHECK_MSG(catalog_photo_put(c, &p, &e) == 1, "%s", e.msg);
}

static void put_faces(catalog *c, const char *id, const char *version, int n)
{
    catalog_face f[4];
    for (int i = 0; i < n; i++) {
        memset(&f[i], 0, sizeof f[i]);
        snprintf(f[i].photo_id, sizeof f[i].photo_id, "%s", id);
        snprintf(f[i].model_version, sizeof f[i].model_version, "%s", version);
        snprintf(f[i].source, sizeof f[i].source, "detector");
        f[i].face_no = i;
        f[i].box[0] = 10 * i, f[i].box[2] = f[i].box[3] = 8;
        f[i].score = 0.9;
    }
    err e = { 0 };
    CHECK_MSG(catalog_analysis_record(c, id, version, f, (size_t)n, NULL, 0, &e) == 0, "%s", e.msg);
}

int main(void)
{
    const char *dir = test_tmpdir("catalog-query");
    char path[600];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return test_main_end();
    put_photo(c, ID1);
    put_photo(c, ID2);

    /* Read-only entry point. */
    CHECK(catalog_query(c, "DELETE FROM photos", "delete", &e) == NULL && e.code == ERR_INVALID &&
          strstr(e.msg, "read-only"));
    CHECK(catalog_query(c, "INSERT INTO persons DEFAULT VALUES", "insert", &e) == NULL && e.code == ERR_INVALID);
    CHECK(catalog_query(c, "SELECT 1; DELETE FROM photos", "two", &e) == NULL && e.code == ERR_INVALID);
    CHECK(catalog_query(c, "SELECT nope FROM photos", "bad column", &e) == NULL && e.code == ERR_DB &&
          strstr(e.msg, path));
    int64_t n = -1;
    CHECK(catalog_query_i64(c, "SELECT count(*) FROM photos", "count", NULL, 0, &n, &e) == 1 && n == 2);
    catalog_cursor *q = catalog_query(c, "SELECT photo_id, width, NULL FROM photos WHERE photo_id = ?1", "one", &e);
    CHECK(q != NULL);
    if (q) {
        catalog_cursor_bind_text(q, 1, ID2);
        CHECK(catalog_cursor_next(q, &e) == 1 && strcmp(catalog_cursor_text(q, 0), ID2) == 0 &&
              catalog_cursor_int(q, 1) == 100 && catalog_cursor_is_null(q, 2) && catalog_cursor_is_text(q, 0));
        CHECK(catalog_cursor_next(q, &e) == 0);
        catalog_cursor_reset(q);
        CHECK(catalog_cursor_bind_text(q, 7, "x") == ERR_INVALID);
        CHECK(catalog_cursor_next(q, &e) == ERR_INVALID);
        catalog_cursor_close(q);
    }
    CHECK(test_query_int(c, "SELECT count(*) FROM photos") == 2); /* nothing was deleted */

    /* One meaning of current: each photo's newest 'done' run. */
    put_faces(c, ID1, "v1", 2);
    put_faces(c, ID2, "v1", 3);
    put_faces(c, ID1, "v2", 1); /* ID1 re-analysed, ID2 not yet */
    char v[CATALOG_MODEL_VERSION_LEN];
    CHECK(catalog_current_version(c, ID1, v, &e) == 1 && strcmp(v, "v2") == 0);
    CHECK(catalog_current_version(c, ID2, v, &e) == 1 && strcmp(v, "v1") == 0);
    CHECK(catalog_query_i64(c, "SELECT count(*) FROM faces f WHERE " CATALOG_CURRENT_FACE("f"), "current", NULL, 0, &n,
                            &e) == 1 &&
          n == 4);
    CHECK(catalog_query_i64(c,
                            "WITH " CATALOG_CURRENT_CTE " SELECT count(*) FROM faces f JOIN cur ON cur.photo_id = "
                            "f.photo_id AND cur.model_version = f.model_version",
                            "current cte", NULL, 0, &n, &e) == 1 &&
          n == 4);
    catalog_analysis_put(c, ID1, "v3", "failed", 0, "damaged", &e);
    CHECK(catalog_current_version(c, ID1, v, &e) == 1 && strcmp(v, "v2") == 0); /* a failed run is not current */

    /* A failed call inside the caller's transaction undoes only itself. */
    CHECK(catalog_begin(c, &e) == 0);
    CHECK(catalog_failure_put(c, "/a.jpg", "not an image", &e) == 0);
    catalog_photo bad = { 0 };
    snprintf(bad.photo_id, sizeof bad.photo_id, "abcdefabcdefabcd");
    memset(bad.sha256, 'b', 64);
    bad.sidecar = "{not json";
    CHECK(catalog_photo_put(c, &bad, &e) == ERR_INVALID);
    CHECK(catalog_commit(c, &e) == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM ingest_failures") == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM photos") == 2);

    /* Another process holds the write lock past the busy timeout: ERR_BUSY. */
    sqlite3 *other = NULL;
    CHECK(sqlite3_open(path, &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    catalog_set_busy_timeout(c, 50);
    CHECK(catalog_failure_put(c, "/b.jpg", "busy", &e) == ERR_BUSY);
    CHECK(catalog_analysis_record(c, ID2, "v2", NULL, 0, NULL, 0, &e) == ERR_BUSY);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK(catalog_failure_put(c, "/b.jpg", "now free", &e) == 0);

    catalog_close(c);
    test_rmtree(dir);
    return test_main_end();
}
