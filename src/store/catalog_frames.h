/* catalog_frames.h — photos that are frames of another photo: the frames cut
 * from a contact sheet and the frames kept from a video (schema version 8,
 * table photo_frames; the scene since version 11, the turn since 26). A frame is a photo of its own (catalog_photo, with
 * parent_id = the sheet or video) analysed like any other; this row says where
 * it came from. A photo with frames is not analysed itself
 * (catalog_analysis_todo). */
#ifndef FACETAG_STORE_CATALOG_FRAMES_H
#define FACETAG_STORE_CATALOG_FRAMES_H

#include "store/catalog.h"

typedef struct catalog_frame {
    char photo_id[PHOTO_ID_LEN + 1];  /* the frame's photo */
    char parent_id[PHOTO_ID_LEN + 1]; /* the sheet or video */
    char kind[8];                     /* "sheet" or "video" */
    int frame_no;                     /* 1-based, in film or time order */
    int strip;                        /* sheet: 0-based strip */
    double cx, cy, w, h, angle;       /* sheet: rotated rectangle in the parent's processed pixels
                                       * (media/sheet.h's convention); video: 0 */
    int negative;                     /* sheet: cut from a scan of negatives, inverted */
    int64_t time_ms;                  /* video: offset of the frame; -1 for none */
    int scene;                        /* video: 1-based scene (media/video.h); 0 for none */
    int turn; /* sheet: clockwise degrees the stored frame was turned after ingest, by its sheet's
               * vote (catalog_frame_turn.h; angle, w and h include it); read only: put ignores it */
} catalog_frame;

/* Inserts or replaces the frame row (the frame's photo must exist: put it
 * first, in the same transaction). ERR_INVALID for a bad id or kind. */
int catalog_frame_put(catalog *c, const catalog_frame *f, err *e);

/* 1 and *out filled when photo_id is a frame, 0 when it is not. */
int catalog_frame_get(catalog *c, const char *photo_id, catalog_frame *out, err *e);

/* Calls fn for each frame of parent_id in frame order; fn returns non-zero to
 * stop (that value is returned). */
typedef int (*catalog_frame_fn)(const catalog_frame *f, void *ud);
int catalog_frames_of(catalog *c, const char *parent_id, catalog_frame_fn fn, void *ud, err *e);

#endif
