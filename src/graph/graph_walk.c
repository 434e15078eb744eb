/* graph_walk.c — graph_walk.h over catalog_graph_neighbours. */
#include "graph/graph_walk.h"
#include "store/catalog_graph.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *ref, *type;
} kinds[] = { { "person", "Person" }, { "cluster", "Cluster" }, { "foto", "Foto" },         { "photo", "Foto" },
              { "event", "Event" },   { "place", "Location" },  { "location", "Location" }, { "year", "Year" } };

static const char *ref_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].type, type) == 0)
            return kinds[i].ref;
    return "node";
}

/* Splits "type:id" and checks the id's form for its type. */
static int parse_ref(const char *node, const char **type, char *id, size_t size, err *e)
{
    const char *colon = node ? strchr(node, ':') : NULL;
    if (!colon)
        return err_set(e, ERR_INVALID, "node must be TYPE:ID (person:17, event:3, place:2, foto:PHOTO_ID, year:1977)");
    *type = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].ref) == (size_t)(colon - node) && strncmp(node, kinds[i].ref, (size_t)(colon - node)) == 0)
            *type = kinds[i].type;
    if (!*type)
        return err_set(e, ERR_INVALID, "node type must be person, cluster, foto, event, place or year");
    const char *v = colon + 1;
    size_t n = strlen(v);
    bool ok;
    if (strcmp(*type, "Foto") == 0) {
        ok = n == 16 && strspn(v, "0123456789abcdef") == 16;
    } else if (strcmp(*type, "Year") == 0) {
        ok = n == 4 && strspn(v, "0123456789") == 4 && v[0] != '0';
    } else {
        ok = n >= 1 && n <= 15 && strspn(v, "0123456789") == n && v[0] != '0';
    }
    if (!ok)
        return err_set(e, ERR_INVALID, "node %.40s: the id of a %s must be %s", node, colon - node > 0 ? *type : "",
                       strcmp(*type, "Foto") == 0   ? "16 lowercase hex digits"
                       : strcmp(*type, "Year") == 0 ? "a four-digit year"
                                                    : "a positive integer");
    snprintf(id, size, "%s", v);
    return 0;
}

typedef struct walk {
    catalog *c;
    json_t *nodes, *edges, *seen, *seen_edges; /* seen: ref -> index into nodes; seen_edges: from|rel|to */
    int max_nodes, depth;
    int rows; /* neighbours read for the node being expanded */
    bool truncated;
    err *e;
    const char *from; /* the node being expanded */
} walk;

/* Adds the node when new and there is room; its ref in out. 1 added, 0 known, -1 no room. */
static int add_node(walk *w, const char *type, const char *id, int depth, char *ref, size_t size)
{
    snprintf(ref, size, "%s:%s", ref_of(type), id);
    if (json_object_get(w->seen, ref))
        return 0;
    if ((int)json_array_size(w->nodes) >= w->max_nodes) {
        w->truncated = true;
        return -1;
    }
    char label[512];
    int year = 0;
    int64_t place = 0;
    int found = catalog_graph_node_info(w->c, type, id, label, sizeof label, &year, &place, w->e);
    if (found <= 0)
        return found < 0 ? -2 : -1;
    json_object_set_new(w->seen, ref, json_integer((json_int_t)json_array_size(w->nodes)));
    json_t *n = json_pack("{s:s,s:s,s:s,s:i}", "id", ref, "type", type, "label", label, "depth", depth);
    if (year)
        json_object_set_new(n, "year", json_integer(year));
    if (place)
        json_object_set_new(n, "place_id", json_integer(place));
    json_array_append_new(w->nodes, n);
    return 1;
}

static int on_neighbour(const char *rel, int dir, const char *type, const char *id, void *ud)
{
    walk *w = ud;
    char ref[64];
    w->rows++;
    int r = add_node(w, type, id, w->depth + 1, ref, sizeof ref);
    if (r == -2)
        return -1;
    if (r < 0)
        return 0;
    const char *from = dir > 0 ? w->from : ref, *to = dir > 0 ? ref : w->from;
    char key[160];
    snprintf(key, sizeof key, "%s|%s|%s", from, rel, to);
    if (json_object_get(w->seen_edges, key))
        return 0;
    json_object_set_new(w->seen_edges, key, json_true());
    json_array_append_new(w->edges, json_pack("{s:s,s:s,s:s}", "from", from, "to", to, "rel", rel));
    return 0;
}

int graph_walk(catalog *c, const char *node, int depth, int max_nodes, json_t **out, err *e)
{
    *out = NULL;
    const char *type = NULL;
    char id[32];
    int rc = parse_ref(node, &type, id, sizeof id, e);
    if (rc)
        return rc;
    walk w = { .c = c,
               .nodes = json_array(),
               .edges = json_array(),
               .seen = json_object(),
               .seen_edges = json_object(),
               .max_nodes = max_nodes,
               .e = e };
    char root[64];
    bool snapshot = catalog_graph_read_snapshot(c); /* one lock and one state for all the reads */
    int r = add_node(&w, type, id, 0, root, sizeof root);
    if (r <= 0) {
        if (snapshot)
            catalog_graph_read_end(c);
        json_decref(w.nodes), json_decref(w.edges), json_decref(w.seen), json_decref(w.seen_edges);
        return r == -2 ? (e ? e->code : ERR_DB) : err_set(e, ERR_NOTFOUND, "no node %s", node);
    }
    size_t start = 0;
    for (int d = 0; d < depth && rc == 0; d++) {
        size_t end = json_array_size(w.nodes);
        w.depth = d;
        for (size_t i = start; i < end && rc == 0; i++) {
            json_t *n = json_array_get(w.nodes, i);
            const char *ref = json_string_value(json_object_get(n, "id"));
            const char *colon = strchr(ref, ':');
            w.from = ref;
            /* Each node of the frontier gets its share of the room left (twice
             * it, plus one: some neighbours are known already), so the work is
             * bounded by max_nodes, not by how many photos an event has, and
             * the room is spread over the frontier instead of going to its
             * first node. A share read to the end means there may be more. */
            int room = max_nodes - (int)json_array_size(w.nodes);
            int left = (int)(end - i);
            int share = room > 0 ? (room + left - 1) / left : 0;
            int ask = 2 * share + 1;
            w.rows = 0;
            rc = catalog_graph_neighbours(c, json_string_value(json_object_get(n, "type")), colon + 1, ask,
                                          on_neighbour, &w, e);
            if (rc > 0 || rc == -1)
                rc = e && e->code ? e->code : ERR_DB;
            if (rc == 0 && w.rows >= ask)
                w.truncated = true;
        }
        start = end;
    }
    if (snapshot)
        catalog_graph_read_end(c);
    json_decref(w.seen);
    json_decref(w.seen_edges);
    if (rc) {
        json_decref(w.nodes), json_decref(w.edges);
        return rc;
    }
    *out = json_pack("{s:s,s:o,s:o,s:b}", "root", root, "nodes", w.nodes, "edges", w.edges, "truncated", w.truncated);
    return *out ? 0 : err_set(e, ERR_NOMEM, "graph: out of memory");
}
