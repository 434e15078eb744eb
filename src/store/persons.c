/* persons.c — people's decisions about who is who: each function checks its
 * input against the catalog, changes faces/persons, keeps faces.status in step
 * and appends its rows to the decision log, all in one transaction (a savepoint
 * when the caller has one open). Every value is a bound parameter; the log's
 * JSON is built by SQLite's json_object/json_array or by jansson. */
#include "store/persons.h"
#include "store/catalog_internal.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest name accepted, in bytes. */
#define PERSONS_NAME_MAX 512

typedef struct op {
    catalog *c;
    sqlite3 *db;
    const char *actor;
    char what[96]; /* "confirm face 12", for messages */
    err *e;
    catalog_tx tx; /* its own transaction or a savepoint in the caller's */
} op;

/* The catalog's one error mapping (ERR_BUSY when another writer kept the
 * write lock past the busy timeout: nothing changed, the caller may retry). */
static int db_fail(op *o, const char *step)
{
    char what[160];
    snprintf(what, sizeof what, "%s: %s", o->what, step);
    return catalog_error(o->c, what, o->e);
}

/* Fills o for one decision; what (printf-style) starts its messages. */
static void op_vinit(op *o, catalog *c, const char *actor, err *e, const char *fmt, va_list ap)
{
    *o = (op){ .c = c, .db = catalog_sqlite(c), .actor = actor, .e = e };
    vsnprintf(o->what, sizeof o->what, fmt, ap);
}

static void op_init(op *o, catalog *c, const char *actor, err *e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void op_init(op *o, catalog *c, const char *actor, err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    op_vinit(o, c, actor, e, fmt, ap);
    va_end(ap);
}

/* Own transaction when the caller has none, else a savepoint in theirs. */
static int op_begin(op *o)
{
    return catalog_tx_begin(o->c, &o->tx, o->what, o->e);
}

/* op_init and op_begin: every decision starts so, and ends with op_end. */
static int op_start(op *o, catalog *c, const char *actor, err *e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int op_start(op *o, catalog *c, const char *actor, err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    op_vinit(o, c, actor, e, fmt, ap);
    va_end(ap);
    return op_begin(o);
}

/* Commits (or releases the savepoint) when rc is 0, else rolls back; returns rc
 * or the commit's error. */
static int op_end(op *o, int rc)
{
    return catalog_tx_end(o->c, &o->tx, rc, o->what, o->e);
}

/* Prepares sql; NULL with o->e set. */
static sqlite3_stmt *prep(op *o, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(o, "prepare");
        return NULL;
    }
    return st;
}

/* Runs a statement that returns no row, finalizes it. */
static int run(op *o, sqlite3_stmt *st)
{
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(o, "write");
    sqlite3_finalize(st);
    return rc;
}

/* Runs a query for one int64; *found = 0 when it returns no row (or NULL). */
static int query_i64(op *o, sqlite3_stmt *st, int64_t *out, int *found)
{
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    int step = sqlite3_step(st), rc = 0;
    *found = 0;
    if (step == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
            *out = sqlite3_column_int64(st, 0);
            *found = 1;
        }
    } else if (step != SQLITE_DONE) {
        rc = db_fail(o, "read");
    }
    sqlite3_finalize(st);
    return rc;
}

static const char *actor_of(const char *actor)
{
    return actor && *actor ? actor : "local";
}

/* ---- reads ---- */

typedef struct face_row {
    int64_t id;
    int64_t person_id; /* 0 = none */
    char photo_id[PHOTO_ID_LEN + 1];
    char model_version[CATALOG_MODEL_VERSION_LEN];
    char source[12];
} face_row;

/* ERR_NOTFOUND naming the face when it does not exist. */
static int face_load(op *o, int64_t face_id, face_row *f)
{
    memset(f, 0, sizeof *f);
    sqlite3_stmt *st = prep(o, "SELECT id, person_id, photo_id, model_version, "
                               "source FROM faces WHERE id = ?1");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, face_id);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        f->id = sqlite3_column_int64(st, 0);
        f->person_id = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
        snprintf(f->photo_id, sizeof f->photo_id, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(f->model_version, sizeof f->model_version, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(f->source, sizeof f->source, "%s", (const char *)sqlite3_column_text(st, 4));
    } else if (step == SQLITE_DONE) {
        rc = err_set(o->e, ERR_NOTFOUND, "%s: face %lld does not exist", o->what, (long long)face_id);
    } else {
        rc = db_fail(o, "read face");
    }
    sqlite3_finalize(st);
    return rc;
}

typedef struct person_row {
    int64_t id;
    char *name; /* malloc'd or NULL */
    int hidden;
} person_row;

static int person_load(op *o, int64_t person_id, person_row *p)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st = prep(o, "SELECT id, name, hidden FROM persons WHERE id = ?1");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, person_id);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        const unsigned char *name = sqlite3_column_text(st, 1);
        if (name && !(p->name = strdup((const char *)name)))
            rc = err_set(o->e, ERR_NOMEM, "%s: out of memory", o->what);
        p->hidden = sqlite3_column_int(st, 2);
    } else if (step == SQLITE_DONE) {
        rc = err_set(o->e, ERR_NOTFOUND, "%s: person %lld does not exist", o->what, (long long)person_id);
    } else {
        rc = db_fail(o, "read person");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ERR_CONFLICT when person_id already holds another face of f's photo (same
 * model version): one photo shows a person once. */
static int check_photo_free(op *o, const face_row *f, int64_t person_id)
{
    sqlite3_stmt *st = prep(o, "SELECT id FROM faces WHERE person_id = ?1 AND "
                               "photo_id = ?2 AND model_version = ?3 "
                               "AND id <> ?4 LIMIT 1");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, f->photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, f->model_version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, f->id);
    int64_t other = 0;
    int found = 0, rc = query_i64(o, st, &other, &found);
    if (rc)
        return rc;
    if (found)
        return err_set(o->e, ERR_CONFLICT,
                       "%s: person %lld already has face %lld of photo %s; one "
                       "photo shows a person once",
                       o->what, (long long)person_id, (long long)other, f->photo_id);
    return 0;
}

/* ---- writes ---- */

/* Inserts a person (name may be NULL); *id gets its id. */
static int person_create(op *o, const char *name, int64_t *id)
{
    sqlite3_stmt *st = prep(o, "INSERT INTO persons (name) VALUES (?1)");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    if (name && *name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = run(o, st);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(o->db);
    return rc;
}

static int person_touch(op *o, int64_t person_id)
{
    sqlite3_stmt *st = prep(o, "UPDATE persons SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                               "'now') WHERE id = ?1");
    if (st)
        sqlite3_bind_int64(st, 1, person_id);
    return run(o, st);
}

/* Deletes person_id when a change left it with no face and no name: an empty
 * unnamed person is nobody. A named one is kept (its name is a decision). */
static int person_drop_if_empty(op *o, int64_t person_id)
{
    if (!person_id)
        return 0;
    sqlite3_stmt *st = prep(o, "DELETE FROM persons WHERE id = ?1 AND (name IS NULL OR name = '') "
                               "AND NOT EXISTS (SELECT 1 FROM faces WHERE person_id = ?1)");
    if (st)
        sqlite3_bind_int64(st, 1, person_id);
    return run(o, st);
}

/* Sets the face's person (0 = none) and status. */
static int face_set(op *o, int64_t face_id, int64_t person_id, const char *status)
{
    sqlite3_stmt *st = prep(o, "UPDATE faces SET person_id = ?2, status = ?3 WHERE id = ?1");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, face_id);
    if (person_id)
        sqlite3_bind_int64(st, 2, person_id);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    return run(o, st);
}

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

/* Binds what every decision row holds — ?1 actor, ?2 action, ?4 person_id,
 * ?5 before, ?6 after (JSON text) — to an INSERT INTO decisions. */
static void log_bind(op *o, sqlite3_stmt *st, const char *action, int64_t person_id, const char *before,
                     const char *after)
{
    sqlite3_bind_text(st, 1, actor_of(o->actor), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
    bind_id_or_null(st, 4, person_id);
    if (before)
        sqlite3_bind_text(st, 5, before, -1, SQLITE_TRANSIENT);
    if (after)
        sqlite3_bind_text(st, 6, after, -1, SQLITE_TRANSIENT);
}

/* Appends a decision about a face: photo_id and box come from the face row. */
static int log_face(op *o, const char *action, int64_t face_id, int64_t person_id, const char *before,
                    const char *after)
{
    sqlite3_stmt *st = prep(o, "INSERT INTO decisions (actor, action, photo_id, "
                               "box, face_id, person_id, before, after) "
                               "SELECT ?1, ?2, photo_id, json_array(box_x, "
                               "box_y, box_w, box_h), id, ?4, "
                               "json(?5), json(?6) FROM faces WHERE id = ?3");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    log_bind(o, st, action, person_id, before, after);
    sqlite3_bind_int64(st, 3, face_id);
    int rc = run(o, st);
    if (rc == 0 && sqlite3_changes(o->db) != 1)
        rc = err_set(o->e, ERR_INTERNAL, "%s: face %lld vanished while logging", o->what, (long long)face_id);
    return rc;
}

/* Appends a decision about a person (no face). */
static int log_person(op *o, const char *action, int64_t person_id, const char *before, const char *after)
{
    sqlite3_stmt *st = prep(o, "INSERT INTO decisions (actor, action, person_id, before, after) "
                               "VALUES (?1, ?2, ?4, json(?5), json(?6))");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    log_bind(o, st, action, person_id, before, after);
    return run(o, st);
}

/* ---- JSON for the log ---- */

static json_t *json_id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *json_ids(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* Serialises and frees j; NULL (with e set) when out of memory. */
static char *json_text(op *o, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        err_set(o->e, ERR_NOMEM, "%s: out of memory", o->what);
    return s;
}

static char *json_person_id(op *o, int64_t person_id)
{
    return json_text(o, json_pack("{s:o}", "person_id", json_id_or_null(person_id)));
}

/* ---- confirm ---- */

/* The body of a confirm: face into person_id (which exists), status confirmed,
 * one 'confirm' row; the person it left is dropped when empty and unnamed. */
static int confirm_one(op *o, const face_row *f, int64_t person_id)
{
    int rc = check_photo_free(o, f, person_id);
    if (rc)
        return rc;
    char *before = json_person_id(o, f->person_id), *after = json_person_id(o, person_id);
    if (!before || !after)
        rc = ERR_NOMEM;
    if (rc == 0)
        rc = face_set(o, f->id, person_id, "confirmed");
    if (rc == 0)
        rc = log_face(o, "confirm", f->id, person_id, before, after);
    if (rc == 0)
        rc = person_touch(o, person_id);
    if (rc == 0 && f->person_id != person_id)
        rc = person_drop_if_empty(o, f->person_id);
    free(before);
    free(after);
    return rc;
}

int persons_confirm_face(catalog *c, const char *actor, int64_t face_id, int64_t person_id, int64_t *person_out, err *e)
{
    op o;
    op_init(&o, c, actor, e, "confirm face %lld", (long long)face_id);
    if (person_id < 0)
        return err_set(e, ERR_INVALID, "%s: person id %lld is not valid", o.what, (long long)person_id);
    int rc = op_begin(&o);
    if (rc)
        return rc;
    face_row f;
    rc = face_load(&o, face_id, &f);
    person_row p = { 0 };
    if (rc == 0 && person_id)
        rc = person_load(&o, person_id, &p);
    if (rc == 0 && !person_id)
        rc = person_create(&o, NULL, &person_id);
    if (rc == 0)
        rc = confirm_one(&o, &f, person_id);
    free(p.name);
    rc = op_end(&o, rc);
    if (rc == 0 && person_out)
        *person_out = person_id;
    return rc;
}

static int check_name(op *o, const char *name)
{
    size_t len = strlen(name);
    if (len > PERSONS_NAME_MAX)
        return err_set(o->e, ERR_INVALID, "%s: name is %zu bytes long (at most %d)", o->what, len, PERSONS_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return err_set(o->e, ERR_INVALID, "%s: name holds a control character", o->what);
    json_t *j = json_string(name); /* NULL when not valid UTF-8 */
    if (!j)
        return err_set(o->e, ERR_INVALID, "%s: name is not valid UTF-8", o->what);
    json_decref(j);
    return 0;
}

int persons_name_face(catalog *c, const char *actor, int64_t face_id, const char *label, int64_t *person_out, err *e)
{
    op o;
    op_init(&o, c, actor, e, "name face %lld", (long long)face_id);
    if (!label || !*label)
        return err_set(e, ERR_INVALID, "%s: empty name", o.what);
    int rc = check_name(&o, label);
    if (rc)
        return rc;
    rc = op_begin(&o);
    if (rc)
        return rc;
    face_row f;
    rc = face_load(&o, face_id, &f);
    int64_t person_id = 0;
    int found = 0;
    if (rc == 0) {
        sqlite3_stmt *st = prep(&o, "SELECT min(id) FROM persons WHERE name = ?1 AND hidden = 0");
        if (st)
            sqlite3_bind_text(st, 1, label, -1, SQLITE_TRANSIENT);
        rc = query_i64(&o, st, &person_id, &found);
    }
    if (rc == 0 && !found) {
        /* A new person with this name: logged as its naming, then the confirm. */
        rc = person_create(&o, label, &person_id);
        char *after = rc == 0 ? json_text(&o, json_pack("{s:s}", "name", label)) : NULL;
        if (rc == 0 && !after)
            rc = ERR_NOMEM;
        if (rc == 0)
            rc = log_person(&o, "rename", person_id, "{\"name\":null}", after);
        free(after);
    }
    if (rc == 0)
        rc = confirm_one(&o, &f, person_id);
    rc = op_end(&o, rc);
    if (rc == 0 && person_out)
        *person_out = person_id;
    return rc;
}

/* ---- reject ---- */

int persons_reject_face(catalog *c, const char *actor, int64_t face_id, err *e)
{
    op o;
    int rc = op_start(&o, c, actor, e, "reject face %lld", (long long)face_id);
    if (rc)
        return rc;
    face_row f;
    rc = face_load(&o, face_id, &f);
    if (rc == 0 && !f.person_id)
        rc = err_set(e, ERR_CONFLICT, "%s: the face is in no person, so there is nobody to reject it from", o.what);
    char *before = NULL;
    if (rc == 0 && !(before = json_person_id(&o, f.person_id)))
        rc = ERR_NOMEM;
    if (rc == 0)
        rc = face_set(&o, face_id, 0, "rejected");
    if (rc == 0)
        rc = log_face(&o, "reject", face_id, f.person_id, before, "{\"person_id\":null}");
    if (rc == 0)
        rc = person_touch(&o, f.person_id);
    if (rc == 0)
        rc = person_drop_if_empty(&o, f.person_id);
    free(before);
    return op_end(&o, rc);
}

/* ---- move and split ---- */

/* Loads faces ids[0..n): ERR_INVALID for none or a repeated id, ERR_NOTFOUND
 * for an unknown one, ERR_CONFLICT for two faces of one photo (same model
 * version). *out malloc'd. */
static int faces_load(op *o, const int64_t *ids, size_t n, face_row **out)
{
    *out = NULL;
    if (!ids || n == 0)
        return err_set(o->e, ERR_INVALID, "%s: no face given", o->what);
    face_row *f = calloc(n, sizeof *f);
    if (!f)
        return err_set(o->e, ERR_NOMEM, "%s: out of memory", o->what);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = face_load(o, ids[i], &f[i]);
        for (size_t j = 0; j < i && rc == 0; j++) {
            if (f[j].id == f[i].id)
                rc = err_set(o->e, ERR_INVALID, "%s: face %lld is given twice", o->what, (long long)f[i].id);
            else if (strcmp(f[j].photo_id, f[i].photo_id) == 0 && strcmp(f[j].model_version, f[i].model_version) == 0)
                rc = err_set(o->e, ERR_CONFLICT,
                             "%s: faces %lld and %lld are both in photo %s; one photo "
                             "shows a person once",
                             o->what, (long long)f[j].id, (long long)f[i].id, f[i].photo_id);
        }
    }
    if (rc)
        free(f);
    else
        *out = f;
    return rc;
}

/* Creates the new person of a split and logs the 'split' row; the caller then
 * confirms each face into it. */
static int split_begin(op *o, const face_row *f, size_t n, int64_t *new_person)
{
    int rc = person_create(o, NULL, new_person);
    if (rc)
        return rc;
    int64_t old = f[0].person_id;
    for (size_t i = 1; i < n; i++)
        if (f[i].person_id != old)
            old = 0; /* from several persons (or none): no single old person */
    int64_t *ids = malloc(n * sizeof *ids);
    if (!ids)
        return err_set(o->e, ERR_NOMEM, "%s: out of memory", o->what);
    for (size_t i = 0; i < n; i++)
        ids[i] = f[i].id;
    char *before = json_text(o, json_pack("{s:o,s:o}", "person_id", json_id_or_null(old), "faces", json_ids(ids, n)));
    char *after = json_person_id(o, *new_person);
    free(ids);
    rc = before && after ? log_person(o, "split", *new_person, before, after) : ERR_NOMEM;
    free(before);
    free(after);
    return rc;
}

/* Confirms every face into person_id. */
static int confirm_all(op *o, const face_row *f, size_t n, int64_t person_id)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = confirm_one(o, &f[i], person_id);
    return rc;
}

int persons_move_faces(catalog *c, const char *actor, const int64_t *face_ids, size_t n, int64_t person_id,
                       int64_t *person_out, err *e)
{
    op o;
    op_init(&o, c, actor, e, "move %zu face%s into person %lld", n, n == 1 ? "" : "s", (long long)person_id);
    if (person_id < 0)
        return err_set(e, ERR_INVALID, "%s: person id %lld is not valid", o.what, (long long)person_id);
    int rc = op_begin(&o);
    if (rc)
        return rc;
    face_row *f = NULL;
    rc = faces_load(&o, face_ids, n, &f);
    person_row p = { 0 };
    if (rc == 0 && person_id)
        rc = person_load(&o, person_id, &p);
    if (rc == 0 && !person_id)
        rc = split_begin(&o, f, n, &person_id);
    if (rc == 0)
        rc = confirm_all(&o, f, n, person_id);
    free(p.name);
    free(f);
    rc = op_end(&o, rc);
    if (rc == 0 && person_out)
        *person_out = person_id;
    return rc;
}

int persons_split(catalog *c, const char *actor, const int64_t *face_ids, size_t n, int64_t *new_person, err *e)
{
    op o;
    int rc = op_start(&o, c, actor, e, "split %zu face%s into a new person", n, n == 1 ? "" : "s");
    if (rc)
        return rc;
    face_row *f = NULL;
    int64_t person_id = 0;
    rc = faces_load(&o, face_ids, n, &f);
    if (rc == 0)
        rc = split_begin(&o, f, n, &person_id);
    if (rc == 0)
        rc = confirm_all(&o, f, n, person_id);
    free(f);
    rc = op_end(&o, rc);
    if (rc == 0 && new_person)
        *new_person = person_id;
    return rc;
}

/* ---- rename, merge, hide ---- */

int persons_rename(catalog *c, const char *actor, int64_t person_id, const char *name, err *e)
{
    op o;
    op_init(&o, c, actor, e, "rename person %lld", (long long)person_id);
    if (name && !*name)
        name = NULL;
    int rc = name ? check_name(&o, name) : 0;
    if (rc)
        return rc;
    rc = op_begin(&o);
    if (rc)
        return rc;
    person_row p;
    rc = person_load(&o, person_id, &p);
    if (rc == 0) {
        sqlite3_stmt *st = prep(&o, "UPDATE persons SET name = ?2, updated_at = "
                                    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                                    "WHERE id = ?1");
        if (st) {
            sqlite3_bind_int64(st, 1, person_id);
            if (name)
                sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        }
        rc = run(&o, st);
    }
    char *before = NULL, *after = NULL;
    if (rc == 0) {
        before = json_text(&o, json_pack("{s:o}", "name", p.name ? json_string(p.name) : json_null()));
        after = json_text(&o, json_pack("{s:o}", "name", name ? json_string(name) : json_null()));
        rc = before && after ? log_person(&o, "rename", person_id, before, after) : ERR_NOMEM;
    }
    free(before);
    free(after);
    free(p.name);
    return op_end(&o, rc);
}

/* The ids of the faces in person_id (any model version), appended to *ids. */
static int faces_of_person(op *o, int64_t person_id, int64_t **ids, size_t *n, size_t *cap)
{
    sqlite3_stmt *st = prep(o, "SELECT id FROM faces WHERE person_id = ?1 ORDER BY id");
    if (!st)
        return o->e ? o->e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, person_id);
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 64;
            int64_t *t = realloc(*ids, ncap * sizeof *t);
            if (!t) {
                rc = err_set(o->e, ERR_NOMEM, "%s: out of memory", o->what);
                break;
            }
            *ids = t;
            *cap = ncap;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(o, "read faces");
    sqlite3_finalize(st);
    return rc;
}

/* ERR_CONFLICT when the persons ids[0..n) together hold two faces of one photo
 * (same model version). */
static int check_merge_photos(op *o, const int64_t *ids, size_t n)
{
    json_t *a = json_ids(ids, n);
    char *list = json_text(o, a);
    if (!list)
        return ERR_NOMEM;
    sqlite3_stmt *st = prep(o, "SELECT photo_id, min(id), max(id) FROM faces "
                               "WHERE person_id IN (SELECT value FROM json_each(?1)) "
                               "GROUP BY photo_id, model_version HAVING count(*) > 1 LIMIT 1");
    int rc = 0;
    if (!st) {
        rc = o->e ? o->e->code : ERR_DB;
    } else {
        sqlite3_bind_text(st, 1, list, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = err_set(o->e, ERR_CONFLICT,
                         "%s: faces %lld and %lld are both in photo %s; one photo "
                         "shows a person once",
                         o->what, (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
                         (const char *)sqlite3_column_text(st, 0));
        else if (step != SQLITE_DONE)
            rc = db_fail(o, "check photos");
        sqlite3_finalize(st);
    }
    free(list);
    return rc;
}

int persons_merge(catalog *c, const char *actor, int64_t into, const int64_t *from, size_t n, err *e)
{
    op o;
    op_init(&o, c, actor, e, "merge %zu person%s into person %lld", n, n == 1 ? "" : "s", (long long)into);
    if (!from || n == 0)
        return err_set(e, ERR_INVALID, "%s: no person to merge given", o.what);
    int64_t *all = malloc((n + 1) * sizeof *all);
    if (!all)
        return err_set(e, ERR_NOMEM, "%s: out of memory", o.what);
    all[0] = into;
    memcpy(all + 1, from, n * sizeof *from);
    int rc = op_begin(&o);
    if (rc) {
        free(all);
        return rc;
    }
    person_row kept;
    rc = person_load(&o, into, &kept);
    char *name = NULL; /* the first name among from, when into has none */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (from[i] == into) {
            rc = err_set(e, ERR_CONFLICT, "%s: a person cannot be merged into itself", o.what);
            break;
        }
        for (size_t j = 0; j < i && rc == 0; j++)
            if (from[j] == from[i])
                rc = err_set(e, ERR_INVALID, "%s: person %lld is given twice", o.what, (long long)from[i]);
        person_row p;
        if (rc == 0)
            rc = person_load(&o, from[i], &p);
        if (rc == 0 && p.name && *p.name && !name && !(kept.name && *kept.name))
            name = p.name;
        else if (rc == 0)
            free(p.name);
    }
    if (rc == 0)
        rc = check_merge_photos(&o, all, n + 1);
    int64_t *moved = NULL;
    size_t nmoved = 0, cap = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = faces_of_person(&o, from[i], &moved, &nmoved, &cap);
    if (rc == 0) {
        sqlite3_stmt *st = prep(&o, "UPDATE faces SET person_id = ?1 WHERE person_id IN (SELECT "
                                    "value FROM json_each(?2))");
        char *list = json_text(&o, json_ids(from, n));
        if (st && list) {
            sqlite3_bind_int64(st, 1, into);
            sqlite3_bind_text(st, 2, list, -1, SQLITE_TRANSIENT);
            rc = run(&o, st);
        } else {
            sqlite3_finalize(st);
            rc = o.e ? o.e->code : ERR_NOMEM;
        }
        if (rc == 0) {
            st = prep(&o, "DELETE FROM persons WHERE id IN (SELECT value FROM json_each(?1))");
            if (st)
                sqlite3_bind_text(st, 1, list, -1, SQLITE_TRANSIENT);
            rc = run(&o, st);
        }
        free(list);
    }
    if (rc == 0 && name) {
        sqlite3_stmt *st = prep(&o, "UPDATE persons SET name = ?2 WHERE id = ?1");
        if (st) {
            sqlite3_bind_int64(st, 1, into);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        }
        rc = run(&o, st);
    }
    if (rc == 0)
        rc = person_touch(&o, into);
    if (rc == 0) {
        char *before = json_text(&o, json_pack("{s:o}", "persons", json_ids(all, n + 1)));
        char *after =
            json_text(&o, json_pack("{s:I,s:o}", "person_id", (json_int_t)into, "faces", json_ids(moved, nmoved)));
        rc = before && after ? log_person(&o, "merge", into, before, after) : ERR_NOMEM;
        free(before);
        free(after);
    }
    free(moved);
    free(name);
    free(kept.name);
    free(all);
    return op_end(&o, rc);
}

int persons_hide(catalog *c, const char *actor, int64_t person_id, bool hidden, err *e)
{
    op o;
    int rc = op_start(&o, c, actor, e, "%s person %lld", hidden ? "hide" : "unhide", (long long)person_id);
    if (rc)
        return rc;
    person_row p;
    rc = person_load(&o, person_id, &p);
    if (rc == 0) {
        sqlite3_stmt *st = prep(&o, "UPDATE persons SET hidden = ?2, updated_at = "
                                    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                                    "WHERE id = ?1");
        if (st) {
            sqlite3_bind_int64(st, 1, person_id);
            sqlite3_bind_int(st, 2, hidden ? 1 : 0);
        }
        rc = run(&o, st);
    }
    if (rc == 0) {
        char before[32], after[32];
        snprintf(before, sizeof before, "{\"hidden\":%d}", p.hidden ? 1 : 0);
        snprintf(after, sizeof after, "{\"hidden\":%d}", hidden ? 1 : 0);
        rc = log_person(&o, "hide", person_id, before, after);
    }
    free(p.name);
    return op_end(&o, rc);
}

int persons_log_draw(catalog *c, const char *actor, int64_t face_id, err *e)
{
    op o;
    int rc = op_start(&o, c, actor, e, "log drawn face %lld", (long long)face_id);
    if (rc)
        return rc;
    face_row f;
    rc = face_load(&o, face_id, &f);
    if (rc == 0 && strcmp(f.source, "manual") != 0)
        rc = err_set(e, ERR_INVALID, "%s: the face came from the detector, not drawn by hand", o.what);
    char after[48];
    snprintf(after, sizeof after, "{\"face_id\":%lld}", (long long)face_id);
    if (rc == 0)
        rc = log_face(&o, "draw", face_id, f.person_id, NULL, after);
    return op_end(&o, rc);
}
