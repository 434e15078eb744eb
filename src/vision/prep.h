/* prep.h — image → network input, exactly as face-api's NetInput.toBatchTensor
 * (NOTES §1.3, §1.4): take an integer crop of the RGB image, pad it to a square
 * with zeros at the crop's native resolution (detectors: all padding after the
 * image, bottom/right; face nets: centred, the extra odd pixel after), resize to
 * size x size with TensorFlow-1 legacy bilinear (alignCorners=false,
 * halfPixelCenters=false, no antialiasing; coordinates in double, result float32,
 * like the tfjs cpu backend), then each network's normalisation.
 *
 * Output tensors are NHWC float32, size*size*3, RGB. The caller owns the output
 * buffer (e.g. nn_runtime_input's buffer) — no allocation here. */
#ifndef FACETAG_VISION_PREP_H
#define FACETAG_VISION_PREP_H

#include "core/error.h"
#include "media/image.h"
#include <stddef.h>

typedef enum prep_pad {
    PREP_PAD_END,    /* detectors: image at top-left, padding bottom or right */
    PREP_PAD_CENTRE, /* face nets: after = round(diff/2), before = diff - after */
} prep_pad;

/* An integer crop rectangle inside the image. */
typedef struct prep_rect {
    int x, y, w, h;
} prep_rect;

/* Writes the padded, resized crop (values 0..255, not normalised) to out
 * (size*size*3 floats). The crop must lie inside the image and be non-empty, and
 * size must be >= 1; otherwise ERR_INVALID naming the rectangle and image size. */
int prep_square(const image *img, prep_rect crop, prep_pad pad, int size, float *out, err *e);

/* The whole image: prep_square with crop (0,0,W,H). */
int prep_square_image(const image *img, prep_pad pad, int size, float *out, err *e);

/* Like prep_square, but antialiased (not face-api compatible): when the padded
 * square is larger than size, each output pixel is the average over its whole
 * footprint (box filter with fractional edge weights), so large scans keep their
 * small faces instead of sampling 2x2 pixels per output pixel; when it is not
 * larger, this is prep_square. Same geometry as prep_square (output o covers
 * source [o*scale, (o+1)*scale)), so detector boxes map back the same way. */
int prep_square_area(const image *img, prep_rect crop, prep_pad pad, int size, float *out, err *e);

/* The whole image placed at (offx, offy) on a side x side canvas filled with
 * `fill` (0..255 per channel), resized like prep_square — for detecting faces
 * that fill the frame, which the detectors only find with some background
 * around them. ERR_INVALID unless the image fits the canvas. */
int prep_canvas(const image *img, int side, int offx, int offy, const float fill[3], int size, float *out, err *e);

/* dst = src rotated clockwise by degrees (0, 90, 180 or 270); dst is new, the
 * caller frees it with image_free. */
int prep_rotate(const image *src, int degrees, image *dst, err *e);

/* face-api's computeReshapedDimensions: s = size/max(W,H); *rw = round(W*s),
 * *rh = round(H*s) (JS Math.round: halves up), but at least 1. */
void prep_reshaped_dims(int width, int height, int size, int *rw, int *rh);

/* Normalisations, in place over n pixels (3 floats each), float32 arithmetic in
 * the reference's order. */
/* SSD MobileNetV1: x / 127.5 - 1. */
void prep_norm_ssd(float *t, size_t n);
/* (x - mean[ch]) / 255 — tiny detector, landmarks, expression, age/gender, recognition. */
void prep_norm_mean(float *t, size_t n, const float mean[3]);

/* The means used by face-api. */
extern const float PREP_MEAN_TINY[3]; /* 117.001, 114.697, 97.404 */
extern const float PREP_MEAN_FACE[3]; /* 122.782, 117.001, 104.298 */

#endif
