/* netlist.h — one description of a small CNN's layers, run two ways. A network
 * (recognizer.c, facefeat.c, agegender.c) lists its layers once as bf16net_layer
 * entries; netlist_graph adds that list to an XNNPACK graph (nn.h: fp32,
 * face-api's numbers) and bf16net_new makes the bf16 net of the same list
 * (bf16net.h). A netlist_runner runs either. What follows the bf16 net's f32
 * output (the fully-connected heads, softmax) runs on the host in fp32:
 * netlist_fc, netlist_softmax.
 *
 * Sharing: a netlist is filled once at model load and read-only afterwards; a
 * netlist_runner belongs to one thread at a time. */
#ifndef FACETAG_VISION_NETLIST_H
#define FACETAG_VISION_NETLIST_H

#include "core/error.h"
#include "vision/bf16net.h"
#include "vision/nn.h"
#include "vision/weights.h"
#include <stdbool.h>

#define NETLIST_MAX 64
/* "No layer": what the builders return after a failure (-1 is the input). */
#define NETLIST_NONE (-2)

typedef struct netlist {
    bf16net_layer l[NETLIST_MAX];
    int n;
    err e; /* the first failure while listing (list full, missing tensor) */
} netlist;

/* Appends l; returns its index, or NETLIST_NONE (e recorded once) when the list
 * is full, an earlier call failed or l reads NETLIST_NONE. */
int netlist_add(netlist *nl, bf16net_layer l);
/* A convolution (depthwise: dw != 0), bias may be NULL; NETLIST_NONE with e
 * recorded when the filter is missing. */
int netlist_conv(netlist *nl, int x, const wtensor *filter, const wtensor *bias, int stride, bf16net_pad pad,
                 int dw, bf16net_act act);
/* tfjs separableConv2d + bias (nn_separable): depthwise dw without bias, then
 * 1x1 pointwise pw + bias, then act — two layers. */
int netlist_separable(netlist *nl, int x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                      bf16net_pad pad, bf16net_act act);

/* Adds layers[0..n-1] to g on input `in` (NETLIST_MAX at most); returns the
 * last layer's value (NN_NONE after an error, recorded in g). The same ops, in
 * the same order, as the network written directly with nn.h: a separable conv
 * is nn_depthwise + nn_conv2d as nn_separable; a SUM of a, b, c, d is
 * a + (b + (c + d)); a residual conv is nn_add(conv, src2); a conv adding
 * a, b, c is a + (b + (c + conv)). */
nn_value netlist_graph(nn_graph *g, nn_value in, const bf16net_layer *layers, int n);

/* The bf16 net of nl's layers but the last, an average pool over the whole map
 * (face-api's 7x7 / 14x14 avgPool before the fc heads): the pool's input
 * becomes the f32 output and the pool runs on the host (netlist_mean) —
 * oneDNN 2.6 has no bf16 -> f32 pooling. Marks that layer external in nl
 * (the fp32 graph does not look at it); call at load, before any runner. */
bf16net *netlist_bf16_pooled(const char *name, int size, netlist *nl, err *e);
/* Per-channel mean of count NHWC floats with c channels (a global average pool). */
void netlist_mean(const float *x, size_t count, int c, float *out);
/* Fully connected in fp32 on the host: out[o] = b[o] + sum_i x[i] w[i][o], w
 * [in,out] as tfjs stores it, b [out] or NULL. */
void netlist_fc(const float *x, const wtensor *w, const wtensor *b, float *out);
/* Softmax of x[0..n-1] in place. */
void netlist_softmax(float *x, int n);

/* A listed network ending in a whole-map average pool (facefeat.c,
 * agegender.c, recognizer.c): its weights, the list, the fp32 graph built from it (the list,
 * then the network's heads) and, once asked for, the bf16 net. The owner fills
 * model, size, w, list and g; netlist_net_fini frees w, g and bf16. */
typedef struct netlist_net {
    const char *model; /* static */
    int size;          /* input side (3 channels) */
    weights *w;
    netlist list;
    nn_graph *g;
    bf16net *bf16;
} netlist_net;

/* Lists a network's layers in nl from its weights w (ctx: the network's own,
 * e.g. tiny or full, or the network itself); returns the last layer or
 * NETLIST_NONE. */
typedef int netlist_lister(netlist *nl, const weights *w, void *ctx);

/* Loads n->model's weights (table) from models_dir, lists its layers and
 * starts n->g with them: *x gets the last layer's value, to which the caller
 * adds its heads and outputs (then checks nn_graph_error). n->model and n->size
 * set before; on failure e names the model, and netlist_net_fini cleans up. */
int netlist_net_load(netlist_net *n, const char *models_dir, const weights_spec *table, size_t ntable,
                     netlist_lister *list, void *ctx, nn_value *x, err *e);
/* Builds n->bf16 (netlist_bf16_pooled) unless built; not thread-safe. */
int netlist_net_load_bf16(netlist_net *n, err *e);
void netlist_net_fini(netlist_net *n);

/* A runner of a listed net: fp32 on XNNPACK (n->g on `threads`), or bf16 (on
 * the calling thread; ERR_INVALID before netlist_net_load_bf16). */
typedef struct netlist_runner {
    nn_runtime *rt;
    bf16net_run *bf;
} netlist_runner;

int netlist_runner_init(netlist_runner *r, const netlist_net *n, nn_threads *threads, bool bf16, err *e);
void netlist_runner_fini(netlist_runner *r);
/* The input buffer to fill (size x size x channels floats, NHWC). */
float *netlist_runner_input(netlist_runner *r);
int netlist_runner_exec(netlist_runner *r, err *e);

#endif
