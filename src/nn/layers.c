/* layers.c — a CNN's layer list and its shapes (layers.h). */
#include "nn/layers.h"

#include <stdbool.h>

static bool reads_none(const layer *l)
{
    for (int k = 0; (l->op == LAYER_SUM || l->op == LAYER_CONV) && k < l->nsrc && k < LAYERS_SUM_MAX; k++)
        if (l->srcs[k] == LAYERS_NONE)
            return true;
    return (l->op != LAYER_SUM && l->src == LAYERS_NONE) ||
           ((l->op == LAYER_ADD || l->residual) && l->src2 == LAYERS_NONE);
}

int layers_side(const layer_list *nl, int i)
{
    return i < 0 ? nl->size : nl->l[i].h;
}

int layers_channels(const layer_list *nl, int i)
{
    return i < 0 ? nl->channels : nl->l[i].c;
}

/* Output side of a k-window with this stride on `in` (layer_pad). */
static int window(int in, int k, int stride, layer_pad pad)
{
    return pad == LAYER_SAME ? (in + stride - 1) / stride : in >= k ? (in - k) / stride + 1 : 0;
}

static bool readable(const layer_list *nl, int j)
{
    return j >= -1 && j < nl->n;
}

/* l's output shape from its sources, or an error message in nl->e. */
static int shape(layer_list *nl, layer *l)
{
    const int i = nl->n;
    const int src = l->op == LAYER_SUM ? l->srcs[0] : l->src;
    const bool two = l->op == LAYER_ADD || (l->op == LAYER_CONV && l->residual);
    if (!readable(nl, src) || (two && !readable(nl, l->src2)) || (l->op == LAYER_SUM && l->nsrc < 2) || l->nsrc < 0 ||
        l->nsrc > LAYERS_SUM_MAX)
        return err_set(&nl->e, ERR_INVALID, "layer %d reads layer %d/%d", i, src, l->src2);
    const int hin = layers_side(nl, src), cin = layers_channels(nl, src);
    const wtensor *f = l->filter;
    switch (l->op) {
    case LAYER_CONV:
        if (!f || f->ndim != 4 || f->shape[0] != f->shape[1] || f->shape[2] != cin ||
            (l->depthwise && f->shape[3] != 1) || l->stride < 1)
            return err_set(&nl->e, ERR_MODEL, "layer %d: filter %s does not fit a %dx%dx%d input", i,
                           f ? f->name : "(none)", hin, hin, cin);
        l->c = l->depthwise ? cin : f->shape[3];
        l->h = window(hin, f->shape[0], l->stride, l->pad);
        nl->flops += 2.0 * l->h * l->h * l->c * f->shape[0] * f->shape[1] * (l->depthwise ? 1 : cin);
        break;
    case LAYER_MAXPOOL:
    case LAYER_AVGPOOL:
        if (l->k < 1 || l->stride < 1 || (l->op == LAYER_AVGPOOL && l->pad != LAYER_VALID))
            return err_set(&nl->e, ERR_INVALID, "layer %d: pool %d/%d", i, l->k, l->stride);
        l->h = window(hin, l->k, l->stride, l->pad), l->c = cin;
        break;
    case LAYER_PAD:
        if (l->grow < 0 || l->channels < cin)
            return err_set(&nl->e, ERR_INVALID, "layer %d: pad %d/%d of %d channels", i, l->grow, l->channels, cin);
        l->h = hin + l->grow, l->c = l->channels;
        break;
    case LAYER_FC:
        if (!f || f->ndim != 2 || f->shape[0] != hin * hin * cin)
            return err_set(&nl->e, ERR_MODEL, "layer %d: weights %s do not fit %dx%dx%d inputs", i,
                           f ? f->name : "(none)", hin, hin, cin);
        l->h = 1, l->c = f->shape[1];
        nl->flops += 2.0 * f->shape[0] * f->shape[1];
        break;
    case LAYER_ACT:
        if (l->act == LAYER_NONE)
            return err_set(&nl->e, ERR_INVALID, "layer %d: an activation layer without an activation", i);
        l->h = hin, l->c = cin;
        break;
    case LAYER_ADD:
    case LAYER_SUM:
    case LAYER_SOFTMAX:
        l->h = hin, l->c = cin;
        break;
    default:
        return err_set(&nl->e, ERR_INVALID, "layer %d: unknown op %d", i, (int)l->op);
    }
    if (l->h < 1)
        return err_set(&nl->e, ERR_INVALID, "layer %d: nothing left of a %dx%d input", i, hin, hin);
    if (l->bias && (l->op == LAYER_CONV || l->op == LAYER_FC) && l->bias->count != (size_t)l->c)
        return err_set(&nl->e, ERR_MODEL, "layer %d: bias %s has %zu values for %d channels", i, l->bias->name,
                       l->bias->count, l->c);
    /* What is added must have the output's shape. */
    for (int k = 0; k < (l->op == LAYER_SUM || l->op == LAYER_CONV ? l->nsrc : 0) + two; k++) {
        const int j = k < l->nsrc && (l->op == LAYER_SUM || l->op == LAYER_CONV) ? l->srcs[k] : l->src2;
        if (!readable(nl, j) || layers_side(nl, j) != l->h || layers_channels(nl, j) != l->c)
            return err_set(&nl->e, ERR_INVALID, "layer %d: adds layer %d to %dx%dx%d", i, j, l->h, l->h, l->c);
    }
    return 0;
}

int layers_add(layer_list *nl, layer l)
{
    if (nl->e.code || reads_none(&l))
        return LAYERS_NONE;
    if (nl->n >= LAYERS_MAX) {
        err_set(&nl->e, ERR_INTERNAL, "more than %d layers", LAYERS_MAX);
        return LAYERS_NONE;
    }
    if (!l.residual)
        l.src2 = l.op == LAYER_ADD ? l.src2 : -1;
    if (shape(nl, &l) != 0)
        return LAYERS_NONE;
    nl->l[nl->n] = l;
    return nl->n++;
}

int layers_conv(layer_list *nl, int x, const wtensor *filter, const wtensor *bias, int stride, layer_pad pad, int dw,
                layer_act act)
{
    if (!filter) {
        if (!nl->e.code)
            err_set(&nl->e, ERR_MODEL, "layer %d: missing filter tensor", nl->n);
        return LAYERS_NONE;
    }
    return layers_add(nl, (layer){ .op = LAYER_CONV,
                                   .src = x,
                                   .filter = filter,
                                   .bias = bias,
                                   .stride = stride,
                                   .pad = pad,
                                   .depthwise = dw,
                                   .act = act });
}

int layers_separable(layer_list *nl, int x, const wtensor *dw, const wtensor *pw, const wtensor *bias, int stride,
                     layer_pad pad, layer_act act)
{
    x = layers_conv(nl, x, dw, NULL, stride, pad, 1, LAYER_NONE);
    return layers_conv(nl, x, pw, bias, 1, LAYER_VALID, 0, act);
}

int layers_residual(layer_list *nl, int y, int x)
{
    if (nl->e.code || y == LAYERS_NONE || x == LAYERS_NONE)
        return LAYERS_NONE;
    layer *l = &nl->l[y];
    if (y != nl->n - 1 || l->op != LAYER_CONV || x >= y || !readable(nl, x) || layers_side(nl, x) != l->h ||
        layers_channels(nl, x) != l->c) {
        err_set(&nl->e, ERR_INVALID, "layer %d cannot add layer %d", y, x);
        return LAYERS_NONE;
    }
    l->residual = 1, l->src2 = x;
    return y;
}

int layers_output(layer_list *nl, int i)
{
    if (i >= 0 && i < nl->n)
        nl->l[i].output = 1;
    return i;
}

int layers_head(layer_list *nl, int x, const wtensor *w, const wtensor *b, int softmax)
{
    if (!w) {
        if (!nl->e.code)
            err_set(&nl->e, ERR_MODEL, "layer %d: missing fully connected weights", nl->n);
        return LAYERS_NONE;
    }
    int y = layers_add(nl, (layer){ .op = LAYER_FC, .src = x, .filter = w, .bias = b });
    if (softmax)
        y = layers_add(nl, (layer){ .op = LAYER_SOFTMAX, .src = y });
    return y < 0 ? y : layers_output(nl, y);
}
