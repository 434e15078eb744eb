/* ingest_frames.h — photos that are frames of another file's photo (internal
 * to src/ingest/): the frames cut from a contact sheet (ingest_sheet.h) and
 * the frames kept from a video (ingest_video.h) are stored the same way: the
 * frame's working image as processed/{frame_id}.jpg, a photo row (parent =
 * the sheet or video, ingest_frame_id) and a frame row
 * (store/catalog_frames.h), both recorded with the file's photos. */
#ifndef FACETAG_INGEST_INGEST_FRAMES_H
#define FACETAG_INGEST_INGEST_FRAMES_H

#include "ingest/ingest_file.h"

/* Frames stored so far from one file. */
typedef struct ingest_frames {
    catalog_photo *photos; /* malloc'd, n of them, each stored as processed/{photo_id}.jpg */
    catalog_frame *frames; /* malloc'd, n of them */
    int n, cap;
} ingest_frames;
void ingest_frames_free(ingest_frames *f);

/* Stores `image` (a working image, decode.h) as frame fr->frame_no of parent:
 * the frame's photo copies parent's row (sha, format, original, dates) with
 * its own id, parent_id = parent's id, the image's size and orig_w x orig_h
 * as its size in the source; the frame row is *fr with photo_id and
 * parent_id filled in. Appends both to *acc after the object is written.
 * Errors: ERR_NOMEM, the object store's. */
int ingest_frames_add(const ingest_file_ctx *ctx, const catalog_photo *parent, const decode_output *image, int orig_w,
                      int orig_h, const catalog_frame *fr, ingest_frames *acc, err *e);

/* Deletes the processed objects of acc's frames (a file that failed halfway). */
void ingest_frames_delete(const ingest_file_ctx *ctx, const ingest_frames *acc);

#endif
