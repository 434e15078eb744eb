/* bench/facenets.c — how fast the per-face networks run: landmarks (full, tiny),
 * recognition (axis-aligned crop and aligned chip), age/gender, expression. For
 * each, min and median ms per face and effective GFLOP/s, on 1 thread and on a
 * 2-thread pool (the bf16 recognizer, where bf16net_available(), always runs on
 * its calling thread: its 2T columns are one thread too); then the throughput of
 * all per-face networks (landmarks + descriptor + age/gender + expression) with
 * one 2-thread runtime set versus two workers with a 1-thread runtime set each,
 * and two workers with the bf16 recognizer.
 *
 *   bench_facenets [--models DIR] [--runs N]
 *
 * The input is a 200x210 crop of a synthetic image: the cost of these nets does
 * not depend on the pixels (fixed input size), only the crop preparation does,
 * and that is included. */
#include "media/image.h"
#include "vision/agegender.h"
#include "vision/bf16net.h"
#include "vision/expression.h"
#include "vision/landmarks.h"
#include "vision/recognizer.h"

#include <math.h>
#include <pthread.h>
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
    landmarks_runner *lm, *lmt;
    recognizer_runner *rec, *rec16; /* rec16: bf16, NULL where bf16 is unavailable */
    agegender_runner *ag;
    expression_runner *ex;
} runners;

enum { N_LM, N_LMT, N_REC, N_REC_AL, N_REC_AL16, N_AG, N_EX, N_NETS };
static const char *const net_names[N_NETS] = {"landmarks68",        "landmarks68_tiny",        "recognizer",
                                              "recognizer_aligned", "recognizer_aligned_bf16", "age_gender",
                                              "expression"};

static const crop_rect CROP = {20, 30, 200, 210};

static int runners_new(nets *n, nn_threads *pool, runners *r, err *e)
{
    memset(r, 0, sizeof *r);
    if (landmarks_runner_new(n->lm, pool, &r->lm, e) || landmarks_runner_new(n->lmt, pool, &r->lmt, e) ||
        recognizer_runner_new(n->rec, pool, &r->rec, e) || agegender_runner_new(n->ag, pool, &r->ag, e) ||
        expression_runner_new(n->ex, pool, &r->ex, e))
        return e->code;
    if (bf16net_available() && recognizer_runner_new_precision(n->rec, pool, RECOGNIZER_BF16, &r->rec16, e))
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
}

/* Runs net k once on the crop; pts are the full net's landmarks (for the aligned chip). */
static int run_one(runners *r, int k, const image *img, pointd pts[CROPS_NPOINTS], err *e)
{
    pointd tmp[CROPS_NPOINTS];
    float d[RECOGNIZER_DIM], p[EXPRESSION_COUNT];
    agegender_result a;
    switch (k) {
    case N_LM: return landmarks_run_crop(r->lm, img, CROP, (pointd){CROP.x, CROP.y}, pts, e);
    case N_LMT: return landmarks_run_crop(r->lmt, img, CROP, (pointd){CROP.x, CROP.y}, tmp, e);
    case N_REC: return recognizer_describe_crop(r->rec, img, CROP, d, e);
    case N_REC_AL: return recognizer_describe_aligned(r->rec, img, pts, d, e);
    case N_REC_AL16: return recognizer_describe_aligned(r->rec16, img, pts, d, e);
    case N_AG: return agegender_predict_crop(r->ag, img, CROP, &a, e);
    default: return expression_predict_crop(r->ex, img, CROP, p, e);
    }
}

/* The per-face work of `facetag analyze`: full landmarks, descriptor (rec: N_REC,
 * N_REC_AL or N_REC_AL16), age/gender, expression. */
static int one_face(runners *r, const image *img, int rec, err *e)
{
    pointd pts[CROPS_NPOINTS];
    const int seq[] = {N_LM, rec, N_AG, N_EX};
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
        if (run_one(r, seq[i], img, pts, e)) return e->code;
    return 0;
}

typedef struct worker {
    runners r;
    const image *img;
    int faces;
    int rec; /* N_REC, N_REC_AL or N_REC_AL16 */
    int rc;
    err e;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->faces && !w->rc; i++) w->rc = one_face(&w->r, w->img, w->rec, &w->e);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS");
    if (!models || !*models) models = FACETAG_DEFAULT_MODELS;
    int runs = 30;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc) models = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_facenets [--models DIR] [--runs N]\n");
            return 2;
        }
    }
    if (runs < 1) runs = 1;
    err e = {0};
    nets n = {0};
    if (landmarks_net_load(models, false, &n.lm, &e) || landmarks_net_load(models, true, &n.lmt, &e) ||
        recognizer_net_load(models, &n.rec, &e) || (bf16net_available() && recognizer_net_load_bf16(n.rec, &e)) ||
        agegender_net_load(models, &n.ag, &e) ||
        expression_net_load(models, &n.ex, &e)) {
        fprintf(stderr, "bench_facenets: %s\n", e.msg);
        return 1;
    }
    const double flops[N_NETS] = {landmarks_net_flops(n.lm),   landmarks_net_flops(n.lmt),
                                  recognizer_net_flops(n.rec), recognizer_net_flops(n.rec),
                                  recognizer_net_flops(n.rec),
                                  agegender_net_flops(n.ag),   expression_net_flops(n.ex)};
    image img = {.width = 300, .height = 300, .rgb = malloc(300 * 300 * 3)};
    for (int i = 0; i < 300 * 300 * 3; i++) img.rgb[i] = (uint8_t)((i * 7 + i / 900) % 251);

    nn_threads *pool = nn_threads_create(2, &e);
    if (!pool) {
        fprintf(stderr, "bench_facenets: %s\n", e.msg);
        return 1;
    }
    printf("%-24s %8s %10s %10s %10s %10s %10s\n", "network", "GFLOP", "1T min", "1T median", "2T min", "2T median",
           "GFLOP/s 2T");
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
        if (k == N_REC_AL16 && !r1.rec16) {
            printf("%-24s  (bf16 unavailable: FACETAG_NO_BF16, or neither AMX nor AMD's AVX512-BF16)\n", net_names[k]);
            continue;
        }
        for (int th = 0; th < 2; th++) {
            runners *r = th ? &r2 : &r1;
            for (int i = 0; i < 2; i++) run_one(r, k, &img, pts, &e); /* warm-up */
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
        printf("%-24s %8.3f %10.2f %10.2f %10.2f %10.2f %10.1f\n", net_names[k], flops[k] / 1e9, res[0], res[1],
               res[2], res[3], flops[k] / 1e6 / res[3]);
    }

    /* All per-face nets: one 2-thread runtime set vs two 1-thread workers. */
    const int faces = runs * 2;
    double t0 = now_ms();
    for (int i = 0; i < faces; i++) one_face(&r2, &img, N_REC, &e);
    const double ms_pool = (now_ms() - t0) / faces;
    printf("\nall per-face nets (landmarks68 + recognizer + age_gender + expression), %d faces:\n", faces);
    printf("  one runtime set on a 2-thread pool, recognizer: %6.2f ms/face  %6.1f faces/s\n", ms_pool, 1e3 / ms_pool);
    static const int recs[] = {N_REC, N_REC_AL, N_REC_AL16};
    for (int k = 0; k < 3; k++) {
        const int rec = recs[k];
        if (rec == N_REC_AL16 && !r1.rec16) break;
        worker w[2];
        for (int i = 0; i < 2; i++) {
            memset(&w[i], 0, sizeof w[i]);
            w[i].img = &img, w[i].faces = faces / 2, w[i].rec = rec;
            if (runners_new(&n, NULL, &w[i].r, &w[i].e)) {
                fprintf(stderr, "bench_facenets: %s\n", w[i].e.msg);
                return 1;
            }
        }
        pthread_t th[2];
        t0 = now_ms();
        for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, worker_main, &w[i]);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        const double ms_workers = (now_ms() - t0) / (2 * (faces / 2));
        printf("  two workers, 1 thread each, %-24s %6.2f ms/face  %6.1f faces/s\n", net_names[rec], ms_workers,
               1e3 / ms_workers);
        for (int i = 0; i < 2; i++) runners_free(&w[i].r);
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
