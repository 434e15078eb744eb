/* mst.c — Borůvka MST on mutual reachability, kNN lists first, exact scans after. */
#include "people/mst.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "people/unionfind.h"

static int edge_cmp(const void *pa, const void *pb) {
    const mst_edge *a = pa, *b = pb;
    if (a->w != b->w) return a->w < b->w ? -1 : 1;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

void mst_sort(mst_edge *edges, size_t m) { qsort(edges, m, sizeof *edges, edge_cmp); }

/* Total order on candidate edges: weight, then the unordered pair. */
static int edge_better(double w, uint32_t a, uint32_t b, const mst_edge *cur) {
    if (w != cur->w) return w < cur->w;
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint32_t clo = cur->a < cur->b ? cur->a : cur->b, chi = cur->a < cur->b ? cur->b : cur->a;
    if (lo != clo) return lo < clo;
    return hi < chi;
}

/* After an exact scan a point keeps its MST_EXT nearest rows outside its
 * component as its new list, so later rounds rarely scan it again. */
#define MST_EXT 32

typedef struct ext_list {
    uint32_t ind[MST_EXT];
    float dist[MST_EXT];
} ext_list;

typedef struct search_ctx {
    const nb_index *ix;
    const double *core;
    const uint32_t *comp;
    const uint32_t *slot; /* [n] row -> its slot among the queries */
    double *bw;           /* [nq] best approximate mrd per searched row */
    uint32_t *br;         /* [nq] its other end */
    float *hd;            /* [nq*MST_EXT] max-heap of d2 to outside rows */
    uint32_t *hi;
    uint32_t *hlen;
} search_ctx;

static void heap_push(float *hd, uint32_t *hi, uint32_t *len, float d, uint32_t id) {
    size_t i;
    if (*len < MST_EXT) {
        i = (*len)++;
        while (i > 0 && hd[(i - 1) / 2] < d) {
            hd[i] = hd[(i - 1) / 2];
            hi[i] = hi[(i - 1) / 2];
            i = (i - 1) / 2;
        }
    } else {
        if (!(d < hd[0])) return;
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, m = l;
            if (l >= MST_EXT) break;
            if (l + 1 < MST_EXT && hd[l + 1] > hd[l]) m = l + 1;
            if (hd[m] <= d) break;
            hd[i] = hd[m];
            hi[i] = hi[m];
            i = m;
        }
    }
    hd[i] = d;
    hi[i] = id;
}

static void search_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1) {
    (void)thread;
    search_ctx *c = vctx;
    const uint32_t cq = c->comp[q], s = c->slot[q];
    double best = c->bw[s];
    uint32_t bestr = c->br[s];
    double cqv = c->core ? c->core[q] : 0;
    float *hd = c->hd + (size_t)s * MST_EXT;
    uint32_t *hi = c->hi + (size_t)s * MST_EXT, *hl = &c->hlen[s];
    for (uint32_t r = r0; r < r1; r++) {
        if (c->comp[r] == cq) continue;
        float v = d2[r - r0];
        if (*hl < MST_EXT || v < hd[0]) heap_push(hd, hi, hl, v, r);
        double d = neighbors_dist_from_d2(c->ix, v);
        double w = d;
        if (c->core) {
            if (cqv > w) w = cqv;
            if (c->core[r] > w) w = c->core[r];
        }
        if (w < best) {
            best = w;
            bestr = r;
        }
    }
    c->bw[s] = best;
    c->br[s] = bestr;
}

typedef struct ranked {
    double d;
    uint32_t id;
} ranked;

static int ranked_cmp(const void *pa, const void *pb) {
    const ranked *a = pa, *b = pb;
    if (a->d != b->d) return a->d < b->d ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

typedef struct comp_need {
    uint32_t comp;
    uint32_t need;
} comp_need;

static int need_cmp(const void *pa, const void *pb) {
    const comp_need *a = pa, *b = pb;
    if (a->need != b->need) return a->need < b->need ? -1 : 1;
    return (a->comp > b->comp) - (a->comp < b->comp);
}

static double mrd(const double *core, uint32_t a, uint32_t b, double d) {
    if (!core) return d;
    double w = d;
    if (core[a] > w) w = core[a];
    if (core[b] > w) w = core[b];
    return w;
}

int mst_mutual_reachability(const nb_index *ix, const double *core, const uint32_t *knn_ind,
                            const float *knn_dist, size_t k, mst_edge *out, mst_stats *stats,
                            err *e) {
    const size_t n = neighbors_count(ix);
    mst_stats st = {0, 0};
    if (n < 2) {
        if (stats) *stats = st;
        return 0;
    }
    if (k == 0) return err_set(e, ERR_INVALID, "MST: needs kNN lists with k >= 1");
    unionfind uf = {0};
    uint32_t *comp = malloc(n * sizeof *comp), *start = calloc(n, sizeof *start);
    mst_edge *best = malloc(n * sizeof *best), *cand = malloc(n * sizeof *cand);
    double *plb = malloc(n * sizeof *plb), *bw = malloc(n * sizeof *bw);
    uint32_t *need = calloc(n, sizeof *need), *queries = malloc(n * sizeof *queries),
             *br = malloc(n * sizeof *br);
    unsigned char *chosen = calloc(n, 1);
    comp_need *needs = malloc(n * sizeof *needs);
    ext_list **ext = calloc(n, sizeof *ext);
    uint32_t *slot = malloc(n * sizeof *slot), *hi = NULL, *hlen = NULL;
    float *hd = NULL;
    ranked *rk = malloc(MST_EXT * sizeof *rk);
    int rc = 0;
    if (unionfind_init(&uf, n) || !comp || !start || !best || !cand || !plb || !bw || !need ||
        !queries || !br || !chosen || !needs || !ext || !slot || !rk) {
        rc = err_set(e, ERR_NOMEM, "MST: out of memory for %zu descriptors", n);
        goto done;
    }
    size_t edges = 0;
    while (edges < n - 1) {
        st.rounds++;
        for (size_t i = 0; i < n; i++) {
            comp[i] = unionfind_find(&uf, (uint32_t)i);
            best[i] = (mst_edge){UINT32_MAX, UINT32_MAX, INFINITY};
            need[i] = 0;
            chosen[i] = 0;
        }
        /* 1. What each point's kNN list proves about its lightest outgoing edge. */
        for (size_t p = 0; p < n; p++) {
            const uint32_t *li = ext[p] ? ext[p]->ind : knn_ind + p * k;
            const float *ld = ext[p] ? ext[p]->dist : knn_dist + p * k;
            size_t len = ext[p] ? MST_EXT : k;
            double cp = core ? core[p] : 0;
            mst_edge bp = {UINT32_MAX, UINT32_MAX, INFINITY};
            int certain = 0;
            for (size_t j = start[p]; j < len; j++) {
                uint32_t q = li[j];
                if (comp[q] == comp[p]) {
                    if (j == start[p]) start[p]++; /* inside for good: components only grow */
                    continue;
                }
                double lower = ld[j] > cp ? ld[j] : cp;
                if (lower > bp.w) {
                    certain = 1;
                    break;
                }
                double w = mrd(core, (uint32_t)p, q, ld[j]);
                if (edge_better(w, (uint32_t)p, q, &bp)) bp = (mst_edge){(uint32_t)p, q, w};
            }
            /* Rows beyond the list are at least as far as its last entry. */
            double lb = ld[len - 1] > cp ? ld[len - 1] : cp;
            plb[p] = (certain || bp.w <= lb) ? INFINITY : lb;
            uint32_t c = comp[p];
            if (bp.w < INFINITY && edge_better(bp.w, bp.a, bp.b, &best[c])) best[c] = bp;
        }
        /* 2. Points that could still hide a lighter edge than their component's best. */
        for (size_t p = 0; p < n; p++)
            if (plb[p] < best[comp[p]].w) need[comp[p]]++;
        size_t nneeds = 0, resolved = 0;
        for (size_t c = 0; c < n; c++) {
            if (comp[c] != c) continue;
            if (need[c] == 0) {
                chosen[c] = 1;
                resolved++;
            } else {
                needs[nneeds++] = (comp_need){(uint32_t)c, need[c]};
            }
        }
        /* 3. Search the cheapest uncertain components, within a budget per round;
         *    the others are joined by their neighbours' edges or wait a round. */
        qsort(needs, nneeds, sizeof *needs, need_cmp);
        size_t budget = n / 4, spent = 0;
        for (size_t i = 0; i < nneeds; i++) {
            if (spent + needs[i].need > budget && (spent > 0 || resolved > 0)) break;
            chosen[needs[i].comp] = 2;
            spent += needs[i].need;
        }
        size_t nq = 0;
        for (size_t p = 0; p < n; p++)
            if (chosen[comp[p]] == 2 && plb[p] < best[comp[p]].w) queries[nq++] = (uint32_t)p;
        if (nq) {
            st.searched_points += nq;
            free(hd);
            free(hi);
            free(hlen);
            hd = malloc(nq * MST_EXT * sizeof *hd);
            hi = malloc(nq * MST_EXT * sizeof *hi);
            hlen = calloc(nq, sizeof *hlen);
            if (!hd || !hi || !hlen) {
                rc = err_set(e, ERR_NOMEM, "MST: out of memory for %zu searched points", nq);
                goto done;
            }
            for (size_t i = 0; i < nq; i++) {
                slot[queries[i]] = (uint32_t)i;
                bw[i] = INFINITY;
                br[i] = UINT32_MAX;
            }
            search_ctx sc = {ix, core, comp, slot, bw, br, hd, hi, hlen};
            rc = neighbors_scan(ix, queries, nq, search_row, &sc, e);
            if (rc) goto done;
            for (size_t i = 0; i < nq; i++) {
                uint32_t p = queries[i], q = br[i];
                if (q == UINT32_MAX) continue;
                double w = mrd(core, p, q, (float)neighbors_dist(ix, p, q));
                if (edge_better(w, p, q, &best[comp[p]])) best[comp[p]] = (mst_edge){p, q, w};
                /* keep the nearest outside rows as p's list from now on (when full:
                 * a short list could not bound what lies beyond it) */
                if (hlen[i] < MST_EXT) continue;
                if (!ext[p] && !(ext[p] = malloc(sizeof *ext[p]))) {
                    rc = err_set(e, ERR_NOMEM, "MST: out of memory for neighbour lists");
                    goto done;
                }
                for (size_t j = 0; j < MST_EXT; j++) {
                    uint32_t r = hi[i * MST_EXT + j];
                    rk[j] = (ranked){(float)neighbors_dist(ix, p, r), r};
                }
                qsort(rk, MST_EXT, sizeof *rk, ranked_cmp);
                for (size_t j = 0; j < MST_EXT; j++) {
                    ext[p]->ind[j] = rk[j].id;
                    ext[p]->dist[j] = (float)rk[j].d;
                }
                start[p] = 0;
            }
        }
        /* 4. Add the lightest outgoing edges of the settled components. */
        size_t nc = 0;
        for (size_t c = 0; c < n; c++)
            if (comp[c] == c && chosen[c] && best[c].w < INFINITY) cand[nc++] = best[c];
        if (nc == 0) {
            rc = err_set(e, ERR_INTERNAL, "MST: no component could be joined in round %zu", st.rounds);
            goto done;
        }
        mst_sort(cand, nc);
        for (size_t i = 0; i < nc; i++)
            if (unionfind_union(&uf, cand[i].a, cand[i].b)) out[edges++] = cand[i];
    }
    mst_sort(out, n - 1);
done:
    if (stats) *stats = st;
    unionfind_free(&uf);
    free(comp);
    free(start);
    free(best);
    free(cand);
    free(plb);
    free(bw);
    free(need);
    free(queries);
    free(br);
    free(chosen);
    free(needs);
    if (ext)
        for (size_t i = 0; i < n; i++) free(ext[i]);
    free(ext);
    free(slot);
    free(hd);
    free(hi);
    free(hlen);
    free(rk);
    return rc;
}
