/* catalog_analysis.c — what the analyze stage reads and writes in one place
 * (catalog.h, "analysis"): the photos to analyse, a photo's first source path,
 * a finished analysis recorded in one transaction, and a photo's current
 * analysis (catalog_query.h says what "current" means). */
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"
#include "store/people_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int catalog_source_first(catalog *c, const char *photo_id, char **path, err *e)
{
    *path = NULL;
    sqlite3_stmt *st = catalog_prepare(c, "SELECT path FROM photo_sources WHERE photo_id = ?1 ORDER BY id LIMIT 1",
                                       "find a source path", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        if (!(*path = strdup((const char *)sqlite3_column_text(st, 0))))
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", catalog_path(c));
        else
            rc = 1;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = catalog_error(c, "find a source path", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_analysis_todo(catalog *c, const char *model_version, catalog_todo_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT p.photo_id, EXISTS (SELECT 1 FROM analysis_runs a WHERE a.photo_id = "
                                       "p.photo_id AND a.model_version = ?1 AND a.status = 'done') FROM photos p "
                                       "WHERE NOT EXISTS (SELECT 1 FROM photo_frames f WHERE f.parent_id = p.photo_id) "
                                       "AND NOT EXISTS (SELECT 1 FROM photo_backs b WHERE b.photo_id = p.photo_id) "
                                       "ORDER BY p.width * p.height DESC, p.photo_id",
                                       "list photos to analyse", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, model_version, -1, SQLITE_TRANSIENT);
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) != 0, ud);
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list photos to analyse", e);
    sqlite3_finalize(st);
    return rc;
}

static int exec_two(catalog *c, const char *sql, const char *a, const char *b, const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, sql, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* A face of an earlier analysis of the same photo and model version that
 * people decided on (a person, a status): analysing the photo again (after a
 * flip, say) keeps the decision on the new face over the same spot. */
typedef struct decided {
    double box[4];
    int64_t person_id;
    char status[16];
} decided;

static bool id_in(int64_t id, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

/* The decided faces that go: detector faces, and the drawn ones in replaced. */

/* Room for one more element in arr (n used of *cap, elem bytes each): arr,
 * or arr moved to a block twice as large (from 8); NULL when memory runs out,
 * and then arr is unchanged. */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    size_t want = *cap ? *cap * 2 : 8;
    void *v = realloc(arr, want * elem);
    if (v)
        *cap = want;
    return v;
}
static int decided_load(catalog *c, const char *photo_id, const char *model_version, const int64_t *replaced,
                        size_t n_replaced, decided **out, size_t *n, const char *what, err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare_photo(c,
                                             "SELECT box_x, box_y, box_w, box_h, ifnull(person_id, 0), status, id, "
                                             "source = 'detector' FROM faces "
                                             "WHERE photo_id = ?1 AND model_version = ?2 "
                                             "AND (person_id IS NOT NULL OR status <> 'unreviewed') ORDER BY id",
                                             photo_id, model_version, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    size_t cap = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!sqlite3_column_int(st, 7) && !id_in(sqlite3_column_int64(st, 6), replaced, n_replaced))
            continue; /* drawn by hand, and stays as it is */
        void *more = grow(*out, &cap, *n, sizeof **out);
        if (!more) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", what);
            break;
        }
        *out = more;
        decided *d = &(*out)[(*n)++];
        for (int k = 0; k < 4; k++)
            d->box[k] = sqlite3_column_double(st, k);
        d->person_id = sqlite3_column_int64(st, 4);
        snprintf(d->status, sizeof d->status, "%s", (const char *)sqlite3_column_text(st, 5));
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* Each decided face goes to the new face its box overlaps most (IoU >=
 * PEOPLE_CARRY_IOU), best pairs first, each new face at most once. */
static int decided_carry(catalog *c, const decided *d, size_t nd, const catalog_face *faces, size_t n, const char *what,
                         err *e)
{
    if (nd == 0 || n == 0)
        return 0;
    bool *used_d = calloc(nd, 1), *used_f = calloc(n, 1);
    int rc = used_d && used_f ? 0 : err_set(e, ERR_NOMEM, "%s: out of memory", what);
    for (;;) {
        double best = PEOPLE_CARRY_IOU;
        size_t bi = 0, bj = 0;
        bool found = false;
        for (size_t i = 0; rc == 0 && i < nd; i++)
            for (size_t j = 0; !used_d[i] && j < n; j++) {
                double iou = used_f[j] ? 0 : people_box_iou(d[i].box, faces[j].box);
                if (iou >= best && (!found || iou > best)) {
                    best = iou, bi = i, bj = j;
                    found = true;
                }
            }
        if (rc || !found)
            break;
        used_d[bi] = used_f[bj] = true;
        sqlite3_stmt *st = catalog_prepare(c, "UPDATE faces SET person_id = ?2, status = ?3 WHERE id = ?1", what, e);
        if (!st) {
            rc = e ? e->code : ERR_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, faces[bj].id);
        if (d[bi].person_id)
            sqlite3_bind_int64(st, 2, d[bi].person_id);
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, d[bi].status, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    free(used_d);
    free(used_f);
    return rc;
}

/* Deletes the drawn faces of photo_id in replaced (their ids). */
static int replaced_delete(catalog *c, const char *photo_id, const int64_t *replaced, size_t n_replaced,
                           const char *what, err *e)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_replaced; i++) {
        sqlite3_stmt *st =
            catalog_prepare(c, "DELETE FROM faces WHERE id = ?1 AND photo_id = ?2 AND source = 'manual'", what, e);
        if (!st)
            return e ? e->code : ERR_DB;
        sqlite3_bind_int64(st, 1, replaced[i]);
        sqlite3_bind_text(st, 2, photo_id, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    return rc;
}

int catalog_analysis_kept(catalog *c, const char *photo_id, const char *model_version, catalog_kept_face **out,
                          size_t *n, err *e)
{
    const char *what = "list the faces an analysis keeps";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare_photo(c,
                                             "SELECT id, box_x, box_y, box_w, box_h, source = 'manual' FROM faces "
                                             "WHERE photo_id = ?1 AND model_version = ?2 "
                                             "AND (source = 'manual' OR status = 'confirmed') ORDER BY id",
                                             photo_id, model_version, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    size_t cap = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        void *more = grow(*out, &cap, *n, sizeof **out);
        if (!more) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", what);
            break;
        }
        *out = more;
        catalog_kept_face *k = &(*out)[(*n)++];
        k->id = sqlite3_column_int64(st, 0);
        for (int i = 0; i < 4; i++)
            k->box[i] = sqlite3_column_double(st, 1 + i);
        k->manual = sqlite3_column_int(st, 5) != 0;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int catalog_analysis_record(catalog *c, const char *photo_id, const char *model_version, catalog_face *faces, size_t n,
                            const int64_t *replaced, size_t n_replaced, err *e)
{
    char what[96];
    snprintf(what, sizeof what, "record the analysis of %.32s", photo_id);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    decided *d = NULL;
    size_t nd = 0;
    rc = decided_load(c, photo_id, model_version, replaced, n_replaced, &d, &nd, what, e);
    if (rc == 0)
        rc = exec_two(c, "DELETE FROM faces WHERE photo_id = ?1 AND model_version = ?2 AND source = 'detector'",
                      photo_id, model_version, what, e);
    if (rc == 0)
        rc = replaced_delete(c, photo_id, replaced, n_replaced, what, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = catalog_face_put(c, &faces[i], e);
    if (rc == 0)
        rc = decided_carry(c, d, nd, faces, n, what, e);
    free(d);
    if (rc == 0)
        rc = catalog_analysis_put(c, photo_id, model_version, "done", (int)n, NULL, e);
    if (rc == 0)
        rc = exec_two(c,
                      "UPDATE photos SET status = 'analyzed', error = NULL, "
                      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE photo_id = ?1",
                      photo_id, NULL, what, e);
    return catalog_tx_end(c, &tx, rc, what, e);
}

int catalog_current_version(catalog *c, const char *photo_id, char out[CATALOG_MODEL_VERSION_LEN], err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "SELECT " CATALOG_CURRENT_VERSION("?1"), "find the current analysis", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        snprintf(out, CATALOG_MODEL_VERSION_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 1;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = catalog_error(c, "find the current analysis", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_face_next_no(catalog *c, const char *photo_id, const char *model_version, int *out, err *e)
{
    sqlite3_stmt *st =
        catalog_prepare(c, "SELECT coalesce(max(face_no) + 1, 0) FROM faces WHERE photo_id = ?1 AND model_version = ?2",
                        "find the next face number", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, model_version, -1, SQLITE_TRANSIENT);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = catalog_error(c, "find the next face number", e);
    sqlite3_finalize(st);
    return rc;
}
