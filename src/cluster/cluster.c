/* cluster.c — algorithm dispatch plus the constraint pass. */
#include "cluster/cluster.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/dbscan.h"
#include "cluster/labels.h"

void cluster_params_default(cluster_params *p, cluster_algo algo)
{
    memset(p, 0, sizeof *p);
    p->algo = algo;
    p->hdbscan.min_cluster_size = 3;
    p->hdbscan.selection = HDBSCAN_EOM;
    p->hdbscan.max_distance = CLUSTER_MAX_DISTANCE;
    p->dbscan_eps = 0.475;
    p->dbscan_min_samples = 2;
    p->hdbscan.allow_single_cluster = true;
    p->agglomerative.linkage = AGGLO_AVERAGE;
    p->agglomerative.threshold = CLUSTER_AVERAGE_THRESHOLD;
    p->agglomerative.min_cluster_size = CLUSTER_MIN_PERSON;
    /* HDBSCAN's clusters split again where their faces average too far apart
     * (the faces-dev sweep: mixed persons 4 -> 0) */
    p->refine = p->agglomerative;
    p->refine.threshold = CLUSTER_HDBSCAN_REFINE;
    p->attach = 0.45;
    /* rejoining: off under Euclidean (its cut is calibrated under cosine) */
    doubt_params_default(&p->rejoin.doubt);
    p->rejoin.doubt.split_height = CLUSTER_AVERAGE_THRESHOLD;
    p->rejoin.doubt.far = p->attach;
    p->rejoin.max_between = 0;
}

void cluster_params_default_metric(cluster_params *p, cluster_algo algo, nb_metric metric)
{
    cluster_params_default(p, algo);
    if (metric == NB_COSINE) {
        p->dbscan_eps = 0.05;
        p->agglomerative.threshold = CLUSTER_AVERAGE_THRESHOLD_COSINE;
        p->refine.threshold = CLUSTER_HDBSCAN_REFINE_COSINE;
        p->attach = 0.05;
        p->hdbscan.max_distance = CLUSTER_MAX_DISTANCE_COSINE;
        /* the average-linkage cut's companion: HDBSCAN's and DBSCAN's clusters
         * are not cut at a height the "looks like two" test can stand on */
        p->rejoin.max_between = algo == CLUSTER_AGGLOMERATIVE ? CLUSTER_REJOIN_COSINE : 0;
        /* a joined person must not look like two at the clustering's own cut */
        p->rejoin.doubt.split_height = DOUBT_SPLIT_HEIGHT;
        p->rejoin.doubt.far = DOUBT_FAR;
    }
}

typedef struct keyed {
    int32_t key, value;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->value > y->value) - (x->value < y->value);
}

/* 1 when face r may join `cluster` without breaking a decision, else 0. */
static int attach_allowed(const constraints *c, const keyed *by_photo, size_t nphoto, const keyed *person_cluster,
                          size_t npc, const int32_t *labels, uint32_t r, int32_t cluster)
{
    if (c && c->photo && c->photo[r] >= 0) {
        keyed key = { c->photo[r], INT32_MIN };
        size_t lo = 0, hi = nphoto;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (keyed_cmp(&by_photo[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < nphoto && by_photo[k].key == c->photo[r]; k++)
            if ((uint32_t)by_photo[k].value != r && labels[by_photo[k].value] == cluster)
                return 0;
    }
    for (size_t k = 0; c && k < c->n_reject; k++) {
        if (c->reject[k].face != r)
            continue;
        for (size_t q = 0; q < npc; q++) /* rejections are few: linear is fine */
            if (person_cluster[q].key == c->reject[k].person && person_cluster[q].value == cluster)
                return 0;
    }
    for (size_t k = 0; c && k < c->n_cannot; k++) {
        uint32_t other = c->cannot[k].a == r ? c->cannot[k].b : c->cannot[k].b == r ? c->cannot[k].a : UINT32_MAX;
        if (other != UINT32_MAX && labels[other] == cluster)
            return 0;
    }
    return 1;
}

/* Unassigned faces join the cluster of their nearest assigned face within
 * p->attach, when the decisions allow (see cluster.h). The candidates are
 * each face's CLUSTER_ATTACH_K nearest others: from `lists` when the
 * clustering kept them (its MST's kNN lists, so no second search), else from
 * a query of the unassigned faces against the index. */
static int attach_leftovers(const nb_index *ix, const cluster_params *p, const constraints *c, const agglo_knn *lists,
                            int32_t *labels, err *e)
{
    const size_t n = neighbors_count(ix), dim = neighbors_dim(ix);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += labels[i] < 0;
    if (m == 0 || m == n || n < 2)
        return 0;
    const int query = !lists || lists->k == 0;
    size_t k = CLUSTER_ATTACH_K + 1 < n ? CLUSTER_ATTACH_K + 1 : n; /* a query finds the face itself first */
    uint32_t *rows = malloc(m * sizeof *rows), *ind = query ? malloc(m * k * sizeof *ind) : NULL;
    float *q = query ? malloc(m * dim * sizeof *q) : NULL, *dist = query ? malloc(m * k * sizeof *dist) : NULL;
    int32_t *before = malloc(n * sizeof *before);
    keyed *by_photo = malloc(n * sizeof *by_photo), *person_cluster = malloc(n * sizeof *person_cluster);
    int rc = 0;
    if (!rows || (query && (!ind || !q || !dist)) || !before || !by_photo || !person_cluster) {
        rc = err_set(e, ERR_NOMEM, "cluster: out of memory attaching %zu unassigned faces", m);
        goto done;
    }
    memcpy(before, labels, n * sizeof *labels);
    size_t nphoto = 0, npc = 0;
    for (size_t i = 0, r = 0; i < n; i++) {
        if (c && c->photo && c->photo[i] >= 0)
            by_photo[nphoto++] = (keyed){ c->photo[i], (int32_t)i };
        if (c && c->person && c->person[i] >= 0 && labels[i] >= 0)
            person_cluster[npc++] = (keyed){ c->person[i], labels[i] };
        if (labels[i] < 0) {
            rows[r] = (uint32_t)i;
            if (query)
                memcpy(q + r * dim, neighbors_row(ix, i), dim * sizeof *q);
            r++;
        }
    }
    if (nphoto)
        qsort(by_photo, nphoto, sizeof *by_photo, keyed_cmp);
    if (query) {
        rc = neighbors_knn_query(ix, q, m, k, ind, dist, e);
        if (rc)
            goto done;
    }
    for (size_t r = 0; r < m; r++) {
        /* the face's candidates: its query row, or its row of the kept lists */
        const uint32_t *ci = query ? ind + r * k : lists->ind + (size_t)rows[r] * lists->k;
        const float *cd = query ? dist + r * k : lists->dist + (size_t)rows[r] * lists->k;
        size_t ck = query ? k : lists->k;
        for (size_t j = 0; j < ck && cd[j] <= p->attach; j++) {
            uint32_t nb = ci[j];
            if (nb == rows[r] || nb >= n)
                continue;
            int32_t cl = before[nb];
            if (cl < 0)
                continue;
            if (!attach_allowed(c, by_photo, nphoto, person_cluster, npc, labels, rows[r], cl))
                continue;
            labels[rows[r]] = cl;
            break;
        }
    }
    labels_canonicalize(labels, n);
done:
    free(rows);
    free(ind);
    free(q);
    free(dist);
    free(before);
    free(by_photo);
    free(person_cluster);
    return rc;
}

int cluster_run(const nb_index *ix, const cluster_params *p, const constraints *c, int32_t *labels, err *e)
{
    int rc;
    agglo_knn lists = { .k = p->attach > 0 ? CLUSTER_ATTACH_K : 0 };
    switch (p->algo) {
    case CLUSTER_HDBSCAN:
        rc = hdbscan_run(ix, &p->hdbscan, labels, NULL, e);
        if (rc == 0 && p->refine.threshold > 0)
            rc = agglomerative_refine(ix, &p->refine, labels, e);
        break;
    case CLUSTER_DBSCAN:
        rc = dbscan_run(ix, p->dbscan_eps, p->dbscan_min_samples, labels, e);
        break;
    case CLUSTER_AGGLOMERATIVE:
        rc = agglomerative_run_keep(ix, &p->agglomerative, labels, lists.k ? &lists : NULL, e);
        break;
    default:
        return err_set(e, ERR_INVALID, "cluster: unknown algorithm %d", (int)p->algo);
    }
    if (rc)
        goto done;
    if (c) {
        rc = constraints_apply(ix, c, labels, e);
        if (rc) {
            err_prefix(e, "%s: people's decisions", cluster_algo_name(p->algo));
            goto done;
        }
    }
    if (p->rejoin.max_between > 0) {
        rc = rejoin_run(ix, &p->rejoin, c, labels, NULL, e);
        if (rc) {
            err_prefix(e, "%s: rejoining persons", cluster_algo_name(p->algo));
            goto done;
        }
    }
    if (p->attach > 0) {
        rc = attach_leftovers(ix, p, c, lists.ind ? &lists : NULL, labels, e);
        if (rc)
            err_prefix(e, "%s: attaching unassigned faces", cluster_algo_name(p->algo));
    }
done:
    agglo_knn_free(&lists);
    return rc;
}

const char *cluster_algo_name(cluster_algo a)
{
    switch (a) {
    case CLUSTER_HDBSCAN:
        return "hdbscan";
    case CLUSTER_DBSCAN:
        return "dbscan";
    case CLUSTER_AGGLOMERATIVE:
        return "agglomerative";
    }
    return "?";
}

int cluster_algo_parse(const char *name)
{
    if (!strcmp(name, "hdbscan"))
        return CLUSTER_HDBSCAN;
    if (!strcmp(name, "dbscan"))
        return CLUSTER_DBSCAN;
    if (!strcmp(name, "agglomerative"))
        return CLUSTER_AGGLOMERATIVE;
    return -1;
}
