/* landmarks.c — 68-point landmark nets (see landmarks.h).
 * Code: face-api src/faceLandmarkNet/FaceLandmark68NetBase.ts (post-processing),
 * src/faceProcessor/FaceProcessor.ts (fc head), src/classes/FaceLandmarks.ts. */
#include "vision/landmarks.h"

#include "vision/facefeat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOUT (2 * CROPS_NPOINTS)

struct landmarks_net {
    bool tiny;
    net_model *m;
};

struct landmarks_runner {
    net_runner *run;
    float raw[NOUT];
};

int landmarks_net_load(const char *models_dir, bool tiny, landmarks_net **out, err *e)
{
    const facefeat_head head = { tiny ? "face_landmark_68_tiny_model" : "face_landmark_68_model", tiny, NOUT, false };
    landmarks_net *net = calloc(1, sizeof *net);
    if (!net)
        return err_set(e, ERR_NOMEM, "%s: out of memory", head.model);
    net->tiny = tiny;
    int rc = facefeat_load(models_dir, &head, &net->m, e);
    if (rc) {
        free(net);
        return rc;
    }
    *out = net;
    return 0;
}

void landmarks_net_free(landmarks_net *net)
{
    if (!net)
        return;
    net_model_free(net->m);
    free(net);
}

bool landmarks_net_tiny(const landmarks_net *net)
{
    return net->tiny;
}

double landmarks_net_flops(const landmarks_net *net)
{
    return net_model_flops(net->m);
}

int landmarks_runner_new(landmarks_net *net, nn_threads *threads, net_precision p, landmarks_runner **out, err *e)
{
    landmarks_runner *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "landmarks: out of memory");
    int rc = net_runner_new(net->m, threads, p, &r->run, e);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void landmarks_runner_free(landmarks_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
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

int landmarks_run_crop(landmarks_runner *r, const image *img, crop_rect crop, pointd shift, pointd pts[CROPS_NPOINTS],
                       err *e)
{
    int rc = facefeat_run_crop(r->run, img, crop, "landmarks", r->raw, NOUT, e);
    if (rc)
        return rc;
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
    if (crop_out)
        *crop_out = crop;
    return landmarks_run_crop(r, img, crop, (pointd){ det_box.x, det_box.y }, pts, e);
}

void landmarks_five(const pointd pts[CROPS_NPOINTS], pointd five[5])
{
    five[LANDMARKS_LEFT_EYE] = crops_center(pts, 36, 6);
    five[LANDMARKS_RIGHT_EYE] = crops_center(pts, 42, 6);
    five[LANDMARKS_NOSE] = pts[30];
    five[LANDMARKS_MOUTH_LEFT] = pts[48];
    five[LANDMARKS_MOUTH_RIGHT] = pts[54];
}
