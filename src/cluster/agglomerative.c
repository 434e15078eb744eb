/* agglomerative.c — single linkage by MST cut, average/complete by NN-chain. */
#include "cluster/agglomerative.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/labels.h"
#include "cluster/mst.h"
#include "cluster/unionfind.h"

#define AGGLO_SINGLE_KNN 32

const char *agglomerative_linkage_name(agglo_linkage l)
{
    switch (l) {
    case AGGLO_AVERAGE:
        return "average";
    case AGGLO_COMPLETE:
        return "complete";
    case AGGLO_SINGLE:
        return "single";
    }
    return "?";
}

int agglomerative_linkage_parse(const char *name)
{
    if (!strcmp(name, "average"))
        return AGGLO_AVERAGE;
    if (!strcmp(name, "complete"))
        return AGGLO_COMPLETE;
    if (!strcmp(name, "single"))
        return AGGLO_SINGLE;
    return -1;
}

size_t agglomerative_max_faces(size_t max_bytes)
{
    if (!max_bytes)
        max_bytes = AGGLOMERATIVE_DEFAULT_MATRIX_BYTES;
    double pairs = (double)max_bytes / sizeof(float);
    return (size_t)((1 + sqrt(1 + 8 * pairs)) / 2);
}

/* Unites faces joined at height <= threshold, drops small clusters, numbers the rest. */
static void cut_labels(unionfind *uf, size_t n, size_t min_size, int32_t *labels)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r = unionfind_find(uf, (uint32_t)i);
        labels[i] = uf->size[r] >= min_size ? (int32_t)r : -1;
    }
    labels_canonicalize(labels, n);
}

/* The metric MST of all rows (edges: n-1, sorted) from the 32-nearest lists;
 * with keep, the first keep->k entries of each row's list stay for the caller. */
static int metric_mst(const nb_index *ix, mst_edge *edges, agglo_knn *keep, err *e)
{
    const size_t n = neighbors_count(ix);
    size_t k = n - 1 < AGGLO_SINGLE_KNN ? n - 1 : AGGLO_SINGLE_KNN;
    uint32_t *ind = malloc(n * k * sizeof *ind);
    float *dist = malloc(n * k * sizeof *dist);
    int rc = 0;
    if (!ind || !dist) {
        rc = err_set(e, ERR_NOMEM, "neighbour lists: out of memory for %zu faces", n);
        goto done;
    }
    rc = neighbors_knn(ix, k, ind, dist, e);
    if (!rc)
        rc = mst_mutual_reachability(ix, NULL, ind, dist, k, edges, NULL, e);
    if (rc || !keep || keep->k == 0)
        goto done;
    size_t kk = keep->k < k ? keep->k : k;
    for (size_t i = 0; i < n; i++) { /* row i's first kk move to i*kk <= i*k: forward copy is safe */
        memmove(ind + i * kk, ind + i * k, kk * sizeof *ind);
        memmove(dist + i * kk, dist + i * k, kk * sizeof *dist);
    }
    uint32_t *ki = realloc(ind, n * kk * sizeof *ind);
    float *kd = realloc(dist, n * kk * sizeof *dist);
    if (ki)
        ind = ki; /* a shrinking realloc that fails leaves the block as it was */
    if (kd)
        dist = kd;
    keep->k = kk;
    keep->ind = ind;
    keep->dist = dist;
    ind = NULL;
    dist = NULL;
done:
    free(ind);
    free(dist);
    return rc;
}

static int single_linkage(const nb_index *ix, double threshold, size_t min_size, int32_t *labels, agglo_knn *keep,
                          err *e)
{
    const size_t n = neighbors_count(ix);
    mst_edge *edges = malloc((n - 1) * sizeof *edges);
    unionfind uf = { 0 };
    int rc = 0;
    if (!edges || unionfind_init(&uf, n)) {
        rc = err_set(e, ERR_NOMEM, "single linkage: out of memory for %zu faces", n);
        goto done;
    }
    rc = metric_mst(ix, edges, keep, e);
    if (rc)
        goto done;
    for (size_t i = 0; i < n - 1 && edges[i].w <= threshold; i++)
        unionfind_union(&uf, edges[i].a, edges[i].b);
    cut_labels(&uf, n, min_size, labels);
done:
    free(edges);
    unionfind_free(&uf);
    return rc;
}

/* Condensed upper triangle: entry for i < j. */
static inline size_t tri(size_t n, size_t i, size_t j)
{
    if (i > j) {
        size_t t = i;
        i = j;
        j = t;
    }
    return i * n - i * (i + 1) / 2 + (j - i - 1);
}

typedef struct fill_ctx {
    const nb_index *ix;
    float *m;
    size_t n;
} fill_ctx;

static void fill_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    (void)thread;
    fill_ctx *c = vctx;
    uint32_t from = r0 > q + 1 ? r0 : q + 1;
    for (uint32_t r = from; r < r1; r++)
        c->m[tri(c->n, q, r)] = (float)neighbors_dist_from_d2(c->ix, d2[r - r0]);
}

/* Groups up to this size fill their matrix pair by pair from the index; larger
 * ones through a sub-index and the tiled GEMM scan. */
#define AGGLO_DIRECT_ROWS 512

/* The condensed distance matrix of rows[0..s) of ix into m. */
static int fill_matrix(const nb_index *ix, const uint32_t *rows, size_t s, float *m, err *e)
{
    if (s <= AGGLO_DIRECT_ROWS) {
        for (size_t i = 0; i < s; i++)
            for (size_t j = i + 1; j < s; j++)
                m[tri(s, i, j)] = (float)neighbors_dist(ix, rows[i], rows[j]);
        return 0;
    }
    const size_t dim = neighbors_dim(ix);
    float *x = malloc(s * dim * sizeof *x);
    if (!x)
        return err_set(e, ERR_NOMEM, "agglomerative: out of memory for %zu faces", s);
    for (size_t i = 0; i < s; i++)
        memcpy(x + i * dim, neighbors_row(ix, rows[i]), dim * sizeof *x);
    /* rows are already normalised under cosine: Euclidean on them gives the
     * squared distances neighbors_dist_from_d2 of the parent index expects */
    nb_index *sub = neighbors_new(x, s, dim, NB_EUCLIDEAN, neighbors_threads(ix), e);
    free(x);
    if (!sub)
        return e ? e->code : ERR_NOMEM;
    fill_ctx fc = { ix, m, s };
    int rc = neighbors_scan(sub, NULL, 0, fill_row, &fc, e);
    neighbors_free(sub);
    return rc;
}

int agglomerative_hierarchy(const nb_index *ix, const uint32_t *rows, size_t s, agglo_linkage linkage, agglo_merge *out,
                            err *e)
{
    if (linkage != AGGLO_AVERAGE && linkage != AGGLO_COMPLETE)
        return err_set(e, ERR_INVALID, "agglomerative hierarchy: average or complete linkage, not %s",
                       agglomerative_linkage_name(linkage));
    if (s < 2)
        return 0;
    double need = (double)s * (s - 1) / 2 * sizeof(float);
    float *m = malloc((size_t)need);
    uint32_t *active = malloc(s * sizeof *active), *pos = malloc(s * sizeof *pos), *chain = malloc(s * sizeof *chain),
             *size = malloc(s * sizeof *size);
    int rc = 0;
    if (!m || !active || !pos || !chain || !size) {
        rc = err_set(e, ERR_NOMEM, "%s linkage: out of memory for %zu faces (%.1f GB matrix)",
                     agglomerative_linkage_name(linkage), s, need / 1e9);
        goto done;
    }
    rc = fill_matrix(ix, rows, s, m, e);
    if (rc)
        goto done;
    size_t na = s, len = 0, nm = 0;
    for (size_t i = 0; i < s; i++) {
        active[i] = pos[i] = (uint32_t)i;
        size[i] = 1;
    }
    while (na > 1) {
        if (len == 0)
            chain[len++] = active[0];
        uint32_t x = chain[len - 1], prev = len > 1 ? chain[len - 2] : UINT32_MAX;
        /* nearest active cluster of x; the chain's previous element wins ties so
         * the chain cannot cycle */
        float best = INFINITY;
        uint32_t y = UINT32_MAX;
        if (prev != UINT32_MAX) {
            best = m[tri(s, x, prev)];
            y = prev;
        }
        for (size_t a = 0; a < na; a++) {
            uint32_t z = active[a];
            if (z == x)
                continue;
            float d = m[tri(s, x, z)];
            if (d < best || (d == best && y != prev && z < y)) {
                best = d;
                y = z;
            }
        }
        if (y != prev) {
            chain[len++] = y;
            continue;
        }
        /* x and y are reciprocal nearest neighbours: merge x into y's slot */
        len -= 2;
        out[nm++] = (agglo_merge){ x, y, best };
        for (size_t a = 0; a < na; a++) {
            uint32_t z = active[a];
            if (z == x || z == y)
                continue;
            float dx = m[tri(s, z, x)], dy = m[tri(s, z, y)];
            float v = linkage == AGGLO_COMPLETE
                          ? (dx > dy ? dx : dy)
                          : (float)(((double)size[x] * dx + (double)size[y] * dy) / ((double)size[x] + size[y]));
            m[tri(s, z, y)] = v;
        }
        size[y] += size[x];
        /* drop x from the active list */
        uint32_t last = active[--na];
        active[pos[x]] = last;
        pos[last] = pos[x];
    }
done:
    free(m);
    free(active);
    free(pos);
    free(chain);
    free(size);
    return rc;
}

/* Average or complete linkage over rows[0..s): unites in uf (over ix's rows)
 * every pair of clusters the hierarchy joins at a height <= p->threshold. */
static int chain_group(const nb_index *ix, const agglomerative_params *p, const uint32_t *rows, size_t s, unionfind *uf,
                       err *e)
{
    if (s < 2)
        return 0;
    agglo_merge *mg = malloc((s - 1) * sizeof *mg);
    if (!mg)
        return err_set(e, ERR_NOMEM, "%s linkage: out of memory for %zu faces", agglomerative_linkage_name(p->linkage),
                       s);
    int rc = agglomerative_hierarchy(ix, rows, s, p->linkage, mg, e);
    for (size_t k = 0; rc == 0 && k < s - 1; k++)
        if (mg[k].h <= p->threshold)
            unionfind_union(uf, rows[mg[k].a], rows[mg[k].b]);
    free(mg);
    return rc;
}

/* Runs chain_group on each group of rows that share a label >= 0 (group[i] < 0:
 * a row of its own), uniting into uf. */
static int chain_groups(const nb_index *ix, const agglomerative_params *p, const int32_t *group, unionfind *uf, err *e)
{
    const size_t n = neighbors_count(ix);
    int32_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (group[i] + 1 > k)
            k = group[i] + 1;
    size_t *off = calloc((size_t)k + 1, sizeof *off);
    uint32_t *rows = malloc(n * sizeof *rows);
    int rc = 0;
    if (!off || !rows) {
        rc = err_set(e, ERR_NOMEM, "agglomerative: out of memory for %zu faces", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (group[i] >= 0)
            off[group[i] + 1]++;
    for (int32_t g = 0; g < k; g++)
        off[g + 1] += off[g];
    size_t *fill = calloc((size_t)k + 1, sizeof *fill);
    if (!fill) {
        rc = err_set(e, ERR_NOMEM, "agglomerative: out of memory for %zu faces", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (group[i] >= 0)
            rows[off[group[i]] + fill[group[i]]++] = (uint32_t)i;
    free(fill);
    for (int32_t g = 0; g < k && rc == 0; g++)
        rc = chain_group(ix, p, rows + off[g], off[g + 1] - off[g], uf, e);
done:
    free(off);
    free(rows);
    return rc;
}

static int check_matrix(const agglomerative_params *p, size_t n, err *e)
{
    size_t max_bytes = p->max_matrix_bytes ? p->max_matrix_bytes : AGGLOMERATIVE_DEFAULT_MATRIX_BYTES;
    double need = (double)n * (n - 1) / 2 * sizeof(float);
    if (need > (double)max_bytes)
        return err_set(e, ERR_LIMIT,
                       "%s linkage on %zu faces needs a %.1f GB distance matrix, over the %.1f GB limit "
                       "(at most %zu faces); use single linkage or HDBSCAN for a set this large",
                       agglomerative_linkage_name(p->linkage), n, need / 1e9, max_bytes / 1e9,
                       agglomerative_max_faces(max_bytes));
    return 0;
}

/* Average/complete linkage cut at threshold, one single-linkage component at
 * a time (see agglomerative.h): the metric MST's edges <= threshold make the
 * components, capped at the matrix limit's face count. */
static int by_components(const nb_index *ix, const agglomerative_params *p, size_t min_size, int32_t *labels,
                         agglo_knn *keep, err *e)
{
    const size_t n = neighbors_count(ix);
    const size_t cap = agglomerative_max_faces(p->max_matrix_bytes);
    mst_edge *edges = malloc((n - 1) * sizeof *edges);
    int32_t *group = malloc(n * sizeof *group);
    unionfind comp = { 0 }, uf = { 0 };
    int rc = 0;
    if (!edges || !group || unionfind_init(&comp, n) || unionfind_init(&uf, n)) {
        rc =
            err_set(e, ERR_NOMEM, "%s linkage: out of memory for %zu faces", agglomerative_linkage_name(p->linkage), n);
        goto done;
    }
    rc = metric_mst(ix, edges, keep, e);
    if (rc)
        goto done;
    for (size_t i = 0; i < n - 1 && edges[i].w <= p->threshold; i++) {
        uint32_t ra = unionfind_find(&comp, edges[i].a), rb = unionfind_find(&comp, edges[i].b);
        if ((size_t)comp.size[ra] + comp.size[rb] <= cap)
            unionfind_union(&comp, ra, rb);
    }
    for (size_t i = 0; i < n; i++)
        group[i] = (int32_t)unionfind_find(&comp, (uint32_t)i);
    labels_canonicalize(group, n);
    rc = chain_groups(ix, p, group, &uf, e);
    if (rc)
        goto done;
    cut_labels(&uf, n, min_size, labels);
done:
    free(edges);
    free(group);
    unionfind_free(&comp);
    unionfind_free(&uf);
    return rc;
}

int agglomerative_refine(const nb_index *ix, const agglomerative_params *p, int32_t *labels, err *e)
{
    const size_t n = neighbors_count(ix);
    size_t min_size = p->min_cluster_size ? p->min_cluster_size : 2;
    if (!(p->threshold >= 0))
        return err_set(e, ERR_INVALID, "agglomerative: threshold %g must be >= 0", p->threshold);
    if (p->linkage != AGGLO_AVERAGE && p->linkage != AGGLO_COMPLETE)
        return err_set(e, ERR_INVALID, "agglomerative refinement: average or complete linkage, not %s",
                       agglomerative_linkage_name(p->linkage));
    if (n < 2)
        return 0;
    size_t *count = calloc(n, sizeof *count);
    if (!count)
        return err_set(e, ERR_NOMEM, "agglomerative: out of memory for %zu faces", n);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0 && (size_t)labels[i] < n)
            count[labels[i]]++;
    for (size_t c = 0; c < n && rc == 0; c++)
        rc = check_matrix(p, count[c], e);
    free(count);
    if (rc)
        return rc;
    unionfind uf = { 0 };
    if (unionfind_init(&uf, n))
        return err_set(e, ERR_NOMEM, "agglomerative: out of memory for %zu faces", n);
    rc = chain_groups(ix, p, labels, &uf, e);
    if (rc == 0)
        cut_labels(&uf, n, min_size, labels);
    unionfind_free(&uf);
    return rc;
}

int agglomerative_run_keep(const nb_index *ix, const agglomerative_params *p, int32_t *labels, agglo_knn *keep, err *e)
{
    const size_t n = neighbors_count(ix);
    size_t min_size = p->min_cluster_size ? p->min_cluster_size : 2;
    if (keep) {
        keep->ind = NULL;
        keep->dist = NULL;
    }
    if (!(p->threshold >= 0))
        return err_set(e, ERR_INVALID, "agglomerative: threshold %g must be >= 0", p->threshold);
    if (p->linkage != AGGLO_AVERAGE && p->linkage != AGGLO_COMPLETE && p->linkage != AGGLO_SINGLE)
        return err_set(e, ERR_INVALID, "agglomerative: unknown linkage %d", (int)p->linkage);
    if (n < 2) {
        for (size_t i = 0; i < n; i++)
            labels[i] = min_size <= 1 ? 0 : -1;
        if (keep)
            keep->k = 0;
        return 0;
    }
    int rc = p->linkage == AGGLO_SINGLE ? single_linkage(ix, p->threshold, min_size, labels, keep, e)
                                        : by_components(ix, p, min_size, labels, keep, e);
    if (rc && keep) {
        agglo_knn_free(keep);
        keep->k = 0;
    }
    return rc;
}

int agglomerative_run(const nb_index *ix, const agglomerative_params *p, int32_t *labels, err *e)
{
    return agglomerative_run_keep(ix, p, labels, NULL, e);
}

void agglo_knn_free(agglo_knn *k)
{
    if (!k)
        return;
    free(k->ind);
    free(k->dist);
    k->ind = NULL;
    k->dist = NULL;
}
