/* video.c — video files: sniffing, probing and sampling (video.h). */
#include "media/video.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define THUMB_W 64
#define THUMB_H 36

static int starts(const unsigned char *h, size_t n, const char *s, size_t len)
{
    return n >= len && memcmp(h, s, len) == 0;
}

int video_sniff(const void *head, size_t n, const char **what)
{
    const unsigned char *h = head;
    const char *w = NULL;
    if (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0)
        w = memcmp(h + 8, "qt  ", 4) == 0 ? "QuickTime video" : "MP4 video";
    else if (n >= 8 && (memcmp(h + 4, "moov", 4) == 0 || memcmp(h + 4, "mdat", 4) == 0 ||
                        memcmp(h + 4, "wide", 4) == 0 || memcmp(h + 4, "free", 4) == 0))
        w = "QuickTime video";
    else if (starts(h, n, "\x1a\x45\xdf\xa3", 4))
        w = "Matroska/WebM video";
    else if (n >= 12 && starts(h, n, "RIFF", 4) && memcmp(h + 8, "AVI ", 4) == 0)
        w = "AVI video";
    else if (starts(h, n, "\x00\x00\x01\xba", 4))
        w = "MPEG program stream";
    else if (starts(h, n, "\x00\x00\x01\xb3", 4))
        w = "MPEG video stream";
    else if (n >= 189 && h[0] == 0x47 && h[188] == 0x47)
        w = "MPEG transport stream";
    else if (n >= 4 && h[0] == 0x1f && h[1] == 0x07 && h[2] == 0x00)
        w = "DV video";
    if (what)
        *what = w;
    return w != NULL;
}

void video_format_time(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        snprintf(buf, size, "%02d:%02d", (int)(s / 60), (int)(s % 60));
}

static void quiet_once(void)
{
    av_log_set_level(AV_LOG_QUIET); /* damage is reported as one reason, not as library chatter */
}

static int av_fail(err *e, int code, const char *what, int averr)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averr, msg, sizeof msg);
    return err_set(e, code, "%s: %s", what, msg);
}

/* ---- opening ------------------------------------------------------------- */

typedef struct vin {
    AVFormatContext *fc;
    AVCodecContext *dc;
    int si;    /* the video stream's index */
    int intra; /* every frame a keyframe: packets can be skipped unseen */
    AVRational tb;
    int64_t start; /* the stream's start time, in tb */
} vin;

static void vin_close(vin *v)
{
    avcodec_free_context(&v->dc);
    avformat_close_input(&v->fc);
}

static void name_container(const AVFormatContext *fc, video_info *out)
{
    const char *n = fc->iformat->name;
    const char *fmt = "video", *ext = "video";
    if (strncmp(n, "mov,", 4) == 0) {
        AVDictionaryEntry *b = av_dict_get(fc->metadata, "major_brand", NULL, 0);
        int qt = b && strncmp(b->value, "qt", 2) == 0;
        fmt = qt ? "mov" : "mp4", ext = qt ? "mov" : "mp4";
    } else if (strncmp(n, "matroska", 8) == 0) {
        fmt = "mkv", ext = "mkv";
    } else if (strcmp(n, "avi") == 0) {
        fmt = "avi", ext = "avi";
    } else if (strcmp(n, "mpeg") == 0 || strcmp(n, "mpegvideo") == 0) {
        fmt = "mpeg", ext = "mpg";
    } else if (strcmp(n, "mpegts") == 0) {
        fmt = "mpegts", ext = "ts";
    } else if (strcmp(n, "dv") == 0) {
        fmt = "dv", ext = "dv";
    }
    snprintf(out->container, sizeof out->container, "%s", fmt);
    snprintf(out->ext, sizeof out->ext, "%s", ext);
}

static void display_size(const AVCodecParameters *par, AVRational sar, int *w, int *h)
{
    *w = par->width, *h = par->height;
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) {
        double dw = (double)par->width * sar.num / sar.den;
        *w = dw < 1 << 30 ? (int)(dw + 0.5) & ~1 : 1 << 30;
        if (*w < 2)
            *w = 2;
    }
}

static int vin_open(const char *path, int64_t max_pixels, int threads, vin *v, video_info *out, err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, quiet_once);
    memset(v, 0, sizeof *v);
    memset(out, 0, sizeof *out);
    int r = avformat_open_input(&v->fc, path, NULL, NULL);
    if (r < 0)
        return av_fail(e, ERR_FORMAT, "not a readable video (damaged, truncated or an unknown container)", r);
    r = avformat_find_stream_info(v->fc, NULL);
    if (r < 0) {
        vin_close(v);
        return av_fail(e, ERR_FORMAT, "cannot read the video's streams", r);
    }
    const AVCodec *codec = NULL;
    r = av_find_best_stream(v->fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND) {
        vin_close(v);
        return err_set(e, ERR_FORMAT, "no video stream in it (audio only or data)");
    }
    if (r < 0 || !codec) {
        const AVCodecDescriptor *d = NULL;
        int s = av_find_best_stream(v->fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (s >= 0)
            d = avcodec_descriptor_get(v->fc->streams[s]->codecpar->codec_id);
        vin_close(v);
        return err_set(e, ERR_FORMAT, "unsupported video codec %s (no decoder for it here)", d ? d->name : "(unknown)");
    }
    v->si = r;
    AVStream *st = v->fc->streams[r];
    v->tb = st->time_base;
    v->start = st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time;
    const AVCodecDescriptor *desc = avcodec_descriptor_get(codec->id);
    v->intra = desc && (desc->props & AV_CODEC_PROP_INTRA_ONLY);
    AVCodecParameters *par = st->codecpar;
    if (par->width <= 0 || par->height <= 0) {
        vin_close(v);
        return err_set(e, ERR_FORMAT, "the video stream has no frame size (damaged header)");
    }
    if ((int64_t)par->width * par->height > max_pixels) {
        int w = par->width, h = par->height;
        vin_close(v);
        return err_set(e, ERR_LIMIT, "%dx%d pixels per frame exceeds --max-pixels %.0f MP; skipped", w, h,
                       (double)max_pixels / 1e6);
    }
    name_container(v->fc, out);
    snprintf(out->codec, sizeof out->codec, "%s", codec->name);
    display_size(par, av_guess_sample_aspect_ratio(v->fc, st, NULL), &out->width, &out->height);
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        out->duration_ms = av_rescale_q(st->duration, st->time_base, (AVRational){ 1, 1000 });
    else if (v->fc->duration != AV_NOPTS_VALUE && v->fc->duration > 0)
        out->duration_ms = v->fc->duration / (AV_TIME_BASE / 1000);
    else
        out->duration_ms = -1;
    AVRational fr = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    out->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
    if (st->nb_frames > 0 && out->fps > 0) { /* AVI: a truncated file still counts its frames in the header */
        double ms = (double)st->nb_frames * 1000 / out->fps;
        int64_t by_count = ms < 9e15 ? (int64_t)ms : (int64_t)9e15; /* a header's nonsense is no cast overflow */
        if (by_count > out->duration_ms)
            out->duration_ms = by_count;
    }
    AVDictionaryEntry *ct = av_dict_get(v->fc->metadata, "creation_time", NULL, 0);
    if (ct && strlen(ct->value) >= 10 && ct->value[4] == '-' && strncmp(ct->value, "1970", 4) != 0 &&
        strncmp(ct->value, "1904", 4) != 0)
        snprintf(out->created, sizeof out->created, "%.19s", ct->value);

    v->dc = avcodec_alloc_context3(codec);
    if (!v->dc) {
        vin_close(v);
        return err_set(e, ERR_NOMEM, "out of memory for the video decoder");
    }
    r = avcodec_parameters_to_context(v->dc, par);
    if (r >= 0) {
        v->dc->thread_count = threads > 0 ? threads : 1;
        v->dc->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        if (!v->intra)
            v->dc->skip_frame = AVDISCARD_NONREF; /* frames nothing else refers to are only decoded if looked at */
        r = avcodec_open2(v->dc, codec, NULL);
    }
    if (r < 0) {
        vin_close(v);
        return av_fail(e, ERR_FORMAT, "cannot open the video decoder", r);
    }
    return 0;
}

int video_probe(const char *path, int64_t max_pixels, video_info *out, err *e)
{
    vin v;
    int rc = vin_open(path, max_pixels, 1, &v, out, e);
    if (rc == 0)
        vin_close(&v);
    return rc;
}

/* ---- sampling -------------------------------------------------------------- */

typedef struct sampler {
    const video_params *p;
    video_frame_fn fn;
    void *ud;
    vin *v;
    video_stats *st;
    struct SwsContext *thumb_sws, *rgb_sws;
    uint8_t prev[THUMB_W * THUMB_H], cur[THUMB_W * THUMB_H], kept[THUMB_W * THUMB_H];
    uint8_t *rgb;
    size_t rgb_size;
    int looked_any;
    int64_t next_look_ms;
    int64_t base_ms;    /* the interval counts from here: last kept frame or skipped duplicate */
    int64_t pending_ms; /* a scene change seen, waiting for the picture to settle; -1 none */
    int pending_cut;    /* it began with a cut */
    int pending_fast;   /* it began with a fast change, not a drift */
    int64_t bad;        /* packets refused and frames marked corrupt */
    int scene;
    int frame_ms; /* duration of one frame, about */
} sampler;

static double thumb_diff(const uint8_t *a, const uint8_t *b)
{
    int64_t s = 0;
    for (int i = 0; i < THUMB_W * THUMB_H; i++)
        s += abs((int)a[i] - (int)b[i]);
    return (double)s / (THUMB_W * THUMB_H);
}

static int thumb(sampler *s, const AVFrame *f, uint8_t *out, err *e)
{
    s->thumb_sws = sws_getCachedContext(s->thumb_sws, f->width, f->height, f->format, THUMB_W, THUMB_H,
                                        AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
    if (!s->thumb_sws)
        return err_set(e, ERR_FORMAT, "cannot convert frames of pixel format %s",
                       av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "(unknown)");
    uint8_t *dst[4] = { out, NULL, NULL, NULL };
    int stride[4] = { THUMB_W, 0, 0, 0 };
    sws_scale(s->thumb_sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    return 0;
}

static int keep(sampler *s, const AVFrame *f, int64_t ms, const char *reason, err *e)
{
    AVRational sar = av_guess_sample_aspect_ratio(s->v->fc, s->v->fc->streams[s->v->si], (AVFrame *)f);
    int dw = f->width, dh = f->height;
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) {
        double w = (double)f->width * sar.num / sar.den;
        dw = w < 1 << 30 ? (int)(w + 0.5) : 1 << 30;
    }
    int edge = dw > dh ? dw : dh;
    if (edge > s->p->max_edge) {
        dw = (int)((double)dw * s->p->max_edge / edge + 0.5);
        dh = (int)((double)dh * s->p->max_edge / edge + 0.5);
    }
    dw = dw < 1 ? 1 : dw, dh = dh < 1 ? 1 : dh;
    size_t need = (size_t)dw * (size_t)dh * 3;
    if (need > s->rgb_size) {
        free(s->rgb);
        s->rgb = malloc(need);
        s->rgb_size = s->rgb ? need : 0;
        if (!s->rgb)
            return err_set(e, ERR_NOMEM, "out of memory for a %dx%d frame", dw, dh);
    }
    s->rgb_sws = sws_getCachedContext(s->rgb_sws, f->width, f->height, f->format, dw, dh, AV_PIX_FMT_RGB24,
                                      SWS_AREA | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!s->rgb_sws)
        return err_set(e, ERR_FORMAT, "cannot convert frames of pixel format %s",
                       av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "(unknown)");
    uint8_t *dst[4] = { s->rgb, NULL, NULL, NULL };
    int stride[4] = { dw * 3, 0, 0, 0 };
    sws_scale(s->rgb_sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    VipsImage *im = vips_image_new_from_memory(s->rgb, need, dw, dh, 3, VIPS_FORMAT_UCHAR);
    if (!im) {
        vips_error_clear();
        return err_set(e, ERR_NOMEM, "cannot wrap a %dx%d frame", dw, dh);
    }
    s->st->kept++;
    video_frame vf = { .index = (int)s->st->kept, .scene = s->scene, .time_ms = ms, .reason = reason, .image = im };
    int rc = s->fn(&vf, s->ud, e);
    g_object_unref(im);
    memcpy(s->kept, s->cur, sizeof s->kept);
    s->base_ms = ms;
    s->pending_ms = -1;
    return rc;
}

static int64_t frame_time_ms(const sampler *s, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE)
        return s->st->decoded * s->frame_ms;
    int64_t ms = av_rescale_q(ts - s->v->start, s->v->tb, (AVRational){ 1, 1000 });
    return ms < 0 ? 0 : ms;
}

/* One decoded frame: look at it when its time has come, keep it when it is worth it. */
static int on_frame(sampler *s, const AVFrame *f, err *e)
{
    s->st->decoded++;
    if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT))
        s->bad++;
    int64_t ms = frame_time_ms(s, f);
    if (ms > s->st->end_ms)
        s->st->end_ms = ms;
    if (s->looked_any && ms < s->next_look_ms)
        return 0;
    s->next_look_ms = ms + VIDEO_STEP_MS - s->frame_ms / 2;
    int rc = thumb(s, f, s->cur, e);
    if (rc)
        return rc;
    s->st->looked++;
    if (!s->looked_any) {
        s->looked_any = 1;
        s->scene = 1;
        rc = keep(s, f, ms, "start", e);
    } else {
        double dk = thumb_diff(s->cur, s->kept), dp = thumb_diff(s->cur, s->prev);
        if (s->pending_ms < 0 && dk > VIDEO_SCENE_DIFF) {
            s->pending_ms = ms;
            s->pending_cut = dp > VIDEO_SCENE_DIFF;     /* all of it in one step: a cut */
            s->pending_fast = dp >= VIDEO_SETTLED_DIFF; /* a cut or a fade under way */
        } else if (s->pending_ms >= 0 && dk <= VIDEO_SCENE_DIFF / 2) {
            s->pending_ms = -1; /* a flash, or the picture came back */
        }
        int due = s->p->interval_ms > 0 && ms - s->base_ms >= s->p->interval_ms;
        if (s->pending_ms >= 0 && dp < VIDEO_SETTLED_DIFF) {
            /* a cut or a fade reached its end; a slow drift is motion in the same scene */
            s->scene += s->pending_fast;
            rc = keep(s, f, ms, s->pending_fast ? "scene" : "motion", e);
        } else if (s->pending_ms >= 0 && ms - s->pending_ms >= VIDEO_SETTLE_WAIT_MS) {
            /* never settled: a cut into a moving shot is a new scene, a pan or zoom is not */
            s->scene += s->pending_cut;
            rc = keep(s, f, ms, s->pending_cut ? "scene" : "motion", e);
        } else if (s->pending_ms < 0 && due && dk < VIDEO_DUP_DIFF) {
            s->st->dups++;
            s->base_ms = ms;
        } else if (s->pending_ms < 0 && due && dp < VIDEO_SETTLED_DIFF) {
            rc = keep(s, f, ms, "interval", e); /* not while the picture changes fast: maybe a fade begins */
        }
    }
    memcpy(s->prev, s->cur, sizeof s->prev);
    return rc;
}

/* Hands the decoder a packet (NULL: flush) and takes every frame it has. */
static int feed(sampler *s, AVCodecContext *dc, const AVPacket *pkt, AVFrame *fr, err *e)
{
    int r = avcodec_send_packet(dc, pkt);
    if (r == AVERROR_INVALIDDATA) {
        s->bad++;
    } else if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_EOF) {
        return av_fail(e, ERR_FORMAT, "damaged video data", r);
    }
    for (;;) {
        r = avcodec_receive_frame(dc, fr);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r == AVERROR_INVALIDDATA) {
            s->bad++;
            continue;
        }
        if (r < 0)
            return av_fail(e, ERR_FORMAT, "damaged video data", r);
        int rc = on_frame(s, fr, e);
        av_frame_unref(fr);
        if (rc)
            return rc;
    }
}

int video_sample(const char *path, const video_params *p, video_frame_fn fn, void *ud, video_info *info,
                 video_stats *stats, err *e)
{
    video_info vi_local;
    video_stats st_local;
    video_info *vi = info ? info : &vi_local;
    video_stats *st = stats ? stats : &st_local;
    memset(st, 0, sizeof *st);
    vin v;
    int rc = vin_open(path, p->max_pixels, p->threads, &v, vi, e);
    if (rc)
        return rc;
    sampler *s = calloc(1, sizeof *s);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    if (!s || !pkt || !fr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    *s = (sampler){ .p = p, .fn = fn, .ud = ud, .v = &v, .st = st, .pending_ms = -1 };
    s->frame_ms = vi->fps > 0.01 ? (int)(1000 / vi->fps) : 40; /* a rate the header made up: 25 fps */
    int r;
    while (rc == 0 && (r = av_read_frame(v.fc, pkt)) >= 0) {
        if (pkt->stream_index != v.si) {
            av_packet_unref(pkt);
            continue;
        }
        st->packets++;
        if (v.intra && s->looked_any && pkt->pts != AV_NOPTS_VALUE) {
            /* every packet a whole picture: those before the next look need no decoding */
            int64_t ms = av_rescale_q(pkt->pts - v.start, v.tb, (AVRational){ 1, 1000 });
            if (ms < s->next_look_ms) {
                if (ms > st->end_ms)
                    st->end_ms = ms;
                av_packet_unref(pkt);
                continue;
            }
        }
        rc = feed(s, v.dc, pkt, fr, e);
        av_packet_unref(pkt);
    }
    if (rc == 0 && r != AVERROR_EOF) {
        char t[16];
        video_format_time(st->end_ms, t, sizeof t);
        char what[64];
        snprintf(what, sizeof what, "cannot read the video after %s", t);
        rc = av_fail(e, ERR_FORMAT, what, r);
    }
    if (rc == 0)
        rc = feed(s, v.dc, NULL, fr, e);
    st->scenes = s->scene;
    if (rc)
        goto out;
    if (st->decoded == 0) {
        rc = err_set(e, ERR_FORMAT, "damaged video: not one frame could be decoded");
    } else if (s->bad > 0 && s->bad * 50 > st->packets) {
        rc = err_set(e, ERR_FORMAT, "damaged video: %lld of %lld video packets could not be decoded cleanly",
                     (long long)s->bad, (long long)st->packets);
    } else if (vi->duration_ms > 0) {
        int64_t missing = vi->duration_ms - (st->end_ms + s->frame_ms);
        int64_t slack = vi->duration_ms / 20 > 1000 ? vi->duration_ms / 20 : 1000;
        if (missing > slack) {
            char a[16], b[16];
            video_format_time(st->end_ms, a, sizeof a);
            video_format_time(vi->duration_ms, b, sizeof b);
            rc = err_set(e, ERR_FORMAT, "truncated video: its frames end at %s of the %s it should last", a, b);
        }
    }
out:
    if (s) {
        sws_freeContext(s->thumb_sws);
        sws_freeContext(s->rgb_sws);
        free(s->rgb);
        free(s);
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    vin_close(&v);
    return rc;
}
