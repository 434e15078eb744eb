/* rejoin.c — joining persons the cut left in two (rejoin.h). */
#include "cluster/rejoin.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/labels.h"

typedef struct pair {
    uint32_t a, b;
    double between;
} pair;

static int pair_cmp(const void *x, const void *y)
{
    const pair *p = x, *q = y;
    if (p->between != q->between)
        return p->between < q->between ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int i32_cmp(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

/* One round's state: persons as lists of rows, their row sums, their
 * confirmed person (-1 none). */
typedef struct persons {
    size_t k, dim;
    size_t *off;     /* k+1 */
    uint32_t *rows;  /* n */
    double *sum;     /* k x dim */
    int32_t *person; /* k */
} persons;

static void persons_free(persons *p)
{
    free(p->off);
    free(p->rows);
    free(p->sum);
    free(p->person);
    memset(p, 0, sizeof *p);
}

static int persons_make(const nb_index *ix, const constraints *c, const int32_t *labels, persons *p, err *e)
{
    const size_t n = neighbors_count(ix), dim = neighbors_dim(ix);
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0 && (size_t)labels[i] + 1 > p->k)
            p->k = (size_t)labels[i] + 1;
    p->dim = dim;
    p->off = calloc(p->k + 1, sizeof *p->off);
    p->rows = malloc((n ? n : 1) * sizeof *p->rows);
    p->sum = calloc((p->k ? p->k : 1) * dim, sizeof *p->sum);
    p->person = malloc((p->k ? p->k : 1) * sizeof *p->person);
    size_t *fill = calloc(p->k + 1, sizeof *fill);
    if (!p->off || !p->rows || !p->sum || !p->person || !fill) {
        free(fill);
        persons_free(p);
        return err_set(e, ERR_NOMEM, "rejoin: out of memory for %zu faces", n);
    }
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0)
            p->off[labels[i] + 1]++;
    for (size_t g = 0; g < p->k; g++) {
        p->off[g + 1] += p->off[g];
        p->person[g] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0)
            continue;
        size_t g = (size_t)labels[i];
        p->rows[p->off[g] + fill[g]++] = (uint32_t)i;
        const float *x = neighbors_row(ix, i);
        for (size_t k = 0; k < dim; k++)
            p->sum[g * dim + k] += x[k];
        if (c && c->person && c->person[i] >= 0)
            p->person[g] = c->person[i];
    }
    free(fill);
    return 0;
}

static size_t size_of(const persons *p, size_t g)
{
    return p->off[g + 1] - p->off[g];
}

/* The average distance between the faces of persons a and b. */
static double between(const nb_index *ix, const persons *p, size_t a, size_t b)
{
    const size_t na = size_of(p, a), nb = size_of(p, b);
    if (neighbors_metric(ix) == NB_COSINE) {
        double d = 0;
        for (size_t k = 0; k < p->dim; k++)
            d += p->sum[a * p->dim + k] * p->sum[b * p->dim + k];
        return 1 - d / ((double)na * (double)nb);
    }
    double s = 0;
    for (size_t i = p->off[a]; i < p->off[a + 1]; i++)
        for (size_t j = p->off[b]; j < p->off[b + 1]; j++)
            s += neighbors_dist(ix, p->rows[i], p->rows[j]);
    return s / ((double)na * (double)nb);
}

/* 1 when no decision forbids persons a and b being one. */
static int allowed(const constraints *c, const persons *p, const int32_t *labels, size_t a, size_t b, int32_t *scratch)
{
    if (!c)
        return 1;
    if (p->person[a] >= 0 && p->person[b] >= 0 && p->person[a] != p->person[b])
        return 0;
    if (c->photo) {
        size_t m = 0;
        for (size_t i = p->off[a]; i < p->off[a + 1]; i++)
            if (c->photo[p->rows[i]] >= 0)
                scratch[m++] = c->photo[p->rows[i]];
        qsort(scratch, m, sizeof *scratch, i32_cmp);
        for (size_t j = p->off[b]; j < p->off[b + 1]; j++) {
            int32_t ph = c->photo[p->rows[j]];
            if (ph >= 0 && m && bsearch(&ph, scratch, m, sizeof *scratch, i32_cmp))
                return 0;
        }
    }
    for (size_t k = 0; k < c->n_cannot; k++) {
        int32_t la = labels[c->cannot[k].a], lb = labels[c->cannot[k].b];
        if ((la == (int32_t)a && lb == (int32_t)b) || (la == (int32_t)b && lb == (int32_t)a))
            return 0;
    }
    for (size_t k = 0; k < c->n_reject; k++) {
        int32_t l = labels[c->reject[k].face];
        if (l != (int32_t)a && l != (int32_t)b)
            continue;
        if (p->person[a] == c->reject[k].person || p->person[b] == c->reject[k].person)
            return 0;
    }
    return 1;
}

/* The candidate pairs of one round, closest first, at most max_between apart. */
static int candidates(const nb_index *ix, const rejoin_params *rp, const persons *p, pair **out, size_t *nout, err *e)
{
    *out = NULL;
    *nout = 0;
    size_t *big = malloc((p->k ? p->k : 1) * sizeof *big), nb = 0;
    if (!big)
        return err_set(e, ERR_NOMEM, "rejoin: out of memory for %zu persons", p->k);
    for (size_t g = 0; g < p->k; g++)
        if (size_of(p, g) >= rp->doubt.min_side)
            big[nb++] = g;
    if (nb < 2) {
        free(big);
        return 0;
    }
    size_t kk = nb - 1 < REJOIN_CANDIDATES ? nb - 1 : REJOIN_CANDIDATES;
    float *cent = malloc(nb * p->dim * sizeof *cent);
    uint32_t *ind = malloc(nb * kk * sizeof *ind);
    float *dist = malloc(nb * kk * sizeof *dist);
    pair *pairs = malloc(nb * kk * sizeof *pairs);
    nb_index *cix = NULL;
    int rc = 0;
    if (!cent || !ind || !dist || !pairs) {
        rc = err_set(e, ERR_NOMEM, "rejoin: out of memory for %zu persons", nb);
        goto done;
    }
    for (size_t i = 0; i < nb; i++)
        for (size_t k = 0; k < p->dim; k++)
            cent[i * p->dim + k] = (float)(p->sum[big[i] * p->dim + k] / (double)size_of(p, big[i]));
    /* under cosine the centres' directions: 1 - cos of the centres is at most
     * the average distance (|mean| <= 1), so the nearest directions hold the
     * closest averages */
    cix = neighbors_new(cent, nb, p->dim, neighbors_metric(ix), neighbors_threads(ix), e);
    if (!cix) {
        rc = e ? e->code : ERR_NOMEM;
        goto done;
    }
    rc = neighbors_knn(cix, kk, ind, dist, e);
    if (rc)
        goto done;
    size_t m = 0;
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < kk; j++) {
            size_t a = big[i], b = big[ind[i * kk + j]];
            if (a == b)
                continue;
            if (a > b) {
                size_t t = a;
                a = b;
                b = t;
            }
            double d = between(ix, p, a, b);
            if (d <= rp->max_between)
                pairs[m++] = (pair){ (uint32_t)a, (uint32_t)b, d };
        }
    qsort(pairs, m, sizeof *pairs, pair_cmp);
    size_t w = 0; /* drop the pairs found from both sides */
    for (size_t i = 0; i < m; i++)
        if (!w || pairs[w - 1].a != pairs[i].a || pairs[w - 1].b != pairs[i].b)
            pairs[w++] = pairs[i];
    *out = pairs;
    *nout = w;
    pairs = NULL;
done:
    neighbors_free(cix);
    free(big);
    free(cent);
    free(ind);
    free(dist);
    free(pairs);
    return rc;
}

/* One round; *joined gets the number of joins. */
static int round_once(const nb_index *ix, const rejoin_params *rp, const constraints *c, int32_t *labels,
                      size_t *joined, err *e)
{
    const size_t n = neighbors_count(ix);
    *joined = 0;
    persons p;
    int rc = persons_make(ix, c, labels, &p, e);
    if (rc)
        return rc;
    pair *pairs = NULL;
    size_t np = 0;
    rc = candidates(ix, rp, &p, &pairs, &np, e);
    bool *used = calloc(p.k ? p.k : 1, sizeof *used);
    int32_t *scratch = malloc(n * sizeof *scratch);
    uint32_t *rows = malloc(n * sizeof *rows);
    if (rc == 0 && (!used || !scratch || !rows))
        rc = err_set(e, ERR_NOMEM, "rejoin: out of memory for %zu faces", n);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        size_t a = pairs[i].a, b = pairs[i].b, na = size_of(&p, a), nb = size_of(&p, b);
        if (used[a] || used[b] || na + nb > DOUBT_MAX_FACES || !allowed(c, &p, labels, a, b, scratch))
            continue;
        memcpy(rows, p.rows + p.off[a], na * sizeof *rows);
        memcpy(rows + na, p.rows + p.off[b], nb * sizeof *rows);
        doubt_result d;
        rc = doubt_analyse_rows(ix, rows, na + nb, NULL, &rp->doubt, &d, e);
        if (rc)
            break;
        bool two = d.two;
        doubt_free(&d);
        if (two)
            continue;
        for (size_t j = p.off[b]; j < p.off[b + 1]; j++)
            labels[p.rows[j]] = (int32_t)a;
        used[a] = used[b] = true;
        (*joined)++;
    }
    if (rc == 0 && *joined)
        labels_canonicalize(labels, n);
    free(pairs);
    free(used);
    free(scratch);
    free(rows);
    persons_free(&p);
    return rc;
}

int rejoin_run(const nb_index *ix, const rejoin_params *p, const constraints *c, int32_t *labels, size_t *joined,
               err *e)
{
    size_t total = 0;
    int rc = 0;
    if (p->max_between > 0 && neighbors_count(ix) >= 2) {
        for (int r = 0; r < REJOIN_MAX_ROUNDS; r++) {
            size_t j = 0;
            rc = round_once(ix, p, c, labels, &j, e);
            total += j;
            if (rc || j == 0)
                break;
        }
    }
    if (joined)
        *joined = total;
    return rc;
}
