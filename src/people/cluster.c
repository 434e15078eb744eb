/* cluster.c — algorithm dispatch plus the constraint pass. */
#include "people/cluster.h"

#include <string.h>

#include "people/dbscan.h"

void cluster_params_default(cluster_params *p, cluster_algo algo) {
    memset(p, 0, sizeof *p);
    p->algo = algo;
    p->hdbscan.min_cluster_size = 3;
    p->hdbscan.selection = HDBSCAN_EOM;
    p->dbscan_eps = 0.475;
    p->dbscan_min_samples = 2;
    p->agglomerative.linkage = AGGLO_AVERAGE;
    p->agglomerative.threshold = 0.575;
    p->agglomerative.min_cluster_size = 2;
}

void cluster_params_default_metric(cluster_params *p, cluster_algo algo, nb_metric metric) {
    cluster_params_default(p, algo);
    if (metric == NB_COSINE) {
        p->dbscan_eps = 0.05;
        p->agglomerative.threshold = 0.08;
    }
}

int cluster_run(const nb_index *ix, const cluster_params *p, const constraints *c, int32_t *labels, err *e) {
    int rc;
    switch (p->algo) {
    case CLUSTER_HDBSCAN: rc = hdbscan_run(ix, &p->hdbscan, labels, NULL, e); break;
    case CLUSTER_DBSCAN: rc = dbscan_run(ix, p->dbscan_eps, p->dbscan_min_samples, labels, e); break;
    case CLUSTER_AGGLOMERATIVE: rc = agglomerative_run(ix, &p->agglomerative, labels, e); break;
    default: return err_set(e, ERR_INVALID, "cluster: unknown algorithm %d", (int)p->algo);
    }
    if (rc) return rc;
    if (!c) return 0;
    rc = constraints_apply(ix, c, labels, e);
    if (rc) return err_prefix(e, "%s: people's decisions", cluster_algo_name(p->algo));
    return 0;
}

const char *cluster_algo_name(cluster_algo a) {
    switch (a) {
    case CLUSTER_HDBSCAN: return "hdbscan";
    case CLUSTER_DBSCAN: return "dbscan";
    case CLUSTER_AGGLOMERATIVE: return "agglomerative";
    }
    return "?";
}

int cluster_algo_parse(const char *name) {
    if (!strcmp(name, "hdbscan")) return CLUSTER_HDBSCAN;
    if (!strcmp(name, "dbscan")) return CLUSTER_DBSCAN;
    if (!strcmp(name, "agglomerative")) return CLUSTER_AGGLOMERATIVE;
    return -1;
}
