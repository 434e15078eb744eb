/* analyze_face.c — one face's catalog row, crop and the photo's recorded
 * rotation (analyze_face.h). */
#include "analyze/analyze_face.h"

#include "vision/facecrop.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void analyze_face_to_catalog(const pipeline_face *pf, const char *photo_id, int face_no, const char *model,
                             const char *source, catalog_face *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->photo_id, sizeof c->photo_id, "%s", photo_id);
    c->face_no = face_no;
    snprintf(c->model_version, sizeof c->model_version, "%s", model);
    c->box[0] = pf->box.x, c->box[1] = pf->box.y, c->box[2] = pf->box.w, c->box[3] = pf->box.h;
    c->score = pf->score;
    c->has_landmarks = true;
    for (int i = 0; i < 5; i++)
        c->five[i][0] = pf->five[i].x, c->five[i][1] = pf->five[i].y;
    for (int i = 0; i < 68; i++)
        c->points68[i][0] = pf->points68[i].x, c->points68[i][1] = pf->points68[i].y;
    c->has_embedding = true;
    memcpy(c->embedding, pf->embedding, sizeof c->embedding);
    c->has_attributes = pf->has_attributes;
    if (pf->has_attributes) {
        c->age = pf->age;
        snprintf(c->gender, sizeof c->gender, "%s", pf->male ? "male" : "female");
        c->gender_probability = pf->gender_probability;
        for (int i = 0; i < EXPRESSION_COUNT && i < 7; i++)
            c->expressions[i] = pf->expressions[i];
    }
    snprintf(c->source, sizeof c->source, "%s", source);
}

int analyze_face_crop(const image *img, rectd box, int rotation, void **jpeg, size_t *len, err *e)
{
    return facecrop_jpeg(img, box, rotation, jpeg, len, e);
}

int analyze_annotation_rotation(const char *json, size_t len)
{
    if (!json)
        return 0;
    json_t *o = json_loadb(json, len, 0, NULL);
    json_t *r = json_object_get(o, "rotation");
    int rotation = json_is_integer(r) ? (int)json_integer_value(r) : 0;
    json_decref(o);
    return rotation == 90 || rotation == 180 || rotation == 270 ? rotation : 0;
}
