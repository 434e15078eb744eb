/* ingest_sheet.h — contact sheets at ingest (internal to src/ingest/): after a
 * page's working image is made, look for a sheet of frames in it
 * (media/sheet.h); when found, cut every frame upright out of the page decoded
 * at up to INGEST_SHEET_SOURCE_EDGE pixels and store it as a frame
 * (ingest_frames.h: a photo with the page's photo as parent and a frame row). */
#ifndef FACETAG_INGEST_INGEST_SHEET_H
#define FACETAG_INGEST_INGEST_SHEET_H

#include "ingest/ingest_frames.h"
#include "media/sheet.h"

#define INGEST_SHEET_SOURCE_EDGE 8192

/* page_photo: the page's photo row as recorded (id, sha, format, dates,
 * processed size); processed: the page's working image (JPEG) just made. On a
 * sheet, appends its frames to *acc with their objects stored. Returns 0
 * (sheet or not); <0 with e set when the frames could not be made (objects
 * of the frames appended so far stay listed in *acc for the caller to delete). */
int ingest_sheet_split(const ingest_file_ctx *ctx, const char *path, const decode_info *info, int page,
                       const catalog_photo *page_photo, const decode_output *processed, ingest_frames *acc, err *e);

#endif
