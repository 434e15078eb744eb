/* video.h — video files at ingest (libavformat/libavcodec): what a file is
 * (by content), whether we can decode it, and the frames worth keeping.
 *
 * Sampling: the decoder delivers frames; every VIDEO_STEP_MS of video one is
 * looked at as a 64x36 grey thumbnail. A frame is kept
 *   - at a change: it differs from the last kept frame by more than
 *     VIDEO_SCENE_DIFF (mean absolute grey difference) and the picture has
 *     settled (it differs from the frame looked at before it by less than
 *     VIDEO_SETTLED_DIFF), so a cross-fade yields its end, not a blend. It is
 *     a new scene when the change came fast (a cut or a fade: the frames were
 *     moving apart by VIDEO_SETTLED_DIFF a step when it crossed the line),
 *     motion in the same scene when it crept up (a slow pan or zoom). A
 *     change that has not settled after VIDEO_SETTLE_WAIT_MS is kept then: a
 *     new scene when it began with a cut, else motion (people walking);
 *   - at least every interval_ms otherwise (not during a change nor while
 *     the picture moves fast: no blend of two pictures), unless it is a near duplicate of the last kept frame
 *     (difference below VIDEO_DUP_DIFF): a still scene gives one frame however
 *     long it lasts.
 * The first frame looked at is always kept (scene 1).
 *
 * Decoding only what is needed: for intra-only codecs (DV, MJPEG, ...) the
 * packets between two looks are never decoded; for the others the decoder
 * skips non-reference frames (AVDISCARD_NONREF) and works with `threads`
 * threads. Memory does not grow with the length of the video: one decoder,
 * two thumbnails and the frame being handed out.
 *
 * Errors (messages name no file; the caller prefixes the path): ERR_FORMAT
 * for what is not a video we read, a video without a video stream, a codec
 * without a decoder, damage (packets the decoder refuses, frames it marks
 * corrupt) and truncation (the frames end well before the duration the
 * container states); ERR_LIMIT for frames over max_pixels; whatever the frame
 * callback returns. */
#ifndef FACETAG_MEDIA_VIDEO_H
#define FACETAG_MEDIA_VIDEO_H

#include "core/error.h"
#include <stddef.h>
#include <stdint.h>

#define VIDEO_STEP_MS 200
#define VIDEO_SCENE_DIFF 14.0
#define VIDEO_SETTLED_DIFF 5.0
#define VIDEO_DUP_DIFF 3.0
#define VIDEO_SETTLE_WAIT_MS 2000
#define VIDEO_DEFAULT_INTERVAL_MS 10000

/* 1 when the first bytes are a video container we try (MP4/QuickTime/3GP,
 * Matroska/WebM, AVI, MPEG program or transport stream, DV), with *what (if
 * not NULL) its display name; 0 otherwise. */
int video_sniff(const void *head, size_t n, const char **what);

typedef struct video_info {
    char container[8];   /* catalog format: "mp4", "mov", "mkv", "webm", "avi", "mpeg", "mpegts", "dv" */
    char ext[8];         /* extension of the original in incoming/ */
    char codec[32];      /* the video decoder's name */
    int width, height;   /* display size: coded size with the sample aspect ratio applied */
    int64_t duration_ms; /* as the container states, -1 when it does not */
    double fps;          /* average frame rate, 0 when unknown */
    char created[32];    /* ISO 8601 creation_time of the container, or "" */
} video_info;

/* Opens the file's headers and its video stream's decoder without decoding a
 * frame; fills *out. */
int video_probe(const char *path, int64_t max_pixels, video_info *out, err *e);

typedef struct video_params {
    int64_t interval_ms; /* keep a frame at least this often; 0: scene changes only */
    int max_edge;        /* longest edge of the frames handed out (never enlarged) */
    int64_t max_pixels;  /* refuse frames larger than this */
    int threads;         /* decoder threads, >= 1 */
} video_params;

typedef struct _VipsImage VipsImage;
typedef struct video_frame {
    int index;          /* 1-based, in time order */
    int scene;          /* 1-based scene number */
    int64_t time_ms;    /* offset from the start of the video */
    const char *reason; /* "start", "scene", "motion" or "interval" */
    VipsImage *image;   /* borrowed for the call: 8-bit sRGB, 3 bands, display aspect */
} video_frame;

/* Called for each kept frame in time order; non-zero stops the sampling and
 * is returned. */
typedef int (*video_frame_fn)(const video_frame *f, void *ud, err *e);

typedef struct video_stats {
    int64_t packets; /* video packets read */
    int64_t decoded; /* frames the decoder produced */
    int64_t looked;  /* frames looked at */
    int64_t kept;    /* frames handed out */
    int64_t dups;    /* interval frames skipped as near duplicates */
    int scenes;      /* scenes found */
    int64_t end_ms;  /* time of the last frame decoded */
} video_stats;

/* Samples the video at path (video_probe first, then the frames as above).
 * info and stats may be NULL. */
int video_sample(const char *path, const video_params *p, video_frame_fn fn, void *ud, video_info *info,
                 video_stats *stats, err *e);

/* "MM:SS" or "H:MM:SS" for a time offset, into buf. */
void video_format_time(int64_t ms, char *buf, size_t size);

#endif
