/* ingest_video.c — a video becomes the frames worth looking at
 * (ingest_video.h). */
#include "ingest/ingest_video.h"
#include "core/testhook.h"
#include "ingest/ingest_frames.h"
#include "media/video.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct video_ingest {
    const ingest_file_ctx *ctx;
    catalog_photo video; /* the video's own photo row */
    int poster_stored;   /* processed/{video id}.jpg written */
    int orig_w, orig_h;  /* display size of the video */
    ingest_frames frames;
} video_ingest;

static int on_frame(const video_frame *f, void *ud, err *e)
{
    video_ingest *v = ud;
    decode_output out;
    int rc = decode_encode(f->image, v->ctx->limits->max_edge, &out, e);
    if (rc)
        return rc;
    if (!v->poster_stored) { /* the video's own working image: its first kept frame */
        char key[64];
        snprintf(key, sizeof key, "%s.jpg", v->video.photo_id);
        rc = objstore_put(v->ctx->store, BUCKET_PROCESSED, key, out.jpeg, out.jpeg_len, e);
        v->poster_stored = rc == 0;
        v->video.width = out.width;
        v->video.height = out.height;
    }
    catalog_frame fr = { .kind = "video", .frame_no = f->index, .time_ms = f->time_ms, .scene = f->scene };
    if (rc == 0)
        rc = ingest_frames_add(v->ctx, &v->video, &out, v->orig_w, v->orig_h, &fr, &v->frames, e);
    decode_output_free(&out);
    testhook_pause(v->ctx->slow_ms);
    return rc;
}

int ingest_video(const ingest_file_ctx *ctx, const char *path, const char *sha, ingest_file_result *r, err *e)
{
    video_ingest *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    v->ctx = ctx;
    video_info info;
    int rc = video_probe(path, ctx->limits->max_pixels, &info, e);
    catalog_photo *p = &v->video;
    if (rc == 0) {
        memcpy(p->photo_id, r->photo_id, sizeof p->photo_id);
        memcpy(p->sha256, sha, sizeof p->sha256);
        snprintf(p->format, sizeof p->format, "%s", info.container);
        snprintf(p->incoming_key, sizeof p->incoming_key, "%s.%s", r->photo_id, info.ext);
        p->bytes = r->size;
        p->orig_width = v->orig_w = info.width;
        p->orig_height = v->orig_h = info.height;
        p->orientation = 1;
        snprintf(p->taken_at, sizeof p->taken_at, "%s", info.created);
        snprintf(p->taken_at_source, sizeof p->taken_at_source, "%s", info.created[0] ? "video" : "");
        video_params vp = { .interval_ms = ctx->video_interval_ms,
                            .max_edge = ctx->limits->max_edge,
                            .max_pixels = ctx->limits->max_pixels,
                            .threads = ctx->video_threads > 0 ? ctx->video_threads : 1 };
        rc = video_sample(path, &vp, on_frame, v, NULL, NULL, e);
    }
    if (rc == 0) {
        int n = 1 + v->frames.n;
        r->photos = malloc(sizeof *r->photos * (size_t)n);
        if (!r->photos) {
            rc = err_set(e, ERR_NOMEM, "out of memory for %d frames", v->frames.n);
        } else {
            r->photos[0] = *p;
            memcpy(r->photos + 1, v->frames.photos, sizeof *r->photos * (size_t)v->frames.n);
            r->nphotos = n;
            r->frames = v->frames.frames;
            r->nframes = v->frames.n;
            v->frames.frames = NULL;
        }
    }
    if (rc) {
        if (v->poster_stored) {
            char key[64];
            snprintf(key, sizeof key, "%s.jpg", p->photo_id);
            objstore_delete(ctx->store, BUCKET_PROCESSED, key, NULL);
        }
        ingest_frames_delete(ctx, &v->frames);
    }
    ingest_frames_free(&v->frames);
    free(v);
    return rc;
}
