/* test_recognizer_bf16.c — the face recognition ResNet in bf16 on oneDNN
 * (recognizer_runner_new(NET_BF16), bf16net.h).
 *
 * bf16net's layer kinds on a small synthetic net: convolution with 'same' and
 * 'valid' padding, the in-place residual sum, max and average pool, add, and
 * zero pad (its border stays zero over repeated runs), against a plain f32 C
 * reference within bf16 rounding (2% of the output's largest value: a wrong
 * window, pad side or operand is off by far more); malformed lists are refused.
 *
 * Descriptors: bf16 against fp32 (XNNPACK) on the same aligned chips — the 61
 * golden faces of the 14 parity PNGs (golden landmarks) and the faces the fp32
 * SSD and landmarks find in the 6 demo photos — Euclidean distance p50, p95 and
 * max. The bound: distances between faces of one person start around 0.3 and
 * the tightest decision facetag makes is incremental assignment at 0.45, so a
 * precision change may move a descriptor by a small fraction of that; 0.05
 * (1/9 of 0.45) is the ceiling, and bf16's ~3 significant digits through 29
 * layers measure well under it (see the printed figures).
 *
 * The default mode's model version ends in /bf16 (its networks, the recognizer
 * among them, run bf16) exactly when bf16net_available(), so that catalogs
 * analysed in fp32 are analysed again; compat mode's never does. */
#include "bf16_faces.h"
#include "nn/bf16net.h"
#include "vision/pipeline.h"
#include "vision/recognizer.h"

#define MAX_DISTANCE 0.05
#define AT BF16_AT

/* ---- bf16net's layer kinds ------------------------------------------------ */

/* Reference conv: k x k filter HWIO [k,k,cin,cout], stride, pad_lo (input rows
 * outside are zero), out x out output. */
static void ref_conv(const float *in, int h, int cin, const float *f, const float *b, int k, int stride, int pad,
                     int cout, int out, float *dst)
{
    for (int y = 0; y < out; y++)
        for (int x = 0; x < out; x++)
            for (int o = 0; o < cout; o++) {
                float s = b[o];
                for (int dy = 0; dy < k; dy++)
                    for (int dx = 0; dx < k; dx++)
                        for (int i = 0; i < cin; i++) {
                            const int yy = y * stride + dy - pad, xx = x * stride + dx - pad;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < h)
                                s += AT(in, h, cin, yy, xx, i) * f[((dy * k + dx) * cin + i) * cout + o];
                        }
                AT(dst, out, cout, y, x, o) = s;
            }
}

static void test_layer_kinds(void)
{
    err e = { 0 };
    /* 6x6x2 input; layers:
     *  0 conv 3x3 s1 same 2->2 relu                      (6x6x2)
     *  1 conv 3x3 s1 same 2->2 relu                      (6x6x2)
     *  2 conv 3x3 s1 same of 1 + layer 0, relu (in place: 6x6x2)
     *  3 maxpool 3 s2 valid of 2                         (2x2x2)
     *  4 avgpool 2 s2 valid of 2                         (3x3x2)
     *  5 conv 3x3 s2 valid of 2, 2->4                    (2x2x4)
     *  6 pad layer 5: +1 row/col                         (3x3x4)
     *  7 pad layer 4: channels 2->4                      (3x3x4)
     *  8 add 7 + 6, relu, external                       (3x3x4)
     *  9 conv 1x1 of layer 3, external                   (2x2x2) */
    enum { H = 6, C = 2 };
    float f0[9 * 2 * 2], b0[2] = { 1, -2 }, f1[9 * 2 * 2], b1[2] = { 0, 3 }, f4[9 * 2 * 4], b4[4] = { 1, 0, -1, 2 };
    float f8[2 * 2] = { 1, -1, 2, 1 }, b8[2] = { 0, 1 };
    for (int i = 0; i < 36; i++)
        f0[i] = (float)((i * 7) % 5 - 2), f1[i] = (float)((i * 3) % 4 - 1);
    for (int i = 0; i < 72; i++)
        f4[i] = (float)((i * 7) % 5 - 2);
    int s0[4] = { 3, 3, 2, 2 }, s4[4] = { 3, 3, 2, 4 }, s8[4] = { 1, 1, 2, 2 }, sb2[1] = { 2 }, sb4[1] = { 4 };
    wtensor W0 = { .name = "f0", .ndim = 4, .count = 36, .data = f0 },
            B0 = { .name = "b0", .ndim = 1, .count = 2, .data = b0 };
    wtensor W1 = { .name = "f1", .ndim = 4, .count = 36, .data = f1 },
            B1 = { .name = "b1", .ndim = 1, .count = 2, .data = b1 };
    wtensor W4 = { .name = "f4", .ndim = 4, .count = 72, .data = f4 },
            B4 = { .name = "b4", .ndim = 1, .count = 4, .data = b4 };
    wtensor W8 = { .name = "f8", .ndim = 4, .count = 4, .data = f8 },
            B8 = { .name = "b8", .ndim = 1, .count = 2, .data = b8 };
    memcpy(W0.shape, s0, sizeof s0), memcpy(W1.shape, s0, sizeof s0), memcpy(W4.shape, s4, sizeof s4);
    memcpy(W8.shape, s8, sizeof s8), memcpy(B0.shape, sb2, sizeof sb2), memcpy(B1.shape, sb2, sizeof sb2);
    memcpy(B4.shape, sb4, sizeof sb4), memcpy(B8.shape, sb2, sizeof sb2);
    const layer L[10] = {
        { .op = LAYER_CONV, .src = -1, .filter = &W0, .bias = &B0, .stride = 1, .pad = LAYER_SAME, .act = LAYER_RELU },
        { .op = LAYER_CONV, .src = 0, .filter = &W1, .bias = &B1, .stride = 1, .pad = LAYER_SAME, .act = LAYER_RELU },
        { .op = LAYER_CONV,
          .src = 1,
          .filter = &W1,
          .bias = &B1,
          .stride = 1,
          .pad = LAYER_SAME,
          .act = LAYER_RELU,
          .src2 = 0,
          .residual = 1 },
        { .op = LAYER_MAXPOOL, .src = 2, .k = 3, .stride = 2, .pad = LAYER_VALID },
        { .op = LAYER_AVGPOOL, .src = 2, .k = 2, .stride = 2, .pad = LAYER_VALID },
        { .op = LAYER_CONV, .src = 2, .filter = &W4, .bias = &B4, .stride = 2, .pad = LAYER_VALID },
        { .op = LAYER_PAD, .src = 5, .grow = 1, .channels = 4 },
        { .op = LAYER_PAD, .src = 4, .channels = 4 },
        { .op = LAYER_ADD, .src = 7, .src2 = 6, .act = LAYER_RELU, .output = 1 },
        { .op = LAYER_CONV, .src = 3, .filter = &W8, .bias = &B8, .stride = 1, .pad = LAYER_SAME, .output = 1 },
    };
    bf16net *net = bf16net_new("synthetic", H, C, L, 10, 0, &e);
    if (!net && !bf16net_fast()) {
        printf("bf16net: oneDNN has no bf16 here (ISA %s): %s — layer kinds not checked\n", bf16net_isa(), e.msg);
        return;
    }
    CHECK_MSG(net != NULL, "%s", e.msg);
    bf16net_run *r = net ? bf16net_run_new(net, &e) : NULL;
    CHECK_MSG(!net || r, "%s", e.msg);
    if (r) {
        float in[H * H * C], a0[H * H * C], t[H * H * C], a1[H * H * C], mp[2 * 2 * C], ap[3 * 3 * C], c4[2 * 2 * 4];
        float out7[3 * 3 * 4] = { 0 }, out8[2 * 2 * 2];
        for (int round = 0; round < 2; round++) { /* the second run: the pads' borders are still zero */
            for (int i = 0; i < H * H * C; i++)
                in[i] = (float)((i * (3 + round) + round) % 5) - 1;
            ref_conv(in, H, C, f0, b0, 3, 1, 1, C, H, a0);
            for (int i = 0; i < H * H * C; i++)
                a0[i] = fmaxf(a0[i], 0);
            ref_conv(a0, H, C, f1, b1, 3, 1, 1, C, H, t);
            for (int i = 0; i < H * H * C; i++)
                t[i] = fmaxf(t[i], 0);
            ref_conv(t, H, C, f1, b1, 3, 1, 1, C, H, a1);
            for (int i = 0; i < H * H * C; i++)
                a1[i] = fmaxf(a1[i] + a0[i], 0);
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++)
                    for (int c = 0; c < C; c++) {
                        float m = -INFINITY;
                        for (int d = 0; d < 9; d++)
                            m = fmaxf(m, AT(a1, H, C, 2 * y + d / 3, 2 * x + d % 3, c));
                        AT(mp, 2, C, y, x, c) = m;
                    }
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    for (int c = 0; c < C; c++)
                        AT(ap, 3, C, y, x, c) =
                            (AT(a1, H, C, 2 * y, 2 * x, c) + AT(a1, H, C, 2 * y + 1, 2 * x, c) +
                             AT(a1, H, C, 2 * y, 2 * x + 1, c) + AT(a1, H, C, 2 * y + 1, 2 * x + 1, c)) /
                            4;
            ref_conv(a1, H, C, f4, b4, 3, 2, 0, 4, 2, c4);
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    for (int c = 0; c < 4; c++) {
                        const float p = c < C ? AT(ap, 3, C, y, x, c) : 0;
                        const float q = (y < 2 && x < 2) ? AT(c4, 2, 4, y, x, c) : 0;
                        AT(out7, 3, 4, y, x, c) = fmaxf(p + q, 0);
                    }
            ref_conv(mp, 2, C, f8, b8, 1, 1, 0, 2, 2, out8);

            memcpy(bf16net_run_input(r, NULL), in, sizeof in);
            CHECK_MSG(bf16net_run_exec(r, &e) == 0, "%s", e.msg);
            size_t n7 = 0, n8 = 0;
            const float *o7 = bf16net_run_output(r, 0, &n7), *o8 = bf16net_run_output(r, 1, &n8);
            CHECK(n7 == 36 && n8 == 8 && bf16net_run_output(r, 2, NULL) == NULL);
            const float tol7 = bf16_near_tol(out7, 36), tol8 = bf16_near_tol(out8, 8);
            for (size_t i = 0; o7 && i < 36; i++)
                CHECK_MSG(fabsf(o7[i] - out7[i]) <= tol7, "round %d: add output %zu: %g, want %g", round, i, o7[i],
                          out7[i]);
            for (size_t i = 0; o8 && i < 8; i++)
                CHECK_MSG(fabsf(o8[i] - out8[i]) <= tol8, "round %d: 1x1 conv output %zu: %g, want %g", round, i, o8[i],
                          out8[i]);
        }
    }
    bf16net_run_free(r);
    bf16net_free(net);

    /* Malformed lists. */
    layer bad[10];
    static const struct {
        int layer, field, value;
        const char *why;
    } breaks[] = {
        { 4, 0, 0, "reads layer 0, overwritten in place by layer 2" },
        { 2, 1, 1, "adds in place into its own input" },
        { 7, 2, 1, "pads to fewer channels than the input" },
        { 8, 1, 5, "adds 2x2x4 to 3x3x4" },
        { 9, 0, 8, "reads an f32 output" },
    };
    for (size_t i = 0; i < sizeof breaks / sizeof *breaks; i++) {
        memcpy(bad, L, sizeof bad);
        layer *b = &bad[breaks[i].layer];
        *(breaks[i].field == 0 ? &b->src : breaks[i].field == 1 ? &b->src2 : &b->channels) = breaks[i].value;
        bf16_check_refused(bad, 10, H, C, breaks[i].why);
    }
}

/* ---- descriptors: bf16 vs fp32 ------------------------------------------- */

typedef struct dists {
    recognizer_runner *r32, *r16;
    double d[512];
    int n;
} dists;

static void compare(void *ctx, const image *im, const pointd pts[CROPS_NPOINTS], crop_rect lmcrop, const char *what)
{
    dists *out = ctx;
    err e = { 0 };
    float a[RECOGNIZER_DIM], b[RECOGNIZER_DIM];
    (void)lmcrop;
    CHECK_MSG(recognizer_describe_aligned(out->r32, im, pts, a, &e) == 0, "%s", e.msg);
    CHECK_MSG(recognizer_describe_aligned(out->r16, im, pts, b, &e) == 0, "%s", e.msg);
    const double d = recognizer_distance(a, b);
    CHECK_MSG(d <= MAX_DISTANCE, "%s: bf16 vs fp32 descriptor distance %.4f", what, d);
    if (out->n < 512)
        out->d[out->n++] = d;
}

/* The demo faces of the fp32 SSD and landmarks (bf16_demo_faces). */
static void demo_faces(dists *out)
{
    err e = { 0 };
    landmarks_net *lmn = NULL;
    landmarks_runner *lm = NULL;
    CHECK_MSG(landmarks_net_load(bf16_models_dir(), false, &lmn, &e) == 0, "%s", e.msg);
    if (lmn)
        CHECK_MSG(landmarks_runner_new(lmn, NULL, NET_FP32, &lm, &e) == 0, "%s", e.msg);
    bf16_demo_faces(lm, compare, out);
    landmarks_runner_free(lm);
    landmarks_net_free(lmn);
}

static void check_versions(void)
{
    pipeline_options d = pipeline_default_options(), c = d, t = d;
    c.compat = true;
    t.detector = PIPELINE_TINY;
    const bool bf16 = bf16net_available();
    CHECK_MSG((strstr(pipeline_model_version(&d), "/bf16") != NULL) == bf16, "%s", pipeline_model_version(&d));
    CHECK_MSG((strstr(pipeline_model_version(&t), "/bf16") != NULL) == bf16, "%s", pipeline_model_version(&t));
    CHECK_MSG(strstr(pipeline_model_version(&c), "bf16") == NULL, "%s", pipeline_model_version(&c));
}

int main(void)
{
    err e = { 0 };
    CHECK(image_init("test_recognizer_bf16", &e) == 0);
    check_versions();
    test_layer_kinds();
    recognizer_net *net = NULL;
    recognizer_runner *r32 = NULL, *r16 = NULL;
    CHECK_MSG(recognizer_net_load(bf16_models_dir(), &net, &e) == 0, "%s", e.msg);
    if (!net)
        return test_main_end();
    if (!bf16net_available()) { /* a bf16 runner is refused, the reason named */
        CHECK(recognizer_runner_new(net, NULL, NET_BF16, &r16, &e) == ERR_INVALID && !r16);
        CHECK_MSG(strstr(e.msg, "face_recognition_model: bf16 unavailable") != NULL, "message: %s", e.msg);
        printf("recognizer bf16: %s: not used, descriptors not compared\n", e.msg);
        recognizer_net_free(net);
        return test_main_end();
    }
    CHECK_MSG(recognizer_runner_new(net, NULL, NET_FP32, &r32, &e) == 0, "%s", e.msg);
    CHECK_MSG(recognizer_runner_new(net, NULL, NET_BF16, &r16, &e) == 0, "%s", e.msg);
    if (r32 && r16) {
        static dists d; /* large: not on the stack */
        d.r32 = r32, d.r16 = r16;
        bf16_golden_faces(compare, &d);
        const int golden = d.n;
        demo_faces(&d);
        qsort(d.d, (size_t)d.n, sizeof *d.d, bf16_dcmp);
        CHECK(d.n > 0);
        if (d.n > 0)
            printf("recognizer bf16 vs fp32, aligned chips: %d faces (%d golden, %d demo): distance p50 %.4f p95 %.4f "
                   "max %.4f (bound %.2f)\n",
                   d.n, golden, d.n - golden, d.d[d.n / 2], d.d[d.n * 95 / 100], d.d[d.n - 1], MAX_DISTANCE);
    }
    recognizer_runner_free(r16);
    recognizer_runner_free(r32);
    recognizer_net_free(net);
    return test_main_end();
}
