/* catalog_watch.h — noticing that the catalog changed, from any connection or
 * process, without reading it: a read-only connection of its own whose counter
 * (SQLite's PRAGMA data_version) moves whenever another connection commits.
 * The review's answer cache uses it to know when an answer is stale.
 * One watch is used by one thread at a time (the caller locks). */
#ifndef FACETAG_STORE_CATALOG_WATCH_H
#define FACETAG_STORE_CATALOG_WATCH_H

#include "core/error.h"

#include <stdint.h>

typedef struct catalog_watch catalog_watch;

/* Opens a watch on the catalog file at path (which must exist); NULL with e set
 * (ERR_DB, naming the file). Close with catalog_watch_close. */
catalog_watch *catalog_watch_open(const char *path, err *e);
/* A number that changes when another connection has committed since the last
 * call; -1 when it cannot be read (treat as changed). */
int64_t catalog_watch_version(catalog_watch *w);
void catalog_watch_close(catalog_watch *w);

#endif
