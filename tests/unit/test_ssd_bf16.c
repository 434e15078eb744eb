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
#include "ssd_compare.h"
#include "testutil.h"
#include "vision/ssd.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* bf16's bounds against fp32, measured: see the header. */
static const ssd_bounds BF16 = {
    .name = "bf16",
    .near_threshold = 0.05,
    .score_tol = 0.05,
    .same_face_iou = 0.9,
    .anchor_tol = 0.05,
    .corner_tol = 0.02,
};

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
    ssd_compare_job j = { .m = m, .img = &img, .prec = NET_BF16 };
    pthread_t th;
    CHECK(pthread_create(&th, NULL, ssd_compare_job_run, &j) == 0);
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
        glob_t g;
        ssd_compare_images(shared, models, &g);
        ssd_compare_set(r32, r16, &g, &BF16);
        CHECK(omp_get_max_threads() == 2);
        char big[4096];
        snprintf(big, sizeof big, "%s/data/group-photos/solvay-1927/1280px-Solvay_conference_1927.png", shared);
        if (g.gl_pathc > 0) {
            ssd_compare_canvas_tiled(r32, r16, g.gl_pathv[g.gl_pathc - 1], big, &BF16);
            ssd_compare_anchors(r32, r16, g.gl_pathv[0], &BF16);
            ssd_compare_concurrent(m, r16, NET_BF16, g.gl_pathv[0]);
            check_no_team(m, g.gl_pathv[0]);
        }
        globfree(&g);
    }
    ssd_runner_free(r16);
    ssd_runner_free(r32);
    ssd_free(m);
    return test_main_end();
}
