/* catalog_objver.c — object version ids per analysis (catalog_objver.h). */
#include "store/catalog_objver.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>

int catalog_objver_put(catalog *c, const char *bucket, const char *key, const char *model_version,
                       const char *version_id, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c,
                                       "INSERT INTO object_versions (bucket, key, model_version, version_id) "
                                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (bucket, key, model_version) "
                                       "DO UPDATE SET version_id = excluded.version_id, "
                                       "created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                                       "record an object version", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, model_version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, version_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, "record an object version", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_objver_get(catalog *c, const char *bucket, const char *key, const char *model_version, char *version_id,
                       size_t size, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT version_id FROM object_versions WHERE bucket = ?1 AND key = ?2 AND "
                                       "model_version = ?3",
                                       "read an object version", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, model_version, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW) {
        snprintf(version_id, size, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = catalog_error(c, "read an object version", e);
    }
    sqlite3_finalize(st);
    return rc;
}
