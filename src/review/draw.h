/* draw.h — a face the detector missed, drawn by a person in the UI: the vision
 * pipeline describes the box (68 landmarks, descriptor, age/gender,
 * expression: pipeline_describe_box), a crop with margin goes to the faces
 * bucket, the face is added to annotations/{photo_id}.json ("source":
 * "manual") and to the photo's current analysis as a 'manual' face, logged as
 * a 'draw' decision (persons_log_draw) and, when a name is given, named — all
 * in one catalog transaction.
 *
 * The networks are loaded on the first drawing (they are not needed to serve
 * anything else) and shared by all later ones; drawings run one at a time. */
#ifndef FACETAG_REVIEW_DRAW_H
#define FACETAG_REVIEW_DRAW_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"

#include <stdint.h>

typedef struct draw_engine draw_engine;

/* Nothing is loaded yet; models_dir is used on the first draw_face. */
draw_engine *draw_engine_new(const char *models_dir);
void draw_engine_free(draw_engine *d);

/* Adds the face drawn at box (x, y, w, h in processed-image pixels) to photo_id.
 * ERR_NOTFOUND for an unknown photo or a missing processed image; ERR_CONFLICT
 * when the photo has not been analysed yet (there is no analysis to add to);
 * ERR_INVALID for a box under 8 px or outside the image, or a bad name;
 * ERR_MODEL when the networks cannot be loaded. *face_id gets the new face. */
int draw_face(draw_engine *d, catalog *c, objstore *os, const char *actor, const char *photo_id, const double box[4],
              const char *name, int64_t *face_id, err *e);

#endif
