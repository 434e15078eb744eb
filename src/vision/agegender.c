/* agegender.c — TinyXception age/gender net (see agegender.h).
 * Code: face-api src/xception/TinyXception.ts, src/ageGenderNet/AgeGenderNet.ts. */
#include "vision/agegender.h"

#include "vision/netlist.h"
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
    netlist_net n; /* list: up to the 7x7 average pool; g: then the two heads */
};

struct agegender_runner {
    const agegender_net *net;
    netlist_runner run;
};

static const wtensor *get(const weights *w, const char *block, const char *layer, const char *what)
{
    char name[128];
    snprintf(name, sizeof name, "%s/%s/%s", block, layer, what);
    return weights_get(w, name);
}

/* depthwiseSeparableConv ('same', stride 1, + bias), then act. */
static int sep(netlist *nl, int x, const weights *w, const char *block, const char *layer, bf16net_act act)
{
    return netlist_separable(nl, x, get(w, block, layer, "depthwise_filter"), get(w, block, layer, "pointwise_filter"),
                             get(w, block, layer, "bias"), 1, BF16NET_SAME, act);
}

/* Layer y (a conv) adds layer x to its output (in place in bf16, nn_add(y, x) in fp32). */
static int plus(netlist *nl, int y, int x)
{
    if (y >= 0) nl->l[y].residual = 1, nl->l[y].src2 = x;
    return x == NETLIST_NONE ? NETLIST_NONE : y;
}

static int relu(netlist *nl, int x)
{
    return netlist_add(nl, (bf16net_layer){.op = BF16NET_ACT, .src = x, .act = BF16NET_RELU});
}

/* reductionBlock: the shortcut convolves the un-activated input. */
static int reduction_block(netlist *nl, int x, const weights *w, const char *block, bool activate_input)
{
    int y = activate_input ? relu(nl, x) : x;
    y = sep(nl, y, w, block, "separable_conv0", BF16NET_RELU);
    y = sep(nl, y, w, block, "separable_conv1", BF16NET_NONE);
    y = netlist_add(nl, (bf16net_layer){.op = BF16NET_MAXPOOL, .src = y, .k = 3, .stride = 2, .pad = BF16NET_SAME});
    int s = netlist_conv(nl, x, get(w, block, "expansion_conv", "filters"), get(w, block, "expansion_conv", "bias"), 2,
                         BF16NET_SAME, 0, BF16NET_NONE);
    return plus(nl, s, y);
}

/* mainBlock: x + sep(relu(sep(relu(sep(relu(x)))))). */
static int main_block(netlist *nl, int x, const weights *w, const char *block)
{
    int y = relu(nl, x);
    y = sep(nl, y, w, block, "separable_conv0", BF16NET_RELU);
    y = sep(nl, y, w, block, "separable_conv1", BF16NET_RELU);
    y = sep(nl, y, w, block, "separable_conv2", BF16NET_NONE);
    return plus(nl, y, x);
}

/* TinyXception up to the 7x7 average pool → 1 x 1 x 512. */
static int list_layers(netlist *nl, const weights *w, void *unused)
{
    (void)unused;
    int x = netlist_conv(nl, -1, weights_get(w, "entry_flow/conv_in/filters"),
                         weights_get(w, "entry_flow/conv_in/bias"), 2, BF16NET_SAME, 0, BF16NET_RELU); /* 112 → 56 */
    x = reduction_block(nl, x, w, "entry_flow/reduction_block_0", false); /* → 28 */
    x = reduction_block(nl, x, w, "entry_flow/reduction_block_1", true);  /* → 14 */
    x = main_block(nl, x, w, "middle_flow/main_block_0");
    x = main_block(nl, x, w, "middle_flow/main_block_1");
    x = reduction_block(nl, x, w, "exit_flow/reduction_block", true); /* → 7 */
    x = sep(nl, x, w, "exit_flow", "separable_conv", BF16NET_RELU);
    return netlist_add(nl, (bf16net_layer){.op = BF16NET_AVGPOOL, .src = x, .k = 7, .stride = 2, .pad = BF16NET_VALID});
}

int agegender_net_load(const char *models_dir, agegender_net **out, err *e)
{
    agegender_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    netlist_net *n = &net->n;
    n->model = MODEL, n->size = AGEGENDER_INPUT;
    nn_value x;
    int rc = netlist_net_load(n, models_dir, table, sizeof table / sizeof *table, list_layers, NULL, &x, e);
    if (rc) goto fail;
    nn_graph *g = n->g;
    const weights *w = n->w;
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

int agegender_net_load_bf16(agegender_net *net, err *e)
{
    return netlist_net_load_bf16(&net->n, e);
}

void agegender_net_free(agegender_net *net)
{
    if (!net) return;
    netlist_net_fini(&net->n);
    free(net);
}

double agegender_net_flops(const agegender_net *net)
{
    return nn_graph_flops(net->n.g);
}

int agegender_runner_new_precision(agegender_net *net, nn_threads *threads, bool bf16, agegender_runner **out, err *e)
{
    agegender_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "agegender: out of memory");
    r->net = net;
    int rc = netlist_runner_init(&r->run, &net->n, threads, bf16, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int agegender_runner_new(agegender_net *net, nn_threads *threads, agegender_runner **out, err *e)
{
    return agegender_runner_new_precision(net, threads, false, out, e);
}

void agegender_runner_free(agegender_runner *r)
{
    if (!r) return;
    netlist_runner_fini(&r->run);
    free(r);
}

int agegender_predict_crop(agegender_runner *r, const image *img, crop_rect crop, agegender_result *out, err *e)
{
    float *in = netlist_runner_input(&r->run);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, AGEGENDER_INPUT, in, e);
    if (rc) return err_prefix(e, "agegender");
    prep_norm_mean(in, (size_t)AGEGENDER_INPUT * AGEGENDER_INPUT, PREP_MEAN_FACE);
    rc = netlist_runner_exec(&r->run, e);
    if (rc) return rc;
    if (r->run.bf) { /* the last conv's output (f32), then the pool and both heads on the host in fp32 */
        size_t count = 0;
        const float *y = bf16net_run_output(r->run.bf, 0, &count);
        const weights *w = r->net->n.w;
        float x[512], gender[2];
        netlist_mean(y, count, 512, x);
        netlist_fc(x, weights_get(w, "fc/age/weights"), weights_get(w, "fc/age/bias"), &out->age);
        netlist_fc(x, weights_get(w, "fc/gender/weights"), weights_get(w, "fc/gender/bias"), gender);
        netlist_softmax(gender, 2);
        out->p_male = gender[0];
    } else {
        out->age = nn_runtime_output(r->run.rt, 0, NULL)[0];
        out->p_male = nn_runtime_output(r->run.rt, 1, NULL)[0];
    }
    out->male = out->p_male > 0.5f;
    /* JS: 1 - probMale in double, reported as a number; float is enough here. */
    out->gender_probability = out->male ? out->p_male : (float)(1.0 - (double)out->p_male);
    return 0;
}
