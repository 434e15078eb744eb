/* nn.c — the graph builder of nn.h on XNNPACK (Debian 0.0~git20220216).
 *
 * The builder only records values and ops; the XNNPACK subgraph is emitted in
 * nn_runtime_create, one per runtime. That lets any value become an external
 * output after it was defined (XNNPACK wants the flag at definition time), and
 * keeps runtimes independent (xnn_create_runtime optimises, i.e. mutates, its
 * subgraph). Static weight data is laid out once, owned by the graph and shared
 * by every runtime. */
#include "nn/nn.h"

#include <math.h>
#include <pthread.h>
#include <pthreadpool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xnnpack.h>

#define NN_MAX_EXTERNAL 32

typedef enum op_kind {
    OP_CONV,
    OP_DEPTHWISE,
    OP_FC,
    OP_ADD,
    OP_SCALE_SHIFT,
    OP_ACT,
    OP_MAXPOOL,
    OP_AVGPOOL,
    OP_GAP,
    OP_PAD,
    OP_SOFTMAX,
    OP_SIGMOID,
} op_kind;

typedef struct nn_op {
    op_kind kind;
    nn_value in0, in1, out;
    nn_act act;
    int kh, kw, stride;
    int pad[4];         /* top, right, bottom, left; OP_PAD: top, right(w after), bottom, left */
    int pad_c;          /* OP_PAD: channels after */
    int cin, cout;      /* conv/fc channels; fc: cin = flattened inputs */
    const float *w;     /* XNNPACK layout, graph-owned or the caller's wtensor data */
    const float *b;     /* bias / shift, never NULL for conv/depthwise/fc (zeros) */
    const float *scale; /* OP_SCALE_SHIFT (NULL = none) */
} nn_op;

typedef struct vinfo {
    int h, w, c;
    int flat; /* 1: a 2-D [1,c] XNNPACK value (fully-connected output) */
    int ext;  /* -1, or its external id */
} vinfo;

struct nn_graph {
    char name[64];
    vinfo *v;
    size_t nv, vcap;
    nn_op *ops;
    size_t nops, opcap;
    void **owned;
    size_t nowned, ownedcap;
    nn_value inputs[NN_MAX_EXTERNAL], outputs[NN_MAX_EXTERNAL];
    int ninputs, noutputs;
    double flops;
    int errcode;
    char errmsg[900];
};

struct nn_runtime {
    xnn_runtime_t rt;
    int ninputs, noutputs;
    float *in[NN_MAX_EXTERNAL], *out[NN_MAX_EXTERNAL];
    size_t incount[NN_MAX_EXTERNAL], outcount[NN_MAX_EXTERNAL];
};

struct nn_threads {
    pthreadpool_t pool;
    int n;
};

/* ---- XNNPACK initialisation ------------------------------------------- */

static pthread_once_t nn_once = PTHREAD_ONCE_INIT;
static enum xnn_status nn_init_status = xnn_status_uninitialized;

static void nn_init_once(void)
{
    nn_init_status = xnn_initialize(NULL);
}

static int nn_init(err *e)
{
    pthread_once(&nn_once, nn_init_once);
    if (nn_init_status != xnn_status_success)
        return err_set(e, ERR_INTERNAL, "XNNPACK failed to initialise (status %d; CPU without SSE2?)",
                       (int)nn_init_status);
    return 0;
}

/* ---- threads ----------------------------------------------------------- */

nn_threads *nn_threads_create(int n, err *e)
{
    if (n < 1) {
        err_set(e, ERR_INVALID, "thread count %d: must be at least 1", n);
        return NULL;
    }
    nn_threads *t = calloc(1, sizeof *t);
    if (!t) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    t->n = n;
    if (n > 1) {
        t->pool = pthreadpool_create((size_t)n);
        if (!t->pool) {
            free(t);
            err_set(e, ERR_INTERNAL, "cannot create a pool of %d threads", n);
            return NULL;
        }
    }
    return t;
}

int nn_threads_count(const nn_threads *t)
{
    return t ? t->n : 1;
}

void nn_threads_free(nn_threads *t)
{
    if (!t)
        return;
    if (t->pool)
        pthreadpool_destroy(t->pool);
    free(t);
}

/* ---- graph bookkeeping ------------------------------------------------- */

static void fail(nn_graph *g, errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(nn_graph *g, errcode code, const char *fmt, ...)
{
    if (g->errcode)
        return;
    g->errcode = code;
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(g->errmsg, sizeof g->errmsg, "%s: %s", g->name, msg);
}

nn_graph *nn_graph_new(const char *name, err *e)
{
    if (nn_init(e) != 0)
        return NULL;
    nn_graph *g = calloc(1, sizeof *g);
    if (!g) {
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

void nn_graph_free(nn_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nowned; i++)
        free(g->owned[i]);
    free(g->owned);
    free(g->v);
    free(g->ops);
    free(g);
}

int nn_graph_error(const nn_graph *g, err *e)
{
    if (!g)
        return err_set(e, ERR_INVALID, "no graph");
    if (g->errcode)
        return err_set(e, (errcode)g->errcode, "%s", g->errmsg);
    return 0;
}

double nn_graph_flops(const nn_graph *g)
{
    return g ? g->flops : 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 32;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* Graph-owned zeroed float array (with XNNPACK's slack), or NULL after fail(). */
static float *owned_floats(nn_graph *g, size_t n)
{
    if (grow((void **)&g->owned, &g->ownedcap, g->nowned + 1, sizeof *g->owned) != 0) {
        fail(g, ERR_NOMEM, "out of memory");
        return NULL;
    }
    float *p = calloc(n + XNN_EXTRA_BYTES / sizeof(float), sizeof(float));
    if (!p) {
        fail(g, ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->owned[g->nowned++] = p;
    return p;
}

static nn_value new_value(nn_graph *g, int h, int w, int c, int flat)
{
    if (g->errcode)
        return NN_NONE;
    if (h < 1 || w < 1 || c < 1) {
        fail(g, ERR_INVALID, "a layer would produce an empty %dx%dx%d tensor", h, w, c);
        return NN_NONE;
    }
    if (grow((void **)&g->v, &g->vcap, g->nv + 1, sizeof *g->v) != 0) {
        fail(g, ERR_NOMEM, "out of memory");
        return NN_NONE;
    }
    g->v[g->nv] = (vinfo){ h, w, c, flat, -1 };
    return (nn_value)g->nv++;
}

static nn_op *new_op(nn_graph *g, op_kind kind)
{
    if (grow((void **)&g->ops, &g->opcap, g->nops + 1, sizeof *g->ops) != 0) {
        fail(g, ERR_NOMEM, "out of memory");
        return NULL;
    }
    nn_op *op = &g->ops[g->nops++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->in0 = op->in1 = op->out = NN_NONE;
    return op;
}

static const vinfo *val(nn_graph *g, nn_value x, const char *what)
{
    if (g->errcode)
        return NULL;
    if (x == NN_NONE || x >= g->nv) {
        fail(g, ERR_INTERNAL, "%s applied to an undefined value", what);
        return NULL;
    }
    return &g->v[x];
}

int nn_shape(const nn_graph *g, nn_value x, int *h, int *w, int *c)
{
    if (!g || x == NN_NONE || x >= g->nv)
        return -1;
    if (h)
        *h = g->v[x].h;
    if (w)
        *w = g->v[x].w;
    if (c)
        *c = g->v[x].c;
    return 0;
}

nn_value nn_input(nn_graph *g, int h, int w, int c)
{
    if (g->errcode)
        return NN_NONE;
    if (g->ninputs + g->noutputs >= NN_MAX_EXTERNAL) {
        fail(g, ERR_INTERNAL, "more than %d external values", NN_MAX_EXTERNAL);
        return NN_NONE;
    }
    nn_value x = new_value(g, h, w, c, 0);
    if (x != NN_NONE) {
        g->v[x].ext = 1; /* renumbered at emission: inputs first, then outputs */
        g->inputs[g->ninputs++] = x;
    }
    return x;
}

void nn_output(nn_graph *g, nn_value x)
{
    const vinfo *v = val(g, x, "nn_output");
    if (!v)
        return;
    if (v->ext >= 0) {
        fail(g, ERR_INTERNAL, "value %u is already an input or output", x);
        return;
    }
    if (g->ninputs + g->noutputs >= NN_MAX_EXTERNAL) {
        fail(g, ERR_INTERNAL, "more than %d external values", NN_MAX_EXTERNAL);
        return;
    }
    g->v[x].ext = 1;
    g->outputs[g->noutputs++] = x;
}

/* Resolves 'same'/'valid'/explicit padding for one axis pair and the output size. */
static int resolve_pad(nn_graph *g, nn_pad pad, int ih, int iw, int kh, int kw, int stride, int p[4], int *oh, int *ow)
{
    if (stride < 1 || kh < 1 || kw < 1) {
        fail(g, ERR_INVALID, "kernel %dx%d stride %d", kh, kw, stride);
        return -1;
    }
    if (pad.same) {
        int outh = (ih + stride - 1) / stride, outw = (iw + stride - 1) / stride;
        int th = (outh - 1) * stride + kh - ih, tw = (outw - 1) * stride + kw - iw;
        th = th < 0 ? 0 : th;
        tw = tw < 0 ? 0 : tw;
        p[0] = th / 2;
        p[2] = th - th / 2;
        p[3] = tw / 2;
        p[1] = tw - tw / 2;
    } else {
        p[0] = pad.top, p[1] = pad.right, p[2] = pad.bottom, p[3] = pad.left;
        if (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0) {
            fail(g, ERR_INVALID, "negative padding");
            return -1;
        }
    }
    int eh = ih + p[0] + p[2], ew = iw + p[1] + p[3];
    if (eh < kh || ew < kw) {
        fail(g, ERR_INVALID, "kernel %dx%d larger than the padded %dx%d input", kh, kw, eh, ew);
        return -1;
    }
    *oh = (eh - kh) / stride + 1;
    *ow = (ew - kw) / stride + 1;
    return 0;
}

static int check_tensor(nn_graph *g, const wtensor *t, const char *what, int ndim, const int *want)
{
    if (!t) {
        fail(g, ERR_MODEL, "%s: missing weight tensor", what);
        return -1;
    }
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++)
        ok = want[i] < 0 || t->shape[i] == want[i];
    if (!ok) {
        char a[64], b[64];
        int w2[WEIGHTS_MAX_DIMS];
        for (int i = 0; i < ndim; i++)
            w2[i] = want[i] < 0 ? t->shape[i < t->ndim ? i : 0] : want[i];
        fail(g, ERR_MODEL, "%s %s: expects %s, tensor is %s", what, t->name, weights_shape_str(ndim, w2, a, sizeof a),
             weights_shape_str(t->ndim, t->shape, b, sizeof b));
        return -1;
    }
    return 0;
}

static const float *bias_or_zeros(nn_graph *g, const wtensor *bias, int n, const char *what)
{
    if (!bias)
        return owned_floats(g, (size_t)n);
    int want[1] = { n };
    if (check_tensor(g, bias, what, 1, want) != 0)
        return NULL;
    return bias->data;
}

/* ---- layers ------------------------------------------------------------ */

nn_value nn_conv2d(nn_graph *g, nn_value x, const wtensor *filter, const wtensor *bias, int stride, nn_pad pad,
                   nn_act act)
{
    const vinfo *v = val(g, x, "nn_conv2d");
    if (!v)
        return NN_NONE;
    int want[4] = { -1, -1, v->c, -1 };
    if (check_tensor(g, filter, "conv2d filter", 4, want) != 0)
        return NN_NONE;
    int kh = filter->shape[0], kw = filter->shape[1], cin = filter->shape[2], cout = filter->shape[3];
    int p[4], oh, ow;
    if (resolve_pad(g, pad, v->h, v->w, kh, kw, stride, p, &oh, &ow) != 0)
        return NN_NONE;
    const float *b = bias_or_zeros(g, bias, cout, "conv2d bias");
    float *w = owned_floats(g, filter->count);
    if (!b || !w)
        return NN_NONE;
    /* HWIO -> OHWI */
    for (int y = 0; y < kh; y++)
        for (int xx = 0; xx < kw; xx++)
            for (int i = 0; i < cin; i++)
                for (int o = 0; o < cout; o++)
                    w[((size_t)(o * kh + y) * kw + xx) * cin + i] =
                        filter->data[((size_t)(y * kw + xx) * cin + i) * cout + o];
    nn_value out = new_value(g, oh, ow, cout, 0);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_CONV);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->act = act;
    op->kh = kh, op->kw = kw, op->stride = stride, op->cin = cin, op->cout = cout;
    memcpy(op->pad, p, sizeof p);
    op->w = w, op->b = b;
    g->flops += 2.0 * oh * ow * cout * kh * kw * cin;
    return out;
}

nn_value nn_depthwise(nn_graph *g, nn_value x, const wtensor *filter, const wtensor *bias, int stride, nn_pad pad,
                      nn_act act)
{
    const vinfo *v = val(g, x, "nn_depthwise");
    if (!v)
        return NN_NONE;
    int want[4] = { -1, -1, v->c, 1 };
    if (check_tensor(g, filter, "depthwise filter", 4, want) != 0)
        return NN_NONE;
    int kh = filter->shape[0], kw = filter->shape[1], c = v->c;
    int p[4], oh, ow;
    if (resolve_pad(g, pad, v->h, v->w, kh, kw, stride, p, &oh, &ow) != 0)
        return NN_NONE;
    const float *b = bias_or_zeros(g, bias, c, "depthwise bias");
    if (!b)
        return NN_NONE;
    nn_value out = new_value(g, oh, ow, c, 0);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_DEPTHWISE);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->act = act;
    op->kh = kh, op->kw = kw, op->stride = stride, op->cin = c, op->cout = c;
    memcpy(op->pad, p, sizeof p);
    op->w = filter->data; /* [kh,kw,c,1] is XNNPACK's [1,kh,kw,c] byte for byte */
    op->b = b;
    g->flops += 2.0 * oh * ow * c * kh * kw;
    return out;
}

nn_value nn_separable(nn_graph *g, nn_value x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                      nn_pad pad, nn_act act)
{
    nn_value y = nn_depthwise(g, x, dw, NULL, stride, pad, NN_ACT_NONE);
    return nn_conv2d(g, y, pw, bias, 1, NN_PAD_VALID, act);
}

nn_value nn_fully_connected(nn_graph *g, nn_value x, const wtensor *weights, const wtensor *bias, nn_act act)
{
    const vinfo *v = val(g, x, "nn_fully_connected");
    if (!v)
        return NN_NONE;
    int in = v->h * v->w * v->c;
    int want[2] = { in, -1 };
    if (check_tensor(g, weights, "fully-connected weights", 2, want) != 0)
        return NN_NONE;
    int out_n = weights->shape[1];
    const float *b = bias_or_zeros(g, bias, out_n, "fully-connected bias");
    float *w = owned_floats(g, weights->count);
    if (!b || !w)
        return NN_NONE;
    for (int i = 0; i < in; i++) /* [in,out] -> [out,in] */
        for (int o = 0; o < out_n; o++)
            w[(size_t)o * in + i] = weights->data[(size_t)i * out_n + o];
    nn_value out = new_value(g, 1, 1, out_n, 1);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_FC);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->act = act, op->cin = in, op->cout = out_n;
    op->w = w, op->b = b;
    g->flops += 2.0 * in * out_n;
    return out;
}

nn_value nn_add(nn_graph *g, nn_value a, nn_value b, nn_act act)
{
    const vinfo *va = val(g, a, "nn_add"), *vb = val(g, b, "nn_add");
    if (!va || !vb)
        return NN_NONE;
    if (va->h != vb->h || va->w != vb->w || va->c != vb->c || va->flat != vb->flat) {
        fail(g, ERR_INVALID, "nn_add of %dx%dx%d and %dx%dx%d", va->h, va->w, va->c, vb->h, vb->w, vb->c);
        return NN_NONE;
    }
    nn_value out = new_value(g, va->h, va->w, va->c, va->flat);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_ADD);
    if (!op)
        return NN_NONE;
    op->in0 = a, op->in1 = b, op->out = out, op->act = act;
    return out;
}

nn_value nn_scale_shift(nn_graph *g, nn_value x, const wtensor *scale, const wtensor *shift, nn_act act)
{
    const vinfo *v = val(g, x, "nn_scale_shift");
    if (!v)
        return NN_NONE;
    int want[1] = { v->c };
    if ((scale && check_tensor(g, scale, "scale", 1, want) != 0) ||
        (shift && check_tensor(g, shift, "shift", 1, want) != 0))
        return NN_NONE;
    const float *b = shift ? shift->data : owned_floats(g, (size_t)v->c);
    if (!b)
        return NN_NONE;
    nn_value out = new_value(g, v->h, v->w, v->c, v->flat);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_SCALE_SHIFT);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->act = act, op->cin = op->cout = v->c;
    op->scale = scale ? scale->data : NULL;
    op->b = b;
    return out;
}

nn_value nn_activate(nn_graph *g, nn_value x, nn_act act)
{
    const vinfo *v = val(g, x, "nn_activate");
    if (!v)
        return NN_NONE;
    nn_value out = new_value(g, v->h, v->w, v->c, v->flat);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_ACT);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->act = act;
    return out;
}

static nn_value pool(nn_graph *g, op_kind kind, nn_value x, int k, int stride, nn_pad pad)
{
    const vinfo *v = val(g, x, kind == OP_MAXPOOL ? "nn_maxpool" : "nn_avgpool");
    if (!v)
        return NN_NONE;
    if (kind == OP_AVGPOOL && (pad.same || pad.top || pad.right || pad.bottom || pad.left)) {
        fail(g, ERR_INVALID, "average pools must be 'valid'");
        return NN_NONE;
    }
    int p[4], oh, ow;
    if (resolve_pad(g, pad, v->h, v->w, k, k, stride, p, &oh, &ow) != 0)
        return NN_NONE;
    if (k == 1 && stride == 1) {
        fail(g, ERR_INVALID, "1x1 pool with stride 1 is an identity");
        return NN_NONE;
    }
    nn_value out = new_value(g, oh, ow, v->c, 0);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, kind);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out, op->kh = op->kw = k, op->stride = stride;
    memcpy(op->pad, p, sizeof p);
    return out;
}

nn_value nn_maxpool(nn_graph *g, nn_value x, int k, int stride, nn_pad pad)
{
    return pool(g, OP_MAXPOOL, x, k, stride, pad);
}

nn_value nn_avgpool(nn_graph *g, nn_value x, int k, int stride, nn_pad pad)
{
    return pool(g, OP_AVGPOOL, x, k, stride, pad);
}

nn_value nn_global_avgpool(nn_graph *g, nn_value x)
{
    const vinfo *v = val(g, x, "nn_global_avgpool");
    if (!v)
        return NN_NONE;
    nn_value out = new_value(g, 1, 1, v->c, 0);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_GAP);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out;
    return out;
}

nn_value nn_zero_pad(nn_graph *g, nn_value x, int top, int bottom, int left, int right, int channels_after)
{
    const vinfo *v = val(g, x, "nn_zero_pad");
    if (!v)
        return NN_NONE;
    if (top < 0 || bottom < 0 || left < 0 || right < 0 || channels_after < 0 || v->flat) {
        fail(g, ERR_INVALID, "nn_zero_pad: bad padding");
        return NN_NONE;
    }
    nn_value out = new_value(g, v->h + top + bottom, v->w + left + right, v->c + channels_after, 0);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, OP_PAD);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out;
    op->pad[0] = top, op->pad[1] = right, op->pad[2] = bottom, op->pad[3] = left, op->pad_c = channels_after;
    return out;
}

static nn_value unary(nn_graph *g, op_kind kind, nn_value x)
{
    const vinfo *v = val(g, x, kind == OP_SOFTMAX ? "nn_softmax" : "nn_sigmoid");
    if (!v)
        return NN_NONE;
    nn_value out = new_value(g, v->h, v->w, v->c, v->flat);
    nn_op *op = out == NN_NONE ? NULL : new_op(g, kind);
    if (!op)
        return NN_NONE;
    op->in0 = x, op->out = out;
    return out;
}

nn_value nn_softmax(nn_graph *g, nn_value x)
{
    return unary(g, OP_SOFTMAX, x);
}

nn_value nn_sigmoid(nn_graph *g, nn_value x)
{
    return unary(g, OP_SIGMOID, x);
}

/* ---- emission to XNNPACK ----------------------------------------------- */

typedef struct emitter {
    const nn_graph *g;
    xnn_subgraph_t sg;
    uint32_t *id; /* nn_value -> XNNPACK id */
    enum xnn_status st;
    const char *where;
} emitter;

static uint32_t define_value(emitter *em, const vinfo *v, const float *data, uint32_t ext, uint32_t flags)
{
    size_t dims4[4] = { 1, (size_t)v->h, (size_t)v->w, (size_t)v->c }, dims2[2] = { 1, (size_t)v->c };
    uint32_t id = XNN_INVALID_VALUE_ID;
    if (em->st == xnn_status_success)
        em->st = xnn_define_tensor_value(em->sg, xnn_datatype_fp32, v->flat ? 2 : 4, v->flat ? dims2 : dims4, data, ext,
                                         flags, &id);
    return id;
}

static uint32_t define_static(emitter *em, size_t ndims, const size_t *dims, const float *data)
{
    uint32_t id = XNN_INVALID_VALUE_ID;
    if (em->st == xnn_status_success)
        em->st = xnn_define_tensor_value(em->sg, xnn_datatype_fp32, ndims, dims, data, XNN_INVALID_VALUE_ID, 0, &id);
    return id;
}

static void act_range(nn_act act, float *lo, float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (act == NN_ACT_RELU)
        *lo = 0;
    else if (act == NN_ACT_RELU6)
        *lo = 0, *hi = 6;
}

/* The output id of a node whose fused clamp covers act; for a leaky ReLU the
 * node writes a temporary and a leaky node writes the real output. */
static uint32_t node_out(emitter *em, const nn_op *op, int *leaky_tmp)
{
    *leaky_tmp = op->act == NN_ACT_LEAKY;
    if (!*leaky_tmp)
        return em->id[op->out];
    return define_value(em, &em->g->v[op->out], NULL, XNN_INVALID_VALUE_ID, 0);
}

static void finish_leaky(emitter *em, const nn_op *op, uint32_t tmp, int leaky)
{
    if (leaky && em->st == xnn_status_success)
        em->st = xnn_define_leaky_relu(em->sg, NN_LEAKY_SLOPE, tmp, em->id[op->out], 0);
}

static void emit_op(emitter *em, const nn_op *op)
{
    const nn_graph *g = em->g;
    float lo, hi;
    act_range(op->act, &lo, &hi);
    uint32_t in0 = em->id[op->in0];
    int leaky = 0;
    uint32_t out = XNN_INVALID_VALUE_ID; /* set by every kind that can be leaky; -Os cannot see it */
    switch (op->kind) {
    case OP_CONV: {
        em->where = "convolution";
        size_t wd[4] = { (size_t)op->cout, (size_t)op->kh, (size_t)op->kw, (size_t)op->cin },
               bd[1] = { (size_t)op->cout };
        uint32_t w = define_static(em, 4, wd, op->w), b = define_static(em, 1, bd, op->b);
        out = node_out(em, op, &leaky);
        if (em->st == xnn_status_success)
            em->st = xnn_define_convolution_2d(em->sg, op->pad[0], op->pad[1], op->pad[2], op->pad[3], op->kh, op->kw,
                                               op->stride, op->stride, 1, 1, 1, op->cin, op->cout, lo, hi, in0, w, b,
                                               out, 0);
        break;
    }
    case OP_DEPTHWISE: {
        em->where = "depthwise convolution";
        size_t wd[4] = { 1, (size_t)op->kh, (size_t)op->kw, (size_t)op->cin }, bd[1] = { (size_t)op->cin };
        uint32_t w = define_static(em, 4, wd, op->w), b = define_static(em, 1, bd, op->b);
        out = node_out(em, op, &leaky);
        if (em->st == xnn_status_success)
            em->st = xnn_define_depthwise_convolution_2d(em->sg, op->pad[0], op->pad[1], op->pad[2], op->pad[3], op->kh,
                                                         op->kw, op->stride, op->stride, 1, 1, 1, op->cin, lo, hi, in0,
                                                         w, b, out, 0);
        break;
    }
    case OP_FC: {
        em->where = "fully connected";
        size_t wd[2] = { (size_t)op->cout, (size_t)op->cin }, bd[1] = { (size_t)op->cout };
        uint32_t w = define_static(em, 2, wd, op->w), b = define_static(em, 1, bd, op->b);
        out = node_out(em, op, &leaky);
        if (em->st == xnn_status_success)
            em->st = xnn_define_fully_connected(em->sg, lo, hi, in0, w, b, out, XNN_FLAG_TENSORFLOW_RESHAPE_2D);
        break;
    }
    case OP_ADD:
        em->where = "add";
        out = node_out(em, op, &leaky);
        if (em->st == xnn_status_success)
            em->st = xnn_define_add2(em->sg, lo, hi, in0, em->id[op->in1], out, 0);
        break;
    case OP_SCALE_SHIFT: {
        em->where = "scale/shift";
        size_t cd[1] = { (size_t)op->cout };
        uint32_t src = in0;
        if (op->scale) {
            uint32_t s = define_static(em, 1, cd, op->scale);
            uint32_t tmp = define_value(em, &g->v[op->out], NULL, XNN_INVALID_VALUE_ID, 0);
            if (em->st == xnn_status_success)
                em->st = xnn_define_multiply2(em->sg, -INFINITY, INFINITY, in0, s, tmp, 0);
            src = tmp;
        }
        uint32_t b = define_static(em, 1, cd, op->b);
        out = node_out(em, op, &leaky);
        if (em->st == xnn_status_success)
            em->st = xnn_define_add2(em->sg, lo, hi, src, b, out, 0);
        break;
    }
    case OP_ACT:
        em->where = "activation";
        if (op->act == NN_ACT_LEAKY) {
            if (em->st == xnn_status_success)
                em->st = xnn_define_leaky_relu(em->sg, NN_LEAKY_SLOPE, in0, em->id[op->out], 0);
        } else if (em->st == xnn_status_success) {
            em->st = xnn_define_clamp(em->sg, lo, hi, in0, em->id[op->out], 0);
        }
        return;
    case OP_MAXPOOL:
        em->where = "max pool";
        if (em->st == xnn_status_success)
            em->st =
                xnn_define_max_pooling_2d(em->sg, op->pad[0], op->pad[1], op->pad[2], op->pad[3], op->kh, op->kw,
                                          op->stride, op->stride, 1, 1, -INFINITY, INFINITY, in0, em->id[op->out], 0);
        return;
    case OP_AVGPOOL:
        em->where = "average pool";
        if (em->st == xnn_status_success)
            em->st = xnn_define_average_pooling_2d(em->sg, 0, 0, 0, 0, op->kh, op->kw, op->stride, op->stride,
                                                   -INFINITY, INFINITY, in0, em->id[op->out], 0);
        return;
    case OP_GAP:
        em->where = "global average pool";
        if (em->st == xnn_status_success)
            em->st = xnn_define_global_average_pooling_2d(em->sg, -INFINITY, INFINITY, in0, em->id[op->out], 0);
        return;
    case OP_PAD: {
        em->where = "pad";
        size_t pre[4] = { 0, (size_t)op->pad[0], (size_t)op->pad[3], 0 };
        size_t post[4] = { 0, (size_t)op->pad[2], (size_t)op->pad[1], (size_t)op->pad_c };
        if (em->st == xnn_status_success)
            em->st = xnn_define_static_constant_pad(em->sg, pre, post, 0.0f, in0, em->id[op->out], 0);
        return;
    }
    case OP_SOFTMAX:
        em->where = "softmax";
        if (em->st == xnn_status_success)
            em->st = xnn_define_softmax(em->sg, in0, em->id[op->out], 0);
        return;
    case OP_SIGMOID:
        em->where = "sigmoid";
        if (em->st == xnn_status_success)
            em->st = xnn_define_sigmoid(em->sg, in0, em->id[op->out], 0);
        return;
    }
    finish_leaky(em, op, out, leaky);
}

static xnn_subgraph_t emit(const nn_graph *g, err *e)
{
    uint32_t next = (uint32_t)(g->ninputs + g->noutputs);
    emitter em = { g, NULL, calloc(g->nv ? g->nv : 1, sizeof(uint32_t)), xnn_status_success, "subgraph" };
    if (!em.id) {
        err_set(e, ERR_NOMEM, "%s: out of memory", g->name);
        return NULL;
    }
    em.st = xnn_create_subgraph(next, 0, &em.sg);
    for (size_t i = 0; i < g->nv && em.st == xnn_status_success; i++) {
        uint32_t ext = XNN_INVALID_VALUE_ID, flags = 0;
        for (int k = 0; k < g->ninputs; k++)
            if (g->inputs[k] == i)
                ext = (uint32_t)k, flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
        for (int k = 0; k < g->noutputs; k++)
            if (g->outputs[k] == i)
                ext = (uint32_t)(g->ninputs + k), flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
        em.id[i] = define_value(&em, &g->v[i], NULL, ext, flags);
    }
    for (size_t i = 0; i < g->nops && em.st == xnn_status_success; i++)
        emit_op(&em, &g->ops[i]);
    free(em.id);
    if (em.st != xnn_status_success) {
        err_set(e, ERR_INTERNAL, "%s: XNNPACK rejected the %s (status %d)", g->name, em.where, (int)em.st);
        if (em.sg)
            xnn_delete_subgraph(em.sg);
        return NULL;
    }
    return em.sg;
}

/* ---- runtime ----------------------------------------------------------- */

nn_runtime *nn_runtime_create(nn_graph *g, nn_threads *threads, err *e)
{
    if (nn_graph_error(g, e) != 0)
        return NULL;
    if (g->noutputs == 0 || g->ninputs == 0) {
        err_set(e, ERR_INTERNAL, "%s: graph has no inputs or no outputs", g->name);
        return NULL;
    }
    nn_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) {
        err_set(e, ERR_NOMEM, "%s: out of memory", g->name);
        return NULL;
    }
    rt->ninputs = g->ninputs;
    rt->noutputs = g->noutputs;
    struct xnn_external_value ext[NN_MAX_EXTERNAL];
    for (int k = 0; k < g->ninputs + g->noutputs; k++) {
        int is_in = k < g->ninputs;
        const vinfo *v = &g->v[is_in ? g->inputs[k] : g->outputs[k - g->ninputs]];
        size_t n = (size_t)v->h * v->w * v->c;
        float *buf = calloc(n + XNN_EXTRA_BYTES / sizeof(float), sizeof(float));
        if (!buf) {
            nn_runtime_free(rt);
            err_set(e, ERR_NOMEM, "%s: out of memory", g->name);
            return NULL;
        }
        if (is_in)
            rt->in[k] = buf, rt->incount[k] = n;
        else
            rt->out[k - g->ninputs] = buf, rt->outcount[k - g->ninputs] = n;
        ext[k] = (struct xnn_external_value){ (uint32_t)k, buf };
    }
    xnn_subgraph_t sg = emit(g, e);
    if (!sg) {
        nn_runtime_free(rt);
        return NULL;
    }
    enum xnn_status st = xnn_create_runtime_v2(sg, threads ? threads->pool : NULL, 0, &rt->rt);
    xnn_delete_subgraph(sg);
    if (st != xnn_status_success) {
        rt->rt = NULL;
        nn_runtime_free(rt);
        err_set(e, ERR_INTERNAL, "%s: XNNPACK could not create the runtime (status %d)", g->name, (int)st);
        return NULL;
    }
    st = xnn_setup_runtime(rt->rt, (size_t)(g->ninputs + g->noutputs), ext);
    if (st != xnn_status_success) {
        nn_runtime_free(rt);
        err_set(e, ERR_INTERNAL, "%s: XNNPACK could not set up the runtime (status %d)", g->name, (int)st);
        return NULL;
    }
    return rt;
}

void nn_runtime_free(nn_runtime *rt)
{
    if (!rt)
        return;
    if (rt->rt)
        xnn_delete_runtime(rt->rt);
    for (int k = 0; k < NN_MAX_EXTERNAL; k++) {
        free(rt->in[k]);
        free(rt->out[k]);
    }
    free(rt);
}

float *nn_runtime_input(nn_runtime *rt, int k, size_t *count)
{
    if (!rt || k < 0 || k >= rt->ninputs)
        return NULL;
    if (count)
        *count = rt->incount[k];
    return rt->in[k];
}

const float *nn_runtime_output(const nn_runtime *rt, int k, size_t *count)
{
    if (!rt || k < 0 || k >= rt->noutputs)
        return NULL;
    if (count)
        *count = rt->outcount[k];
    return rt->out[k];
}

int nn_runtime_ninputs(const nn_runtime *rt)
{
    return rt ? rt->ninputs : 0;
}

int nn_runtime_noutputs(const nn_runtime *rt)
{
    return rt ? rt->noutputs : 0;
}

int nn_run(nn_runtime *rt, err *e)
{
    enum xnn_status st = xnn_invoke_runtime(rt->rt);
    if (st != xnn_status_success)
        return err_set(e, ERR_INTERNAL, "XNNPACK failed to run the network (status %d)", (int)st);
    return 0;
}
