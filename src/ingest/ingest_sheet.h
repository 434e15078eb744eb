/* ingest_sheet.h — contact sheets at ingest (internal to src/ingest/): after a
 * page's working image is made, look for a sheet of frames in it
 * (media/sheet.h); when found, cut every frame upright out of the page decoded
 * at up to INGEST_SHEET_SOURCE_EDGE pixels, store it as processed/{frame_id}.jpg
 * and describe it as a photo (parent = the page's photo) and a frame row. */
#ifndef FACETAG_INGEST_INGEST_SHEET_H
#define FACETAG_INGEST_INGEST_SHEET_H

#include "ingest/ingest_file.h"
#include "media/sheet.h"

#define INGEST_SHEET_SOURCE_EDGE 8192

/* Frames cut so far from the pages of one file. */
typedef struct ingest_sheet_frames {
    catalog_photo *photos; /* malloc'd, n of them, each stored as processed/{photo_id}.jpg */
    catalog_frame *frames; /* malloc'd, n of them */
    int n, cap;
} ingest_sheet_frames;
void ingest_sheet_frames_free(ingest_sheet_frames *f);

/* page_photo: the page's photo row as recorded (id, sha, format, dates,
 * processed size); processed: the page's working image (JPEG) just made. On a
 * sheet, appends its frames to *acc with their objects stored. Returns 0
 * (sheet or not); <0 with e set when the frames could not be made (objects
 * of the frames appended so far stay listed in *acc for the caller to delete). */
int ingest_sheet_split(const ingest_file_ctx *ctx, const char *path, const decode_info *info, int page,
                       const catalog_photo *page_photo, const decode_output *processed, ingest_sheet_frames *acc,
                       err *e);

#endif
