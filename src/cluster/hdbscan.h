/* hdbscan.h — HDBSCAN* (Campello, Moulavi & Sander 2013/2015) over face descriptors.
 *
 * Steps: core distance of each face = distance to its (min_samples-1)-th nearest
 * other face; mutual reachability mrd(a,b) = max(core a, core b, d(a,b)); its
 * minimum spanning tree (cluster/mst.h); the single-linkage hierarchy of that
 * tree; the condensed cluster tree, where a split only makes two new clusters
 * when both sides hold at least min_cluster_size faces; and the flat clustering
 * by excess of mass (default) or the leaves of the condensed tree.
 *
 * The condensed tree and the stabilities follow R's dbscan::hdbscan (the
 * reference peer our parity test runs against): a face leaves a cluster at the
 * height where it becomes a singleton of that cluster's hierarchy (or at the
 * cluster's split, whichever is higher), stability = sum(1/eps - 1/eps_birth)
 * plus the faces handed to child clusters; children win over their parent only
 * when strictly more stable; the root is never a cluster (all noise when the
 * hierarchy never splits); MST edges of equal weight are taken in the order
 * R's Prim (started at row 0) adds them — under mutual reachability equal
 * heights are common and decide on which side a bridging face hangs. Labels:
 * 0..k-1 in order of each cluster's first face, -1 for noise.
 *
 * Cost: one kNN pass (each pair once, OpenBLAS) plus the MST's exact scans,
 * which on face-like data are few (see bench/cluster.c); memory O(n * 32).
 * Past NEIGHBORS_AUTO_FAISS_ABOVE faces (or with NB_SEARCH_FAISS) the kNN and
 * the MST's searches come from FAISS's HNSW index instead (neighbors.h,
 * mst.h): ~n log n, labels within ARI 0.999 of the exact path's at 100k. */
#ifndef FACETAG_CLUSTER_HDBSCAN_H
#define FACETAG_CLUSTER_HDBSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/mst.h"
#include "cluster/neighbors.h"
#include "core/error.h"

typedef enum hdbscan_selection { HDBSCAN_EOM = 0, HDBSCAN_LEAF = 1 } hdbscan_selection;

typedef struct hdbscan_params {
    size_t min_cluster_size; /* >= 2 */
    size_t min_samples;      /* >= 1; 0 means = min_cluster_size */
    hdbscan_selection selection;
    /* The absolute guard (> 0: on; 0: off, plain HDBSCAN as R's): after the
     * selection, each cluster keeps only faces linked to one another by MST
     * edges whose plain descriptor distance (in the index's metric, not mutual
     * reachability) is <= max_distance; a cluster falls apart into those
     * pieces, and pieces smaller than min_cluster_size become noise. HDBSCAN
     * has no absolute scale of its own: on a small or sparse catalog the
     * densest faces form clusters however far apart they are (six strangers
     * from six photos as one person). A cluster born at a mutual-reachability
     * height <= max_distance is never touched (its tree edges are all within
     * it). Default: cluster_params_default (cluster/cluster.h). */
    double max_distance;
    /* The root (all faces) may be selected as the one cluster when it is at
     * least as stable as its descendants (as hdbscan's allow_single_cluster):
     * an archive of one person's photos is one person, where plain HDBSCAN
     * leaves it all noise or splits it. */
    bool allow_single_cluster;
} hdbscan_params;

typedef struct hdbscan_stats {
    size_t knn_k;         /* neighbours kept per face for the MST candidates */
    size_t clusters;      /* flat clusters found */
    size_t noise;         /* faces labelled -1 */
    size_t tree_clusters; /* clusters in the condensed tree, root included */
    size_t guarded;       /* faces the max_distance guard made noise */
    mst_stats mst;
    double seconds_knn, seconds_mst, seconds_tree;
} hdbscan_stats;

/* Clusters the rows of ix. labels: caller-allocated n. stats may be NULL.
 * Errors: ERR_INVALID for min_cluster_size < 2; ERR_NOMEM; scan errors. */
int hdbscan_run(const nb_index *ix, const hdbscan_params *p, int32_t *labels, hdbscan_stats *stats, err *e);

/* The part after the MST: n points, the n-1 MST edges sorted by weight
 * (mst_sort). Exposed so the condensed tree can be tested on hand-made trees. */
int hdbscan_from_mst(size_t n, const mst_edge *edges, size_t min_cluster_size, hdbscan_selection selection,
                     int32_t *labels, size_t *tree_clusters, err *e);
/* The same, with the root allowed as a cluster (hdbscan_params.allow_single_cluster). */
int hdbscan_from_mst_single(size_t n, const mst_edge *edges, size_t min_cluster_size, hdbscan_selection selection,
                            bool allow_single_cluster, int32_t *labels, size_t *tree_clusters, err *e);

/* The max_distance guard on labels (0..k-1, -1 noise) of n points: splits each
 * cluster into the pieces the n-1 MST edges with dist[k] <= max_distance hold
 * together; pieces smaller than min_cluster_size become noise; labels are made
 * canonical again. dist[k]: the plain distance of edges[k]. guarded (may be
 * NULL): faces made noise. Errors: ERR_NOMEM. */
int hdbscan_guard(size_t n, const mst_edge *edges, const double *dist, double max_distance, size_t min_cluster_size,
                  int32_t *labels, size_t *guarded, err *e);

#endif
