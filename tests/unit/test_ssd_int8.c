/* test_ssd_int8.c — the SSD detector in int8 on oneDNN (ssd_runner_new(...,
 * NET_INT8, ...): u8 activations x s8 weights, bf16net_new_int8) against the
 * fp32 XNNPACK runner, in test_ssd_bf16's way but with int8's own, wider
 * bounds — measured, and the reason int8 is not a default
 * (docs/decisions/2026-12-07-int8-detector.md): on the 14 lossless parity PNGs
 * and the 6 demo photos every face either finds the same face in the other
 * list (box IoU >= 0.6, |score diff| <= 0.15; bf16 holds 0.9 and 0.05) or
 * scores within 0.15 of the 0.5 threshold, and at most 2 of fp32's faces go
 * unmatched; the per-anchor scores of ssd_infer agree within 0.2 (bf16: 0.05)
 * and the box corners of likely faces within 0.01 of the 512 square (bf16:
 * 0.02); the same rule for ssd_detect_canvas and ssd_detect_tiled (the 1280 px
 * Solvay photo). Measured here, AVX2-emulated and native Zen 5 alike (the
 * integer sums are exact; the quantisation is the same on every CPU): face
 * scores within 0.082 (p95 0.031), tiled small faces within 0.12 with boxes
 * down to IoU 0.685 (28 px faces); on all 20 images anchors within 0.152,
 * corners within 0.0065 (every second image is checked here).
 *
 * Also: two int8 runners made and run on two threads at once get the
 * single-thread result (their descriptors made under bf16net's lock); int8 is
 * asked for by FACETAG_INT8 and is never net_precision_detector's default;
 * layer lists int8 cannot run are refused with the reason. int8 runs on
 * every x86-64 CPU oneDNN knows, so nothing is skipped for the CPU; run it
 * AVX2-emulated too (ONEDNN_MAX_CPU_ISA=AVX2), where int8 would pay. */
#include "media/image.h"
#include "nn/bf16net.h"
#include "nn/net.h"
#include "ssd_compare.h"
#include "testutil.h"
#include "vision/ssd.h"

#include <stdlib.h>
#include <string.h>

/* int8's bounds against fp32, wider than bf16's: see the header. */
static const ssd_bounds INT8 = {
    .name = "int8",
    .near_threshold = 0.15,
    .score_tol = 0.15,
    .same_face_iou = 0.6,
    .anchor_tol = 0.2,
    .corner_tol = 0.01,
};

/* int8 is asked for (FACETAG_INT8), never the default. */
static void check_choice(void)
{
    const char *was = getenv("FACETAG_INT8");
    char *keep = was ? strdup(was) : NULL;
    setenv("FACETAG_INT8", "1", 1);
    CHECK(net_precision_detector() == NET_INT8);
    setenv("FACETAG_INT8", "0", 1);
    CHECK(net_precision_detector() == net_precision_best());
    unsetenv("FACETAG_INT8");
    CHECK(net_precision_detector() == net_precision_best());
    if (keep)
        setenv("FACETAG_INT8", keep, 1);
    else
        unsetenv("FACETAG_INT8");
    free(keep);
    CHECK(!strcmp(net_precision_name(NET_INT8), "int8"));
}

/* Layer lists int8 cannot run are refused with the layer named. */
static void check_refused(void)
{
    static float wdata[3 * 3 * 3 * 4], bdata[4];
    for (size_t i = 0; i < sizeof wdata / sizeof *wdata; i++)
        wdata[i] = (float)((int)(i % 7) - 3) * 0.1f;
    wtensor w = { .name = "w", .ndim = 4, .shape = { 3, 3, 3, 4 }, .count = 108, .data = wdata };
    wtensor b = { .name = "b", .ndim = 1, .shape = { 4 }, .count = 4, .data = bdata };
    layer_list nl = { .size = 8, .channels = 3 };
    int x = layers_conv(&nl, -1, &w, &b, 1, LAYER_SAME, 0, LAYER_NONE); /* internal, no ReLU: negatives lost */
    layers_output(&nl, layers_conv(&nl, -1, &w, &b, 1, LAYER_SAME, 0, LAYER_RELU6));
    CHECK(x == 0 && nl.n == 2);
    err e = { 0 };
    bf16net *net = bf16net_new_int8("refused", 8, 3, nl.l, nl.n, 1.0f, &e);
    CHECK(net == NULL && e.code == ERR_INVALID && strstr(e.msg, "layer 0") && strstr(e.msg, "ReLU"));
    bf16net_free(net);
    e = (err){ 0 };
    net = bf16net_new_int8("refused", 8, 3, nl.l + 1, 1, 0.0f, &e); /* no input range */
    CHECK(net == NULL && e.code == ERR_INVALID && strstr(e.msg, "range"));
    bf16net_free(net);
    e = (err){ 0 };
    net = bf16net_new("refused", 8, 3, nl.l + 1, 1, BF16NET_INT8, &e);
    CHECK(net == NULL && e.code == ERR_INVALID);
    bf16net_free(net);
}

int main(int argc, char **argv)
{
    (void)argc;
    err e = { 0 };
    CHECK_MSG(image_init(argv[0], &e) == 0, "%s", e.msg);
    check_choice();
    check_refused();
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
    ssd_runner *r8 = ssd_runner_new(m, NULL, NET_INT8, &e);
    CHECK_MSG(r8 != NULL, "%s", e.msg);
    printf("oneDNN ISA: %s\n", bf16net_isa());
    if (r32 && r8) {
        CHECK(ssd_runner_precision(r8) == NET_INT8);
        glob_t g;
        ssd_compare_images(shared, models, &g);
        ssd_compare_set(r32, r8, &g, &INT8);
        char big[4096];
        snprintf(big, sizeof big, "%s/data/group-photos/solvay-1927/1280px-Solvay_conference_1927.png", shared);
        if (g.gl_pathc > 0) {
            ssd_compare_canvas_tiled(r32, r8, g.gl_pathv[g.gl_pathc - 1], big, &INT8);
            for (size_t i = 1; i < g.gl_pathc; i += 2) /* half of them, for the test's time */
                ssd_compare_anchors(r32, r8, g.gl_pathv[i], &INT8);
            ssd_compare_concurrent(m, r8, NET_INT8, g.gl_pathv[0]);
        }
        globfree(&g);
    }
    ssd_runner_free(r8);
    ssd_runner_free(r32);
    ssd_free(m);
    return test_main_end();
}
