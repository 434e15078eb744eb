#include "store/objstore_stream.h"
#include "core/fsutil.h"
#include "store/objstore_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHUNK (1 << 20)

/* Reads the file from offset 0 in chunks, handing each to fn; 0 or an error. */
static int each_chunk(int fd, char *buf, int (*fn)(const char *, size_t, void *, err *), void *ud,
                      objstore_chunk_fn on_chunk, void *cud, err *e)
{
    off_t off = 0;
    for (;;) {
        ssize_t r = pread(fd, buf, CHUNK, off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return err_set(e, ERR_IO, "read failed: %s", strerror(errno));
        }
        if (r == 0)
            break;
        int rc = on_chunk ? on_chunk(buf, (size_t)r, cud, e) : 0;
        if (rc == 0)
            rc = fn(buf, (size_t)r, ud, e);
        if (rc)
            return rc;
        off += r;
    }
    return on_chunk ? on_chunk(NULL, 0, cud, e) : 0;
}

static int to_fd(const char *p, size_t n, void *ud, err *e)
{
    if (fsutil_write_full(*(int *)ud, p, n) != 0)
        return err_set(e, ERR_IO, "write failed: %s", strerror(errno));
    return 0;
}

typedef struct membuf {
    char *data;
    size_t len, cap;
} membuf;

static int to_mem(const char *p, size_t n, void *ud, err *e)
{
    membuf *m = ud;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : CHUNK;
        while (cap < m->len + n)
            cap *= 2;
        char *d = realloc(m->data, cap);
        if (!d)
            return err_set(e, ERR_NOMEM, "out of memory");
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->len, p, n);
    m->len += n;
    return 0;
}

static int put_local(objstore *s, objstore_bucket b, const char *key, const char *path, int fd, char *buf,
                     objstore_chunk_fn on_chunk, void *ud, err *e)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return err_set(e, ERR_INTERNAL, "object store: put %s/%s: odd local path %s", objstore_bucket_name(b), key,
                       path);
    *slash = '\0';
    int rc = fsutil_mkdirs(dir, e);
    if (rc)
        return rc;
    snprintf(tmp, sizeof tmp, "%s/.%s-%ld.%ld.tmp", dir, slash + 1, (long)syscall(SYS_gettid), (long)getpid());
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0)
        return err_set(e, ERR_IO, "object store: cannot create %s: %s", tmp, strerror(errno));
    rc = each_chunk(fd, buf, to_fd, &out, on_chunk, ud, e);
    if (rc == 0 && fsync(out) != 0)
        rc = err_set(e, ERR_IO, "object store: fsync %s: %s", tmp, strerror(errno));
    if (close(out) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "object store: close %s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "object store: rename %s: %s", tmp, strerror(errno));
    if (rc) {
        unlink(tmp);
        return rc;
    }
    (void)s;
    return fsutil_fsync_dir(dir, e);
}

int objstore_put_fd(objstore *s, objstore_bucket b, const char *key, int fd, objstore_chunk_fn on_chunk, void *ud,
                    err *e)
{
    if (!objstore_key_valid(key))
        return err_set(e, ERR_INVALID, "object store: invalid key '%s'", key);
    const objstore_ops *ops = objstore_ops_of(s);
    if (ops->put_fd) {
        const char *bucket = objstore_bucket_name(b);
        if (!bucket)
            return err_set(e, ERR_INVALID, "object store: bucket number %d does not exist", (int)b);
        return ops->put_fd(objstore_impl_of(s), bucket, key, fd, on_chunk, ud, e);
    }
    char *buf = malloc(CHUNK);
    if (!buf)
        return err_set(e, ERR_NOMEM, "out of memory");
    char path[PATH_MAX];
    err e2;
    int rc;
    if (objstore_local_path(s, b, key, path, sizeof path, &e2) == 0) {
        rc = put_local(s, b, key, path, fd, buf, on_chunk, ud, e);
    } else {
        membuf m = { 0 };
        rc = each_chunk(fd, buf, to_mem, &m, on_chunk, ud, e);
        if (rc == 0)
            rc = objstore_put(s, b, key, m.data ? m.data : "", m.len, e);
        free(m.data);
    }
    free(buf);
    return rc;
}

int objstore_get_fd(objstore *s, objstore_bucket b, const char *key, int fd, err *e)
{
    const char *bucket = objstore_bucket_name(b);
    if (!bucket || !objstore_key_valid(key))
        return err_set(e, ERR_INVALID, "object store: invalid bucket or key '%s'", key ? key : "(null)");
    const objstore_ops *ops = objstore_ops_of(s);
    if (ftruncate(fd, 0) != 0)
        return err_set(e, ERR_IO, "object store: get %s/%s: cannot truncate the output: %s", bucket, key,
                       strerror(errno));
    if (ops->get_fd)
        return ops->get_fd(objstore_impl_of(s), bucket, key, fd, e);
    char path[PATH_MAX];
    err e2;
    if (objstore_local_path(s, b, key, path, sizeof path, &e2) == 0) {
        int in = open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                return err_set(e, ERR_NOTFOUND, "object store: %s/%s does not exist", bucket, key);
            return err_set(e, ERR_IO, "object store: cannot open %s: %s", path, strerror(errno));
        }
        char *buf = malloc(CHUNK);
        int rc = buf ? 0 : err_set(e, ERR_NOMEM, "out of memory");
        off_t off = 0;
        while (rc == 0) {
            ssize_t r = read(in, buf, CHUNK);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                rc = err_set(e, ERR_IO, "object store: read %s: %s", path, strerror(errno));
            else if (r == 0)
                break;
            else if (pwrite(fd, buf, (size_t)r, off) != r)
                rc = err_set(e, ERR_IO, "object store: get %s/%s: write failed: %s", bucket, key, strerror(errno));
            else
                off += r;
        }
        free(buf);
        close(in);
        return rc;
    }
    void *data;
    size_t len;
    int rc = objstore_get(s, b, key, &data, &len, e);
    if (rc)
        return rc;
    if (pwrite(fd, data, len, 0) != (ssize_t)len)
        rc = err_set(e, ERR_IO, "object store: get %s/%s: write failed: %s", bucket, key, strerror(errno));
    free(data);
    return rc;
}
