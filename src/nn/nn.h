/* nn.h — the neural-network core: a small graph builder over XNNPACK's subgraph
 * API (Debian's 2022 snapshot). Every XNNPACK call in facetag lives in nn.c.
 *
 * Shapes: activations are NHWC float32 with batch 1; a value is described by
 * (h, w, c); fully-connected outputs are (1, 1, n). Weights come in the tfjs
 * layouts of weights.h (conv HWIO [kh,kw,cin,cout], depthwise [kh,kw,c,1],
 * fully connected [in,out], bias [cout]); nn.c re-lays them out for XNNPACK
 * (OHWI, [1,kh,kw,c], [out,in]) into memory owned by the graph.
 *
 * Life cycle, per network:
 *   nn_graph *g = nn_graph_new("ssd_mobilenetv1", &e);
 *   nn_value x = nn_input(g, 512, 512, 3);
 *   x = nn_conv2d(g, x, filt, bias, 2, NN_PAD_SAME, NN_ACT_RELU6);  ...
 *   nn_output(g, x);
 *   nn_runtime *rt = nn_runtime_create(g, threads, &e);   // checks the build
 *   float *in = nn_runtime_input(rt, 0, NULL);  fill it;  nn_run(rt, &e);
 *   const float *out = nn_runtime_output(rt, 0, NULL);
 * Builder calls never fail loudly: the first error (bad shape, no memory, an
 * XNNPACK status) is kept in the graph, later calls return NN_NONE and do
 * nothing, and nn_graph_error / nn_runtime_create report it. So a network is
 * written as a straight list of layers, checked once at the end.
 *
 * Sharing: a graph is built once per process (after weights_load) and is
 * read-only once the first runtime exists; the weights (wtensor) passed to the
 * builder must outlive the graph. Each thread that runs a network creates its own
 * runtime from the shared graph (each gets its own XNNPACK subgraph, so threads
 * may create runtimes at the same time); a runtime is used by one thread at a
 * time. One nn_threads pool per process may be shared by all runtimes
 * (pthreadpool serialises work on one pool). On a machine whose cores are busy
 * with other work, one single-thread runtime per worker (threads NULL) is much
 * faster than one runtime on a pool: bench_detect measures both. */
#ifndef FACETAG_NN_NN_H
#define FACETAG_NN_NN_H

#include "core/error.h"
#include "nn/weights.h"
#include <stddef.h>
#include <stdint.h>

typedef struct nn_graph nn_graph;
typedef struct nn_runtime nn_runtime;
typedef struct nn_threads nn_threads;

/* A value (tensor) in a graph. NN_NONE marks "no value" (after an error). */
typedef uint32_t nn_value;
#define NN_NONE UINT32_MAX

/* Spatial padding. Explicit zero padding in TOP, RIGHT, BOTTOM, LEFT order
 * (XNNPACK's order), or TensorFlow 'same' computed from the input size (total
 * = max(0,(out-1)*stride + k - in), top/left = total/2, the rest after), or
 * 'valid' (none). For max pools, padded cells never win (max over in-range cells). */
typedef struct nn_pad {
    int same;
    int top, right, bottom, left;
} nn_pad;
#define NN_PAD_SAME ((nn_pad){ 1, 0, 0, 0, 0 })
#define NN_PAD_VALID ((nn_pad){ 0, 0, 0, 0, 0 })
#define NN_PAD(t, r, b, l) ((nn_pad){ 0, (t), (r), (b), (l) })

/* Activation fused into an op's output. NN_ACT_LEAKY uses slope 0.1. */
typedef enum nn_act { NN_ACT_NONE, NN_ACT_RELU, NN_ACT_RELU6, NN_ACT_LEAKY } nn_act;

/* Slope of face-api's leaky ReLU (tinyYolov2/leaky.ts, float32 0.1). */
#define NN_LEAKY_SLOPE 0.10000000149011612f

/* ---- thread pool ------------------------------------------------------- */

/* A pool of n worker threads (n >= 1; n == 1 runs on the calling thread).
 * Returns NULL with e set on failure. Free with nn_threads_free after every
 * runtime using it is gone. */
nn_threads *nn_threads_create(int n, err *e);
int nn_threads_count(const nn_threads *t);
void nn_threads_free(nn_threads *t);

/* ---- graph building ---------------------------------------------------- */

/* A new empty graph; name appears in error messages. NULL with e set on failure
 * (out of memory, XNNPACK failed to initialise). Free with nn_graph_free. */
nn_graph *nn_graph_new(const char *name, err *e);
void nn_graph_free(nn_graph *g);
/* 0 when every builder call so far succeeded, else the recorded error code with
 * its message copied to e. */
int nn_graph_error(const nn_graph *g, err *e);

/* External input number k (k = order of nn_input calls), NHWC h x w x c. */
nn_value nn_input(nn_graph *g, int h, int w, int c);
/* Marks x as external output number k (k = order of nn_output calls). A value
 * can be output only once; an input cannot be an output. */
void nn_output(nn_graph *g, nn_value x);

/* Shape of a value; returns 0, or -1 for NN_NONE / unknown ids. */
int nn_shape(const nn_graph *g, nn_value x, int *h, int *w, int *c);

/* Convolution, filter HWIO [kh,kw,cin,cout], cin must equal x's channels; bias
 * [cout] or NULL (zero). stride is the same along both axes. */
nn_value nn_conv2d(nn_graph *g, nn_value x, const wtensor *filter, const wtensor *bias, int stride, nn_pad pad,
                   nn_act act);
/* Depthwise convolution (channel multiplier 1), filter [kh,kw,c,1]; bias [c] or NULL. */
nn_value nn_depthwise(nn_graph *g, nn_value x, const wtensor *filter, const wtensor *bias, int stride, nn_pad pad,
                      nn_act act);
/* tfjs separableConv2d + bias: depthwise(dw, stride, pad) with no bias, then
 * 1x1 pointwise(pw [1,1,c,cout]) + bias, then act. */
nn_value nn_separable(nn_graph *g, nn_value x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                      nn_pad pad, nn_act act);
/* Fully connected on the flattened x (h*w*c inputs): weights [in,out], bias [out]
 * or NULL; result shape (1,1,out). */
nn_value nn_fully_connected(nn_graph *g, nn_value x, const wtensor *weights, const wtensor *bias, nn_act act);

/* Element-wise a + b (same shape), then act. */
nn_value nn_add(nn_graph *g, nn_value a, nn_value b, nn_act act);
/* Per-channel x * scale + shift (scale/shift [c]; either may be NULL), then act
 * — e.g. the recognition net's scale layers. */
nn_value nn_scale_shift(nn_graph *g, nn_value x, const wtensor *scale, const wtensor *shift, nn_act act);
/* Activation as its own op. */
nn_value nn_activate(nn_graph *g, nn_value x, nn_act act);

/* Pools with a k x k window (square) and the given stride. Average pools must be
 * NN_PAD_VALID (face-api never pads one). */
nn_value nn_maxpool(nn_graph *g, nn_value x, int k, int stride, nn_pad pad);
nn_value nn_avgpool(nn_graph *g, nn_value x, int k, int stride, nn_pad pad);
/* Mean over h and w: result (1,1,c). */
nn_value nn_global_avgpool(nn_graph *g, nn_value x);
/* Constant zero padding: rows before/after, columns before/after, channels after. */
nn_value nn_zero_pad(nn_graph *g, nn_value x, int top, int bottom, int left, int right, int channels_after);
/* Softmax / sigmoid over the channel axis. */
nn_value nn_softmax(nn_graph *g, nn_value x);
nn_value nn_sigmoid(nn_graph *g, nn_value x);

/* Multiply-accumulate count x 2 of the convolutions and fully-connected layers
 * built so far — for GFLOP/s figures. */
double nn_graph_flops(const nn_graph *g);

/* ---- running ----------------------------------------------------------- */

/* A runtime for g with its own activation memory and input/output buffers, run on
 * the pool `threads` (NULL = calling thread). Fails (NULL, e set) when the
 * graph recorded a builder error or has no outputs. Free with nn_runtime_free
 * before the graph. */
nn_runtime *nn_runtime_create(nn_graph *g, nn_threads *threads, err *e);
void nn_runtime_free(nn_runtime *rt);
/* Buffer of external input k, owned by the runtime, to be filled before nn_run
 * (h*w*c floats, NHWC); *count (if not NULL) gets the float count. NULL if k is
 * out of range. */
float *nn_runtime_input(nn_runtime *rt, int k, size_t *count);
/* Buffer of external output k, valid after nn_run until the next run. */
const float *nn_runtime_output(const nn_runtime *rt, int k, size_t *count);
int nn_runtime_ninputs(const nn_runtime *rt);
int nn_runtime_noutputs(const nn_runtime *rt);
/* Runs the network once on the current input buffers; 0 or ERR_INTERNAL. */
int nn_run(nn_runtime *rt, err *e);

#endif
