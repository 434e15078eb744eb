/* annotation.h — the per-photo annotation JSON the analyze stage writes to
 * annotations/{photo_id}.json (DESIGN.md "Per-photo annotation JSON"):
 *
 *   {"photo_id", "file" (first source path), "width", "height" (processed image),
 *    "orig_width", "orig_height", "timestamp", "timestamp_source" (when known),
 *    "sidecar" (the captions/metadata read at ingest, when any),
 *    "model" (pipeline_model_version), "rotation" (clockwise degrees that make
 *    the photo upright; boxes stay in the processed image's pixels),
 *    "faces": [{"face_no", "box", "score", "landmarks", "points68", "embedding",
 *               "confidence", "age", "gender", "gender_probability",
 *               "expression" (the most likely), "expressions", "crop" (key in faces/)}]}
 *
 * Later stages (cluster, annotate) add cluster_id / person to the faces. */
#ifndef FACETAG_VISION_ANNOTATION_H
#define FACETAG_VISION_ANNOTATION_H

#include "store/catalog.h"
#include "vision/pipeline.h"

/* The JSON text (malloc'd, caller frees), NULL when out of memory. file may be
 * NULL (no source path known). */
char *annotation_json(const catalog_photo *p, const char *file, const char *model, const pipeline_result *r);

#endif
