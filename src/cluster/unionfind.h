/* unionfind.h — disjoint sets over 0..n-1 (union by size, path halving).
 * Used by the MST, the dendrogram, DBSCAN's cluster joining, agglomerative cuts
 * and the constraint pass. Not thread-safe. */
#ifndef FACETAG_CLUSTER_UNIONFIND_H
#define FACETAG_CLUSTER_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

typedef struct unionfind {
    uint32_t *parent;
    uint32_t *size;
    size_t n;
} unionfind;

/* Every element starts in its own set. Returns 0, or -1 when out of memory.
 * Free with unionfind_free. */
int unionfind_init(unionfind *uf, size_t n);
void unionfind_free(unionfind *uf);
uint32_t unionfind_find(unionfind *uf, uint32_t x);
/* Joins the sets of a and b; returns 1 if they were different, 0 if already one. */
int unionfind_union(unionfind *uf, uint32_t a, uint32_t b);

#endif
