/* crops.h — the rectangles face-api cuts out of an image for each network after
 * detection (NOTES §1.2, §4.2, §4.3), computed exactly as the reference does in JS
 * doubles, so that `--compat faceapi` reproduces its integer crops.
 *
 *   detection box ──crops_clip(crops_detection_for_size)──► landmark crop (112)
 *   68 points ──crops_aligned_rect──► alignedRect ──crops_clip(crops_detection_for_size)──► attributes crop (112)
 *   68 points ──crops_descriptor_rect──► dlib square ──crops_clip──► descriptor crop (150)
 *
 * Pure geometry: no allocation, no errors beyond "empty crop". */
#ifndef FACETAG_VISION_CROPS_H
#define FACETAG_VISION_CROPS_H

#include <stdbool.h>

#define CROPS_NPOINTS 68

/* A rectangle in image pixels, as face-api's Box (x, y, width, height) in doubles. */
typedef struct rectd {
    double x, y, w, h;
} rectd;

/* An integer crop: pixels [x, x+w) × [y, y+h) of the image. */
typedef struct crop_rect {
    int x, y, w, h;
} crop_rect;

/* A point in image pixels. */
typedef struct pointd {
    double x, y;
} pointd;

/* face-api's `FaceDetection.forSize(W, H).box`: the pixel box taken to relative
 * coordinates and back, `(x * (1/W)) * W` per coordinate. A FaceDetection's box goes
 * through this before every crop; the round-trip can move a coordinate by one ulp,
 * which decides a floor() when the coordinate is (nearly) an integer. */
rectd crops_detection_for_size(rectd box, int img_w, int img_h);

/* Box.clipAtImageBorders + floor (NOTES §1.2): clips r to the image and floors x, y,
 * w and h separately. Returns false (and leaves *out with w or h <= 0) when the
 * clipped crop is empty, which face-api silently skips. */
bool crops_clip(rectd r, int img_w, int img_h, crop_rect *out);

/* `alignedRect` (NOTES §4.3), the crop for expressions and age/gender: the min bbox
 * of the 68 points (its max starting at 0, as face-api's minBbox does) padded by
 * 20 % of its size, then stored as a FaceDetection (relative to W, H and back).
 * Returns the stored box — the one the golden JSON prints as `alignedRect`; pass it
 * through crops_detection_for_size before crops_clip, as extractFaceTensors does. */
rectd crops_aligned_rect(const pointd pts[CROPS_NPOINTS], int img_w, int img_h);

/* The integer crop expressions and age/gender read (extractFaceTensors of the
 * alignedRect FaceDetection): crops_clip(crops_detection_for_size(
 * crops_aligned_rect(pts))). False when it is empty. */
bool crops_attributes_crop(const pointd pts[CROPS_NPOINTS], int img_w, int img_h, crop_rect *out);

/* face-api's dlib-style descriptor rectangle (NOTES §4.3, `alignDlib`): a square of
 * floor(mean eye-to-mouth distance / 0.45) around the mean of the left-eye, right-eye
 * and mouth centres, at integer x, y. lm_crop_w/h are the dimensions of the landmark
 * crop the points came from (face-api caps the size with them). Pass the result to
 * crops_clip directly (it is a Rect, not a FaceDetection: no round-trip). */
rectd crops_descriptor_rect(const pointd pts[CROPS_NPOINTS], int lm_crop_w, int lm_crop_h);

/* The centre (mean) of pts[first .. first+n-1], summed in order as face-api does. */
pointd crops_center(const pointd *pts, int first, int n);

#endif
