/* cmd_detect.c — `facetag detect [--detector ssd|tiny] [--min-score F]
 * [--compat faceapi] IMG...`: the vision pipeline on image files, one JSON line
 * per image on stdout; touches no data folder. */
#include "cli/cli.h"
#include "core/batch.h"
#include "media/decode.h"
#include "media/image.h"
#include "media/jpeg_compat.h"
#include "vision/facejson.h"
#include "vision/pipeline.h"

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Outside --compat, images are decoded as ingest decodes them (shrink-on-load
 * to this longest edge, orientation applied, the processed JPEG), so `detect`
 * sees what `analyze` sees; at 4096 px a face of 20 px in a 6000 px scan keeps
 * ~14 px, within reach of the 640 px tiles. */
#define DETECT_MAX_EDGE 4096
/* ingest's default --max-pixels */
#define DETECT_MAX_PIXELS 400000000

static const char usage[] =
    "Usage: facetag detect [--detector ssd|tiny] [--min-score F] [--compat faceapi] IMG...\n"
    "Runs face detection, 68 landmarks, the 128-d descriptor, age/gender and expressions on\n"
    "each image and prints one JSON line per image:\n"
    "  {\"file\":..,\"width\":W,\"height\":H,\"faces\":[{\"box\":[x,y,w,h],\"score\":s,\"landmarks\":{..},\n"
    "   \"points68\":[[x,y],..],\"embedding\":[..128],\"confidence\":s,\"age\":a,\"gender\":..,\n"
    "   \"gender_probability\":p,\"expressions\":{..}}]}\n"
    "Coordinates are pixels of the image as stored, after its EXIF orientation. Touches no\n"
    "data folder. An image that cannot be read gets a line on stderr; the others go on.\n"
    "With -j N (default: all cores) N images are analysed at a time, a runner each; the\n"
    "lines keep the order of the arguments.\n"
    "Options:\n"
    "  --detector ssd|tiny  face detector (default ssd)\n"
    "  --min-score F        keep faces scoring above F, 0 < F < 1 (default 0.5)\n"
    "  --compat faceapi     exactly face-api 1.7.15: jpeg-js's JPEG pixels at full size,\n"
    "                       its resize, crops and thresholds (EXIF orientation applied\n"
    "                       to the results); without it: antialiased input, tiles for\n"
    "                       small faces, a padded pass for faces that fill the frame,\n"
    "                       the rotation search and aligned descriptor chips, on the\n"
    "                       image shrunk on load to 4096 px\n"
    "Exit status: 0 all images read, 1 some could not be read, 2 usage or model error.";

/* How the pipeline's pixels map to the reported ones: scale (shrink-on-load),
 * then the EXIF orientation when it was not applied on load. */
typedef struct detect_frame {
    double sx, sy;     /* reported pixels per pipeline pixel */
    int orientation;   /* 1..8 still to apply (compat mode), else 1 */
    int width, height; /* of the image as the pipeline saw it */
} detect_frame;

/* Reads the image for the pipeline. Compat: jpeg-js's pixels at full resolution,
 * not rotated (as the reference sees them), the EXIF orientation applied to the
 * results afterwards. Otherwise: rotated and shrunk on load. *out_w/h get the
 * size to report (the oriented original). */
static int load(const char *path, bool compat, image *img, detect_frame *fr, int *out_w, int *out_h, err *e)
{
    unsigned char head[DECODE_SNIFF_BYTES];
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot open: %m", path);
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    const char *what = NULL;
    decode_format fmt = decode_sniff(head, n, &what);
    if (fmt == DECODE_NONE)
        return err_set(e, ERR_FORMAT, "%s: not an image (%s)", path, what ? what : "unknown content");
    decode_limits lim = { DETECT_MAX_EDGE, DETECT_MAX_PIXELS };
    if (compat) {
        decode_info info;
        if (decode_probe(path, fmt, &lim, &info, e) != 0)
            return err_prefix(e, "%s", path);
        int rc = jpeg_compat_load(path, img, e);
        if (rc)
            return rc;
        bool swap = info.orientation >= 5 && info.orientation <= 8;
        *out_w = swap ? info.height : info.width;
        *out_h = swap ? info.width : info.height;
        *fr = (detect_frame){ 1, 1, info.orientation, img->width, img->height };
        return 0;
    }
    /* Ingest's decode (damage is an error, orientation applied, shrunk on load)
     * then its processed JPEG: exactly the image analyze will see. */
    decode_output d;
    if (decode_page(path, fmt, 0, &lim, &d, e) != 0)
        return err_prefix(e, "%s", path);
    int rc = image_load_rgb_buffer(d.jpeg, d.jpeg_len, 0, 0, img, e);
    *out_w = d.orig_width;
    *out_h = d.orig_height;
    decode_output_free(&d);
    if (rc)
        return err_prefix(e, "%s", path);
    *fr = (detect_frame){ (double)*out_w / img->width, (double)*out_h / img->height, 1, img->width, img->height };
    return 0;
}

/* EXIF orientation o of a stored w x h image: where stored point p is shown. */
static pointd orient_point(pointd p, int o, int w, int h)
{
    switch (o) {
    case 2:
        return (pointd){ w - p.x, p.y };
    case 3:
        return (pointd){ w - p.x, h - p.y };
    case 4:
        return (pointd){ p.x, h - p.y };
    case 5:
        return (pointd){ p.y, p.x };
    case 6:
        return (pointd){ h - p.y, p.x };
    case 7:
        return (pointd){ h - p.y, w - p.x };
    case 8:
        return (pointd){ p.y, w - p.x };
    default:
        return p;
    }
}

static pointd frame_point(pointd p, const detect_frame *fr)
{
    p = orient_point(p, fr->orientation, fr->width, fr->height);
    return (pointd){ p.x * fr->sx, p.y * fr->sy };
}

static void map_face(pipeline_face *f, const detect_frame *fr)
{
    pointd a = frame_point((pointd){ f->box.x, f->box.y }, fr);
    pointd b = frame_point((pointd){ f->box.x + f->box.w, f->box.y + f->box.h }, fr);
    f->box = (rectd){ fmin(a.x, b.x), fmin(a.y, b.y), fabs(b.x - a.x), fabs(b.y - a.y) };
    for (int i = 0; i < CROPS_NPOINTS; i++)
        f->points68[i] = frame_point(f->points68[i], fr);
    for (int i = 0; i < 5; i++)
        f->five[i] = frame_point(f->five[i], fr);
}

/* ---- the batch: one runner per worker, lines in argument order --------- */

typedef struct detect_slot {
    char *line;   /* the JSON line, or NULL */
    char *reason; /* why the image failed, or NULL */
    bool ready;
} detect_slot;

typedef struct detect_job {
    pipeline_models *m;
    const pipeline_options *opt;
    char **files;
    detect_slot *slots;
    size_t n;
    size_t next;            /* the next slot to print (calling thread only) */
    int failed;             /* calling thread only */
    pthread_mutex_t mu;     /* guards spare */
    pipeline_runner *spare; /* made before the batch; the first worker takes it */
} detect_job;

static void *detect_worker_init(void *ud, err *e)
{
    detect_job *j = ud;
    pthread_mutex_lock(&j->mu);
    pipeline_runner *r = j->spare;
    j->spare = NULL;
    pthread_mutex_unlock(&j->mu);
    return r ? r : pipeline_runner_new(j->m, NULL, e);
}

static void detect_worker_fini(void *ud, void *state)
{
    (void)ud;
    pipeline_runner_free(state);
}

static int detect_work(void *ud, void *state, size_t i, err *e)
{
    detect_job *j = ud;
    const char *path = j->files[i];
    image img = { 0 };
    int ow = 0, oh = 0;
    detect_frame fr;
    pipeline_result res = { 0 };
    int rc = load(path, j->opt->compat, &img, &fr, &ow, &oh, e);
    if (rc == 0)
        rc = pipeline_run(state, &img, j->opt, &res, e);
    image_free(&img);
    if (rc != 0)
        return -1;
    for (size_t k = 0; k < res.n; k++)
        map_face(&res.faces[k], &fr);
    j->slots[i].line = facejson_detect_line(path, ow, oh, &res);
    pipeline_result_free(&res);
    if (!j->slots[i].line) {
        err_set(e, ERR_NOMEM, "%s: out of memory writing the result", path);
        return -1;
    }
    return 0;
}

static void detect_done(void *ud, size_t i, int rc, const char *reason, progress *pr)
{
    detect_job *j = ud;
    (void)pr;
    j->slots[i].ready = true;
    if (rc < 0)
        j->slots[i].reason = strdup(reason ? reason : "failed");
    for (; j->next < j->n && j->slots[j->next].ready; j->next++) {
        detect_slot *s = &j->slots[j->next];
        if (s->line) {
            fputs(s->line, stdout);
            fputc('\n', stdout);
            fflush(stdout);
        } else {
            fprintf(stderr, "facetag detect: %s\n", s->reason ? s->reason : "out of memory");
            fflush(stderr);
            j->failed++;
        }
        free(s->line);
        free(s->reason);
        s->line = s->reason = NULL;
    }
}

static int run_detect(const cli_globals *g, int argc, char **argv)
{
    pipeline_options o = pipeline_default_options();
    static const struct option longopts[] = {
        { "detector", required_argument, NULL, 'd' },
        { "min-score", required_argument, NULL, 's' },
        { "compat", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (strcmp(optarg, "ssd") == 0)
                o.detector = PIPELINE_SSD;
            else if (strcmp(optarg, "tiny") == 0)
                o.detector = PIPELINE_TINY;
            else
                return cli_usage_error(&cmd_detect, "--detector is ssd or tiny, not '%s'", optarg);
            break;
        case 's': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v < 1))
                return cli_usage_error(&cmd_detect, "--min-score takes a number between 0 and 1, not '%s'", optarg);
            o.min_score = v;
            break;
        }
        case 'c':
            if (strcmp(optarg, "faceapi") != 0)
                return cli_usage_error(&cmd_detect, "--compat knows only 'faceapi', not '%s'", optarg);
            o.compat = true;
            break;
        case ':':
            return cli_usage_error(&cmd_detect, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(&cmd_detect,
                                   "unknown option '%s' (a file name starting with '-'? put '--' before it)",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_detect, "no IMG to detect faces in");

    err e = { 0 };
    if (decode_init(&e) != 0) {
        fprintf(stderr, "facetag detect: %s\n", e.msg);
        return EXIT_USAGE;
    }
    pipeline_models *m = pipeline_models_load(g->models_dir, &o, &e);
    if (!m) {
        fprintf(stderr, "facetag detect: %s\n", e.msg);
        return EXIT_USAGE;
    }
    /* Workers of single-thread runners, one per -j (a thread pool collapses
     * when the cores are busy: bench_detect), images handed out in order;
     * lines are printed in argument order as they become ready. A first
     * runner is made here so that a model error is a usage error, not a
     * failure of every image. */
    detect_job job = { .m = m, .opt = &o, .files = argv + optind };
    const size_t n = (size_t)(argc - optind);
    job.n = n;
    job.slots = calloc(n, sizeof *job.slots);
    job.spare = pipeline_runner_new(m, NULL, &e);
    if (!job.slots || !job.spare) {
        fprintf(stderr, "facetag detect: %s\n", job.slots ? e.msg : "out of memory");
        pipeline_runner_free(job.spare);
        free(job.slots);
        pipeline_models_free(m);
        return EXIT_USAGE;
    }
    pthread_mutex_init(&job.mu, NULL);
    const batch_ops ops = { detect_worker_init, detect_worker_fini, detect_work, detect_done };
    const batch_options bo = { .threads = g->threads > 0 ? g->threads : 1 };
    if (batch_run(&ops, &job, n, &bo, &e) != 0) {
        fprintf(stderr, "facetag detect: %s\n", e.msg);
        job.failed = (int)n;
    }
    pthread_mutex_destroy(&job.mu);
    pipeline_runner_free(job.spare);
    free(job.slots);
    pipeline_models_free(m);
    return job.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

const cli_command cmd_detect = {
    .name = "detect",
    .summary = "faces, landmarks, descriptors and attributes of image files, as JSON lines",
    .usage = usage,
    .run = run_detect,
};
