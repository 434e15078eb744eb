/* annotation.c — the per-photo annotation JSON (annotation.h). */
#include "analyze/annotation.h"

#include "vision/facejson.h"

#include <stdio.h>

/* One entry of "faces": face_no first, then the face's fields, the top
 * expression, the crop's key and, when given, source. NULL when out of memory. */
static json_t *face_entry(const char *photo_id, int face_no, const pipeline_face *pf, const char *source)
{
    json_t *f = facejson_face(pf), *g = json_object();
    if (!f || !g) {
        json_decref(f);
        json_decref(g);
        return NULL;
    }
    char crop[64];
    snprintf(crop, sizeof crop, "%s/%d.jpg", photo_id, face_no);
    json_object_set_new(g, "face_no", json_integer(face_no));
    json_object_update(g, f);
    json_decref(f);
    if (pf->has_attributes)
        json_object_set_new(g, "expression", json_string(expression_name(expression_top(pf->expressions))));
    json_object_set_new(g, "crop", json_string(crop));
    if (source)
        json_object_set_new(g, "source", json_string(source));
    return g;
}

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
        json_t *g = face_entry(p->photo_id, (int)i, &r->faces[i], NULL);
        ok = g && json_array_append_new(faces, g) == 0;
    }
    json_object_set_new(o, "faces", faces);
    char *s = ok ? json_dumps(o, FACEJSON_DUMP_FLAGS | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}

char *annotation_with_face(const char *json, size_t len, const char *photo_id, const char *model, int face_no,
                           const pipeline_face *pf, const char *source, err *e)
{
    json_t *o;
    if (json) {
        json_error_t je;
        o = json_loadb(json, len, 0, &je);
        if (!o)
            err_set(e, ERR_FORMAT, "annotations/%s.json: not JSON (%s, line %d)", photo_id, je.text, je.line);
        else if (!json_is_object(o) || !json_is_array(json_object_get(o, "faces"))) {
            json_decref(o);
            o = NULL;
            err_set(e, ERR_FORMAT, "annotations/%s.json: not an annotation (no \"faces\" list)", photo_id);
        }
        if (!o)
            return NULL;
    } else {
        o = json_pack("{s:s, s:s, s:[]}", "photo_id", photo_id, "model", model, "faces");
        if (!o) {
            err_set(e, ERR_NOMEM, "out of memory writing the annotation of %s", photo_id);
            return NULL;
        }
    }
    json_t *faces = json_object_get(o, "faces"), *g = face_entry(photo_id, face_no, pf, source);
    size_t at = json_array_size(faces), i;
    json_t *old;
    json_array_foreach(faces, i, old)
    {
        json_t *no = json_object_get(old, "face_no");
        if (json_is_integer(no) && json_integer_value(no) == face_no)
            at = i;
    }
    int rc = !g ? -1 : at < json_array_size(faces) ? json_array_set_new(faces, at, g) : json_array_append_new(faces, g);
    char *out = rc == 0 ? json_dumps(o, FACEJSON_DUMP_FLAGS | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!out)
        err_set(e, ERR_NOMEM, "out of memory writing the annotation of %s", photo_id);
    return out;
}
