/* agglomerative.h — hierarchical agglomerative clustering cut at a distance.
 *
 * Linkages: single, complete, average (UPGMA). Faces end in the same cluster
 * when the hierarchy joins them at a height <= threshold; clusters smaller than
 * min_cluster_size (default 2: a lone face is not a person) are noise (-1).
 *
 * single:   the metric minimum spanning tree (cluster/mst.h) cut at threshold —
 *           O(n) memory, scales like HDBSCAN (100k faces fine).
 * average/complete: the nearest-neighbour-chain algorithm (Murtagh 1983; exact
 *           for these reducible linkages) over a condensed float distance
 *           matrix, one single-linkage component at a time: faces in different
 *           components of the metric MST cut at threshold are more than
 *           threshold apart pair by pair, so no average or complete link
 *           between them is <= threshold either, and the cut equals the one of
 *           the whole hierarchy. Cost: the MST (as single linkage) plus
 *           O(s^2) per component of s faces; a component is capped at the
 *           faces whose matrix fits max_matrix_bytes (default 1.5 GB, ~28,000
 *           faces) by leaving out the MST edges that would grow it past that
 *           (only then is the result not the exact cut).
 *
 * agglomerative_refine: the same hierarchy inside each cluster of a given
 * labelling (HDBSCAN's), cut at threshold: a cluster whose faces average
 * further apart than threshold falls apart (a refinement, never a merge).
 *
 * agglomerative_hierarchy: the whole hierarchy of a few rows (all n-1 merges
 * with their heights), the one nearest-neighbour chain the cut above and the
 * person page's dendrogram (cluster/doubt.h) share. */
#ifndef FACETAG_CLUSTER_AGGLOMERATIVE_H
#define FACETAG_CLUSTER_AGGLOMERATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/neighbors.h"
#include "core/error.h"

typedef enum agglo_linkage { AGGLO_AVERAGE = 0, AGGLO_COMPLETE = 1, AGGLO_SINGLE = 2 } agglo_linkage;

#define AGGLOMERATIVE_DEFAULT_MATRIX_BYTES ((size_t)1536 << 20)

typedef struct agglomerative_params {
    agglo_linkage linkage;
    double threshold;        /* >= 0, in the index's metric */
    size_t min_cluster_size; /* 0 means 2 */
    size_t max_matrix_bytes; /* 0 means AGGLOMERATIVE_DEFAULT_MATRIX_BYTES */
} agglomerative_params;

/* Largest n whose condensed matrix fits max_bytes (0: the default). */
size_t agglomerative_max_faces(size_t max_bytes);

/* labels: caller-allocated n; 0..k-1 in order of first face, -1 noise.
 * Errors: ERR_INVALID (threshold < 0), ERR_LIMIT (matrix too large, naming the
 * size and the way out), ERR_NOMEM, scan errors. */
int agglomerative_run(const nb_index *ix, const agglomerative_params *p, int32_t *labels, err *e);

/* Nearest-neighbour lists a run computed anyway (the MST's), kept for the
 * caller: ind[i*k + j], dist[i*k + j] are face i's j-th nearest other face and
 * its distance (exact, nearest first, as neighbors_knn gives them). */
typedef struct agglo_knn {
    size_t k;
    uint32_t *ind;
    float *dist;
} agglo_knn;

/* agglomerative_run, and when keep is not NULL the first keep->k (set by the
 * caller; lowered to what the run had, at most 32 and n-1) entries of every
 * face's list, malloc'd into keep (free with agglo_knn_free; NULL after an
 * error). cluster_run attaches unassigned faces with them instead of a second
 * search. */
int agglomerative_run_keep(const nb_index *ix, const agglomerative_params *p, int32_t *labels, agglo_knn *keep, err *e);
void agglo_knn_free(agglo_knn *k);

/* Splits each cluster of labels (0..k-1, -1 noise; n = neighbors_count(ix))
 * by p's linkage cut inside it; parts smaller than p->min_cluster_size become
 * noise; labels canonical afterwards. Errors: ERR_INVALID (threshold < 0, single
 * linkage), ERR_LIMIT (a cluster's matrix over max_matrix_bytes), ERR_NOMEM. */
int agglomerative_refine(const nb_index *ix, const agglomerative_params *p, int32_t *labels, err *e);

/* One merge of a hierarchy: a and b are one row of either side (positions in
 * the rows given), h the linkage distance at which the two sides join. */
typedef struct agglo_merge {
    uint32_t a, b;
    float h;
} agglo_merge;

/* The s-1 merges of the average or complete hierarchy over rows[0..s) of ix
 * (distances in ix's metric; nearest-neighbour chain, so in the order the
 * chain finds them, not sorted by height) into out (caller-allocated s-1).
 * Cost O(s^2) time, s(s-1)/2 floats. Errors: ERR_INVALID (single linkage),
 * ERR_NOMEM (naming the size), scan errors. */
int agglomerative_hierarchy(const nb_index *ix, const uint32_t *rows, size_t s, agglo_linkage linkage, agglo_merge *out,
                            err *e);

/* The linkage's name ("average", ...) and back; -1 for an unknown name. */
const char *agglomerative_linkage_name(agglo_linkage l);
int agglomerative_linkage_parse(const char *name);

#endif
