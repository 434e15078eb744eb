/* agegender.h — face-api's age and gender network (`age_gender_model`, NOTES §6):
 * TinyXception(2) feature extractor on a 112 x 112 crop of the face's alignedRect
 * (crops.h), a 7x7 average pool, then two fully-connected heads: age in years (a
 * raw regression) and softmax(gender) with index 0 = male, 1 = female.
 *
 * Precision (net.h): fp32 on XNNPACK, or bf16 on oneDNN (the pool and both
 * heads fp32 on the host) — test_attributes_bf16 measures the difference.
 *
 * Sharing: an agegender_net (weights + layer list) is loaded once and
 * read-only; each thread makes its own agegender_runner from it. */
#ifndef FACETAG_VISION_AGEGENDER_H
#define FACETAG_VISION_AGEGENDER_H

#include "core/error.h"
#include "media/image.h"
#include "nn/net.h"
#include "vision/crops.h"
#include <stdbool.h>

#define AGEGENDER_INPUT 112

typedef struct agegender_result {
    float age;                /* years */
    float p_male;             /* softmax probability of "male" */
    bool male;                /* face-api's decision: p_male > 0.5 */
    float gender_probability; /* p_male when male, else 1 - p_male */
} agegender_result;

typedef struct agegender_net agegender_net;
typedef struct agegender_runner agegender_runner;

/* Loads age_gender_model from models_dir and lists its layers; free with
 * agegender_net_free after its runners. Weight-loader errors name the file/tensor. */
int agegender_net_load(const char *models_dir, agegender_net **out, err *e);
void agegender_net_free(agegender_net *net);
double agegender_net_flops(const agegender_net *net);

/* A runner for one thread in precision p (net_runner_new: fp32 on `threads`,
 * NULL the calling thread; bf16 on the calling thread where available, else
 * ERR_INVALID naming the reason). */
int agegender_runner_new(agegender_net *net, nn_threads *threads, net_precision p, agegender_runner **out, err *e);
void agegender_runner_free(agegender_runner *r);

/* Runs on the integer crop (inside the image, non-empty; else ERR_INVALID):
 * centred pad, resize to 112, mean/255 normalisation. */
int agegender_predict_crop(agegender_runner *r, const image *img, crop_rect crop, agegender_result *out, err *e);

#endif
