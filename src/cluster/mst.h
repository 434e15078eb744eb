/* mst.h — minimum spanning tree under mutual reachability distance.
 *
 * mrd(a,b) = max(core[a], core[b], dist(a,b)); with core == NULL it is the plain
 * metric distance (then the tree is the single-linkage tree).
 *
 * Method: Borůvka. Each round every component needs its lightest outgoing edge.
 * The kNN lists (from neighbors_knn) answer that for most points for free: the
 * best outside entry of a point's sorted list is exact once it is no heavier
 * than max(core, distance to the list's last entry), the lightest any unseen
 * edge can be. Only points whose list cannot prove it are searched exactly with
 * a tiled GEMM scan against all rows; and a round only pays for the cheapest
 * components (any subset of lightest outgoing edges is safe to add), so two
 * giant components late in the run cost one half-scan instead of a scan per
 * round. Exact: the result is a minimum spanning tree, not an approximation.
 *
 * Approximate path (the index has its FAISS index built, see neighbors.h):
 * the searches are index queries instead of scans (64 nearest rows, then 256
 * for a point searched again), rows of the point's own component filtered
 * out; a point whose 256 nearest all lie in its component is not
 * searched again, and a component left with no outgoing edge at all gets an
 * exact scan of 32 of its points (its lightest edge among those). Nothing
 * there is O(n^2); the tree is a spanning tree whose edges are the lightest
 * the lists and searches saw, which is the MST when the searches' recall is 1.
 *
 * Memory: O(n) besides the kNN lists the caller passes. */
#ifndef FACETAG_CLUSTER_MST_H
#define FACETAG_CLUSTER_MST_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/neighbors.h"
#include "core/error.h"

typedef struct mst_edge {
    uint32_t a, b;
    double w;
} mst_edge;

typedef struct mst_stats {
    size_t rounds;          /* Borůvka rounds */
    size_t searched_points; /* points whose outgoing edge needed a search (scan or index query) */
    size_t fallback_points; /* approximate path: sample points of blind components scanned exactly */
} mst_stats;

/* Builds the MST of the n = neighbors_count(ix) rows. core: [n] or NULL.
 * knn_ind/knn_dist: the k nearest other rows of each row, nearest first, as
 * neighbors_knn gives them (k >= 1). out: caller-allocated n-1 edges, returned
 * sorted by weight (ties: by a, then b). stats may be NULL.
 * Errors: ERR_NOMEM, or whatever the scan reports. */
int mst_mutual_reachability(const nb_index *ix, const double *core, const uint32_t *knn_ind, const float *knn_dist,
                            size_t k, mst_edge *out, mst_stats *stats, err *e);

/* Sorts edges by weight ascending, ties by (a, b). */
void mst_sort(mst_edge *edges, size_t m);

#endif
