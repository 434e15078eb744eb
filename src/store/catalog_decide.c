/* catalog_decide.c — people's decisions on annotate's suggestions and
 * conclusions (see catalog_decide.h). Every value is a bound parameter; the
 * log's JSON is built by SQLite's json_object. */
#include "store/catalog_decide.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"
#include "store/persons.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *actor_of(const char *actor)
{
    return actor && *actor ? actor : "local";
}

/* Runs st (bound) to its end; finalizes. */
static int run(catalog *c, sqlite3_stmt *st, const char *what, err *e)
{
    if (!st)
        return e->code;
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* One int64 of a query; *found 0 when no row or NULL. */
static int one_i64(catalog *c, sqlite3_stmt *st, const char *what, int64_t *out, bool *found, err *e)
{
    if (!st)
        return e->code;
    *found = false;
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *out = sqlite3_column_int64(st, 0);
        *found = true;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = catalog_error(c, what, e);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- suggestions ------------------------------------------------------------ */

/* A person's name rejected: kept with the person's faces (name_rejections),
 * so it outlives the person's id. Accepted: the rejections of that name that
 * hold for the person now are withdrawn. */
static int carry_by_faces(catalog *c, int64_t person_id, const char *label, bool accept, const char *what, err *e)
{
    static const char *const reject[] = {
        "INSERT INTO name_rejections (label, person_id) VALUES (?2, ?1)",
        "INSERT INTO name_rejection_faces (rejection_id, face_id) SELECT (SELECT max(id) FROM name_rejections), f.id "
        "FROM faces f "
        "WHERE f.person_id = ?1 AND f.status <> 'rejected' AND " CATALOG_CURRENT_FACE("f"),
    };
    static const char *const withdraw[] = {
        /* those that hold for the person (carry.h: more than half of its faces) */
        "DELETE FROM name_rejections WHERE label = ?2 AND id IN (SELECT rf.rejection_id FROM name_rejection_faces rf "
        "JOIN faces f ON f.id = rf.face_id WHERE f.person_id = ?1 AND f.status <> 'rejected' AND " CATALOG_CURRENT_FACE(
            "f") " GROUP BY rf.rejection_id HAVING 2 * count(*) > (SELECT count(*) FROM faces g "
                 "WHERE g.person_id = ?1 AND g.status <> 'rejected' AND " CATALOG_CURRENT_FACE("g") "))",
    };
    const char *const *sql = accept ? withdraw : reject;
    size_t n = accept ? 1 : 2;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        sqlite3_stmt *st = catalog_prepare(c, sql[k], what, e);
        if (st) {
            sqlite3_bind_int64(st, 1, person_id);
            if (sqlite3_bind_parameter_count(st) >= 2)
                sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
        }
        rc = run(c, st, what, e);
    }
    return rc;
}

int catalog_decide_suggestion(catalog *c, const char *actor, int64_t person_id, int64_t face_id, const char *label,
                              bool accept, bool *changed, err *e)
{
    bool ch_;
    if (!changed)
        changed = &ch_;
    *changed = false;
    char what[160];
    bool person = person_id > 0;
    snprintf(what, sizeof what, "%s suggestion of %s %lld", accept ? "accept" : "reject", person ? "person" : "face",
             (long long)(person ? person_id : face_id));
    if ((person_id > 0) == (face_id > 0))
        return err_set(e, ERR_INVALID, "%s: give a person or a face, not both or neither", what);
    if (!label || !*label)
        return err_set(e, ERR_INVALID, "%s: empty name", what);
    const char *status = accept ? "accepted" : "rejected";
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    /* the suggestion must exist; "already so" when every row has this status */
    sqlite3_stmt *st = catalog_prepare(
        c,
        person ? "SELECT count(*), total(status = ?3) FROM person_suggestions WHERE person_id = ?1 AND label = ?2"
               : "SELECT count(*), total(status = ?3) FROM face_suggestions WHERE face_id = ?1 AND label = ?2",
        what, e);
    int64_t rows = 0, same = 0;
    if (!st) {
        rc = e->code;
    } else {
        sqlite3_bind_int64(st, 1, person ? person_id : face_id);
        sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            rows = sqlite3_column_int64(st, 0);
            same = (int64_t)sqlite3_column_double(st, 1);
        } else {
            rc = catalog_error(c, what, e);
        }
        sqlite3_finalize(st);
    }
    if (rc == 0 && rows == 0)
        rc = err_set(e, ERR_NOTFOUND, "%s: no suggestion '%s'", what, label);
    if (rc == 0 && same == rows)
        return catalog_tx_end(c, &tx, 0, what, e); /* decided so already */
    if (rc == 0 && person)
        rc = carry_by_faces(c, person_id, label, accept, what, e);
    if (rc == 0 && accept && person)
        rc = persons_rename(c, actor, person_id, label, e);
    if (rc == 0 && accept && !person)
        rc = persons_name_face(c, actor, face_id, label, NULL, e);
    if (rc == 0) {
        st = catalog_prepare(c,
                             person ? "UPDATE person_suggestions SET status = ?3 WHERE person_id = ?1 AND label = ?2"
                                    : "UPDATE face_suggestions SET status = ?3 WHERE face_id = ?1 AND label = ?2",
                             what, e);
        if (st) {
            sqlite3_bind_int64(st, 1, person ? person_id : face_id);
            sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
        }
        rc = run(c, st, what, e);
    }
    if (rc == 0) {
        /* a face's decision is kept against its photo and box too (persons.h) */
        st = catalog_prepare(
            c,
            "INSERT INTO decisions (actor, action, photo_id, box, face_id, person_id, after) "
            "SELECT ?1, ?2, f.photo_id, json_array(f.box_x, f.box_y, f.box_w, f.box_h), f.id, "
            "  CASE WHEN ?2 = 'accept_name' THEN ?4 END, "
            "  json_object('label', ?5, 'of', 'face', 'person_id', NULL) FROM faces f WHERE f.id = ?3 AND ?3 > 0 "
            "UNION ALL SELECT ?1, ?2, NULL, NULL, NULL, CASE WHEN ?2 = 'accept_name' THEN ?4 END, "
            "  json_object('label', ?5, 'of', 'person', 'person_id', ?4) WHERE ?4 > 0",
            what, e);
        if (st) {
            sqlite3_bind_text(st, 1, actor_of(actor), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, accept ? "accept_name" : "reject_name", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, face_id);
            sqlite3_bind_int64(st, 4, person_id);
            sqlite3_bind_text(st, 5, label, -1, SQLITE_TRANSIENT);
        }
        rc = run(c, st, what, e);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    *changed = rc == 0;
    return rc;
}

int catalog_decide_each_suggestion(catalog *c, int64_t person_id, int limit, catalog_decide_sug_fn fn, void *ud, err *e)
{
    const char *what = "list name suggestions";
    sqlite3_stmt *st = catalog_prepare(
        c,
        "WITH pf AS (SELECT f.person_id, min(f.id) AS first, count(*) AS n FROM faces f "
        "  WHERE f.person_id IS NOT NULL AND f.status <> 'rejected' "
        "  AND (?1 = 0 OR f.person_id = ?1) GROUP BY f.person_id) "
        "SELECT s.person_id, 0, p.name, ifnull(pf.n, 0), s.label, s.source, s.status, s.confidence, s.evidence, "
        "  ff.photo_id, ifnull(ff.face_no, 0), 0 "
        "FROM person_suggestions s JOIN persons p ON p.id = s.person_id "
        "LEFT JOIN pf ON pf.person_id = s.person_id LEFT JOIN faces ff ON ff.id = pf.first "
        "WHERE (?1 > 0 AND s.person_id = ?1) OR (?1 = 0 AND s.status = 'open' AND p.name IS NULL AND p.hidden = 0) "
        "UNION ALL "
        "SELECT 0, s.face_id, NULL, 1, s.label, s.source, s.status, s.confidence, s.evidence, f.photo_id, f.face_no, 1 "
        "FROM face_suggestions s JOIN faces f ON f.id = s.face_id "
        "WHERE ?1 = 0 AND s.status = 'open' AND f.person_id IS NULL AND f.status <> 'rejected' "
        "ORDER BY 12, 1, 2, 8 DESC, 5 LIMIT ?2",
        what, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, person_id > 0 ? person_id : 0);
    sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_decide_sug r = {
            .person_id = sqlite3_column_int64(st, 0),
            .face_id = sqlite3_column_int64(st, 1),
            .person_name = (const char *)sqlite3_column_text(st, 2),
            .faces = sqlite3_column_int64(st, 3),
            .label = (const char *)sqlite3_column_text(st, 4),
            .source = (const char *)sqlite3_column_text(st, 5),
            .status = (const char *)sqlite3_column_text(st, 6),
            .confidence = sqlite3_column_double(st, 7),
            .evidence = (const char *)sqlite3_column_text(st, 8),
            .photo_id = (const char *)sqlite3_column_text(st, 9),
            .face_no = sqlite3_column_int(st, 10),
        };
        if ((rc = fn(&r, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* ---- a photo's date, place, event ------------------------------------------- */

static int photo_exists(catalog *c, const char *photo_id, const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "SELECT 1 FROM photos WHERE photo_id = ?1", what, e);
    if (st)
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int64_t one = 0;
    bool found = false;
    int rc = one_i64(c, st, what, &one, &found, e);
    if (rc == 0 && !found)
        rc = err_set(e, ERR_NOTFOUND, "%s: no photo %s in the catalog", what, photo_id);
    return rc;
}

/* Opens the transaction of a decision on photo_id: the photo must exist, and
 * its annotation row (which every such decision writes) is inserted empty
 * when it has none. On failure the transaction is rolled back and closed. */
static int photo_edit_begin(catalog *c, catalog_tx *tx, const char *photo_id, const char *what, err *e)
{
    int rc = catalog_tx_begin(c, tx, what, e);
    if (rc)
        return rc;
    rc = photo_exists(c, photo_id, what, e);
    if (rc == 0) {
        sqlite3_stmt *st =
            catalog_prepare(c, "INSERT INTO photo_annotations (photo_id) VALUES (?1) ON CONFLICT DO NOTHING", what, e);
        if (st)
            sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        rc = run(c, st, what, e);
    }
    return rc ? catalog_tx_end(c, tx, rc, what, e) : 0;
}

static bool date_fits(const char *v, const char *p)
{
    size_t n = strlen(v);
    int y, m, d;
    char tail;
    if (n == 4 && sscanf(v, "%4d%c", &y, &tail) == 1)
        return (strcmp(p, "year") == 0 || (strcmp(p, "decade") == 0 && y % 10 == 0)) && y >= 1000;
    if (n == 7 && sscanf(v, "%4d-%2d%c", &y, &m, &tail) == 2)
        return (strcmp(p, "month") == 0 || strcmp(p, "season") == 0) && y >= 1000 && m >= 1 && m <= 12;
    if (n == 10 && sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return strcmp(p, "day") == 0 && y >= 1000 && m >= 1 && m <= 12 && d >= 1 &&
               d <= (m == 2 && !leap ? 28 : mdays[m - 1]);
    }
    return false;
}

int catalog_decide_date(catalog *c, const char *actor, const char *photo_id, const char *value, const char *precision,
                        bool *changed, err *e)
{
    bool ch_;
    if (!changed)
        changed = &ch_;
    *changed = false;
    char what[96];
    snprintf(what, sizeof what, "set the date of photo %s", photo_id);
    if (value && (!precision || !date_fits(value, precision)))
        return err_set(e, ERR_INVALID,
                       "%s: '%s' with precision '%s' is not a date (YYYY year or decade, YYYY-MM month or season, "
                       "YYYY-MM-DD day)",
                       what, value, precision ? precision : "");
    catalog_tx tx;
    int rc = photo_edit_begin(c, &tx, photo_id, what, e);
    if (rc)
        return rc;
    int64_t same = 0;
    bool found = false;
    if (rc == 0) {
        sqlite3_stmt *st =
            catalog_prepare(c,
                            "SELECT 1 FROM photo_annotations WHERE photo_id = ?1 AND date_source = 'human' "
                            "AND date_value IS ?2 AND date_precision IS ?3",
                            what, e);
        if (st) {
            sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
            if (value) {
                sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, precision, -1, SQLITE_TRANSIENT);
            }
        }
        rc = one_i64(c, st, what, &same, &found, e);
    }
    if (rc == 0 && found)
        return catalog_tx_end(c, &tx, 0, what, e);
    if (rc == 0) {
        sqlite3_stmt *st = catalog_prepare(
            c,
            "INSERT INTO decisions (actor, action, photo_id, before, after) SELECT ?1, 'date', photo_id, "
            "json_object('value', date_value, 'precision', date_precision, 'source', date_source), "
            "json_object('value', ?3, 'precision', ?4, 'source', 'human') FROM photo_annotations WHERE photo_id = ?2",
            what, e);
        if (st) {
            sqlite3_bind_text(st, 1, actor_of(actor), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, photo_id, -1, SQLITE_TRANSIENT);
            if (value) {
                sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 4, precision, -1, SQLITE_TRANSIENT);
            }
        }
        rc = run(c, st, what, e);
    }
    if (rc == 0) {
        sqlite3_stmt *st = catalog_prepare(c,
                                           "UPDATE photo_annotations SET date_value = ?2, date_precision = ?3, "
                                           "date_source = 'human', date_inferred = 0, "
                                           "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE photo_id = ?1",
                                           what, e);
        if (st) {
            sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
            if (value) {
                sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, precision, -1, SQLITE_TRANSIENT);
            }
        }
        rc = run(c, st, what, e);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    *changed = rc == 0;
    return rc;
}

/* The statements that set a photo's place or its event as a person's
 * decision (the place or event row exists by then). */
typedef struct ref_sql {
    const char *same, *log, *set;
} ref_sql;
static const ref_sql PLACE_SQL = {
    "SELECT 1 FROM photo_annotations WHERE photo_id = ?1 AND place_source = 'human' AND place_id IS ?2",
    "INSERT INTO decisions (actor, action, photo_id, before, after) SELECT ?1, 'place', a.photo_id, "
    "json_object('place_id', a.place_id, 'name', (SELECT name FROM places WHERE id = a.place_id)), "
    "json_object('place_id', ?3, 'name', (SELECT name FROM places WHERE id = ?3)) "
    "FROM photo_annotations a WHERE a.photo_id = ?2",
    "UPDATE photo_annotations SET place_id = ?2, place_source = 'human', "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE photo_id = ?1",
};
static const ref_sql EVENT_SQL = {
    "SELECT 1 FROM photo_annotations WHERE photo_id = ?1 AND event_source = 'human' AND event_id IS ?2",
    "INSERT INTO decisions (actor, action, photo_id, before, after) SELECT ?1, 'event', a.photo_id, "
    "json_object('event_id', a.event_id, 'name', (SELECT name FROM events WHERE id = a.event_id)), "
    "json_object('event_id', ?3, 'name', (SELECT name FROM events WHERE id = ?3)) "
    "FROM photo_annotations a WHERE a.photo_id = ?2",
    "UPDATE photo_annotations SET event_id = ?2, event_source = 'human', "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE photo_id = ?1",
};

/* Sets the photo's place or event (sql) to id (0: none) as a person's
 * decision, logged with the value before and after, inside the caller's
 * transaction. *same: a person had already set exactly that, nothing written. */
static int set_by_person(catalog *c, const ref_sql *sql, const char *actor, const char *photo_id, int64_t id,
                         bool *same, const char *what, err *e)
{
    int64_t one = 0;
    sqlite3_stmt *st = catalog_prepare(c, sql->same, what, e);
    if (st) {
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        if (id)
            sqlite3_bind_int64(st, 2, id);
    }
    int rc = one_i64(c, st, what, &one, same, e);
    if (rc || *same)
        return rc;
    if ((st = catalog_prepare(c, sql->log, what, e))) {
        sqlite3_bind_text(st, 1, actor_of(actor), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, photo_id, -1, SQLITE_TRANSIENT);
        if (id)
            sqlite3_bind_int64(st, 3, id);
    }
    rc = run(c, st, what, e);
    if (rc == 0 && (st = catalog_prepare(c, sql->set, what, e))) {
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        if (id)
            sqlite3_bind_int64(st, 2, id);
    }
    return rc ? rc : run(c, st, what, e);
}

int catalog_decide_place(catalog *c, const char *actor, const char *photo_id, const char *name, bool *changed, err *e)
{
    bool ch_;
    if (!changed)
        changed = &ch_;
    *changed = false;
    char what[96];
    snprintf(what, sizeof what, "set the place of photo %s", photo_id);
    if (name && !*name)
        return err_set(e, ERR_INVALID, "%s: empty place name (null for none)", what);
    catalog_tx tx;
    int rc = photo_edit_begin(c, &tx, photo_id, what, e);
    if (rc)
        return rc;
    int64_t place_id = 0;
    bool found = false;
    if (rc == 0 && name) {
        sqlite3_stmt *st = catalog_prepare(c,
                                           "INSERT INTO places (name, source) VALUES (?1, 'human') "
                                           "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                                           what, e);
        if (st)
            sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        rc = one_i64(c, st, what, &place_id, &found, e);
    }
    bool same = false;
    if (rc == 0)
        rc = set_by_person(c, &PLACE_SQL, actor, photo_id, place_id, &same, what, e);
    if (rc == 0 && same)
        return catalog_tx_end(c, &tx, 0, what, e);
    rc = catalog_tx_end(c, &tx, rc, what, e);
    *changed = rc == 0;
    return rc;
}

int catalog_decide_event(catalog *c, const char *actor, const char *photo_id, int64_t event_id, const char *name,
                         int year, int64_t *out, bool *changed, err *e)
{
    bool ch_;
    if (!changed)
        changed = &ch_;
    *changed = false;
    char what[96];
    snprintf(what, sizeof what, "set the event of photo %s", photo_id);
    if (event_id <= 0 && name && !*name)
        return err_set(e, ERR_INVALID, "%s: empty event name (null for none)", what);
    catalog_tx tx;
    int rc = photo_edit_begin(c, &tx, photo_id, what, e);
    if (rc)
        return rc;
    bool found = false;
    int64_t id = 0;
    if (rc == 0 && event_id > 0) {
        sqlite3_stmt *st = catalog_prepare(c, "SELECT id FROM events WHERE id = ?1", what, e);
        if (st)
            sqlite3_bind_int64(st, 1, event_id);
        rc = one_i64(c, st, what, &id, &found, e);
        if (rc == 0 && !found)
            rc = err_set(e, ERR_NOTFOUND, "%s: no event %lld in the catalog", what, (long long)event_id);
    } else if (rc == 0 && name) {
        /* the event of that name: of that year when given, else the only one of that name */
        sqlite3_stmt *st = catalog_prepare(c,
                                           "SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM events "
                                           "WHERE name = ?1 AND (?2 = 0 OR ifnull(year, 0) = ?2)",
                                           what, e);
        if (st) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 2, year);
        }
        rc = one_i64(c, st, what, &id, &found, e);
        if (rc == 0 && !found) {
            st = catalog_prepare(c,
                                 "INSERT INTO events (name, year, source) VALUES (?1, ?2, 'human') "
                                 "ON CONFLICT DO UPDATE SET name = excluded.name RETURNING id",
                                 what, e);
            if (st) {
                sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
                if (year > 0)
                    sqlite3_bind_int(st, 2, year);
            }
            rc = one_i64(c, st, what, &id, &found, e);
        }
    }
    if (rc == 0 && out)
        *out = id;
    int64_t before = 0;
    if (rc == 0) {
        sqlite3_stmt *st = catalog_prepare(c, "SELECT event_id FROM photo_annotations WHERE photo_id = ?1", what, e);
        if (st)
            sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        rc = one_i64(c, st, what, &before, &found, e);
    }
    bool same = false;
    if (rc == 0)
        rc = set_by_person(c, &EVENT_SQL, actor, photo_id, id, &same, what, e);
    if (rc == 0 && same)
        return catalog_tx_end(c, &tx, 0, what, e);
    if (rc == 0 && before > 0 && before != id) {
        /* an event has photos: the one this photo left goes when it was its last */
        sqlite3_stmt *st = catalog_prepare(
            c, "DELETE FROM events WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM photo_annotations WHERE event_id = ?1)",
            what, e);
        if (st)
            sqlite3_bind_int64(st, 1, before);
        rc = run(c, st, what, e);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    *changed = rc == 0;
    return rc;
}

int catalog_decide_event_rename(catalog *c, const char *actor, int64_t event_id, const char *name, bool *changed,
                                err *e)
{
    bool ch_;
    if (!changed)
        changed = &ch_;
    *changed = false;
    char what[96];
    snprintf(what, sizeof what, "rename event %lld", (long long)event_id);
    if (!name || !*name)
        return err_set(e, ERR_INVALID, "%s: empty name", what);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    sqlite3_stmt *st = catalog_prepare(c, "SELECT name = ?2 FROM events WHERE id = ?1", what, e);
    if (st) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    }
    int64_t same = 0;
    bool found = false;
    rc = one_i64(c, st, what, &same, &found, e);
    if (rc == 0 && !found)
        rc = err_set(e, ERR_NOTFOUND, "%s: no event %lld in the catalog", what, (long long)event_id);
    if (rc == 0 && same)
        return catalog_tx_end(c, &tx, 0, what, e); /* so already */
    if (rc == 0) {
        /* names are unique per year: say which event has it rather than fail on the index */
        int64_t other = 0;
        st = catalog_prepare(c,
                             "SELECT o.id FROM events o, events ev WHERE ev.id = ?1 AND o.id <> ev.id "
                             "AND o.name = ?2 AND ifnull(o.year, 0) = ifnull(ev.year, 0)",
                             what, e);
        if (st) {
            sqlite3_bind_int64(st, 1, event_id);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        }
        rc = one_i64(c, st, what, &other, &found, e);
        if (rc == 0 && found)
            rc = err_set(e, ERR_CONFLICT,
                         "%s: event %lld of the same year is called '%s' already (to move the photo there, give its "
                         "id)",
                         what, (long long)other, name);
    }
    if (rc == 0 && (st = catalog_prepare(c,
                                         "INSERT INTO decisions (actor, action, before, after) SELECT ?1, "
                                         "'event_name', json_object('event_id', id, 'name', name), "
                                         "json_object('event_id', id, 'name', ?3) FROM events WHERE id = ?2",
                                         what, e))) {
        sqlite3_bind_text(st, 1, actor_of(actor), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, event_id);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    }
    rc = rc ? rc : run(c, st, what, e);
    if (rc == 0 &&
        (st = catalog_prepare(c, "UPDATE events SET name = ?2, name_source = 'human' WHERE id = ?1", what, e))) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    }
    rc = rc ? rc : run(c, st, what, e);
    rc = catalog_tx_end(c, &tx, rc, what, e);
    *changed = rc == 0;
    return rc;
}

int catalog_decide_event_renamed_from(catalog *c, int64_t event_id, const char *name, bool *was, err *e)
{
    *was = false;
    sqlite3_stmt *st =
        catalog_prepare(c,
                        "SELECT 1 FROM decisions WHERE action = 'event_name' AND "
                        "json_extract(before, '$.event_id') = ?1 AND json_extract(before, '$.name') = ?2 "
                        "LIMIT 1",
                        "read an event's names", e);
    if (st) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    }
    int64_t one = 0;
    return one_i64(c, st, "read an event's names", &one, was, e);
}
