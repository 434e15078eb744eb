/* dbpool.h — a fixed set of catalog connections shared by the HTTP worker
 * threads: a catalog handle serves one thread at a time (catalog.h), so each
 * request borrows one for its duration. With as many connections as workers a
 * request never waits for one. */
#ifndef FACETAG_REVIEW_DBPOOL_H
#define FACETAG_REVIEW_DBPOOL_H

#include "core/error.h"
#include "store/catalog.h"

typedef struct dbpool dbpool;

/* Opens n connections to the catalog at path; each waits up to busy_timeout_ms
 * for another process's write lock (then a change fails with ERR_BUSY). Caller
 * frees with dbpool_close. */
dbpool *dbpool_open(const char *path, int n, int busy_timeout_ms, err *e);
/* Waits for a free connection; never NULL. */
catalog *dbpool_acquire(dbpool *p);
/* Gives it back; a transaction left open by mistake is rolled back. */
void dbpool_release(dbpool *p, catalog *c);
void dbpool_close(dbpool *p);

#endif
