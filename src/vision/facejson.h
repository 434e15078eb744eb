/* facejson.h — a pipeline face as JSON, in the shape of the issue's `detect`
 * output and of the per-photo annotation JSON (DESIGN.md): box [x,y,w,h],
 * score, landmarks {left_eye,right_eye,nose,mouth_left,mouth_right: [x,y]},
 * points68 [[x,y] x 68], embedding [128], confidence (= score), and with
 * attributes age, gender, gender_probability, expressions {neutral..surprised}. */
#ifndef FACETAG_VISION_FACEJSON_H
#define FACETAG_VISION_FACEJSON_H

#include "vision/pipeline.h"

#include <jansson.h>

/* jansson flags for every facetag face JSON: compact, 9 significant digits
 * (float32 values exactly, a thousandth of a pixel on large scans). */
#define FACEJSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(9))

/* A new JSON object for f (caller json_decref's), NULL when out of memory. */
json_t *facejson_face(const pipeline_face *f);

/* The `facetag detect` line for one image, without the newline:
 * {"file":..,"width":W,"height":H,"faces":[facejson_face...]}. malloc'd (free()),
 * NULL when out of memory. */
char *facejson_detect_line(const char *file, int width, int height, const pipeline_result *r);

#endif
