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
#define CONVL(p, k, cin, cout)                                                                                         \
    { p "/conv/filters", 4, { (k), (k), (cin), (cout) } }, { p "/conv/bias", 1, { (cout) } },                          \
        { p "/scale/weights", 1, { (cout) } },                                                                         \
    {                                                                                                                  \
        p "/scale/biases", 1,                                                                                          \
        {                                                                                                              \
            (cout)                                                                                                     \
        }                                                                                                              \
    }
/* A residual (or residualDown) block: two 3x3 conv layers. */
#define RES(p, cin, cout) CONVL(p "/conv1", 3, (cin), (cout)), CONVL(p "/conv2", 3, (cout), (cout))

static const weights_spec table[] = {
    CONVL("conv32_down", 7, 3, 32),    RES("conv32_1", 32, 32),
    RES("conv32_2", 32, 32),           RES("conv32_3", 32, 32),
    RES("conv64_down", 32, 64),        RES("conv64_1", 64, 64),
    RES("conv64_2", 64, 64),           RES("conv64_3", 64, 64),
    RES("conv128_down", 64, 128),      RES("conv128_1", 128, 128),
    RES("conv128_2", 128, 128),        RES("conv256_down", 128, 256),
    RES("conv256_1", 256, 256),        RES("conv256_2", 256, 256),
    RES("conv256_down_out", 256, 256), { "fc", 2, { 256, RECOGNIZER_DIM } },
};

static const char *const MODEL = "face_recognition_model";

/* 29 conv layers, each folded into a filter and a bias tensor. */
#define NFOLDED 58

/* The layer list (net.h): 29 convs, a max pool, 4 x (average pool, 2 pads,
 * add), the global average pool and the fully connected layer. */
struct recognizer_net {
    net_model *m;
    wtensor *folded[NFOLDED]; /* owned; the layer list points at them */
    int nfolded;
};

struct recognizer_runner {
    net_runner *run;
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
 * ~1e-6, far inside the 1e-3 parity bound). residual >= 0: that layer's output
 * is added before the relu. */
static int conv_layer(recognizer_net *net, layer_list *nl, const weights *w, int x, const char *name, int stride,
                      layer_pad pad, bool relu, int residual)
{
    if (x == LAYERS_NONE || nl->e.code)
        return LAYERS_NONE;
    const wtensor *f = get(w, name, "conv/filters"), *b = get(w, name, "conv/bias");
    const wtensor *sw = get(w, name, "scale/weights"), *sb = get(w, name, "scale/biases");
    if (!f || !b || !sw || !sb || net->nfolded + 2 > NFOLDED) {
        err_set(&nl->e, ERR_MODEL, "%s: missing weight tensor", name);
        return LAYERS_NONE;
    }
    wtensor *ff = wtensor_new(f->name, f->ndim, f->shape, &nl->e);
    wtensor *fb = wtensor_new(b->name, b->ndim, b->shape, &nl->e);
    if (ff)
        net->folded[net->nfolded++] = ff;
    if (fb)
        net->folded[net->nfolded++] = fb;
    if (!ff || !fb)
        return LAYERS_NONE;
    const int cout = f->shape[3];
    for (size_t i = 0; i < f->count; i++)
        ff->data[i] = f->data[i] * sw->data[i % cout];
    for (int c = 0; c < cout; c++)
        fb->data[c] = b->data[c] * sw->data[c] + sb->data[c];
    return layers_add(nl, (layer){ .op = LAYER_CONV,
                                   .src = x,
                                   .filter = ff,
                                   .bias = fb,
                                   .stride = stride,
                                   .pad = pad,
                                   .act = relu ? LAYER_RELU : LAYER_NONE,
                                   .src2 = residual,
                                   .residual = residual >= 0 });
}

/* residual: relu(C2(relu(C1(x))) + x), both 3x3 'same'. */
static int residual(recognizer_net *net, layer_list *nl, const weights *w, int x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    int a = conv_layer(net, nl, w, x, l1, 1, LAYER_SAME, true, -1);
    return conv_layer(net, nl, w, a, l2, 1, LAYER_SAME, true, x);
}

/* residualDown: the main path starts with a 3x3 stride-2 'valid' conv; the
 * shortcut is a 2x2 average pool with zero channels appended; when the main path
 * comes out one smaller (8 → 3 vs 4, 4 → 1 vs 2) it gets a zero row at the bottom
 * and a zero column at the right. */
static int residual_down(recognizer_net *net, layer_list *nl, const weights *w, int x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    int a = conv_layer(net, nl, w, x, l1, 2, LAYER_VALID, true, -1);
    int b = conv_layer(net, nl, w, a, l2, 1, LAYER_SAME, false, -1);
    int p = layers_add(nl, (layer){ .op = LAYER_AVGPOOL, .src = x, .k = 2, .stride = 2, .pad = LAYER_VALID });
    if (p < 0 || b < 0)
        return LAYERS_NONE;
    const int cb = layers_channels(nl, b), ph = layers_side(nl, p);
    if (layers_channels(nl, p) < cb)
        p = layers_add(nl, (layer){ .op = LAYER_PAD, .src = p, .channels = cb });
    if (layers_side(nl, b) != ph)
        b = layers_add(nl, (layer){ .op = LAYER_PAD, .src = b, .grow = ph - layers_side(nl, b), .channels = cb });
    return layers_add(nl, (layer){ .op = LAYER_ADD, .src = p, .src2 = b, .act = LAYER_RELU });
}

/* The layer list of face-api's FaceRecognitionNet (net_lister; ctx: the
 * recognizer_net, which owns the folded tensors). */
static int list_layers(layer_list *nl, const weights *w, void *ctx)
{
    recognizer_net *net = ctx;
    int x = conv_layer(net, nl, w, -1, "conv32_down", 2, LAYER_VALID, true, -1); /* 150 → 72 */
    x = layers_add(nl, (layer){ .op = LAYER_MAXPOOL, .src = x, .k = 3, .stride = 2, .pad = LAYER_VALID }); /* → 35 */
    x = residual(net, nl, w, x, "conv32_1");
    x = residual(net, nl, w, x, "conv32_2");
    x = residual(net, nl, w, x, "conv32_3");
    x = residual_down(net, nl, w, x, "conv64_down"); /* → 17 */
    x = residual(net, nl, w, x, "conv64_1");
    x = residual(net, nl, w, x, "conv64_2");
    x = residual(net, nl, w, x, "conv64_3");
    x = residual_down(net, nl, w, x, "conv128_down"); /* → 8 */
    x = residual(net, nl, w, x, "conv128_1");
    x = residual(net, nl, w, x, "conv128_2");
    x = residual_down(net, nl, w, x, "conv256_down"); /* → 4 */
    x = residual(net, nl, w, x, "conv256_1");
    x = residual(net, nl, w, x, "conv256_2");
    x = residual_down(net, nl, w, x, "conv256_down_out"); /* → 2 */
    /* the global average pool (the whole 2 x 2 map), then fc: 256 → 128 */
    if (x < 0)
        return LAYERS_NONE;
    const int k = layers_side(nl, x);
    x = layers_add(nl, (layer){ .op = LAYER_AVGPOOL, .src = x, .k = k, .stride = k, .pad = LAYER_VALID });
    return layers_head(nl, x, weights_get(w, "fc"), NULL, 0);
}

int recognizer_net_load(const char *models_dir, recognizer_net **out, err *e)
{
    recognizer_net *net = calloc(1, sizeof *net);
    if (!net)
        return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    const net_spec spec = { MODEL, RECOGNIZER_INPUT, table, sizeof table / sizeof *table, list_layers, net, 0 };
    int rc = net_model_load(&spec, models_dir, &net->m, e);
    if (rc) {
        recognizer_net_free(net);
        return rc;
    }
    *out = net;
    return 0;
}

void recognizer_net_free(recognizer_net *net)
{
    if (!net)
        return;
    net_model_free(net->m);
    for (int i = 0; i < net->nfolded; i++)
        wtensor_free(net->folded[i]);
    free(net);
}

double recognizer_net_flops(const recognizer_net *net)
{
    return net_model_flops(net->m);
}

int recognizer_runner_new(recognizer_net *net, nn_threads *threads, net_precision p, recognizer_runner **out, err *e)
{
    recognizer_runner *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "recognizer: out of memory");
    int rc = net_runner_new(net->m, threads, p, &r->run, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void recognizer_runner_free(recognizer_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
    free(r);
}

/* Normalises the filled input buffer, runs the net, copies the descriptor. */
static int run(recognizer_runner *r, float *in, float desc[RECOGNIZER_DIM], err *e)
{
    prep_norm_mean(in, (size_t)RECOGNIZER_INPUT * RECOGNIZER_INPUT, PREP_MEAN_FACE);
    int rc = net_runner_exec(r->run, e);
    if (rc)
        return rc;
    memcpy(desc, net_runner_output(r->run, 0, NULL), RECOGNIZER_DIM * sizeof *desc);
    return 0;
}

int recognizer_describe_crop(recognizer_runner *r, const image *img, crop_rect crop, float desc[RECOGNIZER_DIM], err *e)
{
    float *in = net_runner_input(r->run, NULL);
    const prep_rect pr = { crop.x, crop.y, crop.w, crop.h };
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, RECOGNIZER_INPUT, in, e);
    if (rc)
        return err_prefix(e, "recognizer");
    return run(r, in, desc, e);
}

int recognizer_describe(recognizer_runner *r, const image *img, const pointd pts[CROPS_NPOINTS],
                        crop_rect landmark_crop, float desc[RECOGNIZER_DIM], crop_rect *crop_out, err *e)
{
    crop_rect crop;
    const bool ok =
        crops_clip(crops_descriptor_rect(pts, landmark_crop.w, landmark_crop.h), img->width, img->height, &crop);
    if (crop_out)
        *crop_out = crop;
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
    if (rc)
        return err_prefix(e, "recognizer");
    float *in = net_runner_input(r->run, NULL);
    rc = align_extract(img, &chip, in, e);
    if (rc)
        return err_prefix(e, "recognizer");
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
