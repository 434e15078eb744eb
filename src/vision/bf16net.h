/* bf16net.h — a small CNN in bfloat16 on oneDNN (Debian's libdnnl 2.6), for
 * CPUs that compute bf16 natively. The SSD detector (ssd.c) and the face
 * recognition ResNet (recognizer.c) describe their layers as a list of
 * bf16net_layer; every oneDNN call in facetag lives in bf16net.c.
 *
 * A layer is a convolution (+ bias or none, optionally + the outputs of
 * earlier layers, then an activation), a max or average pool, an element-wise
 * add (then an activation), a sum of up to BF16NET_SUM_MAX earlier outputs
 * (then an activation), an activation on its own, or a zero pad (rows at the
 * bottom, columns at the right, channels at the end). netlist.h builds the
 * XNNPACK fp32 graph of the same list. Activations are NHWC bf16 between layers; a layer
 * marked `external` writes f32 instead, an output the caller reads after a run.
 * The input is the normalised size x size x channels float image, converted to
 * bf16 by a reorder.
 *
 * Sharing, as in nn.h: a bf16net (the weights re-laid once into oneDNN's
 * blocked bf16 layout) is built once per model and read-only afterwards; each
 * thread makes its own bf16net_run (primitives, stream, activation memory),
 * used by one thread at a time.
 *
 * Threads: Debian's libdnnl runs on OpenMP (libgomp). A run is single-threaded:
 * building and executing set the calling thread's OpenMP thread count to 1 for
 * the duration (and restore it), so oneDNN's kernels are generated for one
 * thread and no OpenMP team is started — two workers with a run each use two
 * cores, not four spinning threads. nn_threads pools are not used.
 *
 * Where it pays, measured per SSD pass on one thread (bench_int8): a Xeon with
 * AMX 17-18 ms against XNNPACK's fp32 67-76 ms; an AMD EPYC (Zen 5) with
 * AVX512-BF16 but no AMX 18.9 ms against 45 ms. The same Xeon with AMX masked
 * off (oneDNN's avx512_core_bf16 kernels) took 82 ms against 63 ms, slower than
 * fp32. So bf16net_fast() says yes for AMX, and for AVX512-BF16 on AMD. The
 * per-face nets on that EPYC, ms per face on one thread (bench_facenets):
 * recognizer 2.5 against 5.1, landmarks 0.56 against 1.00, age/gender 0.75
 * against 1.44, expression 0.55 against 0.98.
 *
 * Kernels: oneDNN 2.6 writes bf16 -> f32 with a jit kernel only in
 * convolutions; an external add, sum or pool falls to its reference kernel
 * (1.4 ms for a 7x7x256 sum) or is refused (pools), so a net's f32 output is
 * best a convolution — a convolution can add earlier outputs for that. An
 * activation layer, and a sum's third and later operands, keep the jit kernels
 * (no post-op on an eltwise, binary post-ops on a binary). */
#ifndef FACETAG_VISION_BF16NET_H
#define FACETAG_VISION_BF16NET_H

#include "core/error.h"
#include "vision/weights.h"
#include <stddef.h>

typedef struct bf16net bf16net;
typedef struct bf16net_run bf16net_run;

typedef enum bf16net_op {
    BF16NET_CONV,    /* filter HWIO [k,k,cin,cout] (depthwise: [k,k,c,1]) + bias [cout] or none */
    BF16NET_MAXPOOL, /* k x k window */
    BF16NET_AVGPOOL, /* k x k window (VALID padding only: no padded cells to count) */
    BF16NET_ADD,     /* src + src2, same shape */
    BF16NET_PAD,     /* zeros: grow rows at the bottom and columns at the right, channels up to `channels` */
    BF16NET_SUM,     /* srcs[0] + srcs[1] + ... + srcs[nsrc-1] (2 <= nsrc <= BF16NET_SUM_MAX), same shape; src unused */
    BF16NET_ACT      /* act(src); act not NONE, not external */
} bf16net_op;

#define BF16NET_SUM_MAX 4

/* SAME is TensorFlow's: total = max(0, (out-1)*stride + k - in), top/left = total/2,
 * out = ceil(in/stride); VALID: no padding, out = (in-k)/stride + 1. */
typedef enum bf16net_pad { BF16NET_SAME, BF16NET_VALID } bf16net_pad;
typedef enum bf16net_act { BF16NET_NONE, BF16NET_RELU, BF16NET_RELU6 } bf16net_act;

typedef struct bf16net_layer {
    bf16net_op op;
    int src;               /* the layer whose output this one reads; -1: the network input */
    const wtensor *filter; /* CONV */
    const wtensor *bias;   /* CONV; NULL: none (zero) */
    int k;                 /* pools: window side (CONV: the filter's) */
    int stride;            /* CONV, pools */
    int depthwise;         /* CONV */
    bf16net_pad pad;       /* CONV, pools */
    bf16net_act act;       /* CONV, ADD, SUM: after the sum; ACT: the activation */
    int src2;              /* ADD: the other operand; CONV with residual: the layer added */
    /* CONV: 1 to add src2 (of the output's shape) before act — in place in
     * src2's memory, so no later layer may read src2. */
    int residual;
    int grow;     /* PAD: rows and columns added */
    int channels; /* PAD: output channels (>= the input's) */
    /* SUM: the layers added (-1: the network input). CONV: layers added to its
     * output (after the residual, before act; not in place: they stay readable). */
    int srcs[BF16NET_SUM_MAX];
    int nsrc; /* SUM: 2 or more; CONV: 0 or more */
    int external; /* f32 output, read with bf16net_run_output (numbered in list order) */
} bf16net_layer;

/* oneDNN's effective CPU ISA as a short name ("avx512_core_amx", ...), and
 * whether this CPU runs bf16 nets faster than XNNPACK's fp32 (above): AMX, or
 * AVX512-BF16 on an AMD CPU (cached; FACETAG_NO_BF16 not consulted here). */
const char *bf16net_isa(void);
int bf16net_fast(void);
/* Whether default mode runs its networks in bf16: bf16net_fast(), unless the
 * environment sets FACETAG_NO_BF16=1 (for tests and benchmarks). */
int bf16net_available(void);

/* Builds the net for a size x size x channels input from n layers; the weights
 * are copied (the wtensors may be freed afterwards). name appears in error
 * messages. NULL with e set on failure (ERR_INVALID for a bad list). */
bf16net *bf16net_new(const char *name, int size, int channels, const bf16net_layer *layers, int n, err *e);
void bf16net_free(bf16net *net);

/* A run of net (free before the net). NULL with e set on failure. */
bf16net_run *bf16net_run_new(bf16net *net, err *e);
void bf16net_run_free(bf16net_run *r);
/* The input buffer (size*size*channels floats, NHWC), to be filled before
 * bf16net_run_exec; *count gets the float count when not NULL. */
float *bf16net_run_input(bf16net_run *r, size_t *count);
/* Runs every layer once; 0 or ERR_INTERNAL with oneDNN's status named. */
int bf16net_run_exec(bf16net_run *r, err *e);
/* External output k (the k-th external layer), NHWC floats, valid after a run
 * until the next; *count gets the float count when not NULL. */
const float *bf16net_run_output(const bf16net_run *r, int k, size_t *count);

#endif
