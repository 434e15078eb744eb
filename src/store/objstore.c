/* objstore.c — the backend-independent half of the object store: bucket names,
 * key rules, and dispatch to the backend's ops table. */
#include "store/objstore.h"
#include "store/objstore_backend.h"
#include "store/s3_config.h"

#include <stdlib.h>
#include <string.h>

#define OBJSTORE_KEY_MAX 512

struct objstore {
    const objstore_ops *ops;
    void *impl;
};

static const char *const bucket_names[BUCKET_COUNT] = {
    [BUCKET_INCOMING] = "incoming",
    [BUCKET_PROCESSED] = "processed",
    [BUCKET_FACES] = "faces",
    [BUCKET_ANNOTATIONS] = "annotations",
};

const char *objstore_bucket_name(objstore_bucket b)
{
    return (unsigned)b < BUCKET_COUNT ? bucket_names[b] : NULL;
}

static int key_char_ok(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-' || ch == '/';
}

int objstore_key_valid(const char *key)
{
    if (!key)
        return 0;
    size_t n = strnlen(key, OBJSTORE_KEY_MAX + 1);
    if (n == 0 || n > OBJSTORE_KEY_MAX)
        return 0;
    /* Walk segment by segment: each must be non-empty and not start with '.'
     * (which also rules out "." and ".."); a leading '/' is an empty first segment. */
    const char *seg = key;
    for (const char *p = key;; p++) {
        if (*p == '/' || *p == '\0') {
            if (p == seg || *seg == '.')
                return 0;
            if (*p == '\0')
                return 1;
            seg = p + 1;
        } else if (!key_char_ok((unsigned char)*p)) {
            return 0;
        }
    }
}

/* A prefix must be the beginning of some valid key: same characters, complete
 * segments non-empty and not starting with '.', and the unfinished last segment
 * (possibly empty) not starting with '.'. Backends rely on this: no prefix can
 * climb out of a bucket. */
static int prefix_valid(const char *prefix)
{
    size_t n = strnlen(prefix, OBJSTORE_KEY_MAX + 1);
    if (n > OBJSTORE_KEY_MAX)
        return 0;
    const char *seg = prefix;
    for (const char *p = prefix;; p++) {
        if (*p == '\0')
            return *seg != '.';
        if (*p == '/') {
            if (p == seg || *seg == '.')
                return 0;
            seg = p + 1;
        } else if (!key_char_ok((unsigned char)*p)) {
            return 0;
        }
    }
}

objstore *objstore_new(const objstore_ops *ops, void *impl, err *e)
{
    objstore *s = malloc(sizeof *s);
    if (!s) {
        ops->close(impl);
        err_set(e, ERR_NOMEM, "object store: out of memory");
        return NULL;
    }
    s->ops = ops;
    s->impl = impl;
    return s;
}

objstore *objstore_open_url(const char *url, int create, err *e)
{
    if (!url || !*url) {
        err_set(e, ERR_INVALID, "object store: no store URL given");
        return NULL;
    }
    if (s3_config_is_s3_url(url))
        return objstore_open_s3(url, create, e);
    if (strncmp(url, "file://", 7) == 0)
        url += 7;
    else if (strstr(url, "://")) {
        err_set(e, ERR_INVALID, "store %s: unknown kind of store (s3://PREFIX?endpoint=URL or a folder)", url);
        return NULL;
    }
    return objstore_open_dir(url, e);
}

const objstore_ops *objstore_ops_of(const objstore *s)
{
    return s->ops;
}

void *objstore_impl_of(const objstore *s)
{
    return s->impl;
}

const char *objstore_backend_name(const objstore *s)
{
    return s->ops->name;
}

void objstore_close(objstore *s)
{
    if (!s)
        return;
    s->ops->close(s->impl);
    free(s);
}

/* Checks the bucket and key every operation shares; returns the bucket name or
 * NULL with e set. */
static const char *check(objstore_bucket b, const char *key, err *e)
{
    const char *name = objstore_bucket_name(b);
    if (!name) {
        err_set(e, ERR_INVALID, "object store: bucket number %d does not exist", (int)b);
        return NULL;
    }
    if (!objstore_key_valid(key)) {
        err_set(e, ERR_INVALID,
                "object store: invalid key '%.*s' in %s/: keys are 1..%d bytes of [A-Za-z0-9._-/] "
                "without empty, '.'-leading or '..' segments",
                200, key ? key : "(null)", name, OBJSTORE_KEY_MAX);
        return NULL;
    }
    return name;
}

int objstore_put(objstore *s, objstore_bucket b, const char *key, const void *data, size_t len, err *e)
{
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    if (!data && len)
        return err_set(e, ERR_INVALID, "object store: put %s/%s: no data for %zu bytes", bucket, key, len);
    return s->ops->put(s->impl, bucket, key, data ? data : "", len, e);
}

int objstore_put_version(objstore *s, objstore_bucket b, const char *key, const void *data, size_t len,
                         char version[OBJSTORE_VERSION_MAX], err *e)
{
    version[0] = '\0';
    if (!s->ops->put_version)
        return objstore_put(s, b, key, data, len, e);
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    if (!data && len)
        return err_set(e, ERR_INVALID, "object store: put %s/%s: no data for %zu bytes", bucket, key, len);
    return s->ops->put_version(s->impl, bucket, key, data ? data : "", len, version, e);
}

int objstore_get_version(objstore *s, objstore_bucket b, const char *key, const char *version, void **data, size_t *len,
                         err *e)
{
    if (!version || !*version)
        return objstore_get(s, b, key, data, len, e);
    *data = NULL;
    *len = 0;
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    if (!s->ops->get_version)
        return err_set(e, ERR_NOTFOUND, "object store: the %s backend keeps no versions (%s/%s version %s)",
                       s->ops->name, bucket, key, version);
    return s->ops->get_version(s->impl, bucket, key, version, data, len, e);
}

int objstore_get(objstore *s, objstore_bucket b, const char *key, void **data, size_t *len, err *e)
{
    *data = NULL;
    *len = 0;
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    return s->ops->get(s->impl, bucket, key, data, len, e);
}

int objstore_head(objstore *s, objstore_bucket b, const char *key, objstore_info *info, err *e)
{
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    objstore_info tmp;
    return s->ops->head(s->impl, bucket, key, info ? info : &tmp, e);
}

int objstore_list(objstore *s, objstore_bucket b, const char *prefix, objstore_list_fn fn, void *ud, err *e)
{
    const char *bucket = objstore_bucket_name(b);
    if (!bucket)
        return err_set(e, ERR_INVALID, "object store: bucket number %d does not exist", (int)b);
    if (!prefix)
        prefix = "";
    if (!prefix_valid(prefix))
        return err_set(e, ERR_INVALID, "object store: invalid list prefix '%.*s' in %s/: no valid key starts with it",
                       200, prefix, bucket);
    return s->ops->list(s->impl, bucket, prefix, fn, ud, e);
}

int objstore_delete(objstore *s, objstore_bucket b, const char *key, err *e)
{
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    return s->ops->del(s->impl, bucket, key, e);
}

int objstore_local_path(objstore *s, objstore_bucket b, const char *key, char *buf, size_t bufsize, err *e)
{
    const char *bucket = check(b, key, e);
    if (!bucket)
        return e ? e->code : ERR_INVALID;
    if (!s->ops->local_path)
        return err_set(e, ERR_NOTFOUND, "object store: the %s backend keeps no local files (%s/%s)", s->ops->name,
                       bucket, key);
    return s->ops->local_path(s->impl, bucket, key, buf, bufsize, e);
}
