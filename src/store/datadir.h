/* datadir.h — the layout of a facetag data folder, in one place, so ingest and
 * every later command open it the same way:
 *
 *   {data}/catalog.sqlite   the catalog (SQLite, WAL: also -wal and -shm files)
 *   {data}/objects/         the object store's directory backend, one folder per bucket
 *   {data}/store.url        present when the objects live elsewhere (an s3:// URL)
 *
 * Where the objects are: $FACETAG_STORE (the CLI's --store sets it) when set,
 * else the URL recorded in {data}/store.url, else {data}/objects/. A data folder
 * created with an S3 store records it, so later commands find the objects
 * without being told again; a different $FACETAG_STORE for such a folder is
 * refused (the catalog and its objects belong together).
 */
#ifndef FACETAG_STORE_DATADIR_H
#define FACETAG_STORE_DATADIR_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"
#include <stddef.h>

#define DATADIR_CATALOG "catalog.sqlite"
#define DATADIR_OBJECTS "objects"
#define DATADIR_STORE_URL "store.url"

/* Writes "{dir}/{name}" to buf; ERR_INVALID when it does not fit. */
int datadir_path(const char *dir, const char *name, char *buf, size_t size, err *e);

/* Opens the data folder dir.
 * create = 1 (ingest): makes the folder, the catalog and the buckets as needed.
 * create = 0 (every reader): the folder must hold a catalog already, else
 *   ERR_NOTFOUND with "no facetag data at DIR; run 'facetag ingest PATH' first";
 *   nothing is created in that case.
 * objects / cat may be NULL to open only the other one. On success the caller
 * closes what it asked for (objstore_close, catalog_close); on error nothing is
 * left open and both are set to NULL. */
int datadir_open(const char *dir, int create, objstore **objects, catalog **cat, err *e);

#endif
