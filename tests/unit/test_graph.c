/* test_graph.c — the graph over the catalog (store/catalog_graph.h), its Neo4j
 * exports (graph/graph_export.h) and the timeline (graph/timeline.h) on the
 * hostile fixture of graph_fixture.h. The Cypher script is checked by Neo4j's
 * own parser and semantic analysis (tests/cypher/check_export.mjs, npm
 * @neo4j-cypher/language-support, installed by scripts/setup-deps.sh). */
#include "graph/graph_export.h"
#include "graph/graph_jsontext.h"
#include "graph/graph_walk.h"
#include "graph/timeline.h"
#include "graph_fixture.h"
#include "store/catalog_frames.h"
#include "store/catalog_graph.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"
#include "store/persons.h"
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (buf)
        buf[got] = '\0';
    *len = got;
    return buf;
}

static int count_row(const catalog_graph_value *row, int n, void *ud)
{
    (void)row, (void)n;
    ++*(int *)ud;
    return 0;
}

static int set_rows(catalog *c, catalog_graph_set s)
{
    int n = 0;
    err e = { 0 };
    CHECK_MSG(catalog_graph_each(c, s, count_row, &n, &e) == 0, "%s", e.msg);
    return n;
}

typedef struct next_rows {
    char text[1024];
} next_rows;

static int collect_next(const catalog_graph_value *row, int n, void *ud)
{
    next_rows *r = ud;
    (void)n;
    size_t len = strlen(r->text);
    snprintf(r->text + len, sizeof r->text - len, "%lld>%lld@%s ", (long long)row[0].i, (long long)row[1].i, row[2].s);
    return 0;
}

/* Runs the Neo4j check on script; its summary JSON in *summary. */
static bool neo4j_check(const char *script, const char *expected, json_t **summary)
{
    const char *src = getenv("FACETAG_SRC");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s/tests/cypher' && node check_export.mjs '%s' '%s'", src ? src : ".", script,
             expected);
    FILE *p = popen(cmd, "r");
    char out[4096] = "";
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    int status = p ? pclose(p) : -1;
    CHECK_MSG(status == 0, "Neo4j check of %s failed (status %d; run scripts/setup-deps.sh for the npm packages): %s",
              script, status, out);
    *summary = json_loads(out, 0, NULL);
    return status == 0 && *summary;
}

static void test_export(catalog *c, const graph_fixture *f, const char *dir)
{
    char script[1024], again[1024], expected[1024];
    snprintf(script, sizeof script, "%s/graph.cypher", dir);
    snprintf(again, sizeof again, "%s/graph2.cypher", dir);
    snprintf(expected, sizeof expected, "%s/expected.json", dir);
    err e = { 0 };
    graph_export_stats st, st2;
    for (int k = 0; k < 2; k++) {
        FILE *out = fopen(k ? again : script, "w");
        /* batch 3: several batches per set */
        CHECK_MSG(graph_export_cypher(c, out, "test", 3, k ? &st2 : &st, &e) == 0, "%s", e.msg);
        fclose(out);
    }
    size_t n1, n2;
    char *a = read_all(script, &n1), *b = read_all(again, &n2);
    CHECK_MSG(a && b && n1 == n2 && memcmp(a, b, n1) == 0, "two exports of one catalog differ");
    CHECK(st.nodes == 10 + 3 + 3 + 2 + 2 + 4); /* photos, persons, clusters, events, places, years */
    /* PERFORMED_AT 5: C is both attendee and photographer of Karneval */
    CHECK_MSG(st.relations == 10 + 2 + 4 + 2 + 3 + 5 + 5 + 2 + 3, "relations %lld", (long long)st.relations);
    CHECK(a && !strstr(a, "Hidden Person"));        /* hidden persons stay out */
    CHECK(a && !strstr(a, "DETACH DELETE n //\"")); /* never spliced raw */
    CHECK(a && strstr(a, "CREATE INDEX facetag_foto_timestamp IF NOT EXISTS FOR (n:Foto) ON (n.timestamp);"));
    /* Every line is a statement or a :param: a newline in a value is escaped. */
    size_t lines = 0;
    for (const char *p = a; p && *p; p++)
        lines += *p == '\n';
    CHECK((int64_t)lines == st.lines);

    json_t *exp = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(exp, json_string(gf_person_names[i]));
    json_array_append_new(exp, json_string(gf_place_hostile));
    json_array_append_new(exp, json_string(gf_event_hostile));
    json_array_append_new(exp, json_string(gf_path_hostile));
    json_array_append_new(exp, json_string("/archive/\xef\xbf\xbd\xef\xbf\xbd-latin1-\xef\xbf\xbd.jpg"));
    json_array_append_new(exp, json_string(f->photo[9]));
    CHECK(json_dump_file(exp, expected, 0) == 0);
    json_decref(exp);
    json_t *sum = NULL;
    if (neo4j_check(script, expected, &sum)) {
        CHECK_MSG(json_integer_value(json_object_get(sum, "nodes")) == st.nodes, "nodes: %lld vs %lld",
                  (long long)json_integer_value(json_object_get(sum, "nodes")), (long long)st.nodes);
        CHECK(json_integer_value(json_object_get(sum, "relations")) == st.relations);
        CHECK(json_integer_value(json_object_get(sum, "statements")) == st.lines - 2);
    }
    json_decref(sum);

    /* The checker must fail a script where a name breaks out of its literal. */
    char broken[1024];
    snprintf(broken, sizeof broken, "%s/broken.cypher", dir);
    FILE *bf = fopen(broken, "w");
    fprintf(bf, ":param rows => [{id: '%s'}];\nUNWIND $rows AS row MERGE (n:Foto {id: row.id});\n",
            "x'}]; MATCH (n) DETACH DELETE n; //");
    fclose(bf);
    const char *src = getenv("FACETAG_SRC");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s/tests/cypher' && node check_export.mjs '%s' >/dev/null 2>&1", src ? src : ".",
             broken);
    CHECK_MSG(system(cmd) != 0, "the Neo4j check passed a script with an injected statement");
    free(a);
    free(b);
}

typedef struct performed {
    catalog *c;
    const graph_fixture *f;
    int rows, photographer, photo9;
} performed;

static int collect_performed(const catalog_graph_value *row, int n, void *ud)
{
    performed *p = ud;
    CHECK(n == 4 && !row[2].null);
    p->rows++;
    if (strcmp(row[2].s, "photographer") == 0) {
        CHECK(row[0].i == p->f->person[2] && row[1].i == p->f->karneval && row[3].i == 1);
        p->photographer++;
    } else {
        CHECK(strcmp(row[2].s, "attendee") == 0);
        if (row[0].i == p->f->person[1])
            CHECK_MSG(row[3].i == 2, "B at Karneval in %lld photos", (long long)row[3].i);
    }
    return 0;
}

static const char *photo9_id;
static int appears_in_photo9(const catalog_graph_value *row, int n, void *ud)
{
    (void)n;
    if (strcmp(row[1].s, photo9_id) == 0)
        ++*(int *)ud;
    return 0;
}

static void test_sets(catalog *c, const graph_fixture *f)
{
    photo9_id = f->photo[9];
    CHECK(set_rows(c, CATALOG_GRAPH_APPEARS_IN) == 10); /* A 5, B 3, C 2: not D (hidden), not A's rejected face */
    CHECK(set_rows(c, CATALOG_GRAPH_YEAR) == 4);        /* 1977, 1980, 1985, 1990: a decade names no year */
    CHECK(set_rows(c, CATALOG_GRAPH_IN_YEAR) == 6);     /* photos 0-4 and 6 */
    CHECK(set_rows(c, CATALOG_GRAPH_NEXT_PHOTO) == 2);  /* Karneval: 2 (the event's month) -> 0 -> 1 */
    CHECK(set_rows(c, CATALOG_GRAPH_CLUSTER) == 3);     /* A, B, C */
    next_rows r = { "" };
    err e = { 0 };
    performed pf = { .c = c, .f = f };
    CHECK_MSG(catalog_graph_each(c, CATALOG_GRAPH_PERFORMED_AT, collect_performed, &pf, &e) == 0, "%s", e.msg);
    /* A: Karneval, hostile; B: Karneval (not photo 9's old face); C: Karneval as attendee and photographer */
    CHECK_MSG(pf.rows == 5 && pf.photographer == 1 && pf.photo9 == 0, "PERFORMED_AT: %d rows, %d photographer", pf.rows,
              pf.photographer);
    int appears9 = 0;
    CHECK(catalog_graph_each(c, CATALOG_GRAPH_APPEARS_IN, appears_in_photo9, &appears9, &e) == 0);
    CHECK_MSG(appears9 == 0, "APPEARS_IN photo 9 from an analysis that is not current");
    CHECK(catalog_graph_each(c, CATALOG_GRAPH_NEXT_EVENT, collect_next, &r, &e) == 0);
    char want[256];
    snprintf(want, sizeof want, "%lld>%lld@archive %lld>%lld@person:%lld ", (long long)f->karneval,
             (long long)f->hostile_event, (long long)f->karneval, (long long)f->hostile_event, (long long)f->person[0]);
    CHECK_MSG(strcmp(r.text, want) == 0, "NEXT events: '%s', want '%s'", r.text, want);
}

static void test_timeline(catalog *c, const graph_fixture *f)
{
    err e = { 0 };
    json_t *t = NULL;
    timeline_options o = { .with_undated = true };
    CHECK_MSG(timeline_build(c, &o, &t, &e) == 0, "%s", e.msg);
    json_t *tl = json_object_get(t, "timeline");
    CHECK_MSG(json_array_size(tl) == 5, "%zu entries", json_array_size(tl));
    static const char *const dates[] = { "1960", "1977-02", "1980", "1985-07", "1990-05-01" };
    static const char *const precs[] = { "decade", "month", "year", "month", "day" };
    for (size_t i = 0; i < 5 && i < json_array_size(tl); i++) {
        json_t *en = json_array_get(tl, i);
        CHECK_MSG(strcmp(json_string_value(json_object_get(en, "date")), dates[i]) == 0, "entry %zu: %s", i,
                  json_string_value(json_object_get(en, "date")));
        CHECK(strcmp(json_string_value(json_object_get(en, "precision")), precs[i]) == 0);
    }
    json_t *karneval = json_array_get(tl, 1);
    CHECK(strcmp(json_string_value(json_object_get(karneval, "event")), "Karneval") == 0);
    CHECK(json_integer_value(json_object_get(karneval, "photo_count")) == 3);
    /* photo 2 dated by its event (month) before the two of that month's 14th */
    static const int order[] = { 2, 0, 1 };
    for (int i = 0; i < 3; i++) {
        json_t *ph = json_array_get(json_object_get(karneval, "photos"), (size_t)i);
        CHECK_MSG(ph && strcmp(json_string_value(json_object_get(ph, "id")), f->photo[order[i]]) == 0,
                  "Karneval photo %d", i);
        if (i == 0)
            CHECK(strcmp(json_string_value(json_object_get(ph, "date_source")), "event") == 0 &&
                  json_array_size(json_object_get(ph, "people")) == 1); /* B; D is hidden */
        if (i == 1)
            CHECK(json_array_size(json_object_get(ph, "people")) == 2);
    }
    CHECK(json_integer_value(json_object_get(t, "undated_count")) == 3);
    json_decref(t);

    /* per person: A, first/last seen, events, places, ages */
    timeline_options op = { .person_id = f->person[0], .with_undated = true };
    CHECK_MSG(timeline_build(c, &op, &t, &e) == 0, "%s", e.msg);
    json_t *p = json_object_get(t, "person");
    CHECK(p && strcmp(json_string_value(json_object_get(p, "first_seen")), "1977-02-14") == 0);
    CHECK(p && strcmp(json_string_value(json_object_get(p, "last_seen")), "1990-05-01") == 0);
    CHECK(p && json_integer_value(json_object_get(p, "photos")) == 5);
    CHECK(p && json_array_size(json_object_get(p, "events")) == 2);
    CHECK(p && json_array_size(json_object_get(p, "places")) == 2);
    CHECK(json_integer_value(json_object_get(t, "undated_count")) == 0);
    tl = json_object_get(t, "timeline");
    json_t *e85 = json_array_get(tl, json_array_size(tl) - 2);
    json_t *a85 = json_array_get(json_object_get(json_array_get(json_object_get(e85, "photos"), 0), "people"), 0);
    CHECK_MSG(json_real_value(json_object_get(a85, "age")) == 34.0, "age %g",
              json_real_value(json_object_get(a85, "age")));
    json_decref(t);
    /* cut at max_entries: the person's events and places are those of the
     * entries listed, not of the first photo past them (A's photo 3 starts
     * the hostile event's entry, photo 4 the 1985 one with the hostile place) */
    for (size_t max = 1; max <= 2; max++) {
        timeline_options cut = { .person_id = f->person[0], .max_entries = max };
        CHECK_MSG(timeline_build(c, &cut, &t, &e) == 0, "%s", e.msg);
        p = json_object_get(t, "person");
        json_t *evs = json_object_get(p, "events"), *pls = json_object_get(p, "places");
        CHECK_MSG(json_array_size(json_object_get(t, "timeline")) == max &&
                      json_is_true(json_object_get(t, "truncated")),
                  "max_entries %zu: %zu entries", max, json_array_size(json_object_get(t, "timeline")));
        CHECK_MSG(json_array_size(evs) == max, "max_entries %zu: %zu events", max, json_array_size(evs));
        CHECK(json_integer_value(json_object_get(json_array_get(evs, 0), "id")) == f->karneval);
        if (max == 2)
            CHECK(json_integer_value(json_object_get(json_array_get(evs, 1), "id")) == f->hostile_event);
        CHECK_MSG(json_array_size(pls) == 1 &&
                      json_integer_value(json_object_get(json_array_get(pls, 0), "id")) == f->koeln,
                  "max_entries %zu: %zu places, want Köln alone", max, json_array_size(pls));
        json_decref(t);
    }
    timeline_options none = { .person_id = f->person[3] };
    CHECK(timeline_build(c, &none, &t, &e) == ERR_NOTFOUND); /* hidden */
}

static void test_human_wins(catalog *c, const graph_fixture *f)
{
    err e = { 0 };
    catalog_annotation a = {
        .photo_id = f->photo[6], .date_value = "1991", .date_precision = "year", .date_source = "folder"
    };
    CHECK(catalog_graph_annotation_put(c, &a, &e) == ERR_CONFLICT);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT date_value FROM photo_annotations WHERE photo_id = '%s'", f->photo[6]);
    char *v = test_query_text(c, sql);
    CHECK(v && strcmp(v, "1990-05-01") == 0);
    free(v);
    catalog_annotation bad = { .photo_id = f->photo[6], .date_value = "May", .date_precision = "month" };
    CHECK(catalog_graph_annotation_put(c, &bad, &e) == ERR_INVALID);
    catalog_annotation badp = { .photo_id = f->photo[6], .date_value = "1990", .date_precision = "century" };
    CHECK(catalog_graph_annotation_put(c, &badp, &e) == ERR_INVALID && strstr(e.msg, "century"));
}

static int count_pair(int64_t a, const char *na, int64_t b, const char *nb, int64_t n, void *ud)
{
    (void)na, (void)nb;
    int *k = ud;
    k[0]++;
    k[1] += (int)n;
    (void)a, (void)b;
    return 0;
}

static int count_photo(const catalog_timeline_photo *p, void *ud)
{
    (void)p;
    ++*(int *)ud;
    return 0;
}

static int count_neighbour(const catalog_neighbour *nb, void *ud)
{
    (void)nb;
    ++*(int *)ud;
    return 0;
}

/* A neighbour row's caption, where it carries one, is the node's own. */
typedef struct label_check {
    catalog *c;
    int carried, wrong;
} label_check;

static int check_label(const catalog_neighbour *nb, void *ud)
{
    label_check *k = ud;
    if (!nb->label)
        return 0;
    char own[512];
    err e = { 0 };
    k->carried++;
    if (catalog_graph_node_label(k->c, nb->type, nb->id, own, sizeof own, &e) != 1 || strcmp(own, nb->label) != 0) {
        fprintf(stderr, "%s %s: row label '%s', node label '%s'\n", nb->type, nb->id, nb->label, own);
        k->wrong++;
    }
    return 0;
}

/* Neighbour rows as text, one line each. */
static int row_text(const catalog_neighbour *nb, void *ud)
{
    char line[256];
    snprintf(line, sizeof line, "%s %d %s %s %s\n", nb->rel, nb->dir, nb->type, nb->id, nb->label ? nb->label : "-");
    strncat(ud, line, 4095 - strlen(ud));
    return 0;
}

/* catalog_graph_neighbours_known with a node's links gives the rows
 * catalog_graph_neighbours reads, at every limit. */
static void check_known(catalog *c, const char *type, const char *id)
{
    err e = { 0 };
    char label[256];
    catalog_node_links links;
    CHECK(catalog_graph_node_info(c, type, id, label, sizeof label, NULL, NULL, NULL, &links, &e) == 1 && links.known);
    static const int limits[] = { -1, 0, 1, 2, 3, 100 };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        char read[4096] = "", known[4096] = "";
        CHECK(catalog_graph_neighbours(c, type, id, limits[i], row_text, read, &e) == 0);
        CHECK(catalog_graph_neighbours_known(c, type, id, &links, limits[i], row_text, known, &e) == 0);
        CHECK_MSG(strcmp(read, known) == 0, "%s %s, limit %d: read\n%swith links\n%s", type, id, limits[i], read,
                  known);
    }
}

static void test_neighbours(catalog *c, const graph_fixture *f)
{
    for (int i = 0; i < GF_PHOTOS; i++)
        check_known(c, "Foto", f->photo[i]);
    char ev[24];
    int64_t events[] = { f->karneval, f->hostile_event };
    for (int i = 0; i < 2; i++) {
        snprintf(ev, sizeof ev, "%lld", (long long)events[i]);
        check_known(c, "Event", ev);
    }
    err e = { 0 };
    int k[2] = { 0, 0 };
    CHECK(catalog_graph_coappearance(c, 0, 100, count_pair, k, &e) == 0);
    CHECK_MSG(k[0] == 2 && k[1] == 2, "pairs %d, photos %d", k[0], k[1]); /* A-B (0), A-C (1); D hidden */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)f->person[0]);
    int n = 0;
    CHECK(catalog_graph_neighbours(c, "Person", id, 100, count_neighbour, &n, &e) == 0);
    CHECK_MSG(n == 1 + 2 + 5, "person A has %d neighbours", n);
    n = 0;
    CHECK(catalog_graph_neighbours(c, "Person", id, 3, count_neighbour, &n, &e) == 0 && n == 3);
    n = 0;
    CHECK(catalog_graph_neighbours(c, "Year", "1977", 100, count_neighbour, &n, &e) == 0);
    /* 0, 1, and 2, whose date comes from its event: the same photos as IN_YEAR */
    CHECK_MSG(n == 3, "1977 has %d photos", n);
    /* photo 9: B was found there by an analysis that is no longer current */
    n = 0;
    CHECK(catalog_graph_neighbours(c, "Foto", f->photo[9], 100, count_neighbour, &n, &e) == 0);
    CHECK_MSG(n == 0, "photo 9 has %d neighbours (an old analysis's face counted)", n);
    /* C: attendee and photographer of Karneval, one PERFORMED_AT neighbour */
    snprintf(id, sizeof id, "%lld", (long long)f->karneval);
    n = 0;
    CHECK(catalog_graph_neighbours(c, "Event", id, 100, count_neighbour, &n, &e) == 0);
    CHECK_MSG(n == 1 + 3 + 3, "Karneval has %d neighbours", n); /* Köln, A B C, photos 0-2 (D hidden) */
    label_check lk = { .c = c };
    CHECK(catalog_graph_neighbours(c, "Event", id, 100, check_label, &lk, &e) == 0);
    CHECK(catalog_graph_neighbours(c, "Foto", f->photo[0], 100, check_label, &lk, &e) == 0);
    snprintf(id, sizeof id, "%lld", (long long)f->person[0]);
    CHECK(catalog_graph_neighbours(c, "Cluster", id, 100, check_label, &lk, &e) == 0);
    CHECK_MSG(lk.carried == 3 + 2 + 1 && lk.wrong == 0, "%d labels carried, %d not the node's", lk.carried, lk.wrong);
    CHECK(catalog_graph_neighbours(c, "Nope", "1", 10, count_neighbour, &n, &e) == ERR_INVALID);
    char label[256];
    CHECK(catalog_graph_node_label(c, "Foto", f->photo[3], label, sizeof label, &e) == 1 &&
          strcmp(label, "photo-3.jpg") == 0);
    CHECK(catalog_graph_node_label(c, "Event", "999999", label, sizeof label, &e) == 0);
}

static void test_csv(catalog *c, const char *dir)
{
    char out[1024], path[1200];
    snprintf(out, sizeof out, "%s/csv", dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
    CHECK(system(cmd) == 0);
    err e = { 0 };
    graph_export_stats st;
    CHECK_MSG(graph_export_csv(c, out, &st, &e) == 0, "%s", e.msg);
    size_t n;
    snprintf(path, sizeof path, "%s/person.csv", out);
    char *p = read_all(path, &n);
    CHECK(p && strncmp(p, ":ID(Person),cluster_id:long,name,suggested_labels:string[],confidence:double\n", 77) == 0);
    CHECK(p && strstr(p, ",\"\"\"}) DETACH DELETE n //\","));
    free(p);
    snprintf(path, sizeof path, "%s/appears_in.csv", out);
    p = read_all(path, &n);
    CHECK(p && strncmp(p, ":START_ID(Person),:END_ID(Foto),bbox:double[],confidence:double\n", 63) == 0);
    CHECK(p && strstr(p, "\"10\x1f"
                         "20.5\x1f"
                         "64\x1f"
                         "80.25\""));
    free(p);
    snprintf(path, sizeof path, "%s/IMPORT.txt", out);
    p = read_all(path, &n);
    CHECK(p && strstr(p, "--relationships=NEXT=next_event.csv"));
    free(p);
    CHECK(st.nodes == 24);
}

/* timeline_photos against the timeline computed from scratch the way the
 * catalog did before it was stored (each photo's date by the same rules, an
 * event's photos under the event's date or their earliest): rows that differ. */
static int timeline_drift(catalog *c)
{
    static const char sql[] =
        "WITH ph AS (SELECT p.photo_id,"
        "  coalesce(a.date_value, p.taken_at, e.date_value, CAST(e.year AS TEXT)) AS date,"
        "  CASE WHEN a.date_value IS NOT NULL THEN a.date_precision WHEN p.taken_at IS NOT NULL THEN 'day'"
        "       WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END AS prec,"
        "  a.event_id, coalesce(e.date_value, CAST(e.year AS TEXT)) AS ev_date"
        "  FROM photos p LEFT JOIN photo_annotations a ON a.photo_id = p.photo_id"
        "  LEFT JOIN events e ON e.id = a.event_id),"
        " k AS (SELECT ph.*, CASE WHEN event_id IS NULL THEN date"
        "   ELSE coalesce(ev_date, min(date) OVER (PARTITION BY event_id)) END AS key FROM ph)"
        " SELECT (SELECT count(*) FROM k LEFT JOIN timeline_photos t ON t.photo_id = k.photo_id"
        "   WHERE t.photo_id IS NULL OR t.key IS NOT k.key OR t.date IS NOT k.date OR t.precision IS NOT k.prec"
        "   OR t.event_id IS NOT k.event_id)"
        " + (SELECT count(*) FROM timeline_photos WHERE photo_id NOT IN (SELECT photo_id FROM photos))";
    return (int)test_query_int(c, sql);
}

/* Schema 18's stored aggregates against their definitions computed from
 * scratch: photo_persons against the faces that count (current analysis, not
 * rejected, person not hidden), timeline_counts against timeline_photos;
 * schema 25's timeline_run_heads against timeline_photos. The number of rows
 * that differ either way. */
static int stored_drift(catalog *c)
{
    static const char sql[] =
        "WITH " CATALOG_CURRENT_CTE ","
        " counted AS (SELECT f.photo_id, f.person_id, f.age, row_number() OVER (PARTITION BY f.photo_id, f.person_id"
        "   ORDER BY coalesce(f.score, 0) DESC, f.id) AS rn FROM faces f"
        "  JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version"
        "  JOIN persons p ON p.id = f.person_id AND p.hidden = 0 WHERE f.status <> 'rejected'),"
        " want AS (SELECT photo_id, person_id, age FROM counted WHERE rn = 1),"
        " years AS (SELECT coalesce(CAST(substr(key, 1, 4) AS INTEGER), -1) AS year, count(*) AS photos"
        "  FROM timeline_photos GROUP BY 1)"
        " SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT photo_id, person_id, age FROM photo_persons))"
        " + (SELECT count(*) FROM (SELECT photo_id, person_id, age FROM photo_persons EXCEPT SELECT * FROM want))"
        " + (SELECT count(*) FROM (SELECT * FROM years EXCEPT SELECT year, photos FROM timeline_counts))"
        " + (SELECT count(*) FROM (SELECT year, photos FROM timeline_counts EXCEPT SELECT * FROM years))";
    return (int)(test_query_int(c, sql) + test_query_int(c, TEST_RUN_HEADS_DRIFT));
}

static int64_t face_of(catalog *c, const char *photo_id, int face_no)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(catalog_sqlite(c),
                           "SELECT id FROM faces WHERE photo_id = ?1 AND face_no = ?2 AND model_version = 'test-model'",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, face_no);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

static void exec_ok(catalog *c, const char *sql)
{
    char *msg = NULL;
    CHECK_MSG(sqlite3_exec(catalog_sqlite(c), sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg ? msg : "");
    sqlite3_free(msg);
}

/* Every writer keeps timeline_photos current (schema 12's triggers): dates of
 * photos, annotations and events changed, an event and a photo deleted. */
/* Every kind of change keeps photo_persons current (schema 18's triggers):
 * names, moves, merges, rejections, hiding, a newer analysis, deletions. */
static void test_photo_persons_kept(catalog *c, const graph_fixture *f)
{
    CHECK_MSG(stored_drift(c) == 0, "photo_persons or timeline_counts differ after the fixture");
    err e = { 0 };
    CHECK(persons_hide(c, "test", f->person[3], false, &e) == 0);
    CHECK_MSG(stored_drift(c) == 0, "after a person was shown again");
    CHECK(persons_hide(c, "test", f->person[1], true, &e) == 0);
    CHECK_MSG(stored_drift(c) == 0, "after a person was hidden");
    CHECK(persons_hide(c, "test", f->person[1], false, &e) == 0);
    int64_t face = face_of(c, f->photo[1], 1); /* C in photo 1 */
    CHECK(face > 0 && persons_reject_face(c, "test", face, &e) == 0);
    CHECK_MSG(stored_drift(c) == 0, "after a face was rejected");
    face = face_of(c, f->photo[3], 0); /* A in photo 3, moved to B */
    int64_t into = 0;
    CHECK(face > 0 && persons_move_faces(c, "test", &face, 1, f->person[1], &into, &e) == 0);
    CHECK_MSG(stored_drift(c) == 0, "after a face was moved: %s", e.msg);
    face = face_of(c, f->photo[4], 0); /* A in photo 4, split off into a new person */
    CHECK(face > 0 && persons_split(c, "test", &face, 1, &into, &e) == 0);
    CHECK_MSG(stored_drift(c) == 0, "after a split");
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE faces SET age = 61.5, score = 0.99 WHERE id = %lld", (long long)face);
    exec_ok(c, sql);
    CHECK_MSG(stored_drift(c) == 0, "after a face's age and score changed");
    int64_t from = f->person[2];
    CHECK_MSG(persons_merge(c, "test", f->person[0], &from, 1, &e) == 0, "%s", e.msg); /* C into A */
    CHECK_MSG(stored_drift(c) == 0, "after a merge");
    /* a newer analysis of photo 3 that found nobody: its faces stop counting */
    CHECK_MSG(catalog_analysis_put(c, f->photo[3], "newer-model", "done", 0, NULL, &e) == 0, "%s", e.msg);
    CHECK_MSG(stored_drift(c) == 0, "after a newer analysis");
    snprintf(sql, sizeof sql, "DELETE FROM analysis_runs WHERE photo_id = '%s' AND model_version = 'newer-model'",
             f->photo[3]);
    exec_ok(c, sql);
    CHECK_MSG(stored_drift(c) == 0, "after an analysis run was deleted");
    snprintf(sql, sizeof sql, "DELETE FROM faces WHERE photo_id = '%s'", f->photo[5]);
    exec_ok(c, sql);
    CHECK_MSG(stored_drift(c) == 0, "after faces were deleted");
    snprintf(sql, sizeof sql, "DELETE FROM persons WHERE id = %lld", (long long)f->person[1]);
    exec_ok(c, sql);
    CHECK_MSG(stored_drift(c) == 0, "after a person was deleted");
    snprintf(sql, sizeof sql, "DELETE FROM photos WHERE photo_id = '%s'", f->photo[2]);
    exec_ok(c, sql);
    CHECK_MSG(stored_drift(c) == 0, "after a photo was deleted");
}

static void test_timeline_kept(catalog *c, const graph_fixture *f)
{
    CHECK_MSG(timeline_drift(c) == 0, "timeline_photos differs from the catalog after the fixture");
    err e = { 0 };
    catalog_event k = { .name = "Karneval", .year = 1977, .location_id = f->koeln, .source = "folder" };
    CHECK_MSG(catalog_graph_event_put(c, &k, &e) == 0, "%s", e.msg); /* its date removed */
    CHECK_MSG(timeline_drift(c) == 0, "after an event lost its date");
    k.date_value = "1978-03", k.date_precision = "month";
    CHECK(catalog_graph_event_put(c, &k, &e) == 0);
    CHECK_MSG(timeline_drift(c) == 0, "after an event's date changed");
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE photos SET taken_at = '1976-12-24' WHERE photo_id = '%s'", f->photo[7]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo's EXIF date changed");
    catalog_annotation a = { .photo_id = f->photo[9],
                             .date_value = "1999",
                             .date_precision = "year",
                             .date_source = "caption",
                             .event_id = f->karneval };
    CHECK(catalog_graph_annotation_put(c, &a, &e) == 0);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo joined an event");
    snprintf(sql, sizeof sql, "DELETE FROM photo_annotations WHERE photo_id = '%s'", f->photo[1]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after an annotation was deleted");
    snprintf(sql, sizeof sql, "DELETE FROM events WHERE id = %lld", (long long)f->hostile_event);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after an event was deleted");
    snprintf(sql, sizeof sql, "DELETE FROM photos WHERE photo_id = '%s'", f->photo[0]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo was deleted");
    CHECK_MSG(stored_drift(c) == 0, "timeline_counts differ after the timeline's changes");
    catalog_timeline_filter q = { .event_id = f->karneval };
    int n = 0;
    CHECK(catalog_graph_timeline(c, &q, count_photo, &n, &e) == 0);
    CHECK_MSG(n == 2, "Karneval's entry has %d photos", n); /* 2 and 9, both under the event's 1978-03 */
    /* an event without a date sorts under its earliest photo: an annotation's
     * date or event changed by an UPDATE re-keys the event's other photos */
    snprintf(sql, sizeof sql, "UPDATE events SET date_value = NULL, date_precision = NULL, year = NULL WHERE id = %lld",
             (long long)f->karneval);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after an event lost its date and year");
    snprintf(sql, sizeof sql,
             "UPDATE photo_annotations SET date_value = '1970-01-01', date_precision = 'day', date_source = 'caption' "
             "WHERE photo_id = '%s'",
             f->photo[2]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo's date became its event's earliest");
    snprintf(sql, sizeof sql, "UPDATE photo_annotations SET event_id = NULL WHERE photo_id = '%s'", f->photo[2]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo left its event");
    snprintf(sql, sizeof sql, "UPDATE photo_annotations SET event_id = %lld, evidence = '[]' WHERE photo_id = '%s'",
             (long long)f->karneval, f->photo[2]);
    exec_ok(c, sql);
    CHECK_MSG(timeline_drift(c) == 0, "after a photo joined an event again");
    CHECK_MSG(stored_drift(c) == 0, "timeline_counts differ after the annotations' updates");
    /* the photo the undated event sorts under deleted (its annotation goes by
     * the foreign key's cascade first): the event's other photos move to the
     * next earliest */
    int64_t before = test_query_int(c, "SELECT count(*) FROM timeline_photos WHERE key = '1970-01-01'");
    snprintf(sql, sizeof sql, "DELETE FROM photos WHERE photo_id = '%s'", f->photo[2]);
    exec_ok(c, sql);
    CHECK_MSG(before >= 2, "the event's photos under 1970-01-01 before: %lld", (long long)before);
    CHECK_MSG(timeline_drift(c) == 0, "after the photo an undated event sorts under was deleted");
    CHECK_MSG(test_query_int(c, "SELECT count(*) FROM timeline_photos WHERE key = '1970-01-01'") == 0,
              "photos still sort under the deleted photo's date");
    CHECK_MSG(stored_drift(c) == 0, "timeline_counts differ after that photo was deleted");
}

/* A catalog that schema 21 left with an undated event still sorting under
 * the date of its earliest photo, deleted: opened by this build (schema 22),
 * the event's photos sort under the earliest that is left. */
static void test_timeline_delete_repaired(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/v21.sqlite", dir);
    sqlite3 *db = NULL;
    err e = { 0 };
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK_MSG(catalog_schema_migrate_to(db, path, 21, &e) == 0, "%s", e.msg);
#define V21_PHOTO(id) "('" id "', '" id id id id "', 'jpeg', '" id ".jpg', 1, 100, 100, 100, 100)"
    static const char fill[] =
        "PRAGMA foreign_keys = ON;"
        "INSERT INTO photos (photo_id, sha256, format, incoming_key, bytes, width, height, orig_width, orig_height) "
        "VALUES " V21_PHOTO("00000000000d0001") ", " V21_PHOTO("00000000000d0002") ", " V21_PHOTO(
            "00000000000d0003") ";"
                                "INSERT INTO events (id, name, source) VALUES (41, 'Sommerfest', 'folder');"
                                "INSERT INTO photo_annotations (photo_id, date_value, date_precision, date_source, "
                                "event_id) VALUES"
                                " ('00000000000d0001', '1961-05-01', 'day', 'caption', 41),"
                                " ('00000000000d0002', '1961-06', 'month', 'caption', 41),"
                                " ('00000000000d0003', '1962', 'year', 'caption', 41);"
                                "DELETE FROM photos WHERE photo_id = '00000000000d0001';";
    char *msg = NULL;
    CHECK_MSG(sqlite3_exec(db, fill, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_free(msg);
    char *stale = test_raw_text(db, "SELECT group_concat(key) FROM timeline_photos");
    CHECK_MSG(stale && strcmp(stale, "1961-05-01,1961-05-01") == 0, "schema 21 after the delete: keys %s",
              stale ? stale : "(none)");
    free(stale);
    sqlite3_close(db);
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    CHECK(catalog_schema_version(c) == CATALOG_SCHEMA_LATEST);
    CHECK_MSG(timeline_drift(c) == 0, "a schema-21 catalog's stale event keys after the migration");
    char *keys = test_query_text(c, "SELECT group_concat(key) FROM timeline_photos");
    CHECK_MSG(keys && strcmp(keys, "1961-06,1961-06") == 0, "keys after the migration: %s", keys ? keys : "(none)");
    free(keys);
    CHECK_MSG(stored_drift(c) == 0, "timeline_counts after the migration");
    catalog_close(c);
}

/* graph_jsontext: what jansson reads back is the string written; bytes that
 * are not UTF-8 become U+FFFD. */
/* A photo put with its first file path (NULL: none, as a frame has). */
static int put_photo(catalog *c, const char *id, const char *path, err *e)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    for (int k = 0; k < 64; k++)
        p.sha256[k] = id[k % 16];
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", id);
    p.bytes = 1000, p.width = p.orig_width = 640, p.height = p.orig_height = 480, p.orientation = 1;
    if (catalog_photo_put(c, &p, e) < 0)
        return -1;
    return path && catalog_source_add(c, id, path, 1000, 1, e) < 0 ? -1 : 0;
}

static int put_frame(catalog *c, const char *id, const char *parent, const char *kind, int no, int64_t ms, err *e)
{
    if (put_photo(c, id, NULL, e) != 0)
        return -1;
    catalog_frame f = { .frame_no = no, .time_ms = ms };
    snprintf(f.photo_id, sizeof f.photo_id, "%s", id);
    snprintf(f.parent_id, sizeof f.parent_id, "%s", parent);
    snprintf(f.kind, sizeof f.kind, "%s", kind);
    return catalog_frame_put(c, &f, e);
}

/* The label graph_walk gives a photo node (the root). */
static char *walk_label(catalog *c, const char *photo_id)
{
    char node[32], *out = NULL;
    size_t len;
    err e = { 0 };
    snprintf(node, sizeof node, "foto:%s", photo_id);
    if (graph_walk(c, node, 1, 10, &out, &len, &e) != 0)
        return NULL;
    json_t *v = json_loadb(out, len, 0, NULL);
    free(out);
    const char *l = json_string_value(json_object_get(json_array_get(json_object_get(v, "nodes"), 0), "label"));
    char *label = l ? strdup(l) : NULL;
    json_decref(v);
    return label;
}

/* A frame of a contact sheet or video has no file of its own: the graph names
 * it after its parent's file, as the rest of the UI does; a photo without any
 * file (nor frame row) keeps its id. */
static void test_frame_labels(catalog *c)
{
    err e = { 0 };
    int rc = catalog_begin(c, &e);
    if (rc == 0)
        rc = put_photo(c, "00000000000f0001", "/scans/b/kontakt.jpg", &e);
    if (rc == 0) /* a second file of the sheet: the first path in byte order names it */
        rc = catalog_source_add(c, "00000000000f0001", "/scans/a/kontakt-kopie.jpg", 1000, 1, &e) < 0 ? -1 : 0;
    if (rc == 0)
        rc = put_photo(c, "00000000000f0002", "/videos/show.mp4", &e);
    if (rc == 0)
        rc = put_photo(c, "00000000000f0003", NULL, &e); /* a parent whose file is gone */
    if (rc == 0)
        rc = put_frame(c, "00000000000f0011", "00000000000f0001", "sheet", 3, -1, &e);
    if (rc == 0)
        rc = put_frame(c, "00000000000f0012", "00000000000f0002", "video", 2, 83000, &e);
    if (rc == 0)
        rc = put_frame(c, "00000000000f0013", "00000000000f0002", "video", 5, 3723000, &e);
    if (rc == 0)
        rc = put_frame(c, "00000000000f0014", "00000000000f0003", "sheet", 1, -1, &e);
    rc = rc == 0 ? catalog_commit(c, &e) : (catalog_rollback(c), rc);
    CHECK_MSG(rc == 0, "frames: %s", e.msg);
    if (rc != 0)
        return;
    static const struct {
        const char *id, *label;
    } want[] = {
        { "00000000000f0001", "kontakt-kopie.jpg" },         { "00000000000f0011", "kontakt-kopie.jpg, frame 3" },
        { "00000000000f0012", "show.mp4 @ 01:23" },          { "00000000000f0013", "show.mp4 @ 1:02:03" },
        { "00000000000f0014", "00000000000f0003, frame 1" }, { "00000000000f0003", "00000000000f0003" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *label = walk_label(c, want[i].id);
        CHECK_MSG(label && strcmp(label, want[i].label) == 0, "%s: label '%s', want '%s'", want[i].id,
                  label ? label : "(none)", want[i].label);
        free(label);
    }
    /* the store alone gives the parent's file name and what the frame is */
    char buf[64];
    catalog_node_frame fr;
    CHECK(catalog_graph_node_info(c, "Foto", "00000000000f0012", buf, sizeof buf, NULL, NULL, &fr, NULL, &e) == 1 &&
          strcmp(buf, "show.mp4") == 0 && strcmp(fr.kind, "video") == 0 && fr.frame_no == 2 && fr.time_ms == 83000);
    CHECK(catalog_graph_node_info(c, "Foto", "00000000000f0001", buf, sizeof buf, NULL, NULL, &fr, NULL, &e) == 1 &&
          fr.kind[0] == '\0' && fr.time_ms == -1);
}

static void test_jsontext(void)
{
    jsontext t = { 0 };
    jsontext_raw(&t, "[");
    jsontext_string(&t, gf_place_hostile);
    jsontext_raw(&t, ",");
    jsontext_string(&t, "bad \xff\xc3 end \"q\" \\");
    jsontext_raw(&t, ",");
    jsontext_string(&t, NULL);
    jsontext_raw(&t, ",");
    jsontext_int(&t, -9007199254740993LL);
    jsontext_raw(&t, "]");
    size_t len;
    char *s = jsontext_take(&t, &len);
    json_error_t je;
    json_t *v = s ? json_loadb(s, len, 0, &je) : NULL;
    CHECK_MSG(v != NULL, "%s", s ? je.text : "no text");
    CHECK(v && strcmp(json_string_value(json_array_get(v, 0)), gf_place_hostile) == 0);
    CHECK(v && strcmp(json_string_value(json_array_get(v, 1)), "bad \xef\xbf\xbd\xef\xbf\xbd end \"q\" \\") == 0);
    CHECK(v && json_is_null(json_array_get(v, 2)) && json_integer_value(json_array_get(v, 3)) == -9007199254740993LL);
    json_decref(v);
    free(s);

    /* byte for byte what jansson writes (the rest of the API answers through
     * it): every control character, quotes, backslash, slash, non-ASCII;
     * reals as json_real prints them; integers at the ends of their range */
    char ctl[64];
    size_t n = 0;
    for (int ch = 1; ch < 0x20; ch++)
        ctl[n++] = (char)ch;
    ctl[n] = '\0';
    const char *strs[] = {
        ctl, gf_place_hostile, gf_event_hostile, gf_path_hostile, "Zo\xc3\xab \xf0\x9f\x99\x82 </x> \x7f", ""
    };
    const double reals[] = { 0, 34, 17.4, 0.1, 99.95, -2.5, 1e300, 1e-7, 123456789012345678.0, 5e-324, 1.5e16 };
    const int64_t ints[] = { 0, -1, 9, 10, INT64_MAX, INT64_MIN };
    json_t *want = json_array();
    t = (jsontext){ 0 };
    jsontext_raw(&t, "[");
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        json_array_append_new(want, json_string(strs[i]));
        jsontext_raw(&t, i ? "," : "");
        jsontext_string(&t, strs[i]);
    }
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_array_append_new(want, json_real(reals[i]));
        jsontext_raw(&t, ",");
        jsontext_real(&t, reals[i]);
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        json_array_append_new(want, json_integer(ints[i]));
        jsontext_raw(&t, ",");
        jsontext_int(&t, ints[i]);
    }
    jsontext_raw(&t, "]");
    char *mine = jsontext_take(&t, &len), *theirs = json_dumps(want, JSON_COMPACT);
    CHECK_MSG(mine && theirs && strcmp(mine, theirs) == 0, "jsontext\n  %s\njansson\n  %s", mine ? mine : "(none)",
              theirs ? theirs : "(none)");
    free(mine);
    free(theirs);
    json_decref(want);
    /* every tenth an age can be (written from a table), and its neighbours */
    want = json_array();
    t = (jsontext){ 0 };
    jsontext_raw(&t, "[");
    for (int k = 0; k <= 2001; k++) {
        double v[3] = { (double)k / 10, nextafter((double)k / 10, 1e9), (double)(long)(k * 0.37 * 10 + 0.5) / 10 };
        for (int j = 0; j < 3; j++) {
            json_array_append_new(want, json_real(v[j]));
            jsontext_raw(&t, k || j ? "," : "");
            jsontext_real(&t, v[j]);
        }
    }
    jsontext_raw(&t, "]");
    mine = jsontext_take(&t, &len), theirs = json_dumps(want, JSON_COMPACT);
    CHECK_MSG(mine && theirs && strcmp(mine, theirs) == 0, "tenths differ from jansson's");
    free(mine);
    free(theirs);
    json_decref(want);
    t = (jsontext){ 0 };
    jsontext_real(&t, 0.0 / 0.0);
    s = jsontext_take(&t, &len);
    CHECK(s && strcmp(s, "null") == 0); /* NaN, which JSON cannot hold */
    free(s);
}

int main(void)
{
    test_jsontext();
    const char *dir = test_tmpdir("graph");
    char dbpath[1024];
    snprintf(dbpath, sizeof dbpath, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(dbpath, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    graph_fixture f;
    int rc = c ? graph_fixture_build(c, &f, &e) : -1;
    CHECK_MSG(rc == 0, "fixture: %s", e.msg);
    if (rc == 0) {
        test_sets(c, &f);
        test_export(c, &f, dir);
        test_timeline(c, &f);
        test_neighbours(c, &f);
        test_human_wins(c, &f);
        test_csv(c, dir);
        test_timeline_kept(c, &f); /* change the fixture: last */
        test_photo_persons_kept(c, &f);
        test_frame_labels(c); /* adds photos */
    }
    catalog_close(c);
    test_timeline_delete_repaired(dir);
    if (!getenv("FACETAG_KEEP_TMP"))
        test_rmtree(dir);
    return test_main_end();
}
