/* graph_walk.c — graph_walk.h over catalog_graph_neighbours. The nodes and
 * edges found are kept in plain arrays with open-addressing sets for "seen"
 * and written as JSON text at the end: the answer is built for the cost of
 * its queries, not of a JSON tree of some 300 objects. */
#include "graph/graph_walk.h"
#include "graph/graph_jsontext.h"
#include "media/frame_name.h"
#include "store/catalog_graph.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *ref, *type;
} kinds[] = { { "person", "Person" }, { "cluster", "Cluster" }, { "foto", "Foto" },         { "photo", "Foto" },
              { "event", "Event" },   { "place", "Location" },  { "location", "Location" }, { "year", "Year" } };

/* The relations a neighbour row may name (catalog_graph.h): edges keep an
 * index into this list. */
static const char *const rels[] = { "APPEARS_IN", "TAKEN_AT", "PART_OF",     "LOCATED_IN",
                                    "SAME_AS",    "IN_YEAR",  "PERFORMED_AT" };
#define NRELS ((int)(sizeof rels / sizeof rels[0]))

static const char *ref_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].type, type) == 0)
            return kinds[i].ref;
    return "node";
}

/* The static name of a node type (so nodes can keep a pointer to it). */
static const char *type_name(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].type, type) == 0)
            return kinds[i].type;
    return NULL;
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

typedef struct node {
    char ref[48];     /* "person:17" */
    const char *type; /* static */
    char *label;
    int depth, year;
    int64_t place;
    catalog_node_links links; /* what its row said of its relations, for its expansion */
} node;

typedef struct edge {
    int from, to, rel;
} edge;

typedef struct walk {
    catalog *c;
    node *nodes;
    int nnodes, max_nodes;
    edge *edges;
    int nedges, capedges;
    int *node_set; /* open addressing: index + 1 into nodes, 0 = empty */
    size_t node_mask;
    uint64_t *edge_set; /* (from, to, rel) + 1, 0 = empty */
    size_t edge_mask, edge_used;
    int depth;
    int rows; /* neighbours read for the node being expanded */
    int from; /* index of the node being expanded */
    bool truncated, nomem;
    err *e;
} walk;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33, x *= 0xff51afd7ed558ccdull, x ^= x >> 33;
    return x;
}

/* The slot of ref in the node set: its node's or the empty one to take. */
static size_t node_slot(const walk *w, const char *ref)
{
    size_t i = hash_str(ref) & w->node_mask;
    while (w->node_set[i] && strcmp(w->nodes[w->node_set[i] - 1].ref, ref) != 0)
        i = (i + 1) & w->node_mask;
    return i;
}

/* Adds an edge unless known: 0, or -1 out of memory. */
static int add_edge(walk *w, int from, int to, int rel)
{
    uint64_t key = (((uint64_t)from << 34) | ((uint64_t)to << 4) | (uint64_t)rel) + 1;
    if (2 * (w->edge_used + 1) > w->edge_mask + 1) {
        size_t cap = 2 * (w->edge_mask + 1);
        uint64_t *set = calloc(cap, sizeof *set);
        if (!set)
            return -1;
        for (size_t i = 0; i <= w->edge_mask; i++)
            if (w->edge_set[i]) {
                size_t j = mix(w->edge_set[i]) & (cap - 1);
                while (set[j])
                    j = (j + 1) & (cap - 1);
                set[j] = w->edge_set[i];
            }
        free(w->edge_set);
        w->edge_set = set;
        w->edge_mask = cap - 1;
    }
    size_t i = mix(key) & w->edge_mask;
    while (w->edge_set[i] && w->edge_set[i] != key)
        i = (i + 1) & w->edge_mask;
    if (w->edge_set[i])
        return 0;
    if (w->nedges == w->capedges) {
        int cap = w->capedges ? 2 * w->capedges : 64;
        edge *ne = realloc(w->edges, (size_t)cap * sizeof *ne);
        if (!ne)
            return -1;
        w->edges = ne;
        w->capedges = cap;
    }
    w->edge_set[i] = key;
    w->edge_used++;
    w->edges[w->nedges++] = (edge){ from, to, rel };
    return 0;
}

/* "kind:id" into ref (cut to size - 1 bytes, as snprintf would; written by
 * hand, once per neighbour row read, where snprintf cost more than the rest
 * of the row). */
static void make_ref(char *ref, size_t size, const char *kind, const char *id)
{
    size_t n = 0;
    for (const char *s = kind; *s && n + 1 < size; s++)
        ref[n++] = *s;
    if (n + 1 < size)
        ref[n++] = ':';
    for (const char *s = id; *s && n + 1 < size; s++)
        ref[n++] = *s;
    ref[n] = '\0';
}

/* Adds the node when new and there is room: its index, or -1 no room (or no
 * such node), -2 an error (e set), -3 out of memory. nb: the neighbour row
 * that names it (NULL for the root): what it carries of the node (a person's
 * caption, a photo's or event's facts) is not read again. */
static int add_node(walk *w, const char *type, const char *id, const catalog_neighbour *nb, int depth)
{
    const char *known = nb ? nb->label : NULL;
    char ref[48];
    make_ref(ref, sizeof ref, ref_of(type), id);
    size_t slot = node_slot(w, ref);
    if (w->node_set[slot])
        return w->node_set[slot] - 1;
    if (w->nnodes >= w->max_nodes) {
        w->truncated = true;
        return -1;
    }
    const char *t = type_name(type);
    char label[512];
    int year = 0;
    int64_t place = 0;
    catalog_node_frame frame = { .time_ms = -1 };
    catalog_node_links links = { .known = false };
    int found;
    if (nb && nb->facts && t) { /* what catalog_graph_node_info would read, from the row */
        size_t n = known ? strlen(known) : 0;
        if (n >= sizeof label)
            n = sizeof label - 1;
        memcpy(label, known ? known : "", n);
        label[n] = '\0';
        year = nb->year;
        place = nb->place_id;
        links = nb->links;
        found = 1;
    } else if (known && t) { /* as catalog_graph_node_info would copy it: cut to the buffer */
        size_t n = strlen(known) < sizeof label ? strlen(known) : sizeof label - 1;
        memcpy(label, known, n);
        label[n] = '\0';
        found = 1;
    } else {
        found = t ? catalog_graph_node_info(w->c, t, id, label, sizeof label, &year, &place, &frame, &links, w->e) : 0;
    }
    if (found <= 0)
        return found < 0 ? -2 : -1;
    if (frame.kind[0]) { /* label is its parent's file: "sheet.jpg, frame 3", "show.mp4 @ 01:23" */
        char parent[sizeof label];
        memcpy(parent, label, sizeof parent);
        frame_name_format(frame.kind, frame.frame_no, frame.time_ms, parent, label, sizeof label);
    }
    node *n = &w->nodes[w->nnodes];
    memcpy(n->ref, ref, sizeof ref);
    n->type = t;
    n->label = strdup(label);
    if (!n->label)
        return -3;
    n->depth = depth;
    n->year = year;
    n->place = place;
    n->links = links;
    w->node_set[slot] = ++w->nnodes;
    return w->nnodes - 1;
}

static int on_neighbour(const catalog_neighbour *nb, void *ud)
{
    walk *w = ud;
    w->rows++;
    int r = add_node(w, nb->type, nb->id, nb, w->depth + 1);
    if (r == -2)
        return -1;
    if (r == -3) {
        w->nomem = true;
        return -1;
    }
    if (r < 0)
        return 0;
    int k = 0;
    while (k < NRELS && strcmp(rels[k], nb->rel) != 0)
        k++;
    if (k == NRELS)
        return 0; /* a relation this walk does not know: not drawn */
    if (add_edge(w, nb->dir > 0 ? w->from : r, nb->dir > 0 ? r : w->from, k) != 0) {
        w->nomem = true;
        return -1;
    }
    return 0;
}

/* ---- JSON text ---------------------------------------------------------- */

static char *to_json(const walk *w, size_t *len)
{
    /* Each node's id is written once per edge end too: escaped once here,
     * copied as it is after (some 300 edge ends an answer). */
    jsontext refs = { 0 };
    size_t *at = malloc(((size_t)w->nnodes + 1) * sizeof *at);
    if (!at)
        return NULL;
    for (int i = 0; i < w->nnodes; i++) {
        at[i] = refs.len;
        jsontext_string(&refs, w->nodes[i].ref);
    }
    at[w->nnodes] = refs.len;
#define REF(i) jsontext_rawn(&t, refs.s + at[i], at[(i) + 1] - at[i])
    jsontext t = { 0 };
    jsontext_raw(&t, "{\"root\":");
    REF(0);
    jsontext_raw(&t, ",\"nodes\":[");
    for (int i = 0; i < w->nnodes; i++) {
        const node *n = &w->nodes[i];
        jsontext_raw(&t, i ? ",{\"id\":" : "{\"id\":");
        REF(i);
        jsontext_raw(&t, ",\"type\":\"");
        jsontext_raw(&t, n->type); /* a static type name: nothing to escape */
        jsontext_raw(&t, "\",\"label\":");
        jsontext_string(&t, n->label);
        jsontext_raw(&t, ",\"depth\":");
        jsontext_int(&t, n->depth);
        if (n->year) {
            jsontext_raw(&t, ",\"year\":");
            jsontext_int(&t, n->year);
        }
        if (n->place) {
            jsontext_raw(&t, ",\"place_id\":");
            jsontext_int(&t, n->place);
        }
        jsontext_raw(&t, "}");
    }
    jsontext_raw(&t, "],\"edges\":[");
    for (int i = 0; i < w->nedges; i++) {
        const edge *d = &w->edges[i];
        jsontext_raw(&t, i ? ",{\"from\":" : "{\"from\":");
        REF(d->from);
        jsontext_raw(&t, ",\"to\":");
        REF(d->to);
        jsontext_raw(&t, ",\"rel\":\"");
        jsontext_raw(&t, rels[d->rel]); /* static too */
        jsontext_raw(&t, "\"}");
    }
#undef REF
    jsontext_raw(&t, w->truncated ? "],\"truncated\":true}" : "],\"truncated\":false}");
    bool nomem = refs.nomem;
    free(jsontext_take(&refs, len));
    free(at);
    char *text = jsontext_take(&t, len);
    if (nomem) {
        free(text);
        *len = 0;
        return NULL;
    }
    return text;
}

/* ---- the walk ------------------------------------------------------------ */

static void walk_free(walk *w)
{
    for (int i = 0; i < w->nnodes; i++)
        free(w->nodes[i].label);
    free(w->nodes);
    free(w->edges);
    free(w->node_set);
    free(w->edge_set);
}

/* Expands the frontier level by level. */
static int expand(walk *w, int depth)
{
    int start = 0, rc = 0;
    err *e = w->e;
    for (int d = 0; d < depth && rc == 0; d++) {
        int end = w->nnodes;
        w->depth = d;
        for (int i = start; i < end && rc == 0; i++) {
            const node *n = &w->nodes[i];
            w->from = i;
            /* Each node of the frontier gets its share of the room left (twice
             * it, plus one: some neighbours are known already), so the work is
             * bounded by max_nodes, not by how many photos an event has, and
             * the room is spread over the frontier instead of going to its
             * first node. A share read to the end means there may be more. */
            int room = w->max_nodes - w->nnodes;
            int left = end - i;
            int share = room > 0 ? (room + left - 1) / left : 0;
            int ask = 2 * share + 1;
            w->rows = 0;
            rc = catalog_graph_neighbours_known(w->c, n->type, strchr(n->ref, ':') + 1, &n->links, ask, on_neighbour, w,
                                                e);
            if (w->nomem)
                rc = err_set(e, ERR_NOMEM, "graph: out of memory");
            else if (rc > 0 || rc == -1)
                rc = e && e->code ? e->code : ERR_DB;
            if (rc == 0 && w->rows >= ask)
                w->truncated = true;
        }
        start = end;
    }
    return rc;
}

int graph_walk(catalog *c, const char *node, int depth, int max_nodes, char **out, size_t *len, err *e)
{
    *out = NULL;
    *len = 0;
    const char *type = NULL;
    char id[32];
    int rc = parse_ref(node, &type, id, sizeof id, e);
    if (rc)
        return rc;
    if (max_nodes < 1)
        max_nodes = 1;
    walk w = { .c = c, .max_nodes = max_nodes, .e = e };
    size_t slots = 16;
    while (slots < 2 * (size_t)max_nodes)
        slots *= 2;
    w.nodes = malloc((size_t)max_nodes * sizeof *w.nodes); /* add_node sets every field of the nodes it adds */
    w.node_set = calloc(slots, sizeof *w.node_set);
    w.node_mask = slots - 1;
    w.edge_set = calloc(64, sizeof *w.edge_set);
    w.edge_mask = 63;
    if (!w.nodes || !w.node_set || !w.edge_set) {
        walk_free(&w);
        return err_set(e, ERR_NOMEM, "graph: out of memory");
    }
    bool snapshot = catalog_graph_read_snapshot(c); /* one lock and one state for all the reads */
    int r = add_node(&w, type, id, NULL, 0);
    if (r == -2)
        rc = e ? e->code : ERR_DB;
    else if (r == -3)
        rc = err_set(e, ERR_NOMEM, "graph: out of memory");
    else if (r < 0)
        rc = err_set(e, ERR_NOTFOUND, "no node %s", node);
    else
        rc = expand(&w, depth);
    if (snapshot)
        catalog_graph_read_end(c);
    if (rc == 0 && !(*out = to_json(&w, len)))
        rc = err_set(e, ERR_NOMEM, "graph: out of memory");
    walk_free(&w);
    return rc;
}
