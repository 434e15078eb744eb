/* test_ssd_bf16.c — the SSD detector in bf16 on oneDNN (ssd_runner_new(..., NET_BF16, ...))
 * against the fp32 XNNPACK runner on the 14 lossless parity PNGs and the 6 demo
 * photos: every face either finds the same face in the other list (box IoU >=
 * 0.9, |score diff| <= 0.05) or scores within 0.05 of the 0.5 threshold (a
 * face that rounding may put on either side); the per-anchor scores of ssd_infer
 * agree within 0.05; the same holds for ssd_detect_canvas and ssd_detect_tiled
 * (on the 1280 px Solvay photo). Two bf16 runners on two threads get the
 * single-thread result; a bf16 runner starts no OpenMP thread, and the caller's
 * OpenMP thread count survives a run; an fp32 runner on a model loaded for
 * bf16 reads the weights again (and says so when they are gone). On a CPU where
 * bf16 does not pay (bf16net_fast: neither AMX nor AMD's AVX512-BF16) the test
 * says so and checks that a bf16 runner is refused with the reason. */
#include "media/image.h"
#include "nn/bf16net.h"
#include "testutil.h"
#include "vision/prep.h"
#include "vision/ssd.h"

#include <dirent.h>
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NEAR_THRESHOLD 0.05 /* a face this close to min_score may be on either side */

static double box_iou(rectd a, rectd b)
{
    double x0 = fmax(a.x, b.x), y0 = fmax(a.y, b.y);
    double x1 = fmin(a.x + a.w, b.x + b.w), y1 = fmin(a.y + a.h, b.y + b.h);
    double inter = fmax(0, x1 - x0) * fmax(0, y1 - y0);
    double uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct tally {
    int images, faces32, faces16, matched, near_only;
    double min_iou, diffs[1000];
    int nd;
} tally;

/* Faces of `a` without a partner in `b` (IoU >= 0.9): each must be near the threshold. */
static void match(const char *file, const det_list *a, const det_list *b, const char *what, tally *t, int count)
{
    char *used = calloc(b->n + 1, 1);
    for (size_t i = 0; i < a->n; i++) {
        double best = 0;
        size_t bi = 0;
        for (size_t k = 0; k < b->n; k++)
            if (!used[k] && box_iou(a->faces[i].box, b->faces[k].box) > best)
                best = box_iou(a->faces[i].box, b->faces[k].box), bi = k;
        if (best >= 0.9) {
            used[bi] = 1;
            double ds = fabs(a->faces[i].score - b->faces[bi].score);
            CHECK_MSG(ds <= 0.05, "%s: face %zu score %.4f vs %.4f", file, i, a->faces[i].score, b->faces[bi].score);
            if (count) {
                t->matched++;
                if (best < t->min_iou)
                    t->min_iou = best;
                if (t->nd < 1000)
                    t->diffs[t->nd++] = ds;
            }
        } else {
            CHECK_MSG(a->faces[i].score < 0.5 + NEAR_THRESHOLD,
                      "%s: %s face %zu (%.0f,%.0f %.0fx%.0f, score %.4f) "
                      "has no partner (best IoU %.3f)",
                      file, what, i, a->faces[i].box.x, a->faces[i].box.y, a->faces[i].box.w, a->faces[i].box.h,
                      a->faces[i].score, best);
            t->near_only++;
        }
    }
    free(used);
}

static void compare_file(ssd_runner *r32, ssd_runner *r16, const char *path, tally *t)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    det_list a = { 0 }, b = { 0 };
    ssd_options opt = ssd_default_options();
    CHECK_MSG(ssd_detect(r32, &img, &opt, &a, &e) == 0, "%s", e.msg);
    CHECK_MSG(ssd_detect(r16, &img, &opt, &b, &e) == 0, "%s", e.msg);
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    match(file, &a, &b, "fp32", t, 1);
    match(file, &b, &a, "bf16", t, 0);
    t->faces32 += (int)a.n;
    t->faces16 += (int)b.n;
    t->images++;
    det_list_free(&a);
    det_list_free(&b);
    image_free(&img);
}

/* Threads of this process (/proc/self/task entries). */
static int thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    for (struct dirent *de; d && (de = readdir(d));)
        n += de->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Per-anchor scores and boxes of the raw network on one prepared input. */
static void check_anchors(ssd_runner *r32, ssd_runner *r16, const char *path)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    size_t n = (size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3;
    float *in = malloc(n * sizeof *in), *b32 = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5),
          *b16 = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    prep_rect all = { 0, 0, img.width, img.height };
    CHECK(prep_square(&img, all, PREP_PAD_END, SSD_INPUT_SIZE, in, &e) == 0);
    CHECK(ssd_infer(r32, in, b32, b32 + SSD_NUM_ANCHORS * 4, &e) == 0);
    CHECK(ssd_infer(r16, in, b16, b16 + SSD_NUM_ANCHORS * 4, &e) == 0);
    double ds = 0, db = 0;
    for (int a = 0; a < SSD_NUM_ANCHORS; a++) {
        ds = fmax(ds, fabs(b32[SSD_NUM_ANCHORS * 4 + a] - b16[SSD_NUM_ANCHORS * 4 + a]));
        if (b32[SSD_NUM_ANCHORS * 4 + a] > 0.3) /* box corners of likely faces, in units of the 512 square */
            for (int k = 0; k < 4; k++)
                db = fmax(db, fabs(b32[a * 4 + k] - b16[a * 4 + k]));
    }
    printf("ssd_infer on %s: max |anchor score diff| %.4f, max |box corner diff| of anchors > 0.3: %.4f\n", path, ds,
           db);
    CHECK_MSG(ds <= 0.05, "anchor scores differ by %.4f", ds);
    CHECK_MSG(db <= 0.02, "box corners differ by %.4f", db);
    free(in);
    free(b32);
    free(b16);
    image_free(&img);
}

/* The other entry points on a bf16 runner: a 2x canvas and 640 px tiles find
 * what fp32 finds, by the same rule. */
static void check_canvas_tiled(ssd_runner *r32, ssd_runner *r16, const char *crop, const char *big)
{
    image img = { 0 };
    err e = { 0 };
    tally t = { .min_iou = 1 };
    const float zero[3] = { 0, 0, 0 };
    if (image_load_rgb(crop, 0, 0, &img, &e) == 0) {
        det_list a = { 0 }, b = { 0 };
        CHECK_MSG(ssd_detect_canvas(r32, &img, NULL, 2.0, zero, &a, &e) == 0, "%s", e.msg);
        CHECK_MSG(ssd_detect_canvas(r16, &img, NULL, 2.0, zero, &b, &e) == 0, "%s", e.msg);
        CHECK(a.n > 0);
        match(crop, &a, &b, "fp32 canvas", &t, 1);
        match(crop, &b, &a, "bf16 canvas", &t, 0);
        printf("canvas x2 on %s: fp32 %zu faces, bf16 %zu\n", crop, a.n, b.n);
        det_list_free(&a);
        det_list_free(&b);
        image_free(&img);
    } else
        CHECK_MSG(0, "%s", e.msg);
    if (image_load_rgb(big, 0, 0, &img, &e) == 0) {
        det_list a = { 0 }, b = { 0 };
        CHECK_MSG(ssd_detect_tiled(r32, &img, NULL, NULL, &a, &e) == 0, "%s", e.msg);
        CHECK_MSG(ssd_detect_tiled(r16, &img, NULL, NULL, &b, &e) == 0, "%s", e.msg);
        CHECK(a.n > 20);
        match(big, &a, &b, "fp32 tiled", &t, 1);
        match(big, &b, &a, "bf16 tiled", &t, 0);
        printf("640 px tiles on %s: fp32 %zu faces, bf16 %zu, matched %d\n", big, a.n, b.n, t.matched);
        det_list_free(&a);
        det_list_free(&b);
        image_free(&img);
    } else
        CHECK_MSG(0, "%s", e.msg);
}

typedef struct job {
    ssd_model *m;
    const image *img;
    det_list out;
    err e;
    int rc;
    int threads_before, threads_after; /* of the process, around the job's work */
} job;

static void *detect_job(void *arg)
{
    job *j = arg;
    omp_set_num_threads(2); /* what a thread would get on this 2-core machine */
    j->threads_before = thread_count();
    ssd_runner *r = ssd_runner_new(j->m, NULL, NET_BF16, &j->e);
    j->rc = r ? 0 : -1;
    for (int k = 0; k < 2 && j->rc == 0; k++) {
        j->out.n = 0;
        j->rc = ssd_detect(r, j->img, NULL, &j->out, &j->e);
    }
    ssd_runner_free(r);
    j->threads_after = thread_count();
    return NULL;
}

/* Two threads with a bf16 runner each on the shared model: the one-thread result. */
static void check_concurrent(ssd_model *m, ssd_runner *r16, const char *path)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    det_list want = { 0 };
    CHECK(ssd_detect(r16, &img, NULL, &want, &e) == 0 && want.n > 0);
    job jobs[2] = { { m, &img, { 0 }, { 0 }, 0, 0, 0 }, { m, &img, { 0 }, { 0 }, 0, 0, 0 } };
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&th[i], NULL, detect_job, &jobs[i]) == 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(jobs[i].rc == 0, "%s", jobs[i].e.msg);
        CHECK(jobs[i].out.n == want.n);
        for (size_t k = 0; k < want.n && k < jobs[i].out.n; k++)
            CHECK(jobs[i].out.faces[k].score == want.faces[k].score &&
                  box_iou(jobs[i].out.faces[k].box, want.faces[k].box) > 0.9999);
        det_list_free(&jobs[i].out);
    }
    det_list_free(&want);
    image_free(&img);
}

/* A bf16 runner made and run in a fresh thread whose OpenMP count is 2 starts
 * no thread: one core per runner (without bf16net's guard, libgomp starts a
 * team for that thread and keeps it). */
static void check_no_team(ssd_model *m, const char *path)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    job j = { m, &img, { 0 }, { 0 }, 0, 0, 0 };
    pthread_t th;
    CHECK(pthread_create(&th, NULL, detect_job, &j) == 0);
    pthread_join(th, NULL);
    CHECK_MSG(j.rc == 0, "%s", j.e.msg);
    CHECK_MSG(j.threads_after == j.threads_before, "a bf16 runner's thread: %d threads in the process before, %d after",
              j.threads_before, j.threads_after);
    det_list_free(&j.out);
    image_free(&img);
}

/* A model builds each backend at the first runner of its precision (net.h),
 * from the weights read at load: the files may be gone by then. Both runners
 * of one model detect, and find the same faces. */
static void check_late_fp32(const char *models)
{
    const char *tmp = test_tmpdir("ssd-bf16-late");
    char dir[4096], cmd[16384];
    snprintf(dir, sizeof dir, "%s", tmp);
    snprintf(cmd, sizeof cmd, "cp '%s'/ssd_mobilenetv1_model* '%s'/", models, dir);
    CHECK(system(cmd) == 0);
    err e = { 0 };
    ssd_model *m = ssd_load(dir, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    snprintf(cmd, sizeof cmd, "%s/ssd_mobilenetv1_model.bin", dir);
    CHECK(remove(cmd) == 0);
    ssd_runner *r16 = m ? ssd_runner_new(m, NULL, NET_BF16, &e) : NULL;
    CHECK_MSG(r16 != NULL, "%s", e.msg);
    ssd_runner *r32 = m ? ssd_runner_new(m, NULL, NET_FP32, &e) : NULL;
    CHECK_MSG(r32 != NULL && ssd_runner_precision(r32) == NET_FP32, "%s", e.msg);
    image img = { 0 };
    det_list d32 = { 0 }, d16 = { 0 };
    char photo[4096];
    const char *shared = test_shared_dir();
    snprintf(photo, sizeof photo, "%s/reference/faceapi-ref/parity/2007_007763.png", shared ? shared : ".");
    if (shared && r16 && r32 && image_load_rgb(photo, 1, 0, &img, &e) == 0) {
        CHECK_MSG(ssd_detect(r32, &img, NULL, &d32, &e) == 0, "%s", e.msg);
        CHECK_MSG(ssd_detect(r16, &img, NULL, &d16, &e) == 0, "%s", e.msg);
        CHECK_MSG(d32.n > 0 && d32.n == d16.n, "%s: fp32 %zu faces, bf16 %zu", photo, d32.n, d16.n);
    }
    det_list_free(&d32);
    det_list_free(&d16);
    image_free(&img);
    ssd_runner_free(r32);
    ssd_runner_free(r16);
    ssd_free(m);
    test_rmtree(dir);
}

/* FACETAG_NO_BF16=1 turns bf16 off: refused with the variable named. */
static void check_turned_off(ssd_model *m)
{
    setenv("FACETAG_NO_BF16", "1", 1);
    err e = { 0 };
    CHECK(bf16net_available() == 0);
    ssd_runner *r = ssd_runner_new(m, NULL, NET_BF16, &e);
    CHECK(r == NULL && e.code == ERR_INVALID);
    CHECK_MSG(strstr(e.msg, "FACETAG_NO_BF16") && strstr(e.msg, "ssd_mobilenetv1_model"), "message: %s", e.msg);
    ssd_runner_free(r);
    unsetenv("FACETAG_NO_BF16");
    CHECK(bf16net_available() == bf16net_fast());
    e = (err){ 0 };
    r = ssd_runner_new(m, NULL, (net_precision)7, &e);
    CHECK(r == NULL && e.code == ERR_INVALID);
}

int main(int argc, char **argv)
{
    (void)argc;
    err e = { 0 };
    CHECK_MSG(image_init(argv[0], &e) == 0, "%s", e.msg);
    const char *shared = test_shared_dir();
    const char *models = getenv("FACETAG_MODELS");
    if (!shared || !models) {
        printf("skipped: shared data or models ($FACETAG_MODELS) absent\n");
        return test_main_end();
    }
    ssd_model *m = ssd_load(models, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    if (!m)
        return test_main_end();
    ssd_runner *r32 = ssd_runner_new(m, NULL, NET_FP32, &e);
    CHECK_MSG(r32 != NULL, "%s", e.msg);
    CHECK(r32 && ssd_runner_precision(r32) == NET_FP32);
    if (!bf16net_available()) {
        int fast = bf16net_fast();
        if (fast)
            printf("skipped: FACETAG_NO_BF16 is set: bf16 runners are refused\n");
        else
            printf("skipped: bf16 does not pay here (oneDNN's ISA is %s): bf16 runners are refused\n", bf16net_isa());
        ssd_runner *r = ssd_runner_new(m, NULL, NET_BF16, &e);
        CHECK(r == NULL && e.code == ERR_INVALID);
        CHECK_MSG(fast ? strstr(e.msg, "FACETAG_NO_BF16") != NULL
                       : strstr(e.msg, "AMX") && strstr(e.msg, bf16net_isa()),
                  "message: %s", e.msg);
        ssd_runner_free(r);
        ssd_runner_free(r32);
        ssd_free(m);
        return test_main_end();
    }
    check_turned_off(m);
    check_late_fp32(models);
    /* The caller's OpenMP thread count is its own again after a build and a run. */
    omp_set_num_threads(2);
    ssd_runner *r16 = ssd_runner_new(m, NULL, NET_BF16, &e);
    CHECK_MSG(r16 != NULL, "%s", e.msg);
    CHECK(omp_get_max_threads() == 2);
    if (r32 && r16) {
        CHECK(ssd_runner_precision(r16) == NET_BF16);
        tally t = { .min_iou = 1 };
        char pattern[4096];
        glob_t g = { 0 };
        snprintf(pattern, sizeof pattern, "%s/reference/faceapi-ref/parity/*.png", shared);
        glob(pattern, 0, NULL, &g);
        snprintf(pattern, sizeof pattern, "%s/../demo/*.jpg", models);
        glob(pattern, GLOB_APPEND, NULL, &g);
        CHECK_MSG(g.gl_pathc == 20, "%zu images (14 parity PNGs + 6 demo photos expected)", g.gl_pathc);
        for (size_t i = 0; i < g.gl_pathc; i++)
            compare_file(r32, r16, g.gl_pathv[i], &t);
        CHECK(omp_get_max_threads() == 2);
        qsort(t.diffs, (size_t)t.nd, sizeof *t.diffs, dcmp);
        printf("bf16 vs fp32 on %d images: fp32 %d faces, bf16 %d, matched %d (IoU >= 0.9, min %.4f), "
               "near the threshold in one list only %d; |score diff| p50 %.4f p95 %.4f max %.4f\n",
               t.images, t.faces32, t.faces16, t.matched, t.min_iou, t.near_only, t.nd ? t.diffs[t.nd / 2] : 0,
               t.nd ? t.diffs[t.nd * 95 / 100] : 0, t.nd ? t.diffs[t.nd - 1] : 0);
        CHECK(t.faces32 >= 80 && t.matched >= t.faces32 - 2);
        snprintf(pattern, sizeof pattern, "%s/data/group-photos/solvay-1927/1280px-Solvay_conference_1927.png", shared);
        check_canvas_tiled(r32, r16, g.gl_pathv[g.gl_pathc - 1], pattern);
        if (g.gl_pathc > 0) {
            check_anchors(r32, r16, g.gl_pathv[0]);
            check_concurrent(m, r16, g.gl_pathv[0]);
            check_no_team(m, g.gl_pathv[0]);
        }
        globfree(&g);
    }
    ssd_runner_free(r16);
    ssd_runner_free(r32);
    ssd_free(m);
    return test_main_end();
}
