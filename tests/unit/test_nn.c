/* test_nn.c — every op of the graph builder against a naive double-precision
 * reference on small random tensors: weight layouts (HWIO, depthwise, [in,out]),
 * padding order (top, right, bottom, left) and TF 'same', strides, fused
 * activations, pools (padded cells never win a max), zero padding, softmax,
 * sigmoid; builder errors name the tensor and shapes; a 2-thread pool agrees. */
#include "nn/nn.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345;

static float frand(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return ((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static wtensor *rand_tensor(const char *name, int ndim, int d0, int d1, int d2, int d3)
{
    int shape[4] = { d0, d1, d2, d3 };
    wtensor *t = wtensor_new(name, ndim, shape, NULL);
    for (size_t i = 0; t && i < t->count; i++)
        t->data[i] = frand();
    return t;
}

static double act(double v, nn_act a)
{
    switch (a) {
    case NN_ACT_RELU:
        return v > 0 ? v : 0;
    case NN_ACT_RELU6:
        return v < 0 ? 0 : v > 6 ? 6 : v;
    case NN_ACT_LEAKY:
        return v < 0 ? v * NN_LEAKY_SLOPE : v;
    default:
        return v;
    }
}

/* Naive conv (groups = 1 or depthwise) with explicit pads t,r,b,l. */
static void ref_conv(const float *x, int h, int w, int c, const wtensor *f, const float *bias, int depthwise,
                     int stride, int pt, int pr, int pb, int pl, nn_act a, float *y, int *oh, int *ow)
{
    int kh = f->shape[0], kw = f->shape[1], co = depthwise ? c : f->shape[3];
    *oh = (h + pt + pb - kh) / stride + 1;
    *ow = (w + pl + pr - kw) / stride + 1;
    for (int oy = 0; oy < *oh; oy++)
        for (int ox = 0; ox < *ow; ox++)
            for (int o = 0; o < co; o++) {
                double s = bias ? bias[o] : 0;
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++) {
                        int iy = oy * stride + ky - pt, ix = ox * stride + kx - pl;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        if (depthwise)
                            s += (double)x[(iy * w + ix) * c + o] * f->data[(ky * kw + kx) * c + o];
                        else
                            for (int i = 0; i < c; i++)
                                s += (double)x[(iy * w + ix) * c + i] * f->data[((ky * kw + kx) * c + i) * co + o];
                    }
                y[(oy * *ow + ox) * co + o] = (float)act(s, a);
            }
}

static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

/* Builds, runs once on x, returns the output copied into y (count floats). */
static int run1(nn_graph *g, const float *x, size_t nx, float *y, size_t ny, nn_threads *t)
{
    err e = { 0 };
    nn_runtime *rt = nn_runtime_create(g, t, &e);
    CHECK_MSG(rt != NULL, "%s", e.msg);
    if (!rt)
        return -1;
    size_t n;
    float *in = nn_runtime_input(rt, 0, &n);
    CHECK(n == nx);
    memcpy(in, x, nx * sizeof(float));
    CHECK_MSG(nn_run(rt, &e) == 0, "%s", e.msg);
    const float *out = nn_runtime_output(rt, 0, &n);
    CHECK_MSG(n == ny, "output has %zu floats, expected %zu", n, ny);
    if (n == ny)
        memcpy(y, out, ny * sizeof(float));
    nn_runtime_free(rt);
    return 0;
}

static void test_conv(nn_threads *pool)
{
    const int H = 9, W = 8, C = 5, CO = 7;
    float x[9 * 8 * 5], y[9 * 8 * 7], r[9 * 8 * 7];
    for (int i = 0; i < H * W * C; i++)
        x[i] = frand() * 4;
    wtensor *f = rand_tensor("f", 4, 3, 3, C, CO), *b = rand_tensor("b", 1, CO, 0, 0, 0);
    struct {
        int stride;
        nn_pad pad;
        int pt, pr, pb, pl;
        nn_act act;
    } cases[] = {
        { 2, NN_PAD_SAME, 1, 1, 1, 0,
          NN_ACT_RELU6 }, /* 9 -> 5 rows: total 2 (1,1); 8 -> 4 cols: total 1 (0 before, 1 after) */
        { 1, NN_PAD(1, 0, 2, 1), 1, 0, 2, 1, NN_ACT_NONE },
        { 1, NN_PAD_VALID, 0, 0, 0, 0, NN_ACT_LEAKY },
    };
    for (int k = 0; k < 3; k++) {
        err e = { 0 };
        nn_graph *g = nn_graph_new("conv", &e);
        nn_value v = nn_input(g, H, W, C);
        v = nn_conv2d(g, v, f, b, cases[k].stride, cases[k].pad, cases[k].act);
        int oh, ow, oc;
        CHECK(nn_shape(g, v, &oh, &ow, &oc) == 0);
        nn_output(g, v);
        int rh, rw;
        ref_conv(x, H, W, C, f, b->data, 0, cases[k].stride, cases[k].pt, cases[k].pr, cases[k].pb, cases[k].pl,
                 cases[k].act, r, &rh, &rw);
        CHECK_MSG(oh == rh && ow == rw && oc == CO, "case %d: %dx%dx%d vs %dx%d", k, oh, ow, oc, rh, rw);
        CHECK(nn_graph_flops(g) == 2.0 * oh * ow * CO * 9 * C);
        if (run1(g, x, sizeof x / sizeof *x, y, (size_t)rh * rw * CO, k == 0 ? pool : NULL) == 0)
            CHECK_MSG(max_diff(y, r, (size_t)rh * rw * CO) < 1e-4, "conv case %d: diff %g", k,
                      max_diff(y, r, (size_t)rh * rw * CO));
        nn_graph_free(g);
    }
    /* Depthwise (stride 2, explicit asymmetric pad) and separable = depthwise + pointwise + bias. */
    wtensor *dw = rand_tensor("dw", 4, 3, 3, C, 1), *pw = rand_tensor("pw", 4, 1, 1, C, CO);
    err e = { 0 };
    nn_graph *g = nn_graph_new("dw", &e);
    nn_value v = nn_input(g, H, W, C);
    nn_output(g, nn_depthwise(g, v, dw, NULL, 2, NN_PAD(0, 1, 1, 0), NN_ACT_RELU));
    int rh, rw;
    ref_conv(x, H, W, C, dw, NULL, 1, 2, 0, 1, 1, 0, NN_ACT_RELU, r, &rh, &rw);
    if (run1(g, x, sizeof x / sizeof *x, y, (size_t)rh * rw * C, NULL) == 0)
        CHECK_MSG(max_diff(y, r, (size_t)rh * rw * C) < 1e-4, "depthwise diff %g", max_diff(y, r, (size_t)rh * rw * C));
    nn_graph_free(g);
    g = nn_graph_new("sep", &e);
    v = nn_input(g, H, W, C);
    nn_output(g, nn_separable(g, v, dw, pw, b, 1, NN_PAD(1, 1, 1, 1), NN_ACT_LEAKY));
    float mid[9 * 8 * 5];
    ref_conv(x, H, W, C, dw, NULL, 1, 1, 1, 1, 1, 1, NN_ACT_NONE, mid, &rh, &rw);
    int rh2, rw2;
    ref_conv(mid, rh, rw, C, pw, b->data, 0, 1, 0, 0, 0, 0, NN_ACT_LEAKY, r, &rh2, &rw2);
    if (run1(g, x, sizeof x / sizeof *x, y, (size_t)rh2 * rw2 * CO, NULL) == 0)
        CHECK_MSG(max_diff(y, r, (size_t)rh2 * rw2 * CO) < 1e-4, "separable diff %g",
                  max_diff(y, r, (size_t)rh2 * rw2 * CO));
    nn_graph_free(g);
    wtensor_free(f);
    wtensor_free(b);
    wtensor_free(dw);
    wtensor_free(pw);
}

static void test_fc_and_elementwise(void)
{
    /* FC over a flattened 2x2x3 input, [in,out] weights. */
    float x[12], y[16], r[16];
    for (int i = 0; i < 12; i++)
        x[i] = frand();
    wtensor *w = rand_tensor("fc/weights", 2, 12, 5, 0, 0), *b = rand_tensor("fc/bias", 1, 5, 0, 0, 0);
    err e = { 0 };
    nn_graph *g = nn_graph_new("fc", &e);
    nn_value v = nn_input(g, 2, 2, 3);
    v = nn_fully_connected(g, v, w, b, NN_ACT_NONE);
    nn_output(g, nn_softmax(g, v));
    double z[5], m = -1e30, sum = 0;
    for (int o = 0; o < 5; o++) {
        z[o] = b->data[o];
        for (int i = 0; i < 12; i++)
            z[o] += (double)x[i] * w->data[i * 5 + o];
        m = fmax(m, z[o]);
    }
    for (int o = 0; o < 5; o++)
        sum += exp(z[o] - m);
    for (int o = 0; o < 5; o++)
        r[o] = (float)(exp(z[o] - m) / sum);
    if (run1(g, x, 12, y, 5, NULL) == 0)
        CHECK_MSG(max_diff(y, r, 5) < 1e-5, "fc+softmax diff %g", max_diff(y, r, 5));
    nn_graph_free(g);

    /* add(x, scale_shift(x)) then leaky; sigmoid of the result. */
    wtensor *s = rand_tensor("s", 1, 3, 0, 0, 0), *t = rand_tensor("t", 1, 3, 0, 0, 0);
    g = nn_graph_new("ew", &e);
    v = nn_input(g, 2, 2, 3);
    nn_value ss = nn_scale_shift(g, v, s, t, NN_ACT_NONE);
    nn_value a = nn_add(g, v, ss, NN_ACT_NONE);
    a = nn_activate(g, a, NN_ACT_LEAKY);
    nn_output(g, nn_sigmoid(g, a));
    for (int i = 0; i < 12; i++) {
        double q = x[i] + (x[i] * (double)s->data[i % 3] + t->data[i % 3]);
        r[i] = (float)(1 / (1 + exp(-act(q, NN_ACT_LEAKY))));
    }
    if (run1(g, x, 12, y, 12, NULL) == 0)
        CHECK_MSG(max_diff(y, r, 12) < 1e-5, "elementwise diff %g", max_diff(y, r, 12));
    nn_graph_free(g);
    wtensor_free(w);
    wtensor_free(b);
    wtensor_free(s);
    wtensor_free(t);
}

static void test_pools_and_pad(void)
{
    /* 5x5x2 all negative: a 'same' 2x2/s2 max pool pads bottom/right, and the
     * padding (0) must never win. */
    float x[50], y[256], r[256];
    for (int i = 0; i < 50; i++)
        x[i] = -1 - (float)((i * 7) % 13);
    err e = { 0 };
    nn_graph *g = nn_graph_new("maxpool", &e);
    nn_value v = nn_input(g, 5, 5, 2);
    v = nn_maxpool(g, v, 2, 2, NN_PAD_SAME);
    int oh, ow;
    nn_shape(g, v, &oh, &ow, NULL);
    CHECK(oh == 3 && ow == 3);
    nn_output(g, v);
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++)
            for (int c = 0; c < 2; c++) {
                float m = -INFINITY;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        int iy = oy * 2 + dy, ix = ox * 2 + dx;
                        if (iy < 5 && ix < 5)
                            m = fmaxf(m, x[(iy * 5 + ix) * 2 + c]);
                    }
                r[(oy * 3 + ox) * 2 + c] = m;
            }
    if (run1(g, x, 50, y, 18, NULL) == 0)
        CHECK(max_diff(y, r, 18) == 0);
    nn_graph_free(g);

    /* avgpool 2x2 s2 valid on 5x5 -> 2x2; global average -> 1x1. */
    g = nn_graph_new("avgpool", &e);
    v = nn_input(g, 5, 5, 2);
    nn_output(g, nn_avgpool(g, v, 2, 2, NN_PAD_VALID));
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++)
            for (int c = 0; c < 2; c++) {
                double s = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                        s += x[((oy * 2 + dy) * 5 + ox * 2 + dx) * 2 + c];
                r[(oy * 2 + ox) * 2 + c] = (float)(s / 4);
            }
    if (run1(g, x, 50, y, 8, NULL) == 0)
        CHECK(max_diff(y, r, 8) < 1e-5);
    nn_graph_free(g);
    g = nn_graph_new("gap", &e);
    v = nn_input(g, 5, 5, 2);
    nn_output(g, nn_global_avgpool(g, v));
    for (int c = 0; c < 2; c++) {
        double s = 0;
        for (int i = 0; i < 25; i++)
            s += x[i * 2 + c];
        r[c] = (float)(s / 25);
    }
    if (run1(g, x, 50, y, 2, NULL) == 0)
        CHECK(max_diff(y, r, 2) < 1e-5);
    nn_graph_free(g);

    /* zero pad: 1 row on top, 2 below, 0 left, 1 right, 3 channels after. */
    g = nn_graph_new("pad", &e);
    v = nn_input(g, 5, 5, 2);
    v = nn_zero_pad(g, v, 1, 2, 0, 1, 3);
    nn_shape(g, v, &oh, &ow, NULL);
    CHECK(oh == 8 && ow == 6);
    nn_output(g, v);
    for (int yy = 0; yy < 8; yy++)
        for (int xx = 0; xx < 6; xx++)
            for (int c = 0; c < 5; c++) {
                int iy = yy - 1, ix = xx;
                r[(yy * 6 + xx) * 5 + c] = (iy >= 0 && iy < 5 && ix < 5 && c < 2) ? x[(iy * 5 + ix) * 2 + c] : 0;
            }
    if (run1(g, x, 50, y, 8 * 6 * 5, NULL) == 0)
        CHECK(max_diff(y, r, 8 * 6 * 5) == 0);
    nn_graph_free(g);
}

static void test_errors(void)
{
    err e = { 0 };
    wtensor *f = rand_tensor("conv9/filters", 4, 3, 3, 4, 8);
    nn_graph *g = nn_graph_new("errnet", &e);
    nn_value v = nn_input(g, 8, 8, 3);
    nn_value y = nn_conv2d(g, v, f, NULL, 1, NN_PAD_SAME, NN_ACT_NONE); /* expects cin 3 */
    CHECK(y == NN_NONE);
    CHECK(nn_conv2d(g, y, f, NULL, 1, NN_PAD_SAME, NN_ACT_NONE) == NN_NONE); /* later calls are no-ops */
    CHECK(nn_graph_error(g, &e) == ERR_MODEL);
    CHECK_MSG(strstr(e.msg, "errnet") && strstr(e.msg, "conv9/filters") && strstr(e.msg, "[3,3,3,8]") &&
                  strstr(e.msg, "[3,3,4,8]"),
              "%s", e.msg);
    err e2 = { 0 };
    CHECK(nn_runtime_create(g, NULL, &e2) == NULL && e2.code == ERR_MODEL);
    nn_graph_free(g);
    /* A kernel larger than its padded input; a graph without outputs. */
    g = nn_graph_new("small", &e);
    v = nn_input(g, 2, 2, 4);
    CHECK(nn_conv2d(g, v, f, NULL, 1, NN_PAD_VALID, NN_ACT_NONE) == NN_NONE && nn_graph_error(g, &e) == ERR_INVALID);
    nn_graph_free(g);
    g = nn_graph_new("noout", &e);
    nn_input(g, 2, 2, 4);
    CHECK(nn_runtime_create(g, NULL, &e) == NULL && e.code == ERR_INTERNAL);
    nn_graph_free(g);
    CHECK(nn_threads_create(0, &e) == NULL && e.code == ERR_INVALID);
    wtensor_free(f);
}

int main(void)
{
    err e = { 0 };
    nn_threads *pool = nn_threads_create(2, &e);
    CHECK_MSG(pool != NULL && nn_threads_count(pool) == 2, "%s", e.msg);
    test_conv(pool);
    test_fc_and_elementwise();
    test_pools_and_pad();
    test_errors();
    nn_threads_free(pool);
    return test_main_end();
}
