/* ssd_compare.c — ssd_compare.h. */
#include "ssd_compare.h"

#include "media/image.h"
#include "testutil.h"
#include "vision/prep.h"

#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
    int images, faces32, facesq, matched, near_only;
    double min_iou, diffs[1000];
    int nd;
} tally;

/* Faces of `a` without a partner in `b` (IoU >= same_face_iou): each must be
 * near the threshold. count: add the matches to t's figures. */
static void match(const char *file, const det_list *a, const det_list *b, const char *what, const ssd_bounds *bd,
                  tally *t, int count)
{
    char *used = calloc(b->n + 1, 1);
    for (size_t i = 0; i < a->n; i++) {
        double best = 0;
        size_t bi = 0;
        for (size_t k = 0; k < b->n; k++)
            if (!used[k] && box_iou(a->faces[i].box, b->faces[k].box) > best)
                best = box_iou(a->faces[i].box, b->faces[k].box), bi = k;
        if (best >= bd->same_face_iou) {
            used[bi] = 1;
            double ds = fabs(a->faces[i].score - b->faces[bi].score);
            CHECK_MSG(ds <= bd->score_tol, "%s: face %zu score %.4f vs %.4f", file, i, a->faces[i].score,
                      b->faces[bi].score);
            if (count) {
                t->matched++;
                t->min_iou = fmin(t->min_iou, best);
                if (t->nd < 1000)
                    t->diffs[t->nd++] = ds;
            }
        } else {
            CHECK_MSG(a->faces[i].score < 0.5 + bd->near_threshold,
                      "%s: %s face %zu (%.0f,%.0f %.0fx%.0f, score %.4f) has no partner (best IoU %.3f)", file, what, i,
                      a->faces[i].box.x, a->faces[i].box.y, a->faces[i].box.w, a->faces[i].box.h, a->faces[i].score,
                      best);
            t->near_only++;
        }
    }
    free(used);
}

/* Both lists against each other, fp32's matches counted. */
static void match_both(const char *file, const det_list *a, const det_list *b, const char *how, const ssd_bounds *bd,
                       tally *t)
{
    char what[64];
    snprintf(what, sizeof what, "fp32%s", how);
    match(file, a, b, what, bd, t, 1);
    snprintf(what, sizeof what, "%s%s", bd->name, how);
    match(file, b, a, what, bd, t, 0);
}

static void compare_file(ssd_runner *r32, ssd_runner *rq, const char *path, const ssd_bounds *bd, tally *t)
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
    CHECK_MSG(ssd_detect(rq, &img, &opt, &b, &e) == 0, "%s", e.msg);
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    match_both(file, &a, &b, "", bd, t);
    t->faces32 += (int)a.n;
    t->facesq += (int)b.n;
    t->images++;
    det_list_free(&a);
    det_list_free(&b);
    image_free(&img);
}

void ssd_compare_images(const char *shared, const char *models, glob_t *g)
{
    char pattern[4096];
    *g = (glob_t){ 0 };
    snprintf(pattern, sizeof pattern, "%s/reference/faceapi-ref/parity/*.png", shared);
    glob(pattern, 0, NULL, g);
    snprintf(pattern, sizeof pattern, "%s/../demo/*.jpg", models);
    glob(pattern, GLOB_APPEND, NULL, g);
    CHECK_MSG(g->gl_pathc == 20, "%zu images (14 parity PNGs + 6 demo photos expected)", g->gl_pathc);
}

void ssd_compare_set(ssd_runner *r32, ssd_runner *rq, const glob_t *g, const ssd_bounds *b)
{
    tally t = { .min_iou = 1 };
    for (size_t i = 0; i < g->gl_pathc; i++)
        compare_file(r32, rq, g->gl_pathv[i], b, &t);
    qsort(t.diffs, (size_t)t.nd, sizeof *t.diffs, dcmp);
    printf("%s vs fp32 on %d images: fp32 %d faces, %s %d, matched %d (IoU >= %.2g, min %.4f), "
           "near the threshold in one list only %d; |score diff| p50 %.4f p95 %.4f max %.4f\n",
           b->name, t.images, t.faces32, b->name, t.facesq, t.matched, b->same_face_iou, t.min_iou, t.near_only,
           t.nd ? t.diffs[t.nd / 2] : 0, t.nd ? t.diffs[t.nd * 95 / 100] : 0, t.nd ? t.diffs[t.nd - 1] : 0);
    CHECK(t.faces32 >= 80 && t.matched >= t.faces32 - 2);
}

void ssd_compare_anchors(ssd_runner *r32, ssd_runner *rq, const char *path, const ssd_bounds *b)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    size_t n = (size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3;
    float *in = malloc(n * sizeof *in), *b32 = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5),
          *bq = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    prep_rect all = { 0, 0, img.width, img.height };
    CHECK(prep_square(&img, all, PREP_PAD_END, SSD_INPUT_SIZE, in, &e) == 0);
    CHECK(ssd_infer(r32, in, b32, b32 + SSD_NUM_ANCHORS * 4, &e) == 0);
    CHECK(ssd_infer(rq, in, bq, bq + SSD_NUM_ANCHORS * 4, &e) == 0);
    double ds = 0, db = 0;
    for (int a = 0; a < SSD_NUM_ANCHORS; a++) {
        ds = fmax(ds, fabs(b32[SSD_NUM_ANCHORS * 4 + a] - bq[SSD_NUM_ANCHORS * 4 + a]));
        if (b32[SSD_NUM_ANCHORS * 4 + a] > 0.3) /* box corners of likely faces, in units of the 512 square */
            for (int k = 0; k < 4; k++)
                db = fmax(db, fabs(b32[a * 4 + k] - bq[a * 4 + k]));
    }
    printf("ssd_infer on %s: max |anchor score diff| %.4f, max |box corner diff| of anchors > 0.3: %.4f\n", path, ds,
           db);
    CHECK_MSG(ds <= b->anchor_tol, "anchor scores differ by %.4f", ds);
    CHECK_MSG(db <= b->corner_tol, "box corners differ by %.4f", db);
    free(in);
    free(b32);
    free(bq);
    image_free(&img);
}

void ssd_compare_canvas_tiled(ssd_runner *r32, ssd_runner *rq, const char *crop, const char *big, const ssd_bounds *b)
{
    image img = { 0 };
    err e = { 0 };
    tally t = { .min_iou = 1 };
    const float zero[3] = { 0, 0, 0 };
    if (image_load_rgb(crop, 0, 0, &img, &e) == 0) {
        det_list a = { 0 }, q = { 0 };
        CHECK_MSG(ssd_detect_canvas(r32, &img, NULL, 2.0, zero, &a, &e) == 0, "%s", e.msg);
        CHECK_MSG(ssd_detect_canvas(rq, &img, NULL, 2.0, zero, &q, &e) == 0, "%s", e.msg);
        CHECK(a.n > 0);
        match_both(crop, &a, &q, " canvas", b, &t);
        printf("canvas x2 on %s: fp32 %zu faces, %s %zu\n", crop, a.n, b->name, q.n);
        det_list_free(&a);
        det_list_free(&q);
        image_free(&img);
    } else
        CHECK_MSG(0, "%s", e.msg);
    if (image_load_rgb(big, 0, 0, &img, &e) == 0) {
        det_list a = { 0 }, q = { 0 };
        CHECK_MSG(ssd_detect_tiled(r32, &img, NULL, NULL, &a, &e) == 0, "%s", e.msg);
        CHECK_MSG(ssd_detect_tiled(rq, &img, NULL, NULL, &q, &e) == 0, "%s", e.msg);
        CHECK(a.n > 20);
        match_both(big, &a, &q, " tiled", b, &t);
        printf("640 px tiles on %s: fp32 %zu faces, %s %zu, matched %d\n", big, a.n, b->name, q.n, t.matched);
        det_list_free(&a);
        det_list_free(&q);
        image_free(&img);
    } else
        CHECK_MSG(0, "%s", e.msg);
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

void *ssd_compare_job_run(void *arg)
{
    ssd_compare_job *j = arg;
    omp_set_num_threads(2); /* what a thread would get on this 2-core machine */
    j->threads_before = thread_count();
    ssd_runner *r = ssd_runner_new(j->m, NULL, j->prec, &j->e);
    j->rc = r ? 0 : -1;
    for (int k = 0; k < 2 && j->rc == 0; k++) {
        j->out.n = 0;
        j->rc = ssd_detect(r, j->img, NULL, &j->out, &j->e);
    }
    ssd_runner_free(r);
    j->threads_after = thread_count();
    return NULL;
}

void ssd_compare_concurrent(ssd_model *m, ssd_runner *rq, net_precision prec, const char *path)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    det_list want = { 0 };
    CHECK(ssd_detect(rq, &img, NULL, &want, &e) == 0 && want.n > 0);
    ssd_compare_job jobs[2] = { { .m = m, .img = &img, .prec = prec }, { .m = m, .img = &img, .prec = prec } };
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&th[i], NULL, ssd_compare_job_run, &jobs[i]) == 0);
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
