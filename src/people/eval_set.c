/* eval_set.c — listing a folder-per-identity set and finding each image's face. */
#include "people/eval_set.h"
#include "core/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const image_ext[] = { "jpg", "jpeg", "png", "tif", "tiff", "webp", "gif", "bmp",
                                         "pgm", "ppm",  "pbm", "pnm", "heic", "heif", "avif" };

static int is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof image_ext / sizeof *image_ext; i++)
        if (strcasecmp(dot + 1, image_ext[i]) == 0)
            return 1;
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static int strv_push(strv *s, char *str)
{
    if (!str)
        return -1;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        char **v = realloc(s->v, ncap * sizeof *v);
        if (!v) {
            free(str);
            return -1;
        }
        s->v = v;
        s->cap = ncap;
    }
    s->v[s->n++] = str;
    return 0;
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Sorted names in dir (no '.'-names); kind 'd' folders, 'f' regular files. */
static int list_dir(const char *dir, char kind, strv *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if ((kind == 'd' && S_ISDIR(st.st_mode)) || (kind == 'f' && S_ISREG(st.st_mode)))
            rc = strv_push(out, strdup(de->d_name));
    }
    closedir(d);
    if (rc == 0 && out->n)
        qsort(out->v, out->n, sizeof *out->v, str_cmp);
    return rc;
}

/* Image files below dir (relative names prefixed with rel), recursively. */
static int collect(const char *dir, const char *rel, strv *files, int depth)
{
    strv sub = { 0 }, fs = { 0 };
    if (depth > 32)
        return 0;
    int rc = list_dir(dir, 'f', &fs);
    for (size_t i = 0; rc == 0 && i < fs.n; i++) {
        if (!is_image(fs.v[i]))
            continue;
        char *r = malloc(strlen(rel) + strlen(fs.v[i]) + 2);
        if (r)
            sprintf(r, "%s/%s", rel, fs.v[i]);
        rc = strv_push(files, r);
    }
    if (rc == 0)
        rc = list_dir(dir, 'd', &sub);
    for (size_t i = 0; rc == 0 && i < sub.n; i++) {
        char path[PATH_MAX], r[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, sub.v[i]) >= sizeof path ||
            (size_t)snprintf(r, sizeof r, "%s/%s", rel, sub.v[i]) >= sizeof r)
            continue;
        rc = collect(path, r, files, depth + 1);
    }
    strv_free(&sub);
    strv_free(&fs);
    return rc;
}

void eval_set_free(eval_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nidentities; i++)
        free(s->identities[i]);
    for (size_t i = 0; i < s->n; i++)
        free(s->files[i]);
    free(s->identities);
    free(s->files);
    free(s->truth);
    free(s->face_id);
    free(s->root);
    memset(s, 0, sizeof *s);
}

int eval_set_scan(const char *dir, eval_set *s, err *e)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, ERR_NOTFOUND, "%s: not a folder (%s)", dir, errno ? strerror(errno) : "not a directory");
    /* the path made absolute the way ingest records paths */
    char abs[PATH_MAX];
    if (fsutil_absolute(dir, abs, sizeof abs, e) != 0)
        return e ? e->code : ERR_INVALID;
    if (!(s->root = strdup(abs)))
        return err_set(e, ERR_NOMEM, "%s: out of memory", dir);
    strv ids = { 0 }, files = { 0 };
    int rc = list_dir(s->root, 'd', &ids) ? err_set(e, ERR_IO, "%s: cannot list: %s", dir, strerror(errno)) : 0;
    strv keep = { 0 };
    size_t cap = 0;
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", s->root, ids.v[i]) >= sizeof path)
            continue;
        size_t before = files.n;
        if (collect(path, ids.v[i], &files, 0) != 0) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory listing the set", dir);
            break;
        }
        if (files.n == before)
            continue; /* a folder without images is nobody */
        if (strv_push(&keep, strdup(ids.v[i])) != 0) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory listing the set", dir);
            break;
        }
        if (files.n > cap) {
            size_t ncap = files.n * 2;
            int32_t *t = realloc(s->truth, ncap * sizeof *t);
            if (!t) {
                rc = err_set(e, ERR_NOMEM, "%s: out of memory listing the set", dir);
                break;
            }
            s->truth = t;
            cap = ncap;
        }
        for (size_t k = before; k < files.n; k++)
            s->truth[k] = (int32_t)(keep.n - 1);
    }
    strv_free(&ids);
    s->identities = keep.v;
    s->nidentities = keep.n;
    s->files = files.v;
    s->n = files.n;
    if (rc == 0 && s->n == 0)
        rc = err_set(e, ERR_INVALID, "%s: no identity folder with images (expected one folder per person)", dir);
    if (rc == 0 && !(s->face_id = calloc(s->n, sizeof *s->face_id)))
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", dir);
    if (rc)
        eval_set_free(s);
    return rc;
}

char *eval_set_identity_dir(const eval_set *s, size_t i)
{
    char *p = malloc(strlen(s->root) + strlen(s->identities[i]) + 2);
    if (p)
        sprintf(p, "%s/%s", s->root, s->identities[i]);
    return p;
}

int eval_set_match(eval_set *s, catalog *c, const char *model_version, err *e)
{
    for (size_t i = 0; i < s->n; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", s->root, s->files[i]);
        int found = catalog_face_largest_at_path(c, path, model_version, &s->face_id[i], e);
        if (found < 0)
            return found;
    }
    return 0;
}
