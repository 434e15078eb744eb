/* detection.h — what a face detector returns: boxes in image pixels with a score,
 * in the detector's output order (highest score first for both face-api detectors'
 * NMS). Shared by vision/ssd.h and vision/tinydet.h. */
#ifndef FACETAG_VISION_DETECTION_H
#define FACETAG_VISION_DETECTION_H

#include "core/error.h"
#include "vision/crops.h"
#include <stddef.h>

typedef struct det_face {
    rectd box;    /* pixels of the image the detector saw (face-api's FaceDetection.box) */
    double score; /* 0..1 */
} det_face;

typedef struct det_list {
    det_face *faces; /* n entries, owned; free with det_list_free */
    size_t n, cap;
} det_list;

/* Appends one face; 0 or ERR_NOMEM. */
int det_list_push(det_list *l, det_face f, err *e);
/* Frees the faces and empties the list (reusable afterwards). */
void det_list_free(det_list *l);
/* Intersection over union of two pixel rectangles; 0 when they do not
 * overlap (or either is empty). */
double det_box_iou(rectd a, rectd b);
/* qsort comparator of det_face: highest score first. */
int det_face_cmp_score(const void *a, const void *b);

#endif
