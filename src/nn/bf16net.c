/* bf16net.c — small CNNs in bf16 on oneDNN 2.6 (bf16net.h). */
#include "nn/bf16net.h"

#include <cpuid.h>
#include <math.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One layer of the shared net: shapes, the weights in the primitive's layout. */
typedef struct dnn_layer {
    layer_op op;
    int src, src2, hin, cin, h, c, k, stride, depthwise, grow, external;
    int srcs[LAYERS_SUM_MAX], nsrc; /* SUM (src: srcs[0]), CONV: the outputs added as binary post-ops */
    int has_bias;                   /* CONV */
    layer_act act;
    int pad_lo, pad_hi;
    dnnl_memory_t w, b; /* CONV: shared, read-only after the build; b NULL without bias */
    /* int8 nets: the output's quantum (value = u8 * scale; 1 for an f32
     * output), and per output channel the weights' quantum and the
     * convolution's output scale (src quantum x weights quantum / scale). */
    float scale;
    float *wscale, *oscale;
    /* int8 nets, mixed precision: f32 = the layer computes in fp32 (layer.fp32);
     * odt = its output's data type (f32 when it computes in f32, is an output,
     * or an f32 layer reads it; else u8); qcopy = an f32 output that int8
     * layers read too, through a u8 copy (a reorder after the layer). */
    int f32, qcopy;
    dnnl_data_type_t odt;
    int out;  /* external output number, or -1 */
    int home; /* the layer whose memory holds the output: itself, or (in-place sum) src2's home */
} dnn_layer;

struct bf16net {
    char name[64];
    int size, channels, n, nout;
    dnnl_data_type_t dt; /* between layers: dnnl_bf16, dnnl_f32 or dnnl_u8 (bf16net_new's type) */
    float in_scale;      /* int8: the input's quantum (s8 input = value / in_scale) */
    int in_copy;         /* layers read the input through a converted copy (int8: when an int8 layer reads it) */
    dnn_layer *l;
    dnnl_engine_t eng;
};

struct bf16net_run {
    bf16net *net;
    dnnl_stream_t st;
    dnnl_primitive_t *p;  /* one per layer */
    dnnl_memory_t *dst;   /* one per layer, pointing into a ping-pong or kept buffer */
    dnnl_memory_t *sub;   /* PAD: the input-shaped window of its output that the reorder writes */
    dnnl_primitive_t *qp; /* int8 nets: per qcopy layer, the reorder f32 -> u8 (its quantum) */
    dnnl_memory_t *q8;    /* ... and the u8 copy it writes, read by int8 layers */
    dnnl_primitive_t in_reorder;
    dnnl_memory_t in32, in16;
    float *in;
    void *buf[2]; /* ping-pong activations for outputs read only by the next layer */
    void **kept;  /* per layer: own buffer for outputs read later (or NULL) */
};
/* ---- primitive descriptors ----------------------------------------------- */

/* oneDNN 2.6 (Debian 12 ships 2.6.3) is not safe to make descriptors on two
 * threads at once. Its reorder lookup uses operator[] on a process-wide
 * std::map, which inserts when a data-type pair is missing (bf16 -> bf16,
 * bf16 -> f32, ...). Two threads making their first such reorder together race
 * on the tree: CI's LeakSanitizer caught a lost 56-byte node, and a corrupted
 * tree could crash. Its brgemm convolutions' blocking search also keeps a
 * static last_ic_block_size. Both are fixed upstream (2.7: c67bd97 "cpu:
 * reorder: fix possible data race"; 2955c9d "brgemm convolutions: make
 * last_ic_block_size thread safe"). Until then every descriptor here is made
 * under one lock. That costs little: a net or run makes them once. */
static pthread_mutex_t pd_lock = PTHREAD_MUTEX_INITIALIZER;

static dnnl_status_t reorder_pd_create(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *src,
                                       const dnnl_memory_desc_t *dst, dnnl_engine_t eng,
                                       const_dnnl_primitive_attr_t attr)
{
    pthread_mutex_lock(&pd_lock);
    const dnnl_status_t s = dnnl_reorder_primitive_desc_create(pd, src, eng, dst, eng, attr);
    pthread_mutex_unlock(&pd_lock);
    return s;
}

static dnnl_status_t op_pd_create(dnnl_primitive_desc_t *pd, const_dnnl_op_desc_t desc,
                                  const_dnnl_primitive_attr_t attr, dnnl_engine_t eng)
{
    pthread_mutex_lock(&pd_lock);
    const dnnl_status_t s = dnnl_primitive_desc_create(pd, desc, attr, eng, NULL);
    pthread_mutex_unlock(&pd_lock);
    return s;
}

/* ---- CPU check ---------------------------------------------------------- */

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static dnnl_cpu_isa_t isa_found;
static int isa_amd; /* the CPU's vendor string is AuthenticAMD */

static void isa_probe(void)
{
    isa_found = dnnl_get_effective_cpu_isa();
    unsigned a, b, c, d;
    isa_amd = __get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;
}

/* The ISA values are bit sets (avx2_vnni is numerically larger than both but
 * has neither), so membership is tested bitwise. */
static int isa_has(dnnl_cpu_isa_t isa)
{
    return ((unsigned)isa_found & (unsigned)isa) == (unsigned)isa;
}

const char *bf16net_isa(void)
{
    pthread_once(&isa_once, isa_probe);
    switch (isa_found) {
    case dnnl_cpu_isa_sse41:
        return "sse41";
    case dnnl_cpu_isa_avx:
        return "avx";
    case dnnl_cpu_isa_avx2:
        return "avx2";
    case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic:
        return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops:
        return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core:
        return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx:
        return "avx512_core_amx";
    default:
        return "unknown";
    }
}

int bf16net_fast(void)
{
    pthread_once(&isa_once, isa_probe);
    return isa_has(dnnl_cpu_isa_avx512_core_amx) || (isa_amd && isa_has(dnnl_cpu_isa_avx512_core_bf16));
}

int bf16net_available(void)
{
    const char *no = getenv("FACETAG_NO_BF16");
    if (no && *no && strcmp(no, "0") != 0)
        return 0;
    return bf16net_fast();
}

int bf16net_f32_fast(void)
{
    const char *b = getenv("FACETAG_FP32_BACKEND");
    if (b && strcmp(b, "onednn") == 0)
        return 1;
    if (b && strcmp(b, "xnnpack") == 0)
        return 0;
    pthread_once(&isa_once, isa_probe);
    /* AVX2 (+ FMA) without AVX-512: oneDNN's JIT kernels ran the SSD at 73 %
     * of the FMA peak where XNNPACK's reached 33 % (2.2x less CPU per pass).
     * With AVX-512 they are level with XNNPACK (72 ms against 76 on a Zen 5),
     * which then keeps face-api's summation order. */
    return isa_has(dnnl_cpu_isa_avx2) && !isa_has(dnnl_cpu_isa_avx512_core);
}

int bf16net_int8_fast(void)
{
    pthread_once(&isa_once, isa_probe);
    /* AVX2 (+ FMA) without AVX-512: the SSD's convolutions in u8 x s8 took
     * 1.8x less CPU than oneDNN's fp32 (bench_int8_onednn; no VNNI, so
     * vpmaddubsw). */
    return isa_has(dnnl_cpu_isa_avx2) && !isa_has(dnnl_cpu_isa_avx512_core);
}

/* ---- one OpenMP thread while oneDNN works ------------------------------- */

/* oneDNN sizes its kernels for omp_get_max_threads() when a primitive is made
 * and starts a team of that many when it runs: both happen with 1. The count
 * is the calling thread's own (an OpenMP ICV), restored afterwards. */
static int omp_single_begin(void)
{
    int n = omp_get_max_threads();
    if (n != 1)
        omp_set_num_threads(1);
    return n;
}

static void omp_single_end(int n)
{
    if (n != 1)
        omp_set_num_threads(n);
}

/* ---- building ----------------------------------------------------------- */

#define DNNL_TRY(call)                                                                                                 \
    do {                                                                                                               \
        dnnl_status_t s_ = (call);                                                                                     \
        if (s_ != dnnl_success) {                                                                                      \
            rc = err_set(e, ERR_INTERNAL, "%s: oneDNN %s: %s", name, #call, dnnl_status2str(s_));                      \
            goto done;                                                                                                 \
        }                                                                                                              \
    } while (0)

static int md_nhwc(dnnl_memory_desc_t *md, int c, int h, dnnl_data_type_t dt)
{
    dnnl_dims_t d = { 1, c, h, h };
    return dnnl_memory_desc_init_by_tag(md, 4, d, dt, dnnl_acdb) == dnnl_success ? 0 : -1;
}

static int net_int8(const bf16net *net)
{
    return net->dt == dnnl_u8;
}

static dnnl_data_type_t layer_dt(const bf16net *net, const dnn_layer *l)
{
    return l->external ? dnnl_f32 : net_int8(net) ? l->odt : net->dt;
}

/* The layer computes in u8 x s8 (an int8 net's layer not kept in fp32). */
static int layer_q(const bf16net *net, const dnn_layer *l)
{
    return net_int8(net) && !l->f32;
}

/* The data type a layer reads: the previous layer's, or the input's copy
 * (int8: u8 too, with a zero point of INT8_INPUT_ZERO); in a mixed int8 net
 * an fp32 layer reads f32 (the f32 input), an int8 one u8 (a copy where the
 * source is f32). */
static dnnl_data_type_t src_dt(const bf16net *net, const dnn_layer *l)
{
    return net_int8(net) ? (l->f32 ? dnnl_f32 : dnnl_u8) : net->dt;
}

/* int8: the input's u8 copy is value / quantum + 128 (255 steps across
 * [-range, range]); oneDNN subtracts it again in the first layers, padding
 * included. */
static const int32_t INT8_INPUT_ZERO = 128;

/* int8: the quantum of what layer l reads. */
static float src_scale(const bf16net *net, const dnn_layer *l)
{
    return l->src < 0 ? net->in_scale : net->l[l->src].scale;
}

/* Where a layer's added operands start among its binary post-ops' operands:
 * a SUM's first two are the primitive's own; a CONV's follow the in-place sum. */
static int first_binary(const dnn_layer *l)
{
    return l->op == LAYER_SUM ? 2 : 0;
}

/* Post-op number of the k-th added operand (k >= first_binary). */
static int binary_post_op(const dnn_layer *l, int k)
{
    return k - first_binary(l) + (l->op == LAYER_CONV && l->src2 >= 0);
}

/* As post-ops in attr: the in-place sum when there is one, the added operands
 * (bf16 NHWC of the output's shape), then the activation. An activation layer
 * has none: the act is its own. */
static int layer_post_ops(const bf16net *net, const dnn_layer *l, dnnl_primitive_attr_t attr, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_post_ops_t po = NULL;
    const int adds = l->op == LAYER_SUM || l->op == LAYER_CONV ? l->nsrc - first_binary(l) : 0;
    if (l->op == LAYER_ACT || (!(l->op == LAYER_CONV && l->src2 >= 0) && adds <= 0 && l->act == LAYER_NONE))
        return 0;
    if (net_int8(net) && layer_dt(net, l) == dnnl_u8) /* the u8 output's saturation is the ReLU (layer_int8) */
        return 0;
    DNNL_TRY(dnnl_post_ops_create(&po));
    if (l->op == LAYER_CONV && l->src2 >= 0)
        DNNL_TRY(dnnl_post_ops_append_sum(po, 1.0f));
    dnnl_memory_desc_t omd;
    if (adds > 0 && md_nhwc(&omd, l->c, l->h, net->dt) != 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: oneDNN refused a %dx%dx%d operand", name, l->h, l->h, l->c);
        goto done;
    }
    for (int k = 0; k < adds; k++)
        DNNL_TRY(dnnl_post_ops_append_binary(po, dnnl_binary_add, &omd));
    if (l->act == LAYER_RELU)
        DNNL_TRY(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
    else if (l->act == LAYER_RELU6)
        DNNL_TRY(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f));
    DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, po));
done:
    if (po)
        dnnl_post_ops_destroy(po);
    return rc;
}

/* The op descriptor of a convolution or pooling layer (its weights in the
 * layout oneDNN prefers: format any). */
static int conv_desc(const bf16net *net, const dnn_layer *l, const dnnl_memory_desc_t *smd,
                     const dnnl_memory_desc_t *dmd, dnnl_convolution_desc_t *cd, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_memory_desc_t wmd, bmd;
    dnnl_dims_t bd = { l->c };
    const dnnl_data_type_t wdt = layer_q(net, l) ? dnnl_s8 : net_int8(net) ? dnnl_f32 : net->dt;
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a));
    if (l->depthwise) {
        dnnl_dims_t wd = { l->c, 1, 1, l->k, l->k };
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&wmd, 5, wd, wdt, dnnl_format_tag_any));
    } else {
        dnnl_dims_t wd = { l->c, l->cin, l->k, l->k };
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&wmd, 4, wd, wdt, dnnl_format_tag_any));
    }
    dnnl_dims_t str = { l->stride, l->stride }, pl = { l->pad_lo, l->pad_lo }, pr = { l->pad_hi, l->pad_hi };
    DNNL_TRY(dnnl_convolution_forward_desc_init(cd, dnnl_forward_inference, dnnl_convolution_direct, smd, &wmd,
                                                l->has_bias ? &bmd : NULL, dmd, str, pl, pr));
done:
    return rc;
}

/* The primitive descriptor of layer l (same in the net and every run: one thread). */
static int layer_pd(const bf16net *net, const dnn_layer *l, dnnl_primitive_desc_t *pd, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_memory_desc_t smd, dmd;
    if (md_nhwc(&smd, l->cin, l->hin, src_dt(net, l)) != 0 || md_nhwc(&dmd, l->c, l->h, layer_dt(net, l)) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused a %dx%dx%d activation", name, l->hin, l->hin, l->cin);
    if (l->op == LAYER_PAD) { /* a reorder into the input-shaped window of the output */
        dnnl_memory_desc_t sub;
        dnnl_dims_t d = { 1, l->cin, l->hin, l->hin }, off = { 0, 0, 0, 0 };
        DNNL_TRY(dnnl_memory_desc_init_submemory(&sub, &dmd, d, off));
        DNNL_TRY(reorder_pd_create(pd, &smd, &sub, net->eng, NULL));
        return 0;
    }
    DNNL_TRY(dnnl_primitive_attr_create(&attr));
    if ((rc = layer_post_ops(net, l, attr, e)) != 0)
        goto done;
    if (layer_q(net, l)) /* per output channel (dimension 1 of the NCHW output) */
        DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, l->c, 1 << 1, l->oscale));
    if (layer_q(net, l) && l->src < 0)
        DNNL_TRY(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &INT8_INPUT_ZERO));
    if (l->op == LAYER_CONV) {
        dnnl_convolution_desc_t cd;
        if ((rc = conv_desc(net, l, &smd, &dmd, &cd, e)) != 0)
            goto done;
        DNNL_TRY(op_pd_create(pd, &cd, attr, net->eng));
    } else if (l->op == LAYER_ADD || l->op == LAYER_SUM) { /* SUM: operands 3.. are post-ops */
        dnnl_binary_desc_t bd;
        DNNL_TRY(dnnl_binary_desc_init(&bd, dnnl_binary_add, &smd, &smd, &dmd));
        DNNL_TRY(op_pd_create(pd, &bd, attr, net->eng));
    } else if (l->op == LAYER_ACT) {
        dnnl_eltwise_desc_t ed;
        const int relu = l->act == LAYER_RELU;
        const dnnl_alg_kind_t alg = relu ? dnnl_eltwise_relu : dnnl_eltwise_clip;
        DNNL_TRY(dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, alg, &smd, 0.0f, relu ? 0.0f : 6.0f));
        DNNL_TRY(op_pd_create(pd, &ed, attr, net->eng));
    } else {
        dnnl_pooling_desc_t pld;
        dnnl_dims_t str = { l->stride, l->stride }, ker = { l->k, l->k };
        dnnl_dims_t pl = { l->pad_lo, l->pad_lo }, pr = { l->pad_hi, l->pad_hi };
        DNNL_TRY(dnnl_pooling_forward_desc_init(
            &pld, dnnl_forward_inference, l->op == LAYER_MAXPOOL ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding,
            &smd, &dmd, str, ker, pl, pr));
        DNNL_TRY(op_pd_create(pd, &pld, attr, net->eng));
    }
done:
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

/* Runs a one-off reorder src -> dst on the net's engine (attr: NULL, or the
 * scales it applies). */
static int reorder_once(const bf16net *net, dnnl_memory_t src, dnnl_memory_t dst, const_dnnl_primitive_attr_t attr,
                        err *e)
{
    const char *name = net->name;
    int rc = 0;
    const dnnl_memory_desc_t *sd, *dd;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    dnnl_stream_t st = NULL;
    DNNL_TRY(dnnl_memory_get_memory_desc(src, &sd));
    DNNL_TRY(dnnl_memory_get_memory_desc(dst, &dd));
    DNNL_TRY(reorder_pd_create(&pd, sd, dd, net->eng, attr));
    DNNL_TRY(dnnl_primitive_create(&p, pd));
    DNNL_TRY(dnnl_stream_create(&st, net->eng, dnnl_stream_default_flags));
    dnnl_exec_arg_t a[2] = { { DNNL_ARG_FROM, src }, { DNNL_ARG_TO, dst } };
    DNNL_TRY(dnnl_primitive_execute(p, st, 2, a));
    DNNL_TRY(dnnl_stream_wait(st));
done:
    if (st)
        dnnl_stream_destroy(st);
    if (p)
        dnnl_primitive_destroy(p);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* The largest sum of two same-signed weights among each 4 input channels at
 * one tap of output channel c (HWIO, cout channels): what a u8 x s8 pair
 * product could add up to in an s16, in units of the weights. */
static float pair_peak(const float *f, int taps, int cin, int cout, int c)
{
    float peak = 0;
    for (int t = 0; t < taps; t++)
        for (int g = 0; g < cin; g += 4) {
            float pos[2] = { 0, 0 }, neg[2] = { 0, 0 }; /* the two largest of each sign */
            for (int i = g; i < g + 4 && i < cin; i++) {
                const float w = f[((size_t)t * cin + i) * cout + c];
                float *top = w > 0 ? pos : neg, a = fabsf(w);
                if (a > top[0])
                    top[1] = top[0], top[0] = a;
                else if (a > top[1])
                    top[1] = a;
            }
            peak = fmaxf(peak, fmaxf(pos[0] + pos[1], neg[0] + neg[1]));
        }
    return peak;
}

/* int8: each output channel's weights quantum and the convolution's output
 * scales. Without VNNI, oneDNN's dense u8 x s8 kernels add two products into
 * an s16 (vpmaddubsw), which saturates above 32767: 255 x 127 x 2 would. It
 * halves the weights itself only where it reads s8 (the first layer), so for
 * a dense layer reading u8 the quantum is the largest same-signed pair sum
 * (among each 4 input channels, the blocking's groups) over 127 steps: two
 * rounded weights then stay within 128 steps, 128 x 255 <= 32767, and no
 * pair can saturate — between 7 and 8 bits a weight, 8 where large weights do
 * not meet. Depthwise layers multiply in 32 bits: the largest weight over
 * 127. The same steps on every CPU, so VNNI gives the same numbers. */
static int layer_quantise(const bf16net *net, dnn_layer *l, const layer *cv, err *e)
{
    const float s_in = src_scale(net, l);
    const int taps = l->k * l->k, per = l->depthwise ? taps : taps * l->cin; /* HWIO: a channel's weights stride c */
    const int pairs = !l->depthwise;
    l->wscale = malloc(sizeof(float) * (size_t)l->c);
    l->oscale = malloc(sizeof(float) * (size_t)l->c);
    if (!l->wscale || !l->oscale)
        return err_set(e, ERR_NOMEM, "%s: out of memory", net->name);
    for (int c = 0; c < l->c; c++) {
        float most = 0;
        for (int j = 0; j < per; j++)
            most = fmaxf(most, fabsf(cv->filter->data[(size_t)j * l->c + c]));
        if (pairs)
            most = pair_peak(cv->filter->data, taps, l->cin, l->c, c);
        l->wscale[c] = most > 0 ? most / 127.0f : 1.0f;
        l->oscale[c] = s_in * l->wscale[c] / (layer_dt(net, l) == dnnl_u8 ? l->scale : 1.0f);
    }
    return 0;
}

/* Re-lays conv layer l's tfjs weights into the primitive's layout (int8:
 * quantised per output channel) and copies the bias (int8: in units of the
 * accumulator, which oneDNN 2.6 adds before the output scale). */
static int layer_weights(bf16net *net, dnn_layer *l, const layer *cv, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_memory_t user = NULL;
    dnnl_memory_desc_t umd, bmd;
    float *inv = NULL;
    if (layer_q(net, l) && (rc = layer_quantise(net, l, cv, e)) != 0)
        return rc;
    if ((rc = layer_pd(net, l, &pd, e)) != 0)
        return rc;
    if (layer_q(net, l)) { /* weights / quantum, per output channel (dimension 0 of OIHW and GOIHW) */
        if (!(inv = malloc(sizeof(float) * (size_t)l->c))) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", name);
            goto done;
        }
        for (int c = 0; c < l->c; c++)
            inv[c] = 1.0f / l->wscale[c];
        DNNL_TRY(dnnl_primitive_attr_create(&attr));
        DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, l->c, 1 << 0, inv));
    }
    if (l->depthwise) { /* [kh,kw,c,1] = h,w,(i=1),g,(o=1) */
        dnnl_dims_t wd = { l->c, 1, 1, l->k, l->k };
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&umd, 5, wd, dnnl_f32, dnnl_hwigo));
    } else { /* [kh,kw,cin,cout] */
        dnnl_dims_t wd = { l->c, l->cin, l->k, l->k };
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&umd, 4, wd, dnnl_f32, dnnl_hwio));
    }
    DNNL_TRY(dnnl_memory_create(&user, &umd, net->eng, (void *)cv->filter->data));
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    DNNL_TRY(dnnl_memory_create(&l->w, wmd, net->eng, DNNL_MEMORY_ALLOCATE));
    if ((rc = reorder_once(net, user, l->w, attr, e)) != 0)
        goto done;
    if (!l->has_bias)
        goto done;
    dnnl_dims_t bd = { l->c };
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a));
    DNNL_TRY(dnnl_memory_create(&l->b, &bmd, net->eng, DNNL_MEMORY_ALLOCATE));
    float *bp = NULL;
    DNNL_TRY(dnnl_memory_get_data_handle(l->b, (void **)&bp));
    memcpy(bp, cv->bias->data, sizeof(float) * (size_t)l->c);
    for (int c = 0; layer_q(net, l) && c < l->c; c++)
        bp[c] /= src_scale(net, l) * l->wscale[c];
done:
    if (user)
        dnnl_memory_destroy(user);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    free(inv);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* Output side and padding of a k-window with this stride on hin (bf16net.h). */
static int window(dnn_layer *l, layer_pad pad)
{
    if (pad == LAYER_VALID) {
        l->h = l->hin >= l->k ? (l->hin - l->k) / l->stride + 1 : 0;
        l->pad_lo = l->pad_hi = 0;
        return l->h;
    }
    l->h = (l->hin + l->stride - 1) / l->stride;
    int total = (l->h - 1) * l->stride + l->k - l->hin;
    if (total < 0)
        total = 0;
    l->pad_lo = total / 2;
    l->pad_hi = total - total / 2;
    return l->h;
}

/* Layer i reads layer j (as its input or second operand). */
static int layer_reads(const dnn_layer *l, int j)
{
    for (int k = 0; (l->op == LAYER_SUM || l->op == LAYER_CONV) && k < l->nsrc; k++)
        if (l->srcs[k] == j)
            return 1;
    return l->src == j || ((l->op == LAYER_ADD || l->op == LAYER_CONV) && l->src2 == j);
}

/* A SUM's or CONV's added layers: earlier, bf16, of the output's shape. */
static int layer_adds(bf16net *net, int i, const layer *cv, err *e)
{
    dnn_layer *l = &net->l[i];
    const char *name = net->name;
    const int lo = cv->op == LAYER_SUM ? 2 : 0;
    if (cv->nsrc < lo || cv->nsrc > LAYERS_SUM_MAX)
        return err_set(e, ERR_INVALID, "%s: layer %d adds %d layers", name, i, cv->nsrc);
    l->nsrc = cv->nsrc;
    for (int k = 0; k < cv->nsrc; k++) {
        const int j = cv->srcs[k];
        if (j < -1 || j >= i || (j >= 0 && net->l[j].external))
            return err_set(e, ERR_INVALID, "%s: layer %d adds layer %d", name, i, j);
        const int h = j < 0 ? net->size : net->l[j].h, c = j < 0 ? net->channels : net->l[j].c;
        if (h != l->h || c != l->c)
            return err_set(e, ERR_INVALID, "%s: layer %d: adds %dx%dx%d to %dx%dx%d", name, i, h, h, c, l->h, l->h,
                           l->c);
        l->srcs[k] = j;
    }
    return 0;
}

/* Checks layer i against its sources' shapes and fills its shapes. */
static int layer_shape(bf16net *net, int i, const layer *cv, err *e)
{
    dnn_layer *l = &net->l[i];
    const char *name = net->name;
    const wtensor *f = cv->filter;
    l->op = cv->op;
    l->src = cv->op == LAYER_SUM ? cv->srcs[0] : cv->src;
    l->src2 = (cv->op == LAYER_ADD || (cv->op == LAYER_CONV && cv->residual)) ? cv->src2 : -1;
    l->external = cv->output;
    l->act = cv->act;
    l->home = i;
    l->out = cv->output ? net->nout++ : -1;
    const int two = l->op == LAYER_ADD || l->src2 >= 0;
    if (cv->op == LAYER_SUM && (cv->nsrc < 2 || cv->nsrc > LAYERS_SUM_MAX))
        return err_set(e, ERR_INVALID, "%s: layer %d adds %d layers", name, i, cv->nsrc);
    if (l->src < -1 || l->src >= i || (two && (l->src2 < 0 || l->src2 >= i)))
        return err_set(e, ERR_INVALID, "%s: layer %d reads layer %d/%d", name, i, l->src, l->src2);
    if ((l->src >= 0 && net->l[l->src].external) || (two && net->l[l->src2].external))
        return err_set(e, ERR_INVALID, "%s: layer %d reads an f32 output", name, i);
    l->hin = l->src < 0 ? net->size : net->l[l->src].h;
    l->cin = l->src < 0 ? net->channels : net->l[l->src].c;
    l->stride = cv->stride;
    if (cv->act == LAYER_LEAKY)
        return err_set(e, ERR_INVALID, "%s: layer %d: no bf16 kernel for the leaky ReLU (fp32 only)", name, i);
    switch (cv->op) {
    case LAYER_CONV:
        if (!f || f->ndim != 4 || f->shape[0] != f->shape[1] || f->shape[2] != l->cin ||
            (cv->depthwise && f->shape[3] != 1) || cv->stride < 1)
            return err_set(e, ERR_INVALID, "%s: layer %d: filter %s does not fit a %dx%dx%d input", name, i,
                           f ? f->name : "(none)", l->hin, l->hin, l->cin);
        l->k = f->shape[0];
        l->depthwise = cv->depthwise;
        l->c = cv->depthwise ? l->cin : f->shape[3];
        l->has_bias = cv->bias != NULL;
        if (cv->bias && cv->bias->count != (size_t)l->c)
            return err_set(e, ERR_INVALID, "%s: layer %d: bias %s has %zu values for %d channels", name, i,
                           cv->bias->name, cv->bias->count, l->c);
        if (window(l, cv->pad) < 1)
            return err_set(e, ERR_INVALID, "%s: layer %d: %dx%d filter on %dx%d", name, i, l->k, l->k, l->hin, l->hin);
        break;
    case LAYER_MAXPOOL:
    case LAYER_AVGPOOL:
        l->k = cv->k;
        l->c = l->cin;
        if (cv->k < 1 || cv->stride < 1 || (cv->op == LAYER_AVGPOOL && cv->pad != LAYER_VALID) ||
            window(l, cv->pad) < 1)
            return err_set(e, ERR_INVALID, "%s: layer %d: pool %d/%d on %dx%d", name, i, cv->k, cv->stride, l->hin,
                           l->hin);
        break;
    case LAYER_ADD:
        l->h = l->hin, l->c = l->cin;
        break;
    case LAYER_ACT:
        l->h = l->hin, l->c = l->cin;
        if (cv->act == LAYER_NONE || cv->output)
            return err_set(e, ERR_INVALID, "%s: layer %d: an activation layer needs an act and a bf16 output", name, i);
        break;
    case LAYER_SUM:
        l->h = l->hin, l->c = l->cin;
        break;
    case LAYER_PAD:
        l->grow = cv->grow;
        l->h = l->hin + cv->grow;
        l->c = cv->channels;
        if (cv->grow < 0 || cv->channels < l->cin || cv->output)
            return err_set(e, ERR_INVALID, "%s: layer %d: pad %d/%d of %d channels", name, i, cv->grow, cv->channels,
                           l->cin);
        break;
    default: /* fully connected layers and softmax run on the host (net.h) */
        return err_set(e, ERR_INVALID, "%s: layer %d: no bf16 kernel for op %d", name, i, (int)cv->op);
    }
    int rc = (cv->op == LAYER_SUM || cv->op == LAYER_CONV) ? layer_adds(net, i, cv, e) : 0;
    if (rc != 0)
        return rc;
    if (two) {
        const dnn_layer *o = &net->l[l->src2];
        if (o->h != l->h || o->c != l->c)
            return err_set(e, ERR_INVALID, "%s: layer %d: adds %dx%dx%d to %dx%dx%d", name, i, o->h, o->h, o->c, l->h,
                           l->h, l->c);
    }
    if (l->op == LAYER_CONV && l->src2 >= 0) { /* in place in src2's memory */
        if (l->src2 == l->src || net->l[l->src2].op == LAYER_PAD || l->external)
            return err_set(e, ERR_INVALID, "%s: layer %d cannot add in place into layer %d", name, i, l->src2);
        l->home = net->l[l->src2].home;
    }
    return 0;
}

/* The in-place sums are the last readers of what they overwrite. */
static int check_in_place(const bf16net *net, err *e)
{
    for (int i = 0; i < net->n; i++) {
        const dnn_layer *l = &net->l[i];
        if (l->op != LAYER_CONV || l->src2 < 0)
            continue;
        for (int j = i + 1; j < net->n; j++)
            if (layer_reads(&net->l[j], l->src2))
                return err_set(e, ERR_INVALID, "%s: layer %d reads layer %d, overwritten by layer %d", net->name, j,
                               l->src2, i);
    }
    return 0;
}

/* int8 nets: convolutions in a chain; each layer computes in u8 x s8 or, where
 * layer.fp32 asks, in fp32. A value int8 layers read is u8, its saturation
 * the activation: the layer ends in a ReLU (or ReLU6), its quantum from the
 * calibrated range (layers.h; a ReLU6's at most 6/255). The value of an fp32
 * layer, or one an fp32 layer reads, is f32 (the activation a post-op), with a
 * u8 copy when int8 layers read it too. */
static int layer_int8(bf16net *net, int i, const layer *layers, err *e)
{
    dnn_layer *l = &net->l[i];
    const layer *cv = &layers[i];
    if (l->op != LAYER_CONV || l->src2 >= 0 || l->nsrc > 0)
        return err_set(e, ERR_INVALID, "%s: layer %d: int8 nets are chains of convolutions", net->name, i);
    int f32_reader = 0, u8_reader = 0;
    for (int j = i + 1; j < net->n; j++)
        if (layers[j].src == i)
            *(layers[j].fp32 ? &f32_reader : &u8_reader) = 1;
    if (!cv->fp32 && cv->src < 0) /* the input's u8 copy */
        net->in_copy = 1;
    l->f32 = cv->fp32 != 0;
    l->odt = l->external || l->f32 || f32_reader ? dnnl_f32 : dnnl_u8;
    l->qcopy = !l->external && l->odt == dnnl_f32 && u8_reader;
    l->scale = 1.0f;
    if (l->external || (l->odt == dnnl_f32 && !l->qcopy))
        return 0;
    float range = cv->range;
    if (l->act == LAYER_RELU6 && (range <= 0 || range > 6))
        range = 6;
    if ((l->act != LAYER_RELU && l->act != LAYER_RELU6) || !(range > 0))
        return err_set(e, ERR_INVALID, "%s: layer %d: an int8 layer needs a ReLU and a range (%g)", net->name, i,
                       (double)range);
    l->scale = range / 255.0f;
    return 0;
}

static bf16net *net_new(const char *name, int size, int channels, const layer *layers, int n, int type, float in_range,
                        err *e)
{
    bf16net *net = calloc(1, sizeof *net);
    if (!net || !(net->l = calloc((size_t)(n > 0 ? n : 1), sizeof *net->l))) {
        free(net);
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    snprintf(net->name, sizeof net->name, "%s", name);
    net->size = size;
    net->channels = channels;
    net->n = n;
    net->dt = type == BF16NET_F32 ? dnnl_f32 : type == BF16NET_INT8 ? dnnl_u8 : dnnl_bf16;
    net->in_scale = in_range / 127.0f;
    net->in_copy = type != BF16NET_INT8;
    int rc = 0, nthr = omp_single_begin();
    if (size < 1 || channels < 1 || n < 1)
        rc = err_set(e, ERR_INVALID, "%s: %d layers on a %dx%dx%d input", name, n, size, size, channels);
    else if (type == BF16NET_INT8 && !(in_range > 0))
        rc = err_set(e, ERR_INVALID, "%s: an int8 net needs the input's range (%g)", name, (double)in_range);
    dnnl_status_t s = rc ? dnnl_success : dnnl_engine_create(&net->eng, dnnl_cpu, 0);
    if (s != dnnl_success)
        rc = err_set(e, ERR_INTERNAL, "%s: oneDNN CPU engine: %s", name, dnnl_status2str(s));
    for (int i = 0; i < n && rc == 0; i++) {
        if ((rc = layer_shape(net, i, &layers[i], e)) == 0 && net_int8(net))
            rc = layer_int8(net, i, layers, e);
        if (rc == 0 && layers[i].op == LAYER_CONV)
            rc = layer_weights(net, &net->l[i], &layers[i], e);
    }
    if (rc == 0)
        rc = check_in_place(net, e);
    omp_single_end(nthr);
    if (rc != 0) {
        bf16net_free(net);
        return NULL;
    }
    return net;
}

bf16net *bf16net_new(const char *name, int size, int channels, const layer *layers, int n, int type, err *e)
{
    if (type == BF16NET_INT8) {
        err_set(e, ERR_INVALID, "%s: an int8 net is made by bf16net_new_int8", name);
        return NULL;
    }
    return net_new(name, size, channels, layers, n, type, 0, e);
}

bf16net *bf16net_new_int8(const char *name, int size, int channels, const layer *layers, int n, float in_range, err *e)
{
    return net_new(name, size, channels, layers, n, BF16NET_INT8, in_range, e);
}

void bf16net_free(bf16net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n; i++) {
        if (net->l[i].w)
            dnnl_memory_destroy(net->l[i].w);
        if (net->l[i].b)
            dnnl_memory_destroy(net->l[i].b);
        free(net->l[i].wscale);
        free(net->l[i].oscale);
    }
    if (net->eng)
        dnnl_engine_destroy(net->eng);
    free(net->l);
    free(net);
}

/* ---- running ------------------------------------------------------------ */

/* Output i needs its own buffer: it is external, a zero pad (whose border must
 * stay zero), added to in place, or read by a layer other than i+1. */
static int layer_kept(const bf16net *net, int i)
{
    const dnn_layer *l = &net->l[i];
    if (l->external || l->op == LAYER_PAD)
        return 1;
    for (int j = i + 1; j < net->n; j++) {
        const dnn_layer *o = &net->l[j];
        if ((j > i + 1 && layer_reads(o, i)) || (o->op == LAYER_CONV && o->src2 == i))
            return 1;
    }
    return 0;
}

static size_t layer_out_bytes(const bf16net *net, const dnn_layer *l)
{
    const dnnl_data_type_t dt = layer_dt(net, l);
    return (size_t)l->h * l->h * l->c * (dt == dnnl_f32 ? 4 : dt == dnnl_u8 ? 1 : 2);
}

static void *buffer_new(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    if (p)
        memset(p, 0, bytes); /* PAD's border: zeros for good */
    return p;
}

/* Layer i's output memory: where it lives (own, in place, or a ping-pong
 * buffer other than the one it reads), and for PAD the window it writes. */
static int layer_memory(bf16net_run *r, int i, dnnl_primitive_desc_t pd, int *prev_slot, err *e)
{
    const bf16net *net = r->net;
    const dnn_layer *l = &net->l[i];
    const char *name = net->name;
    int rc = 0, cur = -1;
    void *mem;
    if (l->home != i) {
        DNNL_TRY(dnnl_memory_get_data_handle(r->dst[l->home], &mem));
    } else if (layer_kept(net, i)) {
        if (!(r->kept[i] = buffer_new(layer_out_bytes(net, l))))
            return err_set(e, ERR_NOMEM, "%s: out of memory", name);
        mem = r->kept[i];
    } else {
        cur = (layer_reads(l, i - 1) && *prev_slot == 0) ? 1 : 0;
        mem = r->buf[cur];
    }
    *prev_slot = cur;
    dnnl_memory_desc_t md;
    if (md_nhwc(&md, l->c, l->h, layer_dt(net, l)) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused layer %d's output", name, i);
    DNNL_TRY(dnnl_memory_create(&r->dst[i], &md, net->eng, mem));
    if (l->op == LAYER_PAD)
        DNNL_TRY(dnnl_memory_create(&r->sub[i], dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), net->eng, mem));
done:
    return rc;
}

/* int8 nets: the u8 copy of f32 layer i's output that int8 layers read, and
 * the reorder that makes it (u8 = value / quantum, rounded and saturated). */
static int layer_qcopy(bf16net_run *r, int i, err *e)
{
    const bf16net *net = r->net;
    const dnn_layer *l = &net->l[i];
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t md;
    const dnnl_memory_desc_t *sd;
    const float q = 1.0f / l->scale;
    if (md_nhwc(&md, l->c, l->h, dnnl_u8) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused layer %d's u8 copy", name, i);
    DNNL_TRY(dnnl_memory_create(&r->q8[i], &md, net->eng, DNNL_MEMORY_ALLOCATE));
    DNNL_TRY(dnnl_memory_get_memory_desc(r->dst[i], &sd));
    DNNL_TRY(dnnl_primitive_attr_create(&attr));
    DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &q));
    DNNL_TRY(reorder_pd_create(&pd, sd, &md, net->eng, attr));
    DNNL_TRY(dnnl_primitive_create(&r->qp[i], pd));
done:
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

static int run_build(bf16net_run *r, err *e)
{
    bf16net *net = r->net;
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    size_t most = 0;
    for (int i = 0; i < net->n; i++)
        if (net->l[i].home == i && !layer_kept(net, i) && layer_out_bytes(net, &net->l[i]) > most)
            most = layer_out_bytes(net, &net->l[i]);
    size_t nin = (size_t)net->size * net->size * net->channels;
    r->in = aligned_alloc(64, (nin * sizeof(float) + 63) / 64 * 64);
    for (int k = 0; k < 2; k++)
        r->buf[k] = buffer_new(most);
    if (!r->in || !r->buf[0] || !r->buf[1])
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    DNNL_TRY(dnnl_stream_create(&r->st, net->eng, dnnl_stream_default_flags));
    /* The f32 input and its bf16 copy, read by the first layer(s). */
    dnnl_memory_desc_t md;
    if (md_nhwc(&md, net->channels, net->size, dnnl_f32) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused the input", name);
    DNNL_TRY(dnnl_memory_create(&r->in32, &md, net->eng, r->in));
    if (md_nhwc(&md, net->channels, net->size, net->dt) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused the input", name);
    DNNL_TRY(dnnl_memory_create(&r->in16, &md, net->eng, DNNL_MEMORY_ALLOCATE));
    const dnnl_memory_desc_t *sd, *dd;
    if (net->in_copy) { /* int8 nets whose first layers run in fp32 read the f32 input only */
        DNNL_TRY(dnnl_memory_get_memory_desc(r->in32, &sd));
        DNNL_TRY(dnnl_memory_get_memory_desc(r->in16, &dd));
        if (net_int8(net)) { /* u8 = value / quantum + zero point, rounded and saturated */
            const float q = 1.0f / net->in_scale;
            DNNL_TRY(dnnl_primitive_attr_create(&attr));
            DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &q));
            DNNL_TRY(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &INT8_INPUT_ZERO));
        }
        DNNL_TRY(reorder_pd_create(&pd, sd, dd, net->eng, attr));
        DNNL_TRY(dnnl_primitive_create(&r->in_reorder, pd));
        dnnl_primitive_desc_destroy(pd);
        pd = NULL;
    }
    /* Each layer: its primitive (weights layout as in the net), its output memory. */
    int prev_slot = -1; /* ping-pong buffer of the previous layer's output, -1 when elsewhere */
    for (int i = 0; i < net->n; i++) {
        const dnn_layer *l = &net->l[i];
        if ((rc = layer_pd(net, l, &pd, e)) != 0)
            goto done;
        if (l->op == LAYER_CONV) {
            const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            const dnnl_memory_desc_t *have;
            DNNL_TRY(dnnl_memory_get_memory_desc(l->w, &have));
            if (!dnnl_memory_desc_equal(wmd, have)) {
                rc =
                    err_set(e, ERR_INTERNAL, "%s: layer %d: oneDNN chose another weights layout than at load", name, i);
                goto done;
            }
        }
        DNNL_TRY(dnnl_primitive_create(&r->p[i], pd));
        if ((rc = layer_memory(r, i, pd, &prev_slot, e)) != 0)
            goto done;
        dnnl_primitive_desc_destroy(pd);
        pd = NULL;
        if (l->qcopy && (rc = layer_qcopy(r, i, e)) != 0)
            goto done;
    }
done:
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

bf16net_run *bf16net_run_new(bf16net *net, err *e)
{
    bf16net_run *r = calloc(1, sizeof *r);
    if (r) {
        r->net = net;
        r->p = calloc((size_t)net->n, sizeof *r->p);
        r->dst = calloc((size_t)net->n, sizeof *r->dst);
        r->sub = calloc((size_t)net->n, sizeof *r->sub);
        r->kept = calloc((size_t)net->n, sizeof *r->kept);
        r->qp = calloc((size_t)net->n, sizeof *r->qp);
        r->q8 = calloc((size_t)net->n, sizeof *r->q8);
    }
    if (!r || !r->p || !r->dst || !r->sub || !r->kept || !r->qp || !r->q8) {
        bf16net_run_free(r);
        err_set(e, ERR_NOMEM, "%s: out of memory", net->name);
        return NULL;
    }
    int nthr = omp_single_begin();
    int rc = run_build(r, e);
    omp_single_end(nthr);
    if (rc != 0) {
        bf16net_run_free(r);
        return NULL;
    }
    return r;
}

void bf16net_run_free(bf16net_run *r)
{
    if (!r)
        return;
    for (int i = 0; r->p && i < r->net->n; i++)
        if (r->p[i])
            dnnl_primitive_destroy(r->p[i]);
    for (int i = 0; r->dst && i < r->net->n; i++)
        if (r->dst[i])
            dnnl_memory_destroy(r->dst[i]);
    for (int i = 0; r->sub && i < r->net->n; i++)
        if (r->sub[i])
            dnnl_memory_destroy(r->sub[i]);
    for (int i = 0; r->kept && i < r->net->n; i++)
        free(r->kept[i]);
    for (int i = 0; r->qp && i < r->net->n; i++)
        if (r->qp[i])
            dnnl_primitive_destroy(r->qp[i]);
    for (int i = 0; r->q8 && i < r->net->n; i++)
        if (r->q8[i])
            dnnl_memory_destroy(r->q8[i]);
    if (r->in_reorder)
        dnnl_primitive_destroy(r->in_reorder);
    if (r->in32)
        dnnl_memory_destroy(r->in32);
    if (r->in16)
        dnnl_memory_destroy(r->in16);
    if (r->st)
        dnnl_stream_destroy(r->st);
    free(r->p);
    free(r->dst);
    free(r->sub);
    free(r->kept);
    free(r->qp);
    free(r->q8);
    free(r->buf[0]);
    free(r->buf[1]);
    free(r->in);
    free(r);
}

float *bf16net_run_input(bf16net_run *r, size_t *count)
{
    if (count)
        *count = (size_t)r->net->size * r->net->size * r->net->channels;
    return r->in;
}

/* The memory layer `reader` reads for layer j's value (-1: the input): in an
 * int8 net an int8 layer reads u8 copies, an fp32 one the f32 values. */
static dnnl_memory_t run_value(const bf16net_run *r, const dnn_layer *reader, int j)
{
    const bf16net *net = r->net;
    if (j < 0)
        return net->in_copy && !reader->f32 ? r->in16 : r->in32;
    return layer_q(net, reader) && net->l[j].qcopy ? r->q8[j] : r->dst[j];
}

/* The operands a layer adds through binary post-ops, appended to a[na..]. */
static int added_args(const bf16net_run *r, const dnn_layer *l, dnnl_exec_arg_t *a, int na)
{
    for (int k = first_binary(l); k < l->nsrc; k++)
        a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary_post_op(l, k)) | DNNL_ARG_SRC_1,
                                     run_value(r, l, l->srcs[k]) };
    return na;
}

int bf16net_run_exec(bf16net_run *r, err *e)
{
    const bf16net *net = r->net;
    const char *name = net->name;
    int rc = 0, nthr = omp_single_begin();
    dnnl_exec_arg_t in[2] = { { DNNL_ARG_FROM, r->in32 }, { DNNL_ARG_TO, r->in16 } };
    if (r->in_reorder)
        DNNL_TRY(dnnl_primitive_execute(r->in_reorder, r->st, 2, in));
    for (int i = 0; i < net->n; i++) {
        const dnn_layer *l = &net->l[i];
        dnnl_exec_arg_t a[4 + LAYERS_SUM_MAX];
        int na = 0;
        switch (l->op) {
        case LAYER_CONV:
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, run_value(r, l, l->src) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, l->w };
            if (l->b)
                a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, l->b };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, r->dst[i] };
            na = added_args(r, l, a, na);
            break;
        case LAYER_ADD:
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC_0, run_value(r, l, l->src) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC_1, run_value(r, l, l->src2) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, r->dst[i] };
            break;
        case LAYER_SUM:
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC_0, run_value(r, l, l->srcs[0]) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC_1, run_value(r, l, l->srcs[1]) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, r->dst[i] };
            na = added_args(r, l, a, na);
            break;
        case LAYER_PAD:
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, run_value(r, l, l->src) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_TO, r->sub[i] };
            break;
        default:
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, run_value(r, l, l->src) };
            a[na++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, r->dst[i] };
            break;
        }
        DNNL_TRY(dnnl_primitive_execute(r->p[i], r->st, na, a));
        if (r->qp[i]) {
            dnnl_exec_arg_t q[2] = { { DNNL_ARG_FROM, r->dst[i] }, { DNNL_ARG_TO, r->q8[i] } };
            DNNL_TRY(dnnl_primitive_execute(r->qp[i], r->st, 2, q));
        }
    }
    DNNL_TRY(dnnl_stream_wait(r->st));
done:
    omp_single_end(nthr);
    return rc;
}

const float *bf16net_run_output(const bf16net_run *r, int k, size_t *count)
{
    for (int i = 0; i < r->net->n; i++) {
        const dnn_layer *l = &r->net->l[i];
        if (l->out == k) {
            if (count)
                *count = (size_t)l->h * l->h * l->c;
            return r->kept[i];
        }
    }
    return NULL;
}
