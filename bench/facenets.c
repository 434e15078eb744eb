/* bench/facenets.c — how fast the per-face networks run: landmarks (full, tiny),
 * recognition (axis-aligned crop and aligned chip), age/gender, expression, each
 * in fp32 and (where bf16net_available()) bf16. For each, min and median ms per
 * face and effective GFLOP/s, on 1 thread and on a 2-thread pool (bf16 nets
 * always run on their calling thread: their 2T columns are one thread too), and
 * ms per face with two workers running it side by side (what `analyze` does);
 * then the throughput of all per-face networks (landmarks + descriptor +
 * age/gender + expression) with one 2-thread runtime set versus two workers
 * with a 1-thread runtime set each, with the bf16 recognizer, and with every
 * net bf16.
 *
 *   bench_facenets [--models DIR] [--runs N]
 *
 * The input is a 200x210 crop of a synthetic image: the cost of these nets does
 * not depend on the pixels (fixed input size), only the crop preparation does,
 * and that is included. */
#include "media/image.h"
#include "nn/bf16net.h"
#include "vision/agegender.h"
#include "vision/expression.h"
#include "vision/landmarks.h"
#include "vision/recognizer.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

typedef struct nets {
    landmarks_net *lm, *lmt;
    recognizer_net *rec;
    agegender_net *ag;
    expression_net *ex;
} nets;

/* One thread's runtimes for every net. */
typedef struct runners {
    landmarks_runner *lm, *lmt, *lm16; /* *16: bf16, NULL where bf16 is unavailable */
    recognizer_runner *rec, *rec16;
    agegender_runner *ag, *ag16;
    expression_runner *ex, *ex16;
} runners;

enum { N_LM, N_LM16, N_LMT, N_REC, N_REC_AL, N_REC_AL16, N_AG, N_AG16, N_EX, N_EX16, N_NETS };
static const char *const net_names[N_NETS] = { "landmarks68",    "landmarks68_bf16",   "landmarks68_tiny",
                                               "recognizer",     "recognizer_aligned", "recognizer_aligned_bf16",
                                               "age_gender",     "age_gender_bf16",    "expression",
                                               "expression_bf16" };

static bool net_bf16(int k)
{
    return k == N_LM16 || k == N_REC_AL16 || k == N_AG16 || k == N_EX16;
}

static const crop_rect CROP = { 20, 30, 200, 210 };

static int runners_new(nets *n, nn_threads *pool, runners *r, err *e)
{
    memset(r, 0, sizeof *r);
    if (landmarks_runner_new(n->lm, pool, NET_FP32, &r->lm, e) ||
        landmarks_runner_new(n->lmt, pool, NET_FP32, &r->lmt, e) ||
        recognizer_runner_new(n->rec, pool, NET_FP32, &r->rec, e) ||
        agegender_runner_new(n->ag, pool, NET_FP32, &r->ag, e) ||
        expression_runner_new(n->ex, pool, NET_FP32, &r->ex, e))
        return e->code;
    if (bf16net_available() && (recognizer_runner_new(n->rec, pool, NET_BF16, &r->rec16, e) ||
                                landmarks_runner_new(n->lm, pool, NET_BF16, &r->lm16, e) ||
                                agegender_runner_new(n->ag, pool, NET_BF16, &r->ag16, e) ||
                                expression_runner_new(n->ex, pool, NET_BF16, &r->ex16, e)))
        return e->code;
    return 0;
}

static void runners_free(runners *r)
{
    landmarks_runner_free(r->lm);
    landmarks_runner_free(r->lmt);
    recognizer_runner_free(r->rec);
    recognizer_runner_free(r->rec16);
    agegender_runner_free(r->ag);
    expression_runner_free(r->ex);
    landmarks_runner_free(r->lm16);
    agegender_runner_free(r->ag16);
    expression_runner_free(r->ex16);
}

/* Runs net k once on the crop; pts are the full net's landmarks (for the aligned chip). */
static int run_one(runners *r, int k, const image *img, pointd pts[CROPS_NPOINTS], err *e)
{
    pointd tmp[CROPS_NPOINTS];
    float d[RECOGNIZER_DIM], p[EXPRESSION_COUNT];
    agegender_result a;
    switch (k) {
    case N_LM:
        return landmarks_run_crop(r->lm, img, CROP, (pointd){ CROP.x, CROP.y }, pts, e);
    case N_LM16:
        return landmarks_run_crop(r->lm16, img, CROP, (pointd){ CROP.x, CROP.y }, pts, e);
    case N_LMT:
        return landmarks_run_crop(r->lmt, img, CROP, (pointd){ CROP.x, CROP.y }, tmp, e);
    case N_REC:
        return recognizer_describe_crop(r->rec, img, CROP, d, e);
    case N_REC_AL:
        return recognizer_describe_aligned(r->rec, img, pts, d, e);
    case N_REC_AL16:
        return recognizer_describe_aligned(r->rec16, img, pts, d, e);
    case N_AG:
        return agegender_predict_crop(r->ag, img, CROP, &a, e);
    case N_AG16:
        return agegender_predict_crop(r->ag16, img, CROP, &a, e);
    case N_EX16:
        return expression_predict_crop(r->ex16, img, CROP, p, e);
    default:
        return expression_predict_crop(r->ex, img, CROP, p, e);
    }
}

/* The per-face work of `facetag analyze` (seq: full landmarks, descriptor,
 * age/gender, expression in some precision), or one net (nseq 1); pts: the
 * landmarks of an earlier run, for an aligned chip before any landmarks in seq. */
static int one_face(runners *r, const image *img, const int *seq, int nseq, pointd pts[CROPS_NPOINTS], err *e)
{
    for (int i = 0; i < nseq; i++)
        if (run_one(r, seq[i], img, pts, e))
            return e->code;
    return 0;
}

typedef struct worker {
    runners r;
    const image *img;
    int faces;
    const int *seq;
    int nseq;
    int rc;
    err e;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    pointd pts[CROPS_NPOINTS];
    w->rc = one_face(&w->r, w->img, (const int[]){ N_LM }, 1, pts, &w->e); /* warm-up; the aligned chip's landmarks */
    for (int i = 0; i < w->faces && !w->rc; i++)
        w->rc = one_face(&w->r, w->img, w->seq, w->nseq, pts, &w->e);
    return NULL;
}

/* ms per face with two workers (1-thread runtime sets) running seq side by side;
 * negative on failure. */
static double two_workers(nets *n, const image *img, const int *seq, int nseq, int faces)
{
    worker w[2];
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].img = img, w[i].faces = faces, w[i].seq = seq, w[i].nseq = nseq;
        if (runners_new(n, NULL, &w[i].r, &w[i].e)) {
            fprintf(stderr, "bench_facenets: %s\n", w[i].e.msg);
            return -1;
        }
    }
    pthread_t th[2];
    const double t0 = now_ms();
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    const double ms = (now_ms() - t0) / (2 * faces);
    for (int i = 0; i < 2; i++) {
        if (w[i].rc)
            fprintf(stderr, "bench_facenets: %s\n", w[i].e.msg);
        runners_free(&w[i].r);
    }
    return w[0].rc || w[1].rc ? -1 : ms;
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS");
    if (!models || !*models)
        models = FACETAG_DEFAULT_MODELS;
    int runs = 30;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_facenets [--models DIR] [--runs N]\n");
            return 2;
        }
    }
    if (runs < 1)
        runs = 1;
    err e = { 0 };
    nets n = { 0 };
    if (landmarks_net_load(models, false, &n.lm, &e) || landmarks_net_load(models, true, &n.lmt, &e) ||
        recognizer_net_load(models, &n.rec, &e) || agegender_net_load(models, &n.ag, &e) ||
        expression_net_load(models, &n.ex, &e)) {
        fprintf(stderr, "bench_facenets: %s\n", e.msg);
        return 1;
    }
    const double flops[N_NETS] = { landmarks_net_flops(n.lm),   landmarks_net_flops(n.lm),
                                   landmarks_net_flops(n.lmt),  recognizer_net_flops(n.rec),
                                   recognizer_net_flops(n.rec), recognizer_net_flops(n.rec),
                                   agegender_net_flops(n.ag),   agegender_net_flops(n.ag),
                                   expression_net_flops(n.ex),  expression_net_flops(n.ex) };
    image img = { .width = 300, .height = 300, .rgb = malloc(300 * 300 * 3) };
    for (int i = 0; i < 300 * 300 * 3; i++)
        img.rgb[i] = (uint8_t)((i * 7 + i / 900) % 251);

    nn_threads *pool = nn_threads_create(2, &e);
    if (!pool) {
        fprintf(stderr, "bench_facenets: %s\n", e.msg);
        return 1;
    }
    printf("%-24s %8s %10s %10s %10s %10s %10s %10s\n", "network", "GFLOP", "1T min", "1T median", "2T min",
           "2T median", "GFLOP/s 2T", "2 workers");
    runners r1, r2;
    if (runners_new(&n, NULL, &r1, &e) || runners_new(&n, pool, &r2, &e)) {
        fprintf(stderr, "bench_facenets: %s\n", e.msg);
        return 1;
    }
    double *t = malloc((size_t)runs * sizeof *t);
    pointd pts[CROPS_NPOINTS];
    run_one(&r1, N_LM, &img, pts, &e); /* the aligned chip needs landmarks */
    for (int k = 0; k < N_NETS; k++) {
        double res[4];
        if (net_bf16(k) && !r1.rec16) {
            printf("%-24s  (bf16 unavailable: FACETAG_NO_BF16, or neither AMX nor AMD's AVX512-BF16)\n", net_names[k]);
            continue;
        }
        for (int th = 0; th < 2; th++) {
            runners *r = th ? &r2 : &r1;
            for (int i = 0; i < 2; i++)
                run_one(r, k, &img, pts, &e); /* warm-up */
            for (int i = 0; i < runs; i++) {
                const double t0 = now_ms();
                if (run_one(r, k, &img, pts, &e)) {
                    fprintf(stderr, "bench_facenets: %s: %s\n", net_names[k], e.msg);
                    return 1;
                }
                t[i] = now_ms() - t0;
            }
            qsort(t, (size_t)runs, sizeof *t, dcmp);
            res[2 * th] = t[0], res[2 * th + 1] = t[runs / 2];
        }
        const double ms2 = two_workers(&n, &img, &k, 1, runs);
        if (ms2 < 0)
            return 1;
        printf("%-24s %8.3f %10.2f %10.2f %10.2f %10.2f %10.1f %10.2f\n", net_names[k], flops[k] / 1e9, res[0], res[1],
               res[2], res[3], flops[k] / 1e6 / res[3], ms2);
    }

    /* All per-face nets: one 2-thread runtime set vs two 1-thread workers. */
    static const int fp32[] = { N_LM, N_REC, N_AG, N_EX }, fp32_al[] = { N_LM, N_REC_AL, N_AG, N_EX },
                     rec16[] = { N_LM, N_REC_AL16, N_AG, N_EX }, all16[] = { N_LM16, N_REC_AL16, N_AG16, N_EX16 };
    static const struct {
        const int *seq;
        const char *what;
        bool bf16;
    } sets[] = { { fp32, "fp32, recognizer", false },
                 { fp32_al, "fp32, recognizer aligned", false },
                 { rec16, "recognizer aligned bf16", true },
                 { all16, "all bf16", true } };
    const int faces = runs * 2;
    double t0 = now_ms();
    for (int i = 0; i < faces; i++)
        one_face(&r2, &img, fp32, 4, pts, &e);
    const double ms_pool = (now_ms() - t0) / faces;
    printf("\nall per-face nets (landmarks68 + recognizer + age_gender + expression), %d faces:\n", faces);
    printf("  one runtime set on a 2-thread pool, fp32, recognizer: %6.2f ms/face  %6.1f faces/s\n", ms_pool,
           1e3 / ms_pool);
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
        if (sets[k].bf16 && !r1.rec16)
            break;
        const double ms = two_workers(&n, &img, sets[k].seq, 4, faces / 2);
        if (ms < 0)
            return 1;
        printf("  two workers, 1 thread each, %-26s %6.2f ms/face  %6.1f faces/s\n", sets[k].what, ms, 1e3 / ms);
    }
    runners_free(&r1);
    runners_free(&r2);
    nn_threads_free(pool);
    landmarks_net_free(n.lm);
    landmarks_net_free(n.lmt);
    recognizer_net_free(n.rec);
    agegender_net_free(n.ag);
    expression_net_free(n.ex);
    free(t);
    image_free(&img);
    return 0;
}
