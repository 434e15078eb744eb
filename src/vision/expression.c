/* expression.c — facial expression net (see expression.h).
 * Code: face-api src/faceExpressionNet/FaceExpressionNet.ts, src/faceProcessor/FaceProcessor.ts. */
#include "vision/expression.h"

#include "vision/facefeat.h"

#include <stdlib.h>
#include <string.h>

static const char *const MODEL = "face_expression_model";

static const char *const names[EXPRESSION_COUNT] = { "neutral", "happy",     "sad",      "angry",
                                                     "fearful", "disgusted", "surprised" };

const char *expression_name(int kind)
{
    return kind >= 0 && kind < EXPRESSION_COUNT ? names[kind] : NULL;
}

struct expression_net {
    net_model *m;
};

struct expression_runner {
    net_runner *run;
};

int expression_net_load(const char *models_dir, expression_net **out, err *e)
{
    const facefeat_head head = { MODEL, false, EXPRESSION_COUNT, true };
    expression_net *net = calloc(1, sizeof *net);
    if (!net)
        return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    int rc = facefeat_load(models_dir, &head, &net->m, e);
    if (rc) {
        free(net);
        return rc;
    }
    *out = net;
    return 0;
}

void expression_net_free(expression_net *net)
{
    if (!net)
        return;
    net_model_free(net->m);
    free(net);
}

double expression_net_flops(const expression_net *net)
{
    return net_model_flops(net->m);
}

int expression_runner_new(expression_net *net, nn_threads *threads, net_precision p, expression_runner **out, err *e)
{
    expression_runner *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "expression: out of memory");
    int rc = net_runner_new(net->m, threads, p, &r->run, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void expression_runner_free(expression_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
    free(r);
}

int expression_predict_crop(expression_runner *r, const image *img, crop_rect crop, float probs[EXPRESSION_COUNT],
                            err *e)
{
    return facefeat_run_crop(r->run, img, crop, "expression", probs, EXPRESSION_COUNT, e);
}

int expression_top(const float probs[EXPRESSION_COUNT])
{
    int best = 0;
    for (int i = 1; i < EXPRESSION_COUNT; i++)
        if (probs[i] > probs[best])
            best = i;
    return best;
}
