/* doubt.c — one person's dendrogram leaf order, far faces and top split. */
#include "cluster/doubt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/unionfind.h"

static inline size_t tri(size_t n, size_t i, size_t j)
{
    if (i > j) {
        size_t t = i;
        i = j;
        j = t;
    }
    return i * n - i * (i + 1) / 2 + (j - i - 1);
}

typedef struct merge {
    uint32_t a, b; /* face indices standing for the two clusters */
    float h;
} merge;

static int merge_cmp(const void *pa, const void *pb)
{
    const merge *a = pa, *b = pb;
    return (a->h > b->h) - (a->h < b->h);
}

/* The n-1 merges of the average-linkage hierarchy (nearest-neighbour chain),
 * each naming one face of either side. */
static int upgma(const float *x, size_t n, size_t dim, merge *out)
{
    float *m = malloc(n * (n - 1) / 2 * sizeof *m);
    uint32_t *active = malloc(n * sizeof *active), *pos = malloc(n * sizeof *pos), *chain = malloc(n * sizeof *chain),
             *size = malloc(n * sizeof *size);
    int rc = -1;
    if (!m || !active || !pos || !chain || !size)
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < dim; k++) {
                double v = (double)x[i * dim + k] - x[j * dim + k];
                s += v * v;
            }
            m[tri(n, i, j)] = (float)sqrt(s);
        }
    for (size_t i = 0; i < n; i++) {
        active[i] = pos[i] = (uint32_t)i;
        size[i] = 1;
    }
    size_t na = n, len = 0, nm = 0;
    while (na > 1) {
        if (len == 0)
            chain[len++] = active[0];
        uint32_t a = chain[len - 1], prev = len > 1 ? chain[len - 2] : UINT32_MAX, b = UINT32_MAX;
        float best = INFINITY;
        if (prev != UINT32_MAX) {
            best = m[tri(n, a, prev)];
            b = prev;
        }
        for (size_t k = 0; k < na; k++) {
            uint32_t z = active[k];
            if (z != a && m[tri(n, a, z)] < best) {
                best = m[tri(n, a, z)];
                b = z;
            }
        }
        if (b != prev) {
            chain[len++] = b;
            continue;
        }
        len -= 2;
        out[nm++] = (merge){ a, b, best };
        for (size_t k = 0; k < na; k++) {
            uint32_t z = active[k];
            if (z == a || z == b)
                continue;
            m[tri(n, z, b)] = (float)(((double)size[a] * m[tri(n, z, a)] + (double)size[b] * m[tri(n, z, b)]) /
                                      ((double)size[a] + size[b]));
        }
        size[b] += size[a];
        uint32_t last = active[--na];
        active[pos[a]] = last;
        pos[last] = pos[a];
    }
    rc = 0;
done:
    free(m);
    free(active);
    free(pos);
    free(chain);
    free(size);
    return rc;
}

int doubt_analyse(const float *x, size_t n, size_t dim, doubt_result *r, err *e)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    size_t n1 = n ? n : 1;
    r->order = malloc(n1 * sizeof *r->order);
    r->centre_dist = calloc(n1, sizeof *r->centre_dist);
    r->far = calloc(n1, sizeof *r->far);
    r->side = calloc(n1, 1);
    double *mean = calloc(dim ? dim : 1, sizeof *mean);
    if (!r->order || !r->centre_dist || !r->far || !r->side || !mean) {
        free(mean);
        doubt_free(r);
        return err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n);
    }
    for (size_t i = 0; i < n; i++) {
        r->order[i] = (uint32_t)i;
        for (size_t k = 0; k < dim; k++)
            mean[k] += x[i * dim + k] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < dim; k++) {
            double v = x[i * dim + k] - mean[k];
            s += v * v;
        }
        r->centre_dist[i] = sqrt(s);
        r->far[i] = r->centre_dist[i] > DOUBT_FAR;
    }
    free(mean);
    if (n < 2 || n > DOUBT_MAX_FACES)
        return 0;
    /* merges sorted by height and replayed make the dendrogram: node n+k is
     * merge k, its children the nodes that held a and b */
    merge *mg = malloc((n - 1) * sizeof *mg);
    uint32_t *left = malloc((n - 1) * sizeof *left), *right = malloc((n - 1) * sizeof *right),
             *node_of = malloc(n * sizeof *node_of), *stack = malloc((2 * n) * sizeof *stack),
             *minleaf = malloc((2 * n) * sizeof *minleaf);
    unionfind uf = { 0 };
    int rc = 0;
    if (!mg || !left || !right || !node_of || !stack || !minleaf || unionfind_init(&uf, n) || upgma(x, n, dim, mg)) {
        rc = err_set(e, ERR_NOMEM, "doubt: out of memory for %zu faces", n);
        goto done;
    }
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
    /* the top split: the root's two children; the smaller side is offered */
    r->split_height = mg[n - 2].h;
    uint32_t kids[2] = { left[n - 2], right[n - 2] };
    size_t count[2] = { 0, 0 };
    for (int s = 0; s < 2; s++) {
        sp = 0;
        stack[sp++] = kids[s];
        while (sp) {
            uint32_t v = stack[--sp];
            if (v < n) {
                r->side[v] = (uint8_t)s;
                count[s]++;
                continue;
            }
            stack[sp++] = right[v - n];
            stack[sp++] = left[v - n];
        }
    }
    int small = count[1] <= count[0] ? 1 : 0;
    bool offer = r->split_height > DOUBT_SPLIT_HEIGHT && count[0] >= DOUBT_MIN_SIDE && count[1] >= DOUBT_MIN_SIDE;
    for (size_t i = 0; i < n; i++)
        r->side[i] = offer && r->side[i] == small;
    r->split_faces = offer ? count[small] : 0;
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

void doubt_free(doubt_result *r)
{
    free(r->order);
    free(r->centre_dist);
    free(r->far);
    free(r->side);
    memset(r, 0, sizeof *r);
}
