/* cluster.h — one entry point for the `cluster` stage: pick an algorithm, run
 * it on a neighbour index, then make the result obey people's decisions.
 *
 * This is the constraint hook: every algorithm's labels pass through
 * constraints_apply (cluster/constraints.h) here, so no caller can forget it;
 * then unassigned faces may attach to the cluster of a near face (attach).
 *
 * The default (CLUSTER_DEFAULT_*): average linkage on cosine distance cut at
 * 0.077, persons of at least 3 faces. Chosen by measurement (docs/decisions/
 * 2026-12-07-clustering-default-average-cosine.md): on faces-dev BCubed F
 * 0.977 with no person mixing two identities (HDBSCAN: 0.948, 4 mixed), and
 * the right number of persons for one identity alone, pairs, groups of five
 * and the demo's six strangers (tests/unit/test_people_matrix.c: 51/51 sets; HDBSCAN 31/51).
 * Euclidean cuts: average 0.55, DBSCAN eps 0.475 (2 samples); cosine DBSCAN
 * 0.05.
 *
 * --algo hdbscan: min cluster size 3 (= min samples), EOM selection, the root
 * allowed as the one cluster (an archive of one person is one person), the
 * absolute distance guard (hdbscan_params.max_distance: 0.54 Euclidean, 0.07
 * cosine; without it the demo's strangers formed persons) and a refinement
 * inside each cluster by the average-linkage cut at 0.575 (cosine 0.08),
 * which splits look-alikes HDBSCAN glues at a bridge. */
#ifndef FACETAG_CLUSTER_CLUSTER_H
#define FACETAG_CLUSTER_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/agglomerative.h"
#include "cluster/constraints.h"
#include "cluster/hdbscan.h"
#include "cluster/neighbors.h"
#include "cluster/rejoin.h"
#include "core/error.h"

typedef enum cluster_algo { CLUSTER_HDBSCAN = 0, CLUSTER_DBSCAN = 1, CLUSTER_AGGLOMERATIVE = 2 } cluster_algo;

typedef struct cluster_params {
    cluster_algo algo;
    hdbscan_params hdbscan;
    double dbscan_eps;
    size_t dbscan_min_samples;
    agglomerative_params agglomerative;
    /* After the algorithm and the decisions, a face left unassigned joins the
     * cluster of its nearest assigned face (among its CLUSTER_ATTACH_K nearest)
     * when that face lies within `attach` and the decisions allow it (no other
     * face of its photo there, not rejected from that cluster's person, no
     * cannot-link). The same rule as the incremental path's; <= 0: off. */
    double attach;
    /* HDBSCAN only: each cluster is split again by this linkage cut inside it
     * (agglomerative_refine); threshold <= 0: off. */
    agglomerative_params refine;
    /* After the decisions, before attaching: persons the cut left in two are
     * joined again (cluster/rejoin.h); max_between <= 0: off. */
    rejoin_params rejoin;
    /* How the index that people_stage makes searches (neighbors_set_search):
     * NB_SEARCH_AUTO (the default) is exact up to NEIGHBORS_AUTO_FAISS_ABOVE
     * faces and FAISS's approximate HNSW above. */
    nb_search neighbors;
} cluster_params;

#define CLUSTER_ATTACH_K 8

/* The default algorithm, metric and cuts (see the top of this file). */
#define CLUSTER_DEFAULT_ALGO CLUSTER_AGGLOMERATIVE
#define CLUSTER_DEFAULT_METRIC NB_COSINE
#define CLUSTER_AVERAGE_THRESHOLD 0.55
#define CLUSTER_AVERAGE_THRESHOLD_COSINE 0.077
#define CLUSTER_MIN_PERSON 3
/* Rejoining (cluster_params.rejoin; by default with the agglomerative cut
 * under cosine only): two persons whose faces
 * average at most this far apart, and whose union does not look like two
 * (doubt.h), are one (docs/decisions/2026-12-07-rejoin-and-doubt.md). */
#define CLUSTER_REJOIN_COSINE 0.090
/* --algo hdbscan: the refinement cut inside each cluster (cluster_params.refine) */
#define CLUSTER_HDBSCAN_REFINE 0.575
#define CLUSTER_HDBSCAN_REFINE_COSINE 0.08

/* HDBSCAN's absolute guard (hdbscan_params.max_distance), Euclidean and
 * cosine: a face stays in a cluster only when tree edges no longer than this
 * link it to the rest (docs/decisions/2026-12-01-hdbscan-max-distance.md). */
#define CLUSTER_MAX_DISTANCE 0.54
#define CLUSTER_MAX_DISTANCE_COSINE 0.07

/* Fills p with the defaults above for algo. */
void cluster_params_default(cluster_params *p, cluster_algo algo);
/* The same, with the distance cuts (DBSCAN eps, agglomerative threshold) for
 * the metric (see above). */
void cluster_params_default_metric(cluster_params *p, cluster_algo algo, nb_metric metric);

/* Clusters the rows of ix into labels (caller-allocated n; 0..k-1 in order of
 * first face, -1 unassigned), then applies c (NULL: no decisions yet).
 * Errors: those of the algorithm and of constraints_apply. */
int cluster_run(const nb_index *ix, const cluster_params *p, const constraints *c, int32_t *labels, err *e);

/* "hdbscan" | "dbscan" | "agglomerative", and back (-1 for anything else). */
const char *cluster_algo_name(cluster_algo a);
int cluster_algo_parse(const char *name);

#endif
