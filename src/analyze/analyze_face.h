/* analyze_face.h — what the analyze stage makes of one face found or drawn on
 * a photo, shared by `facetag analyze` and the review's drawn faces
 * (review/draw.c), so both write the same rows, crops and annotation entries:
 *  - the catalog row of a pipeline face (box, landmarks, descriptor,
 *    attributes) with its source ("detector" or "manual");
 *  - the face crop for faces/{photo_id}/{face_no}.jpg (vision/facecrop.h:
 *    margin FACECROP_MARGIN of the longer side, turned upright by the photo's
 *    rotation);
 *  - the photo's rotation as its annotation JSON recorded it. */
#ifndef FACETAG_ANALYZE_ANALYZE_FACE_H
#define FACETAG_ANALYZE_ANALYZE_FACE_H

#include "core/error.h"
#include "media/image.h"
#include "store/catalog.h"
#include "vision/pipeline.h"

#include <stddef.h>

/* Fills *out (cleared first) from pf: face_no, model and source as given. */
void analyze_face_to_catalog(const pipeline_face *pf, const char *photo_id, int face_no, const char *model,
                             const char *source, catalog_face *out);

/* The crop of box in img (processed pixels), turned upright by rotation
 * (clockwise degrees: 0, 90, 180, 270); *jpeg malloc'd (caller frees).
 * Errors as facecrop_jpeg. */
int analyze_face_crop(const image *img, rectd box, int rotation, void **jpeg, size_t *len, err *e);

/* The "rotation" an annotation JSON (len bytes) records; 0 when json is NULL,
 * not JSON or has none. */
int analyze_annotation_rotation(const char *json, size_t len);

#endif
