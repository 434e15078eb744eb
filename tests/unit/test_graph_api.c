/* test_graph_api.c — GET /api/timeline, /api/graph, /api/events(/{id}),
 * /api/places(/{id}) and /api/coappearance of a real review server on loopback
 * (libcurl the client) over the hostile fixture of graph_fixture.h: answers,
 * bounds, validation errors and the token rule. */
#include "graph_fixture.h"
#include "review/server.h"
#include "store/datadir.h"
#include "testutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int port;
static const char *auth;

typedef struct reply {
    long status;
    char *body;
    size_t len;
    json_t *json;
} reply;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    char *b = realloc(r->body, r->len + size * n + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, size * n);
    r->len += size * n;
    b[r->len] = '\0';
    r->body = b;
    return size * n;
}

static long get(const char *path, reply *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *h = auth ? curl_slist_append(NULL, auth) : NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->json = r->body ? json_loads(r->body, 0, NULL) : NULL;
    return r->status;
}

static void reply_free(reply *r)
{
    free(r->body);
    json_decref(r->json);
}

static void expect(const char *path, long status)
{
    reply r;
    long got = get(path, &r);
    CHECK_MSG(got == status && (status == 200 || json_is_string(json_object_get(r.json, "error"))), "%s: %ld %s", path,
              got, r.body ? r.body : "");
    reply_free(&r);
}

static bool has_node(json_t *g, const char *id)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(g, "nodes"), i,
                       n) if (strcmp(json_string_value(json_object_get(n, "id")), id) == 0) return true;
    return false;
}

static void test_endpoints(const graph_fixture *f)
{
    reply r;
    char path[256];
    CHECK(get("/api/timeline", &r) == 200 && json_array_size(json_object_get(r.json, "timeline")) == 5);
    CHECK(json_integer_value(json_object_get(r.json, "undated_count")) == 3);
    reply_free(&r);
    CHECK(get("/api/timeline?limit=2&photos=1", &r) == 200 &&
          json_array_size(json_object_get(r.json, "timeline")) == 2 &&
          json_is_true(json_object_get(r.json, "truncated")));
    json_t *k = json_array_get(json_object_get(r.json, "timeline"), 1);
    CHECK(json_array_size(json_object_get(k, "photos")) == 1 &&
          json_integer_value(json_object_get(k, "photo_count")) == 3);
    reply_free(&r);
    CHECK(get("/api/timeline?from=1977&to=1980&undated=0", &r) == 200 &&
          json_array_size(json_object_get(r.json, "timeline")) == 2 &&
          json_array_size(json_object_get(r.json, "undated")) == 0);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/timeline?person=%lld", (long long)f->person[0]);
    CHECK(get(path, &r) == 200 && json_is_object(json_object_get(r.json, "person")));
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(r.json, "person"), "name")), gf_person_names[0]) ==
          0);
    reply_free(&r);
    /* paged by year: the years, then one year's entries (counts only), then
     * one entry's photos by its id */
    CHECK(get("/api/timeline/years", &r) == 200);
    json_t *years = json_object_get(r.json, "years");
    CHECK_MSG(json_array_size(years) == 5, "%zu years", json_array_size(years)); /* 1960 1977 1980 1985 1990 */
    CHECK(json_integer_value(json_object_get(json_array_get(years, 1), "year")) == 1977 &&
          json_integer_value(json_object_get(json_array_get(years, 1), "photos")) == 3);
    CHECK(json_integer_value(json_object_get(r.json, "undated_count")) == 3);
    reply_free(&r);
    CHECK(get("/api/timeline?year=1977&photos=0", &r) == 200);
    json_t *tl = json_object_get(r.json, "timeline");
    json_t *en = json_array_get(tl, 0);
    char entry_id[64] = "";
    CHECK(json_array_size(tl) == 1 && json_array_size(json_object_get(en, "photos")) == 0 &&
          json_integer_value(json_object_get(en, "photo_count")) == 3 &&
          json_array_size(json_object_get(r.json, "undated")) == 0);
    snprintf(entry_id, sizeof entry_id, "%s", json_string_value(json_object_get(en, "id")));
    reply_free(&r);
    snprintf(path, sizeof path, "/api/timeline?entry=%s", entry_id);
    CHECK(get(path, &r) == 200);
    en = json_array_get(json_object_get(r.json, "timeline"), 0);
    CHECK_MSG(json_array_size(json_object_get(r.json, "timeline")) == 1 &&
                  json_array_size(json_object_get(en, "photos")) == 3 &&
                  json_array_size(json_object_get(json_array_get(json_object_get(en, "photos"), 1), "people")) == 2,
              "entry %s", entry_id);
    reply_free(&r);
    CHECK(get("/api/timeline?entry=date:1985-07:month", &r) == 200 &&
          json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "timeline"), 0), "photo_count")) ==
              1);
    reply_free(&r);
    expect("/api/timeline?entry=date:1985-07", 400);
    expect("/api/timeline?entry=event:0", 400);
    expect("/api/timeline?year=19770", 400);
    expect("/api/timeline?limit=0", 400);
    expect("/api/timeline?limit=5000", 400);
    expect("/api/timeline?person=abc", 400);
    snprintf(path, sizeof path, "/api/timeline?person=%lld", (long long)f->person[3]);
    expect(path, 404); /* hidden */

    snprintf(path, sizeof path, "/api/graph?node=person:%lld&depth=2", (long long)f->person[0]);
    CHECK(get(path, &r) == 200);
    char ref[64];
    snprintf(ref, sizeof ref, "event:%lld", (long long)f->karneval);
    CHECK(has_node(r.json, ref));
    snprintf(ref, sizeof ref, "person:%lld", (long long)f->person[1]); /* B via photo 0 at depth 2 */
    CHECK(has_node(r.json, ref));
    snprintf(ref, sizeof ref, "person:%lld", (long long)f->person[3]); /* D is hidden */
    CHECK(!has_node(r.json, ref));
    size_t edges = json_array_size(json_object_get(r.json, "edges"));
    CHECK(edges > 0 && !json_is_true(json_object_get(r.json, "truncated")));
    reply_free(&r);
    /* hostile names come back as they are (the answer is written as text) */
    snprintf(path, sizeof path, "/api/graph?node=place:%lld&depth=1", (long long)f->hostile_place);
    CHECK(get(path, &r) == 200);
    CHECK(r.json &&
          strcmp(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "nodes"), 0), "label")),
                 gf_place_hostile) == 0);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/graph?node=event:%lld&depth=1", (long long)f->hostile_event);
    CHECK(get(path, &r) == 200);
    CHECK(r.json &&
          strcmp(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "nodes"), 0), "label")),
                 gf_event_hostile) == 0);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/graph?node=person:%lld&depth=3&limit=4", (long long)f->person[0]);
    CHECK(get(path, &r) == 200 && json_array_size(json_object_get(r.json, "nodes")) == 4 &&
          json_is_true(json_object_get(r.json, "truncated")));
    reply_free(&r);
    expect("/api/graph", 400);
    expect("/api/graph?node=person", 400);
    expect("/api/graph?node=person:0", 400);
    expect("/api/graph?node=robot:1", 400);
    expect("/api/graph?node=foto:XYZ", 400);
    expect("/api/graph?node=person:999999", 404);
    expect("/api/graph?node=person:1&depth=9", 400);
    expect("/api/graph?node=person:1&limit=100000", 400);
    expect("/api/graph?node=year:1977&depth=1", 200);

    CHECK(get("/api/events", &r) == 200 && json_array_size(r.json) == 2);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(r.json, 1), "name")), gf_event_hostile) == 0);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/events/%lld", (long long)f->karneval);
    CHECK(get(path, &r) == 200 && json_array_size(json_object_get(r.json, "photo_list")) == 3 &&
          json_array_size(json_object_get(r.json, "people")) == 3 && /* A, B, C; not D */
          strcmp(json_string_value(json_object_get(r.json, "place")), "Köln") == 0);
    reply_free(&r);
    expect("/api/events/999999", 404);
    expect("/api/events/x", 400);
    CHECK(get("/api/places", &r) == 200 && json_array_size(r.json) == 2);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/places/%lld", (long long)f->hostile_place);
    CHECK(get(path, &r) == 200 && strcmp(json_string_value(json_object_get(r.json, "name")), gf_place_hostile) == 0 &&
          json_array_size(json_object_get(r.json, "event_list")) == 1 &&
          json_array_size(json_object_get(r.json, "photo_list")) == 1);
    reply_free(&r);
    expect("/api/places/0", 400);
    CHECK(get("/api/coappearance", &r) == 200 && json_array_size(r.json) == 2);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/coappearance?person=%lld&limit=1", (long long)f->person[2]);
    CHECK(get(path, &r) == 200 && json_array_size(r.json) == 1 &&
          json_integer_value(json_object_get(json_array_get(r.json, 0), "photos")) == 1);
    reply_free(&r);
    expect("/api/coappearance?limit=-1", 400);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *dir = test_tmpdir("graph-api");
    err e = { 0 };
    catalog *c = NULL;
    CHECK_MSG(datadir_open(dir, 1, NULL, &c, &e) == 0, "%s", e.msg);
    graph_fixture f;
    int rc = c ? graph_fixture_build(c, &f, &e) : -1;
    CHECK_MSG(rc == 0, "fixture: %s", e.msg);
    catalog_close(c);
    if (rc == 0) {
        review_options o = { .data_dir = dir, .models_dir = getenv("FACETAG_MODELS"), .port = 0, .threads = 4 };
        review_server *s = review_server_start(&o, &e);
        CHECK_MSG(s != NULL, "%s", e.msg);
        if (s) {
            port = review_server_port(s);
            test_endpoints(&f);
            review_server_stop(s);
        }
        /* The same token rule as every route. */
        o.token = "graph-test-token-0123456789";
        s = review_server_start(&o, &e);
        if (s) {
            port = review_server_port(s);
            expect("/api/timeline", 401);
            expect("/api/graph?node=person:1", 401);
            auth = "Authorization: Bearer graph-test-token-0123456789";
            expect("/api/events", 200);
            review_server_stop(s);
        }
    }
    test_rmtree(dir);
    curl_global_cleanup();
    return test_main_end();
}
