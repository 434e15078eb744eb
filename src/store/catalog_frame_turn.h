/* catalog_frame_turn.h — a contact sheet's frames turned upright after
 * analysis, by the sheet's vote (analyze/frame_turn.h; schema version 26:
 * photo_frames.turn and turn_sha256).
 *
 * Ingest cuts the frames of a vertical strip upright by a guess; the sheet's
 * faces vote which way round its pictures really lie (analyze/sheet_vote.h).
 * When the vote says turn, every frame of the sheet is stored turned: its
 * processed image, and in the catalog everything that lies on that image.
 * The frame row's rectangle (cx, cy, w, h, angle) stays the same place on the
 * sheet, described from the turned picture's top, as ingest describes it
 * (media/sheet.h, sheet_frame_turn); photos.orientation stays 1 (a frame has
 * no file of its own: its row on the sheet says how it was cut).
 *
 * Kill-safe, and a sheet is turned once: the turn is recorded for all the
 * sheet's frames in one transaction, with each turned image's SHA-256, before
 * any image is written; the image writer clears the SHA once it has written
 * (catalog_frame_turn_written), so a run killed in between finds the turns
 * still to write (catalog_frame_turns_pending). */
#ifndef FACETAG_STORE_CATALOG_FRAME_TURN_H
#define FACETAG_STORE_CATALOG_FRAME_TURN_H

#include "core/hash.h"
#include "store/catalog.h"

/* One frame of the sheet as it is to be stored turned. */
typedef struct catalog_frame_turn {
    char photo_id[PHOTO_ID_LEN + 1];
    double angle, w, h;                   /* the frame's rectangle from the turned picture's top */
    char sha256[HASH_SHA256_HEX_LEN + 1]; /* of the turned processed image */
} catalog_frame_turn;

/* Records that frames t[0..n) of sheet parent_id are turned clockwise by turn
 * (90, 180 or 270), in one transaction, unless a frame of the sheet was
 * turned before: each frame row takes angle, w, h, turn and turn_sha256 (the
 * image still to write); its photo's width and height (and orig_width and
 * orig_height) swap for a quarter turn; the boxes of its faces (every model
 * version, drawn ones too) and of its XMP regions (catalog_xmp.h) turn with
 * the image; its analysis runs and OCR result are dropped (analyze reads it
 * again; catalog_analysis_record carries each face's person and status to the
 * new face over the turned box); a flip's recorded SHA-256 (catalog_ocr.h)
 * becomes the turned image's. Returns 1 when recorded now, 0 when the sheet
 * was turned before (nothing changes). ERR_INVALID for another turn, an empty
 * list, or a photo that is not a frame of parent_id (nothing changes). */
int catalog_sheet_turn_put(catalog *c, const char *parent_id, int turn, const catalog_frame_turn *t, int n, err *e);

/* Frames whose turned image is still to be written, photo_id order: fn gets
 * the frame, its turn and the turned image's SHA-256; fn returns non-zero to
 * stop (that value is returned). */
typedef int (*catalog_frame_turn_pending_fn)(const char *photo_id, int turn, const char *sha256, void *ud);
int catalog_frame_turns_pending(catalog *c, catalog_frame_turn_pending_fn fn, void *ud, err *e);

/* The turned image of frame photo_id is written: its pending SHA-256 goes. */
int catalog_frame_turn_written(catalog *c, const char *photo_id, err *e);

#endif
