/* test_catalog.c — the SQLite catalog: opening and migrating, photos, source
 * paths, ingest failures, counts, the append-only decisions log, transactions
 * and foreign keys. */
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dbpath[600];

/* Runs sql; returns the SQLite result code and copies the message. */
static int exec_msg(catalog *c, const char *sql, char *msg, size_t size)
{
    char *m = NULL;
    int rc = sqlite3_exec(catalog_sqlite(c), sql, NULL, NULL, &m);
    if (msg)
        snprintf(msg, size, "%s", m ? m : "");
    sqlite3_free(m);
    return rc;
}

static catalog_photo sample_photo(const char *id)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", id, id, id, id);
    p.page = 0;
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", id);
    p.bytes = 123456;
    p.width = 4000;
    p.height = 2667;
    p.orig_width = 4000;
    p.orig_height = 2667;
    p.orientation = 6;
    snprintf(p.taken_at, sizeof p.taken_at, "1977-02-14T10:00:00");
    snprintf(p.taken_at_source, sizeof p.taken_at_source, "exif");
    snprintf(p.camera_make, sizeof p.camera_make, "Nikon");
    snprintf(p.camera_model, sizeof p.camera_model, "F2");
    return p;
}

static const char *ID1 = "0123456789abcdef", *ID2 = "fedcba9876543210", *ID3 = "00000000000000aa";

static void test_open_and_migrate(void)
{
    err e = { 0 };
    catalog *c = catalog_open(dbpath, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
    CHECK(strcmp(catalog_path(c), dbpath) == 0);
    char *mode = test_query_text(c, "PRAGMA journal_mode");
    CHECK(mode && strcmp(mode, "wal") == 0);
    free(mode);
    CHECK(test_query_int(c, "PRAGMA foreign_keys") == 1);
    CHECK(test_query_int(c, "PRAGMA busy_timeout") == 5000);
    CHECK(test_query_int(c, "PRAGMA synchronous") == 1); /* NORMAL */
    int64_t objects = test_query_int(c, "SELECT count(*) FROM sqlite_schema");
    const char *tables[] = { "photos",    "photo_sources", "ingest_failures", "faces", "persons", "person_suggestions",
                             "decisions", "events",        "places",          "years", "edges",   "analysis_runs" };
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", tables[i]);
        CHECK_MSG(test_query_int(c, sql) == 1, "table %s missing", tables[i]);
    }
    /* The persons list reads every assigned face's person, photo, version,
     * number, status and score from an index, never from the wide face rows. */
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(catalog_sqlite(c),
                             "EXPLAIN QUERY PLAN SELECT id, person_id, photo_id, model_version, face_no, status, score "
                             "FROM faces WHERE person_id IS NOT NULL",
                             -1, &st, NULL) == SQLITE_OK);
    int covered = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW)
        covered |= strstr((const char *)sqlite3_column_text(st, 3), "COVERING INDEX faces_person_cover") != NULL;
    sqlite3_finalize(st);
    CHECK(covered);
    catalog_close(c);

    /* A second open migrates nothing and changes nothing. */
    c = catalog_open(dbpath, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
    CHECK(test_query_int(c, "SELECT count(*) FROM sqlite_schema") == objects);
    catalog_close(c);
}

static void test_photos(catalog *c)
{
    err e = { 0 };
    catalog_photo p = sample_photo(ID1);
    p.sidecar = "{\"caption\":\"Probe, Februar 1977\"}";
    CHECK_MSG(catalog_photo_put(c, &p, &e) == 1, "%s", e.msg);
    CHECK(catalog_photo_get(c, ID1, NULL, &e) == 1);
    catalog_photo g;
    CHECK(catalog_photo_get(c, ID1, &g, &e) == 1);
    CHECK(strcmp(g.photo_id, ID1) == 0 && strcmp(g.sha256, p.sha256) == 0);
    CHECK(g.parent_id[0] == '\0' && g.page == 0);
    CHECK(strcmp(g.format, "jpeg") == 0 && strcmp(g.incoming_key, p.incoming_key) == 0);
    CHECK(g.bytes == 123456 && g.width == 4000 && g.height == 2667);
    CHECK(g.orig_width == 4000 && g.orig_height == 2667 && g.orientation == 6);
    CHECK(strcmp(g.taken_at, p.taken_at) == 0 && strcmp(g.taken_at_source, "exif") == 0);
    CHECK(strcmp(g.camera_make, "Nikon") == 0 && strcmp(g.camera_model, "F2") == 0);
    CHECK(g.sidecar && strcmp(g.sidecar, p.sidecar) == 0);
    catalog_photo_clear(&g);
    CHECK(g.sidecar == NULL);
    char *status = test_query_text(c, "SELECT status FROM photos WHERE photo_id = '0123456789abcdef'");
    CHECK(status && strcmp(status, "ingested") == 0);
    free(status);

    /* Update: same id, new metadata; still one row, reported as existing. */
    p.width = 2048;
    p.height = 1365;
    p.taken_at[0] = '\0';
    p.taken_at_source[0] = '\0';
    p.sidecar = NULL;
    CHECK(catalog_photo_put(c, &p, &e) == 0);
    CHECK(catalog_photo_get(c, ID1, &g, &e) == 1);
    CHECK(g.width == 2048 && g.height == 1365 && g.taken_at[0] == '\0' && g.sidecar == NULL);
    catalog_photo_clear(&g);
    CHECK(test_query_int(c, "SELECT count(*) FROM photos") == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM photos WHERE taken_at IS NULL") == 1);

    /* A page of a multi-page file. */
    catalog_photo page = sample_photo(ID3);
    snprintf(page.parent_id, sizeof page.parent_id, "%s", ID1);
    page.page = 2;
    CHECK(catalog_photo_put(c, &page, &e) == 1);
    CHECK(catalog_photo_get(c, ID3, &g, &e) == 1 && strcmp(g.parent_id, ID1) == 0 && g.page == 2);
    catalog_photo_clear(&g);

    /* Absent, and refused. */
    CHECK(catalog_photo_get(c, "ffffffffffffffff", &g, &e) == 0);
    CHECK(catalog_photo_get(c, "ffffffffffffffff", NULL, &e) == 0);
    catalog_photo bad = sample_photo("not-an-id");
    err_clear(&e);
    CHECK(catalog_photo_put(c, &bad, &e) == ERR_INVALID && strstr(e.msg, "not-an-id") != NULL);
    bad = sample_photo(ID2);
    bad.sidecar = "{not json";
    err_clear(&e);
    CHECK(catalog_photo_put(c, &bad, &e) == ERR_INVALID);
    CHECK_MSG(strstr(e.msg, dbpath) != NULL && strstr(e.msg, ID2) != NULL, "message: %s", e.msg);
    bad.sidecar = NULL;
    bad.orientation = 9;
    CHECK(catalog_photo_put(c, &bad, &e) == ERR_INVALID);
    CHECK(catalog_photo_get(c, ID2, NULL, &e) == 0);
}

static void test_sources(catalog *c)
{
    err e = { 0 };
    catalog_photo p2 = sample_photo(ID2);
    CHECK(catalog_photo_put(c, &p2, &e) == 1);
    /* The same bytes under two paths: one photo, two sources. */
    CHECK_MSG(catalog_source_add(c, ID1, "/archive/1977/a.jpg", 100, 1000000001, &e) == 1, "%s", e.msg);
    CHECK(catalog_source_add(c, ID1, "/archive/copy/a.jpg", 100, 2000000002, &e) == 1);
    CHECK(catalog_source_add(c, ID1, "/archive/1977/a.jpg", 100, 1000000001, &e) == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_sources WHERE photo_id = '0123456789abcdef'") == 2);
    char id[PHOTO_ID_LEN + 1] = "";
    int64_t size = 0, mtime = 0;
    CHECK(catalog_source_find(c, "/archive/copy/a.jpg", id, &size, &mtime, &e) == 1);
    CHECK(strcmp(id, ID1) == 0 && size == 100 && mtime == 2000000002);
    CHECK(catalog_source_find(c, "/archive/none.jpg", id, &size, &mtime, &e) == 0);
    CHECK(catalog_source_find(c, "/archive/copy/a.jpg", NULL, NULL, NULL, &e) == 1);

    /* Touched but same bytes: still the same photo, new mtime. */
    CHECK(catalog_source_add(c, ID1, "/archive/copy/a.jpg", 100, 3000000003, &e) == 0);
    CHECK(catalog_source_find(c, "/archive/copy/a.jpg", id, &size, &mtime, &e) == 1 && mtime == 3000000003);
    /* The file at a path now holds other bytes: the path moves to that photo. */
    CHECK(catalog_source_add(c, ID2, "/archive/copy/a.jpg", 200, 4000000004, &e) == 1);
    CHECK(catalog_source_find(c, "/archive/copy/a.jpg", id, &size, &mtime, &e) == 1);
    CHECK(strcmp(id, ID2) == 0 && size == 200);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_sources") == 2);

    /* Odd names are stored byte for byte. */
    const char *odd = "/archive/\xff\xfe latin1 \xe9t\xe9.jpg";
    CHECK(catalog_source_add(c, ID1, odd, 1, 1, &e) == 1);
    CHECK(catalog_source_find(c, odd, id, NULL, NULL, &e) == 1 && strcmp(id, ID1) == 0);

    /* A source needs its photo. */
    err_clear(&e);
    CHECK(catalog_source_add(c, "1111111111111111", "/archive/x.jpg", 1, 1, &e) == ERR_CONFLICT);
    CHECK_MSG(strstr(e.msg, "FOREIGN KEY") != NULL && strstr(e.msg, dbpath) != NULL, "message: %s", e.msg);
    CHECK(catalog_source_find(c, "/archive/x.jpg", NULL, NULL, NULL, &e) == 0);
}

typedef struct failures {
    char path[4][64], reason[4][128];
    int n;
    int at_ok;
} failures;

static int collect_failure(const char *path, const char *reason, const char *at, void *ud)
{
    failures *f = ud;
    if (f->n < 4) {
        snprintf(f->path[f->n], sizeof f->path[0], "%s", path);
        snprintf(f->reason[f->n], sizeof f->reason[0], "%s", reason);
    }
    /* "2026-11-22T05:35:06Z" */
    f->at_ok += at && strlen(at) == 20 && at[4] == '-' && at[10] == 'T' && at[19] == 'Z';
    f->n++;
    return 0;
}

static void test_failures(catalog *c)
{
    err e = { 0 };
    CHECK(catalog_failure_put(c, "/in/zero.jpg", "empty file (0 bytes)", &e) == 0);
    CHECK(catalog_failure_put(c, "/in/bomb.png", "50000x50000 pixels exceeds --max-pixels", &e) == 0);
    CHECK(catalog_failure_put(c, "/in/zero.jpg", "not an image: unknown format", &e) == 0); /* replaces */
    failures f = { 0 };
    CHECK(catalog_failure_list(c, collect_failure, &f, &e) == 0);
    CHECK(f.n == 2 && f.at_ok == 2);
    CHECK(strcmp(f.path[0], "/in/bomb.png") == 0 && strcmp(f.path[1], "/in/zero.jpg") == 0);
    CHECK(strcmp(f.reason[1], "not an image: unknown format") == 0);
    CHECK(catalog_failure_clear(c, "/in/zero.jpg", &e) == 0);
    CHECK(catalog_failure_clear(c, "/in/never.jpg", &e) == 0);
    f = (failures){ 0 };
    CHECK(catalog_failure_list(c, collect_failure, &f, &e) == 0);
    CHECK(f.n == 1 && strcmp(f.path[0], "/in/bomb.png") == 0);
}

static void test_counts(catalog *c)
{
    err e = { 0 };
    char msg[256];
    /* Later stages' rows, written as they will write them. */
    int rc = exec_msg(c,
                      "INSERT INTO persons (id, name) VALUES (17, 'Pina Bausch'), (18, NULL), (19, '');"
                      "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, score,"
                      "  embedding, person_id) VALUES"
                      "  ('0123456789abcdef', 0, 'm1', 10, 10, 50, 50, 0.9, zeroblob(512), 17),"
                      "  ('0123456789abcdef', 1, 'm1', 80, 10, 50, 50, 0.8, NULL, NULL),"
                      "  ('fedcba9876543210', 0, 'm1', 10, 10, 50, 50, 0.7, NULL, NULL);"
                      "INSERT INTO analysis_runs (photo_id, model_version, status, faces) VALUES"
                      "  ('0123456789abcdef', 'm1', 'done', 2), ('fedcba9876543210', 'm1', 'done', 1),"
                      "  ('00000000000000aa', 'm1', 'failed', 0), ('0123456789abcdef', 'm0', 'done', 0);"
                      "INSERT INTO decisions (actor, action, photo_id, box, person_id, after) VALUES"
                      "  ('test', 'rename', '0123456789abcdef', '[10,10,50,50]', 17, '{\"name\":\"Pina Bausch\"}');"
                      "INSERT INTO places (name) VALUES ('Wuppertal Oper');"
                      "INSERT INTO events (name, year, location_id) VALUES ('Probe', 1977, 1);"
                      "INSERT INTO years (value) VALUES (1977), (1978);"
                      "INSERT INTO edges (src_type, src_id, rel, dst_type, dst_id) VALUES"
                      "  ('Foto', '0123456789abcdef', 'IN_YEAR', 'Year', '1977');",
                      msg, sizeof msg);
    CHECK_MSG(rc == SQLITE_OK, "%s", msg);
    catalog_counts n;
    CHECK(catalog_counts_get(c, &n, &e) == 0);
    CHECK_MSG(n.photos == 3 && n.sources == 3 && n.failed == 1, "photos %lld sources %lld failed %lld",
              (long long)n.photos, (long long)n.sources, (long long)n.failed);
    CHECK_MSG(n.analyzed == 2, "analyzed %lld", (long long)n.analyzed);
    CHECK(n.faces == 3 && n.unassigned_faces == 2);
    CHECK(n.persons == 3 && n.named_persons == 1);
    CHECK(n.decisions == 1 && n.events == 1 && n.places == 1 && n.years == 2);

    /* The same edge twice is one edge. */
    CHECK(exec_msg(c,
                   "INSERT INTO edges (src_type, src_id, rel, dst_type, dst_id) VALUES"
                   "  ('Foto', '0123456789abcdef', 'IN_YEAR', 'Year', '1977')",
                   NULL, 0) == SQLITE_CONSTRAINT_UNIQUE);
    /* One face number per photo and model version. */
    CHECK(exec_msg(c,
                   "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h) "
                   "VALUES ('0123456789abcdef', 0, 'm1', 1, 1, 1, 1)",
                   NULL, 0) == SQLITE_CONSTRAINT_UNIQUE);
    /* A descriptor is exactly 128 float32. */
    CHECK(exec_msg(c,
                   "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, embedding) "
                   "VALUES ('0123456789abcdef', 5, 'm1', 1, 1, 1, 1, zeroblob(511))",
                   NULL, 0) == SQLITE_CONSTRAINT_CHECK);
}

static void test_decisions_append_only(catalog *c)
{
    char msg[256];
    int64_t before = test_query_int(c, "SELECT count(*) FROM decisions");
    CHECK(exec_msg(c, "INSERT INTO decisions (actor, action, person_id) VALUES ('test', 'hide', 18)", msg,
                   sizeof msg) == SQLITE_OK);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions") == before + 1);
    int rc = exec_msg(c, "UPDATE decisions SET actor = 'mallory'", msg, sizeof msg);
    CHECK_MSG(rc == SQLITE_CONSTRAINT_TRIGGER && strstr(msg, "append-only") != NULL, "update: %d %s", rc, msg);
    rc = exec_msg(c, "DELETE FROM decisions", msg, sizeof msg);
    CHECK_MSG(rc == SQLITE_CONSTRAINT_TRIGGER && strstr(msg, "append-only") != NULL, "delete: %d %s", rc, msg);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions") == before + 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions WHERE actor = 'mallory'") == 0);
    /* The log outlives the person it names. */
    CHECK(exec_msg(c, "DELETE FROM persons WHERE id = 18", msg, sizeof msg) == SQLITE_OK);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions WHERE person_id = 18") == 1);
}

static void test_transactions(catalog *c)
{
    err e = { 0 };
    catalog_counts n0, n1;
    CHECK(catalog_counts_get(c, &n0, &e) == 0);

    /* A rollback leaves nothing. */
    CHECK(catalog_begin(c, &e) == 0);
    catalog_photo p = sample_photo("aaaaaaaaaaaaaaaa");
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    CHECK(catalog_source_add(c, p.photo_id, "/rolled/back.jpg", 5, 5, &e) == 1);
    CHECK(catalog_failure_put(c, "/rolled/bad.jpg", "truncated", &e) == 0);
    CHECK(catalog_failure_clear(c, "/in/bomb.png", &e) == 0);
    err_clear(&e);
    CHECK(catalog_begin(c, &e) == ERR_INTERNAL); /* no nesting */
    catalog_rollback(c);
    CHECK(catalog_counts_get(c, &n1, &e) == 0);
    CHECK(memcmp(&n0, &n1, sizeof n0) == 0);
    CHECK(catalog_photo_get(c, p.photo_id, NULL, &e) == 0);
    CHECK(catalog_source_find(c, "/rolled/back.jpg", NULL, NULL, NULL, &e) == 0);
    catalog_rollback(c); /* harmless without a transaction */

    /* A failed change inside a transaction undoes only itself. */
    CHECK(catalog_begin(c, &e) == 0);
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    catalog_photo bad = sample_photo("bbbbbbbbbbbbbbbb");
    bad.sidecar = "{broken";
    CHECK(catalog_photo_put(c, &bad, &e) == ERR_INVALID);
    CHECK(catalog_source_add(c, "1111111111111111", "/x.jpg", 1, 1, &e) == ERR_CONFLICT);
    CHECK(catalog_source_add(c, p.photo_id, "/committed.jpg", 5, 5, &e) == 1);
    CHECK_MSG(catalog_commit(c, &e) == 0, "%s", e.msg);
    CHECK(catalog_photo_get(c, p.photo_id, NULL, &e) == 1);
    CHECK(catalog_photo_get(c, bad.photo_id, NULL, &e) == 0);
    CHECK(catalog_source_find(c, "/committed.jpg", NULL, NULL, NULL, &e) == 1);

    /* Another connection sees what was committed. */
    catalog *other = catalog_open(dbpath, &e);
    CHECK(other != NULL);
    if (other) {
        CHECK(catalog_photo_get(other, p.photo_id, NULL, &e) == 1);
        catalog_close(other);
    }
}

static void test_foreign_keys(catalog *c)
{
    char msg[256];
    CHECK(exec_msg(c,
                   "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h) "
                   "VALUES ('9999999999999999', 0, 'm1', 1, 1, 1, 1)",
                   msg, sizeof msg) == SQLITE_CONSTRAINT_FOREIGNKEY);
    CHECK(exec_msg(c, "UPDATE faces SET person_id = 4242 WHERE face_no = 1", msg, sizeof msg) ==
          SQLITE_CONSTRAINT_FOREIGNKEY);
    /* Removing a person unassigns its faces; removing a photo removes its rows. */
    CHECK(exec_msg(c, "DELETE FROM persons WHERE id = 17", msg, sizeof msg) == SQLITE_OK);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE person_id IS NULL") == 3);
    CHECK(exec_msg(c, "DELETE FROM photos WHERE photo_id = 'fedcba9876543210'", msg, sizeof msg) == SQLITE_OK);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE photo_id = 'fedcba9876543210'") == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_sources WHERE photo_id = 'fedcba9876543210'") == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM analysis_runs WHERE photo_id = 'fedcba9876543210'") == 0);
}

/* A new catalog file dir/name (its path in path) at schema 2, as facetag
 * left it before persons.id had AUTOINCREMENT; a raw connection. */
static sqlite3 *open_v2(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    sqlite3 *db = NULL;
    err e = { 0 };
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK_MSG(catalog_schema_migrate_to(db, path, 2, &e) == 0, "%s", e.msg);
    return db;
}

/* What the migration must keep, as one text per table. */
static const char *const KEPT[] = {
    "SELECT group_concat(id || '|' || ifnull(name, '-') || '|' || hidden || '|' || created_at || '|' || "
    "updated_at, ';') FROM (SELECT * FROM persons ORDER BY id)",
    "SELECT group_concat(id || '|' || ifnull(person_id, '-') || '|' || status, ';') FROM (SELECT * FROM faces "
    "ORDER BY id)",
    "SELECT group_concat(id || '|' || person_id || '|' || label, ';') FROM (SELECT * FROM person_suggestions "
    "ORDER BY id)",
    "SELECT group_concat(id || '|' || action || '|' || ifnull(person_id, '-'), ';') FROM (SELECT * FROM "
    "decisions ORDER BY id)",
};
enum { NKEPT = sizeof KEPT / sizeof *KEPT };

/* A catalog an older facetag (schema 2, persons.id without AUTOINCREMENT)
 * left: the migration keeps every row, id, foreign key and index, and from then
 * on no person id comes back — not that of a person deleted before the
 * migration and still named in the decision log, nor a later one's. */
static void test_migrate_person_ids(const char *dir)
{
    char path[700];
    sqlite3 *db = open_v2(dir, "v2.sqlite", path, sizeof path);
    err e = { 0 };
    CHECK(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK);
    const char *fill =
        "INSERT INTO photos (photo_id, sha256, format, incoming_key, bytes, width, height, orig_width, orig_height) "
        "  VALUES ('0123456789abcdef', '" /* 64 hex digits */
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'jpeg', 'k.jpg', 1, 10, 10, 10, 10);"
        "INSERT INTO persons (id, name, hidden, created_at, updated_at) VALUES"
        "  (1, 'Pina', 0, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'), (2, NULL, 1, '2026-01-03T00:00:00Z', "
        "  '2026-01-04T00:00:00Z'), (3, NULL, 0, '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z'),"
        "  (6, 'Dominique', 0, '2026-01-07T00:00:00Z', '2026-01-08T00:00:00Z');"
        "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, person_id, status) VALUES"
        "  ('0123456789abcdef', 0, 'm', 1, 1, 2, 2, 1, 'confirmed'),"
        "  ('0123456789abcdef', 1, 'm', 4, 1, 2, 2, 6, 'unreviewed'),"
        "  ('0123456789abcdef', 2, 'm', 7, 1, 2, 2, NULL, 'rejected');"
        "INSERT INTO person_suggestions (person_id, label, confidence, source) VALUES (3, 'Pina?', 0.5, 'rules');"
        /* 9 was merged away (highest id ever), 8 left by a rejection */
        "INSERT INTO decisions (actor, action, person_id, before, after) VALUES"
        "  ('local', 'merge', 6, '{\"persons\": [6, 9]}', '{\"person_id\": 6, \"faces\": [41, 42]}'),"
        "  ('local', 'reject', NULL, '{\"person_id\": 8}', '{\"person_id\": null}'),"
        "  ('local', 'rename', 1, '{\"name\": null}', '{\"name\": \"Pina\"}');";
    test_raw_exec(db, fill);
    char *before[NKEPT];
    test_read_texts(db, KEPT, before, NKEPT);
    sqlite3_close(db);

    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
        test_check_texts(catalog_sqlite(c), KEPT, before, NKEPT, "migrated");
        CHECK(test_query_int(
                  c, "SELECT count(*) FROM sqlite_schema WHERE name = 'persons' AND sql LIKE '%AUTOINCREMENT%'") == 1);
        CHECK(test_query_int(c, "SELECT count(*) FROM sqlite_schema WHERE name IN ('persons_name', 'persons_new')") ==
              1);
        CHECK(test_query_int(c, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
        CHECK(test_query_int(c, "PRAGMA foreign_keys") == 1);
        /* The foreign keys still act on the rebuilt table. */
        CHECK(exec_msg(c, "UPDATE faces SET person_id = 4 WHERE face_no = 2", NULL, 0) == SQLITE_CONSTRAINT_FOREIGNKEY);
        CHECK(exec_msg(c, "DELETE FROM persons WHERE id = 6", NULL, 0) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE person_id IS NULL") == 2);
        CHECK(exec_msg(c, "DELETE FROM persons WHERE id = 3", NULL, 0) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions") == 0);
        /* Never again an id that was used: not 6 (deleted just now), not 9 (merged
         * away before the migration), not the one deleted after that. */
        CHECK(exec_msg(c, "INSERT INTO persons DEFAULT VALUES", NULL, 0) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT max(id) FROM persons") == 10);
        CHECK(exec_msg(c, "DELETE FROM persons WHERE id = 10", NULL, 0) == SQLITE_OK);
        CHECK(exec_msg(c, "INSERT INTO persons (name) VALUES ('Nazareth')", NULL, 0) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT id FROM persons WHERE name = 'Nazareth'") == 11);
        catalog_close(c);
    }
    test_free_texts(before, NKEPT);
}

/* A migration that fails leaves the catalog as it was (one transaction): here a
 * face that points at a person who does not exist (written with foreign keys
 * off) stops the rebuild at the foreign-key check, named in the message. */
static void test_migrate_rolls_back(const char *dir)
{
    char path[700];
    sqlite3 *db = open_v2(dir, "v2-broken.sqlite", path, sizeof path);
    err e = { 0 };
    CHECK(sqlite3_exec(db,
                       "PRAGMA foreign_keys = OFF;"
                       "INSERT INTO photos (photo_id, sha256, format, incoming_key, bytes, width, height, "
                       "  orig_width, orig_height) VALUES ('0123456789abcdef', "
                       "  '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'jpeg', 'k.jpg', 1, "
                       "  10, 10, 10, 10);"
                       "INSERT INTO persons (id) VALUES (1);"
                       "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, person_id) "
                       "  VALUES ('0123456789abcdef', 0, 'm', 1, 1, 2, 2, 77);",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(catalog_open(path, &e) == NULL);
    CHECK_MSG(e.code == ERR_CONFLICT && strstr(e.msg, "2 -> 3") && strstr(e.msg, "faces") && strstr(e.msg, "persons"),
              "%d %s", e.code, e.msg);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    char *v = test_raw_text(db, "PRAGMA user_version"),
         *persons = test_raw_text(db, "SELECT sql FROM sqlite_schema WHERE "
                                      "name = 'persons'");
    CHECK(v && strcmp(v, "2") == 0);
    CHECK(persons && !strstr(persons, "AUTOINCREMENT"));
    free(v);
    free(persons);
    sqlite3_close(db);
}

/* On a fresh catalog too, the newest person deleted leaves its id unused. */
static void test_person_ids_not_reused(catalog *c)
{
    CHECK(exec_msg(c, "INSERT INTO persons (name) VALUES ('first')", NULL, 0) == SQLITE_OK);
    int64_t top = test_query_int(c, "SELECT max(id) FROM persons");
    CHECK(exec_msg(c, "DELETE FROM persons WHERE id = (SELECT max(id) FROM persons)", NULL, 0) == SQLITE_OK);
    CHECK(exec_msg(c, "INSERT INTO persons (name) VALUES ('second')", NULL, 0) == SQLITE_OK);
    CHECK(test_query_int(c, "SELECT id FROM persons WHERE name = 'second'") == top + 1);
}

static void test_open_errors(const char *dir)
{
    err e = { 0 };
    /* Not a database. */
    char path[700];
    snprintf(path, sizeof path, "%s/notadb.sqlite", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        for (int i = 0; i < 200; i++)
            fputs("this is not an SQLite file. ", f);
        fclose(f);
    }
    CHECK(catalog_open(path, &e) == NULL);
    CHECK_MSG(e.code == ERR_FORMAT && strstr(e.msg, "notadb.sqlite") != NULL, "%d %s", e.code, e.msg);
    /* In a folder that does not exist. */
    snprintf(path, sizeof path, "%s/no/such/dir/catalog.sqlite", dir);
    err_clear(&e);
    CHECK(catalog_open(path, &e) == NULL);
    CHECK_MSG(e.code == ERR_IO && strstr(e.msg, "no/such/dir") != NULL, "%d %s", e.code, e.msg);
    err_clear(&e);
    CHECK(catalog_open("", &e) == NULL && e.code == ERR_INVALID);

    /* Written by a newer facetag. */
    snprintf(path, sizeof path, "%s/newer.sqlite", dir);
    catalog *c = catalog_open(path, &e);
    CHECK(c != NULL);
    if (c) {
        CHECK(exec_msg(c, "PRAGMA user_version = 99", NULL, 0) == SQLITE_OK);
        catalog_close(c);
    }
    err_clear(&e);
    CHECK(catalog_open(path, &e) == NULL);
    CHECK_MSG(e.code == ERR_FORMAT && strstr(e.msg, "99") != NULL && strstr(e.msg, "newer.sqlite") != NULL, "%s",
              e.msg);
}

/* Several processes opening a fresh catalog at once: one migrates, the others
 * wait for it (busy timeout) and then write side by side without errors. */
static void test_concurrent_processes(const char *base)
{
    char path[700];
    snprintf(path, sizeof path, "%s/concurrent.sqlite", base);
    enum { NPROC = 4, PER = 50 };
    pid_t kids[NPROC];
    for (int k = 0; k < NPROC; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            err e = { 0 };
            catalog *c = catalog_open(path, &e);
            if (!c) {
                fprintf(stderr, "child %d: %s\n", k, e.msg);
                _exit(1);
            }
            for (int i = 0; i < PER; i++) {
                char id[32], src[64];
                snprintf(id, sizeof id, "%08x%08x", k, i);
                catalog_photo p = sample_photo(id);
                snprintf(src, sizeof src, "/in/%d/%d.jpg", k, i);
                if (catalog_photo_put(c, &p, &e) != 1 || catalog_source_add(c, id, src, 1, 1, &e) != 1) {
                    fprintf(stderr, "child %d: %s\n", k, e.msg);
                    _exit(1);
                }
            }
            catalog_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < NPROC; k++) {
        int status = -1;
        waitpid(kids[k], &status, 0);
        CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed", k);
    }
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK(c != NULL);
    if (c) {
        catalog_counts n;
        CHECK(catalog_counts_get(c, &n, &e) == 0 && n.photos == NPROC * PER && n.sources == NPROC * PER);
        CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
        catalog_close(c);
    }
}

/* The data folder: readers never create one; ingest does. */
static void test_datadir(const char *base)
{
    err e = { 0 };
    char dir[700], path[800];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/data", base);
    objstore *s = (objstore *)&e; /* must be reset to NULL on failure */
    catalog *c = (catalog *)&e;
    CHECK(datadir_open(dir, 0, &s, &c, &e) == ERR_NOTFOUND);
    CHECK(s == NULL && c == NULL);
    CHECK_MSG(strstr(e.msg, "no facetag data at") && strstr(e.msg, dir) && strstr(e.msg, "facetag ingest"), "%s",
              e.msg);
    CHECK(stat(dir, &st) != 0); /* nothing created */

    CHECK_MSG(datadir_open(dir, 1, &s, &c, &e) == 0, "%s", e.msg);
    CHECK(s != NULL && c != NULL);
    snprintf(path, sizeof path, "%s/" DATADIR_CATALOG, dir);
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    snprintf(path, sizeof path, "%s/" DATADIR_OBJECTS "/incoming", dir);
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    if (c)
        CHECK(strcmp(catalog_path(c), path) != 0 && strstr(catalog_path(c), "/data/catalog.sqlite") != NULL);
    objstore_close(s);
    catalog_close(c);

    /* Now a reader finds it; either half may be opened alone. */
    CHECK(datadir_open(dir, 0, NULL, &c, &e) == 0 && c != NULL);
    catalog_close(c);
    CHECK(datadir_open(dir, 0, &s, NULL, &e) == 0 && s != NULL);
    objstore_close(s);

    /* A folder without a catalog is not facetag data either. */
    snprintf(dir, sizeof dir, "%s/empty", base);
    mkdir(dir, 0755);
    CHECK(datadir_open(dir, 0, NULL, &c, &e) == ERR_NOTFOUND);
    snprintf(path, sizeof path, "%s/" DATADIR_CATALOG, dir);
    CHECK(stat(path, &st) != 0);
}

int main(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("catalog"));
    snprintf(dbpath, sizeof dbpath, "%s/catalog.sqlite", dir);
    test_open_and_migrate();
    err e = { 0 };
    catalog *c = catalog_open(dbpath, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        test_photos(c);
        test_sources(c);
        test_failures(c);
        test_counts(c);
        test_decisions_append_only(c);
        test_transactions(c);
        test_foreign_keys(c);
        test_person_ids_not_reused(c);
        catalog_close(c);
    }
    test_open_errors(dir);
    test_migrate_person_ids(dir);
    test_migrate_rolls_back(dir);
    test_datadir(dir);
    test_concurrent_processes(dir);
    test_rmtree(dir);
    return test_main_end();
}
