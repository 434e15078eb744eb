/* bf16net.h — a small CNN in bfloat16 on oneDNN (Debian's libdnnl 2.6), for
 * CPUs that compute bf16 natively: the bf16 backend of a layer list
 * (layers.h; net.h chooses the backend). Every oneDNN call in facetag lives in
 * bf16net.c.
 *
 * Every layer kind of layers.h but the fully connected layer and the softmax
 * (net.h runs those on the host). Activations are NHWC bf16 between layers; a
 * layer marked `output` writes f32 instead, an output the caller reads after a
 * run. The input is the normalised size x size x channels float image,
 * converted to bf16 by a reorder.
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
 * convolutions; an f32 (output) add, sum or pool falls to its reference kernel
 * (1.4 ms for a 7x7x256 sum) or is refused (pools), so a net's f32 output is
 * best a convolution — a convolution can add earlier outputs for that. An
 * activation layer, and a sum's third and later operands, keep the jit kernels
 * (no post-op on an eltwise, binary post-ops on a binary). */
#ifndef FACETAG_NN_BF16NET_H
#define FACETAG_NN_BF16NET_H

#include "core/error.h"
#include "nn/layers.h"
#include <stddef.h>

typedef struct bf16net bf16net;
typedef struct bf16net_run bf16net_run;

/* oneDNN's effective CPU ISA as a short name ("avx512_core_amx", ...), and
 * whether this CPU runs bf16 nets faster than XNNPACK's fp32 (above): AMX, or
 * AVX512-BF16 on an AMD CPU (cached; FACETAG_NO_BF16 not consulted here). */
const char *bf16net_isa(void);
int bf16net_fast(void);
/* Whether default mode runs its networks in bf16: bf16net_fast(), unless the
 * environment sets FACETAG_NO_BF16=1 (for tests and benchmarks). */
int bf16net_available(void);
/* Whether fp32 nets run faster on oneDNN (bf16net_new with f32) than on
 * XNNPACK here (docs/decisions/2026-12-07-fp32-on-onednn.md). The environment
 * decides when FACETAG_FP32_BACKEND is "onednn" (1) or "xnnpack" (0). */
int bf16net_f32_fast(void);
/* Whether a net runs faster in int8 (bf16net_new_int8) than in fp32 here:
 * AVX2 without AVX-512 (net_precision_detector's default there: the detector
 * in mixed precision, docs/decisions/2026-12-07-int8-detector.md). */
int bf16net_int8_fast(void);

/* Builds the net for a size x size x channels input from n layers; the weights
 * are copied (the wtensors may be freed afterwards). name appears in error
 * messages. NULL with e set on failure (ERR_INVALID for a bad list). */
/* type BF16NET_F32: the same net in fp32 between layers (weights in oneDNN's
 * blocked f32 layout), for CPUs where oneDNN's fp32 JIT kernels beat
 * XNNPACK's. */
typedef enum bf16net_type { BF16NET_BF16 = 0, BF16NET_F32 = 1, BF16NET_INT8 = 2 } bf16net_type;
bf16net *bf16net_new(const char *name, int size, int channels, const layer *layers, int n, int type, err *e);
/* The net in int8: u8 activations (the input u8 with a zero point of 128,
 * its values within [-in_range, in_range]), s8 weights with a quantum per
 * output channel (no vpmaddubsw pair can saturate), f32 bias and f32
 * outputs. Only chains of convolutions; a layer marked layer.fp32 computes in
 * fp32 (mixed precision: f32 in, weights and out, a u8 copy made for int8
 * layers that read it). A value int8 layers read must come from a ReLU or
 * ReLU6, quantised to 255 steps of its layer.range (a ReLU6 without one: 6).
 * ERR_INVALID naming the layer otherwise. The quantisation is documented in
 * docs/decisions/2026-12-07-int8-detector.md. */
bf16net *bf16net_new_int8(const char *name, int size, int channels, const layer *layers, int n, float in_range, err *e);
void bf16net_free(bf16net *net);

/* A run of net (free before the net). NULL with e set on failure. */
bf16net_run *bf16net_run_new(bf16net *net, err *e);
void bf16net_run_free(bf16net_run *r);
/* The input buffer (size*size*channels floats, NHWC), to be filled before
 * bf16net_run_exec; *count gets the float count when not NULL. */
float *bf16net_run_input(bf16net_run *r, size_t *count);
/* Runs every layer once; 0 or ERR_INTERNAL with oneDNN's status named. */
int bf16net_run_exec(bf16net_run *r, err *e);
/* Output k (the k-th layer marked output), NHWC floats, valid after a run
 * until the next; *count gets the float count when not NULL. */
const float *bf16net_run_output(const bf16net_run *r, int k, size_t *count);

#endif
