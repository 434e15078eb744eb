/* bench/detect.c — how fast the two face detectors run: per image, the ms to
 * decode, to prepare the network input, SSD (512) and tiny (416) inference, the
 * effective GFLOP/s of their convolutions, faces found, faces and ms of
 * ssd_detect_tiled (one run), and the process's peak RSS; then SSD throughput of
 * one runner on a pool against independent single-thread runners.
 *
 *   bench_detect [-j THREADS] [--models DIR] [--runs N] [IMG ...]
 *
 * Without images: the six face-api demo photos (models/face-api/demo) and every
 * photo under $FACETAG_SHARED/data/group-photos. Times are the median of N runs
 * (default 5) after one warm-up; decode is the full-resolution libvips decode. */
#include "media/image.h"
#include "nn/nn.h"
#include "vision/prep.h"
#include "vision/ssd.h"
#include "vision/tinydet.h"

#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, dcmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void add_glob(glob_t *g, const char *pattern, int *first)
{
    glob(pattern, *first ? 0 : GLOB_APPEND, NULL, g);
    *first = 0;
}

/* Throughput of `threads` independent single-threaded SSD runners on one shared
 * model, each running `n` inferences — the alternative to one runner on a pool. */
typedef struct worker {
    ssd_model *m;
    const float *input;
    int n;
    err e;
    int rc;
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    float *boxes = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    ssd_runner *r = boxes ? ssd_runner_new(w->m, NULL, NET_FP32, &w->e) : NULL;
    w->rc = r ? 0 : -1;
    for (int i = 0; r && i < w->n && w->rc == 0; i++)
        w->rc = ssd_infer(r, w->input, boxes, boxes + SSD_NUM_ANCHORS * 4, &w->e);
    ssd_runner_free(r);
    free(boxes);
    return NULL;
}

static void throughput(ssd_model *m, ssd_runner *pooled, const float *input, int threads, int n)
{
    float *boxes = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    err e = { 0 };
    double t0 = now_ms();
    for (int i = 0; i < n * threads; i++)
        ssd_infer(pooled, input, boxes, boxes + SSD_NUM_ANCHORS * 4, &e);
    double t1 = now_ms();
    free(boxes);
    worker w[64];
    pthread_t th[64];
    int k = threads < 64 ? threads : 64;
    for (int i = 0; i < k; i++) {
        w[i] = (worker){ m, input, n, { 0 }, 0 };
        pthread_create(&th[i], NULL, worker_run, &w[i]);
    }
    for (int i = 0; i < k; i++)
        pthread_join(th[i], NULL);
    double t2 = now_ms();
    double gf = ssd_flops(m) / 1e9;
    printf("SSD throughput, %d inferences: one runner on a %d-thread pool %.1f ms each (%.1f GFLOP/s); "
           "%d single-thread runners in parallel %.1f ms each (%.1f GFLOP/s, runner set-up included)\n",
           n * k, threads, (t1 - t0) / (n * k), gf * n * k / ((t1 - t0) / 1e3), k, (t2 - t1) / (n * k),
           gf * n * k / ((t2 - t1) / 1e3));
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    int threads = 2, runs = 5, argi = 1;
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        if (strcmp(argv[argi], "-j") == 0 && argi + 1 < argc)
            threads = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--models") == 0 && argi + 1 < argc)
            models = argv[++argi];
        else if (strcmp(argv[argi], "--runs") == 0 && argi + 1 < argc)
            runs = atoi(argv[++argi]);
        else {
            fprintf(stderr, "usage: bench_detect [-j THREADS] [--models DIR] [--runs N] [IMG ...]\n");
            return 2;
        }
    }
    if (threads < 1 || runs < 1 || runs > 100) {
        fprintf(stderr, "bench_detect: -j must be >= 1 and --runs in 1..100\n");
        return 2;
    }
    glob_t gl = { 0 };
    int first = 1;
    char pat[4096];
    if (argi == argc) {
        snprintf(pat, sizeof pat, "%s/../demo/*.jpg", models);
        add_glob(&gl, pat, &first);
        const char *shared = getenv("FACETAG_SHARED") ? getenv("FACETAG_SHARED") : "/work/shared";
        const char *ext[] = { "jpg", "jpeg", "png", "JPG" };
        for (int i = 0; i < 4; i++) {
            snprintf(pat, sizeof pat, "%s/data/group-photos/*/*.%s", shared, ext[i]);
            add_glob(&gl, pat, &first);
        }
    } else {
        for (int i = argi; i < argc; i++)
            add_glob(&gl, argv[i], &first);
    }
    if (gl.gl_pathc == 0) {
        fprintf(stderr, "bench_detect: no images (pass some, or run `make models`)\n");
        return 2;
    }

    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_detect: %s\n", e.msg);
        return 1;
    }
    nn_threads *pool = nn_threads_create(threads, &e);
    ssd_model *sm = pool ? ssd_load(models, &e) : NULL;
    tinydet_model *tm = sm ? tinydet_load(models, &e) : NULL;
    ssd_runner *sr = tm ? ssd_runner_new(sm, pool, NET_FP32, &e) : NULL;
    tinydet_runner *tr = sr ? tinydet_runner_new(tm, TINYDET_DEFAULT_SIZE, pool, &e) : NULL;
    if (!tr) {
        fprintf(stderr, "bench_detect: %s\n", e.msg);
        return 1;
    }
    double ssd_gflop = ssd_flops(sm) / 1e9, tiny_gflop = tinydet_runner_flops(tr) / 1e9;
    printf("bench_detect: %d thread(s), %d run(s) per image (median), SSD %.2f GFLOP per inference, "
           "tiny(416) %.2f GFLOP\n",
           threads, runs, ssd_gflop, tiny_gflop);
    printf("%-36s %11s %4s %4s %8s %8s %8s %8s %9s %9s %8s %8s %5s %8s\n", "image", "size", "ssd", "tiny", "decode",
           "prep512", "ssd_net", "ssd_all", "ssd_GF/s", "tiny_net", "tiny_all", "tinyGF/s", "tiled", "tiled_ms");

    float *in512 = malloc(sizeof(float) * SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3);
    float *in416 = malloc(sizeof(float) * TINYDET_DEFAULT_SIZE * TINYDET_DEFAULT_SIZE * 3);
    float *boxes = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    float *grid = malloc(sizeof(float) * 13 * 13 * 25);
    double *t = malloc(sizeof(double) * (size_t)runs * 6);
    double sum_ssd_net = 0, sum_tiny_net = 0, sum_ssd_all = 0, sum_tiny_all = 0, sum_decode = 0, sum_tiled = 0;
    int nimg = 0, failed = 0;
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *path = gl.gl_pathv[i];
        image img = { 0 };
        double *td = t, *tp = t + runs, *tsn = t + 2 * runs, *tsa = t + 3 * runs, *ttn = t + 4 * runs,
               *tta = t + 5 * runs;
        size_t nssd = 0, ntiny = 0;
        int ok = 1;
        for (int r = -1; r < runs && ok; r++) {
            double t0 = now_ms();
            image_free(&img);
            if (image_load_rgb(path, 1, 0, &img, &e) != 0) {
                ok = 0;
                break;
            }
            double t1 = now_ms();
            ok &= prep_square_image(&img, PREP_PAD_END, SSD_INPUT_SIZE, in512, &e) == 0;
            double t2 = now_ms();
            ok &= ssd_infer(sr, in512, boxes, boxes + SSD_NUM_ANCHORS * 4, &e) == 0;
            double t3 = now_ms();
            det_list ds = { 0 }, dt = { 0 };
            ok &= ssd_detect(sr, &img, NULL, &ds, &e) == 0;
            double t4 = now_ms();
            ok &= prep_square_image(&img, PREP_PAD_END, TINYDET_DEFAULT_SIZE, in416, &e) == 0;
            double t5 = now_ms();
            ok &= tinydet_infer(tr, in416, grid, &e) == 0;
            double t6 = now_ms();
            ok &= tinydet_detect(tr, &img, NULL, &dt, &e) == 0;
            double t7 = now_ms();
            nssd = ds.n, ntiny = dt.n;
            det_list_free(&ds);
            det_list_free(&dt);
            if (r >= 0) {
                td[r] = t1 - t0, tp[r] = t2 - t1, tsn[r] = t3 - t2, tsa[r] = t4 - t3;
                ttn[r] = t6 - t5, tta[r] = t7 - t6;
            }
            (void)t5;
        }
        if (!ok) {
            fprintf(stderr, "%s: %s\n", path, e.msg);
            failed++;
            image_free(&img);
            continue;
        }
        double d = median(td, runs), p = median(tp, runs), sn = median(tsn, runs), sa = median(tsa, runs),
               tn = median(ttn, runs), ta = median(tta, runs);
        /* ssd_detect_tiled (whole image + 640 px tiles), one run. */
        det_list dl = { 0 };
        double t8 = now_ms();
        if (ssd_detect_tiled(sr, &img, NULL, NULL, &dl, &e) != 0)
            fprintf(stderr, "%s: tiled: %s\n", path, e.msg);
        double tl = now_ms() - t8;
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        char size[32];
        snprintf(size, sizeof size, "%dx%d", img.width, img.height);
        printf("%-36.36s %11s %4zu %4zu %8.1f %8.1f %8.1f %8.1f %9.1f %9.1f %8.1f %8.1f %5zu %8.1f\n", base, size, nssd,
               ntiny, d, p, sn, sa, ssd_gflop / (sn / 1e3), tn, ta, tiny_gflop / (tn / 1e3), dl.n, tl);
        det_list_free(&dl);
        sum_decode += d, sum_ssd_net += sn, sum_ssd_all += sa, sum_tiny_net += tn, sum_tiny_all += ta, sum_tiled += tl;
        nimg++;
        image_free(&img);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (nimg > 0)
        printf("mean over %d images: decode %.1f ms, SSD %.1f ms/image (net %.1f ms, %.1f GFLOP/s), "
               "tiny %.1f ms/image (net %.1f ms, %.1f GFLOP/s), SSD tiled %.1f ms/image; peak RSS %.1f MB\n",
               nimg, sum_decode / nimg, sum_ssd_all / nimg, sum_ssd_net / nimg, ssd_gflop * nimg / (sum_ssd_net / 1e3),
               sum_tiny_all / nimg, sum_tiny_net / nimg, tiny_gflop * nimg / (sum_tiny_net / 1e3), sum_tiled / nimg,
               ru.ru_maxrss / 1024.0);
    if (nimg > 0 && threads > 1)
        throughput(sm, sr, in512, threads, 10);
    free(in512);
    free(in416);
    free(boxes);
    free(grid);
    free(t);
    globfree(&gl);
    tinydet_runner_free(tr);
    ssd_runner_free(sr);
    tinydet_free(tm);
    ssd_free(sm);
    nn_threads_free(pool);
    return failed ? 1 : 0;
}
