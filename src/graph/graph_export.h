/* graph_export.h — the catalog's graph (store/catalog_graph.h) for Neo4j.
 *
 * graph_export_cypher writes a script for cypher-shell: uniqueness constraints
 * and the Foto.timestamp index (IF NOT EXISTS), then per set batches of
 *     :param rows => [{id: '…', …}, …];
 *     UNWIND $rows AS row MERGE (n:Foto {id: row.id}) SET n.path = row.path, …;
 * Every value is a parameter, written as a Cypher literal (strings single-quoted
 * with every quote, backslash and control character escaped, one :param per
 * line: cypher-shell reads the arrow form to the end of the line and drops the
 * trailing ';', which Neo4j's own language tools want between commands), never spliced into a statement, so a name like `"}) DETACH DELETE n //`
 * is only a name; MERGE on each node's key and on each relation's ends makes a
 * second run change nothing. Rows are streamed from the catalog one at a time:
 * memory does not grow with the archive.
 *
 * graph_export_csv writes one CSV file per node and relation set into dir, with
 * the headers `neo4j-admin database import full` reads, and IMPORT.txt with the
 * command line that imports them.
 *
 * Both read the catalog in one read transaction (a consistent snapshot) and
 * return 0 or a negative errcode with e set (an output error names the file). */
#ifndef FACETAG_GRAPH_GRAPH_EXPORT_H
#define FACETAG_GRAPH_GRAPH_EXPORT_H

#include "core/error.h"
#include "store/catalog.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct graph_export_stats {
    int64_t nodes, relations; /* rows written */
    int64_t statements;       /* Cypher statements (constraints, indexes, UNWINDs), :param lines not counted */
    int64_t lines;            /* lines of the script */
} graph_export_stats;

/* Rows per :param batch when the caller passes 0. */
#define GRAPH_EXPORT_BATCH 1000

/* out_name names out in messages. stats may be NULL. */
int graph_export_cypher(catalog *c, FILE *out, const char *out_name, int batch, graph_export_stats *stats, err *e);
int graph_export_csv(catalog *c, const char *dir, graph_export_stats *stats, err *e);

/* Writes s (len bytes, need not be valid UTF-8: a byte that is not part of a
 * valid sequence becomes U+FFFD) as a single-quoted Cypher string literal that
 * stays on one line. Returns 0, or -1 when out reports an error. */
int graph_cypher_string(FILE *out, const char *s, size_t len);

#endif
