/* test_attributes.c — age/gender (TinyXception) and expression nets against the
 * reference: each parity face's golden integer attributes crop (crops.attributes,
 * the clipped alignedRect) cut from its PNG must give the reference's (wasm) age
 * within 0.1 year, the same gender and the same top expression, for all 61 faces;
 * the maximum differences of the probabilities are printed. Also the attributes
 * crop derived from the golden landmarks (crops.h) equals the golden one, and a
 * crop outside the image is refused. */
#include "golden_faces.h"
#include "vision/agegender.h"
#include "vision/expression.h"

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

int main(void)
{
    err e = { 0 };
    CHECK(image_init("test_attributes", &e) == 0);
    CHECK(strcmp(expression_name(EXPRESSION_SURPRISED), "surprised") == 0 && expression_name(7) == NULL);
    nn_threads *pool = NULL; /* single-threaded: ctest runs tests side by side */
    agegender_net *agn = NULL;
    expression_net *exn = NULL;
    agegender_runner *ag = NULL;
    expression_runner *ex = NULL;
    int rc = agegender_net_load(models_dir(), &agn, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc == 0)
        CHECK_MSG(agegender_runner_new(agn, pool, NET_FP32, &ag, &e) == 0, "%s", e.msg);
    rc = expression_net_load(models_dir(), &exn, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc == 0)
        CHECK_MSG(expression_runner_new(exn, pool, NET_FP32, &ex, &e) == 0, "%s", e.msg);
    json_t *root = golden_load("reference/faceapi-ref/parity/golden-parity.json");
    if (ag && ex && root) {
        double max_age = 0, max_gp = 0, max_ep = 0, ms_ag = 0, ms_ex = 0;
        int faces = 0, timed = 0;
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
                const crop_rect crop = golden_crop(face, "attributes");
                /* The crop the pipeline derives from the golden landmarks is the golden one. */
                pointd pts[CROPS_NPOINTS];
                crop_rect mine;
                CHECK(golden_points(face, pts));
                CHECK(crops_attributes_crop(pts, im.width, im.height, &mine));
                CHECK(mine.x == crop.x && mine.y == crop.y && mine.w == crop.w && mine.h == crop.h);

                agegender_result a;
                float p[EXPRESSION_COUNT];
                const double t0 = now_ms();
                CHECK_MSG(agegender_predict_crop(ag, &im, crop, &a, &e) == 0, "%s", e.msg);
                const double t1 = now_ms();
                CHECK_MSG(expression_predict_crop(ex, &im, crop, p, &e) == 0, "%s", e.msg);
                if (faces > 0)
                    ms_ag += t1 - t0, ms_ex += now_ms() - t1, timed++;

                const double age = golden_num(face, "age");
                const char *gender = json_string_value(json_object_get(face, "gender"));
                const double gp = golden_num(face, "genderProbability");
                CHECK_MSG(fabs(a.age - age) <= 0.1, "%s face %zu: age %.4f, reference %.4f", file, fi, a.age, age);
                CHECK_MSG(strcmp(a.male ? "male" : "female", gender) == 0, "%s face %zu: gender differs", file, fi);
                max_age = fmax(max_age, fabs(a.age - age));
                max_gp = fmax(max_gp, fabs(a.gender_probability - gp));

                const json_t *ge = json_object_get(face, "expressions");
                int gtop = 0;
                double gbest = -1, sum = 0;
                for (int k = 0; k < EXPRESSION_COUNT; k++) {
                    const double want = golden_num(ge, expression_name(k));
                    if (want > gbest)
                        gbest = want, gtop = k;
                    max_ep = fmax(max_ep, fabs(p[k] - want));
                    sum += p[k];
                }
                CHECK(fabs(sum - 1) < 1e-5);
                CHECK_MSG(expression_top(p) == gtop, "%s face %zu: top expression %s, reference %s", file, fi,
                          expression_name(expression_top(p)), expression_name(gtop));
                faces++;
            }
            agegender_result a;
            CHECK(agegender_predict_crop(ag, &im, (crop_rect){ im.width - 5, 0, 10, 10 }, &a, &e) == ERR_INVALID);
            image_free(&im);
        }
        CHECK(faces == 61);
        printf("age/gender: %d faces, max |age diff| %.2e years, max |gender probability diff| %.2e; %.2f ms/face\n",
               faces, max_age, max_gp, timed ? ms_ag / timed : 0);
        printf("expression: %d faces, max |probability diff| %.2e; %.2f ms/face (1 thread)\n", faces, max_ep,
               timed ? ms_ex / timed : 0);
    }
    json_decref(root);
    agegender_runner_free(ag);
    expression_runner_free(ex);
    agegender_net_free(agn);
    expression_net_free(exn);
    nn_threads_free(pool);
    return test_main_end();
}
