/* dbpool.c — catalog connections borrowed per request (dbpool.h). */
#include "review/dbpool.h"

#include <pthread.h>
#include <stdlib.h>

/* Each connection maps up to this much of the catalog: the OS's cached pages
 * are read in place, shared by all of them, instead of copied into each
 * connection's own page cache (a 100,000-photo catalog is some 200 MB). */
#define DBPOOL_MMAP_BYTES ((int64_t)1 << 30)

struct dbpool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int n, nfree;
    catalog **all;
    catalog **free_list; /* stack of nfree idle connections */
};

dbpool *dbpool_open(const char *path, int n, int busy_timeout_ms, err *e)
{
    if (n < 1)
        n = 1;
    dbpool *p = calloc(1, sizeof *p);
    if (!p || !(p->all = calloc((size_t)n, sizeof *p->all)) || !(p->free_list = calloc((size_t)n, sizeof *p->all))) {
        if (p)
            free(p->all);
        free(p);
        err_set(e, ERR_NOMEM, "%s: out of memory for %d connections", path, n);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (int i = 0; i < n; i++) {
        if (!(p->all[i] = catalog_open_unshared(path, e))) { /* lent to one request at a time */
            dbpool_close(p);
            return NULL;
        }
        catalog_set_busy_timeout(p->all[i], busy_timeout_ms);
        catalog_set_mmap(p->all[i], DBPOOL_MMAP_BYTES);
        p->n++;
        p->free_list[p->nfree++] = p->all[i];
    }
    return p;
}

catalog *dbpool_acquire(dbpool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    catalog *c = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    return c;
}

void dbpool_release(dbpool *p, catalog *c)
{
    if (!c)
        return;
    catalog_rollback(c); /* no-op unless a handler left a transaction open */
    pthread_mutex_lock(&p->lock);
    p->free_list[p->nfree++] = c;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void dbpool_close(dbpool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        catalog_close(p->all[i]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p->all);
    free(p->free_list);
    free(p);
}
