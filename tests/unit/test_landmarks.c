/* test_landmarks.c — the 68-point landmark nets against the reference.
 * Each face is fed with its golden integer landmark crop (crops.landmarks) cut
 * from the parity PNG and shifted by the golden detection box; every point must
 * be within 0.1 px of the reference's (wasm backend):
 *   full net: shared/.../parity/golden-parity.json, all 61 faces;
 *   tiny net: tests/data/golden-parity-tiny-landmarks.json (the reference run with
 *   --landmarks tiny on three parity images, 12 faces; how it was made is in the file).
 * Also: the whole stage from a detection box cuts the golden crop, and a box that
 * misses the image is refused with ERR_INVALID. */
#include "golden_faces.h"
#include "vision/landmarks.h"

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

static json_t *load_repo_json(const char *rel)
{
    const char *src = getenv("FACETAG_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", src && *src ? src : ".", rel);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    CHECK_MSG(root != NULL, "%s: %s", path, je.text);
    return root;
}

static void check_set(landmarks_runner *r, json_t *root, const char *label, int expect_faces)
{
    err e = { 0 };
    double max_diff = 0, ms = 0;
    int faces = 0;
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
            pointd want[CROPS_NPOINTS], got[CROPS_NPOINTS];
            CHECK(golden_points(face, want));
            const rectd box = golden_rectd(json_object_get(face, "box"));
            const double t0 = now_ms();
            CHECK_MSG(landmarks_run_crop(r, &im, golden_crop(face, "landmarks"), (pointd){ box.x, box.y }, got, &e) ==
                          0,
                      "%s", e.msg);
            ms += now_ms() - t0;
            double d = 0;
            for (int i = 0; i < CROPS_NPOINTS; i++)
                d = fmax(d, fmax(fabs(got[i].x - want[i].x), fabs(got[i].y - want[i].y)));
            pointd five[5];
            landmarks_five(got, five);
            CHECK(five[LANDMARKS_LEFT_EYE].x < five[LANDMARKS_RIGHT_EYE].x);
            CHECK(five[LANDMARKS_MOUTH_LEFT].x < five[LANDMARKS_MOUTH_RIGHT].x);
            CHECK(five[LANDMARKS_NOSE].y > five[LANDMARKS_LEFT_EYE].y &&
                  five[LANDMARKS_NOSE].y < five[LANDMARKS_MOUTH_LEFT].y + 1);
            CHECK_MSG(d <= 0.1, "%s: %s face %zu: landmarks differ by %.4f px", label, file, fi, d);
            max_diff = fmax(max_diff, d);
            faces++;
        }
        /* The whole stage from a detection box cuts the golden crop. */
        json_t *f0 = json_array_get(json_object_get(img, "faces"), 0);
        if (f0) {
            pointd p[CROPS_NPOINTS];
            crop_rect c;
            CHECK(landmarks_detect(r, &im, golden_rectd(json_object_get(f0, "box")), p, &c, &e) == 0);
            const crop_rect g = golden_crop(f0, "landmarks");
            CHECK(c.x == g.x && c.y == g.y && c.w == g.w && c.h == g.h);
        }
        pointd p[CROPS_NPOINTS];
        CHECK(landmarks_detect(r, &im, (rectd){ im.width + 10.0, 5, 20, 20 }, p, NULL, &e) == ERR_INVALID);
        image_free(&im);
    }
    CHECK(faces == expect_faces);
    printf("landmarks %s: %d faces, max |diff| vs reference %.2e px; %.2f ms/face (1 thread)\n", label, faces, max_diff,
           faces ? ms / faces : 0);
}

int main(void)
{
    err e = { 0 };
    CHECK(image_init("test_landmarks", &e) == 0);
    nn_threads *pool = NULL; /* single-threaded: ctest runs tests side by side */
    for (int tiny = 0; tiny <= 1; tiny++) {
        landmarks_net *net = NULL;
        landmarks_runner *r = NULL;
        int rc = landmarks_net_load(models_dir(), tiny, &net, &e);
        CHECK_MSG(rc == 0, "%s", e.msg);
        if (rc)
            continue;
        CHECK(landmarks_net_tiny(net) == (bool)tiny);
        rc = landmarks_runner_new(net, pool, NET_FP32, &r, &e);
        CHECK_MSG(rc == 0, "%s", e.msg);
        json_t *root = tiny ? load_repo_json("tests/data/golden-parity-tiny-landmarks.json")
                            : golden_load("reference/faceapi-ref/parity/golden-parity.json");
        if (rc == 0 && root)
            check_set(r, root, tiny ? "tiny" : "full", tiny ? 12 : 61);
        json_decref(root);
        landmarks_runner_free(r);
        landmarks_net_free(net);
    }
    /* A models folder without the files: a clear ERR_IO naming the path. */
    landmarks_net *none = NULL;
    CHECK(landmarks_net_load("/nonexistent-models", false, &none, &e) == ERR_IO && none == NULL);
    CHECK(strstr(e.msg, "/nonexistent-models") != NULL);
    nn_threads_free(pool);
    return test_main_end();
}
