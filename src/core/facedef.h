/* facedef.h — sizes every stage agrees on, defined once: the length of a face
 * descriptor and the room for a model-version string. The vision networks
 * produce them, the catalog stores them, the clustering and the review read
 * them. */
#ifndef FACETAG_CORE_FACEDEF_H
#define FACETAG_CORE_FACEDEF_H

/* Floats in one face descriptor (face-api's recognition ResNet). */
#define FACE_DESCRIPTOR_DIM 128

/* Bytes for a model-version string with its terminating NUL, e.g.
 * "face-api-1.7.15/ssd512+lm68+rec128/..." (vision/pipeline.h keeps its
 * versions below this; the catalog's model_version columns hold this much). */
#define MODEL_VERSION_LEN 96

#endif
