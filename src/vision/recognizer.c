/* recognizer.c — face recognition ResNet (see recognizer.h).
 * Code: face-api src/faceRecognitionNet/{FaceRecognitionNet,convLayer,residualLayer,scaleLayer}.ts. */
#include "vision/recognizer.h"

#include "vision/align.h"
#include "vision/bf16net.h"
#include "vision/netlist.h"
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

/* The layer list (netlist.h): 29 convs, a max pool, 4 x (average pool, 2 pads,
 * add), the global average pool; then the fully connected layer. */
struct recognizer_net {
    netlist_net n;
    wtensor *folded[NFOLDED]; /* owned; the layer list points at them */
    int nfolded;
    int hs[NETLIST_MAX], cs[NETLIST_MAX]; /* each layer's output side and channels */
};

struct recognizer_runner {
    const recognizer_net *net;
    netlist_runner run;
};

static const wtensor *get(const weights *w, const char *layer, const char *what)
{
    char name[96];
    snprintf(name, sizeof name, "%s/%s", layer, what);
    return weights_get(w, name);
}

/* Appends layer l, whose output is h x h x c (netlist_add). */
static int add(recognizer_net *net, bf16net_layer l, int h, int c)
{
    const int i = netlist_add(&net->n.list, l);
    if (i >= 0) net->hs[i] = h, net->cs[i] = c;
    return i;
}

static int side(const recognizer_net *net, int i)
{
    return i < 0 ? RECOGNIZER_INPUT : net->hs[i];
}

static int chans(const recognizer_net *net, int i)
{
    return i < 0 ? 3 : net->cs[i];
}

/* Output side of a k-window (TensorFlow's 'same' or 'valid'). */
static int out_side(int in, int k, int stride, bf16net_pad pad)
{
    return pad == BF16NET_SAME ? (in + stride - 1) / stride : (in - k) / stride + 1;
}

/* convLayer: conv2d + bias, then the scale layer x*weights + biases, then relu or
 * not. The scale is folded into the convolution (filter*w, bias*w + b): one op
 * instead of three, and the same result up to float rounding (descriptors move by
 * ~1e-6, far inside the 1e-3 parity bound). residual >= 0: that layer's output
 * is added before the relu. */
static int conv_layer(recognizer_net *net, int x, const char *layer, int stride, bf16net_pad pad, bool relu,
                      int residual)
{
    netlist *nl = &net->n.list;
    if (x == NETLIST_NONE || nl->e.code) return NETLIST_NONE;
    const weights *w = net->n.w;
    const wtensor *f = get(w, layer, "conv/filters"), *b = get(w, layer, "conv/bias");
    const wtensor *sw = get(w, layer, "scale/weights"), *sb = get(w, layer, "scale/biases");
    if (!f || !b || !sw || !sb || net->nfolded + 2 > NFOLDED) {
        err_set(&nl->e, ERR_MODEL, "%s: missing weight tensor", layer);
        return NETLIST_NONE;
    }
    wtensor *ff = wtensor_new(f->name, f->ndim, f->shape, &nl->e);
    wtensor *fb = wtensor_new(b->name, b->ndim, b->shape, &nl->e);
    if (ff) net->folded[net->nfolded++] = ff;
    if (fb) net->folded[net->nfolded++] = fb;
    if (!ff || !fb) return NETLIST_NONE;
    const int cout = f->shape[3];
    for (size_t i = 0; i < f->count; i++) ff->data[i] = f->data[i] * sw->data[i % cout];
    for (int c = 0; c < cout; c++) fb->data[c] = b->data[c] * sw->data[c] + sb->data[c];
    const bf16net_layer l = {.op = BF16NET_CONV, .src = x, .filter = ff, .bias = fb, .stride = stride, .pad = pad,
                             .act = relu ? BF16NET_RELU : BF16NET_NONE, .src2 = residual, .residual = residual >= 0};
    return add(net, l, out_side(side(net, x), f->shape[0], stride, pad), cout);
}

/* residual: relu(C2(relu(C1(x))) + x), both 3x3 'same'. */
static int residual(recognizer_net *net, int x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    int a = conv_layer(net, x, l1, 1, BF16NET_SAME, true, -1);
    return conv_layer(net, a, l2, 1, BF16NET_SAME, true, x);
}

/* residualDown: the main path starts with a 3x3 stride-2 'valid' conv; the
 * shortcut is a 2x2 average pool with zero channels appended; when the main path
 * comes out one smaller (8 → 3 vs 4, 4 → 1 vs 2) it gets a zero row at the bottom
 * and a zero column at the right. */
static int residual_down(recognizer_net *net, int x, const char *block)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s/conv1", block);
    snprintf(l2, sizeof l2, "%s/conv2", block);
    int a = conv_layer(net, x, l1, 2, BF16NET_VALID, true, -1);
    int b = conv_layer(net, a, l2, 1, BF16NET_SAME, false, -1);
    if (b < 0) return NETLIST_NONE;
    const int ph = out_side(side(net, x), 2, 2, BF16NET_VALID);
    int p = add(net, (bf16net_layer){.op = BF16NET_AVGPOOL, .src = x, .k = 2, .stride = 2, .pad = BF16NET_VALID}, ph,
                chans(net, x));
    if (p >= 0 && chans(net, p) < chans(net, b))
        p = add(net, (bf16net_layer){.op = BF16NET_PAD, .src = p, .channels = chans(net, b)}, ph, chans(net, b));
    if (p >= 0 && side(net, b) != ph)
        b = add(net, (bf16net_layer){.op = BF16NET_PAD, .src = b, .grow = ph - side(net, b), .channels = chans(net, b)},
                ph, chans(net, b));
    return add(net, (bf16net_layer){.op = BF16NET_ADD, .src = p, .src2 = b, .act = BF16NET_RELU}, ph, chans(net, b));
}

/* The layer list of face-api's FaceRecognitionNet, up to the global average
 * pool (netlist_lister; ctx: the recognizer_net, whose list nl is). */
static int list_layers(netlist *nl, const weights *w, void *ctx)
{
    (void)nl, (void)w;
    recognizer_net *net = ctx;
    int x = conv_layer(net, -1, "conv32_down", 2, BF16NET_VALID, true, -1); /* 150 → 72 */
    x = add(net, (bf16net_layer){.op = BF16NET_MAXPOOL, .src = x, .k = 3, .stride = 2, .pad = BF16NET_VALID},
            out_side(side(net, x), 3, 2, BF16NET_VALID), chans(net, x)); /* → 35 */
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
    /* the global average pool: the whole 2 x 2 map */
    const int k = side(net, x);
    return add(net, (bf16net_layer){.op = BF16NET_AVGPOOL, .src = x, .k = k, .stride = k, .pad = BF16NET_VALID}, 1,
               chans(net, x));
}

int recognizer_net_load(const char *models_dir, recognizer_net **out, err *e)
{
    recognizer_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    netlist_net *n = &net->n;
    n->model = MODEL, n->size = RECOGNIZER_INPUT;
    nn_value x;
    int rc = netlist_net_load(n, models_dir, table, sizeof table / sizeof *table, list_layers, net, &x, e);
    if (rc) goto fail;
    nn_output(n->g, nn_fully_connected(n->g, x, weights_get(n->w, "fc"), NULL, NN_ACT_NONE));
    rc = nn_graph_error(n->g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    recognizer_net_free(net);
    return rc;
}

int recognizer_net_load_bf16(recognizer_net *net, err *e)
{
    return netlist_net_load_bf16(&net->n, e);
}

void recognizer_net_free(recognizer_net *net)
{
    if (!net) return;
    netlist_net_fini(&net->n);
    for (int i = 0; i < net->nfolded; i++) wtensor_free(net->folded[i]);
    free(net);
}

double recognizer_net_flops(const recognizer_net *net)
{
    return nn_graph_flops(net->n.g);
}

int recognizer_runner_new_precision(recognizer_net *net, nn_threads *threads, recognizer_precision p,
                                    recognizer_runner **out, err *e)
{
    recognizer_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "recognizer: out of memory");
    r->net = net;
    int rc = netlist_runner_init(&r->run, &net->n, threads, p == RECOGNIZER_BF16, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int recognizer_runner_new(recognizer_net *net, nn_threads *threads, recognizer_runner **out, err *e)
{
    return recognizer_runner_new_precision(net, threads, RECOGNIZER_FP32, out, e);
}

void recognizer_runner_free(recognizer_runner *r)
{
    if (!r) return;
    netlist_runner_fini(&r->run);
    free(r);
}

/* Normalises the filled input buffer and runs the net; bf16: the global
 * average pool and the 256 → 128 fully connected layer (fc is [in, out]) on the
 * host, in fp32. */
static int run(recognizer_runner *r, float *in, float desc[RECOGNIZER_DIM], err *e)
{
    prep_norm_mean(in, (size_t)RECOGNIZER_INPUT * RECOGNIZER_INPUT, PREP_MEAN_FACE);
    int rc = netlist_runner_exec(&r->run, e);
    if (rc) return rc;
    if (!r->run.bf) {
        memcpy(desc, nn_runtime_output(r->run.rt, 0, NULL), RECOGNIZER_DIM * sizeof *desc);
        return 0;
    }
    size_t count = 0;
    const float *x = bf16net_run_output(r->run.bf, 0, &count);
    const wtensor *fc = weights_get(r->net->n.w, "fc"); /* [256, RECOGNIZER_DIM]: the load checked */
    float pooled[256];
    netlist_mean(x, count, fc->shape[0], pooled);
    netlist_fc(pooled, fc, NULL, desc);
    return 0;
}

int recognizer_describe_crop(recognizer_runner *r, const image *img, crop_rect crop, float desc[RECOGNIZER_DIM],
                             err *e)
{
    float *in = netlist_runner_input(&r->run);
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
    float *in = netlist_runner_input(&r->run);
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
