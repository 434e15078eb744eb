/* expression.c — facial expression net (see expression.h).
 * Code: face-api src/faceExpressionNet/FaceExpressionNet.ts, src/faceProcessor/FaceProcessor.ts. */
#include "vision/expression.h"

#include "vision/facefeat.h"
#include "vision/prep.h"

#include <stdlib.h>
#include <string.h>

static const char *const MODEL = "face_expression_model";

static const char *const names[EXPRESSION_COUNT] = {"neutral", "happy",     "sad",      "angry",
                                                    "fearful", "disgusted", "surprised"};

const char *expression_name(int kind)
{
    return kind >= 0 && kind < EXPRESSION_COUNT ? names[kind] : NULL;
}

struct expression_net {
    weights *w;
    nn_graph *g;
};

struct expression_runner {
    nn_runtime *rt;
};

int expression_net_load(const char *models_dir, expression_net **out, err *e)
{
    size_t nfeat;
    const weights_spec *feat = facefeat_table(false, &nfeat);
    weights_spec table[64];
    memcpy(table, feat, nfeat * sizeof *feat);
    table[nfeat] = (weights_spec){"fc/weights", 2, {facefeat_channels(false), EXPRESSION_COUNT}};
    table[nfeat + 1] = (weights_spec){"fc/bias", 1, {EXPRESSION_COUNT}};

    expression_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    int rc = weights_load(models_dir, MODEL, table, nfeat + 2, &net->w, e);
    if (rc) goto fail;
    nn_graph *g = net->g = nn_graph_new(MODEL, e);
    if (!g) {
        rc = e ? e->code : ERR_INTERNAL;
        goto fail;
    }
    nn_value x = nn_input(g, FACEFEAT_INPUT, FACEFEAT_INPUT, 3);
    x = facefeat_build(g, x, net->w, false);
    x = nn_fully_connected(g, x, weights_get(net->w, "fc/weights"), weights_get(net->w, "fc/bias"), NN_ACT_NONE);
    nn_output(g, nn_softmax(g, x));
    rc = nn_graph_error(g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    expression_net_free(net);
    return rc;
}

void expression_net_free(expression_net *net)
{
    if (!net) return;
    nn_graph_free(net->g);
    weights_free(net->w);
    free(net);
}

double expression_net_flops(const expression_net *net)
{
    return nn_graph_flops(net->g);
}

int expression_runner_new(expression_net *net, nn_threads *threads, expression_runner **out, err *e)
{
    expression_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "expression: out of memory");
    r->rt = nn_runtime_create(net->g, threads, e);
    if (!r->rt) {
        free(r);
        return e ? e->code : ERR_INTERNAL;
    }
    *out = r;
    return 0;
}

void expression_runner_free(expression_runner *r)
{
    if (!r) return;
    nn_runtime_free(r->rt);
    free(r);
}

int expression_predict_crop(expression_runner *r, const image *img, crop_rect crop,
                            float probs[EXPRESSION_COUNT], err *e)
{
    float *in = nn_runtime_input(r->rt, 0, NULL);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, FACEFEAT_INPUT, in, e);
    if (rc) return err_prefix(e, "expression");
    prep_norm_mean(in, (size_t)FACEFEAT_INPUT * FACEFEAT_INPUT, PREP_MEAN_FACE);
    rc = nn_run(r->rt, e);
    if (rc) return rc;
    memcpy(probs, nn_runtime_output(r->rt, 0, NULL), EXPRESSION_COUNT * sizeof *probs);
    return 0;
}

int expression_top(const float probs[EXPRESSION_COUNT])
{
    int best = 0;
    for (int i = 1; i < EXPRESSION_COUNT; i++)
        if (probs[i] > probs[best]) best = i;
    return best;
}
