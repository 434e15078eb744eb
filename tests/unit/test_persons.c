/* test_persons.c — people's decisions on a real SQLite catalog: every action of
 * store/persons.h changes faces/persons as documented, keeps faces.status in
 * step and appends exactly the documented decision rows; unknown ids, bad
 * arguments and contradictions fail with the documented code and change
 * nothing; the log stays append-only. */
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/persons.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t qi(catalog *c, const char *fmt, long long a)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, a);
    return test_query_int(c, sql);
}

/* One column of a query as text ("NULL" for NULL), in buf. */
static const char *qt(catalog *c, char *buf, size_t size, const char *fmt, long long a)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, a);
    sqlite3_stmt *st = NULL;
    snprintf(buf, size, "(no row)");
    if (sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *s = sqlite3_column_text(st, 0);
        snprintf(buf, size, "%s", s ? (const char *)s : "NULL");
    }
    sqlite3_finalize(st);
    return buf;
}

/* Decision row `id` as
 * "actor|action|photo_id|box|face_id|person_id|before|after". */
static const char *decision(catalog *c, int64_t id)
{
    static char buf[1024];
    return qt(c, buf, sizeof buf,
              "SELECT actor || '|' || action || '|' || ifnull(photo_id, '-') || "
              "'|' || ifnull(box, '-') || '|' || "
              "ifnull(face_id, '-') || '|' || ifnull(person_id, '-') || '|' || "
              "ifnull(before, '-') || '|' || "
              "ifnull(after, '-') FROM decisions WHERE id = %lld",
              (long long)id);
}

static int64_t last_decision(catalog *c)
{
    return test_query_int(c, "SELECT ifnull(max(id), 0) FROM decisions");
}

static const char *PA = "aaaaaaaaaaaaaaaa", *PB = "bbbbbbbbbbbbbbbb", *PC = "cccccccccccccccc",
                  *PD = "dddddddddddddddd";

static int64_t add_face(catalog *c, const char *photo, int face_no, double x, const char *source)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, "
             "box_w, box_h, score, source) "
             "VALUES ('%s', %d, 'm1', %g, 20, 100, 120, 0.9, '%s')",
             photo, face_no, x, source);
    char *m = NULL;
    int rc = sqlite3_exec(catalog_sqlite(c), sql, NULL, NULL, &m);
    CHECK_MSG(rc == SQLITE_OK, "%s", m ? m : "");
    sqlite3_free(m);
    return sqlite3_last_insert_rowid(catalog_sqlite(c));
}

static int64_t person_of(catalog *c, int64_t face)
{
    return qi(c, "SELECT ifnull(person_id, 0) FROM faces WHERE id = %lld", face);
}

static const char *status_of(catalog *c, int64_t face)
{
    static char buf[32];
    return qt(c, buf, sizeof buf, "SELECT status FROM faces WHERE id = %lld", (long long)face);
}

static int64_t a0, a1, b0, c0, d0, m0;

static void test_confirm(catalog *c)
{
    err e = { 0 };
    int64_t p1 = 0, before = last_decision(c);
    CHECK_MSG(persons_confirm_face(c, NULL, a0, 0, &p1, &e) == 0, "%s", e.msg);
    CHECK(p1 > 0 && person_of(c, a0) == p1);
    CHECK(strcmp(status_of(c, a0), "confirmed") == 0);
    CHECK(last_decision(c) == before + 1);
    char want[512];
    snprintf(want, sizeof want,
             "local|confirm|%s|[10.0,20.0,100.0,120.0]|%lld|%lld|{\"person_id\":"
             "null}|{\"person_id\":%lld}",
             PA, (long long)a0, (long long)p1, (long long)p1);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s want %s", decision(c, before + 1), want);

    /* A second face of the same photo: conflict, nothing changes. */
    before = last_decision(c);
    CHECK(persons_confirm_face(c, "alice", a1, p1, NULL, &e) == ERR_CONFLICT);
    CHECK(strstr(e.msg, PA) != NULL);
    CHECK(person_of(c, a1) == 0 && strcmp(status_of(c, a1), "unreviewed") == 0);
    CHECK(last_decision(c) == before);

    /* Unknown ids name themselves. */
    CHECK(persons_confirm_face(c, NULL, 999999, p1, NULL, &e) == ERR_NOTFOUND);
    CHECK(strstr(e.msg, "face 999999") != NULL);
    CHECK(persons_confirm_face(c, NULL, b0, 888888, NULL, &e) == ERR_NOTFOUND);
    CHECK(strstr(e.msg, "person 888888") != NULL);
    CHECK(persons_confirm_face(c, NULL, b0, -3, NULL, &e) == ERR_INVALID);
    CHECK(last_decision(c) == before);
    CHECK(person_of(c, b0) == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM persons") == 1);

    /* The actor is recorded. */
    CHECK_MSG(persons_confirm_face(c, "alice", d0, p1, NULL, &e) == 0, "%s", e.msg);
    CHECK(strncmp(decision(c, last_decision(c)), "alice|confirm|", 14) == 0);
}

static void test_name(catalog *c)
{
    err e = { 0 };
    int64_t p2 = 0, before = last_decision(c);
    CHECK_MSG(persons_name_face(c, NULL, b0, "Pina Bausch", &p2, &e) == 0, "%s", e.msg);
    CHECK(p2 > 0 && person_of(c, b0) == p2);
    char buf[256];
    CHECK(strcmp(qt(c, buf, sizeof buf, "SELECT name FROM persons WHERE id = %lld", p2), "Pina Bausch") == 0);
    CHECK(last_decision(c) == before + 2);
    char want[512];
    snprintf(want, sizeof want, "local|rename|-|-|-|%lld|{\"name\":null}|{\"name\":\"Pina Bausch\"}", (long long)p2);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    snprintf(want, sizeof want,
             "local|confirm|%s|[10.0,20.0,100.0,120.0]|%lld|%lld|{\"person_id\":"
             "null}|{\"person_id\":%lld}",
             PB, (long long)b0, (long long)p2, (long long)p2);
    CHECK_MSG(strcmp(decision(c, before + 2), want) == 0, "got %s", decision(c, before + 2));

    /* The same name again: the same person, one confirm row. */
    int64_t again = 0;
    before = last_decision(c);
    CHECK_MSG(persons_name_face(c, NULL, c0, "Pina Bausch", &again, &e) == 0, "%s", e.msg);
    CHECK(again == p2 && person_of(c, c0) == p2);
    CHECK(last_decision(c) == before + 1);
    CHECK(strstr(decision(c, before + 1), "|confirm|") != NULL);

    CHECK(persons_name_face(c, NULL, c0, "", NULL, &e) == ERR_INVALID);
    CHECK(persons_name_face(c, NULL, c0, "bad\nname", NULL, &e) == ERR_INVALID);
    CHECK(persons_name_face(c, NULL, c0, "bad \xff utf8", NULL, &e) == ERR_INVALID);
    CHECK(persons_name_face(c, NULL, 999999, "X", NULL, &e) == ERR_NOTFOUND);
    CHECK(last_decision(c) == before + 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM persons WHERE name = 'X'") == 0);
}

static void test_reject(catalog *c)
{
    err e = { 0 };
    int64_t p2 = person_of(c, c0), before = last_decision(c);
    CHECK_MSG(persons_reject_face(c, NULL, c0, &e) == 0, "%s", e.msg);
    CHECK(person_of(c, c0) == 0 && strcmp(status_of(c, c0), "rejected") == 0);
    char want[512];
    snprintf(want, sizeof want,
             "local|reject|%s|[10.0,20.0,100.0,120.0]|%lld|%lld|{\"person_id\":%"
             "lld}|{\"person_id\":null}",
             PC, (long long)c0, (long long)p2, (long long)p2);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    /* In no person now: nobody to reject it from. */
    CHECK(persons_reject_face(c, NULL, c0, &e) == ERR_CONFLICT);
    CHECK(persons_reject_face(c, NULL, 999999, &e) == ERR_NOTFOUND);
    CHECK(last_decision(c) == before + 1);

    /* The last face of an unnamed person: the person goes. */
    int64_t lone = 0;
    CHECK_MSG(persons_confirm_face(c, NULL, a1, 0, &lone, &e) == 0, "%s", e.msg);
    CHECK(persons_reject_face(c, NULL, a1, &e) == 0);
    CHECK(qi(c, "SELECT count(*) FROM persons WHERE id = %lld", lone) == 0);
    /* A named person stays when emptied. */
    CHECK(persons_reject_face(c, NULL, b0, &e) == 0);
    CHECK(qi(c, "SELECT count(*) FROM persons WHERE id = %lld", p2) == 1);
}

static void test_move_split(catalog *c)
{
    err e = { 0 };
    int64_t p1 = person_of(c, a0), p2 = test_query_int(c, "SELECT id FROM persons WHERE name = 'Pina Bausch'");
    int64_t before = last_decision(c), out = 0;
    int64_t two[] = { c0, b0 };
    CHECK_MSG(persons_move_faces(c, NULL, two, 2, p2, &out, &e) == 0, "%s", e.msg);
    CHECK(out == p2 && person_of(c, c0) == p2 && person_of(c, b0) == p2);
    CHECK(strcmp(status_of(c, c0), "confirmed") == 0);
    CHECK(last_decision(c) == before + 2);
    char want[512];
    snprintf(want, sizeof want,
             "local|confirm|%s|[10.0,20.0,100.0,120.0]|%lld|%lld|{\"person_id\":"
             "null}|{\"person_id\":%lld}",
             PC, (long long)c0, (long long)p2, (long long)p2);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));

    before = last_decision(c);
    int64_t dup[] = { c0, c0 }, same_photo[] = { a0, a1 }, unknown[] = { c0, 999999 };
    CHECK(persons_move_faces(c, NULL, dup, 2, p1, NULL, &e) == ERR_INVALID);
    CHECK(persons_move_faces(c, NULL, same_photo, 2, p2, NULL, &e) == ERR_CONFLICT);
    CHECK(persons_move_faces(c, NULL, unknown, 2, p1, NULL, &e) == ERR_NOTFOUND && strstr(e.msg, "999999"));
    CHECK(persons_move_faces(c, NULL, two, 2, 888888, NULL, &e) == ERR_NOTFOUND && strstr(e.msg, "888888"));
    CHECK(persons_move_faces(c, NULL, two, 0, p1, NULL, &e) == ERR_INVALID);
    int64_t a1only[] = { a1 };
    CHECK(persons_move_faces(c, NULL, a1only, 1, p1, NULL, &e) == ERR_CONFLICT); /* p1 has a0 */
    CHECK(last_decision(c) == before);
    CHECK(person_of(c, c0) == p2 && person_of(c, a1) == 0);

    /* Split c0 and b0 out of p2: one split row, then one confirm per face. */
    int64_t p3 = 0;
    CHECK_MSG(persons_split(c, "bob", two, 2, &p3, &e) == 0, "%s", e.msg);
    CHECK(p3 > 0 && p3 != p2 && person_of(c, c0) == p3 && person_of(c, b0) == p3);
    CHECK(last_decision(c) == before + 3);
    snprintf(want, sizeof want,
             "bob|split|-|-|-|%lld|{\"person_id\":%lld,\"faces\":[%lld,%lld]}|{"
             "\"person_id\":%lld}",
             (long long)p3, (long long)p2, (long long)c0, (long long)b0, (long long)p3);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    snprintf(want, sizeof want,
             "bob|confirm|%s|[10.0,20.0,100.0,120.0]|%lld|%lld|{\"person_id\":%"
             "lld}|{\"person_id\":%lld}",
             PB, (long long)b0, (long long)p3, (long long)p2, (long long)p3);
    CHECK_MSG(strcmp(decision(c, before + 3), want) == 0, "got %s", decision(c, before + 3));
    /* p2 is named: it stays, empty. */
    CHECK(qi(c, "SELECT count(*) FROM persons WHERE id = %lld", p2) == 1);

    /* Faces from several persons: before.person_id is null. move_faces with 0 is
     * a split. */
    int64_t mixed[] = { d0, c0 }, p4 = 0;
    before = last_decision(c);
    CHECK_MSG(persons_move_faces(c, NULL, mixed, 2, 0, &p4, &e) == 0, "%s", e.msg);
    CHECK(p4 > 0 && person_of(c, d0) == p4 && person_of(c, c0) == p4);
    snprintf(want, sizeof want,
             "local|split|-|-|-|%lld|{\"person_id\":null,\"faces\":[%lld,%lld]}|{"
             "\"person_id\":%lld}",
             (long long)p4, (long long)d0, (long long)c0, (long long)p4);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    CHECK(last_decision(c) == before + 3);
    CHECK(persons_split(c, NULL, unknown, 2, NULL, &e) == ERR_NOTFOUND);
    CHECK(persons_split(c, NULL, NULL, 0, NULL, &e) == ERR_INVALID);
    CHECK(last_decision(c) == before + 3);
}

static void test_rename_hide(catalog *c)
{
    err e = { 0 };
    int64_t p = person_of(c, c0), before = last_decision(c);
    CHECK_MSG(persons_rename(c, NULL, p, "Dominique Mercy", &e) == 0, "%s", e.msg);
    char want[512];
    snprintf(want, sizeof want, "local|rename|-|-|-|%lld|{\"name\":null}|{\"name\":\"Dominique Mercy\"}", (long long)p);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    CHECK_MSG(persons_rename(c, NULL, p, "", &e) == 0, "%s", e.msg);
    snprintf(want, sizeof want, "local|rename|-|-|-|%lld|{\"name\":\"Dominique Mercy\"}|{\"name\":null}", (long long)p);
    CHECK_MSG(strcmp(decision(c, before + 2), want) == 0, "got %s", decision(c, before + 2));
    CHECK(qi(c, "SELECT name IS NULL FROM persons WHERE id = %lld", p) == 1);
    CHECK(persons_rename(c, NULL, 888888, "X", &e) == ERR_NOTFOUND && strstr(e.msg, "888888"));
    CHECK(persons_rename(c, NULL, p, "tab\there", &e) == ERR_INVALID);
    CHECK(last_decision(c) == before + 2);

    CHECK_MSG(persons_hide(c, NULL, p, true, &e) == 0, "%s", e.msg);
    snprintf(want, sizeof want, "local|hide|-|-|-|%lld|{\"hidden\":0}|{\"hidden\":1}", (long long)p);
    CHECK_MSG(strcmp(decision(c, before + 3), want) == 0, "got %s", decision(c, before + 3));
    CHECK(qi(c, "SELECT hidden FROM persons WHERE id = %lld", p) == 1);
    CHECK(persons_hide(c, NULL, 888888, true, &e) == ERR_NOTFOUND);

    /* Naming a face after a hidden person's name makes a new visible person. */
    CHECK(persons_rename(c, NULL, p, "Hidden Name", &e) == 0);
    int64_t q = 0;
    CHECK_MSG(persons_name_face(c, NULL, a1, "Hidden Name", &q, &e) == 0, "%s", e.msg);
    CHECK(q != p && q > 0);
    CHECK_MSG(persons_hide(c, NULL, p, false, &e) == 0, "%s", e.msg);
    CHECK(qi(c, "SELECT hidden FROM persons WHERE id = %lld", p) == 0);
}

static void test_merge(catalog *c)
{
    err e = { 0 };
    /* into unnamed, from named: into takes the name. */
    int64_t p1 = person_of(c, a0), named = person_of(c, a1); /* "Hidden Name"-person holds a1 */
    int64_t pc = person_of(c, c0);                           /* holds c0, d0 */
    CHECK(qi(c, "SELECT name IS NULL FROM persons WHERE id = %lld", p1) == 1);
    int64_t before = last_decision(c);
    int64_t from_conflict[] = { named };
    CHECK(persons_merge(c, NULL, p1, from_conflict, 1, &e) == ERR_CONFLICT); /* a0 and a1: photo A twice */
    CHECK(strstr(e.msg, PA) != NULL);
    int64_t self[] = { p1 }, unknown[] = { 888888 }, twice[] = { pc, pc };
    CHECK(persons_merge(c, NULL, p1, self, 1, &e) == ERR_CONFLICT);
    CHECK(persons_merge(c, NULL, p1, unknown, 1, &e) == ERR_NOTFOUND && strstr(e.msg, "888888"));
    CHECK(persons_merge(c, NULL, 888888, from_conflict, 1, &e) == ERR_NOTFOUND);
    CHECK(persons_merge(c, NULL, p1, twice, 2, &e) == ERR_INVALID);
    CHECK(persons_merge(c, NULL, p1, NULL, 0, &e) == ERR_INVALID);
    CHECK(last_decision(c) == before);
    CHECK(person_of(c, a1) == named);

    CHECK(persons_rename(c, NULL, pc, "Kept Name", &e) == 0);
    before = last_decision(c);
    int64_t from[] = { pc };
    /* p1 holds a0 and d0? d0 moved to pc in the split; p1 holds a0 only. */
    CHECK_MSG(persons_merge(c, "carol", p1, from, 1, &e) == 0, "%s", e.msg);
    CHECK(person_of(c, c0) == p1 && person_of(c, d0) == p1 && person_of(c, a0) == p1);
    CHECK(qi(c, "SELECT count(*) FROM persons WHERE id = %lld", pc) == 0);
    char buf[128];
    CHECK(strcmp(qt(c, buf, sizeof buf, "SELECT name FROM persons WHERE id = %lld", p1), "Kept Name") == 0);
    char want[512];
    int64_t lo = c0 < d0 ? c0 : d0, hi = c0 < d0 ? d0 : c0;
    snprintf(want, sizeof want,
             "carol|merge|-|-|-|%lld|{\"persons\":[%lld,%lld]}|{\"person_id\":%"
             "lld,\"faces\":[%lld,%lld]}",
             (long long)p1, (long long)p1, (long long)pc, (long long)p1, (long long)lo, (long long)hi);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s want %s", decision(c, before + 1), want);
    CHECK(last_decision(c) == before + 1);
}

static void test_draw(catalog *c)
{
    err e = { 0 };
    int64_t before = last_decision(c);
    CHECK(persons_log_draw(c, NULL, a0, &e) == ERR_INVALID); /* detector face */
    CHECK(persons_log_draw(c, NULL, 999999, &e) == ERR_NOTFOUND);
    CHECK_MSG(persons_log_draw(c, "dave", m0, &e) == 0, "%s", e.msg);
    char want[512];
    snprintf(want, sizeof want, "dave|draw|%s|[300.0,20.0,100.0,120.0]|%lld|-|-|{\"face_id\":%lld}", PD, (long long)m0,
             (long long)m0);
    CHECK_MSG(strcmp(decision(c, before + 1), want) == 0, "got %s", decision(c, before + 1));
    CHECK(last_decision(c) == before + 1);
}

/* Inside a caller's transaction a failing call undoes only itself. */
static void test_savepoint(catalog *c)
{
    err e = { 0 };
    int64_t p = person_of(c, a0), before = last_decision(c);
    CHECK(catalog_begin(c, &e) == 0);
    CHECK(persons_rename(c, NULL, p, "In Transaction", &e) == 0);
    CHECK(persons_confirm_face(c, NULL, a1, p, NULL, &e) == ERR_CONFLICT);
    CHECK(catalog_commit(c, &e) == 0);
    CHECK(last_decision(c) == before + 1);
    char buf[128];
    CHECK(strcmp(qt(c, buf, sizeof buf, "SELECT name FROM persons WHERE id = %lld", p), "In Transaction") == 0);
}

static void test_append_only(catalog *c)
{
    int64_t n = test_query_int(c, "SELECT count(*) FROM decisions");
    CHECK(n > 20);
    CHECK(sqlite3_exec(catalog_sqlite(c), "UPDATE decisions SET actor = 'mallory'", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(catalog_sqlite(c), "DELETE FROM decisions", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions") == n);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions WHERE actor = 'mallory'") == 0);
    /* Every face row of the log names its photo and box. */
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions WHERE face_id IS NOT NULL "
                            "AND (photo_id IS NULL OR box IS NULL)") == 0);
}

int main(void)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("persons"));
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        test_put_photo(c, PA, 1000, 1000);
        test_put_photo(c, PB, 1000, 1000);
        test_put_photo(c, PC, 1000, 1000);
        test_put_photo(c, PD, 1000, 1000);
        a0 = add_face(c, PA, 0, 10, "detector");
        a1 = add_face(c, PA, 1, 200, "detector");
        b0 = add_face(c, PB, 0, 10, "detector");
        c0 = add_face(c, PC, 0, 10, "detector");
        d0 = add_face(c, PD, 0, 10, "detector");
        m0 = add_face(c, PD, 1, 300, "manual");
        test_confirm(c);
        test_name(c);
        test_reject(c);
        test_move_split(c);
        test_rename_hide(c);
        test_merge(c);
        test_draw(c);
        test_savepoint(c);
        test_append_only(c);
        catalog_close(c);
    }
    test_rmtree(dir);
    return test_main_end();
}
