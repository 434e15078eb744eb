/* catalog_sqlite.c — the SQLite backend of the catalog: the connection (WAL,
 * busy timeout, foreign keys), transactions, and the queries for photos, their
 * source paths, ingest failures and the status counts. The schema lives in
 * catalog_schema.c. Statements are prepared once per connection and reused; every
 * value is a bound parameter. */
#include "store/catalog.h"
#include "store/catalog_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATALOG_BUSY_TIMEOUT_MS 5000
/* Most statements catalog_prepare_cached keeps per connection; past that they
 * are prepared per call (and finalized by catalog_cached_done). */
#define CATALOG_KEPT_STMTS 64

enum stmt_id {
    ST_PHOTO_INSERT,
    ST_PHOTO_UPDATE,
    ST_PHOTO_GET,
    ST_SOURCE_FIND,
    ST_SOURCE_INSERT,
    ST_SOURCE_UPDATE,
    ST_FAILURE_PUT,
    ST_FAILURE_CLEAR,
    ST_FAILURE_LIST,
    ST_COUNTS,
    ST_COUNT
};

/* The photo's columns in catalog_photo order, for insert, update and get. */
#define PHOTO_COLS                                                                                                     \
    "photo_id, sha256, parent_id, page, format, incoming_key, bytes, width, height, orig_width, "                      \
    "orig_height, orientation, taken_at, taken_at_source, camera_make, camera_model, sidecar"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_PHOTO_INSERT] = "INSERT INTO photos (" PHOTO_COLS ") "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
                        "ON CONFLICT (photo_id) DO NOTHING",
    [ST_PHOTO_UPDATE] = "UPDATE photos SET sha256 = ?2, parent_id = ?3, page = ?4, format = ?5, "
                        "incoming_key = ?6, bytes = ?7, width = ?8, height = ?9, orig_width = ?10, "
                        "orig_height = ?11, orientation = ?12, taken_at = ?13, taken_at_source = ?14, "
                        "camera_make = ?15, camera_model = ?16, sidecar = ?17, "
                        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE photo_id = ?1",
    [ST_PHOTO_GET] = "SELECT " PHOTO_COLS " FROM photos WHERE photo_id = ?1",
    [ST_SOURCE_FIND] = "SELECT photo_id, size, mtime_ns FROM photo_sources WHERE path = ?1",
    [ST_SOURCE_INSERT] = "INSERT INTO photo_sources (path, photo_id, size, mtime_ns) VALUES (?1, ?2, ?3, ?4)",
    [ST_SOURCE_UPDATE] = "UPDATE photo_sources SET photo_id = ?2, size = ?3, mtime_ns = ?4 WHERE path = ?1",
    [ST_FAILURE_PUT] = "INSERT INTO ingest_failures (path, reason) VALUES (?1, ?2) "
                       "ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, at = excluded.at",
    [ST_FAILURE_CLEAR] = "DELETE FROM ingest_failures WHERE path = ?1",
    [ST_FAILURE_LIST] = "SELECT path, reason, at FROM ingest_failures ORDER BY path",
    [ST_COUNTS] = "SELECT (SELECT count(*) FROM photos), (SELECT count(*) FROM photo_sources), "
                  "(SELECT count(*) FROM ingest_failures), "
                  "(SELECT count(DISTINCT photo_id) FROM analysis_runs WHERE status = 'done'), "
                  "(SELECT count(*) FROM faces), (SELECT count(*) FROM persons), "
                  "(SELECT count(*) FROM persons WHERE name IS NOT NULL AND name <> ''), "
                  "(SELECT count(*) FROM faces WHERE person_id IS NULL), "
                  "(SELECT count(*) FROM decisions), (SELECT count(*) FROM events), "
                  "(SELECT count(*) FROM places), (SELECT count(*) FROM years)",
};

struct catalog {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmts[ST_COUNT];
    /* catalog_prepare_cached: statements by the address of their SQL text */
    struct {
        const char *sql;
        sqlite3_stmt *st;
        bool in_use;
    } kept[CATALOG_KEPT_STMTS];
    int nkept;
};

int catalog_db_error(sqlite3 *db, const char *path, const char *what, err *e)
{
    int x = db ? sqlite3_extended_errcode(db) : SQLITE_CANTOPEN;
    errcode code = ERR_DB;
    switch (x) {
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_DATATYPE:
        code = ERR_INVALID;
        break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        code = ERR_FORMAT;
        break;
    case SQLITE_NOMEM:
        code = ERR_NOMEM;
        break;
    default:
        if ((x & 0xff) == SQLITE_CONSTRAINT)
            code = ERR_CONFLICT; /* unique, primary key, foreign key, trigger */
        else if ((x & 0xff) == SQLITE_BUSY)
            code = ERR_BUSY; /* another writer kept the lock past the busy timeout */
        else if ((x & 0xff) == SQLITE_CANTOPEN || (x & 0xff) == SQLITE_IOERR || (x & 0xff) == SQLITE_READONLY ||
                 (x & 0xff) == SQLITE_FULL)
            code = ERR_IO;
    }
    return err_set(e, code, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "cannot open");
}

int catalog_error(catalog *c, const char *what, err *e)
{
    return catalog_db_error(c->db, c->path, what, e);
}

static int cat_error(catalog *c, const char *what, err *e)
{
    return catalog_error(c, what, e);
}

sqlite3_stmt *catalog_prepare(catalog *c, const char *sql, const char *what, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        catalog_error(c, what, e);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *catalog_prepare_photo(catalog *c, const char *sql, const char *photo_id, const char *model_version,
                                    const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, sql, what, e);
    if (st && photo_id)
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    if (st && model_version)
        sqlite3_bind_text(st, 2, model_version, -1, SQLITE_TRANSIENT);
    return st;
}

sqlite3_stmt *catalog_prepare_cached(catalog *c, const char *sql, const char *what, err *e)
{
    int slot = -1;
    for (int i = 0; i < c->nkept; i++)
        if (c->kept[i].sql == sql) {
            if (c->kept[i].in_use) {
                slot = -2; /* a nested call: a statement of its own */
                break;
            }
            c->kept[i].in_use = true;
            sqlite3_reset(c->kept[i].st);
            sqlite3_clear_bindings(c->kept[i].st);
            return c->kept[i].st;
        }
    if (slot == -1 && c->nkept < CATALOG_KEPT_STMTS)
        slot = c->nkept;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) != SQLITE_OK) {
        catalog_error(c, what, e);
        sqlite3_finalize(st);
        return NULL;
    }
    if (slot >= 0) {
        c->kept[slot].sql = sql;
        c->kept[slot].st = st;
        c->kept[slot].in_use = true;
        c->nkept++;
    }
    return st;
}

void catalog_cached_done(catalog *c, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < c->nkept; i++)
        if (c->kept[i].st == st) {
            sqlite3_reset(st); /* holds no read snapshot from here */
            c->kept[i].in_use = false;
            return;
        }
    sqlite3_finalize(st);
}

static int exec_sql(catalog *c, const char *sql, const char *what, err *e)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cat_error(c, what, e);
    return 0;
}

/* The cached statement, reset and unbound, ready to bind; NULL with e set. */
static sqlite3_stmt *stmt(catalog *c, enum stmt_id id, err *e)
{
    sqlite3_stmt *st = c->stmts[id];
    if (!st) {
        if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
            cat_error(c, "prepare statement", e);
            return NULL;
        }
        c->stmts[id] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

/* Steps a statement that returns no rows; resets it so it holds no lock. */
static int step_done(catalog *c, sqlite3_stmt *st, const char *what, err *e)
{
    int rc = sqlite3_step(st);
    int out = rc == SQLITE_DONE ? 0 : cat_error(c, what, e);
    sqlite3_reset(st);
    return out;
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    return s && *s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* ---- open, close, transactions ----------------------------------------- */

static int configure(catalog *c, err *e)
{
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, CATALOG_BUSY_TIMEOUT_MS);
    int rc = exec_sql(c, "PRAGMA foreign_keys = ON", "enable foreign keys", e);
    if (rc)
        return rc;
    /* WAL persists in the file; switching needs a moment of exclusive access, so
     * only switch when it is not WAL already. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return cat_error(c, "read journal mode", e);
    int step = sqlite3_step(st);
    int is_wal = step == SQLITE_ROW && sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    rc = step == SQLITE_ROW ? 0 : cat_error(c, "read journal mode", e);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (!is_wal) {
        if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            return cat_error(c, "switch to WAL", e);
        /* Changing the journal mode needs an exclusive lock and SQLite does not
         * call the busy handler for it: when several processes open a fresh
         * catalog at once, wait for the others here (up to 5 s, as the busy
         * timeout) instead of failing with "database is locked". */
        step = sqlite3_step(st);
        for (int tries = 0; (step == SQLITE_BUSY || step == SQLITE_LOCKED) && tries < 500; tries++) {
            sqlite3_reset(st);
            sqlite3_sleep(10);
            step = sqlite3_step(st);
        }
        if (step != SQLITE_ROW)
            rc = cat_error(c, "switch to WAL", e);
        else if (sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
            rc = err_set(e, ERR_DB, "%s: cannot switch to WAL mode (journal mode stays %s)", c->path,
                         (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    /* With WAL, NORMAL is crash-safe (a power cut may lose the last commits, never
     * corrupt), and much faster than FULL for one commit per photo. */
    return exec_sql(c, "PRAGMA synchronous = NORMAL", "set synchronous", e);
}

static void sqlite_setup(void)
{
    /* SQLite counts every allocation it makes under one process-wide mutex
     * unless told not to before it starts; nothing here reads those counts,
     * and the server's workers, all querying at once, contend for it. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void catalog_sqlite_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
}

static catalog *open_with(const char *path, int flags, err *e)
{
    if (!path || !*path) {
        err_set(e, ERR_INVALID, "catalog: no file name given");
        return NULL;
    }
    catalog_sqlite_setup();
    catalog *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        err_set(e, ERR_NOMEM, "%s: out of memory opening the catalog", path);
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | flags, NULL);
    if (rc != SQLITE_OK) {
        cat_error(c, "cannot open catalog", e);
        catalog_close(c);
        return NULL;
    }
    if (configure(c, e) != 0 || catalog_schema_migrate(c->db, c->path, e) != 0) {
        catalog_close(c);
        return NULL;
    }
    return c;
}

catalog *catalog_open(const char *path, err *e)
{
    return open_with(path, 0, e);
}

catalog *catalog_open_unshared(const char *path, err *e)
{
    return open_with(path, SQLITE_OPEN_NOMUTEX, e);
}

void catalog_close(catalog *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    for (int i = 0; i < c->nkept; i++)
        sqlite3_finalize(c->kept[i].st);
    sqlite3_close(c->db); /* also fine when db is NULL */
    free(c->path);
    free(c);
}

int catalog_schema_version(catalog *c)
{
    return catalog_schema_read_version(c->db, c->path, NULL);
}

const char *catalog_path(catalog *c)
{
    return c->path;
}

struct sqlite3 *catalog_sqlite(catalog *c)
{
    return c->db;
}

void catalog_set_busy_timeout(catalog *c, int ms)
{
    sqlite3_busy_timeout(c->db, ms);
}

void catalog_set_mmap(catalog *c, int64_t bytes)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA mmap_size = %lld", (long long)(bytes > 0 ? bytes : 0));
    sqlite3_exec(c->db, sql, NULL, NULL, NULL); /* a hint: without it reads go through read() */
}

int catalog_begin(catalog *c, err *e)
{
    if (!sqlite3_get_autocommit(c->db))
        return err_set(e, ERR_INTERNAL, "%s: begin: a transaction is already open (nesting is not supported)", c->path);
    return exec_sql(c, "BEGIN IMMEDIATE", "begin transaction", e);
}

int catalog_commit(catalog *c, err *e)
{
    int rc = exec_sql(c, "COMMIT", "commit", e);
    if (rc && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL); /* never leave it half open */
    return rc;
}

void catalog_rollback(catalog *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int catalog_tx_begin(catalog *c, catalog_tx *tx, const char *what, err *e)
{
    tx->own = sqlite3_get_autocommit(c->db);
    if (sqlite3_exec(c->db, tx->own ? "BEGIN IMMEDIATE" : "SAVEPOINT catalog_tx", NULL, NULL, NULL) != SQLITE_OK) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: begin", what);
        return cat_error(c, msg, e);
    }
    return 0;
}

int catalog_tx_end(catalog *c, catalog_tx *tx, int rc, const char *what, err *e)
{
    if (rc == 0) {
        if (sqlite3_exec(c->db, tx->own ? "COMMIT" : "RELEASE catalog_tx", NULL, NULL, NULL) == SQLITE_OK)
            return 0;
        char msg[160];
        snprintf(msg, sizeof msg, "%s: commit", what);
        rc = cat_error(c, msg, e);
    }
    if (tx->own)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    else
        sqlite3_exec(c->db, "ROLLBACK TO catalog_tx; RELEASE catalog_tx", NULL, NULL, NULL);
    return rc;
}

/* ---- photos ------------------------------------------------------------- */

static int bind_photo(sqlite3_stmt *st, const catalog_photo *p)
{
    int rc = sqlite3_bind_text(st, 1, p->photo_id, -1, SQLITE_TRANSIENT);
    rc |= sqlite3_bind_text(st, 2, p->sha256, -1, SQLITE_TRANSIENT);
    rc |= bind_text_or_null(st, 3, p->parent_id);
    rc |= sqlite3_bind_int(st, 4, p->page);
    rc |= sqlite3_bind_text(st, 5, p->format, -1, SQLITE_TRANSIENT);
    rc |= sqlite3_bind_text(st, 6, p->incoming_key, -1, SQLITE_TRANSIENT);
    rc |= sqlite3_bind_int64(st, 7, p->bytes);
    rc |= sqlite3_bind_int(st, 8, p->width);
    rc |= sqlite3_bind_int(st, 9, p->height);
    rc |= sqlite3_bind_int(st, 10, p->orig_width);
    rc |= sqlite3_bind_int(st, 11, p->orig_height);
    rc |= sqlite3_bind_int(st, 12, p->orientation ? p->orientation : 1);
    rc |= bind_text_or_null(st, 13, p->taken_at);
    rc |= bind_text_or_null(st, 14, p->taken_at_source);
    rc |= bind_text_or_null(st, 15, p->camera_make);
    rc |= bind_text_or_null(st, 16, p->camera_model);
    rc |= bind_text_or_null(st, 17, p->sidecar);
    return rc;
}

int catalog_photo_put(catalog *c, const catalog_photo *p, err *e)
{
    if (!hash_photo_id_valid(p->photo_id))
        return err_set(e, ERR_INVALID, "%s: put photo: '%.32s' is not a photo id (16 lowercase hex digits)", c->path,
                       p->photo_id);
    char what[96];
    snprintf(what, sizeof what, "put photo %s", p->photo_id);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    int inserted = 0;
    sqlite3_stmt *st = stmt(c, ST_PHOTO_INSERT, e);
    if (!st)
        rc = e ? e->code : ERR_DB;
    else if (bind_photo(st, p) != SQLITE_OK)
        rc = cat_error(c, what, e);
    else
        rc = step_done(c, st, what, e);
    if (rc == 0) {
        inserted = sqlite3_changes(c->db) > 0;
        if (!inserted) {
            st = stmt(c, ST_PHOTO_UPDATE, e);
            if (!st)
                rc = e ? e->code : ERR_DB;
            else if (bind_photo(st, p) != SQLITE_OK)
                rc = cat_error(c, what, e);
            else
                rc = step_done(c, st, what, e);
        }
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    return rc ? rc : inserted;
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

int catalog_photo_get(catalog *c, const char *photo_id, catalog_photo *out, err *e)
{
    if (out)
        memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt(c, ST_PHOTO_GET, e);
    if (!st)
        return e ? e->code : ERR_DB;
    char what[96];
    snprintf(what, sizeof what, "get photo %.32s", photo_id);
    if (sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return cat_error(c, what, e);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    if (step != SQLITE_ROW) {
        int rc = cat_error(c, what, e);
        sqlite3_reset(st);
        return rc;
    }
    int rc = 1;
    if (out) {
        copy_col(out->photo_id, sizeof out->photo_id, st, 0);
        copy_col(out->sha256, sizeof out->sha256, st, 1);
        copy_col(out->parent_id, sizeof out->parent_id, st, 2);
        out->page = sqlite3_column_int(st, 3);
        copy_col(out->format, sizeof out->format, st, 4);
        copy_col(out->incoming_key, sizeof out->incoming_key, st, 5);
        out->bytes = sqlite3_column_int64(st, 6);
        out->width = sqlite3_column_int(st, 7);
        out->height = sqlite3_column_int(st, 8);
        out->orig_width = sqlite3_column_int(st, 9);
        out->orig_height = sqlite3_column_int(st, 10);
        out->orientation = sqlite3_column_int(st, 11);
        copy_col(out->taken_at, sizeof out->taken_at, st, 12);
        copy_col(out->taken_at_source, sizeof out->taken_at_source, st, 13);
        copy_col(out->camera_make, sizeof out->camera_make, st, 14);
        copy_col(out->camera_model, sizeof out->camera_model, st, 15);
        const unsigned char *sidecar = sqlite3_column_text(st, 16);
        if (sidecar && !(out->sidecar = strdup((const char *)sidecar)))
            rc = err_set(e, ERR_NOMEM, "%s: %s: out of memory", c->path, what);
    }
    sqlite3_reset(st);
    return rc;
}

void catalog_photo_clear(catalog_photo *p)
{
    if (!p)
        return;
    free(p->sidecar);
    p->sidecar = NULL;
}

/* ---- source paths ------------------------------------------------------- */

int catalog_source_find(catalog *c, const char *path, char photo_id[PHOTO_ID_LEN + 1], int64_t *size, int64_t *mtime_ns,
                        err *e)
{
    sqlite3_stmt *st = stmt(c, ST_SOURCE_FIND, e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return cat_error(c, "find source path", e);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        if (photo_id)
            copy_col(photo_id, PHOTO_ID_LEN + 1, st, 0);
        if (size)
            *size = sqlite3_column_int64(st, 1);
        if (mtime_ns)
            *mtime_ns = sqlite3_column_int64(st, 2);
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = cat_error(c, "find source path", e);
    }
    sqlite3_reset(st);
    return rc;
}

int catalog_source_add(catalog *c, const char *photo_id, const char *path, int64_t size, int64_t mtime_ns, err *e)
{
    if (!path || !*path)
        return err_set(e, ERR_INVALID, "%s: add source path: empty path", c->path);
    char what[96];
    snprintf(what, sizeof what, "add source path for photo %.32s", photo_id);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    char known[PHOTO_ID_LEN + 1];
    int64_t ksize = 0, kmtime = 0;
    int found = catalog_source_find(c, path, known, &ksize, &kmtime, e), added = 0;
    sqlite3_stmt *st = NULL;
    if (found < 0) {
        rc = found;
    } else if (found && strcmp(known, photo_id) == 0 && ksize == size && kmtime == mtime_ns) {
        rc = 0; /* already recorded as is */
    } else {
        /* New path, or a known path whose file now holds other bytes (or was touched). */
        added = !found || strcmp(known, photo_id) != 0;
        st = stmt(c, found ? ST_SOURCE_UPDATE : ST_SOURCE_INSERT, e);
        if (!st)
            rc = e ? e->code : ERR_DB;
        else if (sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
                 sqlite3_bind_text(st, 2, photo_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
                 sqlite3_bind_int64(st, 3, size) != SQLITE_OK || sqlite3_bind_int64(st, 4, mtime_ns) != SQLITE_OK)
            rc = cat_error(c, what, e);
        else
            rc = step_done(c, st, what, e);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    return rc ? rc : added;
}

/* ---- ingest failures ---------------------------------------------------- */

int catalog_failure_put(catalog *c, const char *path, const char *reason, err *e)
{
    sqlite3_stmt *st = stmt(c, ST_FAILURE_PUT, e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, reason && *reason ? reason : "unknown reason", -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return cat_error(c, "record ingest failure", e);
    return step_done(c, st, "record ingest failure", e);
}

int catalog_failure_clear(catalog *c, const char *path, err *e)
{
    sqlite3_stmt *st = stmt(c, ST_FAILURE_CLEAR, e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return cat_error(c, "clear ingest failure", e);
    return step_done(c, st, "clear ingest failure", e);
}

int catalog_failure_list(catalog *c, catalog_failure_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = stmt(c, ST_FAILURE_LIST, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), ud) != 0)
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = cat_error(c, "list ingest failures", e);
    sqlite3_reset(st);
    return rc;
}

/* ---- status ------------------------------------------------------------- */

int catalog_counts_get(catalog *c, catalog_counts *out, err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt(c, ST_COUNTS, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t *fields[] = { &out->photos,    &out->sources, &out->failed,        &out->analyzed,
                              &out->faces,     &out->persons, &out->named_persons, &out->unassigned_faces,
                              &out->decisions, &out->events,  &out->places,        &out->years };
        for (int i = 0; i < (int)(sizeof fields / sizeof *fields); i++)
            *fields[i] = sqlite3_column_int64(st, i);
    } else {
        rc = cat_error(c, "count catalog rows", e);
    }
    sqlite3_reset(st);
    return rc;
}
