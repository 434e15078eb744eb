/* facejson.c — pipeline faces as JSON (facejson.h). */
#include "vision/facejson.h"

#include "vision/landmarks.h"

static json_t *point(pointd p)
{
    return json_pack("[ff]", p.x, p.y);
}

json_t *facejson_face(const pipeline_face *f)
{
    static const char *const five_keys[5] = { "left_eye", "right_eye", "nose", "mouth_left", "mouth_right" };
    json_t *o = json_object(), *lm = json_object(), *pts = json_array(), *emb = json_array();
    if (!o || !lm || !pts || !emb) {
        json_decref(o), json_decref(lm), json_decref(pts), json_decref(emb);
        return NULL;
    }
    json_object_set_new(o, "box", json_pack("[ffff]", f->box.x, f->box.y, f->box.w, f->box.h));
    json_object_set_new(o, "score", json_real(f->score));
    for (int i = 0; i < 5; i++)
        json_object_set_new(lm, five_keys[i], point(f->five[i]));
    json_object_set_new(o, "landmarks", lm);
    for (int i = 0; i < CROPS_NPOINTS; i++)
        json_array_append_new(pts, point(f->points68[i]));
    json_object_set_new(o, "points68", pts);
    for (int i = 0; i < RECOGNIZER_DIM; i++)
        json_array_append_new(emb, json_real(f->embedding[i]));
    json_object_set_new(o, "embedding", emb);
    json_object_set_new(o, "confidence", json_real(f->score));
    if (f->has_attributes) {
        json_object_set_new(o, "age", json_real(f->age));
        json_object_set_new(o, "gender", json_string(f->male ? "male" : "female"));
        json_object_set_new(o, "gender_probability", json_real(f->gender_probability));
        json_t *ex = json_object();
        for (int k = 0; ex && k < EXPRESSION_COUNT; k++)
            json_object_set_new(ex, expression_name(k), json_real(f->expressions[k]));
        json_object_set_new(o, "expressions", ex);
    }
    return o;
}

char *facejson_detect_line(const char *file, int width, int height, const pipeline_result *r)
{
    json_t *faces = json_array();
    for (size_t i = 0; faces && i < r->n; i++) {
        json_t *f = facejson_face(&r->faces[i]);
        if (!f || json_array_append_new(faces, f) != 0) {
            json_decref(faces);
            return NULL;
        }
    }
    json_t *o = faces
                    ? json_pack("{s:s, s:i, s:i, s:o}", "file", file, "width", width, "height", height, "faces", faces)
                    : NULL;
    char *s = o ? json_dumps(o, FACEJSON_DUMP_FLAGS) : NULL;
    json_decref(o);
    return s;
}
