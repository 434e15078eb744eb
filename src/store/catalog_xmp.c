/* catalog_xmp.c — face regions read from XMP, waiting for analysis (catalog_xmp.h). */
#include "store/catalog_xmp.h"
#include "store/catalog_internal.h"
#include "store/people_store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct known_region {
    char *name; /* "" when none */
    double box[4];
} known_region;

/* The regions recorded for photo_id, and one past the highest region_no. */
static int known_load(catalog *c, const char *photo_id, known_region **out, size_t *n, int *next_no, err *e)
{
    *out = NULL;
    *n = 0;
    *next_no = 0;
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT ifnull(name, ''), x, y, w, h, region_no FROM xmp_regions "
                                       "WHERE photo_id = ?1 ORDER BY region_no",
                                       "put XMP regions", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step, rc = 0;
    size_t cap = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            known_region *v = realloc(*out, cap * sizeof *v);
            if (!v) {
                rc = err_set(e, ERR_NOMEM, "%s: put XMP regions: out of memory", catalog_path(c));
                break;
            }
            *out = v;
        }
        known_region *k = &(*out)[*n];
        if (!(k->name = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = err_set(e, ERR_NOMEM, "%s: put XMP regions: out of memory", catalog_path(c));
            break;
        }
        for (int i = 0; i < 4; i++)
            k->box[i] = sqlite3_column_double(st, 1 + i);
        (*n)++;
        *next_no = sqlite3_column_int(st, 5) + 1;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "put XMP regions", e);
    sqlite3_finalize(st);
    return rc;
}

static void known_free(known_region *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(k[i].name);
    free(k);
}

int catalog_xmp_regions_put(catalog *c, const char *photo_id, const catalog_xmp_region *v, size_t n, int *added, err *e)
{
    if (added)
        *added = 0;
    if (n == 0)
        return 0;
    if (!hash_photo_id_valid(photo_id))
        return err_set(e, ERR_INVALID, "%s: put XMP regions: '%.32s' is not a photo id", catalog_path(c), photo_id);
    for (size_t i = 0; i < n; i++) {
        const catalog_xmp_region *r = &v[i];
        if ((strcmp(r->kind, "mwg") != 0 && strcmp(r->kind, "mp") != 0) ||
            (strcmp(r->origin, "embedded") != 0 && strcmp(r->origin, "sidecar") != 0) || !(r->box[2] > 0) ||
            !(r->box[3] > 0) || !isfinite(r->box[0]) || !isfinite(r->box[1]) || r->region_no < 0)
            return err_set(e, ERR_INVALID, "%s: put XMP regions of %s: region %d is not valid", catalog_path(c),
                           photo_id, r->region_no);
    }
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, "put XMP regions", e);
    if (rc)
        return rc;
    known_region *k = NULL;
    size_t nk = 0;
    int next_no = 0, count = 0;
    rc = known_load(c, photo_id, &k, &nk, &next_no, e);
    sqlite3_stmt *st = rc ? NULL
                          : catalog_prepare(c,
                                            "INSERT INTO xmp_regions "
                                            "(photo_id, region_no, name, x, y, w, h, kind, origin) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                            "put XMP regions", e);
    if (rc == 0 && !st)
        rc = e ? e->code : ERR_DB;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const catalog_xmp_region *r = &v[i];
        bool same = false; /* recorded before: left as it is, with what it became */
        for (size_t j = 0; j < nk && !same; j++)
            same = strcmp(k[j].name, r->name) == 0 && people_box_iou(k[j].box, r->box) >= CATALOG_XMP_SAME_IOU;
        if (same)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, next_no++);
        if (r->name[0])
            sqlite3_bind_text(st, 3, r->name, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 3);
        for (int b = 0; b < 4; b++)
            sqlite3_bind_double(st, 4 + b, r->box[b]);
        sqlite3_bind_text(st, 8, r->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, r->origin, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = catalog_error(c, "put XMP regions", e);
        else
            count++;
    }
    sqlite3_finalize(st);
    known_free(k, nk);
    rc = catalog_tx_end(c, &tx, rc, "put XMP regions", e);
    if (rc == 0 && added)
        *added = count;
    return rc;
}

int catalog_xmp_pending_photos(catalog *c, char ***ids, size_t *n, err *e)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT DISTINCT r.photo_id FROM xmp_regions r "
                                       "WHERE r.status = 'pending' AND EXISTS (SELECT 1 FROM analysis_runs a "
                                       "  WHERE a.photo_id = r.photo_id AND a.status = 'done') "
                                       "ORDER BY r.photo_id",
                                       "list photos with XMP regions to apply", e);
    if (!st)
        return e ? e->code : ERR_DB;
    int rc = 0, step;
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(*ids, cap * sizeof *grown);
            if (!grown) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            *ids = grown;
        }
        if (!((*ids)[*n] = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list photos with XMP regions to apply", e);
    sqlite3_finalize(st);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            free((*ids)[i]);
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int catalog_xmp_regions_of(catalog *c, const char *photo_id, catalog_xmp_region **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT region_no, name, x, y, w, h, kind, origin, status, face_id "
                                       "FROM xmp_regions WHERE photo_id = ?1 ORDER BY region_no",
                                       "read XMP regions", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int rc = 0, step;
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            catalog_xmp_region *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            *out = grown;
        }
        catalog_xmp_region *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->region_no = sqlite3_column_int(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        snprintf(r->name, sizeof r->name, "%s", name ? name : "");
        for (int k = 0; k < 4; k++)
            r->box[k] = sqlite3_column_double(st, 2 + k);
        snprintf(r->kind, sizeof r->kind, "%s", (const char *)sqlite3_column_text(st, 6));
        snprintf(r->origin, sizeof r->origin, "%s", (const char *)sqlite3_column_text(st, 7));
        snprintf(r->status, sizeof r->status, "%s", (const char *)sqlite3_column_text(st, 8));
        r->face_id = sqlite3_column_int64(st, 9);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "read XMP regions", e);
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int catalog_xmp_region_done(catalog *c, const char *photo_id, int region_no, const char *status, int64_t face_id,
                            const char *reason, err *e)
{
    if (strcmp(status, "matched") != 0 && strcmp(status, "drawn") != 0 && strcmp(status, "failed") != 0)
        return err_set(e, ERR_INVALID, "%s: XMP region status '%.16s'", catalog_path(c), status);
    sqlite3_stmt *st = catalog_prepare(
        c, "UPDATE xmp_regions SET status = ?3, face_id = ?4, reason = ?5 WHERE photo_id = ?1 AND region_no = ?2",
        "record an applied XMP region", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, region_no);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
    if (face_id > 0)
        sqlite3_bind_int64(st, 4, face_id);
    else
        sqlite3_bind_null(st, 4);
    if (reason)
        sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 5);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, "record an applied XMP region", e);
    if (rc == 0 && sqlite3_changes(catalog_sqlite(c)) != 1)
        rc = err_set(e, ERR_NOTFOUND, "%s: no XMP region %d of photo %s", catalog_path(c), region_no, photo_id);
    sqlite3_finalize(st);
    return rc;
}

int catalog_xmp_face_named(catalog *c, int64_t face_id, const char *name, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT 1 FROM faces f JOIN persons p ON p.id = f.person_id "
                                       "WHERE f.id = ?1 AND p.name = ?2",
                                       "read the name of a face's person", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, face_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : catalog_error(c, "read the name of a face's person", e);
    sqlite3_finalize(st);
    return rc;
}
