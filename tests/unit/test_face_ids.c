/* test_face_ids.c — a face id names one face, forever (schema 19).
 *
 * What names faces by plain number outlives the face: the decision log's
 * face_id (people_store.h replays 'reject' and 'confirm' rows by it, before
 * the box), a name rejection's faces, a video track's id, an annotation file.
 * So an id must never be given to another face:
 *   - re-analysis: the newest photo analysed again (its faces had the highest
 *     ids) gets faces with new ids; no decision, name rejection or replayed
 *     rejection attaches to them; a photo removed likewise;
 *   - migration 18 -> 19 (faces rebuilt with AUTOINCREMENT) keeps every row,
 *     id, index, trigger and foreign key, and starts above every face id the
 *     catalog still names (also of faces deleted before it);
 *   - a migration that fails, or a process killed (SIGKILL) at any point of
 *     it, leaves schema 18 whole, and the next open migrates. */
#include "store/catalog.h"
#include "store/catalog_decide.h"
#include "store/catalog_internal.h"
#include "store/people_store.h"
#include "store/persons.h"
#include "testutil.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *PA = "aaaaaaaaaaaaaaaa", *PB = "bbbbbbbbbbbbbbbb", *PC = "cccccccccccccccc";

/* Records an analysis of photo with faces at x[0..n) (100 x 120 boxes);
 * their ids in ids[]. */
static void analyse(catalog *c, const char *photo, const double *x, size_t n, int64_t *ids)
{
    catalog_face f[4];
    memset(f, 0, sizeof f);
    for (size_t i = 0; i < n; i++) {
        snprintf(f[i].photo_id, sizeof f[i].photo_id, "%s", photo);
        f[i].face_no = (int)i;
        snprintf(f[i].model_version, sizeof f[i].model_version, "m1");
        f[i].box[0] = x[i];
        f[i].box[1] = 20;
        f[i].box[2] = 100;
        f[i].box[3] = 120;
        f[i].score = 0.9;
        snprintf(f[i].source, sizeof f[i].source, "detector");
    }
    err e = { 0 };
    CHECK_MSG(catalog_analysis_record(c, photo, "m1", f, n, NULL, 0, &e) == 0, "%s", e.msg);
    for (size_t i = 0; i < n; i++)
        ids[i] = f[i].id;
}

static int64_t qi(catalog *c, const char *fmt, long long a)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, a);
    return test_query_int(c, sql);
}

/* Nothing that names a face by number names any of the faces new[0..n). */
static void check_new_faces_unnamed(catalog *c, const int64_t *fresh, size_t n, int64_t above, const char *when)
{
    for (size_t i = 0; i < n; i++) {
        long long id = (long long)fresh[i];
        CHECK_MSG(fresh[i] > above, "%s: new face %lld took an id <= %lld, used before", when, id, (long long)above);
        CHECK_MSG(qi(c, "SELECT count(*) FROM decisions WHERE face_id = %lld", id) == 0,
                  "%s: %lld decision rows of an earlier face now point at new face %lld", when,
                  (long long)qi(c, "SELECT count(*) FROM decisions WHERE face_id = %lld", id), id);
        CHECK_MSG(qi(c, "SELECT count(*) FROM name_rejection_faces WHERE face_id = %lld", id) == 0,
                  "%s: a name rejection of an earlier face now holds for new face %lld", when, id);
    }
    /* and cluster's replay of the log gives none of them a rejection */
    people_set s;
    err e = { 0 };
    CHECK_MSG(people_store_load(c, "m1", &s, &e) == 0, "%s", e.msg);
    for (size_t k = 0; k < s.nrejects; k++)
        for (size_t i = 0; i < n; i++)
            CHECK_MSG(s.faces[s.rejects[k].face].id != fresh[i],
                      "%s: the rejection of an earlier face from person %lld holds for new face %lld", when,
                      (long long)s.rejects[k].person, (long long)fresh[i]);
    people_set_free(&s);
}

/* The newest photo analysed again, and a photo removed: new faces, new ids. */
static void test_reanalysis(const char *dir)
{
    char path[700];
    snprintf(path, sizeof path, "%s/reanalysis.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    test_put_photo(c, PA, 1000, 1000);
    test_put_photo(c, PB, 1000, 1000);
    static const double left_right[] = { 10, 300 };
    int64_t a[2], b[2];
    analyse(c, PA, left_right, 2, a);
    analyse(c, PB, left_right, 2, b);
    /* P: a0 and b1, its name "Alma" rejected (held by its faces); Q: b0,
     * named, then b0 rejected from it (Q stays: it has a name). */
    int64_t p = 0, q = 0;
    CHECK_MSG(persons_confirm_face(c, "test", a[0], 0, &p, &e) == 0, "%s", e.msg);
    CHECK_MSG(persons_confirm_face(c, "test", b[1], p, NULL, &e) == 0, "%s", e.msg);
    char sql[256];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO person_suggestions (person_id, label, confidence, source) VALUES (%lld, 'Alma', 0.5, 'rules')",
        (long long)p);
    CHECK(sqlite3_exec(catalog_sqlite(c), sql, NULL, NULL, NULL) == SQLITE_OK);
    bool changed = false;
    CHECK_MSG(catalog_decide_suggestion(c, "test", p, 0, "Alma", false, &changed, &e) == 0 && changed, "%s", e.msg);
    CHECK(qi(c, "SELECT count(*) FROM name_rejection_faces WHERE face_id = %lld", (long long)b[1]) == 1);
    CHECK_MSG(persons_confirm_face(c, "test", b[0], 0, &q, &e) == 0, "%s", e.msg);
    CHECK_MSG(persons_rename(c, "test", q, "Quinn", &e) == 0, "%s", e.msg);
    CHECK_MSG(persons_reject_face(c, "test", b[0], &e) == 0, "%s", e.msg);
    people_set s;
    CHECK_MSG(people_store_load(c, "m1", &s, &e) == 0, "%s", e.msg);
    CHECK_MSG(s.nrejects == 1 && s.faces[s.rejects[0].face].id == b[0] && s.rejects[0].person == q,
              "before: %zu rejections", s.nrejects);
    people_set_free(&s);

    /* PB analysed again (after a flip, say): its faces elsewhere now, none over
     * the old spots, so nothing is carried over. */
    int64_t top = b[1];
    static const double elsewhere[] = { 600, 800 };
    int64_t fresh[2];
    analyse(c, PB, elsewhere, 2, fresh);
    check_new_faces_unnamed(c, fresh, 2, top, "re-analysis");

    /* The newest photo removed, another analysed. */
    top = fresh[1];
    CHECK(sqlite3_exec(catalog_sqlite(c), "DELETE FROM photos WHERE photo_id = 'bbbbbbbbbbbbbbbb'", NULL, NULL, NULL) ==
          SQLITE_OK);
    test_put_photo(c, PC, 1000, 1000);
    int64_t other[2];
    analyse(c, PC, left_right, 2, other);
    check_new_faces_unnamed(c, other, 2, top, "photo removed");
    catalog_close(c);
}

/* ---- migration 18 -> 19 ------------------------------------------------------ */

/* What the migration must keep, one text each: every table that holds or
 * names faces, and every schema object but the faces table's own text. */
static const char *const KEPT[] = {
    "SELECT group_concat(quote(id) || quote(photo_id) || quote(face_no) || quote(model_version) || quote(box_x) || "
    "quote(box_y) || quote(box_w) || quote(box_h) || quote(score) || quote(landmarks) || quote(points68) || "
    "quote(embedding) || quote(age) || quote(gender) || quote(gender_probability) || quote(expressions) || "
    "quote(person_id) || quote(source) || quote(created_at) || quote(status) || quote(cluster_run), ';') "
    "FROM (SELECT * FROM faces ORDER BY id)",
    "SELECT group_concat(id || '|' || face_id || '|' || label || '|' || status, ';') FROM (SELECT * FROM "
    "face_suggestions ORDER BY id)",
    "SELECT group_concat(face_id || '|' || track_id || '|' || video_id, ';') FROM (SELECT * FROM face_tracks "
    "ORDER BY face_id)",
    "SELECT group_concat(photo_id || '|' || region_no || '|' || ifnull(face_id, '-') || '|' || status, ';') FROM "
    "(SELECT * FROM xmp_regions ORDER BY photo_id, region_no)",
    "SELECT group_concat(id || '|' || action || '|' || ifnull(face_id, '-') || '|' || ifnull(before, '-'), ';') "
    "FROM (SELECT * FROM decisions ORDER BY id)",
    "SELECT group_concat(rejection_id || '|' || face_id, ';') FROM name_rejection_faces",
    "SELECT group_concat(photo_id || '|' || person_id || '|' || ifnull(age, '-'), ';') FROM (SELECT * FROM "
    "photo_persons ORDER BY photo_id, person_id)",
    "SELECT group_concat(type || '|' || name || '|' || tbl_name || '|' || ifnull(sql, '-'), ';') FROM "
    "(SELECT * FROM sqlite_schema WHERE name NOT IN ('faces', 'sqlite_sequence') ORDER BY type, name)",
};
enum { NKEPT = sizeof KEPT / sizeof *KEPT };

/* A catalog file dir/name (path in path) at schema 18, as facetag left it
 * before faces.id had AUTOINCREMENT: photos A (two faces, ids 1 and 2) and a
 * video frame V1 of video V (a face, id 3, tracked with face 2's track); the
 * faces once numbered 7 (a decision's), 8 (a name rejection's) and 9 (a
 * split's before.faces) are gone. */
static void make_v18(const char *dir, const char *name, char *path, size_t size, bool broken)
{
    snprintf(path, size, "%s/%s", dir, name);
    unlink(path);
    sqlite3 *db = NULL;
    err e = { 0 };
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK_MSG(catalog_schema_migrate_to(db, path, 18, &e) == 0, "%s", e.msg);
    CHECK(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) == SQLITE_OK);
#define PHOTO(id) "('" id "', '" id id id id "', 'jpeg', '" id ".jpg', 1, 1000, 1000, 1000, 1000)"
    const char *fill =
        "INSERT INTO photos (photo_id, sha256, format, incoming_key, bytes, width, height, orig_width, orig_height) "
        "VALUES " PHOTO("aaaaaaaaaaaaaaaa") ", " PHOTO("1111111111111111") ", " PHOTO(
            "2222222222222222") ";"
                                "INSERT INTO persons (id, name) VALUES (1, 'Pina'), (2, NULL);"
                                "INSERT INTO cluster_runs (id, model_version, algo, full, faces, assigned, persons, "
                                "seconds) "
                                "  VALUES (1, 'm', 'average', 1, 3, 2, 2, 0.5);"
                                "INSERT INTO analysis_runs (photo_id, model_version, status, faces) VALUES "
                                "('aaaaaaaaaaaaaaaa', 'm', 'done', 2),"
                                "  ('2222222222222222', 'm', 'done', 1);"
                                "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, "
                                "score, landmarks, "
                                "  embedding, age, gender, person_id, status, cluster_run) VALUES"
                                "  ('aaaaaaaaaaaaaaaa', 0, 'm', 1, 1, 2, 2, 0.9, '{\"nose\": [1, 2]}', zeroblob(512), "
                                "31.5, 'female', 1, "
                                "   'confirmed', 1),"
                                "  ('aaaaaaaaaaaaaaaa', 1, 'm', 4, 1, 2, 2, 0.8, NULL, NULL, NULL, NULL, 2, "
                                "'unreviewed', 1),"
                                "  ('2222222222222222', 0, 'm', 7, 1, 2, 2, 0.7, NULL, NULL, 40, 'male', NULL, "
                                "'rejected', NULL);"
                                "INSERT INTO photo_frames (photo_id, parent_id, kind, frame_no, time_ms) VALUES "
                                "  ('2222222222222222', '1111111111111111', 'video', 1, 0);"
                                "INSERT INTO face_tracks (face_id, track_id, video_id) VALUES (2, 2, "
                                "'1111111111111111'), "
                                "  (3, 2, '1111111111111111');"
                                "INSERT INTO face_suggestions (face_id, label, confidence, source) VALUES (3, 'Otto?', "
                                "0.5, 'rules');"
                                "INSERT INTO xmp_regions (photo_id, region_no, name, x, y, w, h, kind, origin, status, "
                                "face_id) VALUES "
                                "  ('2222222222222222', 0, 'Otto', 7, 1, 2, 2, 'mwg', 'sidecar', 'matched', 3);"
                                "INSERT INTO decisions (actor, action, photo_id, box, face_id, person_id, before, "
                                "after) VALUES"
                                "  ('local', 'confirm', 'aaaaaaaaaaaaaaaa', '[1, 1, 2, 2]', 1, 1, '{\"person_id\": "
                                "null}', "
                                "   '{\"person_id\": 1}'),"
                                "  ('local', 'reject', 'aaaaaaaaaaaaaaaa', '[9, 9, 2, 2]', 7, 1, '{\"person_id\": 1}', "
                                "   '{\"person_id\": null}'),"
                                "  ('local', 'split', NULL, NULL, NULL, 2, '{\"person_id\": 1, \"faces\": [9]}', "
                                "'{\"person_id\": 2}');"
                                "INSERT INTO name_rejections (id, label, person_id) VALUES (1, 'Pina', 1);"
                                "INSERT INTO name_rejection_faces (rejection_id, face_id) VALUES (1, 1), (1, 8);";
    test_raw_exec(db, fill);
    if (broken) /* a face of a person that does not exist, written with foreign keys off */
        CHECK(sqlite3_exec(db,
                           "PRAGMA foreign_keys = OFF;"
                           "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, "
                           "  person_id) VALUES ('aaaaaaaaaaaaaaaa', 5, 'm', 20, 1, 2, 2, 77);",
                           NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static void check_still_v18(const char *path, char *const *before, const char *when)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    char *v = test_raw_text(db, "PRAGMA user_version"),
         *faces = test_raw_text(db, "SELECT sql FROM sqlite_schema WHERE "
                                    "name = 'faces'");
    CHECK_MSG(v && strcmp(v, "18") == 0, "%s: schema %s, want 18", when, v ? v : "?");
    CHECK_MSG(faces && !strstr(faces, "AUTOINCREMENT"), "%s: faces half rebuilt", when);
    char *left = test_raw_text(db, "SELECT name FROM sqlite_schema WHERE name = 'faces_new'");
    CHECK_MSG(left == NULL, "%s: faces_new left", when);
    free(left);
    if (before)
        test_check_texts(db, KEPT, before, NKEPT, when);
    free(v);
    free(faces);
    sqlite3_close(db);
}

static void read_kept(const char *path, char *out[NKEPT])
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    test_read_texts(db, KEPT, out, NKEPT);
    sqlite3_close(db);
}

static void test_migrate(const char *dir)
{
    char path[700];
    make_v18(dir, "v18.sqlite", path, sizeof path, false);
    char *before[NKEPT];
    read_kept(path, before);
    err e = { 0 };
    /* migration 19 alone keeps everything (later ones change other objects) */
    sqlite3 *raw = NULL;
    CHECK(sqlite3_open(path, &raw) == SQLITE_OK);
    CHECK_MSG(catalog_schema_migrate_to(raw, path, 19, &e) == 0, "%s", e.msg);
    test_check_texts(raw, KEPT, before, NKEPT, "migrated to 19");
    sqlite3_close(raw);
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
        CHECK(test_query_int(c, "SELECT count(*) FROM sqlite_schema WHERE name = 'faces' AND sql LIKE "
                                "'%AUTOINCREMENT%'") == 1);
        CHECK(test_query_int(c, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'faces' AND type = 'index'") ==
              5); /* four made, one for UNIQUE */
        CHECK(test_query_int(c, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'faces' AND type = 'trigger'") ==
              4); /* photo_persons' three, annotate_inputs' one (schema 24) */
        CHECK(test_query_int(c, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
        CHECK(test_query_int(c, "PRAGMA foreign_keys") == 1);
        sqlite3 *db = catalog_sqlite(c);
        /* the triggers act: person 2 hidden leaves photo A's persons, a face
         * assigned joins them */
        CHECK(sqlite3_exec(db, "UPDATE persons SET hidden = 1 WHERE id = 2", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM photo_persons WHERE person_id = 2") == 0);
        CHECK(sqlite3_exec(db, "UPDATE faces SET person_id = 1, status = 'unreviewed' WHERE id = 3", NULL, NULL,
                           NULL) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM photo_persons WHERE photo_id = '2222222222222222' AND "
                                "person_id = 1") == 1);
        /* the foreign keys act on the rebuilt table, both ways */
        CHECK(sqlite3_exec(db, "UPDATE faces SET person_id = 99 WHERE id = 3", NULL, NULL, NULL) ==
              SQLITE_CONSTRAINT_FOREIGNKEY);
        CHECK(sqlite3_exec(db, "DELETE FROM faces WHERE id = 3", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM face_suggestions") == 0);
        CHECK(test_query_int(c, "SELECT count(*) FROM face_tracks WHERE face_id = 3") == 0);
        CHECK(test_query_int(c, "SELECT count(*) FROM xmp_regions WHERE face_id IS NULL") == 1);
        CHECK(sqlite3_exec(db, "DELETE FROM cluster_runs", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE cluster_run IS NOT NULL") == 0);
        /* never an id the catalog has named: not 3 (deleted now), not 7, 8, 9
         * (gone before the migration, still named), not one deleted later */
        const char *ins = "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h) "
                          "VALUES ('aaaaaaaaaaaaaaaa', 9, 'm', 50, 1, 2, 2)";
        CHECK(sqlite3_exec(db, ins, NULL, NULL, NULL) == SQLITE_OK);
        CHECK_MSG(sqlite3_last_insert_rowid(db) == 10, "first new face id %lld, want 10",
                  (long long)sqlite3_last_insert_rowid(db));
        CHECK(sqlite3_exec(db, "DELETE FROM faces WHERE id = 10", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_exec(db, ins, NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_last_insert_rowid(db) == 11);
        catalog_close(c);
    }
    test_free_texts(before, NKEPT);
}

/* The migration fails (a broken foreign key found by its check): schema 18
 * stays, named in the message. */
static void test_migrate_rolls_back(const char *dir)
{
    char path[700];
    make_v18(dir, "v18-broken.sqlite", path, sizeof path, true);
    char *before[NKEPT];
    read_kept(path, before);
    err e = { 0 };
    CHECK(catalog_open(path, &e) == NULL);
    CHECK_MSG(e.code == ERR_CONFLICT && strstr(e.msg, "18 -> 19") && strstr(e.msg, "faces") && strstr(e.msg, "persons"),
              "%d %s", e.code, e.msg);
    check_still_v18(path, before, "failed migration");
    test_free_texts(before, NKEPT);
}

/* The process killed (SIGKILL) at the k-th step of SQLite's virtual machine
 * inside the migration, for k doubling until it finishes: every kill leaves
 * schema 18 whole, and opening the catalog then migrates it. Deterministic:
 * the kill comes from SQLite's progress callback, not from a timer. */
static long kill_at;
static long steps;
static int kill_here(void *ud)
{
    (void)ud;
    if (++steps == kill_at)
        raise(SIGKILL);
    return 0;
}

static void test_migrate_killed(const char *dir)
{
    char path[700];
    make_v18(dir, "v18-kill.sqlite", path, sizeof path, false);
    char *before[NKEPT];
    read_kept(path, before);
    int kills = 0;
    bool finished = false;
    for (kill_at = 1; !finished && kill_at < (1L << 24); kill_at *= 2) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            sqlite3 *db = NULL;
            if (sqlite3_open(path, &db) != SQLITE_OK)
                _exit(2);
            steps = 0;
            sqlite3_progress_handler(db, 1, kill_here, NULL);
            err e = { 0 };
            _exit(catalog_schema_migrate_to(db, path, 19, &e) == 0 ? 0 : 3);
        }
        int status = 0;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
            kills++;
            char when[64];
            snprintf(when, sizeof when, "killed at step %ld", kill_at);
            check_still_v18(path, before, when);
        } else {
            CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "migration child: status %d", status);
            finished = true;
        }
    }
    CHECK_MSG(finished && kills >= 10, "%d kills, finished %d", kills, finished);
    printf("migration 18 -> 19 killed %d times at doubling steps, then finished\n", kills);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    test_check_texts(db, KEPT, before, NKEPT, "migrated to 19 after the kills");
    sqlite3_close(db);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) { /* and on to the newest schema, the faces as they were */
        CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
        test_check_texts(catalog_sqlite(c), KEPT, before, 1, "newest schema after the kills");
        catalog_close(c);
    }
    test_free_texts(before, NKEPT);
}

int main(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("face-ids"));
    test_reanalysis(dir);
    test_migrate(dir);
    test_migrate_rolls_back(dir);
    test_migrate_killed(dir);
    test_rmtree(dir);
    return test_main_end();
}
