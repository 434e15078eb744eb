/* score.c — pairwise, BCubed, ARI and NMI from one contingency table. */
#include "cluster/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cell {
    uint32_t t, p; /* dense identity, dense cluster (singletons numbered too) */
} cell;

static int cell_cmp(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

typedef struct pair32 {
    int32_t v;
    uint32_t i;
} pair32;

static int pair_cmp(const void *a, const void *b)
{
    const pair32 *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Dense numbers 0..k-1 for the values of v (values < 0 each get their own
 * number after the others when own_negatives); returns k, or -1 out of memory. */
static long densify(const int32_t *v, size_t n, int own_negatives, uint32_t *out, size_t *distinct_nonneg)
{
    pair32 *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++)
        p[i] = (pair32){ v[i], (uint32_t)i };
    qsort(p, n, sizeof *p, pair_cmp);
    long k = 0;
    size_t nonneg = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].v < 0 && own_negatives) {
            continue;
        }
        if (i == 0 || p[i].v != p[i - 1].v || (p[i - 1].v < 0 && own_negatives)) {
            k++;
            nonneg++;
        }
        out[p[i].i] = (uint32_t)(k - 1);
    }
    for (size_t i = 0; i < n; i++)
        if (p[i].v < 0 && own_negatives)
            out[p[i].i] = (uint32_t)k++;
    free(p);
    if (distinct_nonneg)
        *distinct_nonneg = nonneg;
    return k;
}

static double comb2(double x)
{
    return x * (x - 1) / 2;
}

int score_partition(const int32_t *truth, const int32_t *pred, size_t n, score_result *out, err *e)
{
    memset(out, 0, sizeof *out);
    out->items = n;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0)
            return err_set(e, ERR_INVALID, "score: item %zu has no true identity", i);
        out->unclustered += pred[i] < 0;
    }
    if (n == 0) {
        out->pairwise_precision = out->pairwise_recall = out->pairwise_f1 = 1;
        out->bcubed_precision = out->bcubed_recall = out->bcubed_f = 1;
        out->ari = out->nmi = 1;
        return 0;
    }
    uint32_t *t = malloc(n * sizeof *t), *p = malloc(n * sizeof *p);
    cell *cells = malloc(n * sizeof *cells);
    double *a = NULL, *b = NULL;
    long kt = -1, kp = -1;
    if (t && p && cells) {
        kt = densify(truth, n, 0, t, &out->identities);
        kp = densify(pred, n, 1, p, &out->clusters);
    }
    if (kt > 0 && kp > 0) {
        a = calloc((size_t)kt, sizeof *a);
        b = calloc((size_t)kp, sizeof *b);
    }
    if (!a || !b) {
        free(t);
        free(p);
        free(cells);
        free(a);
        free(b);
        return err_set(e, ERR_NOMEM, "score: out of memory for %zu items", n);
    }
    for (size_t i = 0; i < n; i++) {
        cells[i] = (cell){ t[i], p[i] };
        a[t[i]]++;
        b[p[i]]++;
    }
    qsort(cells, n, sizeof *cells, cell_cmp);
    /* per cluster: identities with >= SCORE_MIN_BLOCK items in it (reusing b's
     * twin); per identity: clusters holding >= SCORE_MIN_BLOCK of its items */
    uint32_t *ids_in = calloc((size_t)kp, sizeof *ids_in);
    if (!ids_in) {
        free(t);
        free(p);
        free(cells);
        free(a);
        free(b);
        return err_set(e, ERR_NOMEM, "score: out of memory for %zu items", n);
    }
    uint32_t blocks_of_t = 0;
    double dn = (double)n, tp = 0, bc_p = 0, bc_r = 0, mi = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && cells[j].t == cells[i].t && cells[j].p == cells[i].p)
            j++;
        /* dense clusters < out->clusters are real ones; the rest are singletons */
        if (j - i >= SCORE_MIN_BLOCK && cells[i].p < out->clusters) {
            ids_in[cells[i].p]++;
            blocks_of_t++;
        }
        if (j == n || cells[j].t != cells[i].t) {
            out->split_identities += blocks_of_t > 2;
            blocks_of_t = 0;
        }
        double nij = (double)(j - i), ai = a[cells[i].t], bj = b[cells[i].p];
        tp += comb2(nij);
        bc_p += nij * nij / bj;
        bc_r += nij * nij / ai;
        mi += nij / dn * log(nij * dn / (ai * bj));
        i = j;
    }
    double sa = 0, sb = 0, ha = 0, hb = 0;
    for (long i = 0; i < kt; i++) {
        sa += comb2(a[i]);
        ha -= a[i] / dn * log(a[i] / dn);
    }
    for (long j = 0; j < kp; j++) {
        sb += comb2(b[j]);
        hb -= b[j] / dn * log(b[j] / dn);
    }
    out->pairwise_precision = sb > 0 ? tp / sb : 1;
    out->pairwise_recall = sa > 0 ? tp / sa : 1;
    double pp = out->pairwise_precision, pr = out->pairwise_recall;
    out->pairwise_f1 = pp + pr > 0 ? 2 * pp * pr / (pp + pr) : 0;
    out->bcubed_precision = bc_p / dn;
    out->bcubed_recall = bc_r / dn;
    double bp = out->bcubed_precision, br = out->bcubed_recall;
    out->bcubed_f = bp + br > 0 ? 2 * bp * br / (bp + br) : 0;
    double expected = sa * sb / comb2(dn), maxi = (sa + sb) / 2;
    out->ari = maxi == expected ? (tp == expected ? 1 : 0) : (tp - expected) / (maxi - expected);
    if (n < 2)
        out->ari = 1;
    for (long j = 0; j < kp; j++)
        out->mixed_persons += ids_in[j] >= 2;
    free(ids_in);
    out->nmi = ha + hb > 0 ? mi / ((ha + hb) / 2) : 1;
    if (out->nmi > 1)
        out->nmi = 1; /* rounding */
    free(t);
    free(p);
    free(cells);
    free(a);
    free(b);
    return 0;
}
