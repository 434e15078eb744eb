/* respcache.h — answers of read-only GET routes kept in memory until the
 * catalog changes. The review UI asks for the same lists (the queue, the people
 * gallery) over and over while they change only when somebody decides
 * something; a cached answer costs a copy instead of a query over every face.
 *
 * Freshness: a dedicated read-only SQLite connection watches
 * `PRAGMA data_version`, which changes whenever any other connection — this
 * server's workers, `facetag cluster` in another process — commits. An entry
 * is served only while the version it was computed under is still current, so
 * a client never sees an answer older than its request. Entries are found by
 * a hash of their key and evicted least recently used first, each in constant
 * time under one short lock. Thread-safe. */
#ifndef FACETAG_REVIEW_RESPCACHE_H
#define FACETAG_REVIEW_RESPCACHE_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct respcache respcache;

/* Watches the catalog at db_path; keeps at most max_bytes of answers (their
 * gzip copies, about a fifth of a JSON answer, come on top). */
respcache *respcache_open(const char *db_path, size_t max_bytes, err *e);
void respcache_close(respcache *rc);

/* The catalog's current version (changes with every commit anywhere). */
uint64_t respcache_version(respcache *rc);

/* A stored answer: shared read-only by every request that sends it. */
typedef struct respcache_blob respcache_blob;
const char *respcache_blob_data(const respcache_blob *b);
size_t respcache_blob_len(const respcache_blob *b);
/* The same answer gzip-compressed, for answers of 512 bytes or more, else
 * NULL (also when out of memory): made once, by the first request that asks
 * for it (an answer nobody asks again for is never compressed), kept with the
 * answer. Thread-safe. */
const char *respcache_blob_gzip(respcache_blob *b, size_t *len);
/* Drops the caller's reference (the answer is freed with the last one). */
void respcache_blob_release(void *b);

/* The answer for key when it was computed under the current version: a new
 * reference (release it when sent). Else NULL: the caller computes the answer
 * and then must call respcache_put (or respcache_abandon when it has none), and
 * *version tells the version to store it under. While one caller computes a
 * key, others asking for it wait for its answer instead of computing it too. */
respcache_blob *respcache_get(respcache *rc, const char *key, uint64_t *version);
/* The answer for key when it is current, without waiting and without taking
 * on the computing of it: a new reference, or NULL. With gzip, NULL also when
 * the answer should go compressed and its gzip copy is not made yet (whoever
 * computes it, respcache_blob_gzip, may take a while). For a thread that must
 * not block. */
respcache_blob *respcache_peek(respcache *rc, const char *key, bool gzip);
/* Stores an answer computed after respcache_get gave `version` (copied). */
void respcache_put(respcache *rc, const char *key, uint64_t version, const char *body, size_t len);
/* No answer to store after a miss (an error): lets the waiting callers go on. */
void respcache_abandon(respcache *rc, const char *key);

#endif
