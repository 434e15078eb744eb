/* facefeat.h — face-api's "face feature extractor" (NOTES §4.1): the dense-block
 * network that both the 68-point landmark nets and the expression net put under
 * their fully-connected head. Full: 4 dense blocks of 4 convs (32, 64, 128, 256
 * channels, 112 → 7) and a 7x7 average pool → 256 features. Tiny: 3 blocks of 3
 * convs (32, 64, 128, 112 → 14) and a 14x14 average pool → 128 features.
 *
 * The tensors are the `dense*` entries of the model's manifest; a network's layer
 * table is facefeat's table followed by its own `fc` entries (facefeat_table). */
#ifndef FACETAG_VISION_FACEFEAT_H
#define FACETAG_VISION_FACEFEAT_H

#include "vision/nn.h"
#include "vision/weights.h"
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

/* Adds the extractor to g on input x (112 x 112 x 3, normalised), reading the
 * tensors by name from w; returns the pooled features (1 x 1 x C), or NN_NONE
 * after an error (recorded in g; a missing tensor is an ERR_MODEL there too). */
nn_value facefeat_build(nn_graph *g, nn_value x, const weights *w, bool tiny);

#endif
