/* facefeat.c — the dense-block face feature extractor (see facefeat.h).
 * Code: face-api src/faceFeatureExtractor/{FaceFeatureExtractor,TinyFaceFeatureExtractor,denseBlock}.ts. */
#include "vision/facefeat.h"

#include <stdio.h>

/* A separable conv's three tensors: depthwise [3,3,cin,1], pointwise [1,1,cin,cout], bias [cout]. */
#define SEP(prefix, cin, cout)                                 \
    {prefix "/depthwise_filter", 4, {3, 3, (cin), 1}},         \
        {prefix "/pointwise_filter", 4, {1, 1, (cin), (cout)}}, \
        {prefix "/bias", 1, {(cout)}}
/* The first block starts with a plain 3x3 conv from RGB. */
#define CONV0 {"dense0/conv0/filters", 4, {3, 3, 3, 32}}, {"dense0/conv0/bias", 1, {32}}

static const weights_spec full_table[] = {
    CONV0,
    SEP("dense0/conv1", 32, 32),   SEP("dense0/conv2", 32, 32),   SEP("dense0/conv3", 32, 32),
    SEP("dense1/conv0", 32, 64),   SEP("dense1/conv1", 64, 64),   SEP("dense1/conv2", 64, 64),
    SEP("dense1/conv3", 64, 64),   SEP("dense2/conv0", 64, 128),  SEP("dense2/conv1", 128, 128),
    SEP("dense2/conv2", 128, 128), SEP("dense2/conv3", 128, 128), SEP("dense3/conv0", 128, 256),
    SEP("dense3/conv1", 256, 256), SEP("dense3/conv2", 256, 256), SEP("dense3/conv3", 256, 256),
};

static const weights_spec tiny_table[] = {
    CONV0,
    SEP("dense0/conv1", 32, 32),   SEP("dense0/conv2", 32, 32),  SEP("dense1/conv0", 32, 64),
    SEP("dense1/conv1", 64, 64),   SEP("dense1/conv2", 64, 64),  SEP("dense2/conv0", 64, 128),
    SEP("dense2/conv1", 128, 128), SEP("dense2/conv2", 128, 128),
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

/* depthwiseSeparableConv: separableConv2d 'same' + bias, no activation. */
static nn_value sep(nn_graph *g, nn_value x, const weights *w, const char *block, int conv, int stride)
{
    return nn_separable(g, x, get(w, block, conv, "depthwise_filter"), get(w, block, conv, "pointwise_filter"),
                        get(w, block, conv, "bias"), stride, NN_PAD_SAME, NN_ACT_NONE);
}

/* denseBlock3 / denseBlock4 (denseBlock.ts): each conv sees the relu of the sum of
 * all earlier outputs; the sums nest to the right, out1 + (out2 + (out3 + out4)). */
static nn_value dense_block(nn_graph *g, nn_value x, const weights *w, const char *block, int nconvs, bool first)
{
    nn_value out[4];
    if (first)
        out[0] = nn_conv2d(g, x, get(w, block, 0, "filters"), get(w, block, 0, "bias"), 2, NN_PAD_SAME, NN_ACT_RELU);
    else
        out[0] = nn_separable(g, x, get(w, block, 0, "depthwise_filter"), get(w, block, 0, "pointwise_filter"),
                              get(w, block, 0, "bias"), 2, NN_PAD_SAME, NN_ACT_RELU);
    out[1] = sep(g, out[0], w, block, 1, 1);
    for (int k = 2; k <= nconvs; k++) {
        /* sum = out1 + (out2 + (... + out_k)), with a relu on the whole. */
        nn_value tail = out[k - 1];
        for (int j = k - 2; j >= 1; j--) tail = nn_add(g, out[j], tail, NN_ACT_NONE);
        nn_value in = nn_add(g, out[0], tail, NN_ACT_RELU);
        if (k == nconvs) return in;
        out[k] = sep(g, in, w, block, k, 1);
    }
    return NN_NONE; /* not reached: nconvs >= 2 */
}

nn_value facefeat_build(nn_graph *g, nn_value x, const weights *w, bool tiny)
{
    static const char *blocks[] = {"0", "1", "2", "3"};
    const int nblocks = tiny ? 3 : 4, nconvs = tiny ? 3 : 4;
    for (int b = 0; b < nblocks; b++) x = dense_block(g, x, w, blocks[b], nconvs, b == 0);
    return nn_avgpool(g, x, tiny ? 14 : 7, 2, NN_PAD_VALID);
}
