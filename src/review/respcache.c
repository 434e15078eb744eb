/* respcache.c — GET answers kept until the catalog changes (respcache.h). */
#include "review/respcache.h"

#include "store/catalog_watch.h"

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

typedef struct entry {
    char *key;
    uint64_t hash; /* of key: compared before the key */
    uint64_t version;
    respcache_blob *blob;
    size_t len;
    uint64_t used; /* tick of the last hit, for eviction */
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
    entry *entries;
    size_t n, cap, bytes, max_bytes;
    uint64_t tick;
};

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
    for (size_t i = 0; i < rc->n; i++) {
        free(rc->entries[i].key);
        respcache_blob_release(rc->entries[i].blob);
    }
    free(rc->entries);
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

static uint64_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return h;
}

static entry *find(respcache *rc, const char *key, uint64_t hash)
{
    for (size_t i = 0; i < rc->n; i++)
        if (rc->entries[i].hash == hash && strcmp(rc->entries[i].key, key) == 0)
            return &rc->entries[i];
    return NULL;
}

static void drop(respcache *rc, entry *x)
{
    rc->bytes -= x->len;
    free(x->key);
    respcache_blob_release(x->blob);
    *x = rc->entries[--rc->n];
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

respcache_blob *respcache_get(respcache *rc, const char *key, uint64_t *version)
{
    pthread_mutex_lock(&rc->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_SECONDS;
    respcache_blob *b = NULL;
    uint64_t hash = key_hash(key);
    for (;;) {
        uint64_t v = current_version(rc);
        *version = v;
        entry *x = find(rc, key, hash);
        if (x && x->version == v) {
            b = x->blob;
            atomic_fetch_add(&b->refs, 1);
            x->used = ++rc->tick;
            break;
        }
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
    uint64_t hash = key_hash(key);
    pthread_mutex_lock(&rc->lock);
    computing_end(rc, key);
    if (version == rc->version) { /* computed under the current version: still true */
        entry *x = find(rc, key, hash);
        if (x)
            drop(rc, x);
        /* Stale entries go first (all of them, once per new version), then
         * the least recently used. */
        if (rc->stored != version) {
            while (rc->n > 0)
                drop(rc, &rc->entries[rc->n - 1]);
            rc->stored = version;
        }
        while (rc->n > 0 && rc->bytes + len > rc->max_bytes) {
            size_t lru = 0;
            for (size_t i = 1; i < rc->n; i++)
                if (rc->entries[i].used < rc->entries[lru].used)
                    lru = i;
            drop(rc, &rc->entries[lru]);
        }
        if (rc->n == rc->cap) {
            size_t cap = rc->cap ? rc->cap * 2 : 16;
            entry *ne = realloc(rc->entries, cap * sizeof *ne);
            if (ne) {
                rc->entries = ne;
                rc->cap = cap;
            }
        }
        char *k = strdup(key);
        respcache_blob *b = malloc(sizeof *b + len + 1);
        if (rc->n < rc->cap && k && b) {
            atomic_init(&b->refs, 1);
            b->len = len;
            atomic_init(&b->gz, NULL);
            memcpy(b->data, body, len);
            b->data[len] = '\0';
            rc->entries[rc->n++] =
                (entry){ .key = k, .hash = hash, .version = version, .blob = b, .len = len, .used = ++rc->tick };
            rc->bytes += len;
        } else {
            free(k);
            free(b);
        }
    }
    pthread_mutex_unlock(&rc->lock);
}
