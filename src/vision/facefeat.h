/* facefeat.h — face-api's "face feature extractor" (NOTES §4.1): the dense-block
 * network that both the 68-point landmark nets and the expression net put under
 * their fully-connected head. Full: 4 dense blocks of 4 convs (32, 64, 128, 256
 * channels, 112 → 7) and a 7x7 average pool → 256 features. Tiny: 3 blocks of 3
 * convs (32, 64, 128, 112 → 14) and a 14x14 average pool → 128 features.
 *
 * The tensors are the `dense*` entries of the model's manifest; a network's layer
 * table is facefeat's table followed by its own `fc` entries (facefeat_table).
 * The layers are listed once (layers.h) and run in either precision (net.h);
 * facefeat_load makes the extractor with its fully-connected head, the whole
 * of the landmark and expression networks. */
#ifndef FACETAG_VISION_FACEFEAT_H
#define FACETAG_VISION_FACEFEAT_H

#include "media/image.h"
#include "nn/layers.h"
#include "nn/net.h"
#include "nn/weights.h"
#include "vision/crops.h"
#include <stdbool.h>
#include <stddef.h>

/* Input side length of the extractor (a 112 x 112 x 3 centred-pad crop,
 * normalised with PREP_MEAN_FACE). */
#define FACEFEAT_INPUT 112

/* The layer table of the extractor: *n gets the entry count (48 full, 27 tiny).
 * The entries are static. */
const weights_spec *facefeat_table(bool tiny, size_t *n);

/* Number of features the extractor produces: 256 full, 128 tiny. */
int facefeat_channels(bool tiny);

/* Lists the extractor's layers in nl on the network input (layer -1), reading
 * the tensors by name from w; returns the pooled features' layer (1 x 1 x C),
 * or LAYERS_NONE after an error (in nl->e; a missing tensor is ERR_MODEL). */
int facefeat_list(layer_list *nl, const weights *w, bool tiny);

/* ---- the extractor with its fully-connected head (landmarks, expression) ---- */

typedef struct facefeat_head {
    const char *model; /* the manifest: face_landmark_68_model, ... (static) */
    bool tiny;         /* the tiny extractor */
    int nout;          /* fc/weights [C, nout], fc/bias [nout] */
    bool softmax;      /* a softmax after fc: the network's one output */
} facefeat_head;

/* Loads head->model (the extractor's tensors, then fc) and lists the extractor
 * and the head (net.h); free with net_model_free after its runners.
 * Weight-loader errors name the file or tensor. */
int facefeat_load(const char *models_dir, const facefeat_head *head, net_model **out, err *e);
/* The head's nout outputs for the integer crop of img (inside the image,
 * non-empty; else ERR_INVALID, prefixed with `what`): centred pad to a square,
 * resize to 112, PREP_MEAN_FACE normalisation, run. */
int facefeat_run_crop(net_runner *r, const image *img, crop_rect crop, const char *what, float *out, int nout, err *e);

#endif
