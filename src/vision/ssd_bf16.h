/* ssd_bf16.h — the SSD detector's convolutions in bfloat16 on oneDNN (Debian's
 * libdnnl 2.6), for CPUs that compute bf16 natively: a straight list of convolutions, each with a
 * clip(0,6) post-op (bf16 output) or none (a head: f32 output, an external
 * output). Activations are NHWC; the input is the normalised 512x512x3 float
 * image, converted to bf16 by a reorder. Every oneDNN call in facetag lives in
 * ssd_bf16.c; ssd.c describes the layers (ssd_bf16_conv) and keeps the API.
 *
 * Sharing, as in nn.h: an ssd_bf16_net (the weights re-laid once into oneDNN's
 * blocked bf16 layout) is built once per model and read-only afterwards; each
 * thread that detects makes its own ssd_bf16_run (primitives, stream,
 * activation memory), used by one thread at a time.
 *
 * Threads: Debian's libdnnl runs on OpenMP (libgomp). A run is single-threaded:
 * building and executing set the calling thread's OpenMP thread count to 1 for
 * the duration (and restore it), so oneDNN's kernels are generated for one
 * thread and no OpenMP team is started — two workers with a run each use two
 * cores, not four spinning threads. nn_threads pools are not used.
 *
 * Where it pays, measured per pass on one thread (bench_int8): a Xeon with
 * AMX 17-18 ms against XNNPACK's fp32 67-76 ms; an AMD EPYC (Zen 5) with
 * AVX512-BF16 but no AMX 18.9 ms against 45 ms. The same Xeon with AMX masked
 * off (oneDNN's avx512_core_bf16 kernels) took 82 ms against 63 ms, slower than
 * fp32. So ssd_bf16_fast() says yes for AMX, and for AVX512-BF16 on AMD. */
#ifndef FACETAG_VISION_SSD_BF16_H
#define FACETAG_VISION_SSD_BF16_H

#include "core/error.h"
#include "vision/weights.h"
#include <stddef.h>

typedef struct ssd_bf16_net ssd_bf16_net;
typedef struct ssd_bf16_run ssd_bf16_run;

/* One convolution; 'same' padding (TensorFlow's: total = max(0, (out-1)*stride
 * + k - in), top/left = total/2). */
typedef struct ssd_bf16_conv {
    int src;               /* the conv whose output this one reads; -1: the network input */
    const wtensor *filter; /* HWIO [kh,kw,cin,cout]; depthwise: [kh,kw,c,1] */
    const wtensor *bias;   /* [cout] */
    int stride;
    int depthwise;
    int relu6; /* 1: clip(0,6), bf16 output; 0: no activation, f32 external output (in list order) */
} ssd_bf16_conv;

/* oneDNN's effective CPU ISA as a short name ("avx512_core_amx", ...), and
 * whether this CPU runs the bf16 net faster than XNNPACK's fp32 (above): AMX,
 * or AVX512-BF16 on an AMD CPU (cached; FACETAG_NO_BF16 not consulted here). */
const char *ssd_bf16_isa(void);
int ssd_bf16_fast(void);

/* Builds the net for a size x size x channels input from n convolutions; the
 * weights are copied (the wtensors may be freed afterwards). name appears in
 * error messages. NULL with e set on failure (ERR_INVALID for a bad list). */
ssd_bf16_net *ssd_bf16_net_new(const char *name, int size, int channels, const ssd_bf16_conv *convs, int n, err *e);
void ssd_bf16_net_free(ssd_bf16_net *net);

/* A run of net (free before the net). NULL with e set on failure. */
ssd_bf16_run *ssd_bf16_run_new(ssd_bf16_net *net, err *e);
void ssd_bf16_run_free(ssd_bf16_run *r);
/* The input buffer (size*size*channels floats, NHWC), to be filled before
 * ssd_bf16_run_exec; *count gets the float count when not NULL. */
float *ssd_bf16_run_input(ssd_bf16_run *r, size_t *count);
/* Runs every convolution once; 0 or ERR_INTERNAL with oneDNN's status named. */
int ssd_bf16_run_exec(ssd_bf16_run *r, err *e);
/* External output k (the k-th conv without relu6), NHWC floats, valid after a
 * run until the next; *count gets the float count when not NULL. */
const float *ssd_bf16_run_output(const ssd_bf16_run *r, int k, size_t *count);

#endif
