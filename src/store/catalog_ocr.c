/* catalog_ocr.c — backs, OCR results and flips (catalog_ocr.h). */
#include "store/catalog_ocr.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const char *col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

static int step_done(catalog *c, sqlite3_stmt *st, const char *what, err *e)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_back_put(catalog *c, const char *photo_id, const char *front_path, const char *paired_by, err *e)
{
    if (!hash_photo_id_valid(photo_id))
        return err_set(e, ERR_INVALID, "%s: put back: '%.32s' is not a photo id", catalog_path(c), photo_id);
    if (strcmp(paired_by, "name") != 0 && strcmp(paired_by, "sidecar") != 0)
        return err_set(e, ERR_INVALID, "%s: put back: paired_by '%.16s' is neither name nor sidecar", catalog_path(c),
                       paired_by);
    sqlite3_stmt *st = catalog_prepare(
        c, "INSERT OR IGNORE INTO photo_backs (photo_id, front_path, paired_by) VALUES (?1, ?2, ?3)", "put back", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, front_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, paired_by, -1, SQLITE_TRANSIENT);
    return step_done(c, st, "put back", e);
}

static int64_t count_unpaired(catalog *c)
{
    sqlite3_stmt *q =
        catalog_prepare(c, "SELECT count(*) FROM photo_backs WHERE front_id IS NULL", "count backs", NULL);
    int64_t n = q && sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    return n;
}

int catalog_backs_pair(catalog *c, int64_t *paired, err *e)
{
    int64_t before = paired ? count_unpaired(c) : 0;
    /* By name: a source path front_path + "." + an extension with no '/' or
     * '.' after it; paths in [front_path || '.', front_path || '/') are
     * exactly those starting with front_path + '.' ('.' < '/'), read by the
     * index on path. */
    sqlite3_stmt *st = catalog_prepare(
        c,
        "UPDATE photo_backs AS b SET front_id = ("
        "  SELECT s.photo_id FROM photo_sources s"
        "  WHERE ((b.paired_by = 'name' AND s.path >= b.front_path || '.' AND s.path < b.front_path || '/'"
        "          AND instr(substr(s.path, length(b.front_path) + 2), '.') = 0)"
        "      OR (b.paired_by = 'sidecar' AND s.path = b.front_path))"
        "    AND s.photo_id <> b.photo_id"
        "    AND NOT EXISTS (SELECT 1 FROM photo_backs x WHERE x.photo_id = s.photo_id)"
        "  ORDER BY s.id LIMIT 1) "
        "WHERE b.front_id IS NULL",
        "pair backs with their fronts", e);
    if (!st)
        return e ? e->code : ERR_DB;
    int rc = step_done(c, st, "pair backs with their fronts", e);
    if (rc == 0 && paired)
        *paired = before - count_unpaired(c);
    return rc;
}

#define BACK_COLS "photo_id, ifnull(front_id, ''), front_path, paired_by"

static void read_back(sqlite3_stmt *st, catalog_back *b)
{
    memset(b, 0, sizeof *b);
    snprintf(b->photo_id, sizeof b->photo_id, "%s", col(st, 0));
    snprintf(b->front_id, sizeof b->front_id, "%s", col(st, 1));
    snprintf(b->front_path, sizeof b->front_path, "%s", col(st, 2));
    snprintf(b->paired_by, sizeof b->paired_by, "%s", col(st, 3));
}

static int each_back(catalog *c, const char *sql, const char *arg, catalog_back_fn fn, void *ud, const char *what,
                     err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, sql, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_back b;
        read_back(st, &b);
        rc = fn(&b, ud);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

static int copy_back(const catalog_back *b, void *ud)
{
    *(catalog_back *)ud = *b;
    return 1;
}

int catalog_back_get(catalog *c, const char *photo_id, catalog_back *out, err *e)
{
    catalog_back tmp;
    return each_back(c, "SELECT " BACK_COLS " FROM photo_backs WHERE photo_id = ?1", photo_id, copy_back,
                     out ? out : &tmp, "read back", e);
}

int catalog_backs_of(catalog *c, const char *front_id, catalog_back_fn fn, void *ud, err *e)
{
    return each_back(c, "SELECT " BACK_COLS " FROM photo_backs WHERE front_id = ?1 ORDER BY photo_id", front_id, fn, ud,
                     "list backs of a front", e);
}

int catalog_backs_unpaired(catalog *c, catalog_back_fn fn, void *ud, err *e)
{
    return each_back(c, "SELECT " BACK_COLS " FROM photo_backs WHERE front_id IS NULL ORDER BY photo_id", NULL, fn, ud,
                     "list backs with no front", e);
}

int catalog_ocr_todo(catalog *c, const char *engine, bool fronts, catalog_ocr_todo_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT p.photo_id, b.photo_id IS NOT NULL FROM photos p "
                                       "LEFT JOIN photo_backs b ON b.photo_id = p.photo_id "
                                       "WHERE (b.photo_id IS NOT NULL OR ?2) "
                                       "AND NOT EXISTS (SELECT 1 FROM photo_ocr o "
                                       "                WHERE o.photo_id = p.photo_id AND o.engine = ?1) "
                                       "ORDER BY p.photo_id",
                                       "list photos to read", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, engine, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, fronts ? 1 : 0);
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(col(st, 0), sqlite3_column_int(st, 1) != 0, ud);
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list photos to read", e);
    sqlite3_finalize(st);
    return rc;
}

static int ocr_put_rows(catalog *c, const catalog_ocr_result *r, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "DELETE FROM photo_texts WHERE photo_id = ?1", "store OCR text", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, r->photo_id, -1, SQLITE_TRANSIENT);
    int rc = step_done(c, st, "store OCR text", e);
    for (int i = 0; rc == 0 && i < r->ntexts; i++) {
        const catalog_ocr_text *t = &r->texts[i];
        st = catalog_prepare(c,
                             "INSERT INTO photo_texts (photo_id, n, region, text, confidence, x, y, w, h) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                             "store OCR text", e);
        if (!st)
            return e ? e->code : ERR_DB;
        sqlite3_bind_text(st, 1, r->photo_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, t->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, t->text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 5, t->confidence < 0 ? 0 : t->confidence > 100 ? 100 : t->confidence);
        sqlite3_bind_double(st, 6, t->x);
        sqlite3_bind_double(st, 7, t->y);
        sqlite3_bind_double(st, 8, t->w);
        sqlite3_bind_double(st, 9, t->h);
        rc = step_done(c, st, "store OCR text", e);
    }
    if (rc)
        return rc;
    st = catalog_prepare(c,
                         "INSERT OR REPLACE INTO photo_ocr (photo_id, engine, seconds, score, score_flipped, "
                         "mirrored, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         "store OCR result", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, r->photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->engine, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 3, r->seconds < 0 ? 0 : r->seconds);
    if (r->score >= 0)
        sqlite3_bind_double(st, 4, r->score);
    if (r->score_flipped >= 0)
        sqlite3_bind_double(st, 5, r->score_flipped);
    sqlite3_bind_int(st, 6, r->mirrored ? 1 : 0);
    if (r->error)
        sqlite3_bind_text(st, 7, r->error, -1, SQLITE_TRANSIENT);
    return step_done(c, st, "store OCR result", e);
}

int catalog_ocr_put(catalog *c, const catalog_ocr_result *r, err *e)
{
    if (!hash_photo_id_valid(r->photo_id))
        return err_set(e, ERR_INVALID, "%s: store OCR: '%.32s' is not a photo id", catalog_path(c), r->photo_id);
    for (int i = 0; i < r->ntexts; i++) {
        const char *g = r->texts[i].region;
        if (strcmp(g, "back") && strcmp(g, "front") && strcmp(g, "margin"))
            return err_set(e, ERR_INVALID, "%s: store OCR: region '%.16s' is not back, front or margin",
                           catalog_path(c), g);
    }
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, "store OCR", e);
    if (rc)
        return rc;
    rc = ocr_put_rows(c, r, e);
    return catalog_tx_end(c, &tx, rc, "store OCR", e);
}

static void read_text(sqlite3_stmt *st, int first, catalog_ocr_text *t)
{
    t->region = col(st, first);
    t->text = col(st, first + 1);
    t->confidence = sqlite3_column_double(st, first + 2);
    t->x = sqlite3_column_double(st, first + 3);
    t->y = sqlite3_column_double(st, first + 4);
    t->w = sqlite3_column_double(st, first + 5);
    t->h = sqlite3_column_double(st, first + 6);
}

int catalog_ocr_texts_of(catalog *c, const char *photo_id, catalog_ocr_text_fn fn, void *ud, err *e)
{
    const char *what = "read the texts of a photo";
    sqlite3_stmt *st = catalog_prepare_photo(
        c,
        "SELECT t.photo_id, t.region, t.text, t.confidence, t.x, t.y, t.w, t.h FROM photo_texts t "
        "WHERE t.photo_id = ?1 OR t.photo_id IN (SELECT photo_id FROM photo_backs WHERE front_id = ?1) "
        "ORDER BY t.photo_id <> ?1, t.photo_id, t.n",
        photo_id, NULL, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_ocr_text t;
        read_text(st, 1, &t);
        rc = fn(col(st, 0), &t, ud);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_ocr_each_evidence(catalog *c, catalog_ocr_evidence_fn fn, void *ud, err *e)
{
    const char *what = "read the texts of photos";
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT ifnull(b.front_id, t.photo_id) AS about, t.photo_id, t.region, t.text, "
                                       "t.confidence, t.x, t.y, t.w, t.h FROM photo_texts t "
                                       "LEFT JOIN photo_backs b ON b.photo_id = t.photo_id "
                                       "ORDER BY about, t.photo_id, t.n",
                                       what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_ocr_text t;
        read_text(st, 2, &t);
        rc = fn(col(st, 0), col(st, 1), &t, ud);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_ocr_each_mirrored(catalog *c, catalog_ocr_mirrored_fn fn, void *ud, err *e)
{
    const char *what = "list photos whose text reads mirrored";
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT o.photo_id, ifnull(o.score, 0), ifnull(o.score_flipped, 0) "
                                       "FROM photo_ocr o WHERE o.mirrored = 1 "
                                       "AND NOT EXISTS (SELECT 1 FROM photo_flips f WHERE f.photo_id = o.photo_id) "
                                       "ORDER BY o.photo_id",
                                       what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(col(st, 0), sqlite3_column_double(st, 1), sqlite3_column_double(st, 2), ud);
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_photo_flipped(catalog *c, const char *photo_id, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "SELECT 1 FROM photo_flips WHERE photo_id = ?1", "read flip", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : catalog_error(c, "read flip", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_flips_pending(catalog *c, const char *photo_id, catalog_flip_pending_fn fn, void *ud, err *e)
{
    const char *what = "list flipped photos not read again";
    sqlite3_stmt *st = catalog_prepare_photo(
        c,
        "SELECT f.photo_id FROM photo_flips f WHERE (?1 IS NULL OR f.photo_id = ?1) AND ("
        " NOT EXISTS (SELECT 1 FROM photo_ocr o WHERE o.photo_id = f.photo_id)"
        " OR (NOT EXISTS (SELECT 1 FROM analysis_runs a WHERE a.photo_id = f.photo_id AND a.status = 'done')"
        "     AND NOT EXISTS (SELECT 1 FROM photo_frames r WHERE r.parent_id = f.photo_id)"
        "     AND NOT EXISTS (SELECT 1 FROM photo_backs b WHERE b.photo_id = f.photo_id))) "
        "ORDER BY f.photo_id",
        photo_id, NULL, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(col(st, 0), ud);
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

static int exec1(catalog *c, const char *sql, const char *photo_id, const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare_photo(c, sql, photo_id, NULL, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    return step_done(c, st, what, e);
}

int catalog_photo_flip_sha(catalog *c, const char *photo_id, const char *processed_sha256, err *e)
{
    sqlite3_stmt *st = catalog_prepare(c, "UPDATE photo_flips SET processed_sha256 = ?2 WHERE photo_id = ?1",
                                       "record a flipped image", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, processed_sha256, -1, SQLITE_TRANSIENT);
    return step_done(c, st, "record a flipped image", e);
}

int catalog_photo_flip_put(catalog *c, const char *photo_id, const char *actor, const char *processed_sha256,
                           char recorded[65], err *e)
{
    const char *what = "record a flip";
    recorded[0] = '\0';
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    int added = 0;
    sqlite3_stmt *st =
        catalog_prepare(c, "SELECT ifnull(processed_sha256, '') FROM photo_flips WHERE photo_id = ?1", what, e);
    if (!st)
        rc = e ? e->code : ERR_DB;
    if (rc == 0) {
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            snprintf(recorded, 65, "%s", col(st, 0));
        else if (step == SQLITE_DONE)
            added = 1;
        else
            rc = catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    if (rc == 0 && added) {
        st = catalog_prepare(c, "INSERT INTO photo_flips (photo_id, actor, processed_sha256) VALUES (?1, ?2, ?3)", what,
                             e);
        if (!st)
            rc = e ? e->code : ERR_DB;
        else {
            sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, processed_sha256, -1, SQLITE_TRANSIENT);
            rc = step_done(c, st, what, e);
        }
        if (rc == 0)
            rc =
                exec1(c,
                      "UPDATE faces SET box_x = max(0, (SELECT width FROM photos WHERE photo_id = ?1) - box_x - box_w) "
                      "WHERE photo_id = ?1",
                      photo_id, what, e);
        /* regions other tools wrote (catalog_xmp.h) lie on the image too */
        if (rc == 0)
            rc = exec1(c,
                       "UPDATE xmp_regions SET x = max(0, (SELECT width FROM photos WHERE photo_id = ?1) - x - w) "
                       "WHERE photo_id = ?1",
                       photo_id, what, e);
        if (rc == 0)
            rc = exec1(c, "DELETE FROM analysis_runs WHERE photo_id = ?1", photo_id, what, e);
        if (rc == 0)
            rc = exec1(c, "DELETE FROM photo_ocr WHERE photo_id = ?1", photo_id, what, e);
        if (rc == 0)
            snprintf(recorded, 65, "%s", processed_sha256);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    return rc ? rc : added;
}

int catalog_ocr_state_get(catalog *c, const char *photo_id, catalog_ocr_state *out, err *e)
{
    memset(out, 0, sizeof *out);
    out->score = out->score_flipped = -1;
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT (SELECT 1 FROM photo_flips WHERE photo_id = ?1), o.mirrored, "
                                       "ifnull(o.score, -1), ifnull(o.score_flipped, -1), o.photo_id IS NOT NULL "
                                       "FROM (SELECT 1) LEFT JOIN photo_ocr o ON o.photo_id = ?1",
                                       "read the OCR state of a photo", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->flipped = sqlite3_column_int(st, 0) != 0;
        out->mirrored = sqlite3_column_int(st, 1) != 0;
        out->score = sqlite3_column_double(st, 2);
        out->score_flipped = sqlite3_column_double(st, 3);
        out->read = sqlite3_column_int(st, 4) != 0;
    } else {
        rc = catalog_error(c, "read the OCR state of a photo", e);
    }
    sqlite3_finalize(st);
    return rc;
}
