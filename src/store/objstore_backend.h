/* objstore_backend.h — what a backend of the object store provides (internal to
 * src/store/). objstore.c validates buckets and keys and then dispatches through
 * the ops table, so a backend receives only valid bucket/key pairs and needs no
 * checks of its own. The directory backend lives in objstore_dir.c; an S3 backend
 * adds one more table. */
#ifndef FACETAG_STORE_OBJSTORE_BACKEND_H
#define FACETAG_STORE_OBJSTORE_BACKEND_H

#include "store/objstore.h"
#include "store/objstore_stream.h"

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
    /* Optional (NULL: objstore_stream.c does it through local_path or put/get).
     * put_fd stores the whole regular file fd (pread from 0), handing each chunk
     * to on_chunk and then on_chunk(NULL, 0) before the object becomes visible;
     * get_fd writes the object's bytes to fd from offset 0 (truncating it). */
    int (*put_fd)(void *impl, const char *bucket, const char *key, int fd, objstore_chunk_fn on_chunk, void *ud,
                  err *e);
    int (*get_fd)(void *impl, const char *bucket, const char *key, int fd, err *e);
    /* Optional, for backends that keep versions (NULL: none are kept). */
    int (*put_version)(void *impl, const char *bucket, const char *key, const void *data, size_t len,
                       char version[OBJSTORE_VERSION_MAX], err *e);
    int (*get_version)(void *impl, const char *bucket, const char *key, const char *version, void **data, size_t *len,
                       err *e);
    void (*close)(void *impl);
} objstore_ops;

/* Wraps a backend's state; on failure calls ops->close(impl) and returns NULL. */
objstore *objstore_new(const objstore_ops *ops, void *impl, err *e);
/* The backend behind a store, for objstore_stream.c. */
const objstore_ops *objstore_ops_of(const objstore *s);
void *objstore_impl_of(const objstore *s);

#endif
