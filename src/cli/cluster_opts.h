/* cluster_opts.h — the clustering options `facetag cluster` and `facetag eval`
 * share: --algo, --min-cluster-size, --min-samples, --eps, --linkage,
 * --threshold, --max-distance, --metric, --neighbors, --rejoin, --rejoin-silhouette. */
#ifndef FACETAG_CLI_CLUSTER_OPTS_H
#define FACETAG_CLI_CLUSTER_OPTS_H

#include <getopt.h>
#include <stddef.h>

#include "cluster/cluster.h"
#include "cluster/neighbors.h"

#define CLUSTER_OPTS_MAX 11

#define CLUSTER_OPTS_HELP                                                                                              \
    "  --algo A                  agglomerative (default: average linkage), hdbscan or dbscan\n"                        \
    "  --min-cluster-size N      agglomerative and HDBSCAN: smallest person (default 3)\n"                             \
    "  --min-samples N           HDBSCAN: core distance neighbours (default = min cluster size);\n"                    \
    "                            DBSCAN: faces within eps of a core face (default 2)\n"                                \
    "  --eps D                   DBSCAN: neighbourhood radius (default 0.475; cosine 0.05)\n"                          \
    "  --linkage L               agglomerative: average (default), complete or single\n"                               \
    "  --threshold D             agglomerative: cut height (default cosine 0.077; Euclidean 0.55)\n"                   \
    "  --max-distance D          HDBSCAN: a face joins a person only when linked to it within D\n"                     \
    "                            (default 0.54; cosine 0.07; 0: off, plain HDBSCAN)\n"                                 \
    "  --metric M                cosine (1 - cos, the default) or euclidean\n"                                         \
    "  --neighbors S             neighbour search: auto (default: exact up to 150,000 faces, FAISS\n"                  \
    "                            HNSW above), exact (OpenBLAS, O(n^2)) or faiss (approximate)\n"                       \
    "  --rejoin D                join two persons whose faces average at most D apart when together\n"                 \
    "                            they do not look like two (default cosine 0.090; 0: off)\n"                           \
    "  --rejoin-silhouette S     ... looking like two: the top split's silhouette above S (default 0.30)\n"

typedef struct cluster_opts {
    int algo;                            /* -1: not given */
    long min_cluster_size, min_samples;  /* 0: not given */
    double eps, threshold, max_distance; /* <0: not given */
    double rejoin, rejoin_silhouette;    /* <0: not given */
    int linkage;                         /* -1: not given */
    int metric;                          /* -1: not given */
    int neighbors;                       /* -1: not given */
} cluster_opts;

void cluster_opts_init(cluster_opts *co);
/* Fills longopts[0..n) (n <= CLUSTER_OPTS_MAX, not terminated); returns n. */
size_t cluster_opts_longopts(struct option *longopts);
/* Takes option code c with its value: NULL when it is one of ours and valid,
 * else a usage message (static storage). */
const char *cluster_opts_take(cluster_opts *co, int c, const char *value);
/* The parameters: the algorithm's defaults for the metric, then the given
 * options; NULL, or a usage message (an option that does not apply). */
const char *cluster_opts_finish(const cluster_opts *co, cluster_params *p, nb_metric *metric);

/* When OpenBLAS loaded slow kernels on this CPU (neighbors_blas_better_core),
 * sets OPENBLAS_CORETYPE and executes the same command line again (once: not
 * when the variable is set already). Returns only when nothing was done or the
 * exec failed (then the command runs as it is, just slower). */
void cluster_opts_tune_blas(void);

#endif
