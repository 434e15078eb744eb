/* catalog_llm.c — the cache of language-model answers (catalog_llm.h). */
#include "store/catalog_llm.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int check_key(catalog *c, const char *key, err *e)
{
    if (!key || strlen(key) != 64)
        return err_set(e, ERR_INVALID, "%s: llm cache key must be 64 hex digits", catalog_path(c));
    return 0;
}

int catalog_llm_cache_get(catalog *c, const char *key, char **answer, err *e)
{
    *answer = NULL;
    int rc = check_key(c, key, e);
    if (rc)
        return rc;
    sqlite3_stmt *st = catalog_prepare(c, "SELECT answer FROM llm_cache WHERE key = ?1", "read llm cache", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        *answer = strdup(t ? t : "");
        rc = *answer ? 1 : err_set(e, ERR_NOMEM, "%s: out of memory reading the llm cache", catalog_path(c));
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = catalog_error(c, "read llm cache", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_llm_cache_put(catalog *c, const char *key, const char *model, const char *answer, err *e)
{
    int rc = check_key(c, key, e);
    if (rc)
        return rc;
    sqlite3_stmt *st =
        catalog_prepare(c,
                        "INSERT INTO llm_cache (key, model, answer) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (key) DO UPDATE SET model = excluded.model, answer = excluded.answer, "
                        "created_at = excluded.created_at",
                        "write llm cache", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, model ? model : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, answer, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, "write llm cache", e);
    sqlite3_finalize(st);
    return rc;
}

long long catalog_llm_cache_count(catalog *c, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "SELECT count(*) FROM llm_cache", "count llm cache", e);
    if (!st)
        return e ? e->code : ERR_DB;
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : catalog_error(c, "count llm cache", e);
    sqlite3_finalize(st);
    return n;
}
