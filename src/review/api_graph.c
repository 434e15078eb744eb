/* api_graph.c — the archive as a graph and a chronology: GET /api/timeline,
 * /api/graph, /api/events, /api/events/{id}, /api/places, /api/places/{id},
 * /api/coappearance (docs/api.md). Read-only; every list is bounded by a
 * query parameter with a ceiling. */
#include "review/api.h"

#include "graph/graph_walk.h"
#include "graph/timeline.h"
#include "store/catalog_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most photos listed under one event or place page. */
#define PAGE_PHOTOS 500

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void reply_list(http_response *resp, int rc, const err *e, json_t *list);

/* The timeline is paged by year (?year=, or ?from=&to=) or read one entry at a
 * time (?entry=ID): the UI asks for a year's entries with their counts, then
 * the photos of the entry chosen, so no answer grows with the archive. */
void api_graph_timeline(http_request *rq, http_response *resp)
{
    long person, from, to, year, limit, photos, undated;
    if (!http_query_int(rq, resp, "person", 0, 0, 999999999999999L, &person) ||
        !http_query_int(rq, resp, "year", 0, 0, 9999, &year) || !http_query_int(rq, resp, "from", 0, 0, 9999, &from) ||
        !http_query_int(rq, resp, "to", 0, 0, 9999, &to) || !http_query_int(rq, resp, "limit", 200, 1, 2000, &limit) ||
        !http_query_int(rq, resp, "photos", 50, 0, 500, &photos) ||
        !http_query_int(rq, resp, "undated", year ? 0 : 1, 0, 1, &undated))
        return;
    if (year)
        from = to = year;
    timeline_options o = { .person_id = person,
                           .from_year = (int)from,
                           .to_year = (int)to,
                           .with_undated = undated == 1,
                           .max_entries = (size_t)limit,
                           .max_photos = photos ? (size_t)photos : 1,
                           .counts_only = photos == 0,
                           .entry = http_query(rq, "entry") };
    err e = { 0 };
    char *text;
    size_t len;
    if (timeline_text(rq->cat, &o, &text, &len, &e) != 0)
        http_error_from(resp, &e);
    else
        http_body(resp, 200, "application/json", text, len);
}

static int add_year(int year, int64_t photos, void *ud)
{
    json_t *o = json_pack("{s:i,s:I}", "year", year, "photos", (json_int_t)photos);
    return o ? json_array_append_new(ud, o) : -1;
}

void api_graph_timeline_years(http_request *rq, http_response *resp)
{
    long person;
    if (!http_query_int(rq, resp, "person", 0, 0, 999999999999999L, &person))
        return;
    json_t *years = json_array();
    int64_t undated = 0;
    err e = { 0 };
    int rc = catalog_graph_timeline_years(rq->cat, person, add_year, years, &undated, &e);
    json_t *out = rc == 0 ? json_pack("{s:o,s:I}", "years", years, "undated_count", (json_int_t)undated) : NULL;
    if (rc != 0)
        json_decref(years);
    reply_list(resp, rc, &e, out);
}

void api_graph_neighbourhood(http_request *rq, http_response *resp)
{
    long depth, limit;
    if (!http_query_int(rq, resp, "depth", 1, 1, 3, &depth) || !http_query_int(rq, resp, "limit", 150, 1, 500, &limit))
        return;
    const char *node = http_query(rq, "node");
    if (!node) {
        http_error(resp, 400, "node is required: node=person:17 (or event:ID, place:ID, foto:PHOTO_ID, year:YYYY)");
        return;
    }
    char *out;
    size_t len;
    err e = { 0 };
    if (graph_walk(rq->cat, node, (int)depth, (int)limit, &out, &len, &e) != 0)
        http_error_from(resp, &e);
    else
        http_body(resp, 200, "application/json", out, len);
}

static json_t *event_json(const catalog_event_row *ev)
{
    return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "id", (json_int_t)ev->id, "name", ev->name, "year",
                     ev->year ? json_integer(ev->year) : json_null(), "date", str_or_null(ev->date), "precision",
                     str_or_null(ev->precision), "source", str_or_null(ev->source), "place_id",
                     ev->place_id ? json_integer(ev->place_id) : json_null(), "place", str_or_null(ev->place_name),
                     "photos", (json_int_t)ev->photos);
}

static int add_event(const catalog_event_row *ev, void *ud)
{
    json_t *o = event_json(ev);
    return o ? json_array_append_new(ud, o) : -1;
}

static json_t *place_json(const catalog_place_row *p)
{
    return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:I,s:I}", "id", (json_int_t)p->id, "name", p->name, "country",
                     str_or_null(p->country), "source", str_or_null(p->source), "lat",
                     p->has_coords ? json_real(p->lat) : json_null(), "lon",
                     p->has_coords ? json_real(p->lon) : json_null(), "photos", (json_int_t)p->photos, "events",
                     (json_int_t)p->events);
}

static int add_place(const catalog_place_row *p, void *ud)
{
    json_t *o = place_json(p);
    return o ? json_array_append_new(ud, o) : -1;
}

static int add_photo(const char *photo_id, const char *date, void *ud)
{
    json_t *o = json_pack("{s:s,s:o}", "id", photo_id, "date", str_or_null(date));
    return o ? json_array_append_new(ud, o) : -1;
}

static int add_neighbour_person(const catalog_neighbour *nb, void *ud)
{
    if (strcmp(nb->type, "Person") == 0)
        json_array_append_new(ud, json_integer(strtoll(nb->id, NULL, 10)));
    return 0;
}

/* A list answer (rc from the store), or its error. */
static void reply_list(http_response *resp, int rc, const err *e, json_t *list)
{
    if (rc != 0) {
        json_decref(list);
        if (e->code)
            http_error_from(resp, e);
        else
            http_error(resp, 500, "out of memory");
        return;
    }
    http_json(resp, 200, list);
}

void api_graph_events(http_request *rq, http_response *resp)
{
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_graph_events(rq->cat, 0, add_event, list, &e);
    reply_list(resp, rc, &e, list);
}

/* Names of persons by id, for an event or place page. */
static int person_name_of(catalog *c, int64_t id, char *buf, size_t size, err *e)
{
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return catalog_graph_node_label(c, "Person", ref, buf, size, e);
}

static json_t *people_of(catalog *c, json_t *ids, err *e)
{
    json_t *people = json_array(), *v;
    size_t i;
    json_array_foreach(ids, i, v)
    {
        char name[512];
        if (person_name_of(c, json_integer_value(v), name, sizeof name, e) == 1)
            json_array_append_new(people,
                                  json_pack("{s:I,s:s}", "id", (json_int_t)json_integer_value(v), "name", name));
    }
    return people;
}

void api_graph_event(http_request *rq, http_response *resp)
{
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_graph_events(rq->cat, rq->id, add_event, list, &e);
    if (rc == 0 && json_array_size(list) == 0) {
        json_decref(list);
        http_error(resp, 404, "no event %lld", (long long)rq->id);
        return;
    }
    json_t *ev = rc == 0 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    json_t *photos = json_array(), *ids = json_array();
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)rq->id);
    if (rc == 0)
        rc = catalog_graph_event_photos(rq->cat, rq->id, PAGE_PHOTOS, add_photo, photos, &e);
    if (rc == 0)
        rc = catalog_graph_neighbours(rq->cat, "Event", id, 1000000, add_neighbour_person, ids, &e);
    if (rc == 0) {
        json_object_set_new(ev, "people", people_of(rq->cat, ids, &e));
        json_object_set_new(ev, "photo_list", photos);
        photos = NULL;
    }
    json_decref(photos);
    json_decref(ids);
    reply_list(resp, rc, &e, ev);
}

void api_graph_places(http_request *rq, http_response *resp)
{
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_graph_places(rq->cat, 0, add_place, list, &e);
    reply_list(resp, rc, &e, list);
}

static int add_event_of_place(const catalog_event_row *ev, void *ud)
{
    void **x = ud;
    if (ev->place_id != *(int64_t *)x[1])
        return 0;
    json_t *o = event_json(ev);
    return o ? json_array_append_new(x[0], o) : -1;
}

void api_graph_place(http_request *rq, http_response *resp)
{
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_graph_places(rq->cat, rq->id, add_place, list, &e);
    if (rc == 0 && json_array_size(list) == 0) {
        json_decref(list);
        http_error(resp, 404, "no place %lld", (long long)rq->id);
        return;
    }
    json_t *p = rc == 0 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    json_t *photos = json_array(), *events = json_array();
    void *x[2] = { events, &rq->id };
    if (rc == 0)
        rc = catalog_graph_place_photos(rq->cat, rq->id, PAGE_PHOTOS, add_photo, photos, &e);
    if (rc == 0)
        rc = catalog_graph_events(rq->cat, 0, add_event_of_place, x, &e);
    if (rc == 0) {
        json_object_set_new(p, "photo_list", photos);
        json_object_set_new(p, "event_list", events);
        photos = events = NULL;
    }
    json_decref(photos);
    json_decref(events);
    reply_list(resp, rc, &e, p);
}

static int add_pair(int64_t a, const char *na, int64_t b, const char *nb, int64_t n, void *ud)
{
    json_t *o = json_pack("{s:{s:I,s:o},s:{s:I,s:o},s:I}", "a", "id", (json_int_t)a, "name", str_or_null(na), "b", "id",
                          (json_int_t)b, "name", str_or_null(nb), "photos", (json_int_t)n);
    return o ? json_array_append_new(ud, o) : -1;
}

void api_graph_coappearance(http_request *rq, http_response *resp)
{
    long person, limit;
    if (!http_query_int(rq, resp, "person", 0, 0, 999999999999999L, &person) ||
        !http_query_int(rq, resp, "limit", 100, 1, 1000, &limit))
        return;
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_graph_coappearance(rq->cat, person, (int)limit, add_pair, list, &e);
    reply_list(resp, rc, &e, list);
}
