/* cluster.h — one entry point for the `cluster` stage: pick an algorithm, run
 * it on a neighbour index, then make the result obey people's decisions.
 *
 * This is the constraint hook: every algorithm's labels pass through
 * constraints_apply (people/constraints.h) here, so no caller can forget it.
 *
 * Defaults (cluster_params_default), chosen by the faces-dev sweep
 * (bench_sweep; BCubed F over all 2,155 images, aligned-chip descriptors of
 * bench_verify; re-checked on facetag analyze's pipeline p3, where HDBSCAN 3/3
 * is the best of its grid at 0.941, DBSCAN 0.475/2 0.915, average 0.55/0.575
 * 0.953/0.952, and `facetag eval` scores 0.937; 0.946 since analyze's bf16
 * / mosaic changes):
 * HDBSCAN min cluster size 3, min samples = the same, EOM selection (0.949;
 * the grid's best, 0.953 at size 4, only wins because every faces-dev identity
 * has >= 4 photos, and would hide archive persons seen 3 times); DBSCAN eps
 * 0.475 with 2 samples (0.915); average linkage cut at 0.575 (0.959).
 * Distances are Euclidean unless the index was made with NB_COSINE; under
 * cosine (cluster_params_default_metric) DBSCAN eps 0.05 (0.921) and the
 * average-linkage cut 0.08 (0.970). Attaching leftovers (attach) is on for
 * every algorithm at the incremental threshold (0.45 Euclidean, 0.05 cosine;
 * see people_stage.c): on facetag analyze's faces-dev descriptors (pipeline
 * p1) it took HDBSCAN 3/3 from BCubed F 0.8931 to 0.8965 and average linkage
 * 0.55 from 0.9109 to 0.9114 (unassigned 9.2 % -> 8.6 % of the images, most of
 * the rest being images where no face was found).
 *
 * HDBSCAN's distance guard (hdbscan_params.max_distance, --max-distance):
 * 0.54 Euclidean, 0.07 cosine. Sweep with `facetag eval faces-dev --data D
 * --max-distance X` (all 2,155 images; pipeline p3; BCubed P/R/F, persons,
 * unassigned fraction):
 *   off   0.9756/0.9181/0.9460  261  0.037   | cosine off   0.9492  262  0.031
 *   0.45  0.9900/0.8130/0.8928  233  0.140   | 0.05         0.9043  239  0.120
 *   0.48  0.9851/0.8787/0.9289  253  0.075   | 0.06         0.9432  260  0.046
 *   0.50  0.9795/0.9090/0.9429  259  0.048   | 0.065        0.9473  260  0.037
 *   0.52  0.9763/0.9159/0.9451  261  0.039   | 0.07         0.9488  262  0.032
 *   0.54  0.9763/0.9181/0.9463  261  0.037   | 0.075-0.09   0.9492  262  0.031
 *   0.55-0.65 = off
 * The demo's 22 faces (six photos of different women, models/face-api/demo)
 * lie 0.558-0.69 from their nearest stranger (cosine >= 0.074), one pair
 * 0.444: plain HDBSCAN made 5 persons of them, the guard at <= 0.55 none. The
 * descriptor's same/different verification threshold (~0.62) is too wide here:
 * tree edges link each face to its nearest neighbour, and strangers' nearest
 * neighbours are closer than strangers' typical pairs. */
#ifndef FACETAG_PEOPLE_CLUSTER_H
#define FACETAG_PEOPLE_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "people/agglomerative.h"
#include "people/constraints.h"
#include "people/hdbscan.h"
#include "people/neighbors.h"

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
    /* How the index that people_stage makes searches (neighbors_set_search):
     * NB_SEARCH_AUTO (the default) is exact up to NEIGHBORS_AUTO_FAISS_ABOVE
     * faces and FAISS's approximate HNSW above. */
    nb_search neighbors;
} cluster_params;

#define CLUSTER_ATTACH_K 8

/* HDBSCAN's absolute guard (hdbscan_params.max_distance), Euclidean and
 * cosine: a face stays in a cluster only when tree edges no longer than this
 * link it to the rest. See the sweep above. */
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
