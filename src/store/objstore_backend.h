/* objstore_backend.h — what a backend of the object store provides (internal to
 * src/store/). objstore.c validates buckets and keys and then dispatches through
 * the ops table, so a backend receives only valid bucket/key pairs and needs no
 * checks of its own. The directory backend lives in objstore_dir.c; an S3 backend
 * adds one more table. */
#ifndef FACETAG_STORE_OBJSTORE_BACKEND_H
#define FACETAG_STORE_OBJSTORE_BACKEND_H

#include "store/objstore.h"

typedef struct objstore_ops {
    const char *name; /* "dir", "s3": for messages */
    int (*put)(void *impl, const char *bucket, const char *key, const void *data, size_t len, err *e);
    int (*get)(void *impl, const char *bucket, const char *key, void **data, size_t *len, err *e);
    int (*head)(void *impl, const char *bucket, const char *key, objstore_info *info, err *e);
    /* prefix is never NULL (maybe ""); keys must reach fn in byte order. */
    int (*list)(void *impl, const char *bucket, const char *prefix, objstore_list_fn fn, void *ud, err *e);
    int (*del)(void *impl, const char *bucket, const char *key, err *e);
    /* NULL when the backend has no local files. */
    int (*local_path)(void *impl, const char *bucket, const char *key, char *buf, size_t bufsize, err *e);
    void (*close)(void *impl);
} objstore_ops;

/* Wraps a backend's state; on failure calls ops->close(impl) and returns NULL. */
objstore *objstore_new(const objstore_ops *ops, void *impl, err *e);

#endif
