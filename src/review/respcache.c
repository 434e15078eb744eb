/* respcache.c — GET answers kept until the catalog changes (respcache.h). */
#include "review/respcache.h"

#include "store/catalog_watch.h"

#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <zlib.h>

/* Answers shorter than this are sent as they are. */
#define GZIP_MIN 512

/* An answer's gzip copy. */
typedef struct gz_copy {
    size_t len;
    unsigned char data[];
} gz_copy;

struct respcache_blob {
    atomic_int refs;
    size_t len;
    _Atomic(gz_copy *) gz; /* made when a client first asks for gzip; NULL until then */
    char data[];
};

/* An answer kept: in the table by its key, and in the list of all entries from
 * the most recently used (head) to the least (tail), which eviction takes. */
typedef struct entry {
    char *key; /* owned; also the table's key */
    uint64_t version;
    respcache_blob *blob;
    size_t len;
    struct entry *newer, *older;
} entry;

/* How long a caller waits for another one computing the same key before it
 * computes the answer itself. */
#define WAIT_SECONDS 10

struct respcache {
    pthread_mutex_t lock;
    pthread_cond_t done; /* a computation finished (put or abandon) */
    char **computing;    /* keys being computed now */
    size_t ncomputing, capcomputing;
    catalog_watch *watch;
    int64_t last_seen; /* the last PRAGMA data_version read */
    uint64_t version;  /* bumped whenever last_seen changes */
    uint64_t stored;   /* the version of every entry stored */
    GHashTable *table; /* key -> entry */
    entry *newest, *oldest;
    size_t bytes, max_bytes;
};

static void unlink_entry(respcache *rc, entry *x)
{
    if (x->newer)
        x->newer->older = x->older;
    else
        rc->newest = x->older;
    if (x->older)
        x->older->newer = x->newer;
    else
        rc->oldest = x->newer;
    x->newer = x->older = NULL;
}

static void link_newest(respcache *rc, entry *x)
{
    x->older = rc->newest;
    x->newer = NULL;
    if (rc->newest)
        rc->newest->newer = x;
    else
        rc->oldest = x;
    rc->newest = x;
}

/* Under the lock: forgets x and releases its answer. */
static void drop(respcache *rc, entry *x)
{
    g_hash_table_remove(rc->table, x->key);
    unlink_entry(rc, x);
    rc->bytes -= x->len;
    free(x->key);
    respcache_blob_release(x->blob);
    free(x);
}

respcache *respcache_open(const char *db_path, size_t max_bytes, err *e)
{
    respcache *rc = calloc(1, sizeof *rc);
    if (!rc) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&rc->lock, NULL);
    pthread_cond_init(&rc->done, NULL);
    rc->max_bytes = max_bytes;
    rc->version = 1;
    rc->table = g_hash_table_new(g_str_hash, g_str_equal);
    if (!(rc->watch = catalog_watch_open(db_path, e))) {
        respcache_close(rc);
        return NULL;
    }
    rc->last_seen = -1;
    respcache_version(rc);
    return rc;
}

void respcache_close(respcache *rc)
{
    if (!rc)
        return;
    while (rc->oldest)
        drop(rc, rc->oldest);
    if (rc->table)
        g_hash_table_destroy(rc->table);
    for (size_t i = 0; i < rc->ncomputing; i++)
        free(rc->computing[i]);
    free(rc->computing);
    pthread_cond_destroy(&rc->done);
    catalog_watch_close(rc->watch);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}

/* Under the lock. When the pragma cannot be read, every call counts as a change
 * (nothing is served from the cache rather than something stale). */
static uint64_t current_version(respcache *rc)
{
    int64_t v = catalog_watch_version(rc->watch);
    if (v < 0 || v != rc->last_seen) {
        rc->last_seen = v;
        rc->version++;
    }
    return rc->version;
}

uint64_t respcache_version(respcache *rc)
{
    pthread_mutex_lock(&rc->lock);
    uint64_t v = current_version(rc);
    pthread_mutex_unlock(&rc->lock);
    return v;
}

const char *respcache_blob_data(const respcache_blob *b)
{
    return b->data;
}

size_t respcache_blob_len(const respcache_blob *b)
{
    return b->len;
}

void respcache_blob_release(void *p)
{
    respcache_blob *b = p;
    if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
        free(atomic_load(&b->gz));
        free(b);
    }
}

/* gzip (RFC 1952) of data; NULL when it fails. */
static gz_copy *gzip(const char *data, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    gz_copy *out = malloc(sizeof *out + cap);
    if (out) {
        z.next_in = (unsigned char *)data;
        z.avail_in = (uInt)len;
        z.next_out = out->data;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            out->len = z.total_out;
        } else {
            free(out);
            out = NULL;
        }
    }
    deflateEnd(&z);
    return out;
}

const char *respcache_blob_gzip(respcache_blob *b, size_t *len)
{
    *len = 0;
    if (b->len < GZIP_MIN || b->len >= UINT32_MAX)
        return NULL;
    gz_copy *g = atomic_load(&b->gz);
    if (!g) {
        /* Compressed outside any lock; when two requests race, one copy wins. */
        gz_copy *mine = gzip(b->data, b->len), *none = NULL;
        if (!mine)
            return NULL;
        if (atomic_compare_exchange_strong(&b->gz, &none, mine))
            g = mine;
        else
            free(mine), g = none;
    }
    *len = g->len;
    return (const char *)g->data;
}

static ssize_t computing_index(respcache *rc, const char *key)
{
    for (size_t i = 0; i < rc->ncomputing; i++)
        if (strcmp(rc->computing[i], key) == 0)
            return (ssize_t)i;
    return -1;
}

/* Under the lock: key is no longer being computed; wakes the waiters. */
static void computing_end(respcache *rc, const char *key)
{
    ssize_t i = computing_index(rc, key);
    if (i >= 0) {
        free(rc->computing[i]);
        rc->computing[i] = rc->computing[--rc->ncomputing];
        pthread_cond_broadcast(&rc->done);
    }
}

/* Under the lock: the entry for key when it is of version v (a hit: moved to
 * the front of the list, its answer given a new reference), else NULL. */
static respcache_blob *hit(respcache *rc, const char *key, uint64_t v)
{
    entry *x = g_hash_table_lookup(rc->table, key);
    if (!x || x->version != v)
        return NULL;
    unlink_entry(rc, x);
    link_newest(rc, x);
    atomic_fetch_add(&x->blob->refs, 1);
    return x->blob;
}

respcache_blob *respcache_get(respcache *rc, const char *key, uint64_t *version)
{
    pthread_mutex_lock(&rc->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_SECONDS;
    respcache_blob *b = NULL;
    for (;;) {
        uint64_t v = current_version(rc);
        *version = v;
        if ((b = hit(rc, key, v)))
            break;
        /* Somebody computes it: wait for them (unless that takes too long). */
        if (computing_index(rc, key) >= 0 && pthread_cond_timedwait(&rc->done, &rc->lock, &until) == 0)
            continue;
        if (computing_index(rc, key) < 0) {
            if (rc->ncomputing == rc->capcomputing) {
                size_t cap = rc->capcomputing ? rc->capcomputing * 2 : 8;
                char **nc = realloc(rc->computing, cap * sizeof *nc);
                if (nc) {
                    rc->computing = nc;
                    rc->capcomputing = cap;
                }
            }
            char *k = rc->ncomputing < rc->capcomputing ? strdup(key) : NULL;
            if (k)
                rc->computing[rc->ncomputing++] = k;
        }
        break;
    }
    pthread_mutex_unlock(&rc->lock);
    return b;
}

respcache_blob *respcache_peek(respcache *rc, const char *key, bool gzip)
{
    pthread_mutex_lock(&rc->lock);
    respcache_blob *b = hit(rc, key, current_version(rc));
    pthread_mutex_unlock(&rc->lock);
    if (b && gzip && !atomic_load(&b->gz) && b->len >= GZIP_MIN && b->len < UINT32_MAX) {
        respcache_blob_release(b); /* compressing it is a worker's job */
        b = NULL;
    }
    return b;
}

void respcache_abandon(respcache *rc, const char *key)
{
    pthread_mutex_lock(&rc->lock);
    computing_end(rc, key);
    pthread_mutex_unlock(&rc->lock);
}

void respcache_put(respcache *rc, const char *key, uint64_t version, const char *body, size_t len)
{
    if (len > rc->max_bytes / 4) { /* one answer may not push out everything else */
        respcache_abandon(rc, key);
        return;
    }
    /* Copied before the lock is taken. */
    entry *nx = calloc(1, sizeof *nx);
    char *k = strdup(key);
    respcache_blob *b = malloc(sizeof *b + len + 1);
    if (b) {
        atomic_init(&b->refs, 1);
        b->len = len;
        atomic_init(&b->gz, NULL);
        memcpy(b->data, body, len);
        b->data[len] = '\0';
    }
    pthread_mutex_lock(&rc->lock);
    computing_end(rc, key);
    if (version == rc->version && nx && k && b) { /* computed under the current version: still true */
        entry *x = g_hash_table_lookup(rc->table, key);
        if (x)
            drop(rc, x);
        /* Stale entries go first (all of them, once per new version), then
         * the least recently used. */
        if (rc->stored != version) {
            while (rc->oldest)
                drop(rc, rc->oldest);
            rc->stored = version;
        }
        while (rc->oldest && rc->bytes + len > rc->max_bytes)
            drop(rc, rc->oldest);
        *nx = (entry){ .key = k, .version = version, .blob = b, .len = len };
        g_hash_table_insert(rc->table, k, nx);
        link_newest(rc, nx);
        rc->bytes += len;
        nx = NULL, k = NULL, b = NULL;
    }
    pthread_mutex_unlock(&rc->lock);
    free(nx);
    free(k);
    free(b);
}
