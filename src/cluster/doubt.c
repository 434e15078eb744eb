/* doubt.c — one person's dendrogram leaf order, far faces, top split and
 * whether it looks like two. */
#include "cluster/doubt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/agglomerative.h"
#include "cluster/unionfind.h"

void doubt_params_default(doubt_params *p)
{
    p->split_height = DOUBT_SPLIT_HEIGHT;
    p->silhouette = DOUBT_SILHOUETTE;
    p->min_side = DOUBT_MIN_SIDE;
    p->far = DOUBT_FAR;
}

static int merge_cmp(const void *pa, const void *pb)
{
    const agglo_merge *a = pa, *b = pb;
    return (a->h > b->h) - (a->h < b->h);
}

static double dot(const float *a, const double *b, size_t dim)
{
    double s = 0;
    for (size_t k = 0; k < dim; k++)
        s += (double)a[k] * b[k];
    return s;
}

/* Each face's distance to the mean row, in the index's metric. */
static void centre_distances(const nb_index *ix, const uint32_t *rows, size_t n, double *mean, doubt_result *r,
                             double far)
{
    const size_t dim = neighbors_dim(ix);
    for (size_t i = 0; i < n; i++) {
        const float *x = neighbors_row(ix, rows[i]);
        for (size_t k = 0; k < dim; k++)
            mean[k] += x[k] / (double)n;
    }
    double norm = 0;
    for (size_t k = 0; k < dim; k++)
        norm += mean[k] * mean[k];
    norm = sqrt(norm);
    for (size_t i = 0; i < n; i++) {
        const float *x = neighbors_row(ix, rows[i]);
        double d;
        if (neighbors_metric(ix) == NB_COSINE) {
            d = norm > 0 ? 1 - dot(x, mean, dim) / norm : 1;
        } else {
            double s = 0;
            for (size_t k = 0; k < dim; k++) {
                double v = x[k] - mean[k];
                s += v * v;
            }
            d = sqrt(s);
        }
        r->centre_dist[i] = d;
        r->far[i] = d > far;
    }
}

/* Mean silhouette of the 2-partition side[0..n) (both sides non-empty). Under
 * cosine the sums of distances come from the sides' row sums (1 - cos is
 * linear in the other row), O(n dim); Euclidean pair by pair. */
static int silhouette(const nb_index *ix, const uint32_t *rows, size_t n, const uint8_t *side, double *out, err *e)
{
    const size_t dim = neighbors_dim(ix);
    size_t cnt[2] = { 0, 0 };
    for (size_t i = 0; i < n; i++)
        cnt[side[i]]++;
    double *sum = calloc(2 * dim, sizeof *sum), *to = calloc(2 * n, sizeof *to);
    if (!sum || !to) {
        free(sum);
        free(to);
        return err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n);
    }
    if (neighbors_metric(ix) == NB_COSINE) {
        for (size_t i = 0; i < n; i++) {
            const float *x = neighbors_row(ix, rows[i]);
            for (size_t k = 0; k < dim; k++)
                sum[side[i] * dim + k] += x[k];
        }
        for (size_t i = 0; i < n; i++) {
            const float *x = neighbors_row(ix, rows[i]);
            double self = 0; /* the face's own term, 1 - |x|^2 (~0: rows are unit) */
            for (size_t k = 0; k < dim; k++)
                self += (double)x[k] * x[k];
            for (int s = 0; s < 2; s++)
                to[2 * i + s] = (double)cnt[s] - dot(x, sum + s * dim, dim);
            to[2 * i + side[i]] -= 1 - self;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                double d = neighbors_dist(ix, rows[i], rows[j]);
                to[2 * i + side[j]] += d;
                to[2 * j + side[i]] += d;
            }
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        int s = side[i];
        if (cnt[s] < 2)
            continue; /* a face alone on its side: silhouette 0 */
        double a = to[2 * i + s] / (double)(cnt[s] - 1), b = to[2 * i + !s] / (double)cnt[!s];
        double m = a > b ? a : b;
        total += m > 0 ? (b - a) / m : 0;
    }
    *out = total / (double)n;
    free(sum);
    free(to);
    return 0;
}

int doubt_analyse_rows(const nb_index *ix, const uint32_t *rows, size_t n, const bool *confirmed, const doubt_params *p,
                       doubt_result *r, err *e)
{
    doubt_params dp;
    if (!p) {
        doubt_params_default(&dp);
        p = &dp;
    }
    memset(r, 0, sizeof *r);
    r->n = n;
    const size_t dim = ix ? neighbors_dim(ix) : 1, n1 = n ? n : 1;
    r->order = malloc(n1 * sizeof *r->order);
    r->centre_dist = calloc(n1, sizeof *r->centre_dist);
    r->far = calloc(n1, sizeof *r->far);
    r->side = calloc(n1, 1);
    double *mean = calloc(dim, sizeof *mean);
    if (!r->order || !r->centre_dist || !r->far || !r->side || !mean) {
        free(mean);
        doubt_free(r);
        return err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n);
    }
    for (size_t i = 0; i < n; i++)
        r->order[i] = (uint32_t)i;
    if (n)
        centre_distances(ix, rows, n, mean, r, p->far);
    free(mean);
    if (n < 2 || n > DOUBT_MAX_FACES)
        return 0;
    /* merges sorted by height and replayed make the dendrogram: node n+k is
     * merge k, its children the nodes that held a and b */
    agglo_merge *mg = malloc((n - 1) * sizeof *mg);
    uint32_t *left = malloc((n - 1) * sizeof *left), *right = malloc((n - 1) * sizeof *right),
             *node_of = malloc(n * sizeof *node_of), *stack = malloc((2 * n) * sizeof *stack),
             *minleaf = malloc((2 * n) * sizeof *minleaf);
    unionfind uf = { 0 };
    int rc = 0;
    if (!mg || !left || !right || !node_of || !stack || !minleaf || unionfind_init(&uf, n)) {
        rc = err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n);
        goto done;
    }
    rc = agglomerative_hierarchy(ix, rows, n, AGGLO_AVERAGE, mg, e);
    if (rc)
        goto done;
    qsort(mg, n - 1, sizeof *mg, merge_cmp);
    for (size_t i = 0; i < n; i++)
        node_of[i] = minleaf[i] = (uint32_t)i;
    for (size_t k = 0; k < n - 1; k++) {
        uint32_t ra = unionfind_find(&uf, mg[k].a), rb = unionfind_find(&uf, mg[k].b);
        /* the side holding the lower face index first: the order is
         * deterministic and keeps the given order where the tree allows */
        if (minleaf[node_of[rb]] < minleaf[node_of[ra]]) {
            uint32_t t = ra;
            ra = rb;
            rb = t;
        }
        left[k] = node_of[ra];
        right[k] = node_of[rb];
        minleaf[n + k] = minleaf[node_of[ra]];
        unionfind_union(&uf, ra, rb);
        node_of[unionfind_find(&uf, ra)] = (uint32_t)(n + k);
    }
    /* leaf order: depth first from the root, left child first */
    size_t sp = 0, w = 0;
    stack[sp++] = (uint32_t)(2 * n - 2);
    while (sp) {
        uint32_t v = stack[--sp];
        if (v < n) {
            r->order[w++] = v;
            continue;
        }
        stack[sp++] = right[v - n];
        stack[sp++] = left[v - n];
    }
    /* the top split: the root's two children */
    r->split_height = mg[n - 2].h;
    uint32_t kids[2] = { left[n - 2], right[n - 2] };
    size_t conf[2] = { 0, 0 };
    for (int s = 0; s < 2; s++) {
        sp = 0;
        stack[sp++] = kids[s];
        while (sp) {
            uint32_t v = stack[--sp];
            if (v < n) {
                r->side[v] = (uint8_t)s;
                r->top_sides[s]++;
                conf[s] += confirmed && confirmed[v];
                continue;
            }
            stack[sp++] = right[v - n];
            stack[sp++] = left[v - n];
        }
    }
    rc = silhouette(ix, rows, n, r->side, &r->silhouette, e);
    if (rc)
        goto done;
    r->two = r->split_height > p->split_height && r->silhouette > p->silhouette && r->top_sides[0] >= p->min_side &&
             r->top_sides[1] >= p->min_side;
    /* the offered side: the one without confirmed faces, else the smaller */
    bool offer = r->two && !(conf[0] && conf[1]);
    int out = conf[0] != conf[1] ? (conf[0] ? 1 : 0) : (r->top_sides[1] <= r->top_sides[0] ? 1 : 0);
    for (size_t i = 0; i < n; i++)
        r->side[i] = offer && r->side[i] == out;
    r->split_faces = offer ? r->top_sides[out] : 0;
done:
    free(mg);
    free(left);
    free(right);
    free(node_of);
    free(stack);
    free(minleaf);
    unionfind_free(&uf);
    if (rc)
        doubt_free(r);
    return rc;
}

int doubt_analyse(const float *x, size_t n, size_t dim, const bool *confirmed, doubt_result *r, err *e)
{
    if (n == 0)
        return doubt_analyse_rows(NULL, NULL, 0, confirmed, NULL, r, e);
    nb_index *ix = neighbors_new(x, n, dim, DOUBT_METRIC, 1, e);
    uint32_t *rows = malloc(n * sizeof *rows);
    int rc;
    if (!ix || !rows) {
        rc = ix ? err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n) : (e ? e->code : ERR_NOMEM);
        memset(r, 0, sizeof *r);
    } else {
        for (size_t i = 0; i < n; i++)
            rows[i] = (uint32_t)i;
        rc = doubt_analyse_rows(ix, rows, n, confirmed, NULL, r, e);
    }
    neighbors_free(ix);
    free(rows);
    return rc;
}

void doubt_free(doubt_result *r)
{
    free(r->order);
    free(r->centre_dist);
    free(r->far);
    free(r->side);
    memset(r, 0, sizeof *r);
}
