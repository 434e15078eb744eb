/* timeline.c — timeline.h over catalog_graph_timeline's ordered photos (or,
 * for the counts alone, catalog_graph_timeline_runs' runs), written as JSON
 * text as they are read. */
#include "graph/timeline.h"
#include "core/idset.h"
#include "graph/graph_jsontext.h"
#include "store/catalog_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An entry's key ("event:ID" or "date:DATE:PREC") and date, as text. */
enum { ENTRY_KEY_LEN = 64, ENTRY_DATE_LEN = 40 };

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

/* The part of a date that its precision names ("2019-06-01T12:00:00" at day
 * precision is "2019-06-01"). */
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

static const char *const precisions[] = { "day", "month", "season", "year", "decade" };

/* A field that holds an id: the id, or null where there is none (0). */
static void id_or_null(jsontext *t, const char *field, int64_t id)
{
    jsontext_raw(t, field);
    if (id)
        jsontext_int(t, id);
    else
        jsontext_raw(t, "null");
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

/* ---- the answer as text ------------------------------------------------ */

/* The answer being written. An entry's fields before its count are written
 * to head when it starts (from its first photo), its photos to photos; both
 * go to out, with the count between them, when the next entry starts. */
typedef struct writer {
    catalog *c;
    const timeline_options *o;
    err *e;
    jsontext out, head, photos, undated;
    size_t entries;        /* started */
    size_t listed;         /* photos listed in the open entry */
    size_t undated_count;  /* undated photos seen */
    size_t undated_listed; /* of them listed */
    int64_t count;         /* the open entry's photos */
    bool open, truncated;
    char key[ENTRY_KEY_LEN];
    /* person mode */
    jsontext person, events, places;
    idset seen_events, seen_places;
    bool person_mode;
} writer;

static void entry_flush(writer *w)
{
    if (!w->open)
        return;
    jsontext_rawn(&w->out, w->head.s, w->head.len);
    jsontext_raw(&w->out, ",\"photo_count\":");
    jsontext_int(&w->out, w->count);
    jsontext_raw(&w->out, ",\"photos\":[");
    jsontext_rawn(&w->out, w->photos.s, w->photos.len);
    jsontext_raw(&w->out, "]}");
    w->head.len = w->photos.len = 0;
    w->open = false;
}

/* Counts n photos like p into their entry (the event, or the date at its
 * precision), starting it when p's is not the open one: 0, or 1 to stop
 * (max_entries reached). */
static int count_in_entry(writer *w, const catalog_timeline_photo *p, int64_t n)
{
    char key[ENTRY_KEY_LEN], date[ENTRY_DATE_LEN];
    const char *prec = entry_key(p, key, date);
    if (!w->open || strcmp(key, w->key) != 0) {
        if (w->o->max_entries && w->entries >= w->o->max_entries) {
            w->truncated = true;
            return 1; /* stop */
        }
        entry_flush(w);
        put_str(w->key, sizeof w->key, 0, key);
        jsontext *h = &w->head;
        jsontext_raw(h, w->entries ? ",{\"id\":" : "{\"id\":");
        jsontext_string(h, key);
        jsontext_raw(h, ",\"date\":");
        jsontext_string(h, date);
        jsontext_raw(h, ",\"precision\":");
        jsontext_string(h, prec);
        jsontext_raw(h, ",\"event\":");
        jsontext_string(h, p->event_id ? p->event_name : NULL);
        id_or_null(h, ",\"event_id\":", p->event_id);
        jsontext_raw(h, ",\"place\":");
        jsontext_string(h, p->place_name);
        id_or_null(h, ",\"place_id\":", p->place_id);
        w->count = 0;
        w->listed = 0;
        w->open = true;
        w->entries++;
    }
    w->count += n;
    return 0;
}

static int add_person(int64_t id, const char *name, bool has_age, double age, void *ud)
{
    jsontext *t = ud;
    jsontext_raw(t, t->s && t->s[t->len - 1] == '[' ? "{\"id\":" : ",{\"id\":");
    jsontext_int(t, id);
    jsontext_raw(t, ",\"name\":");
    jsontext_string(t, name);
    jsontext_raw(t, ",\"age\":");
    if (has_age)
        jsontext_real(t, (double)(long)(age * 10 + 0.5) / 10); /* one decimal */
    else
        jsontext_raw(t, "null");
    jsontext_raw(t, "}");
    return 0;
}

/* A photo's object with its people into t (first in its list or not). */
static int write_photo(writer *w, jsontext *t, bool first, const catalog_timeline_photo *p, bool dated)
{
    jsontext_raw(t, first ? "{\"id\":" : ",{\"id\":");
    jsontext_string(t, p->photo_id);
    if (dated) {
        jsontext_raw(t, ",\"date\":");
        jsontext_string(t, p->date);
        jsontext_raw(t, ",\"precision\":");
        jsontext_string(t, p->precision);
        jsontext_raw(t, ",\"date_source\":");
        jsontext_string(t, p->date_source);
    }
    jsontext_raw(t, ",\"people\":[");
    if (catalog_graph_photo_persons(w->c, p->photo_id, add_person, t, w->e) != 0)
        return -1;
    jsontext_raw(t, "]}");
    return 0;
}

/* Person mode: an event or place the first time one of the person's photos
 * names it. */
static int note_seen(writer *w, const catalog_timeline_photo *p)
{
    int r;
    if (p->event_id && (r = idset_add(&w->seen_events, p->event_id)) != 0) {
        if (r < 0)
            return -1;
        jsontext_raw(&w->events, w->events.len ? ",{\"id\":" : "{\"id\":");
        jsontext_int(&w->events, p->event_id);
        jsontext_raw(&w->events, ",\"name\":");
        jsontext_string(&w->events, p->event_name);
        jsontext_raw(&w->events, ",\"date\":");
        jsontext_string(&w->events, p->event_date);
        jsontext_raw(&w->events, "}");
    }
    if (p->place_id && (r = idset_add(&w->seen_places, p->place_id)) != 0) {
        if (r < 0)
            return -1;
        jsontext_raw(&w->places, w->places.len ? ",{\"id\":" : "{\"id\":");
        jsontext_int(&w->places, p->place_id);
        jsontext_raw(&w->places, ",\"name\":");
        jsontext_string(&w->places, p->place_name);
        jsontext_raw(&w->places, "}");
    }
    return 0;
}

static int add_photo(const catalog_timeline_photo *p, void *ud)
{
    writer *w = ud;
    const timeline_options *o = w->o;
    if (!p->date) {
        w->undated_count++;
        if (o->counts_only || (o->max_photos && w->undated_listed >= o->max_photos))
            return 0;
        return write_photo(w, &w->undated, w->undated_listed++ == 0, p, false);
    }
    int rc = count_in_entry(w, p, 1);
    if (rc)
        return rc; /* past max_entries: not listed, so neither are its event and place */
    if (w->person_mode && note_seen(w, p) != 0)
        return -1;
    if (o->counts_only || (o->max_photos && w->listed >= o->max_photos))
        return 0;
    return write_photo(w, &w->photos, w->listed++ == 0, p, true);
}

/* A run of photos counted without reading them (catalog_graph_timeline_runs):
 * the entry add_photo makes of the run's first photo, counted n times (an
 * entry's later runs only add to its count, as its later photos would). */
static int add_run(const catalog_timeline_photo *p, int64_t n, void *ud)
{
    return count_in_entry(ud, p, n);
}

static int take_span(const catalog_person_span *s, void *ud)
{
    jsontext *t = ud;
    jsontext_raw(t, "{\"id\":");
    jsontext_int(t, s->person_id);
    jsontext_raw(t, ",\"name\":");
    jsontext_string(t, s->name);
    jsontext_raw(t, ",\"first_seen\":");
    jsontext_string(t, s->first_date);
    jsontext_raw(t, ",\"last_seen\":");
    jsontext_string(t, s->last_date);
    jsontext_raw(t, ",\"photos\":");
    jsontext_int(t, s->photos);
    jsontext_raw(t, ",\"dated_photos\":");
    jsontext_int(t, s->dated_photos);
    return 0;
}

static void writer_free(writer *w)
{
    size_t len;
    jsontext *all[] = { &w->out, &w->head, &w->photos, &w->undated, &w->person, &w->events, &w->places };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(jsontext_take(all[i], &len));
    idset_free(&w->seen_events);
    idset_free(&w->seen_places);
}

/* The walk over the store, in the snapshot timeline_text holds. */
static int timeline_write(writer *w)
{
    catalog *c = w->c;
    const timeline_options *o = w->o;
    err *e = w->e;
    if (o->person_id > 0) {
        int found = catalog_graph_person_span(c, o->person_id, take_span, &w->person, e);
        if (found < 0)
            return found;
        if (found == 0)
            return err_set(e, ERR_NOTFOUND, "no person %lld", (long long)o->person_id);
        w->person_mode = true;
    }
    err_clear(e);
    catalog_timeline_filter q = {
        .person_id = o->person_id, .from_year = o->from_year, .to_year = o->to_year, .with_undated = o->with_undated
    };
    char date[40] = "";
    if (o->entry) {
        int rc = timeline_parse_entry(o->entry, &q.event_id, date, sizeof date, &q.precision, e);
        if (rc)
            return rc;
        if (!q.event_id)
            q.date = date;
    }
    int rc;
    if (o->counts_only && !o->entry && o->person_id <= 0) {
        /* Counted by runs, not photo by photo; the undated by the stored count. */
        int64_t undated;
        rc = walk_runs(c, o, add_run, w, &undated, e);
        w->undated_count = (size_t)undated;
    } else {
        rc = catalog_graph_timeline(c, &q, add_photo, w, e);
    }
    return walk_result(rc, e);
}

int timeline_text(catalog *c, const timeline_options *o, char **out, size_t *len, err *e)
{
    *out = NULL;
    *len = 0;
    writer w = { .c = c, .o = o, .e = e };
    bool snapshot = catalog_graph_read_snapshot(c); /* one lock and one state for all the reads */
    int rc = timeline_write(&w);
    if (snapshot)
        catalog_graph_read_end(c);
    if (rc == 0) {
        jsontext *t = &w.out;
        entry_flush(&w);
        jsontext body = w.out;
        bool nomem = body.nomem; /* an entry that did not fit: the body is cut short */
        w.out = (jsontext){ 0 };
        jsontext_raw(t, "{\"timeline\":[");
        jsontext_rawn(t, body.s, body.len);
        free(jsontext_take(&body, len));
        jsontext_raw(t, "],\"undated\":[");
        jsontext_rawn(t, w.undated.s, w.undated.len);
        jsontext_raw(t, "],\"undated_count\":");
        jsontext_int(t, (int64_t)w.undated_count);
        jsontext_raw(t, w.truncated ? ",\"truncated\":true" : ",\"truncated\":false");
        if (w.person_mode) {
            jsontext_raw(t, ",\"person\":");
            jsontext_rawn(t, w.person.s, w.person.len);
            jsontext_raw(t, ",\"events\":[");
            jsontext_rawn(t, w.events.s, w.events.len);
            jsontext_raw(t, "],\"places\":[");
            jsontext_rawn(t, w.places.s, w.places.len);
            jsontext_raw(t, "]}");
        }
        jsontext_raw(t, "}");
        nomem = nomem || w.head.nomem || w.photos.nomem || w.undated.nomem || w.person.nomem || w.events.nomem ||
                w.places.nomem;
        char *text = jsontext_take(t, len);
        if (!text || nomem) {
            free(text);
            *len = 0;
            rc = err_set(e, ERR_NOMEM, "timeline: out of memory");
        } else {
            *out = text;
        }
    }
    writer_free(&w);
    return rc;
}

int timeline_build(catalog *c, const timeline_options *o, json_t **out, err *e)
{
    *out = NULL;
    char *text;
    size_t len;
    int rc = timeline_text(c, o, &text, &len, e);
    if (rc)
        return rc;
    json_error_t je;
    *out = json_loadb(text, len, 0, &je);
    free(text);
    return *out ? 0 : err_set(e, ERR_INTERNAL, "timeline: its own answer does not read back: %s", je.text);
}
