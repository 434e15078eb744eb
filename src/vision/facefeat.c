/* facefeat.c — the dense-block face feature extractor (see facefeat.h).
 * Code: face-api src/faceFeatureExtractor/{FaceFeatureExtractor,TinyFaceFeatureExtractor,denseBlock}.ts. */
#include "vision/facefeat.h"

#include "vision/prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A separable conv's three tensors: depthwise [3,3,cin,1], pointwise [1,1,cin,cout], bias [cout]. */
#define SEP(prefix, cin, cout)                                                                                         \
    { prefix "/depthwise_filter", 4, { 3, 3, (cin), 1 } }, { prefix "/pointwise_filter", 4, { 1, 1, (cin), (cout) } }, \
    {                                                                                                                  \
        prefix "/bias", 1,                                                                                             \
        {                                                                                                              \
            (cout)                                                                                                     \
        }                                                                                                              \
    }
/* The first block starts with a plain 3x3 conv from RGB. */
#define CONV0                                                                                                          \
    { "dense0/conv0/filters", 4, { 3, 3, 3, 32 } },                                                                    \
    {                                                                                                                  \
        "dense0/conv0/bias", 1,                                                                                        \
        {                                                                                                              \
            32                                                                                                         \
        }                                                                                                              \
    }

static const weights_spec full_table[] = {
    CONV0,
    SEP("dense0/conv1", 32, 32),
    SEP("dense0/conv2", 32, 32),
    SEP("dense0/conv3", 32, 32),
    SEP("dense1/conv0", 32, 64),
    SEP("dense1/conv1", 64, 64),
    SEP("dense1/conv2", 64, 64),
    SEP("dense1/conv3", 64, 64),
    SEP("dense2/conv0", 64, 128),
    SEP("dense2/conv1", 128, 128),
    SEP("dense2/conv2", 128, 128),
    SEP("dense2/conv3", 128, 128),
    SEP("dense3/conv0", 128, 256),
    SEP("dense3/conv1", 256, 256),
    SEP("dense3/conv2", 256, 256),
    SEP("dense3/conv3", 256, 256),
};

static const weights_spec tiny_table[] = {
    CONV0,
    SEP("dense0/conv1", 32, 32),
    SEP("dense0/conv2", 32, 32),
    SEP("dense1/conv0", 32, 64),
    SEP("dense1/conv1", 64, 64),
    SEP("dense1/conv2", 64, 64),
    SEP("dense2/conv0", 64, 128),
    SEP("dense2/conv1", 128, 128),
    SEP("dense2/conv2", 128, 128),
};

const weights_spec *facefeat_table(bool tiny, size_t *n)
{
    *n = tiny ? sizeof tiny_table / sizeof *tiny_table : sizeof full_table / sizeof *full_table;
    return tiny ? tiny_table : full_table;
}

int facefeat_channels(bool tiny)
{
    return tiny ? 128 : 256;
}

static const wtensor *get(const weights *w, const char *block, int conv, const char *what)
{
    char name[64];
    snprintf(name, sizeof name, "dense%s/conv%d/%s", block, conv, what);
    return weights_get(w, name);
}

/* depthwiseSeparableConv: separableConv2d 'same' + bias, then act. */
static int sep(layer_list *nl, int x, const weights *w, const char *block, int conv, int stride, layer_act act)
{
    return layers_separable(nl, x, get(w, block, conv, "depthwise_filter"), get(w, block, conv, "pointwise_filter"),
                            get(w, block, conv, "bias"), stride, LAYER_SAME, act);
}

/* denseBlock3 / denseBlock4 (denseBlock.ts): each conv sees the relu of the sum of
 * all earlier outputs (out1 + (out2 + (out3 + out4)) as the fp32 graph nests a SUM);
 * the block's output, that sum over all, is its last conv adding the others
 * (one oneDNN kernel, which writes f32 where it is the bf16 net's output). */
static int dense_block(layer_list *nl, int x, const weights *w, const char *block, int nconvs, bool first)
{
    int out[4];
    if (first)
        out[0] =
            layers_conv(nl, x, get(w, block, 0, "filters"), get(w, block, 0, "bias"), 2, LAYER_SAME, 0, LAYER_RELU);
    else
        out[0] = sep(nl, x, w, block, 0, 2, LAYER_RELU);
    int in = out[0];
    for (int k = 1; k < nconvs; k++) {
        const bool last = k + 1 == nconvs;
        if (last) { /* the last conv adds out[0..k-1]: its pointwise half does */
            const int d = layers_conv(nl, in, get(w, block, k, "depthwise_filter"), NULL, 1, LAYER_SAME, 1, LAYER_NONE);
            layer pw = { .op = LAYER_CONV,
                         .src = d,
                         .filter = get(w, block, k, "pointwise_filter"),
                         .bias = get(w, block, k, "bias"),
                         .stride = 1,
                         .pad = LAYER_VALID,
                         .act = LAYER_RELU,
                         .nsrc = k };
            memcpy(pw.srcs, out, (size_t)k * sizeof *out);
            return layers_add(nl, pw);
        }
        out[k] = sep(nl, in, w, block, k, 1, LAYER_NONE);
        if (out[k] < 0)
            return LAYERS_NONE;
        layer s = { .op = LAYER_SUM, .nsrc = k + 1, .act = LAYER_RELU };
        memcpy(s.srcs, out, (size_t)(k + 1) * sizeof *out);
        in = layers_add(nl, s);
    }
    return LAYERS_NONE; /* not reached: nconvs >= 2 */
}

int facefeat_list(layer_list *nl, const weights *w, bool tiny)
{
    static const char *blocks[] = { "0", "1", "2", "3" };
    const int nblocks = tiny ? 3 : 4, nconvs = tiny ? 3 : 4;
    int x = -1;
    for (int b = 0; b < nblocks; b++)
        x = dense_block(nl, x, w, blocks[b], nconvs, b == 0);
    const int k = tiny ? 14 : 7;
    return layers_add(nl, (layer){ .op = LAYER_AVGPOOL, .src = x, .k = k, .stride = 2, .pad = LAYER_VALID });
}

/* ---- the extractor with its fully-connected head -------------------------- */

/* The extractor, then fc (and softmax): net_lister, ctx the facefeat_head. */
static int list_layers(layer_list *nl, const weights *w, void *ctx)
{
    const facefeat_head *h = ctx;
    const int x = facefeat_list(nl, w, h->tiny);
    return layers_head(nl, x, weights_get(w, "fc/weights"), weights_get(w, "fc/bias"), h->softmax);
}

int facefeat_load(const char *models_dir, const facefeat_head *head, net_model **out, err *e)
{
    size_t nfeat;
    const weights_spec *feat = facefeat_table(head->tiny, &nfeat);
    weights_spec table[64];
    memcpy(table, feat, nfeat * sizeof *feat);
    table[nfeat] = (weights_spec){ "fc/weights", 2, { facefeat_channels(head->tiny), head->nout } };
    table[nfeat + 1] = (weights_spec){ "fc/bias", 1, { head->nout } };
    facefeat_head h = *head;
    const net_spec spec = { head->model, FACEFEAT_INPUT, table, nfeat + 2, list_layers, &h, 0 };
    return net_model_load(&spec, models_dir, out, e);
}

int facefeat_run_crop(net_runner *r, const image *img, crop_rect crop, const char *what, float *out, int nout, err *e)
{
    float *in = net_runner_input(r, NULL);
    const prep_rect pr = { crop.x, crop.y, crop.w, crop.h };
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, FACEFEAT_INPUT, in, e);
    if (rc)
        return err_prefix(e, "%s", what);
    prep_norm_mean(in, (size_t)FACEFEAT_INPUT * FACEFEAT_INPUT, PREP_MEAN_FACE);
    if ((rc = net_runner_exec(r, e)) != 0)
        return rc;
    memcpy(out, net_runner_output(r, 0, NULL), (size_t)nout * sizeof *out);
    return 0;
}
