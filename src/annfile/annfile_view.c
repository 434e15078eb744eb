/* annfile_view.c — the catalog's view of each photo as an annotation file
 * (annfile_io.h): built from the export document, written one file per photo. */
#include "annfile/annfile_io.h"
#include "annfile/annfile_view_internal.h"
#include "core/fsutil.h"
#include "export/export_json.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

struct annfile_view {
    json_t *doc;
    GHashTable *photos; /* photo_id -> json (borrowed) */
    GHashTable *events; /* gint64 id -> json (borrowed) */
};

static void index_by_id(GHashTable *h, json_t *arr, const char *key)
{
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        gint64 *k = g_new(gint64, 1);
        *k = (gint64)json_integer_value(json_object_get(o, key));
        g_hash_table_insert(h, k, o);
    }
}

int annfile_view_load(catalog *c, annfile_view **out, err *e)
{
    *out = NULL;
    json_t *doc = NULL;
    int rc = export_json_build(c, &doc, e);
    if (rc)
        return rc;
    annfile_view *v = calloc(1, sizeof *v);
    if (!v) {
        json_decref(doc);
        return err_set(e, ERR_NOMEM, "annotation files: out of memory");
    }
    v->doc = doc;
    v->photos = g_hash_table_new(g_str_hash, g_str_equal);
    v->events = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(doc, "photos"), i, p)
        g_hash_table_insert(v->photos, (gpointer)json_string_value(json_object_get(p, "photo_id")), p);
    index_by_id(v->events, json_object_get(doc, "events"), "id");
    *out = v;
    return 0;
}

void annfile_view_free(annfile_view *v)
{
    if (!v)
        return;
    g_hash_table_destroy(v->photos);
    g_hash_table_destroy(v->events);
    json_decref(v->doc);
    free(v);
}

size_t annfile_view_photos(const annfile_view *v)
{
    return json_array_size(json_object_get(v->doc, "photos"));
}

const char *annfile_view_photo_id(const annfile_view *v, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(v->doc, "photos"), i), "photo_id"));
}

json_t *annfile_view_photo(const annfile_view *v, const char *photo_id)
{
    return g_hash_table_lookup(v->photos, photo_id);
}

json_t *annfile_view_event(const annfile_view *v, int64_t id)
{
    gint64 k = id;
    return g_hash_table_lookup(v->events, &k);
}

/* o's member k, or null: json_pack's "O" wants a value */
static json_t *get(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return v ? v : json_null();
}

static json_t *face_file(json_t *f)
{
    const char *status = json_string_value(get(f, "name_status"));
    json_t *name = get(f, "name");
    json_t *sugs = get(f, "suggestions");
    json_t *person = json_null();
    if (name && json_is_string(name)) {
        json_t *conf = json_real(1.0);
        if (status && strcmp(status, "suggested") == 0) { /* the suggestion it came from */
            size_t k;
            json_t *s;
            json_array_foreach(sugs, k, s) if (json_equal(get(s, "name"), name))
            {
                json_decref(conf);
                conf = json_incref(get(s, "confidence"));
                break;
            }
        }
        person = json_pack("{s:O,s:o,s:s}", "label", name, "confidence", conf, "source",
                           status && strcmp(status, "confirmed") == 0 ? "confirmed" : "suggested");
    }
    json_t *out =
        json_pack("{s:O,s:O,s:O,s:O,s:O,s:s?,s:o,s:O}", "face_id", get(f, "face_id"), "face_no", get(f, "face_no"),
                  "box", get(f, "box"), "score", get(f, "score"), "cluster_id", get(f, "person_id"), "status",
                  json_string_value(get(f, "status")), "person", person, "suggestions", sugs);
    return out;
}

json_t *annfile_build(const annfile_view *v, const char *photo_id)
{
    json_t *p = annfile_view_photo(v, photo_id);
    if (!p)
        return NULL;
    json_t *paths = get(p, "paths");
    json_t *place = get(p, "place");
    json_t *place_file = json_null();
    if (json_is_object(place))
        place_file = json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", get(place, "name"), "country", get(place, "country"),
                               "lat", get(place, "lat"), "lon", get(place, "lon"), "source", get(p, "place_source"));
    json_t *event_file = json_null();
    json_t *eid = get(p, "event_id");
    json_t *ev = json_is_integer(eid) ? annfile_view_event(v, (int64_t)json_integer_value(eid)) : NULL;
    if (ev) {
        json_t *evp = get(ev, "place");
        event_file = json_pack(
            "{s:O,s:O,s:O,s:o,s:O}", "id", get(ev, "id"), "name", get(ev, "name"), "date", get(ev, "date"), "place",
            json_is_object(evp) ? json_incref(get(evp, "name")) : json_null(), "source", get(ev, "source"));
    }
    json_t *faces = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(get(p, "faces"), i, f) json_array_append_new(faces, face_file(f));
    /* a frame of a contact sheet or video has no path of its own: its file is
     * the one it was cut from, and frame_of says which frame */
    json_t *frame_of = json_object_get(p, "frame_of");
    json_t *from = json_array_size(paths) ? paths : json_object_get(frame_of, "paths");
    json_t *out = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:o,s:o}", "photo_id", get(p, "photo_id"), "file",
                            json_array_size(from) ? json_array_get(from, json_array_size(from) - 1) : json_null(),
                            "paths", paths, "width", get(p, "width"), "height", get(p, "height"), "caption",
                            get(p, "caption") ? get(p, "caption") : json_null(), "date", get(p, "date"), "place",
                            place_file, "event", event_file, "faces", faces);
    if (out && json_is_object(frame_of)) {
        json_t *fo = json_copy(frame_of);
        if (fo)
            json_object_del(fo, "paths");
        json_object_set_new(out, "frame_of", fo ? fo : json_null());
    }
    return out;
}

int annfile_write_dir(const annfile_view *v, const char *dir, size_t *written, err *e)
{
    *written = 0;
    int rc = fsutil_mkdirs(dir, e);
    size_t n = annfile_view_photos(v);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *id = annfile_view_photo_id(v, i);
        json_t *file = annfile_build(v, id);
        char *text = file ? json_dumps(file, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(file);
        if (!text)
            return err_set(e, ERR_NOMEM, "annotation files: out of memory");
        char *path = g_strdup_printf("%s/%s.json", dir, id);
        size_t len = strlen(text);
        text[len] = '\0';
        char *withnl = g_strdup_printf("%s\n", text);
        rc = fsutil_write_atomic(path, withnl, len + 1, e);
        g_free(withnl);
        g_free(path);
        free(text);
        if (rc == 0)
            (*written)++;
    }
    return rc;
}
