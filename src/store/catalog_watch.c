/* catalog_watch.c — PRAGMA data_version on a read-only connection
 * (catalog_watch.h). */
#include "store/catalog_watch.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdlib.h>

struct catalog_watch {
    sqlite3 *db;
    sqlite3_stmt *data_version;
};

catalog_watch *catalog_watch_open(const char *path, err *e)
{
    catalog_watch *w = calloc(1, sizeof *w);
    if (!w) {
        err_set(e, ERR_NOMEM, "%s: out of memory watching the catalog", path);
        return NULL;
    }
    catalog_sqlite_setup();
    if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "PRAGMA data_version", -1, &w->data_version, NULL) != SQLITE_OK) {
        err_set(e, ERR_DB, "%s: cannot watch the catalog for changes: %s", path,
                w->db ? sqlite3_errmsg(w->db) : "out of memory");
        catalog_watch_close(w);
        return NULL;
    }
    sqlite3_busy_timeout(w->db, 5000);
    return w;
}

int64_t catalog_watch_version(catalog_watch *w)
{
    int64_t v = -1;
    if (sqlite3_step(w->data_version) == SQLITE_ROW)
        v = sqlite3_column_int64(w->data_version, 0);
    sqlite3_reset(w->data_version);
    return v;
}

void catalog_watch_close(catalog_watch *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->data_version);
    sqlite3_close(w->db);
    free(w);
}
