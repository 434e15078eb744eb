/* net.h — one network, one runner: a network's weights and layer list
 * (layers.h), built as the XNNPACK fp32 graph (nn.h: face-api's numbers) or
 * the oneDNN bf16 net (bf16net.h), and run by a net_runner whose input and
 * outputs are the same floats whichever precision computes them.
 *
 * The bf16 net runs every layer up to the network's host tail: the trailing
 * whole-map average pools, fully connected layers and softmaxes (face-api's
 * heads after the feature extractor). Those run on the host in fp32 — oneDNN
 * 2.6 has no bf16 -> f32 pooling, and they are a fraction of a per cent of the
 * work — on the f32 output of the layer before. The fp32 graph runs the whole
 * list in XNNPACK. Either way a head is written once, as layers.
 *
 * Precision: NET_FP32 anywhere; NET_BF16 where bf16net_available() (AMX, or
 * AVX512-BF16 on AMD, and FACETAG_NO_BF16 unset), else refused with the reason.
 * oneDNN runs (bf16, fp32-onednn) are single-threaded (bf16net.h): threads is
 * unused for them.
 *
 * Sharing: a net_model is loaded once and read-only afterwards; each backend
 * is built when the first runner of its precision is made (under the model's
 * lock, so runners may be made from several threads). A net_runner belongs to
 * one thread at a time. */
#ifndef FACETAG_NN_NET_H
#define FACETAG_NN_NET_H

#include "core/error.h"
#include "nn/layers.h"
#include "nn/nn.h"
#include "nn/weights.h"
#include <stddef.h>

/* NET_FP32: XNNPACK, face-api's numbers (compat mode, the parity tests).
 * NET_BF16: oneDNN in bf16 where the CPU computes it natively.
 * NET_FP32_ONEDNN: the same list in fp32 on oneDNN's JIT kernels: fp32
 * arithmetic (results within float rounding of NET_FP32, another summation
 * order), faster than XNNPACK's kernels on some CPUs (bf16net_f32_fast). */
/* NET_INT8: u8 activations x s8 weights on oneDNN (bf16net_new_int8), for a
 * network whose spec offers it (int8_range): the detector, in mixed
 * precision (its first layers in fp32, layer.fp32). On AVX2 without AVX-512
 * (bf16net_int8_fast) 1.6x less CPU per pass than fp32 on oneDNN, with
 * fp32's ground truth on group-photos (test_ssd_int8,
 * docs/decisions/2026-12-07-int8-detector.md): default mode's detector there. */
typedef enum net_precision { NET_FP32 = 0, NET_BF16 = 1, NET_FP32_ONEDNN = 2, NET_INT8 = 3 } net_precision;
#define NET_PRECISIONS 4

/* "fp32", "bf16", "fp32-onednn", "int8"; "unknown" out of range. */
const char *net_precision_name(net_precision p);
/* The precision default mode runs in here: NET_BF16 when bf16net_available(),
 * else NET_FP32_ONEDNN when bf16net_f32_fast(), else NET_FP32. */
net_precision net_precision_best(void);
/* The precision of default mode's detector: NET_INT8 where
 * net_precision_best() is NET_FP32_ONEDNN and bf16net_int8_fast() (AVX2
 * without AVX-512), else net_precision_best(). The environment decides when
 * FACETAG_INT8 is set: "0" net_precision_best(), anything else NET_INT8
 * (benchmarks, tests). */
net_precision net_precision_detector(void);

typedef struct net_model net_model;
typedef struct net_runner net_runner;

/* Lists a network's layers in nl from its weights w (ctx: the network's own);
 * returns the last layer or LAYERS_NONE (the reason in nl->e). */
typedef int net_lister(layer_list *nl, const weights *w, void *ctx);

typedef struct net_spec {
    const char *model; /* the manifest's stem, e.g. "face_recognition_model" (static) */
    int size;          /* the input side; 3 channels */
    const weights_spec *table;
    size_t ntable;
    net_lister *list;
    void *ctx; /* passed to list; must outlive the model when the lister keeps tensors in it */
    /* > 0: the network runs in int8 too (NET_INT8), its input's values lie in
     * [-int8_range, int8_range] and its layers carry calibrated ranges
     * (layer.range); 0: no int8 version. */
    float int8_range;
} net_spec;

/* Loads spec->model's weights from models_dir and lists its layers. 0, or the
 * weight loader's error (ERR_IO, ERR_FORMAT, ERR_MODEL naming the file or
 * tensor) or the lister's, prefixed with the model. Free with net_model_free
 * after its runners. */
int net_model_load(const net_spec *spec, const char *models_dir, net_model **out, err *e);
/* A model of spec on weights w loaded by the caller (weights_load with
 * spec->table), which must outlive the model: e.g. one network at several
 * input sizes (spec->size) sharing one set of weights. 0, or the lister's
 * error prefixed with the model. spec->table is not consulted. */
int net_model_on(const net_spec *spec, const weights *w, net_model **out, err *e);
void net_model_free(net_model *m);
/* The loaded weights (for a network's own constants, e.g. SSD's priors). */
const weights *net_model_weights(const net_model *m);
const char *net_model_name(const net_model *m);
/* 2 x multiply-accumulates of one run (convolutions, fully connected layers). */
double net_model_flops(const net_model *m);

/* A runner in precision p: fp32 on `threads` (NULL: the calling thread), or
 * bf16 / fp32-onednn on the calling thread. ERR_INVALID naming the reason for an unknown
 * precision or bf16 where it is unavailable; a backend's build error
 * otherwise. Free with net_runner_free before the model. */
int net_runner_new(net_model *m, nn_threads *threads, net_precision p, net_runner **out, err *e);
void net_runner_free(net_runner *r);
net_precision net_runner_precision(const net_runner *r);
/* The input buffer to fill before a run (size x size x 3 floats, NHWC);
 * *count gets the float count when not NULL. */
float *net_runner_input(net_runner *r, size_t *count);
/* Runs the network once on the input; 0 or ERR_INTERNAL. */
int net_runner_exec(net_runner *r, err *e);
/* Output k (the k-th layer marked output), NHWC floats, valid after a run
 * until the next; *count gets the float count when not NULL. NULL when k is
 * out of range. */
const float *net_runner_output(const net_runner *r, int k, size_t *count);

/* Calibrating int8 (a tool's work, not a pass's): the fp32 graph (XNNPACK,
 * the calling thread) of layers 0..to-1 with the outputs of layers
 * from..to-1 readable (XNNPACK takes up to 31 at once; every layer before
 * `from` must feed a later one), to see the values they give on real inputs. 0, ERR_INVALID for an empty or outside range, or
 * the graph's error; free with net_probe_free before the model. */
typedef struct net_probe net_probe;
int net_probe_new(net_model *m, int from, int to, net_probe **out, err *e);
void net_probe_free(net_probe *p);
float *net_probe_input(net_probe *p, size_t *count);
int net_probe_exec(net_probe *p, err *e);
/* Layer i's output (NHWC floats) after a run; NULL outside from..to-1. */
const float *net_probe_layer(const net_probe *p, int i, size_t *count);
/* The model's layer count and layer i (NULL out of range), read-only. */
int net_model_layers(const net_model *m);
const layer *net_model_layer(const net_model *m, int i);

#endif
