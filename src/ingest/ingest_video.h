/* ingest_video.h — a video file at ingest (internal to src/ingest/): the
 * video is one photo (its original in incoming/, the first kept frame as its
 * working image, not analysed itself) and every frame media/video.h keeps is
 * a frame of it (ingest_frames.h: kind "video", its time offset and scene),
 * analysed like any photo. */
#ifndef FACETAG_INGEST_INGEST_VIDEO_H
#define FACETAG_INGEST_INGEST_VIDEO_H

#include "ingest/ingest_file.h"

/* path's content was sniffed as a video (media/video.h) and hashed to sha
 * (r->photo_id set from it). On success r->photos = the video's photo then its
 * frames, r->frames = their frame rows, every processed object written; 0.
 * On failure nothing this call wrote stays in the store; <0 with e set
 * (the reason for the user: damaged, truncated, unsupported, over the limit). */
int ingest_video(const ingest_file_ctx *ctx, const char *path, const char *sha, ingest_file_result *r, err *e);

#endif
