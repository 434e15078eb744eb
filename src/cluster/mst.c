/* mst.c — Borůvka MST on mutual reachability, kNN lists first, then exact
 * scans (or, on an index with the FAISS path, approximate index queries). */
#include "cluster/mst.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/unionfind.h"

static int edge_cmp(const void *pa, const void *pb)
{
    const mst_edge *a = pa, *b = pb;
    if (a->w != b->w)
        return a->w < b->w ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

void mst_sort(mst_edge *edges, size_t m)
{
    qsort(edges, m, sizeof *edges, edge_cmp);
}

/* Total order on candidate edges: weight, then the unordered pair. */
static int edge_better(double w, uint32_t a, uint32_t b, const mst_edge *cur)
{
    if (w != cur->w)
        return w < cur->w;
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint32_t clo = cur->a < cur->b ? cur->a : cur->b, chi = cur->a < cur->b ? cur->b : cur->a;
    if (lo != clo)
        return lo < clo;
    return hi < chi;
}

/* After an exact scan a point keeps its MST_EXT nearest rows outside its
 * component as its new list, so later rounds rarely scan it again. */
#define MST_EXT 32

/* The approximate path asks the index for the MST_APPROX_K0 nearest rows of a
 * point, then 4x as many each time the point needs a search again, up to
 * MST_APPROX_KMAX; a point whose deepest search found its component only is
 * "blind" and searched no more. A component that is blind throughout (it has
 * more than MST_APPROX_KMAX faces and no list reaches out of it) gets an exact
 * scan of MST_SAMPLE of its points, spread over its rows: O(MST_SAMPLE * n)
 * for it, never O(n^2). (A search of 1,024 costs ~4x one of 256 in HNSW and
 * the sample scan of 32 points is one GEMM pass, ~0.5 s at 1M faces.) */
#define MST_APPROX_K0 64
#define MST_APPROX_KMAX 256
#define MST_SAMPLE 32

/* A point's list of nearest rows outside its component (len entries, sorted),
 * and the distance below which no other row lies (the list's last entry for
 * an exact scan; the last row the index returned on the approximate path). */
typedef struct ext_list {
    uint32_t ind[MST_EXT];
    float dist[MST_EXT];
    uint32_t len;
    float bound;
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

static void heap_push(float *hd, uint32_t *hi, uint32_t *len, float d, uint32_t id)
{
    size_t i;
    if (*len < MST_EXT) {
        i = (*len)++;
        while (i > 0 && hd[(i - 1) / 2] < d) {
            hd[i] = hd[(i - 1) / 2];
            hi[i] = hi[(i - 1) / 2];
            i = (i - 1) / 2;
        }
    } else {
        if (!(d < hd[0]))
            return;
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, m = l;
            if (l >= MST_EXT)
                break;
            if (l + 1 < MST_EXT && hd[l + 1] > hd[l])
                m = l + 1;
            if (hd[m] <= d)
                break;
            hd[i] = hd[m];
            hi[i] = hi[m];
            i = m;
        }
    }
    hd[i] = d;
    hi[i] = id;
}

static void search_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    (void)thread;
    search_ctx *c = vctx;
    const uint32_t cq = c->comp[q], s = c->slot[q];
    double best = c->bw[s];
    uint32_t bestr = c->br[s];
    double cqv = c->core ? c->core[q] : 0;
    float *hd = c->hd + (size_t)s * MST_EXT;
    uint32_t *hi = c->hi + (size_t)s * MST_EXT, *hl = &c->hlen[s];
    for (uint32_t r = r0; r < r1; r++) {
        if (c->comp[r] == cq)
            continue;
        float v = d2[r - r0];
        if (*hl < MST_EXT || v < hd[0])
            heap_push(hd, hi, hl, v, r);
        double d = neighbors_dist_from_d2(c->ix, v);
        double w = d;
        if (c->core) {
            if (cqv > w)
                w = cqv;
            if (c->core[r] > w)
                w = c->core[r];
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

static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

typedef struct comp_need {
    uint32_t comp;
    uint32_t need;
} comp_need;

static int need_cmp(const void *pa, const void *pb)
{
    const comp_need *a = pa, *b = pb;
    if (a->need != b->need)
        return a->need < b->need ? -1 : 1;
    return (a->comp > b->comp) - (a->comp < b->comp);
}

static double mrd(const double *core, uint32_t a, uint32_t b, double d)
{
    if (!core)
        return d;
    double w = d;
    if (core[a] > w)
        w = core[a];
    if (core[b] > w)
        w = core[b];
    return w;
}

/* The state of one MST run, shared by the rounds' helpers. */
typedef struct mst_run {
    const nb_index *ix;
    const double *core;
    size_t n;
    uint32_t *comp, *start;
    mst_edge *best;
    ext_list **ext;
    uint32_t *slot, *br;
    double *bw;
    ranked *rk;
    unsigned char *qk_level; /* approximate path: searches so far (0: none; level L asked for K0 * 4^(L-1)) */
} mst_run;

static size_t approx_k(unsigned level)
{
    size_t k = MST_APPROX_K0;
    for (unsigned i = 1; i < level; i++)
        k *= 4;
    return k;
}

/* The deepest search level, whose k is MST_APPROX_KMAX. */
static unsigned approx_top_level(void)
{
    unsigned l = 1;
    while (approx_k(l) < MST_APPROX_KMAX)
        l++;
    return l;
}

/* p's list from now on, or NULL without memory. */
static ext_list *ext_of(mst_run *r, uint32_t p)
{
    if (!r->ext[p])
        r->ext[p] = malloc(sizeof *r->ext[p]);
    return r->ext[p];
}

/* Exact scans of queries[0..nq) against all rows: each point's lightest
 * outgoing edge, and its MST_EXT nearest outside rows as its list. */
static int exact_search(mst_run *r, const uint32_t *queries, size_t nq, err *e)
{
    float *hd = malloc(nq * MST_EXT * sizeof *hd);
    uint32_t *hi = malloc(nq * MST_EXT * sizeof *hi), *hlen = calloc(nq, sizeof *hlen);
    int rc = 0;
    if (!hd || !hi || !hlen) {
        rc = err_set(e, ERR_NOMEM, "MST: out of memory for %zu searched points", nq);
        goto done;
    }
    for (size_t i = 0; i < nq; i++) {
        r->slot[queries[i]] = (uint32_t)i;
        r->bw[i] = INFINITY;
        r->br[i] = UINT32_MAX;
    }
    search_ctx sc = { r->ix, r->core, r->comp, r->slot, r->bw, r->br, hd, hi, hlen };
    rc = neighbors_scan(r->ix, queries, nq, search_row, &sc, e);
    if (rc)
        goto done;
    for (size_t i = 0; i < nq; i++) {
        uint32_t p = queries[i], q = r->br[i];
        if (q == UINT32_MAX)
            continue;
        double w = mrd(r->core, p, q, (float)neighbors_dist(r->ix, p, q));
        if (edge_better(w, p, q, &r->best[r->comp[p]]))
            r->best[r->comp[p]] = (mst_edge){ p, q, w };
        /* keep the nearest outside rows as p's list from now on (when full:
         * a short list could not bound what lies beyond it) */
        if (hlen[i] < MST_EXT)
            continue;
        ext_list *l = ext_of(r, p);
        if (!l) {
            rc = err_set(e, ERR_NOMEM, "MST: out of memory for neighbour lists");
            goto done;
        }
        for (size_t j = 0; j < MST_EXT; j++) {
            uint32_t o = hi[i * MST_EXT + j];
            r->rk[j] = (ranked){ (float)neighbors_dist(r->ix, p, o), o };
        }
        qsort(r->rk, MST_EXT, sizeof *r->rk, ranked_cmp);
        for (size_t j = 0; j < MST_EXT; j++) {
            l->ind[j] = r->rk[j].id;
            l->dist[j] = (float)r->rk[j].d;
        }
        l->len = MST_EXT;
        l->bound = l->dist[MST_EXT - 1];
        r->start[p] = 0;
    }
done:
    free(hd);
    free(hi);
    free(hlen);
    return rc;
}

/* The approximate path: each query asks the FAISS index for its next level of
 * nearest rows; those outside its component become its list (up to MST_EXT),
 * bounded by the farthest row returned, and the lightest gives the edge. */
#define APPROX_CHUNK_ENTRIES (1u << 22) /* rows x k per call: 32 MB of results */

static int approx_search(mst_run *r, const uint32_t *queries, size_t nq, err *e)
{
    const unsigned top = approx_top_level();
    uint32_t *rows = malloc(nq * sizeof *rows);
    uint32_t *ind = NULL;
    float *dist = NULL;
    int rc = 0;
    if (!rows)
        return err_set(e, ERR_NOMEM, "MST: out of memory for %zu searched points", nq);
    for (unsigned level = 1; level <= top && rc == 0; level++) {
        size_t m = 0, k = approx_k(level);
        for (size_t i = 0; i < nq; i++)
            if (r->qk_level[queries[i]] + 1u == level)
                rows[m++] = queries[i];
        if (m == 0)
            continue;
        size_t chunk = APPROX_CHUNK_ENTRIES / k;
        if (chunk > m)
            chunk = m;
        free(ind);
        free(dist);
        ind = malloc(chunk * k * sizeof *ind);
        dist = malloc(chunk * k * sizeof *dist);
        if (!ind || !dist) {
            rc = err_set(e, ERR_NOMEM, "MST: out of memory for %zu x %zu neighbours", chunk, k);
            break;
        }
        for (size_t c0 = 0; c0 < m && rc == 0; c0 += chunk) {
            size_t cm = m - c0 < chunk ? m - c0 : chunk;
            rc = neighbors_knn_rows(r->ix, rows + c0, cm, k, ind, dist, e);
            for (size_t i = 0; i < cm && rc == 0; i++) {
                uint32_t p = rows[c0 + i];
                ext_list *l = ext_of(r, p);
                if (!l) {
                    rc = err_set(e, ERR_NOMEM, "MST: out of memory for neighbour lists");
                    break;
                }
                r->qk_level[p] = (unsigned char)level;
                l->len = 0;
                l->bound = 0;
                for (size_t j = 0; j < k; j++) {
                    uint32_t q = ind[i * k + j];
                    if (q == UINT32_MAX)
                        break;
                    l->bound = dist[i * k + j];
                    if (r->comp[q] == r->comp[p] || l->len == MST_EXT)
                        continue;
                    l->ind[l->len] = q;
                    l->dist[l->len++] = dist[i * k + j];
                    double w = mrd(r->core, p, q, dist[i * k + j]);
                    if (edge_better(w, p, q, &r->best[r->comp[p]]))
                        r->best[r->comp[p]] = (mst_edge){ p, q, w };
                }
                r->start[p] = 0;
            }
        }
    }
    free(rows);
    free(ind);
    free(dist);
    return rc;
}

/* Components marked `mark` in chosen that still have no outgoing edge
 * (approximate path: every list and search stayed inside them) get an exact
 * scan of MST_SAMPLE of their points each. */
static int approx_fallback(mst_run *r, const unsigned char *chosen, unsigned char mark, size_t *searched, err *e)
{
    const size_t n = r->n;
    uint32_t *size = calloc(n, sizeof *size), *seen = calloc(n, sizeof *seen), *sample = NULL;
    size_t ns = 0;
    int rc = 0;
    if (!size || !seen) {
        rc = err_set(e, ERR_NOMEM, "MST: out of memory");
        goto done;
    }
    for (size_t p = 0; p < n; p++)
        if (chosen[r->comp[p]] == mark && r->best[r->comp[p]].w == INFINITY)
            size[r->comp[p]]++;
    for (size_t c = 0; c < n; c++)
        ns += size[c] < MST_SAMPLE ? size[c] : MST_SAMPLE;
    if (ns == 0)
        goto done;
    if (!(sample = malloc(ns * sizeof *sample))) {
        rc = err_set(e, ERR_NOMEM, "MST: out of memory");
        goto done;
    }
    ns = 0;
    for (size_t p = 0; p < n; p++) {
        uint32_t c = r->comp[p];
        if (!size[c])
            continue;
        uint32_t step = size[c] > MST_SAMPLE ? size[c] / MST_SAMPLE : 1, i = seen[c]++;
        if (i % step == 0 && i / step < MST_SAMPLE)
            sample[ns++] = (uint32_t)p;
    }
    *searched += ns;
    rc = exact_search(r, sample, ns, e);
done:
    free(size);
    free(seen);
    free(sample);
    return rc;
}

int mst_mutual_reachability(const nb_index *ix, const double *core, const uint32_t *knn_ind, const float *knn_dist,
                            size_t k, mst_edge *out, mst_stats *stats, err *e)
{
    const size_t n = neighbors_count(ix);
    mst_stats st = { 0, 0, 0 };
    if (n < 2) {
        if (stats)
            *stats = st;
        return 0;
    }
    if (k == 0)
        return err_set(e, ERR_INVALID, "MST: needs kNN lists with k >= 1");
    const int approx = neighbors_approximate(ix);
    const unsigned top = approx_top_level();
    unionfind uf = { 0 };
    mst_run r = { .ix = ix, .core = core, .n = n };
    r.comp = malloc(n * sizeof *r.comp);
    r.start = calloc(n, sizeof *r.start);
    r.best = malloc(n * sizeof *r.best);
    r.ext = calloc(n, sizeof *r.ext);
    r.slot = malloc(n * sizeof *r.slot);
    r.br = malloc(n * sizeof *r.br);
    r.bw = malloc(n * sizeof *r.bw);
    r.rk = malloc(MST_EXT * sizeof *r.rk);
    r.qk_level = approx ? calloc(n, 1) : NULL;
    mst_edge *cand = malloc(n * sizeof *cand);
    double *plb = malloc(n * sizeof *plb);
    uint32_t *need = calloc(n, sizeof *need), *queries = malloc(n * sizeof *queries);
    unsigned char *chosen = calloc(n, 1);
    comp_need *needs = malloc(n * sizeof *needs);
    int rc = 0;
    if (unionfind_init(&uf, n) || !r.comp || !r.start || !r.best || !r.ext || !r.slot || !r.br || !r.bw || !r.rk ||
        (approx && !r.qk_level) || !cand || !plb || !need || !queries || !chosen || !needs) {
        rc = err_set(e, ERR_NOMEM, "MST: out of memory for %zu descriptors", n);
        goto done;
    }
    uint32_t *comp = r.comp, *start = r.start;
    mst_edge *best = r.best;
    ext_list **ext = r.ext;
    size_t edges = 0;
    while (edges < n - 1) {
        st.rounds++;
        for (size_t i = 0; i < n; i++) {
            comp[i] = unionfind_find(&uf, (uint32_t)i);
            best[i] = (mst_edge){ UINT32_MAX, UINT32_MAX, INFINITY };
            need[i] = 0;
            chosen[i] = 0;
        }
        /* 1. What each point's kNN list proves about its lightest outgoing edge. */
        for (size_t p = 0; p < n; p++) {
            const uint32_t *li = ext[p] ? ext[p]->ind : knn_ind + p * k;
            const float *ld = ext[p] ? ext[p]->dist : knn_dist + p * k;
            size_t len = ext[p] ? ext[p]->len : k;
            double cp = core ? core[p] : 0;
            mst_edge bp = { UINT32_MAX, UINT32_MAX, INFINITY };
            int certain = 0;
            for (size_t j = start[p]; j < len; j++) {
                uint32_t q = li[j];
                if (comp[q] == comp[p]) {
                    if (j == start[p])
                        start[p]++; /* inside for good: components only grow */
                    continue;
                }
                double lower = ld[j] > cp ? ld[j] : cp;
                if (lower > bp.w) {
                    certain = 1;
                    break;
                }
                double w = mrd(core, (uint32_t)p, q, ld[j]);
                if (edge_better(w, (uint32_t)p, q, &bp))
                    bp = (mst_edge){ (uint32_t)p, q, w };
            }
            /* Rows beyond the list are at least as far as its last entry. */
            double last = ext[p] ? ext[p]->bound : ld[len - 1];
            double lb = last > cp ? last : cp;
            plb[p] = (certain || bp.w <= lb) ? INFINITY : lb;
            /* approximate path: a point whose deepest search saw only its own
             * component is not searched again */
            if (approx && r.qk_level[p] >= top)
                plb[p] = INFINITY;
            uint32_t c = comp[p];
            if (bp.w < INFINITY && edge_better(bp.w, bp.a, bp.b, &best[c]))
                best[c] = bp;
        }
        /* 2. Points that could still hide a lighter edge than their component's best. */
        for (size_t p = 0; p < n; p++)
            if (plb[p] < best[comp[p]].w)
                need[comp[p]]++;
        size_t nneeds = 0, resolved = 0;
        for (size_t c = 0; c < n; c++) {
            if (comp[c] != c)
                continue;
            if (need[c] == 0) {
                chosen[c] = 1;
                resolved++;
            } else {
                needs[nneeds++] = (comp_need){ (uint32_t)c, need[c] };
            }
        }
        /* 3. Search the cheapest uncertain components, within a budget per round;
         *    the others are joined by their neighbours' edges or wait a round. */
        qsort(needs, nneeds, sizeof *needs, need_cmp);
        size_t budget = n / 4, spent = 0;
        for (size_t i = 0; i < nneeds; i++) {
            if (spent + needs[i].need > budget && (spent > 0 || resolved > 0))
                break;
            chosen[needs[i].comp] = 2;
            spent += needs[i].need;
        }
        size_t nq = 0;
        for (size_t p = 0; p < n; p++)
            if (chosen[comp[p]] == 2 && plb[p] < best[comp[p]].w)
                queries[nq++] = (uint32_t)p;
        if (nq) {
            st.searched_points += nq;
            rc = approx ? approx_search(&r, queries, nq, e) : exact_search(&r, queries, nq, e);
            if (rc)
                goto done;
        }
        /* Approximate path: a component with no point left to search and no
         * edge found is blind; it gets the sample scan. One whose searches
         * found nothing yet searches deeper next round, unless no component
         * at all has an edge this round. */
        if (approx && (rc = approx_fallback(&r, chosen, 1, &st.fallback_points, e)))
            goto done;
        /* 4. Add the lightest outgoing edges of the settled components. */
        size_t nc = 0;
        for (size_t c = 0; c < n; c++)
            if (comp[c] == c && chosen[c] && best[c].w < INFINITY)
                cand[nc++] = best[c];
        if (approx && nc == 0) {
            if ((rc = approx_fallback(&r, chosen, 2, &st.fallback_points, e)))
                goto done;
            for (size_t c = 0; c < n; c++)
                if (comp[c] == c && chosen[c] && best[c].w < INFINITY)
                    cand[nc++] = best[c];
        }
        if (nc == 0) {
            rc = err_set(e, ERR_INTERNAL, "MST: no component could be joined in round %zu", st.rounds);
            goto done;
        }
        mst_sort(cand, nc);
        for (size_t i = 0; i < nc; i++)
            if (unionfind_union(&uf, cand[i].a, cand[i].b))
                out[edges++] = cand[i];
    }
    mst_sort(out, n - 1);
done:
    if (stats)
        *stats = st;
    unionfind_free(&uf);
    free(r.comp);
    free(r.start);
    free(r.best);
    if (r.ext)
        for (size_t i = 0; i < n; i++)
            free(r.ext[i]);
    free(r.ext);
    free(r.slot);
    free(r.br);
    free(r.bw);
    free(r.rk);
    free(r.qk_level);
    free(cand);
    free(plb);
    free(need);
    free(queries);
    free(chosen);
    free(needs);
    return rc;
}
