/* unionfind.c — disjoint sets. */
#include "cluster/unionfind.h"

#include <stdlib.h>

int unionfind_init(unionfind *uf, size_t n)
{
    uf->n = n;
    uf->parent = malloc((n ? n : 1) * sizeof *uf->parent);
    uf->size = malloc((n ? n : 1) * sizeof *uf->size);
    if (!uf->parent || !uf->size) {
        unionfind_free(uf);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uf->parent[i] = (uint32_t)i;
        uf->size[i] = 1;
    }
    return 0;
}

void unionfind_free(unionfind *uf)
{
    free(uf->parent);
    free(uf->size);
    uf->parent = uf->size = NULL;
    uf->n = 0;
}

uint32_t unionfind_find(unionfind *uf, uint32_t x)
{
    while (uf->parent[x] != x) {
        uf->parent[x] = uf->parent[uf->parent[x]];
        x = uf->parent[x];
    }
    return x;
}

int unionfind_union(unionfind *uf, uint32_t a, uint32_t b)
{
    a = unionfind_find(uf, a);
    b = unionfind_find(uf, b);
    if (a == b)
        return 0;
    if (uf->size[a] < uf->size[b] || (uf->size[a] == uf->size[b] && a > b)) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    uf->parent[b] = a;
    uf->size[a] += uf->size[b];
    return 1;
}
