/* fuzz_video.c — fuzz target of the video reader (media/video.h): any bytes
 * as a video file at ingest, the sniffing of its first bytes, the probe of its
 * headers and the sampling of its frames through libavformat/libavcodec.
 * What must hold whatever the bytes: the call returns, with 0 or a reason of
 * the kinds video.h names (ERR_FORMAT, ERR_LIMIT); a probed video has a frame
 * size within the limit and a container name; kept frames come numbered
 * 1, 2, ... with scenes that start at 1 and step by at most one, a reason of
 * the four, and an sRGB image of 3 bands no larger than max_edge; and the
 * counts agree (kept <= looked <= decoded). The bytes go to a memfd, read by
 * path (/proc/self/fd/N) as ingest reads a file.
 *
 * Built as a libFuzzer binary with clang (-DFACETAG_FUZZ=ON: fuzz_video
 * CORPUS_DIR; `make fuzz`), and always linked into replay_video, which `make
 * test` runs over the seed corpus (tiny MP4/H.264, MOV, MKV/MPEG-4 and
 * H.264 with a sample aspect ratio, AVI/MJPEG, MPEG-PS and -TS/MPEG-2, made
 * with ffmpeg: tests/fuzz/corpus/video/README) and mutations of it. An input
 * costs about a millisecond (the headers are opened twice), so the replay
 * takes 3000 mutations, not the usual 20000 (replay-mutations: 3000). */
#include "media/decode.h"
#include "media/video.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vips/vips.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_PIXELS (1 << 20)
#define FUZZ_MAX_EDGE 48

typedef struct seen {
    int frames, scene;
    int64_t last_ms;
} seen;

static int on_frame(const video_frame *f, void *ud, err *e)
{
    (void)e;
    seen *s = ud;
    if (f->index != s->frames + 1 || f->scene < 1 || f->scene < s->scene || f->scene > s->scene + 1 || f->time_ms < 0)
        abort();
    if (strcmp(f->reason, "start") && strcmp(f->reason, "scene") && strcmp(f->reason, "motion") &&
        strcmp(f->reason, "interval"))
        abort();
    if ((f->index == 1) != (strcmp(f->reason, "start") == 0))
        abort();
    VipsImage *im = f->image;
    if (!im || vips_image_get_bands(im) != 3 || vips_image_get_format(im) != VIPS_FORMAT_UCHAR)
        abort();
    int w = vips_image_get_width(im), h = vips_image_get_height(im);
    if (w < 1 || h < 1 || w > FUZZ_MAX_EDGE || h > FUZZ_MAX_EDGE)
        abort();
    /* the pixels are there to be read */
    double mean;
    if (vips_avg(im, &mean, NULL) != 0 || !(mean >= 0 && mean <= 255))
        abort();
    s->frames = f->index;
    s->scene = f->scene;
    s->last_ms = f->time_ms;
    return 0;
}

static void check_info(const video_info *vi)
{
    if (vi->width < 1 || vi->height < 1 || !vi->container[0] || !vi->ext[0] || !vi->codec[0])
        abort();
    if (vi->duration_ms < -1 || !(vi->fps >= 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        err e0 = { 0 };
        if (decode_init(&e0) != 0)
            abort();
        started = 1;
    }
    const char *what = NULL;
    if (video_sniff(data, size, &what) != (what != NULL))
        abort();

    int fd = memfd_create("fuzz_video", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    video_info vi;
    err e = { 0 };
    int rc = video_probe(path, FUZZ_MAX_PIXELS, &vi, &e);
    if (rc == 0)
        check_info(&vi);
    else if (rc != ERR_FORMAT && rc != ERR_LIMIT)
        abort();
    if (rc == 0) {
        video_params p = {
            .interval_ms = 1000, .max_edge = FUZZ_MAX_EDGE, .max_pixels = FUZZ_MAX_PIXELS, .threads = 1
        };
        video_stats st;
        seen s = { 0 };
        err e2 = { 0 };
        rc = video_sample(path, &p, on_frame, &s, &vi, &st, &e2);
        if (rc != 0 && rc != ERR_FORMAT && rc != ERR_LIMIT)
            abort();
        if (rc != 0 && !e2.msg[0])
            abort();
        if (st.kept != s.frames || st.kept > st.looked || st.looked > st.decoded)
            abort();
        if (rc == 0 && (st.kept < 1 || st.scenes != s.scene))
            abort();
    }
    close(fd);
    return 0;
}
