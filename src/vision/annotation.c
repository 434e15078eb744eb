/* annotation.c — the per-photo annotation JSON (annotation.h). */
#include "vision/annotation.h"

#include "vision/facejson.h"

#include <stdio.h>

char *annotation_json(const catalog_photo *p, const char *file, const char *model, const pipeline_result *r)
{
    json_t *o = json_object(), *faces = json_array();
    if (!o || !faces) {
        json_decref(o);
        json_decref(faces);
        return NULL;
    }
    json_object_set_new(o, "photo_id", json_string(p->photo_id));
    json_t *jf = file ? json_string(file) : NULL; /* NULL too for a path that is not UTF-8 */
    if (jf)
        json_object_set_new(o, "file", jf);
    json_object_set_new(o, "width", json_integer(p->width));
    json_object_set_new(o, "height", json_integer(p->height));
    json_object_set_new(o, "orig_width", json_integer(p->orig_width));
    json_object_set_new(o, "orig_height", json_integer(p->orig_height));
    if (p->taken_at[0]) {
        json_object_set_new(o, "timestamp", json_string(p->taken_at));
        json_object_set_new(o, "timestamp_source", json_string(p->taken_at_source));
    }
    if (p->sidecar) {
        json_t *s = json_loads(p->sidecar, 0, NULL);
        if (s)
            json_object_set_new(o, "sidecar", s);
    }
    json_object_set_new(o, "model", json_string(model));
    json_object_set_new(o, "rotation", json_integer(r->rotation));
    bool ok = true;
    for (size_t i = 0; ok && i < r->n; i++) {
        const pipeline_face *pf = &r->faces[i];
        json_t *f = facejson_face(pf);
        if (!f) {
            ok = false;
            break;
        }
        json_t *g = json_object(); /* face_no first, then the face's fields */
        char crop[64];
        snprintf(crop, sizeof crop, "%s/%zu.jpg", p->photo_id, i);
        json_object_set_new(g, "face_no", json_integer((json_int_t)i));
        json_object_update(g, f);
        json_decref(f);
        if (pf->has_attributes)
            json_object_set_new(g, "expression", json_string(expression_name(expression_top(pf->expressions))));
        json_object_set_new(g, "crop", json_string(crop));
        ok = json_array_append_new(faces, g) == 0;
    }
    json_object_set_new(o, "faces", faces);
    char *s = ok ? json_dumps(o, FACEJSON_DUMP_FLAGS | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}
