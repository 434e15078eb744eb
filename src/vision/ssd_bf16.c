/* ssd_bf16.c — the SSD's convolutions in bf16 on oneDNN 2.6 (ssd_bf16.h). */
#include "vision/ssd_bf16.h"

#include "vision/ssd.h"

#include <cpuid.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One layer of the shared net: shapes, the weights in the primitive's layout. */
typedef struct bf16_layer {
    int src, hin, cin, h, c, k, stride, depthwise, relu6;
    int pad_lo, pad_hi;
    dnnl_memory_t w, b; /* shared, read-only after the build */
    int out;            /* external output number, or -1 */
} bf16_layer;

struct ssd_bf16_net {
    char name[64];
    int size, channels, n, nout;
    bf16_layer *l;
    dnnl_engine_t eng;
};

struct ssd_bf16_run {
    ssd_bf16_net *net;
    dnnl_stream_t st;
    dnnl_primitive_t *p; /* one per layer */
    dnnl_memory_t *dst;  /* one per layer, pointing into arena or kept buffers */
    dnnl_primitive_t in_reorder;
    dnnl_memory_t in32, in16;
    float *in;
    void *buf[2]; /* ping-pong activations for outputs read only by the next layer */
    void **kept;  /* per layer: own buffer for outputs read later (or NULL) */
};

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

const char *ssd_bf16_isa(void)
{
    pthread_once(&isa_once, isa_probe);
    switch (isa_found) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}

int ssd_bf16_fast(void)
{
    pthread_once(&isa_once, isa_probe);
    return isa_has(dnnl_cpu_isa_avx512_core_amx) || (isa_amd && isa_has(dnnl_cpu_isa_avx512_core_bf16));
}

int ssd_bf16_available(void)
{
    const char *no = getenv("FACETAG_NO_BF16");
    if (no && *no && strcmp(no, "0") != 0)
        return 0;
    return ssd_bf16_fast();
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

#define DNNL_TRY(call)                                                                                  \
    do {                                                                                                \
        dnnl_status_t s_ = (call);                                                                      \
        if (s_ != dnnl_success) {                                                                       \
            rc = err_set(e, ERR_INTERNAL, "%s: oneDNN %s: %s", name, #call, dnnl_status2str(s_)); \
            goto done;                                                                                  \
        }                                                                                               \
    } while (0)

static int md_nhwc(dnnl_memory_desc_t *md, int c, int h, dnnl_data_type_t dt)
{
    dnnl_dims_t d = {1, c, h, h};
    return dnnl_memory_desc_init_by_tag(md, 4, d, dt, dnnl_acdb) == dnnl_success ? 0 : -1;
}

/* The primitive descriptor of layer l (same in the net and every run: one thread). */
static int layer_pd(const ssd_bf16_net *net, const bf16_layer *l, dnnl_primitive_desc_t *pd, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_memory_desc_t smd, wmd, bmd, dmd;
    dnnl_dims_t bd = {l->c};
    dnnl_data_type_t ddt = l->relu6 ? dnnl_bf16 : dnnl_f32;
    if (md_nhwc(&smd, l->cin, l->hin, dnnl_bf16) != 0 || md_nhwc(&dmd, l->c, l->h, ddt) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused a %dx%dx%d activation", name, l->hin, l->hin, l->cin);
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a));
    if (l->depthwise) {
        dnnl_dims_t wd = {l->c, 1, 1, l->k, l->k};
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&wmd, 5, wd, dnnl_bf16, dnnl_format_tag_any));
    } else {
        dnnl_dims_t wd = {l->c, l->cin, l->k, l->k};
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&wmd, 4, wd, dnnl_bf16, dnnl_format_tag_any));
    }
    dnnl_dims_t str = {l->stride, l->stride}, pl = {l->pad_lo, l->pad_lo}, pr = {l->pad_hi, l->pad_hi};
    dnnl_convolution_desc_t cd;
    DNNL_TRY(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &smd, &wmd,
                                                &bmd, &dmd, str, pl, pr));
    DNNL_TRY(dnnl_primitive_attr_create(&attr));
    if (l->relu6) {
        DNNL_TRY(dnnl_post_ops_create(&po));
        DNNL_TRY(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f));
        DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, po));
    }
    DNNL_TRY(dnnl_primitive_desc_create(pd, &cd, attr, net->eng, NULL));
done:
    if (po)
        dnnl_post_ops_destroy(po);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

/* Runs a one-off reorder src -> dst on the net's engine. */
static int reorder_once(const ssd_bf16_net *net, dnnl_memory_t src, dnnl_memory_t dst, err *e)
{
    const char *name = net->name;
    int rc = 0;
    const dnnl_memory_desc_t *sd, *dd;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    dnnl_stream_t st = NULL;
    DNNL_TRY(dnnl_memory_get_memory_desc(src, &sd));
    DNNL_TRY(dnnl_memory_get_memory_desc(dst, &dd));
    DNNL_TRY(dnnl_reorder_primitive_desc_create(&pd, sd, net->eng, dd, net->eng, NULL));
    DNNL_TRY(dnnl_primitive_create(&p, pd));
    DNNL_TRY(dnnl_stream_create(&st, net->eng, dnnl_stream_default_flags));
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
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

/* Re-lays layer l's tfjs weights into the primitive's bf16 layout and copies the bias. */
static int layer_weights(ssd_bf16_net *net, bf16_layer *l, const ssd_bf16_conv *cv, err *e)
{
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_t user = NULL;
    dnnl_memory_desc_t umd, bmd;
    if ((rc = layer_pd(net, l, &pd, e)) != 0)
        return rc;
    if (l->depthwise) { /* [kh,kw,c,1] = h,w,(i=1),g,(o=1) */
        dnnl_dims_t wd = {l->c, 1, 1, l->k, l->k};
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&umd, 5, wd, dnnl_f32, dnnl_hwigo));
    } else { /* [kh,kw,cin,cout] */
        dnnl_dims_t wd = {l->c, l->cin, l->k, l->k};
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&umd, 4, wd, dnnl_f32, dnnl_hwio));
    }
    DNNL_TRY(dnnl_memory_create(&user, &umd, net->eng, (void *)cv->filter->data));
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    DNNL_TRY(dnnl_memory_create(&l->w, wmd, net->eng, DNNL_MEMORY_ALLOCATE));
    if ((rc = reorder_once(net, user, l->w, e)) != 0)
        goto done;
    dnnl_dims_t bd = {l->c};
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a));
    DNNL_TRY(dnnl_memory_create(&l->b, &bmd, net->eng, DNNL_MEMORY_ALLOCATE));
    void *bp = NULL;
    DNNL_TRY(dnnl_memory_get_data_handle(l->b, &bp));
    memcpy(bp, cv->bias->data, sizeof(float) * (size_t)l->c);
done:
    if (user)
        dnnl_memory_destroy(user);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* Checks conv i against its source's shape and fills layer i's shapes. */
static int layer_shape(ssd_bf16_net *net, int i, const ssd_bf16_conv *cv, err *e)
{
    bf16_layer *l = &net->l[i];
    const wtensor *f = cv->filter;
    if (cv->src < -1 || cv->src >= i)
        return err_set(e, ERR_INVALID, "%s: conv %d reads conv %d", net->name, i, cv->src);
    if (cv->src >= 0 && !net->l[cv->src].relu6)
        return err_set(e, ERR_INVALID, "%s: conv %d reads the f32 output conv %d", net->name, i, cv->src);
    l->src = cv->src;
    l->hin = cv->src < 0 ? net->size : net->l[cv->src].h;
    l->cin = cv->src < 0 ? net->channels : net->l[cv->src].c;
    if (!f || !cv->bias || f->ndim != 4 || f->shape[0] != f->shape[1] || f->shape[2] != l->cin ||
        (cv->depthwise && f->shape[3] != 1) || cv->stride < 1)
        return err_set(e, ERR_INVALID, "%s: conv %d: filter %s does not fit a %dx%dx%d input", net->name, i,
                       f ? f->name : "(none)", l->hin, l->hin, l->cin);
    l->k = f->shape[0];
    l->c = cv->depthwise ? l->cin : f->shape[3];
    if (cv->bias->count != (size_t)l->c)
        return err_set(e, ERR_INVALID, "%s: conv %d: bias %s has %zu values for %d channels", net->name, i,
                       cv->bias->name, cv->bias->count, l->c);
    l->stride = cv->stride;
    l->depthwise = cv->depthwise;
    l->relu6 = cv->relu6;
    l->h = (l->hin + l->stride - 1) / l->stride;
    int total = (l->h - 1) * l->stride + l->k - l->hin;
    if (total < 0)
        total = 0;
    l->pad_lo = total / 2;
    l->pad_hi = total - total / 2;
    l->out = cv->relu6 ? -1 : net->nout++;
    return 0;
}

ssd_bf16_net *ssd_bf16_net_new(const char *name, int size, int channels, const ssd_bf16_conv *convs, int n, err *e)
{
    ssd_bf16_net *net = calloc(1, sizeof *net);
    if (!net || !(net->l = calloc((size_t)(n > 0 ? n : 1), sizeof *net->l))) {
        free(net);
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    snprintf(net->name, sizeof net->name, "%s", name);
    net->size = size;
    net->channels = channels;
    net->n = n;
    int rc = 0, nthr = omp_single_begin();
    if (size < 1 || channels < 1 || n < 1)
        rc = err_set(e, ERR_INVALID, "%s: %d convolutions on a %dx%dx%d input", name, n, size, size, channels);
    dnnl_status_t s = rc ? dnnl_success : dnnl_engine_create(&net->eng, dnnl_cpu, 0);
    if (s != dnnl_success)
        rc = err_set(e, ERR_INTERNAL, "%s: oneDNN CPU engine: %s", name, dnnl_status2str(s));
    for (int i = 0; i < n && rc == 0; i++)
        if ((rc = layer_shape(net, i, &convs[i], e)) == 0)
            rc = layer_weights(net, &net->l[i], &convs[i], e);
    omp_single_end(nthr);
    if (rc != 0) {
        ssd_bf16_net_free(net);
        return NULL;
    }
    return net;
}

void ssd_bf16_net_free(ssd_bf16_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n; i++) {
        if (net->l[i].w)
            dnnl_memory_destroy(net->l[i].w);
        if (net->l[i].b)
            dnnl_memory_destroy(net->l[i].b);
    }
    if (net->eng)
        dnnl_engine_destroy(net->eng);
    free(net->l);
    free(net);
}

/* ---- running ------------------------------------------------------------ */

/* Output i is read by a later conv other than i+1 (or is external): it keeps its own buffer. */
static int layer_kept(const ssd_bf16_net *net, int i)
{
    if (!net->l[i].relu6)
        return 1;
    for (int j = i + 2; j < net->n; j++)
        if (net->l[j].src == i)
            return 1;
    return 0;
}

static size_t layer_out_bytes(const bf16_layer *l)
{
    return (size_t)l->h * l->h * l->c * (l->relu6 ? 2 : 4);
}

static int run_build(ssd_bf16_run *r, err *e)
{
    ssd_bf16_net *net = r->net;
    const char *name = net->name;
    int rc = 0;
    dnnl_primitive_desc_t pd = NULL;
    size_t most = 0;
    for (int i = 0; i < net->n; i++)
        if (!layer_kept(net, i) && layer_out_bytes(&net->l[i]) > most)
            most = layer_out_bytes(&net->l[i]);
    size_t nin = (size_t)net->size * net->size * net->channels;
    r->in = aligned_alloc(64, (nin * sizeof(float) + 63) / 64 * 64);
    for (int k = 0; k < 2; k++)
        r->buf[k] = aligned_alloc(64, (most + 63) / 64 * 64 + 64);
    if (!r->in || !r->buf[0] || !r->buf[1])
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    DNNL_TRY(dnnl_stream_create(&r->st, net->eng, dnnl_stream_default_flags));
    /* The f32 input and its bf16 copy, read by the first layer(s). */
    dnnl_memory_desc_t md;
    if (md_nhwc(&md, net->channels, net->size, dnnl_f32) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused the input", name);
    DNNL_TRY(dnnl_memory_create(&r->in32, &md, net->eng, r->in));
    if (md_nhwc(&md, net->channels, net->size, dnnl_bf16) != 0)
        return err_set(e, ERR_INTERNAL, "%s: oneDNN refused the input", name);
    DNNL_TRY(dnnl_memory_create(&r->in16, &md, net->eng, DNNL_MEMORY_ALLOCATE));
    const dnnl_memory_desc_t *sd, *dd;
    DNNL_TRY(dnnl_memory_get_memory_desc(r->in32, &sd));
    DNNL_TRY(dnnl_memory_get_memory_desc(r->in16, &dd));
    DNNL_TRY(dnnl_reorder_primitive_desc_create(&pd, sd, net->eng, dd, net->eng, NULL));
    DNNL_TRY(dnnl_primitive_create(&r->in_reorder, pd));
    dnnl_primitive_desc_destroy(pd);
    pd = NULL;
    /* Each layer: its primitive (weights layout as in the net), its output memory. */
    int prev_slot = -1; /* ping-pong buffer of the previous layer's output, -1 when kept */
    for (int i = 0; i < net->n; i++) {
        bf16_layer *l = &net->l[i];
        if ((rc = layer_pd(net, l, &pd, e)) != 0)
            goto done;
        const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        const dnnl_memory_desc_t *have;
        DNNL_TRY(dnnl_memory_get_memory_desc(l->w, &have));
        if (!dnnl_memory_desc_equal(wmd, have)) {
            rc = err_set(e, ERR_INTERNAL, "%s: conv %d: oneDNN chose another weights layout than at load", name, i);
            goto done;
        }
        DNNL_TRY(dnnl_primitive_create(&r->p[i], pd));
        void *mem;
        int cur = -1;
        if (layer_kept(net, i)) {
            if (!(r->kept[i] = aligned_alloc(64, (layer_out_bytes(l) + 63) / 64 * 64 + 64))) {
                rc = err_set(e, ERR_NOMEM, "%s: out of memory", name);
                goto done;
            }
            mem = r->kept[i];
        } else {
            /* Not the buffer this layer reads from. */
            cur = (l->src == i - 1 && prev_slot == 0) ? 1 : 0;
            mem = r->buf[cur];
        }
        prev_slot = cur;
        DNNL_TRY(dnnl_memory_create(&r->dst[i], dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), net->eng,
                                    mem));
        dnnl_primitive_desc_destroy(pd);
        pd = NULL;
    }
done:
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    return rc;
}

ssd_bf16_run *ssd_bf16_run_new(ssd_bf16_net *net, err *e)
{
    ssd_bf16_run *r = calloc(1, sizeof *r);
    if (r) {
        r->net = net;
        r->p = calloc((size_t)net->n, sizeof *r->p);
        r->dst = calloc((size_t)net->n, sizeof *r->dst);
        r->kept = calloc((size_t)net->n, sizeof *r->kept);
    }
    if (!r || !r->p || !r->dst || !r->kept) {
        ssd_bf16_run_free(r);
        err_set(e, ERR_NOMEM, "%s: out of memory", net->name);
        return NULL;
    }
    int nthr = omp_single_begin();
    int rc = run_build(r, e);
    omp_single_end(nthr);
    if (rc != 0) {
        ssd_bf16_run_free(r);
        return NULL;
    }
    return r;
}

void ssd_bf16_run_free(ssd_bf16_run *r)
{
    if (!r)
        return;
    for (int i = 0; r->p && i < r->net->n; i++)
        if (r->p[i])
            dnnl_primitive_destroy(r->p[i]);
    for (int i = 0; r->dst && i < r->net->n; i++)
        if (r->dst[i])
            dnnl_memory_destroy(r->dst[i]);
    for (int i = 0; r->kept && i < r->net->n; i++)
        free(r->kept[i]);
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
    free(r->kept);
    free(r->buf[0]);
    free(r->buf[1]);
    free(r->in);
    free(r);
}

float *ssd_bf16_run_input(ssd_bf16_run *r, size_t *count)
{
    if (count)
        *count = (size_t)r->net->size * r->net->size * r->net->channels;
    return r->in;
}

int ssd_bf16_run_exec(ssd_bf16_run *r, err *e)
{
    const ssd_bf16_net *net = r->net;
    const char *name = net->name;
    int rc = 0, nthr = omp_single_begin();
    dnnl_exec_arg_t in[2] = {{DNNL_ARG_FROM, r->in32}, {DNNL_ARG_TO, r->in16}};
    DNNL_TRY(dnnl_primitive_execute(r->in_reorder, r->st, 2, in));
    for (int i = 0; i < net->n; i++) {
        const bf16_layer *l = &net->l[i];
        dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, l->src < 0 ? r->in16 : r->dst[l->src]},
                                {DNNL_ARG_WEIGHTS, l->w},
                                {DNNL_ARG_BIAS, l->b},
                                {DNNL_ARG_DST, r->dst[i]}};
        DNNL_TRY(dnnl_primitive_execute(r->p[i], r->st, 4, a));
    }
    DNNL_TRY(dnnl_stream_wait(r->st));
done:
    omp_single_end(nthr);
    return rc;
}

const float *ssd_bf16_run_output(const ssd_bf16_run *r, int k, size_t *count)
{
    for (int i = 0; i < r->net->n; i++) {
        const bf16_layer *l = &r->net->l[i];
        if (l->out == k) {
            if (count)
                *count = (size_t)l->h * l->h * l->c;
            return r->kept[i];
        }
    }
    return NULL;
}
