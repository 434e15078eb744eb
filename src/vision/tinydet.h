/* tinydet.h — face-api's tiny face detector (a Tiny-YOLOv2 with separable convs,
 * NOTES §3), a layer list (nn/layers.h) run in fp32 by nn/net.h: S x S input (S a multiple of 32, default 416; pad
 * bottom/right, TF1 legacy bilinear, (x - mean)/255), 5 anchors per cell of an
 * S/32 grid, sigmoid scores, NMS at IoU 0.4, boxes back to image pixels exactly
 * as face-api computes them (relative round-trip included).
 *
 * tinydet_model holds the weights: load once per process, share read-only. A
 * tinydet_runner (one per thread) owns the net and its runner for one input
 * size (on the model's weights) and rebuilds them when asked for another size. */
#ifndef FACETAG_VISION_TINYDET_H
#define FACETAG_VISION_TINYDET_H

#include "core/error.h"
#include "media/image.h"
#include "nn/net.h"
#include "vision/detection.h"

#define TINYDET_DEFAULT_SIZE 416
#define TINYDET_ANCHORS 5

typedef struct tinydet_model tinydet_model;
typedef struct tinydet_runner tinydet_runner;

typedef struct tinydet_options {
    double min_score; /* keep score > min_score (strict); face-api default 0.5 */
    int input_size;   /* multiple of 32, >= 32; face-api default 416 */
    int antialias;    /* 0: face-api's legacy 2x2-tap resize (--compat); 1: prep_square_area */
} tinydet_options;

tinydet_options tinydet_default_options(void);

/* Loads tiny_face_detector_model (weights.h rules and errors). Free with
 * tinydet_free after every runner is gone. */
tinydet_model *tinydet_load(const char *models_dir, err *e);
void tinydet_free(tinydet_model *m);

/* A runner for the thread pool `threads` (NULL = calling thread); the graph is
 * built for input_size (ERR_INVALID unless a multiple of 32 in 32..4096). */
tinydet_runner *tinydet_runner_new(tinydet_model *m, int input_size, nn_threads *threads, err *e);
void tinydet_runner_free(tinydet_runner *r);
/* 2 x multiply-accumulates of the convolutions of one inference at the runner's size. */
double tinydet_runner_flops(const tinydet_runner *r);

/* Detects faces in img and appends them to out (NMS order: highest score first).
 * opt NULL = defaults; a different opt->input_size rebuilds the runner's graph. */
int tinydet_detect(tinydet_runner *r, const image *img, const tinydet_options *opt, det_list *out, err *e);

/* The steps, for tests: run the network on a prepared (padded, resized, not
 * normalised) S x S x 3 input; grid gets (S/32)^2 x 5 x 5 raw outputs
 * [tx, ty, tw, th, tscore] per cell and anchor (NHWC order). */
int tinydet_infer(tinydet_runner *r, const float *input, float *grid, err *e);
/* Decoding + NMS + mapping to pixels for an image of width x height. */
int tinydet_postprocess(const float *grid, int input_size, int width, int height, double min_score, det_list *out,
                        err *e);

#endif
