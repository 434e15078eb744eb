/* datadir.c — opening a facetag data folder: catalog file and object store. */
#include "store/datadir.h"
#include "core/fsutil.h"
#include "store/s3_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int datadir_path(const char *dir, const char *name, char *buf, size_t size, err *e)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_INVALID, "%s: data folder path too long", dir);
    return 0;
}

static int require_existing(const char *dir, const char *catalog_path, err *e)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return err_set(e, ERR_NOTFOUND, "no facetag data at %s; run 'facetag ingest PATH' first", dir);
        return err_set(e, ERR_IO, "%s: cannot open data folder: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return err_set(e, ERR_INVALID, "%s: the data folder is not a folder", dir);
    if (stat(catalog_path, &st) != 0) {
        if (errno == ENOENT)
            return err_set(e, ERR_NOTFOUND, "no facetag data at %s; run 'facetag ingest PATH' first", dir);
        return err_set(e, ERR_IO, "%s: cannot open: %s", catalog_path, strerror(errno));
    }
    return 0;
}

/* Reads {dir}/store.url into buf ("" when absent). */
static int recorded_store(const char *dir, char *buf, size_t size, err *e)
{
    char path[PATH_MAX];
    buf[0] = '\0';
    int rc = datadir_path(dir, DATADIR_STORE_URL, path, sizeof path, e);
    if (rc)
        return rc;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : err_set(e, ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    if (!fgets(buf, (int)size, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int open_objects(const char *dir, const char *objects_path, int create, objstore **out, err *e)
{
    char recorded[2048];
    int rc = recorded_store(dir, recorded, sizeof recorded, e);
    if (rc)
        return rc;
    const char *env = getenv("FACETAG_STORE");
    const char *url = env && *env ? env : recorded[0] ? recorded : NULL;
    if (env && *env && recorded[0] && strcmp(env, recorded) != 0)
        return err_set(e, ERR_INVALID,
                       "data folder %s keeps its objects in %s, not in %s (FACETAG_STORE / --store); "
                       "use 'facetag store copy' to move them",
                       dir, recorded, env);
    objstore *s = url ? objstore_open_url(url, 0, e) : objstore_open_dir(objects_path, e);
    if (!s)
        return e ? e->code : ERR_IO;
    if (create && url && !recorded[0] && s3_config_is_s3_url(url)) {
        char path[PATH_MAX];
        size_t n = strlen(url);
        char *line = malloc(n + 2);
        rc = line ? datadir_path(dir, DATADIR_STORE_URL, path, sizeof path, e) : err_set(e, ERR_NOMEM, "out of memory");
        if (rc == 0) {
            memcpy(line, url, n);
            line[n] = '\n';
            rc = fsutil_write_atomic(path, line, n + 1, e);
        }
        free(line);
        if (rc) {
            objstore_close(s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

int datadir_open(const char *dir, int create, objstore **objects, catalog **cat, err *e)
{
    if (objects)
        *objects = NULL;
    if (cat)
        *cat = NULL;
    if (!dir || !*dir)
        return err_set(e, ERR_INVALID, "no data folder given (--data DIR or $FACETAG_DATA)");
    char catalog_path[PATH_MAX], objects_path[PATH_MAX];
    int rc = datadir_path(dir, DATADIR_CATALOG, catalog_path, sizeof catalog_path, e);
    if (rc == 0)
        rc = datadir_path(dir, DATADIR_OBJECTS, objects_path, sizeof objects_path, e);
    if (rc == 0)
        rc = create ? fsutil_mkdirs(dir, e) : require_existing(dir, catalog_path, e);
    if (rc)
        return rc;
    catalog *c = NULL;
    objstore *s = NULL;
    if (cat && !(c = catalog_open(catalog_path, e)))
        return e ? e->code : ERR_DB;
    if (objects && open_objects(dir, objects_path, create, &s, e) != 0) {
        catalog_close(c);
        return e ? e->code : ERR_IO;
    }
    if (cat)
        *cat = c;
    if (objects)
        *objects = s;
    return 0;
}
