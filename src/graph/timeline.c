/* timeline.c — timeline.h over catalog_graph_timeline's ordered photos. */
#include "graph/timeline.h"
#include "graph/graph_jsontext.h"
#include "store/catalog_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An entry's key ("event:ID" or "date:DATE:PREC") and date, as text. */
enum { ENTRY_KEY_LEN = 64, ENTRY_DATE_LEN = 40 };

typedef struct builder {
    catalog *c;
    const timeline_options *o;
    json_t *entries, *undated, *cur;
    json_t *events, *places; /* person mode: seen events/places, as objects keyed by id */
    char cur_key[ENTRY_KEY_LEN];
    size_t undated_count;
    bool truncated;
    err *e;
} builder;

/* The part of a date that its precision names ("2019-06-01T12:00:00" at day
 * precision is "2019-06-01"). */
/* Appends s to buf at n, cut as snprintf would (size - 1 bytes at most);
 * returns the new length. By hand: the timeline names an entry per run of
 * photos, and snprintf's format parsing was the largest cost of a year's page
 * after the index itself. */
static size_t put_str(char *buf, size_t size, size_t n, const char *s)
{
    while (*s && n + 1 < size)
        buf[n++] = *s++;
    buf[n] = '\0';
    return n;
}

static size_t put_i64(char *buf, size_t size, size_t n, int64_t v)
{
    char num[24], *end = num + sizeof num - 1, *q = end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    *end = '\0';
    do
        *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--q = '-';
    return put_str(buf, size, n, q);
}

static void date_at_precision(const char *date, const char *prec, char *out, size_t size)
{
    size_t n = strlen(date);
    if (prec && strcmp(prec, "day") == 0 && n > 10)
        n = 10;
    else if (prec && strcmp(prec, "month") == 0 && n > 7)
        n = 7;
    else if (prec && (strcmp(prec, "year") == 0 || strcmp(prec, "decade") == 0) && n > 4)
        n = 4;
    if (n >= size)
        n = size - 1;
    memcpy(out, date, n);
    out[n] = '\0';
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int add_person(int64_t id, const char *name, bool has_age, double age, void *ud)
{
    json_t *people = ud;
    json_t *p = json_pack("{s:I,s:o,s:o}", "id", (json_int_t)id, "name", str_or_null(name), "age",
                          has_age ? json_real((double)(long)(age * 10 + 0.5) / 10) : json_null());
    return p ? json_array_append_new(people, p) : -1;
}

static json_t *photo_json(builder *b, const catalog_timeline_photo *p, bool dated)
{
    json_t *people = json_array();
    json_t *o = dated ? json_pack("{s:s,s:o,s:o,s:o}", "id", p->photo_id, "date", str_or_null(p->date), "precision",
                                  str_or_null(p->precision), "date_source", str_or_null(p->date_source))
                      : json_pack("{s:s}", "id", p->photo_id);
    if (!o || !people || catalog_graph_photo_persons(b->c, p->photo_id, add_person, people, b->e) != 0) {
        json_decref(o);
        json_decref(people);
        return NULL;
    }
    json_object_set_new(o, "people", people);
    return o;
}

static void note_seen(json_t *set, int64_t id, json_t *value)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    if (!json_object_get(set, key))
        json_object_set(set, key, value);
    json_decref(value);
}

/* The entry a photo belongs to: its key ("event:ID", or "date:DATE:PREC")
 * and date, for the event when it has a date, else for the photo; returns
 * the precision of that date. */
static const char *entry_key(const catalog_timeline_photo *p, char key[ENTRY_KEY_LEN], char date[ENTRY_DATE_LEN])
{
    const char *prec = p->event_id && p->event_date ? p->event_precision : p->precision;
    date_at_precision(p->event_id && p->event_date ? p->event_date : p->date, prec, date, ENTRY_DATE_LEN);
    if (p->event_id) {
        put_i64(key, ENTRY_KEY_LEN, put_str(key, ENTRY_KEY_LEN, 0, "event:"), p->event_id);
    } else {
        size_t n = put_str(key, ENTRY_KEY_LEN, 0, "date:");
        n = put_str(key, ENTRY_KEY_LEN, n, date);
        n = put_str(key, ENTRY_KEY_LEN, n, ":");
        put_str(key, ENTRY_KEY_LEN, n, prec ? prec : "");
    }
    return prec;
}

/* Starts the entry p's photos go in, with this key, as b->cur: 0, 1 to stop
 * instead (max_entries reached), -1 on error. */
static int start_entry(builder *b, const catalog_timeline_photo *p, const char *key, const char *date, const char *prec)
{
    if (b->o->max_entries && json_array_size(b->entries) >= b->o->max_entries) {
        b->truncated = true;
        return 1; /* stop */
    }
    b->cur = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:[]}", "id", key, "date", date, "precision",
                       str_or_null(prec), "event", str_or_null(p->event_id ? p->event_name : NULL), "event_id",
                       p->event_id ? json_integer(p->event_id) : json_null(), "place", str_or_null(p->place_name),
                       "place_id", p->place_id ? json_integer(p->place_id) : json_null(), "photo_count", (json_int_t)0,
                       "photos");
    if (!b->cur || json_array_append_new(b->entries, b->cur))
        return -1;
    snprintf(b->cur_key, sizeof b->cur_key, "%s", key);
    return 0;
}

/* Counts n photos like p into their entry (the event, or the date at its
 * precision), made b->cur: 0, 1 to stop (max_entries reached), -1 on error. */
static int count_in_entry(builder *b, const catalog_timeline_photo *p, int64_t n)
{
    char key[ENTRY_KEY_LEN], date[ENTRY_DATE_LEN];
    const char *prec = entry_key(p, key, date);
    if (!b->cur || strcmp(key, b->cur_key) != 0) {
        int rc = start_entry(b, p, key, date, prec);
        if (rc)
            return rc;
    }
    json_t *count = json_object_get(b->cur, "photo_count");
    json_integer_set(count, json_integer_value(count) + n);
    return 0;
}

static int add_photo(const catalog_timeline_photo *p, void *ud)
{
    builder *b = ud;
    const timeline_options *o = b->o;
    if (!p->date) {
        b->undated_count++;
        if (o->counts_only || (o->max_photos && json_array_size(b->undated) >= o->max_photos))
            return 0;
        json_t *ph = photo_json(b, p, false);
        return ph ? json_array_append_new(b->undated, ph) : -1;
    }
    if (b->events && p->event_id)
        note_seen(b->events, p->event_id,
                  json_pack("{s:I,s:o,s:o}", "id", (json_int_t)p->event_id, "name", str_or_null(p->event_name), "date",
                            str_or_null(p->event_date)));
    if (b->places && p->place_id)
        note_seen(b->places, p->place_id,
                  json_pack("{s:I,s:o}", "id", (json_int_t)p->place_id, "name", str_or_null(p->place_name)));
    int rc = count_in_entry(b, p, 1);
    if (rc)
        return rc;
    json_t *photos = json_object_get(b->cur, "photos");
    if (o->counts_only || (o->max_photos && json_array_size(photos) >= o->max_photos))
        return 0;
    json_t *ph = photo_json(b, p, true);
    return ph ? json_array_append_new(photos, ph) : -1;
}

/* A run of photos counted without reading them (catalog_graph_timeline_runs):
 * the entry add_photo makes of the run's first photo, counted n times (an
 * entry's later runs only add to its count, as its later photos would). */
static int add_run(const catalog_timeline_photo *p, int64_t n, void *ud)
{
    builder *b = ud;
    return count_in_entry(b, p, n);
}

/* ---- the counts alone, as JSON text ------------------------------------- */

/* An entry being counted: written when the next one starts. */
typedef struct counter {
    const timeline_options *o;
    jsontext t;
    size_t entries;
    bool open, truncated;
    char key[ENTRY_KEY_LEN], date[ENTRY_DATE_LEN];
    const char *prec; /* static (a precision name) or NULL */
    char *event, *place;
    int64_t event_id, place_id, photos;
} counter;

static const char *const precisions[] = { "day", "month", "season", "year", "decade" };

static const char *static_precision(const char *p)
{
    for (size_t i = 0; p && i < sizeof precisions / sizeof precisions[0]; i++)
        if (strcmp(p, precisions[i]) == 0)
            return precisions[i];
    return NULL;
}

/* A field that holds an id: the id, or null where there is none (0). */
static void id_or_null(jsontext *t, const char *field, int64_t id)
{
    jsontext_raw(t, field);
    if (id)
        jsontext_int(t, id);
    else
        jsontext_raw(t, "null");
}

static void counter_flush(counter *k)
{
    if (!k->open)
        return;
    jsontext *t = &k->t;
    jsontext_raw(t, k->entries > 1 ? ",{\"id\":" : "{\"id\":");
    jsontext_string(t, k->key);
    jsontext_raw(t, ",\"date\":");
    jsontext_string(t, k->date);
    jsontext_raw(t, ",\"precision\":");
    jsontext_string(t, k->prec);
    jsontext_raw(t, ",\"event\":");
    jsontext_string(t, k->event);
    id_or_null(t, ",\"event_id\":", k->event_id);
    jsontext_raw(t, ",\"place\":");
    jsontext_string(t, k->place);
    id_or_null(t, ",\"place_id\":", k->place_id);
    jsontext_raw(t, ",\"photo_count\":");
    jsontext_int(t, k->photos);
    jsontext_raw(t, ",\"photos\":[]}");
    free(k->event), free(k->place);
    k->event = k->place = NULL;
    k->open = false;
}

/* add_run's entries, written as text. */
static int count_run(const catalog_timeline_photo *p, int64_t n, void *ud)
{
    counter *k = ud;
    char key[ENTRY_KEY_LEN], date[ENTRY_DATE_LEN];
    const char *prec = entry_key(p, key, date);
    if (!k->open || strcmp(key, k->key) != 0) {
        if (k->o->max_entries && k->entries >= k->o->max_entries) {
            k->truncated = true;
            return 1; /* stop */
        }
        counter_flush(k);
        put_str(k->key, sizeof k->key, 0, key);
        put_str(k->date, sizeof k->date, 0, date);
        k->prec = static_precision(prec);
        k->event = p->event_id && p->event_name ? strdup(p->event_name) : NULL;
        k->place = p->place_name ? strdup(p->place_name) : NULL;
        k->event_id = p->event_id;
        k->place_id = p->place_id;
        k->photos = 0;
        k->open = true;
        k->entries++;
        if ((p->event_id && p->event_name && !k->event) || (p->place_name && !k->place))
            return -1;
    }
    k->photos += n;
    return 0;
}

static int count_undated(int year, int64_t photos, void *ud)
{
    (void)year, (void)photos, (void)ud;
    return 0;
}

/* The whole archive's entries counted by runs, not photo by photo (fn gets
 * each run); *undated the stored count of undated photos when asked for. */
static int walk_runs(catalog *c, const timeline_options *o, catalog_timeline_run_fn fn, void *ud, int64_t *undated,
                     err *e)
{
    *undated = 0;
    int rc = catalog_graph_timeline_runs(c, o->from_year, o->to_year, fn, ud, e);
    if (rc == 0 && o->with_undated)
        rc = catalog_graph_timeline_years(c, 0, count_undated, NULL, undated, e);
    return rc;
}

/* A walk's result as an error code: stopped at max_entries (1) is done; a
 * callback's failure the store did not explain is memory. */
static int walk_result(int rc, err *e)
{
    if (rc == 1)
        return 0;
    if (rc < 0 && e && e->code != ERR_OK)
        return e->code;
    if (rc != 0)
        return err_set(e, ERR_NOMEM, "timeline: out of memory");
    return 0;
}

int timeline_counts_text(catalog *c, const timeline_options *o, char **out, size_t *len, err *e)
{
    *out = NULL;
    *len = 0;
    if (!o->counts_only || o->entry || o->person_id > 0)
        return err_set(e, ERR_INTERNAL, "timeline: counts as text are for the whole archive's counts only");
    counter k = { .o = o };
    bool snapshot = catalog_graph_read_snapshot(c);
    jsontext_raw(&k.t, "{\"timeline\":[");
    err_clear(e);
    int64_t undated;
    int rc = walk_runs(c, o, count_run, &k, &undated, e);
    if (snapshot)
        catalog_graph_read_end(c);
    rc = walk_result(rc, e);
    counter_flush(&k);
    jsontext_raw(&k.t, "],\"undated\":[],\"undated_count\":");
    jsontext_int(&k.t, undated);
    jsontext_raw(&k.t, k.truncated ? ",\"truncated\":true}" : ",\"truncated\":false}");
    char *text = jsontext_take(&k.t, len);
    if (rc == 0 && !text)
        rc = err_set(e, ERR_NOMEM, "timeline: out of memory");
    if (rc == 0)
        *out = text;
    else
        free(text), *len = 0;
    return rc;
}

static json_t *values_of(json_t *set)
{
    json_t *a = json_array(), *v;
    const char *k;
    json_object_foreach(set, k, v) json_array_append(a, v);
    return a;
}

typedef struct span_ctx {
    json_t *person;
} span_ctx;

static int take_span(const catalog_person_span *s, void *ud)
{
    span_ctx *x = ud;
    x->person = json_pack("{s:I,s:o,s:o,s:o,s:I,s:I}", "id", (json_int_t)s->person_id, "name", str_or_null(s->name),
                          "first_seen", str_or_null(s->first_date), "last_seen", str_or_null(s->last_date), "photos",
                          (json_int_t)s->photos, "dated_photos", (json_int_t)s->dated_photos);
    return x->person ? 0 : -1;
}

int timeline_parse_entry(const char *entry, int64_t *event_id, char *date, size_t size, const char **precision, err *e)
{
    *event_id = 0;
    *precision = NULL;
    if (date && size)
        *date = '\0';
    if (strncmp(entry, "event:", 6) == 0) {
        const char *v = entry + 6;
        size_t n = strlen(v);
        if (n >= 1 && n <= 15 && strspn(v, "0123456789") == n && v[0] != '0') {
            *event_id = strtoll(v, NULL, 10);
            return 0;
        }
    } else if (strncmp(entry, "date:", 5) == 0) {
        const char *v = entry + 5, *colon = strrchr(v, ':');
        size_t n = colon ? (size_t)(colon - v) : 0;
        /* YYYY, YYYY-MM or YYYY-MM-DD */
        bool ok = (n == 4 || n == 7 || n == 10) && n < size && strspn(v, "0123456789") == 4 &&
                  (n == 4 || (v[4] == '-' && strspn(v + 5, "0123456789") == 2)) &&
                  (n <= 7 || (v[7] == '-' && strspn(v + 8, "0123456789") == 2));
        for (size_t i = 0; ok && i < sizeof precisions / sizeof precisions[0]; i++)
            if (strcmp(colon + 1, precisions[i]) == 0) {
                memcpy(date, v, n);
                date[n] = '\0';
                *precision = precisions[i];
                return 0;
            }
    }
    return err_set(e, ERR_INVALID,
                   "entry must be event:ID or date:DATE:PRECISION (date:1977-02:month; precision day, month, season, "
                   "year or decade), as in a timeline entry's \"id\"");
}

static int timeline_read(catalog *c, const timeline_options *o, json_t **out, err *e);

int timeline_build(catalog *c, const timeline_options *o, json_t **out, err *e)
{
    *out = NULL;
    bool snapshot = catalog_graph_read_snapshot(c); /* one lock and one state for all the reads */
    int rc = timeline_read(c, o, out, e);
    if (snapshot)
        catalog_graph_read_end(c);
    return rc;
}

static int timeline_read(catalog *c, const timeline_options *o, json_t **out, err *e)
{
    span_ctx span = { 0 };
    if (o->person_id > 0) {
        int found = catalog_graph_person_span(c, o->person_id, take_span, &span, e);
        if (found < 0)
            return found;
        if (found == 0)
            return err_set(e, ERR_NOTFOUND, "no person %lld", (long long)o->person_id);
    }
    builder b = { .c = c, .o = o, .entries = json_array(), .undated = json_array(), .e = e };
    if (span.person) {
        b.events = json_object();
        b.places = json_object();
    }
    err_clear(e);
    catalog_timeline_filter q = {
        .person_id = o->person_id, .from_year = o->from_year, .to_year = o->to_year, .with_undated = o->with_undated
    };
    char date[40] = "";
    if (o->entry) {
        int rc = timeline_parse_entry(o->entry, &q.event_id, date, sizeof date, &q.precision, e);
        if (rc) {
            json_decref(b.entries), json_decref(b.undated), json_decref(b.events), json_decref(b.places);
            json_decref(span.person);
            return rc;
        }
        if (!q.event_id)
            q.date = date;
    }
    int rc;
    if (o->counts_only && !o->entry && o->person_id <= 0) {
        /* Counted by runs, not photo by photo; the undated by the stored count. */
        int64_t undated;
        rc = walk_runs(c, o, add_run, &b, &undated, e);
        b.undated_count = (size_t)undated;
    } else {
        rc = catalog_graph_timeline(c, &q, add_photo, &b, e);
    }
    rc = walk_result(rc, e);
    json_t *res = NULL;
    if (rc == 0) {
        res = json_pack("{s:o,s:o,s:I,s:b}", "timeline", b.entries, "undated", b.undated, "undated_count",
                        (json_int_t)b.undated_count, "truncated", b.truncated);
        b.entries = b.undated = NULL;
        if (res && span.person) {
            json_object_set_new(span.person, "events", values_of(b.events));
            json_object_set_new(span.person, "places", values_of(b.places));
            json_object_set_new(res, "person", span.person);
            span.person = NULL;
        }
        if (!res)
            rc = err_set(e, ERR_NOMEM, "timeline: out of memory");
    }
    json_decref(b.entries);
    json_decref(b.undated);
    json_decref(b.events);
    json_decref(b.places);
    json_decref(span.person);
    *out = res;
    return rc;
}
