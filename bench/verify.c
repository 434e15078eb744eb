/* bench/verify.c — which face chip gives the better descriptors: face-api's
 * axis-aligned square (recognizer_describe, --compat) or dlib's aligned chip
 * (recognizer_describe_aligned), measured as face verification on a
 * folder-per-identity set (default $FACETAG_SHARED/data/faces-dev). Where bf16
 * pays (bf16net_available) the aligned chip is also described by the bf16
 * recognizer (default mode's), row aligned16: the same chips, only the
 * recognizer's precision differs.
 *
 *   bench_verify [-j THREADS] [--models DIR] [--min-score F] [--dump DIR] [DATASET_DIR]
 *
 * Per image: full-resolution decode (EXIF orientation applied), SSD at
 * min-score (default 0.3); when it finds nothing, again on a 2x zero canvas
 * (ssd_detect_canvas, the fallback for faces that fill the frame); the largest
 * face; its 68 landmarks; both descriptors of that one face. Images where even
 * the canvas finds nothing take part in no pair (counted).
 *
 * Pairs: every same-identity pair and every different-identity pair of the
 * images with a face (no sampling). Per chip it prints
 *   accuracy   the best (TPR + TNR) / 2 over all thresholds — the accuracy on a
 *              set with as many same as different pairs (LFW-style), and that
 *              Euclidean threshold (same when distance < t);
 *   AUC        ROC area: P(d(same pair) < d(different pair)), ties count half;
 *   TAR@FAR    the fraction of same pairs accepted at the threshold that
 *              accepts 1e-3 (and 1e-4) of the different pairs.
 *
 * --dump DIR writes DIR/descriptors-faceapi.csv and DIR/descriptors-aligned.csv:
 * "file,identity,score,d0..d127" for every image with a face (file relative to
 * the dataset folder), e.g. for R.
 *
 * Workers: -j N threads (default 2), each with its own single-thread runners
 * on the shared, read-only networks. */
#include "media/image.h"
#include "nn/bf16net.h"
#include "vision/landmarks.h"
#include "vision/recognizer.h"
#include "vision/ssd.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { CHIP_FACEAPI, CHIP_ALIGNED, CHIP_ALIGNED16, CHIP_COUNT };
static const char *const chip_names[CHIP_COUNT] = { "faceapi", "aligned", "aligned16" };

typedef struct sample {
    char *file;   /* relative to the dataset folder: identity/name */
    int identity; /* index into the identity list */
    int found;    /* 0 none, 1 upright detection, 2 canvas fallback */
    double score;
    float desc[CHIP_COUNT][RECOGNIZER_DIM];
} sample;

typedef struct shared_work {
    const char *root;
    sample *s;
    size_t n;
    atomic_size_t next;
    ssd_model *ssd;
    landmarks_net *lm;
    recognizer_net *rec;
    int chips; /* CHIP_COUNT with the bf16 recognizer, else CHIP_ALIGNED16 */
    double min_score;
    atomic_int done;
} shared_work;

typedef struct worker {
    shared_work *w;
    int failed;
    err e;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int scmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir (files or folders, no dot files). */
static char **list_dir(const char *dir, int want_dirs, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0 || (want_dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            continue;
        if (!want_dirs) {
            const char *dot = strrchr(de->d_name, '.');
            if (!dot ||
                !(strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 || strcasecmp(dot, ".png") == 0))
                continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            v = realloc(v, cap * sizeof *v);
        }
        v[(*n)++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(v, *n, sizeof *v, scmp);
    return v;
}

/* The largest face of l (area), or -1. */
static int largest(const det_list *l)
{
    int best = -1;
    for (size_t i = 0; i < l->n; i++)
        if (best < 0 || l->faces[i].box.w * l->faces[i].box.h > l->faces[best].box.w * l->faces[best].box.h)
            best = (int)i;
    return best;
}

/* rr16: the bf16 recognizer, or NULL. */
static int describe_one(ssd_runner *sr, landmarks_runner *lr, recognizer_runner *rr, recognizer_runner *rr16,
                        const shared_work *w, sample *s, err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->root, s->file);
    image img = { 0 };
    if (image_load_rgb(path, 1, 0, &img, e) != 0)
        return err_prefix(e, "%s", path), e->code;
    ssd_options o = ssd_default_options();
    o.min_score = w->min_score;
    det_list d = { 0 };
    int rc = ssd_detect(sr, &img, &o, &d, e);
    s->found = d.n > 0;
    if (rc == 0 && d.n == 0) {
        const float zero[3] = { 0, 0, 0 };
        rc = ssd_detect_canvas(sr, &img, &o, 2.0, zero, &d, e);
        s->found = d.n > 0 ? 2 : 0;
    }
    int k = rc == 0 ? largest(&d) : -1;
    if (k >= 0) {
        pointd pts[CROPS_NPOINTS];
        crop_rect lc;
        s->score = d.faces[k].score;
        rc = landmarks_detect(lr, &img, d.faces[k].box, pts, &lc, e);
        if (rc == 0)
            rc = recognizer_describe(rr, &img, pts, lc, s->desc[CHIP_FACEAPI], NULL, e);
        if (rc == 0)
            rc = recognizer_describe_aligned(rr, &img, pts, s->desc[CHIP_ALIGNED], e);
        if (rc == 0 && rr16)
            rc = recognizer_describe_aligned(rr16, &img, pts, s->desc[CHIP_ALIGNED16], e);
        if (rc != 0)
            s->found = 0;
    }
    if (rc != 0)
        err_prefix(e, "%s", path);
    det_list_free(&d);
    image_free(&img);
    return rc;
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    shared_work *w = wk->w;
    ssd_runner *sr = ssd_runner_new(w->ssd, NULL, NET_FP32, &wk->e);
    landmarks_runner *lr = NULL;
    recognizer_runner *rr = NULL, *rr16 = NULL;
    if (!sr || landmarks_runner_new(w->lm, NULL, NET_FP32, &lr, &wk->e) ||
        recognizer_runner_new(w->rec, NULL, NET_FP32, &rr, &wk->e) ||
        (w->chips > CHIP_ALIGNED16 && recognizer_runner_new(w->rec, NULL, NET_BF16, &rr16, &wk->e))) {
        fprintf(stderr, "bench_verify: %s\n", wk->e.msg);
        wk->failed = -1;
    }
    for (size_t i; wk->failed >= 0 && (i = atomic_fetch_add(&w->next, 1)) < w->n;) {
        err e = { 0 };
        if (describe_one(sr, lr, rr, rr16, w, &w->s[i], &e) != 0) {
            fprintf(stderr, "bench_verify: %s\n", e.msg);
            wk->failed++;
        }
        int done = atomic_fetch_add(&w->done, 1) + 1;
        if (done % 250 == 0)
            fprintf(stderr, "bench_verify: %d of %zu images\n", done, w->n);
    }
    recognizer_runner_free(rr);
    recognizer_runner_free(rr16);
    landmarks_runner_free(lr);
    ssd_runner_free(sr);
    return NULL;
}

/* A pair's distance and whether both images show the same identity. */
typedef struct pair {
    float d;
    int same;
} pair;

static int pcmp(const void *a, const void *b)
{
    float x = ((const pair *)a)->d, y = ((const pair *)b)->d;
    return x < y ? -1 : x > y;
}

typedef struct verify_stats {
    double accuracy, threshold, auc, tar3, thr3, tar4, thr4;
    double same_median, diff_median;
} verify_stats;

/* p sorted by distance; nsame + ndiff = n. */
static verify_stats stats_of(const pair *p, size_t n, size_t nsame, size_t ndiff)
{
    verify_stats st = { 0 };
    /* Threshold sweep: accept d < t for t between consecutive distinct distances. */
    size_t tp = 0, fp = 0;
    double best = 0.5;
    st.threshold = p[0].d;
    int got3 = 0, got4 = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j].d == p[i].d)
            j++;
        /* Before accepting distances == p[i].d: the threshold p[i].d. */
        double fpr = (double)fp / ndiff, tpr = (double)tp / nsame;
        double acc = (tpr + 1 - fpr) / 2;
        if (acc > best)
            best = acc, st.threshold = p[i].d;
        for (size_t k = i; k < j; k++)
            p[k].same ? tp++ : fp++;
        if (!got3 && (double)fp / ndiff > 1e-3)
            st.tar3 = tpr, st.thr3 = p[i].d, got3 = 1;
        if (!got4 && (double)fp / ndiff > 1e-4)
            st.tar4 = tpr, st.thr4 = p[i].d, got4 = 1;
        i = j;
    }
    st.accuracy = best;
    /* AUC by ranks (Mann-Whitney): for each different pair, the same pairs below it. */
    double below = 0;
    size_t same_seen = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, s = 0, dcount = 0;
        while (j < n && p[j].d == p[i].d)
            p[j].same ? s++ : dcount++, j++;
        below += (double)dcount * ((double)same_seen + 0.5 * (double)s);
        same_seen += s;
        i = j;
    }
    st.auc = below / ((double)nsame * (double)ndiff);
    /* Medians of each class. */
    size_t cs = 0, cd = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].same && cs++ == nsame / 2)
            st.same_median = p[i].d;
        if (!p[i].same && cd++ == ndiff / 2)
            st.diff_median = p[i].d;
    }
    return st;
}

static int dump_csv(const char *dir, int chip, const sample *s, size_t n, char **ids)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/descriptors-%s.csv", dir, chip_names[chip]);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_verify: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "file,identity,score");
    for (int k = 0; k < RECOGNIZER_DIM; k++)
        fprintf(f, ",d%d", k);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        if (!s[i].found)
            continue;
        fprintf(f, "%s,%s,%.4f", s[i].file, ids[s[i].identity], s[i].score);
        for (int k = 0; k < RECOGNIZER_DIM; k++)
            fprintf(f, ",%.9g", s[i].desc[chip][k]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "bench_verify: %s: write failed\n", path);
        return -1;
    }
    printf("wrote %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *models =
        getenv("FACETAG_MODELS") && *getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    const char *shared =
        getenv("FACETAG_SHARED") && *getenv("FACETAG_SHARED") ? getenv("FACETAG_SHARED") : "/work/shared";
    const char *dump = NULL, *root = NULL;
    int threads = 2;
    double min_score = 0.3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--min-score") && i + 1 < argc)
            min_score = atof(argv[++i]);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else if (argv[i][0] != '-' && !root)
            root = argv[i];
        else {
            fprintf(stderr, "usage: bench_verify [-j THREADS] [--models DIR] [--min-score F] [--dump DIR] "
                            "[DATASET_DIR]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 64 || !(min_score > 0 && min_score < 1)) {
        fprintf(stderr, "bench_verify: -j must be in 1..64 and --min-score in (0,1)\n");
        return 2;
    }
    char rootbuf[4096];
    if (!root) {
        snprintf(rootbuf, sizeof rootbuf, "%s/data/faces-dev", shared);
        root = rootbuf;
    }
    size_t nid = 0;
    char **ids = list_dir(root, 1, &nid);
    if (nid < 2) {
        fprintf(stderr, "bench_verify: %s: needs at least two identity folders\n", root);
        return 2;
    }
    sample *s = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nid; i++) {
        char dir[4096];
        size_t nf = 0;
        if (snprintf(dir, sizeof dir, "%s/%s", root, ids[i]) >= (int)sizeof dir)
            continue;
        char **files = list_dir(dir, 0, &nf);
        for (size_t k = 0; k < nf; k++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                s = realloc(s, cap * sizeof *s);
            }
            char rel[1024];
            if (snprintf(rel, sizeof rel, "%s/%s", ids[i], files[k]) >= (int)sizeof rel)
                continue;
            s[n++] = (sample){ .file = strdup(rel), .identity = (int)i };
            free(files[k]);
        }
        free(files);
    }

    err e = { 0 };
    shared_work w = { .root = root, .s = s, .n = n, .min_score = min_score };
    w.chips = bf16net_available() ? CHIP_COUNT : CHIP_ALIGNED16;
    if (image_init(argv[0], &e) != 0 || !(w.ssd = ssd_load(models, &e)) ||
        landmarks_net_load(models, false, &w.lm, &e) || recognizer_net_load(models, &w.rec, &e)) {
        fprintf(stderr, "bench_verify: %s\n", e.msg);
        return 1;
    }
    printf("bench_verify: %s: %zu identities, %zu images; SSD min score %.2f, canvas fallback; %d worker(s)\n", root,
           nid, n, min_score, threads);
    fflush(stdout);
    double t0 = now_s();
    worker wk[64];
    pthread_t th[64];
    for (int i = 0; i < threads; i++) {
        wk[i] = (worker){ .w = &w };
        pthread_create(&th[i], NULL, worker_main, &wk[i]);
    }
    int failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        failed |= wk[i].failed != 0;
    }
    double t1 = now_s();
    size_t upright = 0, canvas = 0;
    for (size_t i = 0; i < n; i++)
        upright += s[i].found == 1, canvas += s[i].found == 2;
    printf(
        "faces: %zu upright + %zu on the canvas = %zu of %zu images (%.1f %%), none in %zu; %.1f s (%.1f images/s)\n",
        upright, canvas, upright + canvas, n, 100.0 * (upright + canvas) / n, n - upright - canvas, t1 - t0,
        n / (t1 - t0));

    /* Every pair of images with a face. */
    size_t m = upright + canvas, np = m * (m - 1) / 2, nsame = 0;
    size_t *idx = malloc(m * sizeof *idx);
    for (size_t i = 0, k = 0; i < n; i++)
        if (s[i].found)
            idx[k++] = i;
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
            nsame += s[idx[a]].identity == s[idx[b]].identity;
    pair *p = malloc(np * sizeof *p);
    if (!p || nsame == 0 || nsame == np) {
        fprintf(stderr, "bench_verify: no pairs to score (%zu same of %zu)\n", nsame, np);
        return 1;
    }
    printf("pairs: %zu same-identity, %zu different-identity (all of them)\n", nsame, np - nsame);
    printf("%-8s %9s %9s %8s %12s %9s %12s %9s %11s %11s\n", "chip", "accuracy", "threshold", "AUC", "TAR@FAR1e-3",
           "thr", "TAR@FAR1e-4", "thr", "same_med", "diff_med");
    for (int c = 0; c < w.chips; c++) {
        size_t k = 0;
        for (size_t a = 0; a < m; a++)
            for (size_t b = a + 1; b < m; b++)
                p[k++] = (pair){ (float)recognizer_distance(s[idx[a]].desc[c], s[idx[b]].desc[c]),
                                 s[idx[a]].identity == s[idx[b]].identity };
        qsort(p, np, sizeof *p, pcmp);
        verify_stats st = stats_of(p, np, nsame, np - nsame);
        printf("%-8s %9.4f %9.4f %8.5f %12.4f %9.4f %12.4f %9.4f %11.4f %11.4f\n", chip_names[c], st.accuracy,
               st.threshold, st.auc, st.tar3, st.thr3, st.tar4, st.thr4, st.same_median, st.diff_median);
    }
    if (dump && (mkdir(dump, 0777) == 0 || errno == EEXIST))
        for (int c = 0; c < w.chips; c++)
            failed |= dump_csv(dump, c, s, n, ids) != 0;
    else if (dump) {
        fprintf(stderr, "bench_verify: %s: %s\n", dump, strerror(errno));
        failed = 1;
    }
    free(p);
    free(idx);
    for (size_t i = 0; i < n; i++)
        free(s[i].file);
    free(s);
    for (size_t i = 0; i < nid; i++)
        free(ids[i]);
    free(ids);
    recognizer_net_free(w.rec);
    landmarks_net_free(w.lm);
    ssd_free(w.ssd);
    return failed ? 1 : 0;
}
