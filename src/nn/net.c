/* net.c — a layer list as an XNNPACK graph or a bf16 net, and its runner (net.h). */
#include "nn/net.h"

#include "nn/bf16net.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct net_model {
    net_spec spec;
    const weights *w;
    weights *owned; /* w when the model loaded it (net_model_load), else NULL */
    layer_list list;
    int out_layer[LAYERS_MAX]; /* output k is layer out_layer[k] */
    int nout;
    int tail;                 /* layers tail..n-1 run on the host in a bf16 run */
    pthread_mutex_t mu;       /* guards the lazily built backends */
    nn_graph *g;              /* NET_FP32 */
    bf16net *dnn[3];          /* the oneDNN nets by bf16net_type: NET_BF16, NET_FP32_ONEDNN, NET_INT8 */
    int bf16_ext[LAYERS_MAX]; /* a oneDNN net's output number of layer i < tail, or -1 */
    err dnn_err[3];           /* why a oneDNN net could not be built (kept: not retried) */
};

struct net_runner {
    net_model *m;
    net_precision p;
    nn_runtime *rt;             /* NET_FP32 */
    bf16net_run *bf;            /* NET_BF16, NET_FP32_ONEDNN, NET_INT8 */
    float *host;                /* bf: the tail layers' outputs */
    float *host_at[LAYERS_MAX]; /* layer i >= tail: its output, in host */
};

const char *net_precision_name(net_precision p)
{
    return p == NET_FP32          ? "fp32"
           : p == NET_BF16        ? "bf16"
           : p == NET_FP32_ONEDNN ? "fp32-onednn"
           : p == NET_INT8        ? "int8"
                                  : "unknown";
}

/* The oneDNN net type of a precision other than NET_FP32. */
static int dnn_type(net_precision p)
{
    return p == NET_BF16 ? BF16NET_BF16 : p == NET_FP32_ONEDNN ? BF16NET_F32 : BF16NET_INT8;
}

net_precision net_precision_best(void)
{
    return bf16net_available() ? NET_BF16 : bf16net_f32_fast() ? NET_FP32_ONEDNN : NET_FP32;
}

net_precision net_precision_detector(void)
{
    const char *v = getenv("FACETAG_INT8");
    if (v && *v)
        return strcmp(v, "0") != 0 ? NET_INT8 : net_precision_best();
    const net_precision best = net_precision_best();
    return best == NET_FP32_ONEDNN && bf16net_int8_fast() ? NET_INT8 : best;
}

/* ---- the XNNPACK graph of a list ----------------------------------------- */

static nn_act nn_act_of(layer_act a)
{
    return a == LAYER_RELU    ? NN_ACT_RELU
           : a == LAYER_RELU6 ? NN_ACT_RELU6
           : a == LAYER_LEAKY ? NN_ACT_LEAKY
                              : NN_ACT_NONE;
}

static nn_pad nn_pad_of(layer_pad p)
{
    return p == LAYER_SAME ? NN_PAD_SAME : NN_PAD_VALID;
}

/* srcs[0] + (srcs[1] + (... + (srcs[n-1] + last))), act on the whole (face-api's
 * denseBlock order); without last (NN_NONE) the innermost is srcs[n-1]. */
static nn_value sum(nn_graph *g, const nn_value *v, nn_value in, const layer *l, nn_value last)
{
    const int n = l->nsrc;
    if (n < (last == NN_NONE ? 2 : 1) || n > LAYERS_SUM_MAX)
        return nn_add(g, NN_NONE, NN_NONE, NN_ACT_NONE); /* records the error */
#define SRC(j) (l->srcs[j] < 0 ? in : v[l->srcs[j]])
    nn_value tail = last == NN_NONE ? SRC(n - 1) : last;
    for (int j = last == NN_NONE ? n - 2 : n - 1; j >= 1; j--)
        tail = nn_add(g, SRC(j), tail, NN_ACT_NONE);
    return nn_add(g, SRC(0), tail, nn_act_of(l->act));
#undef SRC
}

/* The list as nn.h ops, in list order: a CONV with residual is nn_add(conv,
 * src2), one adding a, b, c is a + (b + (c + conv)); a SUM of a, b, c, d is
 * a + (b + (c + d)); outputs marked in list order. */
static void graph_build(nn_graph *g, const layer_list *nl)
{
    nn_value v[LAYERS_MAX];
    const nn_value in = nn_input(g, nl->size, nl->size, nl->channels);
    for (int i = 0; i < nl->n; i++) {
        const layer *l = &nl->l[i];
        const nn_value x = l->src < 0 ? in : v[l->src];
        const nn_value y = l->src2 < 0 ? in : v[l->src2];
        int c = 0;
        switch (l->op) {
        case LAYER_CONV: { /* then + src2, then + srcs, act last */
            const nn_act last = l->residual || l->nsrc ? NN_ACT_NONE : nn_act_of(l->act);
            v[i] = l->depthwise ? nn_depthwise(g, x, l->filter, l->bias, l->stride, nn_pad_of(l->pad), last)
                                : nn_conv2d(g, x, l->filter, l->bias, l->stride, nn_pad_of(l->pad), last);
            if (l->residual)
                v[i] = nn_add(g, v[i], y, l->nsrc ? NN_ACT_NONE : nn_act_of(l->act));
            if (l->nsrc)
                v[i] = sum(g, v, in, l, v[i]);
            break;
        }
        case LAYER_MAXPOOL:
            v[i] = nn_maxpool(g, x, l->k, l->stride, nn_pad_of(l->pad));
            break;
        case LAYER_AVGPOOL:
            v[i] = nn_avgpool(g, x, l->k, l->stride, nn_pad_of(l->pad));
            break;
        case LAYER_PAD:
            nn_shape(g, x, NULL, NULL, &c);
            v[i] = nn_zero_pad(g, x, 0, l->grow, 0, l->grow, l->channels - c);
            break;
        case LAYER_ADD:
            v[i] = nn_add(g, x, y, nn_act_of(l->act));
            break;
        case LAYER_SUM:
            v[i] = sum(g, v, in, l, NN_NONE);
            break;
        case LAYER_ACT:
            v[i] = nn_activate(g, x, nn_act_of(l->act));
            break;
        case LAYER_FC:
            v[i] = nn_fully_connected(g, x, l->filter, l->bias, nn_act_of(l->act));
            break;
        case LAYER_SOFTMAX:
            v[i] = nn_softmax(g, x);
            break;
        default:
            v[i] = nn_add(g, NN_NONE, NN_NONE, NN_ACT_NONE);
            break;
        }
        if (l->output)
            nn_output(g, v[i]);
    }
}

/* ---- the host tail of a bf16 run ------------------------------------------ */

/* Layer i runs on the host: a fully connected layer, a softmax, or an
 * average pool over the whole map. */
static bool host_layer(const layer_list *nl, int i)
{
    const layer *l = &nl->l[i];
    return l->op == LAYER_FC || l->op == LAYER_SOFTMAX ||
           (l->op == LAYER_AVGPOOL && l->h == 1 && l->k >= layers_side(nl, l->src));
}

/* Per-channel mean of count NHWC floats with c channels (a whole-map average pool). */
static void host_mean(const float *x, size_t count, int c, float *out)
{
    const size_t cells = count / (size_t)c;
    for (int k = 0; k < c; k++) {
        float s = 0;
        for (size_t i = 0; i < cells; i++)
            s += x[i * (size_t)c + k];
        out[k] = s / (float)cells;
    }
}

/* out[o] = act(b[o] + sum_i x[i] w[i][o]), w [in,out] as tfjs stores it. */
static void host_fc(const float *x, const wtensor *w, const wtensor *b, layer_act act, float *out)
{
    const int in = w->shape[0], nout = w->shape[1];
    for (int o = 0; o < nout; o++) {
        float s = 0;
        for (int i = 0; i < in; i++)
            s += x[i] * w->data[(size_t)i * nout + o];
        s = b ? s + b->data[o] : s;
        out[o] = act == LAYER_RELU    ? fmaxf(s, 0)
                 : act == LAYER_RELU6 ? fminf(fmaxf(s, 0), 6)
                 : act == LAYER_LEAKY ? fmaxf(s, s * NN_LEAKY_SLOPE)
                                      : s;
    }
}

static void host_softmax(const float *x, int n, float *out)
{
    float m = -INFINITY, s = 0;
    for (int i = 0; i < n; i++)
        m = fmaxf(m, x[i]);
    for (int i = 0; i < n; i++)
        s += out[i] = expf(x[i] - m);
    for (int i = 0; i < n; i++)
        out[i] /= s;
}

/* The value layer j holds after the bf16 part of a run (j < tail: the bf16
 * net's f32 output, else a tail buffer). */
static const float *host_value(const net_runner *r, int j, size_t *count)
{
    const net_model *m = r->m;
    if (j >= m->tail) {
        *count = (size_t)m->list.l[j].c;
        return r->host_at[j];
    }
    return bf16net_run_output(r->bf, m->bf16_ext[j], count);
}

static void host_run(net_runner *r)
{
    const net_model *m = r->m;
    for (int i = m->tail; i < m->list.n; i++) {
        const layer *l = &m->list.l[i];
        size_t count = 0;
        const float *x = host_value(r, l->src, &count);
        if (l->op == LAYER_AVGPOOL)
            host_mean(x, count, l->c, r->host_at[i]);
        else if (l->op == LAYER_FC)
            host_fc(x, l->filter, l->bias, l->act, r->host_at[i]);
        else
            host_softmax(x, l->c, r->host_at[i]);
    }
}

/* ---- the model ------------------------------------------------------------ */

/* A model of spec on the weights w (owned: freed with it, or NULL), its list made. */
static int model_make(const net_spec *spec, const weights *w, weights *owned, net_model **out, err *e)
{
    net_model *m = calloc(1, sizeof *m);
    if (!m) {
        weights_free(owned);
        return err_set(e, ERR_NOMEM, "%s: out of memory", spec->model);
    }
    m->spec = *spec;
    m->w = w, m->owned = owned;
    pthread_mutex_init(&m->mu, NULL);
    int rc = 0;
    layer_list *nl = &m->list;
    nl->size = spec->size, nl->channels = 3;
    if (spec->list(nl, m->w, spec->ctx) < 0 || nl->e.code) {
        rc = err_set(e, nl->e.code ? nl->e.code : ERR_INTERNAL, "%s: %s", spec->model,
                     nl->e.code ? nl->e.msg : "the layer list is empty");
        net_model_free(m);
        return rc;
    }
    for (int i = 0; i < nl->n; i++)
        if (nl->l[i].output)
            m->out_layer[m->nout++] = i;
    m->tail = nl->n;
    while (m->tail > 0 && host_layer(nl, m->tail - 1))
        m->tail--;
    for (int i = m->tail; i < nl->n; i++)
        if (nl->l[i].src < 0) /* a head on the network input: no bf16 part to feed it */
            m->tail = nl->n;
    if (m->nout == 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: no layer is marked an output", spec->model);
        net_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int net_model_load(const net_spec *spec, const char *models_dir, net_model **out, err *e)
{
    weights *w = NULL;
    int rc = weights_load(models_dir, spec->model, spec->table, spec->ntable, &w, e);
    return rc ? rc : model_make(spec, w, w, out, e);
}

int net_model_on(const net_spec *spec, const weights *w, net_model **out, err *e)
{
    return model_make(spec, w, NULL, out, e);
}

void net_model_free(net_model *m)
{
    if (!m)
        return;
    for (int t = 0; t < 3; t++)
        bf16net_free(m->dnn[t]);
    nn_graph_free(m->g);
    weights_free(m->owned);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

const weights *net_model_weights(const net_model *m)
{
    return m->w;
}

const char *net_model_name(const net_model *m)
{
    return m->spec.model;
}

double net_model_flops(const net_model *m)
{
    return m->list.flops;
}

static int build_fp32(net_model *m, err *e)
{
    if (m->g)
        return 0;
    nn_graph *g = nn_graph_new(m->spec.model, e);
    if (!g)
        return e ? e->code : ERR_NOMEM;
    graph_build(g, &m->list);
    int rc = nn_graph_error(g, e);
    if (rc) {
        nn_graph_free(g);
        return rc;
    }
    m->g = g;
    return 0;
}

/* The oneDNN net of layers 0..tail-1 of a bf16net_type; the tail's inputs
 * become f32 outputs. */
static int build_dnn(net_model *m, int f32, err *e)
{
    if (m->dnn[f32])
        return 0;
    if (m->dnn_err[f32].code)
        return err_set(e, m->dnn_err[f32].code, "%s", m->dnn_err[f32].msg);
    layer *part = malloc(sizeof *part * (size_t)(m->tail > 0 ? m->tail : 1));
    if (!part)
        return err_set(e, ERR_NOMEM, "%s: out of memory", m->spec.model);
    memcpy(part, m->list.l, sizeof *part * (size_t)m->tail);
    for (int i = m->tail; i < m->list.n; i++)
        if (m->list.l[i].src < m->tail)
            part[m->list.l[i].src].output = 1;
    for (int i = 0, k = 0; i < m->tail; i++)
        m->bf16_ext[i] = part[i].output ? k++ : -1;
    m->dnn[f32] =
        f32 == BF16NET_INT8
            ? bf16net_new_int8(m->spec.model, m->spec.size, 3, part, m->tail, m->spec.int8_range, &m->dnn_err[f32])
            : bf16net_new(m->spec.model, m->spec.size, 3, part, m->tail, f32, &m->dnn_err[f32]);
    free(part);
    return m->dnn[f32] ? 0 : err_set(e, m->dnn_err[f32].code, "%s", m->dnn_err[f32].msg);
}

/* ---- runners ---------------------------------------------------------------- */

static int bf16_refused(const net_model *m, err *e)
{
    if (!bf16net_fast())
        return err_set(e, ERR_INVALID,
                       "%s: bf16 unavailable: bf16 needs AMX, or AVX512-BF16 on AMD, to beat fp32; oneDNN's ISA "
                       "here is %s",
                       m->spec.model, bf16net_isa());
    return err_set(e, ERR_INVALID, "%s: bf16 unavailable: turned off by FACETAG_NO_BF16", m->spec.model);
}

int net_runner_new(net_model *m, nn_threads *threads, net_precision p, net_runner **out, err *e)
{
    if (p != NET_FP32 && p != NET_BF16 && p != NET_FP32_ONEDNN && p != NET_INT8)
        return err_set(e, ERR_INVALID, "%s: unknown precision %d", m->spec.model, (int)p);
    if (p == NET_BF16 && !bf16net_available())
        return bf16_refused(m, e);
    if (p == NET_INT8 && !(m->spec.int8_range > 0))
        return err_set(e, ERR_INVALID, "%s: no int8 version (its quantisation is not calibrated)", m->spec.model);
    pthread_mutex_lock(&m->mu);
    int rc = p == NET_FP32 ? build_fp32(m, e) : build_dnn(m, dnn_type(p), e);
    pthread_mutex_unlock(&m->mu);
    if (rc)
        return rc;
    net_runner *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "%s: out of memory", m->spec.model);
    r->m = m, r->p = p;
    if (p == NET_FP32) {
        if (!(r->rt = nn_runtime_create(m->g, threads, e)))
            rc = e ? e->code : ERR_INTERNAL;
    } else if (!(r->bf = bf16net_run_new(m->dnn[dnn_type(p)], e))) {
        rc = e ? e->code : ERR_INTERNAL;
    } else {
        size_t n = 0;
        for (int i = m->tail; i < m->list.n; i++)
            n += (size_t)m->list.l[i].c;
        if (!(r->host = malloc(sizeof *r->host * (n ? n : 1))))
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", m->spec.model);
        for (int i = m->tail, at = 0; r->host && i < m->list.n; at += m->list.l[i].c, i++)
            r->host_at[i] = r->host + at;
    }
    if (rc) {
        net_runner_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void net_runner_free(net_runner *r)
{
    if (!r)
        return;
    nn_runtime_free(r->rt);
    bf16net_run_free(r->bf);
    free(r->host);
    free(r);
}

net_precision net_runner_precision(const net_runner *r)
{
    return r->p;
}

float *net_runner_input(net_runner *r, size_t *count)
{
    return r->bf ? bf16net_run_input(r->bf, count) : nn_runtime_input(r->rt, 0, count);
}

int net_runner_exec(net_runner *r, err *e)
{
    if (!r->bf)
        return nn_run(r->rt, e);
    int rc = bf16net_run_exec(r->bf, e);
    if (rc == 0)
        host_run(r);
    return rc;
}

const float *net_runner_output(const net_runner *r, int k, size_t *count)
{
    const net_model *m = r->m;
    if (k < 0 || k >= m->nout)
        return NULL;
    if (!r->bf)
        return nn_runtime_output(r->rt, k, count);
    size_t n = 0;
    const float *x = host_value(r, m->out_layer[k], &n);
    if (count)
        *count = n;
    return x;
}

/* ---- probing every layer (int8 calibration) -------------------------------- */

struct net_probe {
    nn_graph *g;
    nn_runtime *rt;
    int from, to;
};

int net_probe_new(net_model *m, int from, int to, net_probe **out, err *e)
{
    if (from < 0 || to > m->list.n || from >= to)
        return err_set(e, ERR_INVALID, "%s: no layers %d..%d to probe", m->spec.model, from, to - 1);
    net_probe *p = calloc(1, sizeof *p);
    layer_list *all = malloc(sizeof *all);
    if (!p || !all) {
        free(p);
        free(all);
        return err_set(e, ERR_NOMEM, "%s: out of memory", m->spec.model);
    }
    *all = m->list;
    all->n = to;                     /* the layers after are not needed (XNNPACK gives an unread value no memory) */
    for (int i = 0; i < all->n; i++) /* output k is layer from + k */
        all->l[i].output = i >= from;
    p->from = from, p->to = to;
    int rc = 0;
    if (!(p->g = nn_graph_new(m->spec.model, e)))
        rc = e ? e->code : ERR_NOMEM;
    if (rc == 0) {
        graph_build(p->g, all);
        rc = nn_graph_error(p->g, e);
    }
    if (rc == 0 && !(p->rt = nn_runtime_create(p->g, NULL, e)))
        rc = e ? e->code : ERR_INTERNAL;
    free(all);
    if (rc) {
        net_probe_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void net_probe_free(net_probe *p)
{
    if (!p)
        return;
    nn_runtime_free(p->rt);
    nn_graph_free(p->g);
    free(p);
}

float *net_probe_input(net_probe *p, size_t *count)
{
    return nn_runtime_input(p->rt, 0, count);
}

int net_probe_exec(net_probe *p, err *e)
{
    return nn_run(p->rt, e);
}

const float *net_probe_layer(const net_probe *p, int i, size_t *count)
{
    return i >= p->from && i < p->to ? nn_runtime_output(p->rt, i - p->from, count) : NULL;
}

int net_model_layers(const net_model *m)
{
    return m->list.n;
}

const layer *net_model_layer(const net_model *m, int i)
{
    return i >= 0 && i < m->list.n ? &m->list.l[i] : NULL;
}
