/* test_tinydet.c — the tiny face detector: decoding and NMS on hand-made grids
 * (threshold, anchor geometry, tie order, IoU 0.4), bad input sizes, and parity
 * with face-api's outputs on the lossless parity PNGs (tests/unit/data/
 * golden-parity-tiny.json, made by the reference harness): same faces, box IoU
 * >= 0.99, scores within 1e-3. */
#include "media/image.h"
#include "testutil.h"
#include "vision/tinydet.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static double box_iou(rectd a, rectd b)
{
    double x0 = fmax(a.x, b.x), y0 = fmax(a.y, b.y);
    double x1 = fmin(a.x + a.w, b.x + b.w), y1 = fmin(a.y + a.h, b.y + b.h);
    double inter = fmax(0, x1 - x0) * fmax(0, y1 - y0);
    double uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0;
}

static double logit(double p)
{
    return log(p / (1 - p));
}

/* A 2x2 grid (input 64) with every score far below threshold. */
static void empty_grid(float *g)
{
    for (int i = 0; i < 2 * 2 * TINYDET_ANCHORS; i++) {
        g[i * 5 + 0] = g[i * 5 + 1] = g[i * 5 + 2] = g[i * 5 + 3] = 0;
        g[i * 5 + 4] = -20;
    }
}

static float *cell(float *g, int row, int col, int a)
{
    return g + ((row * 2 + col) * TINYDET_ANCHORS + a) * 5;
}

static void test_decode_geometry(void)
{
    float g[2 * 2 * TINYDET_ANCHORS * 5];
    empty_grid(g);
    /* Row 1, col 0, anchor 1 (6.041143, 7.080126): centre offsets 0.5, sizes exp(0). */
    float *v = cell(g, 1, 0, 1);
    v[4] = (float)logit(0.9);
    det_list l = { 0 };
    err e = { 0 };
    /* Square image 640x640 at input 64: correction factors 1. */
    CHECK(tinydet_postprocess(g, 64, 640, 640, 0.5, &l, &e) == 0);
    CHECK(l.n == 1);
    if (l.n == 1) {
        double cx = (0 + 0.5) / 2, cy = (1 + 0.5) / 2, w = 6.041143 / 2, h = 7.080126 / 2;
        CHECK(fabs(l.faces[0].box.x - (cx - w / 2) * 640) < 1e-9);
        CHECK(fabs(l.faces[0].box.y - (cy - h / 2) * 640) < 1e-9);
        CHECK(fabs(l.faces[0].box.w - w * 640) < 1e-9);
        CHECK(fabs(l.faces[0].box.h - h * 640) < 1e-9);
        CHECK(fabs(l.faces[0].score - 0.9) < 1e-6);
    }
    det_list_free(&l);
    /* Wide image 640x320: reshaped 64x32, y correction 2. */
    CHECK(tinydet_postprocess(g, 64, 640, 320, 0.5, &l, &e) == 0);
    CHECK(l.n == 1 && fabs(l.faces[0].box.h - 7.080126 / 2 * 2 * 320) < 1e-9);
    det_list_free(&l);
    /* Threshold is strict. */
    CHECK(tinydet_postprocess(g, 64, 640, 640, 0.9 + 1e-6, &l, &e) == 0);
    CHECK(l.n == 0);
    det_list_free(&l);
}

static void test_nms(void)
{
    float g[2 * 2 * TINYDET_ANCHORS * 5];
    empty_grid(g);
    /* Two identical boxes with equal scores in cells (0,0) and (1,1) shifted to the same
     * place: the later index survives. Anchor 0 in both; centres set equal. */
    float *a = cell(g, 0, 0, 0), *b = cell(g, 1, 1, 0);
    a[0] = a[1] = (float)logit(0.9); /* centre (0.45, 0.45) */
    b[0] = b[1] = (float)logit(0.1); /* centre ((1+0.1)/2 = 0.55, 0.55) */
    a[4] = b[4] = (float)logit(0.8);
    det_list l = { 0 };
    err e = { 0 };
    CHECK(tinydet_postprocess(g, 64, 640, 640, 0.5, &l, &e) == 0);
    /* Boxes are anchor 0 sized (0.80 x 1.05 relative) with centres 0.1 apart: IoU 0.65. */
    CHECK(l.n == 1);
    if (l.n == 1)
        CHECK(fabs(l.faces[0].box.x - (0.55 - 1.603231 / 4) * 640) < 1e-4);
    det_list_free(&l);
    /* Centres 0.25 apart: IoU 0.35 <= 0.4, both kept. */
    a[0] = a[1] = (float)logit(0.75);
    b[0] = b[1] = (float)logit(0.25);
    CHECK(tinydet_postprocess(g, 64, 640, 640, 0.5, &l, &e) == 0);
    CHECK(l.n == 2);
    det_list_free(&l);
    /* Far apart (anchor 0 box in cell (0,0) vs a tiny far box): both kept, higher first. */
    empty_grid(g);
    a = cell(g, 0, 0, 0);
    b = cell(g, 1, 1, 2);
    a[2] = a[3] = -3; /* small */
    b[2] = b[3] = -3;
    a[4] = (float)logit(0.6);
    b[4] = (float)logit(0.7);
    CHECK(tinydet_postprocess(g, 64, 640, 640, 0.5, &l, &e) == 0);
    CHECK(l.n == 2 && l.faces[0].score > l.faces[1].score);
    det_list_free(&l);
}

static void test_bad_sizes(tinydet_model *m)
{
    err e = { 0 };
    CHECK(tinydet_runner_new(m, 100, NULL, &e) == NULL && e.code == ERR_INVALID && strstr(e.msg, "100"));
    det_list l = { 0 };
    float g[5];
    CHECK(tinydet_postprocess(g, 416, 0, 10, 0.5, &l, &e) == ERR_INVALID);
}

static void test_parity(tinydet_model *m, const char *shared, const char *src)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/unit/data/golden-parity-tiny.json", src);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    CHECK_MSG(root != NULL, "%s: %s", path, je.text);
    if (!root)
        return;
    err e = { 0 };
    tinydet_runner *r = tinydet_runner_new(m, TINYDET_DEFAULT_SIZE, NULL, &e);
    CHECK_MSG(r != NULL, "%s", e.msg);
    int images = 0, faces = 0;
    double max_ds = 0, min_iou = 1;
    size_t i;
    json_t *im;
    json_array_foreach(json_object_get(root, "images"), i, im)
    {
        if (!r)
            break;
        const char *file = json_string_value(json_object_get(im, "file"));
        snprintf(path, sizeof path, "%s/reference/faceapi-ref/parity/%s", shared, file);
        image img = { 0 };
        CHECK_MSG(image_load_rgb(path, 0, 0, &img, &e) == 0, "%s", e.msg);
        if (!img.rgb)
            continue;
        det_list got = { 0 };
        CHECK_MSG(tinydet_detect(r, &img, NULL, &got, &e) == 0, "%s", e.msg);
        json_t *gf = json_object_get(im, "faces");
        CHECK_MSG(got.n == json_array_size(gf), "%s: %zu faces, golden %zu", file, got.n, json_array_size(gf));
        size_t k;
        json_t *f;
        json_array_foreach(gf, k, f)
        {
            json_t *b = json_object_get(f, "box");
            rectd gb = { json_number_value(json_object_get(b, "x")), json_number_value(json_object_get(b, "y")),
                         json_number_value(json_object_get(b, "width")),
                         json_number_value(json_object_get(b, "height")) };
            double best = -1;
            size_t bi = 0;
            for (size_t q = 0; q < got.n; q++)
                if (box_iou(gb, got.faces[q].box) > best)
                    best = box_iou(gb, got.faces[q].box), bi = q;
            if (best < 0) {
                CHECK_MSG(0, "%s: golden face %zu not found", file, k);
                continue;
            }
            double ds = fabs(got.faces[bi].score - json_number_value(json_object_get(f, "score")));
            CHECK_MSG(best >= 0.99, "%s face %zu: IoU %.5f", file, k, best);
            CHECK_MSG(ds <= 1e-3, "%s face %zu: score diff %.3g", file, k, ds);
            max_ds = fmax(max_ds, ds);
            min_iou = fmin(min_iou, best);
            faces++;
        }
        images++;
        det_list_free(&got);
        image_free(&img);
    }
    printf("tiny parity vs golden-parity-tiny.json: %d images, %d faces, max |score diff| %.3g, min IoU %.6f\n", images,
           faces, max_ds, min_iou);
    CHECK(faces > 0);
    /* Another input size rebuilds the graph and still finds the large faces. */
    snprintf(path, sizeof path, "%s/reference/faceapi-ref/parity/sample1.png", shared);
    image img = { 0 };
    if (r && image_load_rgb(path, 0, 0, &img, &e) == 0) {
        det_list l = { 0 };
        tinydet_options o = { 0.5, 608, 0 };
        CHECK_MSG(tinydet_detect(r, &img, &o, &l, &e) == 0, "%s", e.msg);
        CHECK(l.n >= 2);
        det_list_free(&l);
        image_free(&img);
    }
    tinydet_runner_free(r);
    json_decref(root);
}

int main(int argc, char **argv)
{
    (void)argc;
    err e = { 0 };
    CHECK_MSG(image_init(argv[0], &e) == 0, "%s", e.msg);
    test_decode_geometry();
    test_nms();
    const char *shared = test_shared_dir();
    const char *models = getenv("FACETAG_MODELS");
    const char *src = getenv("FACETAG_SRC");
    char parity[4096];
    snprintf(parity, sizeof parity, "%s/reference/faceapi-ref/parity", shared ? shared : "");
    struct stat st;
    if (!models || stat(models, &st) != 0) {
        printf("skipped: models (%s) absent: network tests not run\n", models ? models : "$FACETAG_MODELS unset");
        return test_main_end();
    }
    tinydet_model *m = tinydet_load(models, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    if (!m)
        return test_main_end();
    test_bad_sizes(m);
    if (!shared || stat(parity, &st) != 0 || !src)
        printf("skipped: parity data (%s) or $FACETAG_SRC absent\n", parity);
    else
        test_parity(m, shared, src);
    tinydet_free(m);
    return test_main_end();
}
