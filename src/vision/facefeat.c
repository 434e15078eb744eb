/* facefeat.c — the dense-block face feature extractor (see facefeat.h).
 * Code: face-api src/faceFeatureExtractor/{FaceFeatureExtractor,TinyFaceFeatureExtractor,denseBlock}.ts. */
#include "vision/facefeat.h"

#include "vision/prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* depthwiseSeparableConv: separableConv2d 'same' + bias, then act. */
static int sep(netlist *nl, int x, const weights *w, const char *block, int conv, int stride, bf16net_act act)
{
    return netlist_separable(nl, x, get(w, block, conv, "depthwise_filter"), get(w, block, conv, "pointwise_filter"),
                             get(w, block, conv, "bias"), stride, BF16NET_SAME, act);
}

/* denseBlock3 / denseBlock4 (denseBlock.ts): each conv sees the relu of the sum of
 * all earlier outputs (out1 + (out2 + (out3 + out4)) as netlist_graph nests a SUM);
 * the block's output, that sum over all, is its last conv adding the others
 * (one oneDNN kernel, which writes f32 where it is the bf16 net's output). */
static int dense_block(netlist *nl, int x, const weights *w, const char *block, int nconvs, bool first)
{
    int out[4];
    if (first)
        out[0] = netlist_conv(nl, x, get(w, block, 0, "filters"), get(w, block, 0, "bias"), 2, BF16NET_SAME, 0,
                              BF16NET_RELU);
    else
        out[0] = sep(nl, x, w, block, 0, 2, BF16NET_RELU);
    int in = out[0];
    for (int k = 1; k < nconvs; k++) {
        out[k] = sep(nl, in, w, block, k, 1, k + 1 < nconvs ? BF16NET_NONE : BF16NET_RELU);
        if (out[k] < 0) return NETLIST_NONE;
        if (k + 1 == nconvs) { /* the last conv adds out[0..k-1] */
            nl->l[out[k]].nsrc = k;
            memcpy(nl->l[out[k]].srcs, out, (size_t)k * sizeof *out);
            return out[k];
        }
        bf16net_layer s = {.op = BF16NET_SUM, .nsrc = k + 1, .act = BF16NET_RELU};
        memcpy(s.srcs, out, (size_t)(k + 1) * sizeof *out);
        in = netlist_add(nl, s);
    }
    return NETLIST_NONE; /* not reached: nconvs >= 2 */
}

int facefeat_list(netlist *nl, const weights *w, bool tiny)
{
    static const char *blocks[] = {"0", "1", "2", "3"};
    const int nblocks = tiny ? 3 : 4, nconvs = tiny ? 3 : 4;
    int x = -1;
    for (int b = 0; b < nblocks; b++) x = dense_block(nl, x, w, blocks[b], nconvs, b == 0);
    const int k = tiny ? 14 : 7;
    return netlist_add(nl, (bf16net_layer){.op = BF16NET_AVGPOOL, .src = x, .k = k, .stride = 2, .pad = BF16NET_VALID});
}

/* ---- the extractor with its fully-connected head -------------------------- */

struct facefeat_net {
    facefeat_head head;
    netlist_net n; /* list: the extractor, up to the pooled features; g: then fc (and softmax) */
};

struct facefeat_runner {
    const facefeat_net *net;
    netlist_runner run;
};

static int lister(netlist *nl, const weights *w, void *tiny)
{
    return facefeat_list(nl, w, *(const bool *)tiny);
}

int facefeat_net_load(const char *models_dir, const facefeat_head *head, facefeat_net **out, err *e)
{
    size_t nfeat;
    const weights_spec *feat = facefeat_table(head->tiny, &nfeat);
    weights_spec table[64];
    memcpy(table, feat, nfeat * sizeof *feat);
    table[nfeat] = (weights_spec){"fc/weights", 2, {facefeat_channels(head->tiny), head->nout}};
    table[nfeat + 1] = (weights_spec){"fc/bias", 1, {head->nout}};

    facefeat_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", head->model);
    net->head = *head;
    netlist_net *n = &net->n;
    n->model = head->model, n->size = FACEFEAT_INPUT;
    nn_value x;
    int rc = netlist_net_load(n, models_dir, table, nfeat + 2, lister, &net->head.tiny, &x, e);
    if (rc) goto fail;
    nn_graph *g = n->g;
    x = nn_fully_connected(g, x, weights_get(n->w, "fc/weights"), weights_get(n->w, "fc/bias"), NN_ACT_NONE);
    nn_output(g, head->softmax ? nn_softmax(g, x) : x);
    rc = nn_graph_error(g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    facefeat_net_free(net);
    return rc;
}

int facefeat_net_load_bf16(facefeat_net *net, err *e)
{
    return netlist_net_load_bf16(&net->n, e);
}

void facefeat_net_free(facefeat_net *net)
{
    if (!net) return;
    netlist_net_fini(&net->n);
    free(net);
}

double facefeat_net_flops(const facefeat_net *net)
{
    return nn_graph_flops(net->n.g);
}

int facefeat_runner_new(facefeat_net *net, nn_threads *threads, bool bf16, facefeat_runner **out, err *e)
{
    facefeat_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "%s: out of memory", net->head.what);
    r->net = net;
    int rc = netlist_runner_init(&r->run, &net->n, threads, bf16, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void facefeat_runner_free(facefeat_runner *r)
{
    if (!r) return;
    netlist_runner_fini(&r->run);
    free(r);
}

int facefeat_run_crop(facefeat_runner *r, const image *img, crop_rect crop, float *out, err *e)
{
    const facefeat_head *h = &r->net->head;
    float *in = netlist_runner_input(&r->run);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, FACEFEAT_INPUT, in, e);
    if (rc) return err_prefix(e, h->what);
    prep_norm_mean(in, (size_t)FACEFEAT_INPUT * FACEFEAT_INPUT, PREP_MEAN_FACE);
    if ((rc = netlist_runner_exec(&r->run, e)) != 0) return rc;
    if (!r->run.bf) {
        memcpy(out, nn_runtime_output(r->run.rt, 0, NULL), (size_t)h->nout * sizeof *out);
        return 0;
    }
    /* bf16: the last dense block's output (f32), then the pool and the head on the host in fp32. */
    size_t count = 0;
    const float *x = bf16net_run_output(r->run.bf, 0, &count);
    float feats[256];
    netlist_mean(x, count, facefeat_channels(h->tiny), feats);
    const weights *w = r->net->n.w;
    netlist_fc(feats, weights_get(w, "fc/weights"), weights_get(w, "fc/bias"), out);
    if (h->softmax) netlist_softmax(out, h->nout);
    return 0;
}
