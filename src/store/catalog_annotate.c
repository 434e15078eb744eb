/* catalog_annotate.c — the annotate stage's SQL (see catalog_annotate.h). */
#include "store/catalog_annotate.h"
#include "store/catalog_internal.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(catalog *c, const char *what, err *e)
{
    return catalog_db_error(catalog_sqlite(c), catalog_path(c), what, e);
}

static sqlite3_stmt *prep(catalog *c, const char *sql, const char *what, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &st, NULL) != SQLITE_OK) {
        fail(c, what, e);
        return NULL;
    }
    return st;
}

static const char *txt(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Steps st to the end; each row to row(); finalizes. */
#define EACH(c, st, what, e, ROW)                                                                                      \
    do {                                                                                                               \
        int step_, rc_ = 0;                                                                                            \
        while ((step_ = sqlite3_step(st)) == SQLITE_ROW) {                                                             \
            rc_ = (ROW);                                                                                               \
            if (rc_)                                                                                                   \
                break;                                                                                                 \
        }                                                                                                              \
        if (rc_ == 0 && step_ != SQLITE_DONE && step_ != SQLITE_ROW)                                                   \
            rc_ = fail(c, what, e);                                                                                    \
        sqlite3_finalize(st);                                                                                          \
        return rc_;                                                                                                    \
    } while (0)

int catalog_ann_each_photo(catalog *c, catalog_ann_photo_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT photo_id, taken_at, taken_at_source, sidecar FROM photos ORDER BY photo_id",
                            "annotate: read photos", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read photos", e, fn(txt(st, 0), txt(st, 1), txt(st, 2), txt(st, 3), ud));
}

int catalog_ann_each_source(catalog *c, catalog_ann_source_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st =
        prep(c, "SELECT photo_id, path FROM photo_sources ORDER BY photo_id, id", "annotate: read source paths", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read source paths", e, fn(txt(st, 0), txt(st, 1), ud));
}

int catalog_ann_each_face(catalog *c, catalog_ann_face_fn fn, void *ud, err *e)
{
    /* the current analysis of each photo: the model version of its newest done run */
    sqlite3_stmt *st =
        prep(c,
             "WITH cur AS (SELECT photo_id, model_version FROM analysis_runs r "
             "  WHERE status = 'done' AND rowid = (SELECT max(rowid) FROM analysis_runs r2 "
             "  WHERE r2.photo_id = r.photo_id AND r2.status = 'done')) "
             "SELECT f.id, f.photo_id, f.box_x, f.box_y, f.box_w, f.box_h, f.person_id, f.status "
             "FROM faces f JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version "
             "WHERE f.status <> 'rejected' ORDER BY f.photo_id, f.face_no",
             "annotate: read faces", e);
    if (!st)
        return e->code;
    double box[4];
    EACH(c, st, "annotate: read faces", e,
         (box[0] = sqlite3_column_double(st, 2), box[1] = sqlite3_column_double(st, 3),
          box[2] = sqlite3_column_double(st, 4), box[3] = sqlite3_column_double(st, 5),
          fn(sqlite3_column_int64(st, 0), txt(st, 1), box, sqlite3_column_int64(st, 6), txt(st, 7), ud)));
}

int catalog_ann_each_named_person(catalog *c, catalog_ann_person_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT id, name FROM persons WHERE name IS NOT NULL AND name <> '' ORDER BY id",
                            "annotate: read person names", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read person names", e, fn(sqlite3_column_int64(st, 0), txt(st, 1), ud));
}

int catalog_ann_each_decided(catalog *c, catalog_ann_decided_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT person_id, 0, label, status FROM person_suggestions WHERE status <> 'open' "
                            "UNION ALL SELECT 0, face_id, label, status FROM face_suggestions WHERE status <> 'open'",
                            "annotate: read decided suggestions", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read decided suggestions", e,
         fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), txt(st, 2), txt(st, 3), ud));
}

/* One name_rejections row: its faces from their JSON array. */
static int rejection_row(sqlite3_stmt *st, catalog_ann_rejection_fn fn, void *ud)
{
    json_t *a = json_loads(txt(st, 1), 0, NULL);
    size_t n = json_array_size(a);
    int64_t *faces = malloc((n + 1) * sizeof *faces);
    if (!faces) {
        json_decref(a);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        faces[i] = (int64_t)json_integer_value(json_array_get(a, i));
    json_decref(a);
    int rc = fn(txt(st, 0), faces, n, ud);
    free(faces);
    return rc;
}

int catalog_ann_each_name_rejection(catalog *c, catalog_ann_rejection_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT r.label, (SELECT json_group_array(face_id) FROM name_rejection_faces "
                            "WHERE rejection_id = r.id) FROM name_rejections r ORDER BY r.id",
                            "annotate: read rejected names", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read rejected names", e, rejection_row(st, fn, ud));
}

int catalog_ann_each_human(catalog *c, catalog_ann_human_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT photo_id, date_value, date_precision, date_source = 'human', "
                            "ifnull(place_id, 0), place_source = 'human', ifnull(event_id, 0), "
                            "event_source = 'human' FROM photo_annotations "
                            "WHERE date_source = 'human' OR place_source = 'human' OR event_source = 'human' "
                            "ORDER BY photo_id",
                            "annotate: read people's dates and places", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read people's dates and places", e,
         fn(txt(st, 0), txt(st, 1), txt(st, 2), sqlite3_column_int(st, 3) == 1, sqlite3_column_int64(st, 4),
            sqlite3_column_int(st, 5) == 1, sqlite3_column_int64(st, 6), sqlite3_column_int(st, 7) == 1, ud));
}

int catalog_ann_each_parse(catalog *c, catalog_ann_parse_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st =
        prep(c, "SELECT photo_id, inputs, context, parse FROM photo_parse", "annotate: read the parse cache", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read the parse cache", e, fn(txt(st, 0), txt(st, 1), txt(st, 2), txt(st, 3), ud));
}

/* A writer: one prepared statement run again and again, inside the struct
 * the header names (its first and only member, so the two convert). */
typedef struct ann_writer {
    catalog *c;
    sqlite3_stmt *st;
} ann_writer;

/* size: sizeof the header's struct. NULL with e set on failure. */
static ann_writer *writer_open(size_t size, catalog *c, const char *sql, const char *what, err *e)
{
    ann_writer *w = calloc(1, size);
    if (!w) {
        err_set(e, ERR_NOMEM, "annotate: out of memory");
        return NULL;
    }
    w->c = c;
    w->st = prep(c, sql, what, e);
    if (!w->st) {
        free(w);
        return NULL;
    }
    return w;
}

/* Runs w's bound statement once; reset after, so it holds no snapshot. */
static int writer_step(ann_writer *w, const char *what, err *e)
{
    int rc = sqlite3_step(w->st) == SQLITE_DONE ? 0 : fail(w->c, what, e);
    sqlite3_reset(w->st);
    return rc;
}

static void writer_close(ann_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->st);
    free(w);
}

struct catalog_ann_parse_writer {
    ann_writer w;
};

catalog_ann_parse_writer *catalog_ann_parse_writer_open(catalog *c, err *e)
{
    return (catalog_ann_parse_writer *)writer_open(
        sizeof(catalog_ann_parse_writer), c,
        "INSERT INTO photo_parse (photo_id, inputs, context, parse) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (photo_id) DO UPDATE SET inputs = excluded.inputs, context = excluded.context, "
        "parse = excluded.parse",
        "annotate: store the parse cache", e);
}

int catalog_ann_parse_put(catalog_ann_parse_writer *w, const char *photo_id, const char *inputs, const char *context,
                          const char *parse, err *e)
{
    sqlite3_stmt *st = w->w.st;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inputs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, context, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, parse, -1, SQLITE_STATIC);
    return writer_step(&w->w, "annotate: store the parse cache", e);
}

void catalog_ann_parse_writer_close(catalog_ann_parse_writer *w)
{
    writer_close(w ? &w->w : NULL);
}

int catalog_ann_each_stored(catalog *c, catalog_ann_stored_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT photo_id, ifnull(date_value, '') || '|' || ifnull(date_precision, '') || '|' || "
                            "ifnull(date_source, '') || '|' || date_inferred || '|' || ifnull(place_id, 0) || '|' || "
                            "ifnull(place_source, '') || '|' || ifnull(event_id, 0) || '|' || ifnull(evidence, '') "
                            "FROM photo_annotations",
                            "annotate: read stored annotations", e);
    if (!st)
        return e->code;
    EACH(c, st, "annotate: read stored annotations", e, fn(txt(st, 0), txt(st, 1), ud));
}

int catalog_ann_fingerprint(catalog *c, char *buf, size_t size, err *e)
{
    sqlite3_stmt *st =
        prep(c,
             "SELECT (SELECT count(*) || '.' || ifnull(max(updated_at), '') FROM photos), "
             "(SELECT count(*) || '.' || ifnull(max(id), 0) FROM photo_sources), "
             "(SELECT count(*) || '.' || total(length(text)) || '.' || total(confidence) FROM photo_texts) "
             "  || '.' || (SELECT count(front_id) FROM photo_backs), "
             "(SELECT count(*) || '.' || ifnull(max(id), 0) || '.' || total(person_id) || '.' "
             "  || total(status = 'rejected') FROM faces), "
             "(SELECT count(*) || '.' || ifnull(max(id), 0) FROM decisions), "
             "(SELECT count(*) || '.' || total(length(name)) || '.' || ifnull(max(updated_at), '') "
             "  FROM persons), "
             "(SELECT count(*) FROM person_suggestions WHERE status <> 'open') || '.' || "
             "(SELECT count(*) FROM face_suggestions WHERE status <> 'open'), "
             "(SELECT count(*) || '.' || ifnull(max(updated_at), '') FROM photo_annotations "
             "  WHERE date_source = 'human' OR place_source = 'human' OR event_source = 'human') "
             "  || '.' || (SELECT changes FROM annotate_inputs)",
             "annotate: fingerprint", e);
    if (!st)
        return e->code;
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(buf, size, "%s|%s|%s|%s|%s|%s|%s|%s", txt(st, 0), txt(st, 1), txt(st, 2), txt(st, 3),
                         txt(st, 4), txt(st, 5), txt(st, 6), txt(st, 7));
        if (n < 0 || (size_t)n >= size) /* cut short, a change in its tail would go unseen */
            rc =
                err_set(e, ERR_INTERNAL, "annotate: the fingerprint (%d bytes) does not fit its buffer (%zu)", n, size);
    } else {
        rc = fail(c, "annotate: fingerprint", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_ann_last_fingerprint(catalog *c, char *buf, size_t size, err *e)
{
    sqlite3_stmt *st =
        prep(c, "SELECT fingerprint FROM annotate_runs ORDER BY id DESC LIMIT 1", "annotate: last run", e);
    if (!st)
        return e->code;
    buf[0] = '\0';
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW)
        snprintf(buf, size, "%s", txt(st, 0));
    else if (step != SQLITE_DONE)
        rc = fail(c, "annotate: last run", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_ann_run_put(catalog *c, const catalog_ann_run *r, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "INSERT INTO annotate_runs (fingerprint, full, photos, dated, placed, events, "
                            "suggestions, seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            "annotate: record the run", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, r->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, r->full);
    sqlite3_bind_int64(st, 3, r->photos);
    sqlite3_bind_int64(st, 4, r->dated);
    sqlite3_bind_int64(st, 5, r->placed);
    sqlite3_bind_int64(st, 6, r->events);
    sqlite3_bind_int64(st, 7, r->suggestions);
    sqlite3_bind_double(st, 8, r->seconds > 0 ? r->seconds : 0);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(c, "annotate: record the run", e);
    sqlite3_finalize(st);
    return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int catalog_ann_place_id(catalog *c, const char *name, const char *country, int64_t geonames_id, double lat, double lon,
                         const char *source, int64_t *id, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "INSERT INTO places (name, country, geonames_id, lat, lon, source) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET "
                            "country = coalesce(excluded.country, country), "
                            "geonames_id = coalesce(excluded.geonames_id, geonames_id), "
                            "lat = coalesce(excluded.lat, lat), lon = coalesce(excluded.lon, lon), "
                            "source = coalesce(source, excluded.source) RETURNING id",
                            "annotate: store a place", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 2, country);
    if (geonames_id > 0)
        sqlite3_bind_int64(st, 3, geonames_id);
    else
        sqlite3_bind_null(st, 3);
    if (isfinite(lat) && isfinite(lon)) {
        sqlite3_bind_double(st, 4, lat);
        sqlite3_bind_double(st, 5, lon);
    } else {
        sqlite3_bind_null(st, 4);
        sqlite3_bind_null(st, 5);
    }
    bind_text_or_null(st, 6, source);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = fail(c, "annotate: store a place", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_ann_event_put(catalog *c, const char *key, const char *name, int year, const char *date_value,
                          const char *date_precision, int64_t place_id, const char *source, int64_t *id, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "INSERT INTO events (key, name, year, date_value, date_precision, location_id, source) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) WHERE key IS NOT NULL DO UPDATE SET "
                            "name = excluded.name, year = excluded.year, date_value = excluded.date_value, "
                            "date_precision = excluded.date_precision, location_id = excluded.location_id, "
                            "source = excluded.source RETURNING id",
                            "annotate: store an event", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    if (year > 0)
        sqlite3_bind_int(st, 3, year);
    else
        sqlite3_bind_null(st, 3);
    bind_text_or_null(st, 4, date_value);
    bind_text_or_null(st, 5, date_precision);
    if (place_id > 0)
        sqlite3_bind_int64(st, 6, place_id);
    else
        sqlite3_bind_null(st, 6);
    bind_text_or_null(st, 7, source);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = fail(c, "annotate: store an event", e);
    sqlite3_finalize(st);
    return rc;
}

/* ids as a JSON array text for json_each; malloc'd */
static char *id_array(const int64_t *ids, size_t n)
{
    char *buf = malloc(n * 21 + 3);
    if (!buf)
        return NULL;
    size_t o = 0;
    buf[o++] = '[';
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(buf + o, "%s%lld", i ? "," : "", (long long)ids[i]);
    buf[o++] = ']';
    buf[o] = '\0';
    return buf;
}

static char *keys_json(const char *const *keys, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(keys[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}

int catalog_ann_events_prepare(catalog *c, const char *source, const char *const *keys, size_t n,
                               const char *const *changed, size_t nc, err *e)
{
    char *text = keys_json(keys, n), *ch = keys_json(changed, nc);
    if (!text || !ch) {
        free(text);
        free(ch);
        return err_set(e, ERR_NOMEM, "annotate: out of memory");
    }
    const char *sql[2] = {
        "DELETE FROM events WHERE source = ?1 AND (key IS NULL OR key NOT IN (SELECT value FROM json_each(?2)))",
        "UPDATE events SET name = key WHERE source = ?1 AND key IN (SELECT value FROM json_each(?2))"
    };
    int rc = 0;
    for (int k = 0; rc == 0 && k < 2; k++) {
        if (k == 1 && nc == 0)
            break;
        sqlite3_stmt *st = prep(c, sql[k], "annotate: prepare events", e);
        if (!st) {
            rc = e->code;
            break;
        }
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, k == 0 ? text : ch, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fail(c, "annotate: prepare events", e);
        sqlite3_finalize(st);
    }
    free(text);
    free(ch);
    return rc;
}

int catalog_ann_each_event(catalog *c, const char *source, catalog_ann_event_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT key, id, key || '|' || name || '|' || ifnull(year, 0) || '|' || "
                            "ifnull(date_value, '') || '|' || ifnull(date_precision, '') || '|' || "
                            "ifnull(location_id, 0) FROM events WHERE source = ?1 AND key IS NOT NULL",
                            "annotate: read stored events", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    EACH(c, st, "annotate: read stored events", e, fn(txt(st, 0), sqlite3_column_int64(st, 1), txt(st, 2), ud));
}

int catalog_ann_each_renamed_event(catalog *c, const char *source, catalog_ann_renamed_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT key, name FROM events WHERE source = ?1 AND key IS NOT NULL "
                            "AND name_source = 'human'",
                            "annotate: read events people renamed", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    EACH(c, st, "annotate: read events people renamed", e, fn(txt(st, 0), txt(st, 1), ud));
}

int catalog_ann_each_other_event(catalog *c, const char *source, catalog_ann_event_name_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT name, ifnull(year, 0) FROM events WHERE source IS NOT ?1",
                            "annotate: read events people made", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    EACH(c, st, "annotate: read events people made", e, fn(txt(st, 0), sqlite3_column_int(st, 1), ud));
}

struct catalog_ann_photo_writer {
    ann_writer w;
};

catalog_ann_photo_writer *catalog_ann_photo_writer_open(catalog *c, err *e)
{
    return (catalog_ann_photo_writer *)writer_open(
        sizeof(catalog_ann_photo_writer), c,
        "INSERT INTO photo_annotations (photo_id, date_value, date_precision, date_source, date_inferred, place_id, "
        "place_source, event_id, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
        "ON CONFLICT (photo_id) DO UPDATE SET "
        "date_value = CASE WHEN date_source = 'human' THEN date_value ELSE excluded.date_value END, "
        "date_precision = CASE WHEN date_source = 'human' THEN date_precision ELSE excluded.date_precision END, "
        "date_inferred = CASE WHEN date_source = 'human' THEN date_inferred ELSE excluded.date_inferred END, "
        "date_source = CASE WHEN date_source = 'human' THEN date_source ELSE excluded.date_source END, "
        "place_id = CASE WHEN place_source = 'human' THEN place_id ELSE excluded.place_id END, "
        "place_source = CASE WHEN place_source = 'human' THEN place_source ELSE excluded.place_source END, "
        "event_id = CASE WHEN event_source = 'human' THEN event_id ELSE excluded.event_id END, evidence = "
        "excluded.evidence, "
        "updated_at = "
        "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
        "WHERE date_value IS NOT excluded.date_value OR date_precision IS NOT excluded.date_precision "
        "OR date_source IS NOT excluded.date_source OR date_inferred IS NOT excluded.date_inferred "
        "OR place_id IS NOT excluded.place_id OR place_source IS NOT excluded.place_source "
        "OR event_id IS NOT excluded.event_id OR evidence IS NOT excluded.evidence",
        "annotate: store a photo's annotation", e);
}

void catalog_ann_photo_writer_close(catalog_ann_photo_writer *w)
{
    writer_close(w ? &w->w : NULL);
}

int catalog_ann_photo_put(catalog_ann_photo_writer *w, const catalog_ann_photo_row *r, err *e)
{
    sqlite3_stmt *st = w->w.st;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, r->photo_id, -1, SQLITE_STATIC);
    bind_text_or_null(st, 2, r->date_value);
    bind_text_or_null(st, 3, r->date_value ? r->date_precision : NULL);
    bind_text_or_null(st, 4, r->date_value ? r->date_source : NULL);
    sqlite3_bind_int(st, 5, r->date_value && r->date_inferred);
    if (r->place_id > 0) {
        sqlite3_bind_int64(st, 6, r->place_id);
        bind_text_or_null(st, 7, r->place_source);
    } else {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    }
    if (r->event_id > 0)
        sqlite3_bind_int64(st, 8, r->event_id);
    else
        sqlite3_bind_null(st, 8);
    bind_text_or_null(st, 9, r->evidence);
    return writer_step(&w->w, "annotate: store a photo's annotation", e);
}

int catalog_ann_suggestions_put(catalog *c, int64_t person_id, int64_t face_id, const char *source,
                                const char *const *labels, const double *conf, const char *const *evidence, size_t n,
                                err *e)
{
    bool person = person_id > 0;
    const char *del = person ? "DELETE FROM person_suggestions WHERE person_id = ?1 AND source = ?2 AND status = 'open'"
                             : "DELETE FROM face_suggestions WHERE face_id = ?1 AND source = ?2 AND status = 'open'";
    const char *ins = person ? "INSERT INTO person_suggestions (person_id, label, confidence, source, evidence) "
                               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"
                             : "INSERT INTO face_suggestions (face_id, label, confidence, source, evidence) "
                               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";
    sqlite3_stmt *d = prep(c, del, "annotate: replace name suggestions", e);
    if (!d)
        return e->code;
    sqlite3_bind_int64(d, 1, person ? person_id : face_id);
    sqlite3_bind_text(d, 2, source, -1, SQLITE_STATIC);
    int rc = sqlite3_step(d) == SQLITE_DONE ? 0 : fail(c, "annotate: replace name suggestions", e);
    sqlite3_finalize(d);
    if (rc || n == 0)
        return rc;
    sqlite3_stmt *st = prep(c, ins, "annotate: store name suggestions", e);
    if (!st)
        return e->code;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, person ? person_id : face_id);
        sqlite3_bind_text(st, 2, labels[i], -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, conf[i] < 0 ? 0 : conf[i] > 1 ? 1 : conf[i]);
        sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
        bind_text_or_null(st, 5, evidence ? evidence[i] : NULL);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fail(c, "annotate: store name suggestions", e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_ann_suggestions_prune(catalog *c, const char *source, const int64_t *persons, size_t np,
                                  const int64_t *faces, size_t nf, err *e)
{
    char *pa = id_array(persons, np), *fa = id_array(faces, nf);
    int rc = 0;
    if (!pa || !fa)
        rc = err_set(e, ERR_NOMEM, "annotate: out of memory");
    const char *sql[2] = { "DELETE FROM person_suggestions WHERE source = ?1 AND status = 'open' AND person_id NOT IN "
                           "(SELECT value FROM json_each(?2))",
                           "DELETE FROM face_suggestions WHERE source = ?1 AND status = 'open' AND face_id NOT IN "
                           "(SELECT value FROM json_each(?2))" };
    for (int k = 0; rc == 0 && k < 2; k++) {
        sqlite3_stmt *st = prep(c, sql[k], "annotate: remove old suggestions", e);
        if (!st) {
            rc = e->code;
            break;
        }
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, k ? fa : pa, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fail(c, "annotate: remove old suggestions", e);
        sqlite3_finalize(st);
    }
    free(pa);
    free(fa);
    return rc;
}

int catalog_ann_each_open_suggestion(catalog *c, const char *source, catalog_ann_open_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prep(c,
                            "SELECT person_id, 0, label, confidence, evidence FROM person_suggestions "
                            "WHERE source = ?1 AND status = 'open' UNION ALL "
                            "SELECT 0, face_id, label, confidence, evidence FROM face_suggestions "
                            "WHERE source = ?1 AND status = 'open'",
                            "annotate: read open suggestions", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    EACH(c, st, "annotate: read open suggestions", e,
         fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), txt(st, 2), sqlite3_column_double(st, 3),
            txt(st, 4), ud));
}
