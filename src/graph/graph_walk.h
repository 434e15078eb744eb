/* graph_walk.h — a node's neighbourhood in the catalog's graph, bounded: a
 * breadth-first walk from one node to depth d that stops at max_nodes, for the
 * graph view and GET /api/graph.
 *
 * Node references are "type:id" with type person, cluster, foto (or photo),
 * event, place (or location), year: "person:17", "foto:0123456789abcdef",
 * "year:1977". The answer, as JSON text (malloc'd, NUL-terminated; caller frees):
 * {"root": "person:17", "nodes": [{"id": "person:17", "type": "Person", "label": "…", "depth": 0,
 *                                   "year": 1977, "place_id": 2 (Foto and Event nodes, when known)}],
 *  "edges": [{"from": "person:17", "to": "foto:…", "rel": "APPEARS_IN"}], "truncated": bool} */
#ifndef FACETAG_GRAPH_GRAPH_WALK_H
#define FACETAG_GRAPH_GRAPH_WALK_H

#include "core/error.h"
#include "store/catalog.h"

#include <stddef.h>

/* *out and *len the JSON text. ERR_INVALID for a malformed reference (the
 * message says the form), ERR_NOTFOUND when the node does not exist. Labels
 * that are not well-formed UTF-8 have U+FFFD in place of the bad bytes. */
int graph_walk(catalog *c, const char *node, int depth, int max_nodes, char **out, size_t *len, err *e);

#endif
