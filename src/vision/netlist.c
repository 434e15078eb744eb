/* netlist.c — a CNN's layer list as an XNNPACK graph or a bf16 net (netlist.h). */
#include "vision/netlist.h"

#include <math.h>
#include <string.h>

static int reads_none(const bf16net_layer *l)
{
    for (int k = 0; (l->op == BF16NET_SUM || l->op == BF16NET_CONV) && k < l->nsrc && k < BF16NET_SUM_MAX; k++)
        if (l->srcs[k] == NETLIST_NONE)
            return 1;
    return (l->op != BF16NET_SUM && l->src == NETLIST_NONE) ||
           ((l->op == BF16NET_ADD || l->residual) && l->src2 == NETLIST_NONE);
}

int netlist_add(netlist *nl, bf16net_layer l)
{
    if (nl->e.code || reads_none(&l))
        return NETLIST_NONE;
    if (nl->n >= NETLIST_MAX) {
        err_set(&nl->e, ERR_INTERNAL, "more than %d layers", NETLIST_MAX);
        return NETLIST_NONE;
    }
    nl->l[nl->n] = l;
    return nl->n++;
}

int netlist_conv(netlist *nl, int x, const wtensor *filter, const wtensor *bias, int stride, bf16net_pad pad,
                 int dw, bf16net_act act)
{
    if (!filter) {
        if (!nl->e.code)
            err_set(&nl->e, ERR_MODEL, "layer %d: missing filter tensor", nl->n);
        return NETLIST_NONE;
    }
    return netlist_add(nl, (bf16net_layer){.op = BF16NET_CONV, .src = x, .filter = filter, .bias = bias,
                                           .stride = stride, .pad = pad, .depthwise = dw, .act = act});
}

int netlist_separable(netlist *nl, int x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                      bf16net_pad pad, bf16net_act act)
{
    x = netlist_conv(nl, x, dw, NULL, stride, pad, 1, BF16NET_NONE);
    return netlist_conv(nl, x, pw, bias, 1, BF16NET_VALID, 0, act);
}

static nn_act nn_act_of(bf16net_act a)
{
    return a == BF16NET_RELU ? NN_ACT_RELU : a == BF16NET_RELU6 ? NN_ACT_RELU6 : NN_ACT_NONE;
}

static nn_pad nn_pad_of(bf16net_pad p)
{
    return p == BF16NET_SAME ? NN_PAD_SAME : NN_PAD_VALID;
}

/* srcs[0] + (srcs[1] + (... + (srcs[n-1] + last))), act on the whole (face-api's
 * denseBlock order); without last (NN_NONE) the innermost is srcs[n-1]. */
static nn_value sum(nn_graph *g, const nn_value *v, nn_value in, const bf16net_layer *l, nn_value last)
{
    const int n = l->nsrc;
    if (n < (last == NN_NONE ? 2 : 1) || n > BF16NET_SUM_MAX)
        return nn_add(g, NN_NONE, NN_NONE, NN_ACT_NONE); /* records the error */
#define SRC(j) (l->srcs[j] < 0 ? in : v[l->srcs[j]])
    nn_value tail = last == NN_NONE ? SRC(n - 1) : last;
    for (int j = last == NN_NONE ? n - 2 : n - 1; j >= 1; j--) tail = nn_add(g, SRC(j), tail, NN_ACT_NONE);
    return nn_add(g, SRC(0), tail, nn_act_of(l->act));
#undef SRC
}

nn_value netlist_graph(nn_graph *g, nn_value in, const bf16net_layer *layers, int n)
{
    nn_value v[NETLIST_MAX];
    if (n < 1 || n > NETLIST_MAX) return nn_add(g, NN_NONE, NN_NONE, NN_ACT_NONE);
    for (int i = 0; i < n; i++) {
        const bf16net_layer *l = &layers[i];
        const nn_value x = l->src < 0 ? in : l->src < i ? v[l->src] : NN_NONE;
        const nn_value y = l->src2 >= 0 && l->src2 < i ? v[l->src2] : NN_NONE;
        int c = 0;
        switch (l->op) {
        case BF16NET_CONV: { /* then + src2, then + srcs, act last */
            const nn_act last = l->residual || l->nsrc ? NN_ACT_NONE : nn_act_of(l->act);
            v[i] = l->depthwise ? nn_depthwise(g, x, l->filter, l->bias, l->stride, nn_pad_of(l->pad), last)
                                : nn_conv2d(g, x, l->filter, l->bias, l->stride, nn_pad_of(l->pad), last);
            if (l->residual) v[i] = nn_add(g, v[i], y, l->nsrc ? NN_ACT_NONE : nn_act_of(l->act));
            if (l->nsrc) v[i] = sum(g, v, in, l, v[i]);
            break;
        }
        case BF16NET_MAXPOOL: v[i] = nn_maxpool(g, x, l->k, l->stride, nn_pad_of(l->pad)); break;
        case BF16NET_AVGPOOL: v[i] = nn_avgpool(g, x, l->k, l->stride, nn_pad_of(l->pad)); break;
        case BF16NET_PAD:
            nn_shape(g, x, NULL, NULL, &c);
            v[i] = nn_zero_pad(g, x, 0, l->grow, 0, l->grow, l->channels - c);
            break;
        case BF16NET_ADD: v[i] = nn_add(g, x, y, nn_act_of(l->act)); break;
        case BF16NET_SUM: v[i] = sum(g, v, in, l, NN_NONE); break;
        case BF16NET_ACT: v[i] = nn_activate(g, x, nn_act_of(l->act)); break;
        default: v[i] = nn_add(g, NN_NONE, NN_NONE, NN_ACT_NONE); break;
        }
    }
    return v[n - 1];
}

bf16net *netlist_bf16_pooled(const char *name, int size, netlist *nl, err *e)
{
    const bf16net_layer *pool = nl->n >= 2 ? &nl->l[nl->n - 1] : NULL;
    if (!pool || pool->op != BF16NET_AVGPOOL || pool->src != nl->n - 2) {
        err_set(e, ERR_INVALID, "%s: the layer list does not end with an average pool of the layer before", name);
        return NULL;
    }
    nl->l[nl->n - 2].external = 1;
    return bf16net_new(name, size, 3, nl->l, nl->n - 1, e);
}

void netlist_mean(const float *x, size_t count, int c, float *out)
{
    const size_t cells = count / (size_t)c;
    for (int k = 0; k < c; k++) {
        float s = 0;
        for (size_t i = 0; i < cells; i++) s += x[i * (size_t)c + k];
        out[k] = s / (float)cells;
    }
}

void netlist_fc(const float *x, const wtensor *w, const wtensor *b, float *out)
{
    const int in = w->shape[0], nout = w->shape[1];
    for (int o = 0; o < nout; o++) {
        float s = 0;
        for (int i = 0; i < in; i++) s += x[i] * w->data[(size_t)i * nout + o];
        out[o] = b ? s + b->data[o] : s;
    }
}

void netlist_softmax(float *x, int n)
{
    float m = -INFINITY, s = 0;
    for (int i = 0; i < n; i++) m = fmaxf(m, x[i]);
    for (int i = 0; i < n; i++) s += x[i] = expf(x[i] - m);
    for (int i = 0; i < n; i++) x[i] /= s;
}

int netlist_net_load(netlist_net *n, const char *models_dir, const weights_spec *table, size_t ntable,
                     netlist_lister *list, void *ctx, nn_value *x, err *e)
{
    int rc = weights_load(models_dir, n->model, table, ntable, &n->w, e);
    if (rc) return rc;
    if (list(&n->list, n->w, ctx) < 0)
        return err_set(e, n->list.e.code ? n->list.e.code : ERR_INTERNAL, "%s: %s", n->model, n->list.e.msg);
    if (!(n->g = nn_graph_new(n->model, e))) return e ? e->code : ERR_INTERNAL;
    *x = netlist_graph(n->g, nn_input(n->g, n->size, n->size, 3), n->list.l, n->list.n);
    return 0;
}

int netlist_net_load_bf16(netlist_net *n, err *e)
{
    if (n->bf16) return 0;
    n->bf16 = netlist_bf16_pooled(n->model, n->size, &n->list, e);
    return n->bf16 ? 0 : (e ? e->code : ERR_INTERNAL);
}

void netlist_net_fini(netlist_net *n)
{
    bf16net_free(n->bf16);
    nn_graph_free(n->g);
    weights_free(n->w);
    n->bf16 = NULL, n->g = NULL, n->w = NULL;
}

int netlist_runner_init(netlist_runner *r, const netlist_net *n, nn_threads *threads, bool bf16, err *e)
{
    memset(r, 0, sizeof *r);
    if (bf16 && !n->bf16) return err_set(e, ERR_INVALID, "%s: no bf16 net loaded (load_bf16)", n->model);
    /* bf16 runs are single-threaded (bf16net.h): threads is not used. */
    if (bf16 ? !(r->bf = bf16net_run_new(n->bf16, e)) : !(r->rt = nn_runtime_create(n->g, threads, e)))
        return e ? e->code : ERR_INTERNAL;
    return 0;
}

void netlist_runner_fini(netlist_runner *r)
{
    nn_runtime_free(r->rt);
    bf16net_run_free(r->bf);
    memset(r, 0, sizeof *r);
}

float *netlist_runner_input(netlist_runner *r)
{
    return r->bf ? bf16net_run_input(r->bf, NULL) : nn_runtime_input(r->rt, 0, NULL);
}

int netlist_runner_exec(netlist_runner *r, err *e)
{
    return r->bf ? bf16net_run_exec(r->bf, e) : nn_run(r->rt, e);
}
