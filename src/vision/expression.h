/* expression.h — face-api's facial expression network (`face_expression_model`,
 * NOTES §7): the dense-block face feature extractor (facefeat.h, its own weights)
 * on a 112 x 112 crop of the face's alignedRect (crops.h), a fully-connected layer
 * to 7 logits and a softmax.
 *
 * Precision (net.h): fp32 on XNNPACK, or bf16 on oneDNN (the extractor; fc and
 * softmax fp32) — test_attributes_bf16 measures the difference.
 *
 * Sharing: an expression_net is loaded once and read-only; each thread makes its
 * own expression_runner from it. */
#ifndef FACETAG_VISION_EXPRESSION_H
#define FACETAG_VISION_EXPRESSION_H

#include "core/error.h"
#include "media/image.h"
#include "nn/net.h"
#include "vision/crops.h"
#include <stdbool.h>

/* face-api's order (FaceExpressions.ts). */
typedef enum expression_kind {
    EXPRESSION_NEUTRAL,
    EXPRESSION_HAPPY,
    EXPRESSION_SAD,
    EXPRESSION_ANGRY,
    EXPRESSION_FEARFUL,
    EXPRESSION_DISGUSTED,
    EXPRESSION_SURPRISED,
    EXPRESSION_COUNT
} expression_kind;

/* "neutral", "happy", ... as face-api names them; NULL out of range. */
const char *expression_name(int kind);

typedef struct expression_net expression_net;
typedef struct expression_runner expression_runner;

/* Loads face_expression_model from models_dir and lists its layers; free with
 * expression_net_free after its runners. Weight-loader errors name the file/tensor. */
int expression_net_load(const char *models_dir, expression_net **out, err *e);
void expression_net_free(expression_net *net);
double expression_net_flops(const expression_net *net);

/* A runner for one thread in precision p (net_runner_new: fp32 on `threads`,
 * NULL the calling thread; bf16 on the calling thread where available, else
 * ERR_INVALID naming the reason). */
int expression_runner_new(expression_net *net, nn_threads *threads, net_precision p, expression_runner **out, err *e);
void expression_runner_free(expression_runner *r);

/* Probabilities (summing to 1) for the integer crop (inside the image,
 * non-empty; else ERR_INVALID). */
int expression_predict_crop(expression_runner *r, const image *img, crop_rect crop, float probs[EXPRESSION_COUNT],
                            err *e);

/* Index of the largest probability (the first on ties). */
int expression_top(const float probs[EXPRESSION_COUNT]);

#endif
