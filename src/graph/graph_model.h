/* graph_model.h — how each node and relation set of the catalog's graph
 * (store/catalog_graph.h) is named in Neo4j: label or relation type, the
 * property that identifies a node, the nodes a relation joins. One table, read
 * by both exporters (graph_cypher.c, graph_csv.c), so they cannot disagree. */
#ifndef FACETAG_GRAPH_GRAPH_MODEL_H
#define FACETAG_GRAPH_GRAPH_MODEL_H

#include "store/catalog_graph.h"

#include <stdbool.h>

typedef struct graph_model_entry {
    catalog_graph_set set;
    bool relation;
    const char *name; /* node label or relation type */
    const char *file; /* neo4j-csv file name stem */
    /* nodes: the identifying property is the set's first column.
     * relations: the start and end nodes' labels (keys: their first columns). */
    const char *start_label, *end_label;
    const char *merge_prop; /* relations: a property that is part of the relation's identity (NEXT scope), or NULL */
} graph_model_entry;

/* Every set in export order: all nodes first, then relations. *n set. */
const graph_model_entry *graph_model_entries(int *n);
/* The entry of a node label, or NULL. */
const graph_model_entry *graph_model_node(const char *label);
/* The identifying property of a node label ("id", "cluster_id", "value"). */
const char *graph_model_key(const char *label);

/* Rows of every node set and every relation set (full scans). */
int graph_model_count(catalog *c, int64_t *nodes, int64_t *relations, err *e);

#endif
