#include "ingest/walk.h"
#include "core/fsutil.h"
#include "media/sidecar.h"

#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int push(walk_list *l, GHashTable *seen, const char *path, const char *reason, err *e)
{
    if (g_hash_table_contains(seen, path))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        walk_entry *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory listing inputs");
        l->v = v;
        l->cap = cap;
    }
    walk_entry *w = &l->v[l->n];
    w->path = strdup(path);
    w->reason = reason ? strdup(reason) : NULL;
    if (!w->path || (reason && !w->reason)) {
        free(w->path);
        free(w->reason);
        return err_set(e, ERR_NOMEM, "out of memory listing inputs");
    }
    l->n++;
    g_hash_table_add(seen, w->path);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry names of a folder, sorted, without "." and ".."; NULL + errno on error. */
static char **read_names(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **more = realloc(names, (cap *= 2) * sizeof *names);
            if (!more)
                break;
            names = more;
        }
        if (!(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    int saved = errno;
    closedir(d);
    if (!names)
        return NULL;
    qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    errno = saved;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

typedef struct walk_state {
    walk_list *l;
    GHashTable *seen;
    int have_skip;
    dev_t skip_dev;
    ino_t skip_ino;
} walk_state;

static int walk_dir(const char *dir, walk_state *w, err *e)
{
    walk_list *l = w->l;
    GHashTable *seen = w->seen;
    size_t n = 0;
    char **names = read_names(dir, &n);
    if (!names) {
        char why[300];
        snprintf(why, sizeof why, "cannot read folder: %s", strerror(errno));
        return push(l, seen, dir, why, e);
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = names[i];
        if (name[0] == '.' || sidecar_is_companion(name, (const char *const *)names, n))
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name) >= (int)sizeof path) {
            rc = push(l, seen, dir, "a name inside is too long for a path", e);
            continue;
        }
        struct stat st;
        int is_dir = 0, is_link = 0;
        if (lstat(path, &st) == 0) {
            is_dir = S_ISDIR(st.st_mode);
            is_link = S_ISLNK(st.st_mode);
        }
        if (is_dir && w->have_skip && st.st_dev == w->skip_dev && st.st_ino == w->skip_ino)
            continue; /* the data folder itself */
        if (is_dir)
            rc = walk_dir(path, w, e);
        else if (is_link && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            continue; /* a link to a folder: not followed */
        else
            rc = push(l, seen, path, NULL, e);
    }
    free_names(names, n);
    return rc;
}

/* A file named on the command line that is a sidecar of a photo beside it
 * (as from `facetag ingest folder/ *`) is skipped like in a folder walk. */
static int is_companion_arg(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash + 1;
    if (!sidecar_has_sidecar_ext(name))
        return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    size_t n = 0;
    char **names = read_names(dir, &n);
    if (!names)
        return 0;
    int r = sidecar_is_companion(name, (const char *const *)names, n);
    free_names(names, n);
    return r;
}

int walk_collect(char *const *args, int nargs, const char *skip_dir, walk_list *out, err *e)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    walk_state w = { .l = out, .seen = seen };
    struct stat sk;
    if (skip_dir && stat(skip_dir, &sk) == 0 && S_ISDIR(sk.st_mode)) {
        w.have_skip = 1;
        w.skip_dev = sk.st_dev;
        w.skip_ino = sk.st_ino;
    }
    int rc = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        char abs[PATH_MAX];
        if (fsutil_absolute(args[i], abs, sizeof abs, e) != 0) {
            if (e && e->code == ERR_INVALID) {
                rc = push(out, seen, args[i], "path too long", e);
                continue;
            }
            rc = e ? e->code : ERR_IO;
            break;
        }
        struct stat st;
        if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk_dir(abs, &w, e);
        else if (lstat(abs, &st) != 0)
            rc = push(out, seen, abs, errno == ENOENT ? "no such file or folder" : strerror(errno), e);
        else if (!is_companion_arg(abs))
            rc = push(out, seen, abs, NULL, e);
    }
    g_hash_table_destroy(seen);
    return rc;
}

void walk_list_free(walk_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].reason);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
