/* objstore.h — the object store: four buckets of whole objects under string keys.
 *
 * Same keys on every backend (directory now, S3 later):
 *   incoming/{photo_id}.{ext}         original bytes, write-once
 *   processed/{photo_id}.jpg          unified working image
 *   faces/{photo_id}/{face_no}.jpg    face crop for the UI
 *   annotations/{photo_id}.json       everything known about the photo
 * A put replaces the object whole and atomically: a reader sees the old object or
 * the new one, never a mix, and never a half-written one after a crash.
 * Keys: 1..512 bytes of [A-Za-z0-9._-/], no leading '/', no empty, '.' or '..'
 * segment, no segment starting with '.'; anything else is ERR_INVALID.
 * One handle may be shared by threads. All functions return 0 or a negative
 * errcode with `e` filled in. */
#ifndef FACETAG_STORE_OBJSTORE_H
#define FACETAG_STORE_OBJSTORE_H

#include "core/error.h"
#include <stddef.h>
#include <stdint.h>

typedef enum objstore_bucket {
    BUCKET_INCOMING = 0,
    BUCKET_PROCESSED,
    BUCKET_FACES,
    BUCKET_ANNOTATIONS,
    BUCKET_COUNT
} objstore_bucket;

typedef struct objstore objstore;

typedef struct objstore_info {
    uint64_t size;
    int64_t mtime; /* seconds since the epoch */
} objstore_info;

/* Called for each key under a prefix, in byte order of keys; return non-zero to stop. */
typedef int (*objstore_list_fn)(const char *key, const objstore_info *info, void *ud);

/* "incoming", "processed", "faces", "annotations"; NULL for an invalid bucket. */
const char *objstore_bucket_name(objstore_bucket b);
/* 1 when the key is valid (rules above), else 0. */
int objstore_key_valid(const char *key);

/* Directory backend rooted at root ($FACETAG_DATA/objects): object bucket/key is
 * the file root/bucket/key. Creates the buckets, and removes temp files left by
 * writers that died mid-put (".NAME.PID.tmp" whose PID is gone).
 * Caller frees with objstore_close. */
objstore *objstore_open_dir(const char *root, err *e);
/* S3 backend (objstore_s3.c, AWS / MinIO / Ceph RGW): url is
 * s3://PREFIX?endpoint=URL&region=R (store/s3_config.h: options, buckets
 * PREFIX-incoming ..., credentials). Checks the four buckets with one HEAD each,
 * so wrong credentials or a missing bucket fail here with ERR_INVALID and a
 * message saying what to do. create = 1 (`facetag store init`) makes missing
 * buckets first, with versioning enabled. Caller frees with objstore_close. */
objstore *objstore_open_s3(const char *url, int create, err *e);
/* Opens a store by URL: "s3://..." as above, anything else is a folder for
 * objstore_open_dir ("file://" in front is taken off). */
objstore *objstore_open_url(const char *url, int create, err *e);
/* "dir" or "s3". */
const char *objstore_backend_name(const objstore *s);
void objstore_close(objstore *s);

int objstore_put(objstore *s, objstore_bucket b, const char *key, const void *data, size_t len, err *e);
/* Versions: a backend with versioned buckets (S3 after `facetag store init`)
 * keeps every object a put replaced. objstore_put_version is objstore_put that
 * also returns the new object's version id ("" when the backend keeps no
 * versions: the directory, an unversioned bucket). objstore_get_version reads
 * the object as it was at that version; version "" or NULL is the current one;
 * ERR_NOTFOUND when the version is not (or no longer) there. */
#define OBJSTORE_VERSION_MAX 256
int objstore_put_version(objstore *s, objstore_bucket b, const char *key, const void *data, size_t len,
                         char version[OBJSTORE_VERSION_MAX], err *e);
int objstore_get_version(objstore *s, objstore_bucket b, const char *key, const char *version, void **data, size_t *len,
                         err *e);
/* *data is malloc'd, caller frees; ERR_NOTFOUND when absent. */
int objstore_get(objstore *s, objstore_bucket b, const char *key, void **data, size_t *len, err *e);
/* 1 when present (info filled if not NULL), 0 when absent, <0 on error. */
int objstore_head(objstore *s, objstore_bucket b, const char *key, objstore_info *info, err *e);
/* prefix may be "" or NULL for all keys in the bucket; a prefix no valid key can
 * start with ("../", "/x", "a//") is ERR_INVALID. Hidden and temp files are
 * never listed. */
int objstore_list(objstore *s, objstore_bucket b, const char *prefix, objstore_list_fn fn, void *ud, err *e);
/* Deleting an absent object is not an error. */
int objstore_delete(objstore *s, objstore_bucket b, const char *key, err *e);
/* Local file path of an object, when the backend has one (directory backend);
 * else ERR_NOTFOUND. Used to stream large originals without a copy. */
int objstore_local_path(objstore *s, objstore_bucket b, const char *key, char *buf, size_t bufsize, err *e);

#endif
