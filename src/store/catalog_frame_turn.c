/* catalog_frame_turn.c — a contact sheet's frames turned upright by its vote
 * (catalog_frame_turn.h). */
#include "store/catalog_frame_turn.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int exec_photo(catalog *c, const char *sql, const char *photo_id, const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare_photo(c, sql, photo_id, NULL, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* A box (X, Y, W, H columns) on the photo ?1's image turned clockwise with
 * it: the new x, y, w, h in the turned image's pixels (the image was
 * PW x PH). */
#define PW "(SELECT width FROM photos WHERE photo_id = ?1)"
#define PH "(SELECT height FROM photos WHERE photo_id = ?1)"
#define TURN_90(X, Y, W, H) "(" PH " - " Y " - " H ", " X ", " H ", " W ")"
#define TURN_180(X, Y, W, H) "(" PW " - " X " - " W ", " PH " - " Y " - " H ", " W ", " H ")"
#define TURN_270(X, Y, W, H) "(" Y ", " PW " - " X " - " W ", " H ", " W ")"
#define TURN_FACES(T) "UPDATE faces SET (box_x, box_y, box_w, box_h) = " T("box_x", "box_y", "box_w", "box_h")
#define TURN_REGIONS(T) "UPDATE xmp_regions SET (x, y, w, h) = " T("x", "y", "w", "h")

/* Everything on frame t's image turned, in the caller's transaction. */
static int turn_frame(catalog *c, int turn, const catalog_frame_turn *t, const char *what, err *e)
{
    const char *faces = turn == 90    ? TURN_FACES(TURN_90) " WHERE photo_id = ?1"
                        : turn == 180 ? TURN_FACES(TURN_180) " WHERE photo_id = ?1"
                                      : TURN_FACES(TURN_270) " WHERE photo_id = ?1";
    const char *regions = turn == 90    ? TURN_REGIONS(TURN_90) " WHERE photo_id = ?1"
                          : turn == 180 ? TURN_REGIONS(TURN_180) " WHERE photo_id = ?1"
                                        : TURN_REGIONS(TURN_270) " WHERE photo_id = ?1";
    int rc = exec_photo(c, faces, t->photo_id, what, e);
    if (rc == 0)
        rc = exec_photo(c, regions, t->photo_id, what, e);
    if (rc == 0 && turn != 180) /* after the boxes: they read the size before the turn */
        rc = exec_photo(c,
                        "UPDATE photos SET width = height, height = width, orig_width = orig_height, "
                        "orig_height = orig_width, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                        "WHERE photo_id = ?1",
                        t->photo_id, what, e);
    if (rc == 0)
        rc = exec_photo(c, "DELETE FROM analysis_runs WHERE photo_id = ?1", t->photo_id, what, e);
    if (rc == 0)
        rc = exec_photo(c, "DELETE FROM photo_ocr WHERE photo_id = ?1", t->photo_id, what, e);
    sqlite3_stmt *st = NULL;
    if (rc == 0 && !(st = catalog_prepare(c,
                                          "UPDATE photo_frames SET angle = ?2, w = ?3, h = ?4, turn = ?5, "
                                          "turn_sha256 = ?6 WHERE photo_id = ?1",
                                          what, e)))
        rc = e ? e->code : ERR_DB;
    if (rc == 0) {
        sqlite3_bind_text(st, 1, t->photo_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 2, t->angle);
        sqlite3_bind_double(st, 3, t->w);
        sqlite3_bind_double(st, 4, t->h);
        sqlite3_bind_int(st, 5, turn);
        sqlite3_bind_text(st, 6, t->sha256, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    if (rc == 0 &&
        !(st = catalog_prepare(c, "UPDATE photo_flips SET processed_sha256 = ?2 WHERE photo_id = ?1", what, e)))
        rc = e ? e->code : ERR_DB;
    if (rc == 0) {
        sqlite3_bind_text(st, 1, t->photo_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, t->sha256, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    return rc;
}

/* 1 when photo_id is a frame of sheet parent_id, 0 when not, <0 on error. */
static int frame_of_sheet(catalog *c, const char *photo_id, const char *parent_id, const char *what, err *e)
{
    sqlite3_stmt *st = catalog_prepare(
        c, "SELECT 1 FROM photo_frames WHERE photo_id = ?1 AND parent_id = ?2 AND kind = 'sheet'", what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, parent_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_sheet_turn_put(catalog *c, const char *parent_id, int turn, const catalog_frame_turn *t, int n, err *e)
{
    const char *what = "record a sheet's frames turned";
    if (turn != 90 && turn != 180 && turn != 270)
        return err_set(e, ERR_INVALID, "%s: %s: turn %d is not 90, 180 or 270", catalog_path(c), what, turn);
    if (n < 1)
        return err_set(e, ERR_INVALID, "%s: %s: sheet %.32s: no frames given", catalog_path(c), what, parent_id);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    int turned_before = 0;
    sqlite3_stmt *st =
        catalog_prepare(c, "SELECT EXISTS (SELECT 1 FROM photo_frames WHERE parent_id = ?1 AND turn <> 0)", what, e);
    if (!st)
        rc = e ? e->code : ERR_DB;
    if (rc == 0) {
        sqlite3_bind_text(st, 1, parent_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            turned_before = sqlite3_column_int(st, 0);
        else
            rc = catalog_error(c, what, e);
        sqlite3_finalize(st);
    }
    for (int i = 0; rc == 0 && !turned_before && i < n; i++) {
        int of = frame_of_sheet(c, t[i].photo_id, parent_id, what, e);
        if (of == 0)
            rc = err_set(e, ERR_INVALID, "%s: %s: %.32s is not a frame of the sheet %.32s", catalog_path(c), what,
                         t[i].photo_id, parent_id);
        else if (of < 0)
            rc = of;
        else
            rc = turn_frame(c, turn, &t[i], what, e);
    }
    rc = catalog_tx_end(c, &tx, rc, what, e);
    return rc ? rc : !turned_before;
}

int catalog_frame_turns_pending(catalog *c, catalog_frame_turn_pending_fn fn, void *ud, err *e)
{
    const char *what = "list frames whose turned image is not written";
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT photo_id, turn, turn_sha256 FROM photo_frames "
                                       "WHERE turn_sha256 IS NOT NULL ORDER BY photo_id",
                                       what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
                (const char *)sqlite3_column_text(st, 2), ud);
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_frame_turn_written(catalog *c, const char *photo_id, err *e)
{
    return exec_photo(c, "UPDATE photo_frames SET turn_sha256 = NULL WHERE photo_id = ?1", photo_id,
                      "record a frame's turned image written", e);
}
