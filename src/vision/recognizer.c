/* recognizer.c — face recognition ResNet (see recognizer.h).
 * Code: face-api src/faceRecognitionNet/{FaceRecognitionNet,convLayer,residualLayer,scaleLayer}.ts. */
#include "vision/recognizer.h"

#include "vision/align.h"
#include "vision/prep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A conv layer's four tensors: filters HWIO, bias, and the scale layer after it. */
#define CONVL(p, k, cin, cout)                                                        \
    {p "/conv/filters", 4, {(k), (k), (cin), (cout)}}, {p "/conv/bias", 1, {(cout)}}, \
        {p "/scale/weights", 1, {(cout)}}, {p "/scale/biases", 1, {(cout)}}
/* A residual (or residualDown) block: two 3x3 conv layers. */
#define RES(p, cin, cout) CONVL(p "/conv1", 3, (cin), (cout)), CONVL(p "/conv2", 3, (cout), (cout))

static const weights_spec table[] = {
    CONVL("conv32_down", 7, 3, 32),
    RES("conv32_1", 32, 32),
    RES("conv32_2", 32, 32),
    RES("conv32_3", 32, 32),
    RES("conv64_down", 32, 64),
    RES("conv64_1", 64, 64),
    RES("conv64_2", 64, 64),
    RES("conv64_3", 64, 64),
    RES("conv128_down", 64, 128),
    RES("conv128_1", 128, 128),
    RES("conv128_2", 128, 128),
    RES("conv256_down", 128, 256),
    RES("conv256_1", 256, 256),
    RES("conv256_2", 256, 256),
    RES("conv256_down_out", 256, 256),
    {"fc", 2, {256, RECOGNIZER_DIM}},
};

static const char *const MODEL = "face_recognition_model";

/* 29 conv layers, each folded into a filter and a bias tensor. */
#define NFOLDED 58

struct recognizer_net {
    weights *w;
    nn_graph *g;
    wtensor *folded[NFOLDED]; /* owned; the graph reads them */
    int nfolded;
    err fold_err;             /* first out-of-memory while folding */
};

struct recognizer_runner {
    nn_runtime *rt;
};

static const wtensor *get(const weights *w, const char *layer, const char *what)
{
    char name[96];
    snprintf(name, sizeof name, "%s/%s", layer, what);
    return weights_get(w, name);
}

/* convLayer: conv2d + bias, then the scale layer x*weights + biases, then relu or
 * not. The scale is folded into the convolution (filter*w, bias*w + b): one op
 * instead of three, and the same result up to float rounding (descriptors move by
 * ~1e-6, far inside the 1e-3 parity bound). */
static nn_value conv_layer(recognizer_net *net, nn_value x, const char *layer, int stride, nn_pad pad, bool relu)
{
    const weights *w = net->w;
    const wtensor *f = get(w, layer, "conv/filters"), *b = get(w, layer, "conv/bias");
    const wtensor *sw = get(w, layer, "scale/weights"), *sb = get(w, layer, "scale/biases");
    wtensor *ff = NULL, *fb = NULL;
    if (f && b && sw && sb && net->nfolded + 2 <= NFOLDED) {
        ff = wtensor_new(f->name, f->ndim, f->shape, &net->fold_err);
        fb = wtensor_new(b->name, b->ndim, b->shape, &net->fold_err);
        if (ff) net->folded[net->nfolded++] = ff;
        if (fb) net->folded[net->nfolded++] = fb;
    }
    if (ff && fb) {
        const int cout = f->shape[3];
        for (size_t i = 0; i < f->count; i++) ff->data[i] = f->data[i] * sw->data[i % cout];
        for (int c = 0; c < cout; c++) fb->data[c] = b->data[c] * sw->data[c] + sb->data[c];
    } else {
        ff = NULL; /* nn_conv2d records "missing weight tensor" in the graph */
    }
    return nn_conv2d(net->g, x, ff, fb, stride, pad, relu ? NN_ACT_RELU : NN_ACT_NONE);
}

/* residual: relu(C2(relu(C1(x))) + x), both 3x3 'same'. */
static nn_value residual(recognizer_net *net, nn_value x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    nn_value a = conv_layer(net, x, l1, 1, NN_PAD_SAME, true);
    nn_value b = conv_layer(net, a, l2, 1, NN_PAD_SAME, false);
    return nn_add(net->g, b, x, NN_ACT_RELU);
}

/* residualDown: the main path starts with a 3x3 stride-2 'valid' conv; the
 * shortcut is a 2x2 average pool with zero channels appended; when the main path
 * comes out one smaller (8 → 3 vs 4, 4 → 1 vs 2) it gets a zero row at the bottom
 * and a zero column at the right. */
static nn_value residual_down(recognizer_net *net, nn_value x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    nn_graph *g = net->g;
    nn_value a = conv_layer(net, x, l1, 2, NN_PAD_VALID, true);
    nn_value b = conv_layer(net, a, l2, 1, NN_PAD_SAME, false);
    nn_value p = nn_avgpool(g, x, 2, 2, NN_PAD_VALID);
    int bh = 0, bw = 0, bc = 0, ph = 0, pw = 0, pc = 0;
    nn_shape(g, b, &bh, &bw, &bc);
    nn_shape(g, p, &ph, &pw, &pc);
    if (pc < bc) p = nn_zero_pad(g, p, 0, 0, 0, 0, bc - pc);
    if (bh != ph || bw != pw) b = nn_zero_pad(g, b, 0, ph - bh, 0, pw - bw, 0);
    return nn_add(g, p, b, NN_ACT_RELU);
}

int recognizer_net_load(const char *models_dir, recognizer_net **out, err *e)
{
    recognizer_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    int rc = weights_load(models_dir, MODEL, table, sizeof table / sizeof *table, &net->w, e);
    if (rc) goto fail;
    nn_graph *g = net->g = nn_graph_new(MODEL, e);
    if (!g) {
        rc = e ? e->code : ERR_INTERNAL;
        goto fail;
    }
    const weights *w = net->w;
    nn_value x = nn_input(g, RECOGNIZER_INPUT, RECOGNIZER_INPUT, 3);
    x = conv_layer(net, x, "conv32_down", 2, NN_PAD_VALID, true); /* 150 → 72 */
    x = nn_maxpool(g, x, 3, 2, NN_PAD_VALID);                       /* → 35 */
    x = residual(net, x, "conv32_1");
    x = residual(net, x, "conv32_2");
    x = residual(net, x, "conv32_3");
    x = residual_down(net, x, "conv64_down"); /* → 17 */
    x = residual(net, x, "conv64_1");
    x = residual(net, x, "conv64_2");
    x = residual(net, x, "conv64_3");
    x = residual_down(net, x, "conv128_down"); /* → 8 */
    x = residual(net, x, "conv128_1");
    x = residual(net, x, "conv128_2");
    x = residual_down(net, x, "conv256_down"); /* → 4 */
    x = residual(net, x, "conv256_1");
    x = residual(net, x, "conv256_2");
    x = residual_down(net, x, "conv256_down_out"); /* → 2 */
    x = nn_global_avgpool(g, x);
    x = nn_fully_connected(g, x, weights_get(w, "fc"), NULL, NN_ACT_NONE);
    nn_output(g, x);
    if (net->fold_err.code) {
        rc = err_set(e, net->fold_err.code, "%s: %s", MODEL, net->fold_err.msg);
        goto fail;
    }
    rc = nn_graph_error(g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    recognizer_net_free(net);
    return rc;
}

void recognizer_net_free(recognizer_net *net)
{
    if (!net) return;
    nn_graph_free(net->g);
    for (int i = 0; i < net->nfolded; i++) wtensor_free(net->folded[i]);
    weights_free(net->w);
    free(net);
}

double recognizer_net_flops(const recognizer_net *net)
{
    return nn_graph_flops(net->g);
}

int recognizer_runner_new(recognizer_net *net, nn_threads *threads, recognizer_runner **out, err *e)
{
    recognizer_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "recognizer: out of memory");
    r->rt = nn_runtime_create(net->g, threads, e);
    if (!r->rt) {
        free(r);
        return e ? e->code : ERR_INTERNAL;
    }
    *out = r;
    return 0;
}

void recognizer_runner_free(recognizer_runner *r)
{
    if (!r) return;
    nn_runtime_free(r->rt);
    free(r);
}

/* Normalises the filled input buffer and runs the net. */
static int run(recognizer_runner *r, float *in, float desc[RECOGNIZER_DIM], err *e)
{
    prep_norm_mean(in, (size_t)RECOGNIZER_INPUT * RECOGNIZER_INPUT, PREP_MEAN_FACE);
    int rc = nn_run(r->rt, e);
    if (rc) return rc;
    memcpy(desc, nn_runtime_output(r->rt, 0, NULL), RECOGNIZER_DIM * sizeof *desc);
    return 0;
}

int recognizer_describe_crop(recognizer_runner *r, const image *img, crop_rect crop, float desc[RECOGNIZER_DIM],
                             err *e)
{
    float *in = nn_runtime_input(r->rt, 0, NULL);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, RECOGNIZER_INPUT, in, e);
    if (rc) return err_prefix(e, "recognizer");
    return run(r, in, desc, e);
}

int recognizer_describe(recognizer_runner *r, const image *img, const pointd pts[CROPS_NPOINTS],
                        crop_rect landmark_crop, float desc[RECOGNIZER_DIM], crop_rect *crop_out, err *e)
{
    crop_rect crop;
    const bool ok = crops_clip(crops_descriptor_rect(pts, landmark_crop.w, landmark_crop.h), img->width,
                               img->height, &crop);
    if (crop_out) *crop_out = crop;
    if (!ok) { /* FaceRecognitionNet.computeFaceDescriptor: empty input → zeros */
        memset(desc, 0, RECOGNIZER_DIM * sizeof *desc);
        return 0;
    }
    return recognizer_describe_crop(r, img, crop, desc, e);
}

int recognizer_describe_aligned(recognizer_runner *r, const image *img, const pointd pts[CROPS_NPOINTS],
                                float desc[RECOGNIZER_DIM], err *e)
{
    align_chip chip;
    int rc = align_chip_details(pts, RECOGNIZER_INPUT, ALIGN_DLIB_PADDING, &chip, e);
    if (rc) return err_prefix(e, "recognizer");
    float *in = nn_runtime_input(r->rt, 0, NULL);
    rc = align_extract(img, &chip, in, e);
    if (rc) return err_prefix(e, "recognizer");
    return run(r, in, desc, e);
}

double recognizer_distance(const float a[RECOGNIZER_DIM], const float b[RECOGNIZER_DIM])
{
    double s = 0;
    for (int i = 0; i < RECOGNIZER_DIM; i++) {
        const double d = (double)a[i] - b[i];
        s += d * d;
    }
    return sqrt(s);
}
