/* catalog_query.c — the read-only query entry point (catalog_query.h): a thin
 * cursor over one prepared SQLite statement that refuses statements that write
 * and reports errors through the catalog's one error mapping. */
#include "store/catalog_query.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

struct catalog_cursor {
    catalog *c;
    sqlite3_stmt *st;
    char what[96];
    int bad_bind; /* the first bind that failed (1-based), 0 none */
};

catalog_cursor *catalog_query(catalog *c, const char *sql, const char *what, err *e)
{
    catalog_cursor *q = calloc(1, sizeof *q);
    if (!q) {
        err_set(e, ERR_NOMEM, "%s: %s: out of memory", catalog_path(c), what);
        return NULL;
    }
    q->c = c;
    snprintf(q->what, sizeof q->what, "%s", what);
    const char *tail = NULL;
    if (sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &q->st, &tail) != SQLITE_OK) {
        catalog_error(c, what, e);
        catalog_cursor_close(q);
        return NULL;
    }
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
        tail++;
    if (!q->st || (tail && *tail)) {
        err_set(e, ERR_INVALID, "%s: %s: the query must be exactly one statement", catalog_path(c), what);
        catalog_cursor_close(q);
        return NULL;
    }
    if (!sqlite3_stmt_readonly(q->st)) {
        err_set(e, ERR_INVALID, "%s: %s: not a read-only statement (changes go through the store's functions)",
                catalog_path(c), what);
        catalog_cursor_close(q);
        return NULL;
    }
    return q;
}

static int bound(catalog_cursor *q, int i, int rc)
{
    if (rc != SQLITE_OK && !q->bad_bind)
        q->bad_bind = i;
    return rc == SQLITE_OK ? 0 : ERR_INVALID;
}

int catalog_cursor_bind_i64(catalog_cursor *q, int i, int64_t v)
{
    return bound(q, i, sqlite3_bind_int64(q->st, i, v));
}

int catalog_cursor_bind_double(catalog_cursor *q, int i, double v)
{
    return bound(q, i, sqlite3_bind_double(q->st, i, v));
}

int catalog_cursor_bind_text(catalog_cursor *q, int i, const char *s)
{
    return bound(q, i, s ? sqlite3_bind_text(q->st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q->st, i));
}

int catalog_cursor_next(catalog_cursor *q, err *e)
{
    if (q->bad_bind)
        return err_set(e, ERR_INVALID, "%s: %s: cannot bind parameter %d", catalog_path(q->c), q->what, q->bad_bind);
    int step = sqlite3_step(q->st);
    if (step == SQLITE_ROW)
        return 1;
    if (step == SQLITE_DONE)
        return 0;
    return catalog_error(q->c, q->what, e);
}

void catalog_cursor_reset(catalog_cursor *q)
{
    sqlite3_reset(q->st);
}

bool catalog_cursor_is_null(catalog_cursor *q, int col)
{
    return sqlite3_column_type(q->st, col) == SQLITE_NULL;
}

bool catalog_cursor_is_text(catalog_cursor *q, int col)
{
    return sqlite3_column_type(q->st, col) == SQLITE_TEXT;
}

int64_t catalog_cursor_i64(catalog_cursor *q, int col)
{
    return sqlite3_column_int64(q->st, col);
}

int catalog_cursor_int(catalog_cursor *q, int col)
{
    return sqlite3_column_int(q->st, col);
}

double catalog_cursor_double(catalog_cursor *q, int col)
{
    return sqlite3_column_double(q->st, col);
}

const char *catalog_cursor_text(catalog_cursor *q, int col)
{
    return (const char *)sqlite3_column_text(q->st, col);
}

const void *catalog_cursor_blob(catalog_cursor *q, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(q->st, col);
    *len = (size_t)sqlite3_column_bytes(q->st, col);
    return p;
}

void catalog_cursor_close(catalog_cursor *q)
{
    if (!q)
        return;
    sqlite3_finalize(q->st);
    free(q);
}

int catalog_query_i64(catalog *c, const char *sql, const char *what, const char *const *args, size_t nargs,
                      int64_t *out, err *e)
{
    catalog_cursor *q = catalog_query(c, sql, what, e);
    if (!q)
        return e ? e->code : ERR_DB;
    for (size_t i = 0; i < nargs; i++)
        catalog_cursor_bind_text(q, (int)i + 1, args[i]);
    int rc = catalog_cursor_next(q, e);
    if (rc == 1) {
        if (catalog_cursor_is_null(q, 0))
            rc = 0;
        else
            *out = catalog_cursor_i64(q, 0);
    }
    catalog_cursor_close(q);
    return rc;
}
