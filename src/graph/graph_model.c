/* graph_model.c — the table of graph_model.h (shared/DESIGN.md "Graph model"). */
#include "graph/graph_model.h"

#include <string.h>

static const graph_model_entry entries[] = {
    { CATALOG_GRAPH_FOTO, false, "Foto", "foto", NULL, NULL, NULL },
    { CATALOG_GRAPH_PERSON, false, "Person", "person", NULL, NULL, NULL },
    { CATALOG_GRAPH_CLUSTER, false, "Cluster", "cluster", NULL, NULL, NULL },
    { CATALOG_GRAPH_EVENT, false, "Event", "event", NULL, NULL, NULL },
    { CATALOG_GRAPH_LOCATION, false, "Location", "location", NULL, NULL, NULL },
    { CATALOG_GRAPH_YEAR, false, "Year", "year", NULL, NULL, NULL },
    { CATALOG_GRAPH_APPEARS_IN, true, "APPEARS_IN", "appears_in", "Person", "Foto", NULL },
    { CATALOG_GRAPH_TAKEN_AT, true, "TAKEN_AT", "taken_at", "Foto", "Location", NULL },
    { CATALOG_GRAPH_PART_OF, true, "PART_OF", "part_of", "Foto", "Event", NULL },
    { CATALOG_GRAPH_LOCATED_IN, true, "LOCATED_IN", "located_in", "Event", "Location", NULL },
    { CATALOG_GRAPH_SAME_AS, true, "SAME_AS", "same_as", "Cluster", "Person", NULL },
    { CATALOG_GRAPH_PERFORMED_AT, true, "PERFORMED_AT", "performed_at", "Person", "Event", "role" },
    { CATALOG_GRAPH_IN_YEAR, true, "IN_YEAR", "in_year", "Foto", "Year", NULL },
    { CATALOG_GRAPH_NEXT_PHOTO, true, "NEXT", "next_foto", "Foto", "Foto", "scope" },
    { CATALOG_GRAPH_NEXT_EVENT, true, "NEXT", "next_event", "Event", "Event", "scope" },
};

const graph_model_entry *graph_model_entries(int *n)
{
    *n = (int)(sizeof entries / sizeof entries[0]);
    return entries;
}

const graph_model_entry *graph_model_node(const char *label)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (!entries[i].relation && strcmp(entries[i].name, label) == 0)
            return &entries[i];
    return NULL;
}

const char *graph_model_key(const char *label)
{
    const graph_model_entry *m = graph_model_node(label);
    if (!m)
        return NULL;
    int n;
    return catalog_graph_columns(m->set, &n)[0].name;
}

static int count_row(const catalog_graph_value *row, int n, void *ud)
{
    (void)row, (void)n;
    ++*(int64_t *)ud;
    return 0;
}

int graph_model_count(catalog *c, int64_t *nodes, int64_t *relations, err *e)
{
    *nodes = *relations = 0;
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        int rc = catalog_graph_each(c, entries[i].set, count_row, entries[i].relation ? relations : nodes, e);
        if (rc)
            return rc;
    }
    return 0;
}
