/* dbscan.c — kNN lists, plus exact range scans for the densest faces. */
#include "cluster/dbscan.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "cluster/labels.h"

/* Union-find safe under concurrent unions: a root is only ever re-linked by a
 * successful compare-and-swap from itself, always towards the smaller index. */
static uint32_t afind(_Atomic uint32_t *parent, uint32_t x)
{
    for (;;) {
        uint32_t p = atomic_load_explicit(&parent[x], memory_order_acquire);
        if (p == x)
            return x;
        uint32_t gp = atomic_load_explicit(&parent[p], memory_order_acquire);
        if (gp != p)
            atomic_compare_exchange_weak(&parent[x], &p, gp); /* path halving */
        x = gp;
    }
}

static void aunion(_Atomic uint32_t *parent, uint32_t a, uint32_t b)
{
    for (;;) {
        a = afind(parent, a);
        b = afind(parent, b);
        if (a == b)
            return;
        if (a < b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        uint32_t expect = a;
        if (atomic_compare_exchange_strong(&parent[a], &expect, b))
            return;
    }
}

typedef struct join_ctx {
    const uint32_t *count;
    size_t min_samples;
    _Atomic uint32_t *parent;
    double *border_d; /* [n] distance to the nearest core face, for non-core faces */
    uint32_t *border_r;
} join_ctx;

static void join_pair(void *vctx, int thread, uint32_t q, uint32_t r, double d)
{
    (void)thread;
    join_ctx *c = vctx;
    if (c->count[r] < c->min_samples)
        return; /* only core faces join or adopt */
    if (c->count[q] >= c->min_samples) {
        if (r < q)
            aunion(c->parent, q, r); /* each pair once */
    } else if (d < c->border_d[q] || (d == c->border_d[q] && r < c->border_r[q])) {
        c->border_d[q] = d;
        c->border_r[q] = r;
    }
}

/* Neighbours kept per face: a face whose K-th neighbour is still within eps is
 * "dense" and gets an exact range scan; every other face's eps-neighbourhood is
 * a prefix of its list. */
#define DBSCAN_KNN 32

int dbscan_run(const nb_index *ix, double eps, size_t min_samples, int32_t *labels, err *e)
{
    const size_t n = neighbors_count(ix);
    if (!(eps >= 0))
        return err_set(e, ERR_INVALID, "DBSCAN: eps %g must be >= 0", eps);
    if (min_samples == 0)
        return err_set(e, ERR_INVALID, "DBSCAN: min samples must be at least 1");
    if (n < 2) {
        for (size_t i = 0; i < n; i++)
            labels[i] = min_samples <= 1 ? 0 : -1;
        return 0;
    }
    size_t k = min_samples - 1 > DBSCAN_KNN ? min_samples - 1 : DBSCAN_KNN;
    if (k > n - 1)
        k = n - 1;
    uint32_t *ind = malloc(n * k * sizeof *ind), *count = malloc(n * sizeof *count), *dense = malloc(n * sizeof *dense);
    float *dist = malloc(n * k * sizeof *dist);
    _Atomic uint32_t *parent = malloc(n * sizeof *parent);
    double *bd = malloc(n * sizeof *bd);
    uint32_t *brr = malloc(n * sizeof *brr);
    int rc = 0;
    if (!ind || !count || !dense || !dist || !parent || !bd || !brr) {
        rc = err_set(e, ERR_NOMEM, "DBSCAN: out of memory for %zu faces", n);
        goto done;
    }
    rc = neighbors_knn(ix, k, ind, dist, e);
    if (rc)
        goto done;
    /* core: at least min_samples faces (itself included) within eps; `count` only
     * needs to say whether that holds, so min_samples or 0 stands in for it */
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        int core = min_samples <= 1 || dist[i * k + min_samples - 2] <= eps;
        count[i] = core ? (uint32_t)min_samples : 0;
        if (dist[i * k + k - 1] <= eps)
            dense[nd++] = (uint32_t)i;
        atomic_init(&parent[i], (uint32_t)i);
        bd[i] = INFINITY;
        brr[i] = UINT32_MAX;
    }
    join_ctx c = { count, min_samples, parent, bd, brr };
    for (size_t i = 0; i < n; i++) {
        if (dist[i * k + k - 1] <= eps)
            continue; /* dense: the range scan below */
        for (size_t j = 0; j < k && dist[i * k + j] <= eps; j++) {
            uint32_t r = ind[i * k + j];
            join_pair(&c, 0, (uint32_t)i, r, dist[i * k + j]);
        }
    }
    if (nd) {
        rc = neighbors_range_visit(ix, dense, nd, eps, join_pair, &c, e);
        if (rc)
            goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (count[i] >= min_samples)
            labels[i] = (int32_t)afind(parent, (uint32_t)i);
        else if (brr[i] != UINT32_MAX)
            labels[i] = (int32_t)afind(parent, brr[i]);
        else
            labels[i] = -1;
    }
    labels_canonicalize(labels, n);
done:
    free(ind);
    free(dist);
    free(count);
    free(dense);
    free((void *)parent);
    free(bd);
    free(brr);
    return rc;
}
