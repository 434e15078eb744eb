/* agegender.c — TinyXception age/gender net (see agegender.h).
 * Code: face-api src/xception/TinyXception.ts, src/ageGenderNet/AgeGenderNet.ts. */
#include "vision/agegender.h"

#include "vision/prep.h"

#include <stdio.h>
#include <stdlib.h>

#define SEP(p, cin, cout)                                                                             \
    {p "/depthwise_filter", 4, {3, 3, (cin), 1}}, {p "/pointwise_filter", 4, {1, 1, (cin), (cout)}}, \
        {p "/bias", 1, {(cout)}}
#define CONV(p, k, cin, cout) {p "/filters", 4, {(k), (k), (cin), (cout)}}, {p "/bias", 1, {(cout)}}
/* reduction block: two separable convs, a max pool, and a 1x1 stride-2 shortcut. */
#define REDUCTION(p, cin, cout) \
    SEP(p "/separable_conv0", (cin), (cout)), SEP(p "/separable_conv1", (cout), (cout)), \
        CONV(p "/expansion_conv", 1, (cin), (cout))
#define MAIN(p, c) SEP(p "/separable_conv0", (c), (c)), SEP(p "/separable_conv1", (c), (c)), SEP(p "/separable_conv2", (c), (c))

static const weights_spec table[] = {
    CONV("entry_flow/conv_in", 3, 3, 32),
    REDUCTION("entry_flow/reduction_block_0", 32, 64),
    REDUCTION("entry_flow/reduction_block_1", 64, 128),
    MAIN("middle_flow/main_block_0", 128),
    MAIN("middle_flow/main_block_1", 128),
    REDUCTION("exit_flow/reduction_block", 128, 256),
    SEP("exit_flow/separable_conv", 256, 512),
    {"fc/age/weights", 2, {512, 1}},
    {"fc/age/bias", 1, {1}},
    {"fc/gender/weights", 2, {512, 2}},
    {"fc/gender/bias", 1, {2}},
};

static const char *const MODEL = "age_gender_model";

struct agegender_net {
    weights *w;
    nn_graph *g;
};

struct agegender_runner {
    nn_runtime *rt;
};

static const wtensor *get(const weights *w, const char *block, const char *layer, const char *what)
{
    char name[128];
    snprintf(name, sizeof name, "%s/%s/%s", block, layer, what);
    return weights_get(w, name);
}

/* depthwiseSeparableConv ('same', stride 1, + bias), then act. */
static nn_value sep(nn_graph *g, nn_value x, const weights *w, const char *block, const char *layer, nn_act act)
{
    return nn_separable(g, x, get(w, block, layer, "depthwise_filter"), get(w, block, layer, "pointwise_filter"),
                        get(w, block, layer, "bias"), 1, NN_PAD_SAME, act);
}

/* reductionBlock: the shortcut convolves the un-activated input. */
static nn_value reduction_block(nn_graph *g, nn_value x, const weights *w, const char *block, bool activate_input)
{
    nn_value y = activate_input ? nn_activate(g, x, NN_ACT_RELU) : x;
    y = sep(g, y, w, block, "separable_conv0", NN_ACT_RELU);
    y = sep(g, y, w, block, "separable_conv1", NN_ACT_NONE);
    y = nn_maxpool(g, y, 3, 2, NN_PAD_SAME);
    nn_value s = nn_conv2d(g, x, get(w, block, "expansion_conv", "filters"), get(w, block, "expansion_conv", "bias"), 2,
                           NN_PAD_SAME, NN_ACT_NONE);
    return nn_add(g, y, s, NN_ACT_NONE);
}

/* mainBlock: x + sep(relu(sep(relu(sep(relu(x)))))). */
static nn_value main_block(nn_graph *g, nn_value x, const weights *w, const char *block)
{
    nn_value y = nn_activate(g, x, NN_ACT_RELU);
    y = sep(g, y, w, block, "separable_conv0", NN_ACT_RELU);
    y = sep(g, y, w, block, "separable_conv1", NN_ACT_RELU);
    y = sep(g, y, w, block, "separable_conv2", NN_ACT_NONE);
    return nn_add(g, y, x, NN_ACT_NONE);
}

int agegender_net_load(const char *models_dir, agegender_net **out, err *e)
{
    agegender_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    int rc = weights_load(models_dir, MODEL, table, sizeof table / sizeof *table, &net->w, e);
    if (rc) goto fail;
    nn_graph *g = net->g = nn_graph_new(MODEL, e);
    if (!g) {
        rc = e ? e->code : ERR_INTERNAL;
        goto fail;
    }
    const weights *w = net->w;
    nn_value x = nn_input(g, AGEGENDER_INPUT, AGEGENDER_INPUT, 3);
    x = nn_conv2d(g, x, weights_get(w, "entry_flow/conv_in/filters"), weights_get(w, "entry_flow/conv_in/bias"), 2,
                  NN_PAD_SAME, NN_ACT_RELU); /* 112 → 56 */
    x = reduction_block(g, x, w, "entry_flow/reduction_block_0", false); /* → 28 */
    x = reduction_block(g, x, w, "entry_flow/reduction_block_1", true);  /* → 14 */
    x = main_block(g, x, w, "middle_flow/main_block_0");
    x = main_block(g, x, w, "middle_flow/main_block_1");
    x = reduction_block(g, x, w, "exit_flow/reduction_block", true); /* → 7 */
    x = sep(g, x, w, "exit_flow", "separable_conv", NN_ACT_RELU);
    x = nn_avgpool(g, x, 7, 2, NN_PAD_VALID); /* → 1 x 1 x 512 */
    nn_value age = nn_fully_connected(g, x, weights_get(w, "fc/age/weights"), weights_get(w, "fc/age/bias"),
                                      NN_ACT_NONE);
    nn_value gender = nn_fully_connected(g, x, weights_get(w, "fc/gender/weights"),
                                         weights_get(w, "fc/gender/bias"), NN_ACT_NONE);
    nn_output(g, age);
    nn_output(g, nn_softmax(g, gender));
    rc = nn_graph_error(g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    agegender_net_free(net);
    return rc;
}

void agegender_net_free(agegender_net *net)
{
    if (!net) return;
    nn_graph_free(net->g);
    weights_free(net->w);
    free(net);
}

double agegender_net_flops(const agegender_net *net)
{
    return nn_graph_flops(net->g);
}

int agegender_runner_new(agegender_net *net, nn_threads *threads, agegender_runner **out, err *e)
{
    agegender_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "agegender: out of memory");
    r->rt = nn_runtime_create(net->g, threads, e);
    if (!r->rt) {
        free(r);
        return e ? e->code : ERR_INTERNAL;
    }
    *out = r;
    return 0;
}

void agegender_runner_free(agegender_runner *r)
{
    if (!r) return;
    nn_runtime_free(r->rt);
    free(r);
}

int agegender_predict_crop(agegender_runner *r, const image *img, crop_rect crop, agegender_result *out, err *e)
{
    float *in = nn_runtime_input(r->rt, 0, NULL);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, AGEGENDER_INPUT, in, e);
    if (rc) return err_prefix(e, "agegender");
    prep_norm_mean(in, (size_t)AGEGENDER_INPUT * AGEGENDER_INPUT, PREP_MEAN_FACE);
    rc = nn_run(r->rt, e);
    if (rc) return rc;
    out->age = nn_runtime_output(r->rt, 0, NULL)[0];
    out->p_male = nn_runtime_output(r->rt, 1, NULL)[0];
    out->male = out->p_male > 0.5f;
    /* JS: 1 - probMale in double, reported as a number; float is enough here. */
    out->gender_probability = out->male ? out->p_male : (float)(1.0 - (double)out->p_male);
    return 0;
}
