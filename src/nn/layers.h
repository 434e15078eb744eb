/* layers.h — a small CNN described once, independent of the backend that runs
 * it: a list of layers in the order they compute, each reading earlier layers
 * by index (-1: the network input). net.h builds the list either as an
 * XNNPACK fp32 graph (nn.h) or as a oneDNN bf16 net (bf16net.h) and runs it;
 * a network module (ssd.c, recognizer.c, facefeat.c, agegender.c) only lists
 * its layers, so it reads like its layer table.
 *
 * A layer is a convolution (+ bias or none, optionally + the outputs of
 * earlier layers, then an activation), a max or average pool, an element-wise
 * add (then an activation), a sum of up to LAYERS_SUM_MAX earlier outputs (then
 * an activation), an activation on its own, a zero pad (rows at the bottom,
 * columns at the right, channels at the end), a fully connected layer on the
 * flattened input, or a softmax over the channels. Layers marked `output` are
 * what a run returns (net_runner_output, numbered in list order).
 *
 * Each layer's output shape (side h, channels c; activations are square) is
 * worked out when it is added, so a lister can ask for it (layers_side,
 * layers_channels) and a wrong filter is refused with its name.
 *
 * Sharing: a list is filled once at model load and read-only afterwards; the
 * tensors it points to must outlive it. */
#ifndef FACETAG_NN_LAYERS_H
#define FACETAG_NN_LAYERS_H

#include "core/error.h"
#include "nn/weights.h"

#define LAYERS_MAX 64
#define LAYERS_SUM_MAX 4
/* "No layer": what the builders return after a failure (-1 is the input). */
#define LAYERS_NONE (-2)

typedef enum layer_op {
    LAYER_CONV,    /* filter HWIO [k,k,cin,cout] (depthwise: [k,k,c,1]) + bias [cout] or none */
    LAYER_MAXPOOL, /* k x k window */
    LAYER_AVGPOOL, /* k x k window (VALID padding only: no padded cells to count) */
    LAYER_ADD,     /* src + src2, same shape */
    LAYER_PAD,     /* zeros: grow rows at the bottom and columns at the right, channels up to `channels` */
    LAYER_SUM,     /* srcs[0] + srcs[1] + ... + srcs[nsrc-1] (2 <= nsrc <= LAYERS_SUM_MAX), same shape; src unused */
    LAYER_ACT,     /* act(src); act not NONE */
    LAYER_FC,      /* fully connected: filter [in,out] (in = h*w*c of src), bias [out] or none; output 1 x 1 x out */
    LAYER_SOFTMAX  /* softmax over the channels of src */
} layer_op;

/* SAME is TensorFlow's: total = max(0, (out-1)*stride + k - in), top/left = total/2,
 * out = ceil(in/stride); VALID: no padding, out = (in-k)/stride + 1. */
typedef enum layer_pad { LAYER_SAME, LAYER_VALID } layer_pad;
/* LAYER_LEAKY: max(x, 0.1 x), face-api's leaky ReLU (the tiny detector; fp32 only). */
typedef enum layer_act { LAYER_NONE, LAYER_RELU, LAYER_RELU6, LAYER_LEAKY } layer_act;

typedef struct layer {
    layer_op op;
    int src;               /* the layer whose output this one reads; -1: the network input */
    const wtensor *filter; /* CONV, FC */
    const wtensor *bias;   /* CONV, FC; NULL: none (zero) */
    int k;                 /* pools: window side */
    int stride;            /* CONV, pools */
    int depthwise;         /* CONV */
    layer_pad pad;         /* CONV, pools */
    layer_act act;         /* CONV, ADD, SUM, FC: last; ACT: the activation */
    int src2;              /* ADD: the other operand; CONV with residual: the layer added */
    /* CONV: 1 to add src2 (of the output's shape) before act — in place in
     * src2's memory in the bf16 net, so no later layer may read src2. */
    int residual;
    int grow;     /* PAD: rows and columns added */
    int channels; /* PAD: output channels (>= the input's) */
    /* SUM: the layers added (-1: the network input). CONV: layers added to its
     * output (after the residual, before act; they stay readable). */
    int srcs[LAYERS_SUM_MAX];
    int nsrc;   /* SUM: 2 or more; CONV: 0 or more */
    int output; /* 1: an output of the network (numbered in list order) */
    int h, c;   /* the output's side and channels: filled by layers_add */
    /* int8 nets (bf16net_new_int8): the largest value of the output that
     * the 8 bits keep (calibrated on real images; larger ones saturate);
     * 0: the activation's own bound (ReLU6: 6). */
    float range;
    /* int8 nets: 1 to compute this convolution in fp32 (f32 input, weights
     * and output) among int8 ones, where 8 bits cost accuracy (mixed
     * precision); 0: u8 x s8. Ignored by the other backends. */
    int fp32;
} layer;

typedef struct layer_list {
    int size, channels; /* the input: size x size x channels; set before the first layers_add */
    layer l[LAYERS_MAX];
    int n;
    double flops; /* 2 x multiply-accumulates of the convolutions and fully connected layers */
    err e;        /* the first failure while listing (list full, missing tensor, bad shape) */
} layer_list;

/* Appends l (h and c worked out from its sources); returns its index, or
 * LAYERS_NONE (e recorded once) when the list is full, an earlier call
 * failed, l reads LAYERS_NONE or its shapes do not fit. */
int layers_add(layer_list *nl, layer l);
/* A convolution (depthwise: dw != 0), bias may be NULL; LAYERS_NONE with e
 * recorded when the filter is missing. */
int layers_conv(layer_list *nl, int x, const wtensor *filter, const wtensor *bias, int stride, layer_pad pad, int dw,
                layer_act act);
/* tfjs separableConv2d + bias: depthwise dw without bias, then 1x1 pointwise
 * pw + bias, then act — two layers. */
int layers_separable(layer_list *nl, int x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                     layer_pad pad, layer_act act);
/* A fully connected layer (w [in,out], b [out] or NULL), then softmax when
 * softmax != 0; the last one is marked an output. Returns it. */
int layers_head(layer_list *nl, int x, const wtensor *w, const wtensor *b, int softmax);
/* The last layer y, a convolution, adds layer x (of its output's shape) to its
 * output before its activation (`residual`); returns y, or LAYERS_NONE with e
 * recorded. */
int layers_residual(layer_list *nl, int y, int x);
/* Marks layer i an output; returns i. */
int layers_output(layer_list *nl, int i);

/* Output side and channels of layer i (-1: the input). */
int layers_side(const layer_list *nl, int i);
int layers_channels(const layer_list *nl, int i);

#endif
