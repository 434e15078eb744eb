/* landmarks.h — face-api's 68-point landmark networks (NOTES §4), full
 * (`face_landmark_68_model`) and tiny (`face_landmark_68_tiny_model`): the face
 * feature extractor (facefeat.h) and a fully-connected layer to 136 outputs,
 * mapped back to image pixels exactly as face-api does (§4.2).
 *
 * Points are in face-api's order: 0-16 jaw, 17-21 / 22-26 brows, 27-35 nose,
 * 36-41 left eye, 42-47 right eye, 48-67 mouth ("left" = image left).
 *
 * Precision (net.h): fp32 on XNNPACK (face-api's numbers), or bf16 on oneDNN
 * (the extractor; the fc head fp32) where default mode adopts it (pipeline.c);
 * test_attributes_bf16 measures how far the points move.
 *
 * Sharing: a landmarks_net (weights + layer list) is loaded once and
 * read-only; each thread makes its own landmarks_runner from it. */
#ifndef FACETAG_VISION_LANDMARKS_H
#define FACETAG_VISION_LANDMARKS_H

#include "core/error.h"
#include "media/image.h"
#include "nn/net.h"
#include "vision/crops.h"
#include <stdbool.h>

typedef struct landmarks_net landmarks_net;
typedef struct landmarks_runner landmarks_runner;

/* Loads face_landmark_68[_tiny]_model from models_dir and lists its layers.
 * *out is freed with landmarks_net_free (after its runners). ERR_IO / ERR_MODEL /
 * ERR_FORMAT from the weight loader, naming the file or tensor. */
int landmarks_net_load(const char *models_dir, bool tiny, landmarks_net **out, err *e);
void landmarks_net_free(landmarks_net *net);
bool landmarks_net_tiny(const landmarks_net *net);
/* FLOPs (2 x multiply-adds) of one run. */
double landmarks_net_flops(const landmarks_net *net);

/* A runner for one thread in precision p (net_runner_new: fp32 on `threads`,
 * NULL the calling thread; bf16 on the calling thread where available, else
 * ERR_INVALID naming the reason). Free with landmarks_runner_free before the net. */
int landmarks_runner_new(landmarks_net *net, nn_threads *threads, net_precision p, landmarks_runner **out, err *e);
void landmarks_runner_free(landmarks_runner *r);

/* Runs the net on the integer crop `crop` of img (must be inside the image and
 * non-empty, else ERR_INVALID) and maps the 68 points to image pixels; `shift` is
 * what face-api adds to the crop-relative points: the detection box origin
 * (unfloored, unclipped — a quirk of §4.2(b)). */
int landmarks_run_crop(landmarks_runner *r, const image *img, crop_rect crop, pointd shift, pointd pts[CROPS_NPOINTS],
                       err *e);

/* face-api's whole landmark stage for a detection box in image pixels: crop =
 * clip+floor of the box (crops.h), run, shift by the box origin. *crop_out (may
 * be NULL) gets the crop, which crops_descriptor_rect needs. Returns ERR_INVALID
 * when the box does not overlap the image. */
int landmarks_detect(landmarks_runner *r, const image *img, rectd det_box, pointd pts[CROPS_NPOINTS],
                     crop_rect *crop_out, err *e);

/* The five points of the annotation JSON (DESIGN.md "landmarks"), from the 68:
 * left_eye / right_eye = centres of points 36-41 / 42-47 (image left / right),
 * nose = 30 (tip), mouth_left = 48, mouth_right = 54 (outer corners). */
enum { LANDMARKS_LEFT_EYE, LANDMARKS_RIGHT_EYE, LANDMARKS_NOSE, LANDMARKS_MOUTH_LEFT, LANDMARKS_MOUTH_RIGHT };
void landmarks_five(const pointd pts[CROPS_NPOINTS], pointd five[5]);

/* The raw 136 fully-connected outputs of the last run (x0,y0,x1,y1,... relative
 * to the 112 x 112 padded input) — for tests against the reference's dumps. */
const float *landmarks_raw_output(const landmarks_runner *r);

#endif
