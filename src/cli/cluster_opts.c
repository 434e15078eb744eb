/* cluster_opts.c — parsing the shared clustering options. */
#include "cli/cluster_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_ALGO = 2000,
    OPT_MCS,
    OPT_MS,
    OPT_EPS,
    OPT_LINKAGE,
    OPT_THRESHOLD,
    OPT_METRIC,
    OPT_NEIGHBORS,
    OPT_MAX_DISTANCE,
    OPT_REJOIN,
    OPT_REJOIN_SILHOUETTE,
};

static char msg[256];

void cluster_opts_init(cluster_opts *co)
{
    co->algo = co->linkage = co->metric = co->neighbors = -1;
    co->min_cluster_size = co->min_samples = 0;
    co->eps = co->threshold = co->max_distance = -1;
    co->rejoin = co->rejoin_silhouette = -1;
}

size_t cluster_opts_longopts(struct option *l)
{
    size_t n = 0;
    l[n++] = (struct option){ "algo", required_argument, NULL, OPT_ALGO };
    l[n++] = (struct option){ "min-cluster-size", required_argument, NULL, OPT_MCS };
    l[n++] = (struct option){ "min-samples", required_argument, NULL, OPT_MS };
    l[n++] = (struct option){ "eps", required_argument, NULL, OPT_EPS };
    l[n++] = (struct option){ "linkage", required_argument, NULL, OPT_LINKAGE };
    l[n++] = (struct option){ "threshold", required_argument, NULL, OPT_THRESHOLD };
    l[n++] = (struct option){ "metric", required_argument, NULL, OPT_METRIC };
    l[n++] = (struct option){ "neighbors", required_argument, NULL, OPT_NEIGHBORS };
    l[n++] = (struct option){ "max-distance", required_argument, NULL, OPT_MAX_DISTANCE };
    l[n++] = (struct option){ "rejoin", required_argument, NULL, OPT_REJOIN };
    l[n++] = (struct option){ "rejoin-silhouette", required_argument, NULL, OPT_REJOIN_SILHOUETTE };
    return n;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_dist(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0) || v > 1e6)
        return -1;
    *out = v;
    return 0;
}

const char *cluster_opts_take(cluster_opts *co, int c, const char *v)
{
    switch (c) {
    case OPT_ALGO:
        if ((co->algo = cluster_algo_parse(v)) < 0)
            snprintf(msg, sizeof msg, "--algo takes hdbscan, dbscan or agglomerative, not '%.64s'", v);
        return co->algo < 0 ? msg : NULL;
    case OPT_MCS:
        if (parse_long(v, 2, 1000000, &co->min_cluster_size) == 0)
            return NULL;
        snprintf(msg, sizeof msg, "--min-cluster-size takes a whole number >= 2, not '%.64s'", v);
        return msg;
    case OPT_MS:
        if (parse_long(v, 1, 1000000, &co->min_samples) == 0)
            return NULL;
        snprintf(msg, sizeof msg, "--min-samples takes a whole number >= 1, not '%.64s'", v);
        return msg;
    case OPT_EPS:
        if (parse_dist(v, &co->eps) == 0 && co->eps > 0)
            return NULL;
        snprintf(msg, sizeof msg, "--eps takes a distance > 0, not '%.64s'", v);
        return msg;
    case OPT_THRESHOLD:
        if (parse_dist(v, &co->threshold) == 0)
            return NULL;
        snprintf(msg, sizeof msg, "--threshold takes a distance >= 0, not '%.64s'", v);
        return msg;
    case OPT_MAX_DISTANCE:
        if (parse_dist(v, &co->max_distance) == 0)
            return NULL;
        snprintf(msg, sizeof msg, "--max-distance takes a distance >= 0 (0: off), not '%.64s'", v);
        return msg;
    case OPT_REJOIN:
        if (parse_dist(v, &co->rejoin) == 0)
            return NULL;
        snprintf(msg, sizeof msg, "--rejoin takes a distance >= 0 (0: off), not '%.64s'", v);
        return msg;
    case OPT_REJOIN_SILHOUETTE:
        if (parse_dist(v, &co->rejoin_silhouette) == 0 && co->rejoin_silhouette <= 1)
            return NULL;
        snprintf(msg, sizeof msg, "--rejoin-silhouette takes a number from 0 to 1, not '%.64s'", v);
        return msg;
    case OPT_LINKAGE:
        if ((co->linkage = agglomerative_linkage_parse(v)) < 0)
            snprintf(msg, sizeof msg, "--linkage takes average, complete or single, not '%.64s'", v);
        return co->linkage < 0 ? msg : NULL;
    case OPT_METRIC:
        if (strcmp(v, "euclidean") == 0)
            co->metric = NB_EUCLIDEAN;
        else if (strcmp(v, "cosine") == 0)
            co->metric = NB_COSINE;
        else
            snprintf(msg, sizeof msg, "--metric takes euclidean or cosine, not '%.64s'", v);
        return co->metric < 0 ? msg : NULL;
    case OPT_NEIGHBORS:
        if ((co->neighbors = neighbors_search_parse(v)) < 0)
            snprintf(msg, sizeof msg, "--neighbors takes auto, exact or faiss, not '%.64s'", v);
        return co->neighbors < 0 ? msg : NULL;
    default:
        snprintf(msg, sizeof msg, "unknown option");
        return msg;
    }
}

const char *cluster_opts_finish(const cluster_opts *co, cluster_params *p, nb_metric *metric)
{
    cluster_algo algo = co->algo >= 0 ? (cluster_algo)co->algo : CLUSTER_DEFAULT_ALGO;
    *metric = co->metric >= 0 ? (nb_metric)co->metric : CLUSTER_DEFAULT_METRIC;
    cluster_params_default_metric(p, algo, *metric);
    if (co->neighbors >= 0)
        p->neighbors = (nb_search)co->neighbors;
    const char *name = cluster_algo_name(algo);
    if (co->min_cluster_size) {
        if (algo == CLUSTER_DBSCAN)
            return snprintf(msg, sizeof msg, "--min-cluster-size applies to hdbscan and agglomerative, not %s", name),
                   msg;
        p->hdbscan.min_cluster_size = (size_t)co->min_cluster_size;
        p->agglomerative.min_cluster_size = (size_t)co->min_cluster_size;
        p->refine.min_cluster_size = (size_t)co->min_cluster_size;
    }
    if (co->min_samples) {
        if (algo == CLUSTER_AGGLOMERATIVE)
            return snprintf(msg, sizeof msg, "--min-samples applies to hdbscan and dbscan, not %s", name), msg;
        if (algo == CLUSTER_HDBSCAN)
            p->hdbscan.min_samples = (size_t)co->min_samples;
        else
            p->dbscan_min_samples = (size_t)co->min_samples;
    }
    if (co->max_distance >= 0) {
        if (algo != CLUSTER_HDBSCAN)
            return snprintf(msg, sizeof msg, "--max-distance applies to --algo hdbscan, not %s", name), msg;
        p->hdbscan.max_distance = co->max_distance;
    }
    if (co->eps >= 0) {
        if (algo != CLUSTER_DBSCAN)
            return snprintf(msg, sizeof msg, "--eps applies to --algo dbscan, not %s", name), msg;
        p->dbscan_eps = co->eps;
    }
    if (co->linkage >= 0 || co->threshold >= 0) {
        if (algo != CLUSTER_AGGLOMERATIVE)
            return snprintf(msg, sizeof msg, "--linkage and --threshold apply to --algo agglomerative, not %s", name),
                   msg;
        if (co->linkage >= 0)
            p->agglomerative.linkage = (agglo_linkage)co->linkage;
        if (co->threshold >= 0)
            p->agglomerative.threshold = co->threshold;
    }
    /* rejoined persons must not look like two at the cut in use */
    if (algo == CLUSTER_AGGLOMERATIVE)
        p->rejoin.doubt.split_height = p->agglomerative.threshold;
    if (co->rejoin >= 0)
        p->rejoin.max_between = co->rejoin;
    if (co->rejoin_silhouette >= 0)
        p->rejoin.doubt.silhouette = co->rejoin_silhouette;
    return NULL;
}

void cluster_opts_tune_blas(void)
{
    const char *core = getenv("OPENBLAS_CORETYPE") ? NULL : neighbors_blas_better_core();
    if (!core)
        return;
    /* the original command line, from /proc/self/cmdline (NUL-separated) */
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return;
    char buf[65536];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    if (len == 0 || len >= sizeof buf - 1)
        return;
    buf[len] = '\0';
    char *argv[1024];
    size_t argc = 0;
    for (size_t i = 0; i < len && argc < 1023; i += strlen(buf + i) + 1)
        argv[argc++] = buf + i;
    argv[argc] = NULL;
    if (setenv("OPENBLAS_CORETYPE", core, 1) != 0)
        return;
    fflush(NULL);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
}
