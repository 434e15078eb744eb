/* landmarks.c — 68-point landmark nets (see landmarks.h).
 * Code: face-api src/faceLandmarkNet/FaceLandmark68NetBase.ts (post-processing),
 * src/faceProcessor/FaceProcessor.ts (fc head), src/classes/FaceLandmarks.ts. */
#include "vision/landmarks.h"

#include "vision/facefeat.h"
#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOUT (2 * CROPS_NPOINTS)

struct landmarks_net {
    bool tiny;
    weights *w;
    nn_graph *g;
};

struct landmarks_runner {
    nn_runtime *rt;
    float raw[NOUT];
};

int landmarks_net_load(const char *models_dir, bool tiny, landmarks_net **out, err *e)
{
    const char *model = tiny ? "face_landmark_68_tiny_model" : "face_landmark_68_model";
    size_t nfeat;
    const weights_spec *feat = facefeat_table(tiny, &nfeat);
    const int c = facefeat_channels(tiny);
    weights_spec table[64];
    memcpy(table, feat, nfeat * sizeof *feat);
    table[nfeat] = (weights_spec){"fc/weights", 2, {c, NOUT}};
    table[nfeat + 1] = (weights_spec){"fc/bias", 1, {NOUT}};

    landmarks_net *net = calloc(1, sizeof *net);
    if (!net) return err_set(e, ERR_NOMEM, "%s: out of memory", model);
    net->tiny = tiny;
    int rc = weights_load(models_dir, model, table, nfeat + 2, &net->w, e);
    if (rc) goto fail;
    net->g = nn_graph_new(model, e);
    if (!net->g) {
        rc = e ? e->code : ERR_INTERNAL;
        goto fail;
    }
    nn_value x = nn_input(net->g, FACEFEAT_INPUT, FACEFEAT_INPUT, 3);
    x = facefeat_build(net->g, x, net->w, tiny);
    x = nn_fully_connected(net->g, x, weights_get(net->w, "fc/weights"), weights_get(net->w, "fc/bias"), NN_ACT_NONE);
    nn_output(net->g, x);
    rc = nn_graph_error(net->g, e);
    if (rc) goto fail;
    *out = net;
    return 0;
fail:
    landmarks_net_free(net);
    return rc;
}

void landmarks_net_free(landmarks_net *net)
{
    if (!net) return;
    nn_graph_free(net->g);
    weights_free(net->w);
    free(net);
}

bool landmarks_net_tiny(const landmarks_net *net)
{
    return net->tiny;
}

double landmarks_net_flops(const landmarks_net *net)
{
    return nn_graph_flops(net->g);
}

int landmarks_runner_new(landmarks_net *net, nn_threads *threads, landmarks_runner **out, err *e)
{
    landmarks_runner *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "landmarks: out of memory");
    r->rt = nn_runtime_create(net->g, threads, e);
    if (!r->rt) {
        free(r);
        return e ? e->code : ERR_INTERNAL;
    }
    *out = r;
    return 0;
}

void landmarks_runner_free(landmarks_runner *r)
{
    if (!r) return;
    nn_runtime_free(r->rt);
    free(r);
}

const float *landmarks_raw_output(const landmarks_runner *r)
{
    return r->raw;
}

/* FaceLandmark68NetBase.postProcess: the padding subtracted is the exact half
 * difference of the scaled crop (not the integer padding padToSquare used), and
 * the arithmetic is float32 tensor ops; the final scale and shift are doubles. */
static void map_points(const float *o, crop_rect crop, pointd shift, pointd pts[CROPS_NPOINTS])
{
    const double s = (double)FACEFEAT_INPUT / (crop.w > crop.h ? crop.w : crop.h);
    const double wp = crop.w * s, hp = crop.h * s;
    const float padx = (float)(wp < hp ? fabs(wp - hp) / 2 : 0.0);
    const float pady = (float)(hp < wp ? fabs(wp - hp) / 2 : 0.0);
    const float fw = (float)wp, fh = (float)hp, size = (float)FACEFEAT_INPUT;
    for (int i = 0; i < CROPS_NPOINTS; i++) {
        const float rx = (o[2 * i] * size - padx) / fw;
        const float ry = (o[2 * i + 1] * size - pady) / fh;
        pts[i].x = (double)rx * crop.w + shift.x;
        pts[i].y = (double)ry * crop.h + shift.y;
    }
}

int landmarks_run_crop(landmarks_runner *r, const image *img, crop_rect crop, pointd shift,
                       pointd pts[CROPS_NPOINTS], err *e)
{
    float *in = nn_runtime_input(r->rt, 0, NULL);
    const prep_rect pr = {crop.x, crop.y, crop.w, crop.h};
    int rc = prep_square(img, pr, PREP_PAD_CENTRE, FACEFEAT_INPUT, in, e);
    if (rc) return err_prefix(e, "landmarks");
    prep_norm_mean(in, (size_t)FACEFEAT_INPUT * FACEFEAT_INPUT, PREP_MEAN_FACE);
    rc = nn_run(r->rt, e);
    if (rc) return rc;
    memcpy(r->raw, nn_runtime_output(r->rt, 0, NULL), sizeof r->raw);
    map_points(r->raw, crop, shift, pts);
    return 0;
}

int landmarks_detect(landmarks_runner *r, const image *img, rectd det_box, pointd pts[CROPS_NPOINTS],
                     crop_rect *crop_out, err *e)
{
    crop_rect crop;
    if (!crops_clip(crops_detection_for_size(det_box, img->width, img->height), img->width, img->height, &crop))
        return err_set(e, ERR_INVALID, "landmarks: box (%.1f,%.1f %.1fx%.1f) does not overlap the %dx%d image",
                       det_box.x, det_box.y, det_box.w, det_box.h, img->width, img->height);
    if (crop_out) *crop_out = crop;
    return landmarks_run_crop(r, img, crop, (pointd){det_box.x, det_box.y}, pts, e);
}

void landmarks_five(const pointd pts[CROPS_NPOINTS], pointd five[5])
{
    five[LANDMARKS_LEFT_EYE] = crops_center(pts, 36, 6);
    five[LANDMARKS_RIGHT_EYE] = crops_center(pts, 42, 6);
    five[LANDMARKS_NOSE] = pts[30];
    five[LANDMARKS_MOUTH_LEFT] = pts[48];
    five[LANDMARKS_MOUTH_RIGHT] = pts[54];
}
