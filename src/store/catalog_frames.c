/* catalog_frames.c — frames of sheets and videos (catalog_frames.h). */
#include "store/catalog_frames.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define FRAME_COLS "photo_id, parent_id, kind, frame_no, strip, cx, cy, w, h, angle, negative, time_ms, scene"
#define FRAME_READ_COLS FRAME_COLS ", turn"

int catalog_frame_put(catalog *c, const catalog_frame *f, err *e)
{
    if (!hash_photo_id_valid(f->photo_id) || !hash_photo_id_valid(f->parent_id))
        return err_set(e, ERR_INVALID, "%s: put frame: '%.32s' of '%.32s' is not a photo id", catalog_path(c),
                       f->photo_id, f->parent_id);
    if (strcmp(f->kind, "sheet") != 0 && strcmp(f->kind, "video") != 0)
        return err_set(e, ERR_INVALID, "%s: put frame: kind '%.16s' is neither sheet nor video", catalog_path(c),
                       f->kind);
    sqlite3_stmt *st = catalog_prepare(c,
                                       "INSERT OR REPLACE INTO photo_frames (" FRAME_COLS ") "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                                       "put frame", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, f->photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, f->parent_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, f->frame_no);
    sqlite3_bind_int(st, 5, f->strip);
    sqlite3_bind_double(st, 6, f->cx);
    sqlite3_bind_double(st, 7, f->cy);
    sqlite3_bind_double(st, 8, f->w);
    sqlite3_bind_double(st, 9, f->h);
    sqlite3_bind_double(st, 10, f->angle);
    sqlite3_bind_int(st, 11, f->negative ? 1 : 0);
    if (f->time_ms >= 0)
        sqlite3_bind_int64(st, 12, f->time_ms);
    else
        sqlite3_bind_null(st, 12);
    sqlite3_bind_int(st, 13, f->scene > 0 ? f->scene : 0);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, "put frame", e);
    sqlite3_finalize(st);
    return rc;
}

static void read_row(sqlite3_stmt *st, catalog_frame *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->photo_id, sizeof f->photo_id, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(f->parent_id, sizeof f->parent_id, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(f->kind, sizeof f->kind, "%s", (const char *)sqlite3_column_text(st, 2));
    f->frame_no = sqlite3_column_int(st, 3);
    f->strip = sqlite3_column_int(st, 4);
    f->cx = sqlite3_column_double(st, 5);
    f->cy = sqlite3_column_double(st, 6);
    f->w = sqlite3_column_double(st, 7);
    f->h = sqlite3_column_double(st, 8);
    f->angle = sqlite3_column_double(st, 9);
    f->negative = sqlite3_column_int(st, 10);
    f->time_ms = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 11);
    f->scene = sqlite3_column_int(st, 12);
    f->turn = sqlite3_column_int(st, 13);
}

int catalog_frame_get(catalog *c, const char *photo_id, catalog_frame *out, err *e)
{
    sqlite3_stmt *st =
        catalog_prepare(c, "SELECT " FRAME_READ_COLS " FROM photo_frames WHERE photo_id = ?1", "read frame", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        if (out)
            read_row(st, out);
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = catalog_error(c, "read frame", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_frames_of(catalog *c, const char *parent_id, catalog_frame_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = catalog_prepare(
        c, "SELECT " FRAME_READ_COLS " FROM photo_frames WHERE parent_id = ?1 ORDER BY frame_no", "list frames", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, parent_id, -1, SQLITE_TRANSIENT);
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_frame f;
        read_row(st, &f);
        rc = fn(&f, ud);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list frames", e);
    sqlite3_finalize(st);
    return rc;
}
