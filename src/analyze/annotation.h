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
 *               "expression" (the most likely), "expressions", "crop" (key in faces/),
 *               "source": "manual" for a face drawn by hand in the review UI}]}
 *
 * Later stages (cluster, annotate) add cluster_id / person to the faces. */
#ifndef FACETAG_ANALYZE_ANNOTATION_H
#define FACETAG_ANALYZE_ANNOTATION_H

#include "store/catalog.h"
#include "vision/pipeline.h"

/* The JSON text (malloc'd, caller frees), NULL when out of memory. file may be
 * NULL (no source path known). */
char *annotation_json(const catalog_photo *p, const char *file, const char *model, const pipeline_result *r);

/* The annotation text json (len bytes; NULL when the photo has none yet: then a
 * new one with photo_id, model and this face only) with face face_no (pf; its
 * crop at faces/{photo_id}/{face_no}.jpg; "source" when source is not NULL)
 * put in its "faces" list: it replaces an entry with the same face_no — one
 * left by a writer killed before its catalog commit, whose face_no the catalog
 * gives out again — else it is appended. For a face added after the analysis
 * (drawn by hand). malloc'd (free()); NULL with e set when json is not an
 * annotation (ERR_FORMAT) or out of memory. */
char *annotation_with_face(const char *json, size_t len, const char *photo_id, const char *model, int face_no,
                           const pipeline_face *pf, const char *source, err *e);

#endif
