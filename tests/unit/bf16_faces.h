/* bf16_faces.h — what the bf16 network tests (test_recognizer_bf16,
 * test_attributes_bf16) share: the real faces they compare bf16 with fp32 on
 * (the 61 golden faces of the 14 parity PNGs, the faces the fp32 SSD and
 * landmarks find in the 6 demo photos), the tolerance of a synthetic bf16net
 * against a plain f32 reference, and the percentile sort. Header-only (static). */
#ifndef FACETAG_TEST_BF16_FACES_H
#define FACETAG_TEST_BF16_FACES_H

#include "golden_faces.h"
#include "nn/bf16net.h"
#include "vision/landmarks.h"
#include "vision/ssd.h"

#include <glob.h>
#include <math.h>

static inline const char *bf16_models_dir(void)
{
    const char *m = getenv("FACETAG_MODELS");
    return m && *m ? m : FACETAG_DEFAULT_MODELS;
}

static inline int bf16_dcmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* NHWC h x h x c, value at (y, x, ch). */
#define BF16_AT(p, h, c, y, x, ch) (p)[((size_t)(y) * (h) + (x)) * (c) + (ch)]

/* What bf16 rounding through a few layers may change: 2% of the largest |value|
 * (a wrong window, pad side or operand is off by far more). */
static inline float bf16_near_tol(const float *want, int n)
{
    float m = 0;
    for (int i = 0; i < n; i++)
        m = fmaxf(m, fabsf(want[i]));
    return 0.02f * m + 1e-3f;
}

/* A malformed list (n layers on a size x size x c input) must be refused. */
static inline void bf16_check_refused(const layer *bad, int n, int size, int c, const char *why)
{
    err e = { 0 };
    bf16net *net = bf16net_new("bad", size, c, bad, n, 0, &e);
    CHECK_MSG(net == NULL && e.code == ERR_INVALID, "a list that %s was not refused (%s)", why, e.msg);
    bf16net_free(net);
}

/* Called per face: its image, 68 points (image px), landmark crop and a name. */
typedef void bf16_face_fn(void *ctx, const image *im, const pointd pts[CROPS_NPOINTS], crop_rect lmcrop,
                          const char *what);

/* The 61 golden faces: golden points and landmark crops. Returns the count
 * (0 without FACETAG_SHARED). */
static inline int bf16_golden_faces(bf16_face_fn *fn, void *ctx)
{
    json_t *root = golden_load("reference/faceapi-ref/parity/golden-parity.json");
    if (!root)
        return 0;
    size_t ii, fi;
    json_t *img, *face;
    int faces = 0;
    json_array_foreach(json_object_get(root, "images"), ii, img)
    {
        image im = { 0 };
        if (!golden_image(img, &im)) {
            CHECK(0);
            continue;
        }
        json_array_foreach(json_object_get(img, "faces"), fi, face)
        {
            pointd pts[CROPS_NPOINTS];
            CHECK(golden_points(face, pts));
            char what[256];
            snprintf(what, sizeof what, "%s face %zu", json_string_value(json_object_get(img, "file")), fi);
            fn(ctx, &im, pts, golden_crop(face, "landmarks"), what);
            faces++;
        }
        image_free(&im);
    }
    CHECK(faces == 61);
    json_decref(root);
    return faces;
}

/* The faces the fp32 SSD (score >= 0.5) and the fp32 landmarks runner lm find
 * in the demo photos. Returns the count (checked >= 20). */
static inline int bf16_demo_faces(landmarks_runner *lm, bf16_face_fn *fn, void *ctx)
{
    err e = { 0 };
    ssd_model *m = ssd_load(bf16_models_dir(), &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    ssd_runner *det = m ? ssd_runner_new(m, NULL, NET_FP32, &e) : NULL;
    char pattern[4096];
    glob_t g = { 0 };
    snprintf(pattern, sizeof pattern, "%s/../demo/*.jpg", bf16_models_dir());
    glob(pattern, 0, NULL, &g);
    CHECK_MSG(g.gl_pathc == 6, "%zu demo photos (6 expected)", g.gl_pathc);
    const ssd_options opt = ssd_default_options();
    int faces = 0;
    for (size_t i = 0; det && lm && i < g.gl_pathc; i++) {
        image im = { 0 };
        det_list l = { 0 };
        if (image_load_rgb(g.gl_pathv[i], 1, 0, &im, &e) != 0 || ssd_detect(det, &im, &opt, &l, &e) != 0) {
            CHECK_MSG(0, "%s: %s", g.gl_pathv[i], e.msg);
            image_free(&im);
            continue;
        }
        for (size_t k = 0; k < l.n; k++) {
            pointd pts[CROPS_NPOINTS];
            crop_rect lc;
            if (landmarks_detect(lm, &im, l.faces[k].box, pts, &lc, &e) != 0)
                continue;
            char what[4200];
            snprintf(what, sizeof what, "%s face %zu", g.gl_pathv[i], k);
            fn(ctx, &im, pts, lc, what);
            faces++;
        }
        det_list_free(&l);
        image_free(&im);
    }
    CHECK_MSG(faces >= 20, "%d demo faces", faces);
    globfree(&g);
    ssd_runner_free(det);
    ssd_free(m);
    return faces;
}

#endif
