/* objstore_copy.h — copying every object of one store into another (a folder
 * to S3, S3 to a folder, or any two), resumable and checked by hash.
 *
 * Each object goes through a temp file (never whole in memory), its SHA-256
 * taken from the bytes read and again from the bytes sent; incoming/ keys carry
 * the original's hash (photo_id = first 16 hex digits), which is checked too.
 * An object that is already in the target with the same size is skipped, so a
 * copy killed at any moment continues where it stopped when run again; every
 * put is atomic, so the target never holds a half-copied object. verify = 1
 * also reads each object back from the target (and every skipped one) and
 * compares hashes; a skipped object whose hash differs is copied again. */
#ifndef FACETAG_STORE_OBJSTORE_COPY_H
#define FACETAG_STORE_OBJSTORE_COPY_H

#include "store/objstore.h"
#include <stdint.h>

typedef struct objstore_copy_stats {
    int64_t copied, skipped, verified, failed;
    uint64_t bytes; /* bytes copied */
} objstore_copy_stats;

/* Called once per object failure with a message naming it; may be NULL. */
typedef void (*objstore_copy_fail_fn)(const char *msg, void *ud);

/* Copies all four buckets. Returns 0 when every object was copied or skipped
 * (stats filled), ERR_IO-like < 0 when listing failed or any object failed
 * (e names the first failure; stats->failed counts them). */
int objstore_copy(objstore *from, objstore *to, int verify, objstore_copy_stats *stats, objstore_copy_fail_fn on_fail,
                  void *ud, err *e);

#endif
