/* export_json.c — assembling the export document from catalog_export.h's rows. */
#include "export/export_json.h"
#include "store/catalog_annotate.h"
#include "store/catalog_export.h"
#include "store/catalog_frames.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct ctx {
    json_t *photos, *persons, *events, *places;
    GHashTable *photo_by_id;  /* photo_id -> json (borrowed) */
    GHashTable *person_by_id; /* gint64* -> json (borrowed) */
    GHashTable *place_by_id;
    GHashTable *face_sugs; /* gint64* -> json array (owned ref) */
    json_t *cur_photo;     /* faces are added photo by photo */
} ctx;

static gint64 *key64(int64_t v)
{
    gint64 *k = malloc(sizeof *k);
    if (k)
        *k = v;
    return k;
}

static int on_place(int64_t id, const char *name, const char *country, int64_t gid, bool has, double lat, double lon,
                    const char *source, void *ud)
{
    ctx *x = ud;
    json_t *p = json_pack("{s:I,s:s,s:s?,s:o,s:o,s:o,s:s?}", "id", (json_int_t)id, "name", name, "country", country,
                          "lat", has ? json_real(lat) : json_null(), "lon", has ? json_real(lon) : json_null(),
                          "geonames_id", gid ? json_integer(gid) : json_null(), "source", source);
    if (!p)
        return ERR_NOMEM;
    json_array_append_new(x->places, p);
    g_hash_table_insert(x->place_by_id, key64(id), p);
    return 0;
}

static json_t *place_ref(ctx *x, int64_t id)
{
    if (!id)
        return json_null();
    json_t *p = g_hash_table_lookup(x->place_by_id, &id);
    if (!p)
        return json_null();
    return json_pack("{s:I,s:O,s:O,s:O,s:O}", "id", (json_int_t)id, "name", json_object_get(p, "name"), "country",
                     json_object_get(p, "country"), "lat", json_object_get(p, "lat"), "lon", json_object_get(p, "lon"));
}

static int on_event(int64_t id, const char *name, const char *dv, const char *dp, int64_t place_id, const char *source,
                    int64_t photos, void *ud)
{
    ctx *x = ud;
    json_t *ev = json_pack("{s:I,s:s,s:o,s:o,s:o,s:s?,s:I}", "id", (json_int_t)id, "name", name, "date",
                           dv ? json_pack("{s:s,s:s?}", "value", dv, "precision", dp) : json_null(), "place_id",
                           place_id ? json_integer(place_id) : json_null(), "place", place_ref(x, place_id), "source",
                           source, "photos", (json_int_t)photos);
    if (!ev)
        return ERR_NOMEM;
    json_array_append_new(x->events, ev);
    return 0;
}

static int on_person(int64_t id, const char *name, bool hidden, int64_t faces, int64_t photos, void *ud)
{
    ctx *x = ud;
    json_t *p = json_pack("{s:I,s:s?,s:s,s:b,s:I,s:I,s:[]}", "id", (json_int_t)id, "name", name, "name_status",
                          name ? "confirmed" : "unnamed", "hidden", hidden, "faces", (json_int_t)faces, "photos",
                          (json_int_t)photos, "suggestions");
    if (!p)
        return ERR_NOMEM;
    json_array_append_new(x->persons, p);
    g_hash_table_insert(x->person_by_id, key64(id), p);
    return 0;
}

static int on_suggestion(int64_t person_id, int64_t face_id, const char *label, double conf, const char *source,
                         const char *evidence, const char *status, void *ud)
{
    ctx *x = ud;
    json_t *ev = evidence ? json_loads(evidence, 0, NULL) : NULL;
    json_t *s = json_pack("{s:s,s:f,s:s,s:o,s:s}", "name", label, "confidence", conf, "source", source, "evidence",
                          ev ? ev : json_array(), "status", status);
    if (!s)
        return ERR_NOMEM;
    if (person_id) {
        json_t *p = g_hash_table_lookup(x->person_by_id, &person_id);
        if (p)
            json_array_append(json_object_get(p, "suggestions"), s);
    } else {
        json_t *a = g_hash_table_lookup(x->face_sugs, &face_id);
        if (!a) {
            a = json_array();
            g_hash_table_insert(x->face_sugs, key64(face_id), a);
        }
        json_array_append(a, s);
    }
    json_decref(s);
    return 0;
}

static int on_photo(const catalog_export_photo *p, void *ud)
{
    ctx *x = ud;
    json_t *date = p->date_value ? json_pack("{s:s,s:s?,s:s?,s:b}", "value", p->date_value, "precision",
                                             p->date_precision, "source", p->date_source, "inferred", p->date_inferred)
                                 : json_null();
    json_t *o = json_pack("{s:s,s:[],s:i,s:i,s:o,s:s?,s:o,s:s?,s:o,s:s?,s:[]}", "photo_id", p->photo_id, "paths",
                          "width", p->width, "height", p->height, "date", date, "timestamp_source",
                          p->date_value ? p->date_source : NULL, "place", place_ref(x, p->place_id), "place_source",
                          p->place_source, "event_id", p->event_id ? json_integer(p->event_id) : json_null(), "caption",
                          p->caption, "faces");
    if (!o)
        return ERR_NOMEM;
    json_array_append_new(x->photos, o);
    g_hash_table_insert(x->photo_by_id, strdup(p->photo_id), o);
    return 0;
}

static int on_source(const char *photo_id, const char *path, void *ud)
{
    ctx *x = ud;
    json_t *p = g_hash_table_lookup(x->photo_by_id, photo_id);
    if (p)
        json_array_append_new(json_object_get(p, "paths"), json_string(path));
    return 0;
}

/* A frame of a contact sheet or a video has no source path of its own: it
 * says where it was cut from (the parent's photo id and paths, the frame
 * number, and for a video the time and scene). Only photos without paths are
 * looked up, so an archive without frames costs nothing more. */
static int add_frames(catalog *c, ctx *x, err *e)
{
    size_t n = json_array_size(x->photos);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(x->photos, i);
        if (json_array_size(json_object_get(p, "paths")) > 0)
            continue;
        catalog_frame f;
        int rc = catalog_frame_get(c, json_string_value(json_object_get(p, "photo_id")), &f, e);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        json_t *parent = g_hash_table_lookup(x->photo_by_id, f.parent_id);
        json_t *paths = parent ? json_copy(json_object_get(parent, "paths")) : json_array();
        json_t *o = json_pack("{s:s,s:s,s:o,s:i}", "photo_id", f.parent_id, "kind", f.kind, "paths", paths, "frame",
                              f.frame_no);
        if (!o)
            return ERR_NOMEM;
        if (strcmp(f.kind, "video") == 0) {
            json_object_set_new(o, "time_ms", f.time_ms >= 0 ? json_integer(f.time_ms) : json_null());
            json_object_set_new(o, "scene", f.scene > 0 ? json_integer(f.scene) : json_null());
        }
        json_object_set_new(p, "frame_of", o);
    }
    return 0;
}

static double face_conf(json_t *f)
{
    const char *st = json_string_value(json_object_get(f, "name_status"));
    if (st && strcmp(st, "confirmed") == 0)
        return 2.0;
    json_t *s =
        json_array_get(json_object_get(f, "suggestions"), (size_t)json_integer_value(json_object_get(f, "_pick")));
    return s ? json_real_value(json_object_get(s, "confidence")) : 0;
}

/* Within one photo no name goes to two faces: the weaker face takes its next
 * suggestion, or none. */
static void unique_names(json_t *photo)
{
    json_t *faces = json_object_get(photo, "faces");
    size_t n = json_array_size(faces);
    for (int round = 0; round < 4; round++) {
        bool changed = false;
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                json_t *fa = json_array_get(faces, a), *fb = json_array_get(faces, b);
                const char *na = json_string_value(json_object_get(fa, "name"));
                const char *nb = json_string_value(json_object_get(fb, "name"));
                if (!na || !nb || strcasecmp(na, nb) != 0)
                    continue;
                json_t *weak = face_conf(fa) >= face_conf(fb) ? fb : fa;
                json_int_t pick = json_integer_value(json_object_get(weak, "_pick")) + 1;
                json_t *s = json_array_get(json_object_get(weak, "suggestions"), (size_t)pick);
                json_object_set_new(weak, "_pick", json_integer(pick));
                if (s && strcmp(json_string_value(json_object_get(weak, "name_status")), "confirmed") != 0) {
                    json_object_set(weak, "name", json_object_get(s, "name"));
                } else {
                    json_object_set_new(weak, "name", json_null());
                    json_object_set_new(weak, "name_status", json_string("unnamed"));
                }
                changed = true;
            }
        if (!changed)
            break;
    }
    for (size_t a = 0; a < n; a++)
        json_object_del(json_array_get(faces, a), "_pick");
}

static int on_face(const catalog_export_face *f, void *ud)
{
    ctx *x = ud;
    json_t *photo = g_hash_table_lookup(x->photo_by_id, f->photo_id);
    if (!photo)
        return 0;
    if (x->cur_photo && x->cur_photo != photo)
        unique_names(x->cur_photo);
    x->cur_photo = photo;
    json_t *sugs = NULL;
    if (f->person_id) {
        json_t *p = g_hash_table_lookup(x->person_by_id, &f->person_id);
        sugs = p ? json_object_get(p, "suggestions") : NULL;
    }
    if (!sugs || json_array_size(sugs) == 0)
        sugs = g_hash_table_lookup(x->face_sugs, &f->id);
    bool rejected = f->status && strcmp(f->status, "rejected") == 0;
    if (rejected)
        sugs = NULL; /* "not this person": no name, no suggestion */
    const char *name = rejected ? NULL : f->person_name, *status = rejected ? "rejected" : "confirmed";
    if (!name && !rejected) {
        json_t *top = json_array_get(sugs, 0);
        name = top ? json_string_value(json_object_get(top, "name")) : NULL;
        status = name ? "suggested" : "unnamed";
    }
    json_t *sa = sugs ? json_incref(sugs) : json_array();
    json_t *o =
        json_pack("{s:I,s:i,s:[f,f,f,f],s:f,s:o,s:s?,s:s?,s:s,s:s,s:o,s:i}", "face_id", (json_int_t)f->id, "face_no",
                  f->face_no, "box", f->box[0], f->box[1], f->box[2], f->box[3], "score", f->score, "person_id",
                  f->person_id ? json_integer(f->person_id) : json_null(), "person_name", f->person_name, "name", name,
                  "name_status", status, "status", f->status, "suggestions", sa, "_pick", 0);
    if (!o)
        return ERR_NOMEM;
    json_array_append_new(json_object_get(photo, "faces"), o);
    return 0;
}

static void person_names(ctx *x)
{
    size_t i;
    json_t *p;
    json_array_foreach(x->persons, i, p)
    {
        if (json_object_get(p, "name") && !json_is_null(json_object_get(p, "name")))
            continue;
        json_t *top = json_array_get(json_object_get(p, "suggestions"), 0);
        json_object_set(p, "name", top ? json_object_get(top, "name") : json_null());
        json_object_set_new(p, "name_status", json_string(top ? "suggested" : "unnamed"));
    }
}

static void free_json(gpointer p)
{
    json_decref(p);
}

int export_json_build(catalog *c, json_t **out, err *e)
{
    ctx x = { .photos = json_array(), .persons = json_array(), .events = json_array(), .places = json_array() };
    x.photo_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    x.person_by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, NULL);
    x.place_by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, NULL);
    x.face_sugs = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free_json);
    int rc = catalog_export_each_place(c, on_place, &x, e);
    if (rc == 0)
        rc = catalog_export_each_event(c, on_event, &x, e);
    if (rc == 0)
        rc = catalog_export_each_person(c, on_person, &x, e);
    if (rc == 0)
        rc = catalog_export_each_suggestion(c, on_suggestion, &x, e);
    if (rc == 0)
        rc = catalog_export_each_photo(c, on_photo, &x, e);
    if (rc == 0)
        rc = catalog_ann_each_source(c, on_source, &x, e);
    if (rc == 0)
        rc = add_frames(c, &x, e);
    if (rc == 0)
        rc = catalog_export_each_face(c, on_face, &x, e);
    if (rc == 0 && x.cur_photo)
        unique_names(x.cur_photo);
    if (rc == ERR_NOMEM && e->code != ERR_NOMEM)
        rc = err_set(e, ERR_NOMEM, "export: out of memory");
    if (rc == 0)
        person_names(&x);
    g_hash_table_destroy(x.photo_by_id);
    g_hash_table_destroy(x.person_by_id);
    g_hash_table_destroy(x.place_by_id);
    g_hash_table_destroy(x.face_sugs);
    if (rc) {
        json_decref(x.photos);
        json_decref(x.persons);
        json_decref(x.events);
        json_decref(x.places);
        return rc;
    }
    *out = json_pack("{s:o,s:o,s:o,s:o}", "photos", x.photos, "persons", x.persons, "events", x.events, "places",
                     x.places);
    if (!*out)
        return err_set(e, ERR_NOMEM, "export: out of memory");
    return 0;
}
