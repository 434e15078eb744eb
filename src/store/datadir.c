/* datadir.c — opening a facetag data folder: catalog file and object store. */
#include "store/datadir.h"
#include "core/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
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
    if (objects && !(s = objstore_open_dir(objects_path, e))) {
        catalog_close(c);
        return e ? e->code : ERR_IO;
    }
    if (cat)
        *cat = c;
    if (objects)
        *objects = s;
    return 0;
}
