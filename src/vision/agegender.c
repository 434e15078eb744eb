/* agegender.c — TinyXception age/gender net (see agegender.h).
 * Code: face-api src/xception/TinyXception.ts, src/ageGenderNet/AgeGenderNet.ts. */
#include "vision/agegender.h"

#include "vision/prep.h"

#include <stdio.h>
#include <stdlib.h>

#define SEP(p, cin, cout)                                                                                              \
    { p "/depthwise_filter", 4, { 3, 3, (cin), 1 } }, { p "/pointwise_filter", 4, { 1, 1, (cin), (cout) } },           \
    {                                                                                                                  \
        p "/bias", 1,                                                                                                  \
        {                                                                                                              \
            (cout)                                                                                                     \
        }                                                                                                              \
    }
#define CONV(p, k, cin, cout)                                                                                          \
    { p "/filters", 4, { (k), (k), (cin), (cout) } },                                                                  \
    {                                                                                                                  \
        p "/bias", 1,                                                                                                  \
        {                                                                                                              \
            (cout)                                                                                                     \
        }                                                                                                              \
    }
/* reduction block: two separable convs, a max pool, and a 1x1 stride-2 shortcut. */
#define REDUCTION(p, cin, cout)                                                                                        \
    SEP(p "/separable_conv0", (cin), (cout)), SEP(p "/separable_conv1", (cout), (cout)),                               \
        CONV(p "/expansion_conv", 1, (cin), (cout))
#define MAIN(p, c)                                                                                                     \
    SEP(p "/separable_conv0", (c), (c)), SEP(p "/separable_conv1", (c), (c)), SEP(p "/separable_conv2", (c), (c))

static const weights_spec table[] = {
    CONV("entry_flow/conv_in", 3, 3, 32),
    REDUCTION("entry_flow/reduction_block_0", 32, 64),
    REDUCTION("entry_flow/reduction_block_1", 64, 128),
    MAIN("middle_flow/main_block_0", 128),
    MAIN("middle_flow/main_block_1", 128),
    REDUCTION("exit_flow/reduction_block", 128, 256),
    SEP("exit_flow/separable_conv", 256, 512),
    { "fc/age/weights", 2, { 512, 1 } },
    { "fc/age/bias", 1, { 1 } },
    { "fc/gender/weights", 2, { 512, 2 } },
    { "fc/gender/bias", 1, { 2 } },
};

static const char *const MODEL = "age_gender_model";

struct agegender_net {
    net_model *m; /* outputs: age, softmax(gender) */
};

struct agegender_runner {
    net_runner *run;
};

static const wtensor *get(const weights *w, const char *block, const char *layer, const char *what)
{
    char name[128];
    snprintf(name, sizeof name, "%s/%s/%s", block, layer, what);
    return weights_get(w, name);
}

/* depthwiseSeparableConv ('same', stride 1, + bias), then act. */
static int sep(layer_list *nl, int x, const weights *w, const char *block, const char *layer, layer_act act)
{
    return layers_separable(nl, x, get(w, block, layer, "depthwise_filter"), get(w, block, layer, "pointwise_filter"),
                            get(w, block, layer, "bias"), 1, LAYER_SAME, act);
}

/* Conv layer y adds layer x to its output (in place in bf16, nn_add(y, x) in fp32). */
static int plus(layer_list *nl, int y, int x)
{
    return layers_residual(nl, y, x);
}

static int relu(layer_list *nl, int x)
{
    return layers_add(nl, (layer){ .op = LAYER_ACT, .src = x, .act = LAYER_RELU });
}

/* reductionBlock: the shortcut convolves the un-activated input. */
static int reduction_block(layer_list *nl, int x, const weights *w, const char *block, bool activate_input)
{
    int y = activate_input ? relu(nl, x) : x;
    y = sep(nl, y, w, block, "separable_conv0", LAYER_RELU);
    y = sep(nl, y, w, block, "separable_conv1", LAYER_NONE);
    y = layers_add(nl, (layer){ .op = LAYER_MAXPOOL, .src = y, .k = 3, .stride = 2, .pad = LAYER_SAME });
    int s = layers_conv(nl, x, get(w, block, "expansion_conv", "filters"), get(w, block, "expansion_conv", "bias"), 2,
                        LAYER_SAME, 0, LAYER_NONE);
    return plus(nl, s, y);
}

/* mainBlock: x + sep(relu(sep(relu(sep(relu(x)))))). */
static int main_block(layer_list *nl, int x, const weights *w, const char *block)
{
    int y = relu(nl, x);
    y = sep(nl, y, w, block, "separable_conv0", LAYER_RELU);
    y = sep(nl, y, w, block, "separable_conv1", LAYER_RELU);
    y = sep(nl, y, w, block, "separable_conv2", LAYER_NONE);
    return plus(nl, y, x);
}

/* TinyXception, the 7x7 average pool → 1 x 1 x 512, then the two heads:
 * age (output 0) and softmax(gender) (output 1). */
static int list_layers(layer_list *nl, const weights *w, void *unused)
{
    (void)unused;
    int x = layers_conv(nl, -1, weights_get(w, "entry_flow/conv_in/filters"), weights_get(w, "entry_flow/conv_in/bias"),
                        2, LAYER_SAME, 0, LAYER_RELU);                    /* 112 → 56 */
    x = reduction_block(nl, x, w, "entry_flow/reduction_block_0", false); /* → 28 */
    x = reduction_block(nl, x, w, "entry_flow/reduction_block_1", true);  /* → 14 */
    x = main_block(nl, x, w, "middle_flow/main_block_0");
    x = main_block(nl, x, w, "middle_flow/main_block_1");
    x = reduction_block(nl, x, w, "exit_flow/reduction_block", true); /* → 7 */
    x = sep(nl, x, w, "exit_flow", "separable_conv", LAYER_RELU);
    x = layers_add(nl, (layer){ .op = LAYER_AVGPOOL, .src = x, .k = 7, .stride = 2, .pad = LAYER_VALID });
    layers_head(nl, x, weights_get(w, "fc/age/weights"), weights_get(w, "fc/age/bias"), 0);
    return layers_head(nl, x, weights_get(w, "fc/gender/weights"), weights_get(w, "fc/gender/bias"), 1);
}

int agegender_net_load(const char *models_dir, agegender_net **out, err *e)
{
    agegender_net *net = calloc(1, sizeof *net);
    if (!net)
        return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    const net_spec spec = { MODEL, AGEGENDER_INPUT, table, sizeof table / sizeof *table, list_layers, NULL, 0 };
    int rc = net_model_load(&spec, models_dir, &net->m, e);
    if (rc) {
        free(net);
        return rc;
    }
    *out = net;
    return 0;
}

void agegender_net_free(agegender_net *net)
{
    if (!net)
        return;
    net_model_free(net->m);
    free(net);
}

double agegender_net_flops(const agegender_net *net)
{
    return net_model_flops(net->m);
}

int agegender_runner_new(agegender_net *net, nn_threads *threads, net_precision p, agegender_runner **out, err *e)
{
    agegender_runner *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "agegender: out of memory");
    int rc = net_runner_new(net->m, threads, p, &r->run, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void agegender_runner_free(agegender_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
    free(r);
}

int agegender_predict_crop(agegender_runner *r, const image *img, crop_rect crop, agegender_result *out, err *e)
{
    float *in = net_runner_input(r->run, NULL);
    const prep_rect pr = { crop.x, crop.y, crop.w, crop.h };
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, AGEGENDER_INPUT, in, e);
    if (rc)
        return err_prefix(e, "agegender");
    prep_norm_mean(in, (size_t)AGEGENDER_INPUT * AGEGENDER_INPUT, PREP_MEAN_FACE);
    rc = net_runner_exec(r->run, e);
    if (rc)
        return rc;
    out->age = net_runner_output(r->run, 0, NULL)[0];
    out->p_male = net_runner_output(r->run, 1, NULL)[0];
    out->male = out->p_male > 0.5f;
    /* JS: 1 - probMale in double, reported as a number; float is enough here. */
    out->gender_probability = out->male ? out->p_male : (float)(1.0 - (double)out->p_male);
    return 0;
}
