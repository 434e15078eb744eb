/* catalog_objver.h — which stored version of an object belongs to which
 * analysis. On S3 with bucket versioning, re-analysing a photo with another
 * model replaces faces/{id}/{n}.jpg and annotations/{id}.json, but the old
 * objects stay in the bucket's history; the catalog keeps their version ids
 * per model version (table object_versions, schema 6), so the crops and
 * annotations of every analysis stay reachable (objstore_get_version).
 * The directory backend keeps no versions and records nothing here. */
#ifndef FACETAG_STORE_CATALOG_OBJVER_H
#define FACETAG_STORE_CATALOG_OBJVER_H

#include "core/error.h"
#include "store/catalog.h"
#include <stddef.h>

/* Records (or replaces) the version id of bucket/key written by the analysis
 * with model_version. Joins the caller's transaction when one is open. */
int catalog_objver_put(catalog *c, const char *bucket, const char *key, const char *model_version,
                       const char *version_id, err *e);
/* 1 and version_id filled when recorded, 0 when not, <0 on error. */
int catalog_objver_get(catalog *c, const char *bucket, const char *key, const char *model_version, char *version_id,
                       size_t size, err *e);

#endif
