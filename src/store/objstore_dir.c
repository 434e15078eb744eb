/* objstore_dir.c — the directory backend of the object store: the object
 * bucket/key is the file {root}/{bucket}/{key}, written with fsutil_write_atomic
 * (temp file ".NAME.PID.tmp" in the same folder, fsync, rename, fsync folder).
 * Opening the store removes temp files whose writer process is gone, so a
 * kill -9 in the middle of a put leaves nothing behind after the next open.
 *
 * Walking every folder on each open would cost ~12 ms per 1000 photos, so each
 * open handle keeps a marker {root}/.writers/PID.HANDLE (made durable before any
 * put, removed at close). An open walks the buckets only when a marker names a
 * dead process, or when .writers/ does not exist yet. */
#include "core/fsutil.h"
#include "store/objstore.h"
#include "store/objstore_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Two threads of one process putting the same key would share one temp name
 * (fsutil_write_atomic names it after the PID), so puts of the same path are
 * serialised by a lock chosen from a hash of the path. Different paths rarely
 * share a lock, so parallel writers still run in parallel. */
#define DIR_LOCKS 64

typedef struct dir_store {
    char *root;
    char *marker; /* {root}/.writers/PID.HANDLE, NULL until made */
    pthread_mutex_t locks[DIR_LOCKS];
} dir_store;

#define WRITERS_DIR ".writers"

static int object_path(const dir_store *d, const char *bucket, const char *key, char *buf, size_t size, err *e)
{
    int n = snprintf(buf, size, "%s/%s%s%s", d->root, bucket, key ? "/" : "", key ? key : "");
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_INVALID, "%s/%s/%s: path too long", d->root, bucket, key ? key : "");
    return 0;
}

static pthread_mutex_t *lock_for(dir_store *d, const char *path)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 16777619u;
    return &d->locks[h % DIR_LOCKS];
}

static int dir_put(void *impl, const char *bucket, const char *key, const void *data, size_t len, err *e)
{
    dir_store *d = impl;
    char path[PATH_MAX];
    int rc = object_path(d, bucket, key, path, sizeof path, e);
    if (rc)
        return rc;
    char *slash = strrchr(path, '/');
    if (strchr(key, '/')) { /* a key with folders: make them first */
        *slash = '\0';
        rc = fsutil_mkdirs(path, e);
        *slash = '/';
        if (rc)
            return err_prefix(e, "object store: put %s/%s", bucket, key);
    }
    pthread_mutex_t *m = lock_for(d, path);
    pthread_mutex_lock(m);
    rc = fsutil_write_atomic(path, data, len, e);
    pthread_mutex_unlock(m);
    if (rc)
        return err_prefix(e, "object store: put %s/%s", bucket, key);
    return 0;
}

/* 1 and info filled when path is a regular file, 0 when absent (or a folder),
 * <0 on error. */
static int stat_object(const char *path, objstore_info *info, err *e)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_set(e, ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return 0;
    info->size = (uint64_t)st.st_size;
    info->mtime = (int64_t)st.st_mtime;
    return 1;
}

static int dir_head(void *impl, const char *bucket, const char *key, objstore_info *info, err *e)
{
    char path[PATH_MAX];
    int rc = object_path(impl, bucket, key, path, sizeof path, e);
    return rc ? rc : stat_object(path, info, e);
}

static int dir_get(void *impl, const char *bucket, const char *key, void **data, size_t *len, err *e)
{
    char path[PATH_MAX];
    int rc = object_path(impl, bucket, key, path, sizeof path, e);
    if (rc)
        return rc;
    rc = fsutil_read_all(path, 0, data, len, e);
    if (rc == 0)
        return 0;
    objstore_info info;
    if (stat_object(path, &info, NULL) == 0)
        return err_set(e, ERR_NOTFOUND, "object store: %s/%s does not exist", bucket, key);
    return err_prefix(e, "object store: get %s/%s", bucket, key);
}

static int dir_del(void *impl, const char *bucket, const char *key, err *e)
{
    char path[PATH_MAX];
    int rc = object_path(impl, bucket, key, path, sizeof path, e);
    if (rc)
        return rc;
    if (unlink(path) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_set(e, ERR_IO, "object store: delete %s/%s: %s: %s", bucket, key, path, strerror(errno));
    }
    /* Make the removal durable like a put's rename. */
    *strrchr(path, '/') = '\0';
    rc = fsutil_fsync_dir(path, e);
    return rc ? err_prefix(e, "object store: delete %s/%s", bucket, key) : 0;
}

static int dir_local_path(void *impl, const char *bucket, const char *key, char *buf, size_t bufsize, err *e)
{
    return object_path(impl, bucket, key, buf, bufsize, e);
}

/* ---- listing ------------------------------------------------------------ */

typedef struct list_entry {
    char *key;
    objstore_info info;
} list_entry;

typedef struct list_vec {
    list_entry *v;
    size_t n, cap;
} list_vec;

static void list_vec_free(list_vec *lv)
{
    for (size_t i = 0; i < lv->n; i++)
        free(lv->v[i].key);
    free(lv->v);
}

static int list_vec_push(list_vec *lv, const char *key, const objstore_info *info, err *e)
{
    if (lv->n == lv->cap) {
        size_t cap = lv->cap ? lv->cap * 2 : 64;
        list_entry *v = realloc(lv->v, cap * sizeof *v);
        if (!v)
            return err_set(e, ERR_NOMEM, "object store: out of memory listing keys");
        lv->v = v;
        lv->cap = cap;
    }
    char *k = strdup(key);
    if (!k)
        return err_set(e, ERR_NOMEM, "object store: out of memory listing keys");
    lv->v[lv->n].key = k;
    lv->v[lv->n].info = *info;
    lv->n++;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const list_entry *)a)->key, ((const list_entry *)b)->key);
}

/* Collects the objects under the folder path (whose key prefix is key, with room
 * for PATH_MAX bytes in both buffers). Only names starting with name_prefix are
 * taken at this level. Hidden names (temp files) and anything that is not a
 * valid key are skipped; symlinks are not followed. */
static int collect(char *path, size_t plen, char *key, size_t klen, const char *name_prefix, list_vec *out, err *e)
{
    DIR *dir = opendir(path);
    if (!dir) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return err_set(e, ERR_IO, "object store: cannot list %s: %s", path, strerror(errno));
    }
    size_t npre = strlen(name_prefix);
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (errno = 0, de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.' || strncmp(name, name_prefix, npre) != 0)
            continue;
        size_t nlen = strlen(name);
        if (plen + 1 + nlen >= PATH_MAX || klen + 1 + nlen >= PATH_MAX)
            continue; /* cannot be a valid key */
        path[plen] = '/';
        memcpy(path + plen + 1, name, nlen + 1);
        memcpy(key + klen, name, nlen + 1);
        struct stat st;
        if (lstat(path, &st) != 0) {
            if (errno != ENOENT) /* deleted while we listed: fine */
                rc = err_set(e, ERR_IO, "object store: cannot stat %s: %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            key[klen + nlen] = '/';
            key[klen + nlen + 1] = '\0';
            rc = collect(path, plen + 1 + nlen, key, klen + nlen + 1, "", out, e);
        } else if (S_ISREG(st.st_mode) && objstore_key_valid(key)) {
            objstore_info info = { (uint64_t)st.st_size, (int64_t)st.st_mtime };
            rc = list_vec_push(out, key, &info, e);
        }
        path[plen] = '\0';
        key[klen] = '\0';
    }
    if (rc == 0 && errno != 0)
        rc = err_set(e, ERR_IO, "object store: cannot list %s: %s", path, strerror(errno));
    closedir(dir);
    return rc;
}

static int dir_list(void *impl, const char *bucket, const char *prefix, objstore_list_fn fn, void *ud, err *e)
{
    dir_store *d = impl;
    /* Start in the deepest folder the prefix names: "ab12/3" lists only faces/ab12/
     * entries starting with "3". */
    char path[PATH_MAX], key[PATH_MAX];
    const char *last = strrchr(prefix, '/');
    size_t dlen = last ? (size_t)(last - prefix) : 0;
    int n = snprintf(path, sizeof path, "%s/%s%s%.*s", d->root, bucket, dlen ? "/" : "", (int)dlen, prefix);
    if (n < 0 || (size_t)n >= sizeof path)
        return err_set(e, ERR_INVALID, "object store: list %s/%s: path too long", bucket, prefix);
    size_t klen = last ? dlen + 1 : 0;
    memcpy(key, prefix, klen);
    key[klen] = '\0';
    list_vec lv = { 0 };
    int rc = collect(path, (size_t)n, key, klen, last ? last + 1 : prefix, &lv, e);
    if (rc == 0) {
        /* Byte order of whole keys is not folder-walk order ("a-b" < "a/b"), so sort. */
        if (lv.n > 1)
            qsort(lv.v, lv.n, sizeof *lv.v, entry_cmp);
        for (size_t i = 0; i < lv.n; i++)
            if (fn(lv.v[i].key, &lv.v[i].info, ud) != 0)
                break;
    }
    list_vec_free(&lv);
    return rc;
}

/* ---- open, stale temp files, close -------------------------------------- */

/* The PID in a temp name ".NAME.PID.tmp", or 0 when the name is not one. */
static long temp_file_pid(const char *name)
{
    size_t n = strlen(name);
    if (n < 8 || name[0] != '.' || strcmp(name + n - 4, ".tmp") != 0)
        return 0;
    const char *end = name + n - 4, *p = end;
    while (p > name + 1 && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || p[-1] != '.' || p - 1 == name + 1 || end - p > 9)
        return 0;
    return strtol(p, NULL, 10);
}

static int process_alive(long pid)
{
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Removes temp files of dead writers under path, recursively; counts them. */
static int remove_stale_temps(char *path, size_t plen, long *removed, err *e)
{
    DIR *dir = opendir(path);
    if (!dir)
        return err_set(e, ERR_IO, "object store: cannot open %s: %s", path, strerror(errno));
    int rc = 0;
    long self = (long)getpid();
    struct dirent *de;
    while (rc == 0 && (de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        size_t nlen = strlen(name);
        if (plen + 1 + nlen >= PATH_MAX)
            continue;
        path[plen] = '/';
        memcpy(path + plen + 1, name, nlen + 1);
        long pid = temp_file_pid(name);
        /* Most entries are objects: decide from d_type without a stat per file. */
        int is_dir = de->d_type == DT_DIR, is_reg = de->d_type == DT_REG;
        struct stat st;
        if (de->d_type == DT_UNKNOWN && (pid > 0 || name[0] != '.') && lstat(path, &st) == 0) {
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir && name[0] != '.') {
            rc = remove_stale_temps(path, plen + 1 + nlen, removed, e);
        } else if (is_reg && pid > 0 && pid != self && !process_alive(pid)) {
            if (unlink(path) == 0)
                (*removed)++;
            else if (errno != ENOENT)
                rc = err_set(e, ERR_IO, "object store: cannot remove stale temp file %s: %s", path, strerror(errno));
        }
        path[plen] = '\0';
    }
    closedir(dir);
    return rc;
}

/* The PID at the start of a marker name "PID.HANDLE", or 0. */
static long marker_pid(const char *name)
{
    char *end;
    long pid = strtol(name, &end, 10);
    return name[0] >= '1' && name[0] <= '9' && *end == '.' ? pid : 0;
}

/* Removes stale temp files in every bucket when a writer died since (markers of
 * dead PIDs) or when the store has no marker folder yet; then leaves our own
 * durable marker. */
static int writers_check_in(dir_store *d, err *e)
{
    char wdir[PATH_MAX], path[PATH_MAX];
    int rc = object_path(d, WRITERS_DIR, NULL, wdir, sizeof wdir, e);
    if (rc)
        return rc;
    struct stat st;
    int need_walk = stat(wdir, &st) != 0;
    if (need_walk && (rc = fsutil_mkdirs(wdir, e)) != 0)
        return rc;
    long self = (long)getpid();
    DIR *dir = opendir(wdir);
    if (!dir)
        return err_set(e, ERR_IO, "object store: cannot open %s: %s", wdir, strerror(errno));
    char **dead = NULL;
    size_t ndead = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(dir)) != NULL) {
        long pid = marker_pid(de->d_name);
        if (pid <= 0 || pid == self || process_alive(pid))
            continue;
        char **grown = realloc(dead, (ndead + 1) * sizeof *dead);
        if (!grown || !(grown[ndead] = strdup(de->d_name))) {
            dead = grown ? grown : dead;
            rc = err_set(e, ERR_NOMEM, "object store: out of memory");
            break;
        }
        dead = grown;
        ndead++;
    }
    closedir(dir);
    if (rc == 0 && (need_walk || ndead > 0)) {
        for (int b = 0; b < BUCKET_COUNT && rc == 0; b++) {
            long removed = 0;
            rc = object_path(d, objstore_bucket_name((objstore_bucket)b), NULL, path, sizeof path, e);
            if (rc == 0)
                rc = remove_stale_temps(path, strlen(path), &removed, e);
        }
    }
    /* Only after the walk succeeded may the dead writers' markers go. */
    for (size_t i = 0; i < ndead; i++) {
        if (rc == 0 && snprintf(path, sizeof path, "%s/%s", wdir, dead[i]) < (int)sizeof path)
            unlink(path);
        free(dead[i]);
    }
    free(dead);
    if (rc)
        return rc;
    if (snprintf(path, sizeof path, "%s/%ld.%lx", wdir, self, (unsigned long)(uintptr_t)d) >= (int)sizeof path)
        return err_set(e, ERR_INVALID, "%s: path too long", wdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(e, ERR_IO, "object store: cannot create %s: %s", path, strerror(errno));
    rc = fsync(fd) == 0 ? 0 : err_set(e, ERR_IO, "object store: fsync %s: %s", path, strerror(errno));
    close(fd);
    if (rc == 0)
        rc = fsutil_fsync_dir(wdir, e);
    if (rc) {
        unlink(path);
        return rc;
    }
    if (!(d->marker = strdup(path))) {
        unlink(path);
        return err_set(e, ERR_NOMEM, "object store: out of memory");
    }
    return 0;
}

static void dir_close(void *impl)
{
    dir_store *d = impl;
    if (!d)
        return;
    if (d->marker) /* no fsync: a lost unlink only costs one extra walk later */
        unlink(d->marker);
    free(d->marker);
    for (int i = 0; i < DIR_LOCKS; i++)
        pthread_mutex_destroy(&d->locks[i]);
    free(d->root);
    free(d);
}

static const objstore_ops dir_ops = {
    .name = "dir",
    .put = dir_put,
    .get = dir_get,
    .head = dir_head,
    .list = dir_list,
    .del = dir_del,
    .local_path = dir_local_path,
    .close = dir_close,
};

objstore *objstore_open_dir(const char *root, err *e)
{
    if (!root || !*root) {
        err_set(e, ERR_INVALID, "object store: no root folder given");
        return NULL;
    }
    /* Room for the longest bucket name, a 512-byte key and a temp file suffix. */
    if (strlen(root) + 1 + 11 + 1 + 512 + 32 >= PATH_MAX) {
        err_set(e, ERR_INVALID, "object store: root folder path too long: %s", root);
        return NULL;
    }
    dir_store *d = calloc(1, sizeof *d);
    if (!d || !(d->root = strdup(root))) {
        free(d);
        err_set(e, ERR_NOMEM, "object store: out of memory");
        return NULL;
    }
    size_t rlen = strlen(d->root);
    while (rlen > 1 && d->root[rlen - 1] == '/') /* "data/objects/" -> "data/objects" */
        d->root[--rlen] = '\0';
    for (int i = 0; i < DIR_LOCKS; i++)
        pthread_mutex_init(&d->locks[i], NULL);
    int rc = 0;
    for (int b = 0; b < BUCKET_COUNT && rc == 0; b++) {
        char path[PATH_MAX];
        rc = object_path(d, objstore_bucket_name((objstore_bucket)b), NULL, path, sizeof path, e);
        if (rc == 0)
            rc = fsutil_mkdirs(path, e);
    }
    if (rc == 0)
        rc = writers_check_in(d, e);
    if (rc) {
        err_prefix(e, "object store at %s", d->root);
        dir_close(d);
        return NULL;
    }
    return objstore_new(&dir_ops, d, e);
}
