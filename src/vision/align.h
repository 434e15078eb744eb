/* align.h — dlib's aligned face chips: the geometry of dlib's
 * get_face_chip_details(shape, size, padding) (dlib/image_transforms/interpolation.h)
 * and an extract_image_chip-like sampler.
 *
 * The 68 landmarks (face-api order = dlib's iBUG order) are mapped onto dlib's
 * mean face: points 27-54 and 60-64 (nose, eyes, outer mouth and upper inner lip;
 * no brows, no jaw, no lower lip) are fitted with a least-squares similarity
 * transform (rotation + uniform scale + translation) to the template points
 * (padding + mean_face) / (1 + 2 padding) * size. The chip is the square of
 * size x size pixels of that transform, axis-aligned to the face: eyes level,
 * a fixed scale. dlib's face recognition ResNet was trained on such chips with
 * size 150 and padding 0.25.
 *
 * Sampling: bilinear from an image pyramid (Gaussian [1 4 6 4 1] / 16, halving
 * until the chip is at most 2x smaller than the pyramid level), so large faces
 * are antialiased; pixels outside the image are black (0), as dlib's. */
#ifndef FACETAG_VISION_ALIGN_H
#define FACETAG_VISION_ALIGN_H

#include "core/error.h"
#include "media/image.h"
#include "vision/crops.h"
#include <stdbool.h>

/* The padding dlib's face recognition example uses for 150 x 150 chips. */
#define ALIGN_DLIB_PADDING 0.25

/* Where a chip lies in the image (dlib's chip_details). */
typedef struct align_chip {
    int size;      /* chip side in pixels (rows = cols) */
    double cx, cy; /* centre of the chip rectangle, image pixels */
    double side;   /* side of the chip rectangle, image pixels (size x scale) */
    double angle;  /* rotation of the chip's x axis in the image, radians (atan2) */
} align_chip;

/* Fits the chip for 68 landmarks in image pixels. size >= 2, padding >= 0, else
 * ERR_INVALID; ERR_INVALID also when the landmarks are degenerate (all fitted
 * points equal or not finite). */
int align_chip_details(const pointd pts[CROPS_NPOINTS], int size, double padding, align_chip *out, err *e);

/* Where dlib's mean face puts landmark i (0..67) in a size x size chip with this
 * padding: true and *out set for the 33 fitted points, false for the others. */
bool align_template(int i, int size, double padding, pointd *out);

/* Image position of chip pixel (u, v) (pixel centres at integers, 0..size-1). */
pointd align_chip_to_image(const align_chip *c, double u, double v);
/* Chip pixel position of an image point (inverse of align_chip_to_image). */
pointd align_image_to_chip(const align_chip *c, pointd p);

/* Samples the chip: writes size*size*3 floats (NHWC RGB, 0..255, not normalised)
 * to out. ERR_NOMEM when the pyramid cannot be allocated. */
int align_extract(const image *img, const align_chip *c, float *out, err *e);

#endif
