/* labels.c — canonical numbering and the adjusted Rand index. */
#include "cluster/labels.h"

#include <math.h>
#include <stdlib.h>

size_t labels_canonicalize(int32_t *labels, size_t n)
{
    /* Distinct labels in first-seen order, through a small open-addressing table. */
    size_t cap = 16, k = 0;
    while (cap < 2 * n + 2)
        cap <<= 1;
    int64_t *tab = malloc(cap * sizeof *tab);
    int32_t *tabv = malloc(cap * sizeof *tabv);
    if (!tab || !tabv) {
        free(tab);
        free(tabv);
        return 0;
    }
    for (size_t i = 0; i < cap; i++)
        tab[i] = -1;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0) {
            labels[i] = -1;
            continue;
        }
        size_t h = ((uint32_t)labels[i] * 2654435761u) & (cap - 1);
        while (tab[h] >= 0 && tab[h] != labels[i])
            h = (h + 1) & (cap - 1);
        if (tab[h] < 0) {
            tab[h] = labels[i];
            tabv[h] = (int32_t)k++;
        }
        labels[i] = tabv[h];
    }
    free(tab);
    free(tabv);
    return k;
}

typedef struct pair64 {
    int64_t a, b;
} pair64;

static int pair_cmp(const void *pa, const void *pb)
{
    const pair64 *x = pa, *y = pb;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static int64_t label_key(int32_t l, size_t i, labels_noise noise)
{
    if (l >= 0)
        return l;
    return noise == LABELS_NOISE_SINGLETON ? -(int64_t)i - 2 : -1;
}

static double comb2(double x)
{
    return x * (x - 1) / 2;
}

double labels_ari(const int32_t *a, const int32_t *b, size_t n, labels_noise noise)
{
    if (n < 2)
        return 1.0;
    pair64 *p = malloc(n * sizeof *p);
    int64_t *v = malloc(n * sizeof *v);
    if (!p || !v) {
        free(p);
        free(v);
        return NAN;
    }
    /* sum over the contingency table's cells, rows and columns of C(n_ij, 2) */
    for (size_t i = 0; i < n; i++)
        p[i] = (pair64){ label_key(a[i], i, noise), label_key(b[i], i, noise) };
    qsort(p, n, sizeof *p, pair_cmp);
    double sij = 0, sa = 0, sb = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && p[j].a == p[i].a && p[j].b == p[i].b; j++) {
        }
        sij += comb2((double)(j - i));
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && p[j].a == p[i].a; j++) {
        }
        sa += comb2((double)(j - i));
    }
    for (size_t i = 0; i < n; i++)
        v[i] = p[i].b;
    for (size_t i = 0; i < n; i++)
        p[i].a = v[i], p[i].b = 0;
    qsort(p, n, sizeof *p, pair_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && p[j].a == p[i].a; j++) {
        }
        sb += comb2((double)(j - i));
    }
    free(p);
    free(v);
    double total = comb2((double)n);
    double expected = sa * sb / total;
    double maxi = (sa + sb) / 2;
    if (maxi == expected)
        return sij == expected ? 1.0 : 0.0;
    return (sij - expected) / (maxi - expected);
}
