/* facecrop.h — the face crop the review UI shows (faces/{photo_id}/{face_no}.jpg):
 * the face box grown by FACECROP_MARGIN of its longer side on every side,
 * clipped to the image, turned upright when the photo lies on its side, shrunk
 * to at most FACECROP_MAX_SIDE pixels, JPEG quality 90 without metadata
 * (libvips). */
#ifndef FACETAG_VISION_FACECROP_H
#define FACETAG_VISION_FACECROP_H

#include "core/error.h"
#include "media/image.h"
#include "vision/crops.h"

#include <stddef.h>

#define FACECROP_MARGIN 0.25
#define FACECROP_MAX_SIDE 320

/* Encodes the crop of img around box; rotation is the clockwise turn that makes
 * the photo upright (pipeline_result.rotation: 0, 90, 180, 270). *jpeg is
 * malloc'd (caller frees). ERR_INVALID when the grown box misses the image,
 * ERR_FORMAT when libvips cannot encode. */
int facecrop_jpeg(const image *img, rectd box, int rotation, void **jpeg, size_t *len, err *e);

#endif
