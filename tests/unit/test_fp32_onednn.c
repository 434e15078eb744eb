/* test_fp32_onednn.c — the networks in fp32 on oneDNN's JIT kernels
 * (NET_FP32_ONEDNN, default mode's precision on AVX2-only CPUs:
 * bf16net_f32_fast) against fp32 on XNNPACK (NET_FP32, face-api's numbers).
 *
 * Both are fp32; only the summation order and the kernels differ, so the
 * bounds are float rounding through ~30 layers, far tighter than bf16's:
 *   - SSD, raw network on the 14 lossless parity PNGs and the 6 demo photos:
 *     every anchor's score within 1e-3, the box corners of anchors scoring
 *     > 0.3 within 1e-3 of the 512 square; ssd_detect finds the same faces
 *     (IoU >= 0.99, |score diff| <= 1e-3);
 *   - recognizer: descriptors of the 61 golden faces and the demo faces within
 *     Euclidean distance 1e-3 (bf16's ceiling is 0.05; one person's faces
 *     start near 0.3);
 *   - landmarks: the 68 points of the demo faces within 0.05 px.
 * Under the sanitizers the SSD part takes every second of the 20 images (parity
 * PNGs and demo photos both): the same code paths, fewer repetitions.
 * oneDNN fp32 runs on every x86-64 CPU, so nothing here is skipped for the
 * CPU; the default-mode choice itself is bf16net_f32_fast's (checked for
 * consistency with net_precision_best). */
#include "bf16_faces.h"
#include "nn/bf16net.h"
#include "nn/net.h"
#include "vision/prep.h"
#include "vision/recognizer.h"
#include "vision/ssd.h"

#define SCORE_TOL 1e-3
#define DESC_TOL 1e-3
#define POINT_TOL 0.05
/* The faces XNNPACK's SSD finds on every second image (the sanitizers' subset):
 * 40 (all 20 images: 83, floor 80). */
#define FP32_FACES_HALF 38

static double box_iou(rectd a, rectd b)
{
    double x0 = fmax(a.x, b.x), y0 = fmax(a.y, b.y);
    double x1 = fmin(a.x + a.w, b.x + b.w), y1 = fmin(a.y + a.h, b.y + b.h);
    double inter = fmax(0, x1 - x0) * fmax(0, y1 - y0);
    double uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0;
}

static void compare_ssd(ssd_runner *ra, ssd_runner *rb, const char *path, double *worst_score, double *worst_box,
                        int *faces)
{
    image img = { 0 };
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, &img, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return;
    }
    size_t n = (size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3;
    float *in = malloc(n * sizeof *in), *a = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5),
          *b = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    prep_rect all = { 0, 0, img.width, img.height };
    CHECK(prep_square_area(&img, all, PREP_PAD_END, SSD_INPUT_SIZE, in, &e) == 0);
    CHECK_MSG(ssd_infer(ra, in, a, a + SSD_NUM_ANCHORS * 4, &e) == 0, "%s", e.msg);
    CHECK_MSG(ssd_infer(rb, in, b, b + SSD_NUM_ANCHORS * 4, &e) == 0, "%s", e.msg);
    double ds = 0, db = 0;
    for (int k = 0; k < SSD_NUM_ANCHORS; k++) {
        ds = fmax(ds, fabs(a[SSD_NUM_ANCHORS * 4 + k] - b[SSD_NUM_ANCHORS * 4 + k]));
        if (a[SSD_NUM_ANCHORS * 4 + k] > 0.3)
            for (int j = 0; j < 4; j++)
                db = fmax(db, fabs(a[k * 4 + j] - b[k * 4 + j]));
    }
    CHECK_MSG(ds <= SCORE_TOL && db <= SCORE_TOL, "%s: anchor scores differ by %.2g, boxes by %.2g", path, ds, db);
    *worst_score = fmax(*worst_score, ds), *worst_box = fmax(*worst_box, db);
    det_list la = { 0 }, lb = { 0 };
    ssd_options opt = ssd_default_options();
    CHECK_MSG(ssd_detect(ra, &img, &opt, &la, &e) == 0, "%s", e.msg);
    CHECK_MSG(ssd_detect(rb, &img, &opt, &lb, &e) == 0, "%s", e.msg);
    for (size_t i = 0; i < la.n; i++) {
        int found = 0;
        for (size_t k = 0; k < lb.n && !found; k++)
            found = box_iou(la.faces[i].box, lb.faces[k].box) >= 0.99 &&
                    fabs(la.faces[i].score - lb.faces[k].score) <= SCORE_TOL;
        /* a face within rounding of the threshold may be on either side */
        CHECK_MSG(found || fabs(la.faces[i].score - opt.min_score) <= SCORE_TOL,
                  "%s: XNNPACK face %zu (%.4f) not found", path, i, la.faces[i].score);
    }
    CHECK_MSG(la.n == lb.n || la.n + 1 == lb.n || lb.n + 1 == la.n, "%s: %zu faces against %zu", path, la.n, lb.n);
    *faces += (int)la.n;
    det_list_free(&la);
    det_list_free(&lb);
    free(in);
    free(a);
    free(b);
    image_free(&img);
}

typedef struct pair {
    recognizer_runner *ra, *rb;
    landmarks_runner *la, *lb;
    double worst_desc, worst_pt;
    int n;
} pair;

static void compare_face(void *ctx, const image *im, const pointd pts[CROPS_NPOINTS], crop_rect lmcrop,
                         const char *what)
{
    pair *p = ctx;
    err e = { 0 };
    float a[RECOGNIZER_DIM], b[RECOGNIZER_DIM];
    (void)lmcrop;
    CHECK_MSG(recognizer_describe_aligned(p->ra, im, pts, a, &e) == 0, "%s", e.msg);
    CHECK_MSG(recognizer_describe_aligned(p->rb, im, pts, b, &e) == 0, "%s", e.msg);
    const double d = recognizer_distance(a, b);
    CHECK_MSG(d <= DESC_TOL, "%s: descriptor distance %.2g", what, d);
    p->worst_desc = fmax(p->worst_desc, d);
    p->n++;
}

static void compare_points(void *ctx, const image *im, const pointd pts[CROPS_NPOINTS], crop_rect lmcrop,
                           const char *what)
{
    pair *p = ctx;
    err e = { 0 };
    (void)pts;
    rectd box = { lmcrop.x, lmcrop.y, lmcrop.w, lmcrop.h };
    pointd a[CROPS_NPOINTS], b[CROPS_NPOINTS];
    crop_rect ca, cb;
    CHECK_MSG(landmarks_detect(p->la, im, box, a, &ca, &e) == 0, "%s", e.msg);
    CHECK_MSG(landmarks_detect(p->lb, im, box, b, &cb, &e) == 0, "%s", e.msg);
    double w = 0;
    for (int k = 0; k < CROPS_NPOINTS; k++)
        w = fmax(w, fmax(fabs(a[k].x - b[k].x), fabs(a[k].y - b[k].y)));
    CHECK_MSG(w <= POINT_TOL, "%s: landmarks differ by %.3f px", what, w);
    p->worst_pt = fmax(p->worst_pt, w);
    compare_face(ctx, im, a, lmcrop, what);
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
    CHECK(net_precision_best() == (bf16net_available() ? NET_BF16 : bf16net_f32_fast() ? NET_FP32_ONEDNN : NET_FP32));
    CHECK(!strcmp(net_precision_name(NET_FP32_ONEDNN), "fp32-onednn"));
    ssd_model *m = ssd_load(models, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    ssd_runner *ra = m ? ssd_runner_new(m, NULL, NET_FP32, &e) : NULL;
    ssd_runner *rb = m ? ssd_runner_new(m, NULL, NET_FP32_ONEDNN, &e) : NULL;
    CHECK_MSG(ra && rb, "%s", e.msg);
    CHECK(rb && ssd_runner_precision(rb) == NET_FP32_ONEDNN);
    if (ra && rb) {
        char pattern[4096];
        glob_t g = { 0 };
        snprintf(pattern, sizeof pattern, "%s/reference/faceapi-ref/parity/*.png", shared);
        glob(pattern, 0, NULL, &g);
        snprintf(pattern, sizeof pattern, "%s/../demo/*.jpg", models);
        glob(pattern, GLOB_APPEND, NULL, &g);
        CHECK_MSG(g.gl_pathc == 20, "%zu images (14 parity PNGs + 6 demo photos expected)", g.gl_pathc);
        double ws = 0, wb = 0;
        int faces = 0;
        const size_t step = TEST_SANITIZED ? 2 : 1;
        for (size_t i = 0; i < g.gl_pathc; i += step)
            compare_ssd(ra, rb, g.gl_pathv[i], &ws, &wb, &faces);
        printf("SSD fp32-onednn vs fp32 (XNNPACK) on %zu images: max |anchor score diff| %.2g, max |box corner "
               "diff| %.2g, %d faces\n",
               (g.gl_pathc + step - 1) / step, ws, wb, faces);
        CHECK(faces >= (TEST_SANITIZED ? FP32_FACES_HALF : 80));
        globfree(&g);
    }
    ssd_runner_free(ra);
    ssd_runner_free(rb);
    ssd_free(m);

    recognizer_net *rn = NULL;
    landmarks_net *ln = NULL;
    pair p = { 0 };
    CHECK_MSG(recognizer_net_load(models, &rn, &e) == 0, "%s", e.msg);
    CHECK_MSG(landmarks_net_load(models, false, &ln, &e) == 0, "%s", e.msg);
    if (rn && ln) {
        CHECK_MSG(recognizer_runner_new(rn, NULL, NET_FP32, &p.ra, &e) == 0, "%s", e.msg);
        CHECK_MSG(recognizer_runner_new(rn, NULL, NET_FP32_ONEDNN, &p.rb, &e) == 0, "%s", e.msg);
        CHECK_MSG(landmarks_runner_new(ln, NULL, NET_FP32, &p.la, &e) == 0, "%s", e.msg);
        CHECK_MSG(landmarks_runner_new(ln, NULL, NET_FP32_ONEDNN, &p.lb, &e) == 0, "%s", e.msg);
    }
    if (p.ra && p.rb && p.la && p.lb) {
        int golden = bf16_golden_faces(compare_face, &p);
        int demo = bf16_demo_faces(p.la, compare_points, &p);
        printf("recognizer fp32-onednn vs fp32: %d golden + %d demo faces, max descriptor distance %.2g; landmarks "
               "max point diff %.3g px\n",
               golden, demo, p.worst_desc, p.worst_pt);
    }
    recognizer_runner_free(p.ra);
    recognizer_runner_free(p.rb);
    landmarks_runner_free(p.la);
    landmarks_runner_free(p.lb);
    recognizer_net_free(rn);
    landmarks_net_free(ln);
    return test_main_end();
}
