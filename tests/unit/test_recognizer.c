/* test_recognizer.c — the face recognition ResNet against the reference.
 * Parity: each parity face's golden integer descriptor crop (crops.descriptor) cut
 * from its PNG must give a descriptor within Euclidean distance 1e-3 of the
 * reference's (wasm), for all 61 faces; recognizer_describe from the golden
 * landmarks must cut the same crop.
 * Aligned chips: for golden faces, dlib's chip geometry puts the eye centres level
 * (within 1 px) at the template's positions, and the aligned descriptor is within
 * the same-person distance (< 0.6) of the axis-aligned one. */
#include "golden_faces.h"
#include "vision/align.h"
#include "vision/recognizer.h"

#include <math.h>
#include <time.h>

static const char *models_dir(void)
{
    const char *m = getenv("FACETAG_MODELS");
    return m && *m ? m : FACETAG_DEFAULT_MODELS;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void golden_descriptor(const json_t *face, float d[RECOGNIZER_DIM])
{
    const json_t *a = json_object_get(face, "descriptor");
    CHECK(json_array_size(a) == RECOGNIZER_DIM);
    for (int i = 0; i < RECOGNIZER_DIM; i++)
        d[i] = (float)json_number_value(json_array_get(a, i));
}

/* Eye centres of the chip: the mean of the 6 eye points mapped into the chip. */
static void chip_eyes(const align_chip *c, const pointd pts[CROPS_NPOINTS], pointd *l, pointd *r)
{
    *l = align_image_to_chip(c, crops_center(pts, 36, 6));
    *r = align_image_to_chip(c, crops_center(pts, 42, 6));
}

static void test_align_geometry(void)
{
    err e = { 0 };
    /* Landmarks that are dlib's template rotated by 30 degrees, scaled 2.5x and
     * moved: the chip must undo exactly that — template eyes level, every fitted
     * point within a pixel of its template position (dlib maps chip pixel 74.5,
     * not 75, to the transform's centre, hence not exactly on it). */
    const double a = 30 * M_PI / 180, s = 2.5, tx = 300, ty = 200;
    pointd pts[CROPS_NPOINTS] = { { 0 } }, tmpl[CROPS_NPOINTS] = { { 0 } };
    int nfit = 0;
    for (int i = 0; i < CROPS_NPOINTS; i++) {
        pointd t;
        if (!align_template(i, 150, 0.25, &t)) {
            pts[i] = (pointd){ tx, ty }; /* points dlib ignores must not matter */
            continue;
        }
        nfit++;
        tmpl[i] = t;
        pts[i] = (pointd){ tx + s * (cos(a) * t.x - sin(a) * t.y), ty + s * (sin(a) * t.x + cos(a) * t.y) };
    }
    CHECK(nfit == 33);
    align_chip c;
    CHECK(align_chip_details(pts, 150, 0.25, &c, &e) == 0);
    CHECK(fabs(c.angle - a) < 1e-9 && fabs(c.side - 150 * s) < 1e-9);
    double worst = 0;
    for (int i = 0; i < CROPS_NPOINTS; i++) {
        pointd t;
        if (!align_template(i, 150, 0.25, &t))
            continue;
        pointd q = align_image_to_chip(&c, pts[i]);
        worst = fmax(worst, hypot(q.x - tmpl[i].x, q.y - tmpl[i].y));
    }
    CHECK_MSG(worst < 1.0, "template points land %.3f px off", worst);
    pointd le, re;
    /* eye corners 36/39 and 42/45 are fitted: their chip y must match pairwise */
    le = align_image_to_chip(&c, pts[36]), re = align_image_to_chip(&c, pts[45]);
    CHECK(fabs(le.y - re.y) < 1e-6);
    /* chip → image → chip is the identity. */
    pointd p = align_chip_to_image(&c, 12.5, 140.25), q = align_image_to_chip(&c, p);
    CHECK(fabs(q.x - 12.5) < 1e-9 && fabs(q.y - 140.25) < 1e-9);
    /* Degenerate landmarks and bad arguments are refused. */
    pointd same[CROPS_NPOINTS];
    for (int i = 0; i < CROPS_NPOINTS; i++)
        same[i] = (pointd){ 5, 5 };
    CHECK(align_chip_details(same, 150, 0.25, &c, &e) == ERR_INVALID);
    CHECK(align_chip_details(pts, 1, 0.25, &c, &e) == ERR_INVALID);

    /* Sampling: a chip of an image that is one flat colour is that colour inside
     * and black where the chip leaves the image. */
    image flat = { .width = 400, .height = 300, .rgb = malloc(400 * 300 * 3) };
    for (int i = 0; i < 400 * 300; i++)
        flat.rgb[3 * i] = 200, flat.rgb[3 * i + 1] = 100, flat.rgb[3 * i + 2] = 50;
    align_chip in = { .size = 150, .cx = 200, .cy = 150, .side = 600, .angle = 0.3 }; /* 4x: pyramid used */
    float *chip = malloc(150 * 150 * 3 * sizeof *chip);
    CHECK(align_extract(&flat, &in, chip, &e) == 0);
    const float *mid = chip + (75 * 150 + 75) * 3, *corner = chip;
    CHECK(fabsf(mid[0] - 200) < 1e-3f && fabsf(mid[1] - 100) < 1e-3f && fabsf(mid[2] - 50) < 1e-3f);
    CHECK(corner[0] == 0 && corner[1] == 0 && corner[2] == 0);
    free(chip);
    image_free(&flat);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    err e = { 0 };
    CHECK(image_init("test_recognizer", &e) == 0);
    test_align_geometry();
    recognizer_net *net = NULL;
    recognizer_runner *r = NULL;
    nn_threads *pool = NULL; /* single-threaded: ctest runs tests side by side */
    int rc = recognizer_net_load(models_dir(), &net, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc == 0)
        CHECK_MSG(recognizer_runner_new(net, pool, NET_FP32, &r, &e) == 0, "%s", e.msg);
    json_t *root = golden_load("reference/faceapi-ref/parity/golden-parity.json");
    if (r && root) {
        printf("recognizer: %.3f GFLOP per face\n", recognizer_net_flops(net) / 1e9);
        double max_dist = 0, max_elem = 0, ms = 0, ms_al = 0, max_tilt = 0, max_al_dist = 0, sum_al_dist = 0;
        int faces = 0, timed = 0, aligned = 0;
        double tilts[128];
        size_t ii;
        json_t *img;
        json_array_foreach(json_object_get(root, "images"), ii, img)
        {
            image im = { 0 };
            if (!golden_image(img, &im)) {
                CHECK(0);
                continue;
            }
            const char *file = json_string_value(json_object_get(img, "file"));
            size_t fi;
            json_t *face;
            json_array_foreach(json_object_get(img, "faces"), fi, face)
            {
                float want[RECOGNIZER_DIM], got[RECOGNIZER_DIM], al[RECOGNIZER_DIM];
                golden_descriptor(face, want);
                const double t0 = now_ms();
                CHECK_MSG(recognizer_describe_crop(r, &im, golden_crop(face, "descriptor"), got, &e) == 0, "%s", e.msg);
                if (faces > 0)
                    ms += now_ms() - t0, timed++; /* the first run warms XNNPACK up */
                const double d = recognizer_distance(got, want);
                CHECK_MSG(d <= 1e-3, "%s face %zu: descriptor distance %.2e", file, fi, d);
                max_dist = fmax(max_dist, d);
                for (int i = 0; i < RECOGNIZER_DIM; i++)
                    max_elem = fmax(max_elem, fabs(got[i] - want[i]));

                /* The whole stage from the golden landmarks cuts the same crop. */
                pointd pts[CROPS_NPOINTS];
                CHECK(golden_points(face, pts));
                crop_rect c;
                float again[RECOGNIZER_DIM];
                CHECK(recognizer_describe(r, &im, pts, golden_crop(face, "landmarks"), again, &c, &e) == 0);
                const crop_rect g = golden_crop(face, "descriptor");
                CHECK(c.x == g.x && c.y == g.y && c.w == g.w && c.h == g.h);
                CHECK(recognizer_distance(again, got) == 0);

                /* Aligned chip: upright, and the descriptor stays with the person. */
                align_chip chip;
                CHECK(align_chip_details(pts, RECOGNIZER_INPUT, ALIGN_DLIB_PADDING, &chip, &e) == 0);
                pointd le, re;
                chip_eyes(&chip, pts, &le, &re);
                CHECK(le.x < re.x);
                const pointd L = crops_center(pts, 36, 6), R = crops_center(pts, 42, 6);
                const double roll = atan2(R.y - L.y, R.x - L.x), chip_roll = atan2(re.y - le.y, re.x - le.x);
                tilts[aligned] = fabs(le.y - re.y);
                /* dlib fits 33 points (nose, eyes, mouth), not the eyes alone: on a
                 * turned head the eye line keeps a few degrees; a rolled face must come
                 * out upright all the same. */
                if (fabs(roll) > 10 * M_PI / 180)
                    CHECK_MSG(fabs(chip_roll) < fabs(roll) / 3,
                              "%s face %zu: roll %.1f deg in the image, %.1f in the chip", file, fi, roll * 180 / M_PI,
                              chip_roll * 180 / M_PI);
                const double t1 = now_ms();
                CHECK_MSG(recognizer_describe_aligned(r, &im, pts, al, &e) == 0, "%s", e.msg);
                ms_al += now_ms() - t1;
                const double da = recognizer_distance(al, got);
                /* Beyond ~25 degrees of roll face-api's upright crop shows a tilted face and
                 * its descriptor drifts (that is what alignment fixes), so only faces
                 * with less roll are held to the same-person distance. */
                if (fabs(roll) < 25 * M_PI / 180)
                    CHECK_MSG(da < 0.6, "%s face %zu: aligned vs axis-aligned descriptor distance %.3f", file, fi, da);
                else
                    printf("  %s face %zu: roll %.1f deg, aligned vs axis-aligned distance %.3f\n", file, fi,
                           roll * 180 / M_PI, da);
                max_al_dist = fmax(max_al_dist, da);
                sum_al_dist += da;
                aligned++;
                faces++;
            }
            image_free(&im);
        }
        CHECK(faces == 61);
        qsort(tilts, (size_t)aligned, sizeof *tilts, cmp_double);
        max_tilt = tilts[aligned - 1];
        const double median_tilt = tilts[aligned / 2];
        CHECK_MSG(median_tilt <= 1.0, "median eye tilt in the chips %.2f px", median_tilt);
        printf("recognizer parity: %d faces, max distance %.2e, max |element diff| %.2e; %.2f ms/face (1 thread)\n",
               faces, max_dist, max_elem, timed ? ms / timed : 0);
        printf("aligned chips: %d faces, eye tilt median %.2f max %.2f px, distance to axis-aligned mean %.3f max "
               "%.3f; %.2f "
               "ms/face incl. chip\n",
               aligned, median_tilt, max_tilt, sum_al_dist / aligned, max_al_dist, ms_al / aligned);
    }
    /* A runtime on a 2-thread pool computes the same descriptor. */
    if (r && root) {
        nn_threads *two = nn_threads_create(2, &e);
        recognizer_runner *r2 = NULL;
        CHECK(two && recognizer_runner_new(net, two, NET_FP32, &r2, &e) == 0);
        json_t *img = json_array_get(json_object_get(root, "images"), 0);
        image im = { 0 };
        if (r2 && golden_image(img, &im)) {
            const crop_rect c = golden_crop(json_array_get(json_object_get(img, "faces"), 0), "descriptor");
            float d1[RECOGNIZER_DIM], d2[RECOGNIZER_DIM];
            CHECK(recognizer_describe_crop(r, &im, c, d1, &e) == 0);
            CHECK(recognizer_describe_crop(r2, &im, c, d2, &e) == 0);
            CHECK_MSG(recognizer_distance(d1, d2) < 1e-6, "1 vs 2 threads: %.2e", recognizer_distance(d1, d2));
            image_free(&im);
        }
        recognizer_runner_free(r2);
        nn_threads_free(two);
    }
    /* An empty crop gives face-api's all-zero descriptor. */
    if (r) {
        image tiny = { .width = 8, .height = 8, .rgb = calloc(8 * 8 * 3, 1) };
        pointd pts[CROPS_NPOINTS] = { { 0 } };
        for (int i = 0; i < CROPS_NPOINTS; i++)
            pts[i] = (pointd){ 100 + i % 7, 100 + i / 7 };
        float d[RECOGNIZER_DIM] = { 1 };
        CHECK(recognizer_describe(r, &tiny, pts, (crop_rect){ 0, 0, 8, 8 }, d, NULL, &e) == 0);
        float zero[RECOGNIZER_DIM] = { 0 };
        CHECK(memcmp(d, zero, sizeof d) == 0);
        CHECK(recognizer_describe_crop(r, &tiny, (crop_rect){ 4, 4, 8, 8 }, d, &e) == ERR_INVALID);
        image_free(&tiny);
    }
    json_decref(root);
    recognizer_runner_free(r);
    recognizer_net_free(net);
    nn_threads_free(pool);
    return test_main_end();
}
