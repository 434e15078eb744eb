/* catalog_tracks.c — face tracks of videos (catalog_tracks.h). */
#include "store/catalog_tracks.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int catalog_track_videos(catalog *c, char (**ids)[PHOTO_ID_LEN + 1], size_t *n, err *e)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare(
        c, "SELECT DISTINCT parent_id FROM photo_frames WHERE kind = 'video' ORDER BY parent_id", "list videos", e);
    if (!st)
        return e ? e->code : ERR_DB;
    size_t cap = 0;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap * 2 + 16;
            char(*more)[PHOTO_ID_LEN + 1] = realloc(*ids, sizeof *more * cap);
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            *ids = more;
        }
        snprintf((*ids)[(*n)++], PHOTO_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list videos", e);
    sqlite3_finalize(st);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int catalog_track_faces(catalog *c, const char *video_id, catalog_track_face **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = catalog_prepare(c,
                                       "SELECT f.id, fr.frame_no, fr.scene, ifnull(fr.time_ms, -1), f.box_x, f.box_y, "
                                       "f.box_w, f.box_h, f.embedding "
                                       "FROM photo_frames fr JOIN faces f ON f.photo_id = fr.photo_id "
                                       "WHERE fr.parent_id = ?1 AND fr.kind = 'video' AND " CATALOG_CURRENT_FACE(
                                           "f") " ORDER BY fr.frame_no, f.face_no",
                                       "list the faces of a video", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, video_id, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap * 2 + 16;
            catalog_track_face *more = realloc(*out, sizeof *more * cap);
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            *out = more;
        }
        catalog_track_face *f = &(*out)[(*n)++];
        memset(f, 0, sizeof *f);
        f->face_id = sqlite3_column_int64(st, 0);
        f->frame_no = sqlite3_column_int(st, 1);
        f->scene = sqlite3_column_int(st, 2);
        f->time_ms = sqlite3_column_int64(st, 3);
        f->x = sqlite3_column_double(st, 4);
        f->y = sqlite3_column_double(st, 5);
        f->w = sqlite3_column_double(st, 6);
        f->h = sqlite3_column_double(st, 7);
        if (sqlite3_column_bytes(st, 8) == FACE_DESCRIPTOR_DIM * 4) {
            catalog_embedding_decode(sqlite3_column_blob(st, 8), f->descriptor);
            f->has_descriptor = 1;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list the faces of a video", e);
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int catalog_tracks_put(catalog *c, const char *video_id, const int64_t *face_ids, const int64_t *track_ids, size_t n,
                       err *e)
{
    char what[64];
    snprintf(what, sizeof what, "record the face tracks of %.16s", video_id);
    catalog_tx tx;
    int rc = catalog_tx_begin(c, &tx, what, e);
    if (rc)
        return rc;
    sqlite3_stmt *del = catalog_prepare(c, "DELETE FROM face_tracks WHERE video_id = ?1", what, e);
    if (!del)
        rc = e ? e->code : ERR_DB;
    else {
        sqlite3_bind_text(del, 1, video_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = catalog_error(c, what, e);
        sqlite3_finalize(del);
    }
    sqlite3_stmt *ins =
        rc ? NULL
           : catalog_prepare(c, "INSERT OR REPLACE INTO face_tracks (face_id, track_id, video_id) VALUES (?1, ?2, ?3)",
                             what, e);
    if (rc == 0 && !ins)
        rc = e ? e->code : ERR_DB;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, face_ids[i]);
        sqlite3_bind_int64(ins, 2, track_ids[i]);
        sqlite3_bind_text(ins, 3, video_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = catalog_error(c, what, e);
    }
    sqlite3_finalize(ins);
    return catalog_tx_end(c, &tx, rc, what, e);
}

int catalog_track_mates(catalog *c, int64_t face_id, int64_t **ids, size_t *n, err *e)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st =
        catalog_prepare(c,
                        "SELECT m.face_id FROM face_tracks t JOIN face_tracks m ON m.track_id = t.track_id "
                        "WHERE t.face_id = ?1 AND m.face_id <> ?1 ORDER BY m.face_id",
                        "list a face's track", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, face_id);
    size_t cap = 0;
    int step, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap * 2 + 8;
            int64_t *more = realloc(*ids, sizeof *more * cap);
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            *ids = more;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = catalog_error(c, "list a face's track", e);
    sqlite3_finalize(st);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}
