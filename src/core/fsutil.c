#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsutil_read_all(const char *path, size_t max_bytes, void **data, size_t *len, err *e)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = err_set(e, ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_IO, "%s: not a regular file", path);
    }
    if (max_bytes && (size_t)st.st_size > max_bytes) {
        close(fd);
        return err_set(e, ERR_LIMIT, "%s: %lld bytes exceeds the limit of %zu", path, (long long)st.st_size, max_bytes);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return err_set(e, ERR_NOMEM, "%s: out of memory reading %zu bytes", path, cap);
    }
    for (;;) {
        if (n + 1 >= cap) { /* the file grew while we read it */
            if (max_bytes && cap > max_bytes) {
                free(buf);
                close(fd);
                return err_set(e, ERR_LIMIT, "%s: grew past the limit of %zu bytes", path, max_bytes);
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                close(fd);
                return err_set(e, ERR_NOMEM, "%s: out of memory", path);
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int rc = err_set(e, ERR_IO, "%s: read failed: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return rc;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int fsutil_fsync_dir(const char *dir, err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = 0;
    if (fsync(fd) != 0)
        rc = err_set(e, ERR_IO, "%s: fsync failed: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

int fsutil_write_full(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int fsutil_write_atomic(const char *path, const void *data, size_t len, err *e)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return err_set(e, ERR_INVALID, "%s: path too long", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    /* The temp name starts with '.' and ends in ".tmp" so listings skip it and a
     * crash leaves nothing that looks like an object. */
    const char *base = slash ? strrchr(path, '/') + 1 : path;
    if (snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, base, (long)getpid()) >= (int)sizeof tmp)
        return err_set(e, ERR_INVALID, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    if (fsutil_write_full(fd, data, len) != 0 || fsync(fd) != 0) {
        int rc = err_set(e, ERR_IO, "%s: write failed: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        return rc;
    }
    if (close(fd) != 0) {
        int rc = err_set(e, ERR_IO, "%s: close failed: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, path) != 0) {
        int rc = err_set(e, ERR_IO, "%s: rename failed: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return fsutil_fsync_dir(dir, e);
}

int fsutil_mkdirs(const char *path, err *e)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return err_set(e, ERR_INVALID, "%s: path too long", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return err_set(e, ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, ERR_IO, "%s: exists and is not a directory", buf);
    return 0;
}

int fsutil_absolute(const char *path, char *buf, size_t size, err *e)
{
    char joined[PATH_MAX * 2];
    if (path[0] == '/') {
        snprintf(joined, sizeof joined, "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            return err_set(e, ERR_IO, "cannot read the current folder: %s", strerror(errno));
        snprintf(joined, sizeof joined, "%s/%s", cwd, path);
    }
    /* drop empty and "." segments */
    size_t j = 0;
    for (const char *p = joined; *p;) {
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0)
            break;
        if (!(n == 1 && p[0] == '.')) {
            if (j + 1 + n + 1 > size)
                return err_set(e, ERR_INVALID, "%s: path too long", path);
            buf[j++] = '/';
            memcpy(buf + j, p, n);
            j += n;
        }
        p += n;
    }
    if (j == 0) {
        if (size < 2)
            return err_set(e, ERR_INVALID, "%s: path too long", path);
        buf[j++] = '/';
    }
    buf[j] = '\0';
    return 0;
}
