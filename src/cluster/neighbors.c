/* neighbors.c — tiled sgemm distance scan, kNN and range queries. */
#include "cluster/neighbors.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster/ann_faiss.h"

/* The FAISS index, built on first use by searches that take a const index. */
typedef struct nb_ann {
    nb_search search;
    ann_faiss_params params;
    ann_faiss *ann;
} nb_ann;

struct nb_index {
    /* Row i is aug[i*stride ..]: the descriptor (normalised under cosine), then
     * ||x||^2 and 1, so one sgemm against queries laid out as [-2q, 1, ||q||^2]
     * yields ||q||^2 + ||x||^2 - 2qx directly, with no pass over the tile. */
    float *aug;
    size_t n, dim, stride;
    nb_metric metric;
    int threads;
    nb_ann *ann;
};

nb_index *neighbors_new(const float *x, size_t n, size_t dim, nb_metric metric, int threads, err *e)
{
    if (!x || n == 0 || dim == 0) {
        err_set(e, ERR_INVALID, "neighbour index: need at least one row of at least one value (got %zu x %zu)", n, dim);
        return NULL;
    }
    if (n > UINT32_MAX - 1) {
        err_set(e, ERR_LIMIT, "neighbour index: %zu rows is more than the 32-bit row ids allow", n);
        return NULL;
    }
    for (size_t i = 0; i < n * dim; i++) {
        if (!isfinite(x[i])) {
            err_set(e, ERR_INVALID, "descriptor %zu: value %zu is not a finite number", i / dim, i % dim);
            return NULL;
        }
    }
    nb_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        goto nomem;
    ix->n = n;
    ix->dim = dim;
    ix->stride = dim + 2;
    ix->metric = metric;
    ix->threads = threads < 1 ? 1 : threads;
    ix->aug = malloc(n * ix->stride * sizeof *ix->aug);
    ix->ann = calloc(1, sizeof *ix->ann);
    if (!ix->aug || !ix->ann)
        goto nomem;
    ann_faiss_params_default(&ix->ann->params);
    for (size_t i = 0; i < n; i++) {
        const float *src = x + i * dim;
        float *dst = ix->aug + i * ix->stride;
        double s = 0;
        for (size_t j = 0; j < dim; j++)
            s += (double)src[j] * src[j];
        double scale = 1;
        if (metric == NB_COSINE) {
            if (s <= 0) {
                err_set(e, ERR_INVALID, "descriptor %zu: all zero, it has no direction for cosine distance", i);
                neighbors_free(ix);
                return NULL;
            }
            scale = 1.0 / sqrt(s);
        }
        double s2 = 0;
        for (size_t j = 0; j < dim; j++) {
            dst[j] = (float)(src[j] * scale);
            s2 += (double)dst[j] * dst[j];
        }
        dst[dim] = (float)s2;
        dst[dim + 1] = 1.0f;
    }
    return ix;
nomem:
    neighbors_free(ix);
    err_set(e, ERR_NOMEM, "neighbour index: out of memory for %zu descriptors", n);
    return NULL;
}

void neighbors_free(nb_index *ix)
{
    if (!ix)
        return;
    if (ix->ann)
        ann_faiss_free(ix->ann->ann);
    free(ix->ann);
    free(ix->aug);
    free(ix);
}

size_t neighbors_count(const nb_index *ix)
{
    return ix->n;
}
size_t neighbors_dim(const nb_index *ix)
{
    return ix->dim;
}
nb_metric neighbors_metric(const nb_index *ix)
{
    return ix->metric;
}
int neighbors_threads(const nb_index *ix)
{
    return ix->threads;
}
const float *neighbors_row(const nb_index *ix, size_t i)
{
    return ix->aug + i * ix->stride;
}

double neighbors_dist(const nb_index *ix, size_t i, size_t j)
{
    const float *a = neighbors_row(ix, i), *b = neighbors_row(ix, j);
    double s = 0;
    for (size_t k = 0; k < ix->dim; k++) {
        double d = (double)a[k] - b[k];
        s += d * d;
    }
    return neighbors_dist_from_d2(ix, s);
}

double neighbors_dist_from_d2(const nb_index *ix, double d2)
{
    if (d2 < 0)
        d2 = 0;
    return ix->metric == NB_COSINE ? d2 / 2 : sqrt(d2);
}

double neighbors_d2_from_dist(const nb_index *ix, double dist)
{
    if (dist < 0)
        return -1;
    return ix->metric == NB_COSINE ? 2 * dist : dist * dist;
}

/* ---- the scan ------------------------------------------------------------ */

typedef struct scan_job {
    const nb_index *ix;
    const nb_index *qix;     /* where the query rows live: ix, or outside descriptors */
    const uint32_t *queries; /* NULL: all */
    size_t nq;
    nb_row_fn fn;
    void *ctx;
    atomic_size_t next_block;
} scan_job;

typedef struct scan_worker {
    scan_job *job;
    int thread;
    int failed;
} scan_worker;

static void *scan_thread(void *arg)
{
    scan_worker *w = arg;
    scan_job *job = w->job;
    const nb_index *ix = job->ix;
    const size_t dim = ix->dim, st = ix->stride, n = ix->n;
    float *qbuf = malloc((size_t)NEIGHBORS_TILE_Q * st * sizeof *qbuf);
    float *tile = malloc((size_t)NEIGHBORS_TILE_Q * NEIGHBORS_TILE_R * sizeof *tile);
    uint32_t qidx[NEIGHBORS_TILE_Q];
    if (!qbuf || !tile) {
        free(qbuf);
        free(tile);
        w->failed = 1;
        return NULL;
    }
    for (;;) {
        size_t b = atomic_fetch_add(&job->next_block, 1);
        size_t q0 = b * NEIGHBORS_TILE_Q;
        if (q0 >= job->nq)
            break;
        size_t bq = job->nq - q0 < NEIGHBORS_TILE_Q ? job->nq - q0 : NEIGHBORS_TILE_Q;
        for (size_t i = 0; i < bq; i++) {
            qidx[i] = job->queries ? job->queries[q0 + i] : (uint32_t)(q0 + i);
            const float *src = job->qix->aug + (size_t)qidx[i] * st;
            float *dst = qbuf + i * st;
            for (size_t j = 0; j < dim; j++)
                dst[j] = -2.0f * src[j];
            dst[dim] = 1.0f;
            dst[dim + 1] = src[dim];
        }
        for (size_t r0 = 0; r0 < n; r0 += NEIGHBORS_TILE_R) {
            size_t br = n - r0 < NEIGHBORS_TILE_R ? n - r0 : NEIGHBORS_TILE_R;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bq, (int)br, (int)st, 1.0f, qbuf, (int)st,
                        ix->aug + r0 * st, (int)st, 0.0f, tile, (int)br);
            for (size_t i = 0; i < bq; i++)
                job->fn(job->ctx, w->thread, qidx[i], tile + i * br, (uint32_t)r0, (uint32_t)(r0 + br));
        }
    }
    free(qbuf);
    free(tile);
    return NULL;
}

static int scan_from(const nb_index *ix, const nb_index *qix, const uint32_t *queries, size_t nq, nb_row_fn fn,
                     void *ctx, err *e);

int neighbors_scan(const nb_index *ix, const uint32_t *queries, size_t nq, nb_row_fn fn, void *ctx, err *e)
{
    return scan_from(ix, ix, queries, nq, fn, ctx, e);
}

static int scan_from(const nb_index *ix, const nb_index *qix, const uint32_t *queries, size_t nq, nb_row_fn fn,
                     void *ctx, err *e)
{
    scan_job job = { .ix = ix, .qix = qix, .queries = queries, .nq = queries ? nq : qix->n, .fn = fn, .ctx = ctx };
    atomic_init(&job.next_block, 0);
    if (job.nq == 0)
        return 0;
    /* Our threads split the work; OpenBLAS must not spawn its own inside each call. */
    openblas_set_num_threads(1);
    int nt = ix->threads;
    size_t blocks = (job.nq + NEIGHBORS_TILE_Q - 1) / NEIGHBORS_TILE_Q;
    if ((size_t)nt > blocks)
        nt = (int)blocks;
    scan_worker *ws = calloc((size_t)nt, sizeof *ws);
    pthread_t *tids = calloc((size_t)nt, sizeof *tids);
    if (!ws || !tids) {
        free(ws);
        free(tids);
        return err_set(e, ERR_NOMEM, "neighbour scan: out of memory");
    }
    int started = 0, rc = 0;
    for (int t = 0; t < nt; t++) {
        ws[t].job = &job;
        ws[t].thread = t;
        if (t == 0)
            continue; /* the caller's thread is worker 0 */
        if (pthread_create(&tids[t], NULL, scan_thread, &ws[t]) != 0) {
            rc = err_set(e, ERR_INTERNAL, "neighbour scan: could not start thread %d", t);
            break;
        }
        started = t;
    }
    scan_thread(&ws[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tids[t], NULL);
    for (int t = 0; t < nt && rc == 0; t++)
        if (ws[t].failed)
            rc = err_set(e, ERR_NOMEM, "neighbour scan: out of memory for a distance tile");
    free(ws);
    free(tids);
    return rc;
}

/* Runs fn(arg) on up to `threads` threads (the caller's included) and waits.
 * The workers share a queue, so a thread that fails to start only costs speed. */
static void run_threads(int threads, void *(*fn)(void *), void *arg)
{
    pthread_t tids[64];
    int nt = threads < 1 ? 1 : threads > 64 ? 64 : threads, started = 1;
    while (started < nt && pthread_create(&tids[started], NULL, fn, arg) == 0)
        started++;
    openblas_set_num_threads(1);
    fn(arg);
    for (int t = 1; t < started; t++)
        pthread_join(tids[t], NULL);
}

/* ---- k nearest neighbours ------------------------------------------------ */

/* A candidate list per query, kept as a max-heap of size kc on the tile's float
 * values; re-ranked exactly afterwards. kc > k gives the re-ranking room for
 * float near-ties at the k-th place. */
typedef struct knn_ctx {
    size_t kc;
    float *hd;     /* [n*kc] heap keys (d2) */
    uint32_t *hi;  /* [n*kc] heap row ids */
    uint32_t *len; /* [n] entries in each heap */
    /* symmetric scan: a row's heap is fed by its own block and by the column
     * pass of earlier blocks, so each heap has a spin lock and a published
     * worst key (a stale value only costs a wasted lock) */
    atomic_flag *lock;
    _Atomic float *worst;
    const nb_index *ix;
    atomic_size_t next_block;
    int failed;
} knn_ctx;

static void heap_sift_down(float *hd, uint32_t *hi, size_t len, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < len && hd[l] > hd[m])
            m = l;
        if (l + 1 < len && hd[l + 1] > hd[m])
            m = l + 1;
        if (m == i)
            return;
        float td = hd[i];
        hd[i] = hd[m];
        hd[m] = td;
        uint32_t ti = hi[i];
        hi[i] = hi[m];
        hi[m] = ti;
        i = m;
    }
}

static void heap_push(float *hd, uint32_t *hi, uint32_t *len, size_t cap, float d, uint32_t id)
{
    if (*len < cap) {
        size_t i = (*len)++;
        hd[i] = d;
        hi[i] = id;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (hd[p] >= hd[i])
                break;
            float td = hd[i];
            hd[i] = hd[p];
            hd[p] = td;
            uint32_t ti = hi[i];
            hi[i] = hi[p];
            hi[p] = ti;
            i = p;
        }
    } else if (d < hd[0]) {
        hd[0] = d;
        hi[0] = id;
        heap_sift_down(hd, hi, cap, 0);
    }
}

static void knn_offer(knn_ctx *c, uint32_t row, float v, uint32_t id, float *thr)
{
    while (atomic_flag_test_and_set_explicit(&c->lock[row], memory_order_acquire)) {
    }
    float *hd = c->hd + (size_t)row * c->kc;
    uint32_t *hi = c->hi + (size_t)row * c->kc;
    heap_push(hd, hi, &c->len[row], c->kc, v, id);
    float w = c->len[row] < c->kc ? INFINITY : hd[0];
    atomic_store_explicit(&c->worst[row], w, memory_order_relaxed);
    atomic_flag_clear_explicit(&c->lock[row], memory_order_release);
    *thr = w;
}

/* Each pair is computed once: block b's rows against rows from its own start
 * on; the tile feeds the rows' heaps and, for columns past the block, the
 * columns' heaps. Half the sgemm work of neighbors_scan. */
static void *knn_sym_thread(void *arg)
{
    knn_ctx *c = arg;
    const nb_index *ix = c->ix;
    const size_t dim = ix->dim, st = ix->stride, n = ix->n;
    float *qbuf = malloc((size_t)NEIGHBORS_TILE_Q * st * sizeof *qbuf);
    float *tile = malloc((size_t)NEIGHBORS_TILE_Q * NEIGHBORS_TILE_R * sizeof *tile);
    float *thr = malloc((size_t)NEIGHBORS_TILE_R * sizeof *thr);
    if (!qbuf || !tile || !thr) {
        c->failed = 1;
        free(qbuf);
        free(tile);
        free(thr);
        return NULL;
    }
    for (;;) {
        size_t q0 = atomic_fetch_add(&c->next_block, 1) * NEIGHBORS_TILE_Q;
        if (q0 >= n)
            break;
        size_t bq = n - q0 < NEIGHBORS_TILE_Q ? n - q0 : NEIGHBORS_TILE_Q;
        for (size_t i = 0; i < bq; i++) {
            const float *src = ix->aug + (q0 + i) * st;
            float *dst = qbuf + i * st;
            for (size_t j = 0; j < dim; j++)
                dst[j] = -2.0f * src[j];
            dst[dim] = 1.0f;
            dst[dim + 1] = src[dim];
        }
        for (size_t r0 = q0; r0 < n; r0 += NEIGHBORS_TILE_R) {
            size_t br = n - r0 < NEIGHBORS_TILE_R ? n - r0 : NEIGHBORS_TILE_R;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bq, (int)br, (int)st, 1.0f, qbuf, (int)st,
                        ix->aug + r0 * st, (int)st, 0.0f, tile, (int)br);
            for (size_t j = 0; j < br; j++)
                thr[j] = atomic_load_explicit(&c->worst[r0 + j], memory_order_relaxed);
            size_t col_from = q0 + bq > r0 ? q0 + bq - r0 : 0; /* columns outside the block */
            for (size_t i = 0; i < bq; i++) {
                uint32_t q = (uint32_t)(q0 + i);
                const float *row = tile + i * br;
                float wq = atomic_load_explicit(&c->worst[q], memory_order_relaxed);
                for (size_t j = 0; j < br; j++) {
                    float v = row[j];
                    uint32_t r = (uint32_t)(r0 + j);
                    if (v < wq && r != q)
                        knn_offer(c, q, v, r, &wq);
                    if (j >= col_from && v < thr[j])
                        knn_offer(c, r, v, q, &thr[j]);
                }
            }
        }
    }
    free(qbuf);
    free(tile);
    free(thr);
    return NULL;
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

static int ann_knn(const nb_index *ix, size_t k, uint32_t *ind, float *dist, err *e);

int neighbors_knn(const nb_index *ix, size_t k, uint32_t *ind, float *dist, err *e)
{
    if (k == 0 || k >= ix->n)
        return err_set(e, ERR_INVALID,
                       "k-nearest neighbours: k = %zu must be in 1 .. %zu (one less than the %zu descriptors)", k,
                       ix->n - 1, ix->n);
    if (neighbors_search(ix) == NB_SEARCH_FAISS)
        return ann_knn(ix, k, ind, dist, e);
    knn_ctx c = { .kc = k + 4 < ix->n ? k + 4 : ix->n - 1 };
    c.hd = malloc(ix->n * c.kc * sizeof *c.hd);
    c.hi = malloc(ix->n * c.kc * sizeof *c.hi);
    c.len = calloc(ix->n, sizeof *c.len);
    c.lock = malloc(ix->n * sizeof *c.lock);
    c.worst = malloc(ix->n * sizeof *c.worst);
    c.ix = ix;
    atomic_init(&c.next_block, 0);
    ranked *rk = malloc(c.kc * sizeof *rk);
    int rc = 0;
    if (!c.hd || !c.hi || !c.len || !c.lock || !c.worst || !rk) {
        rc = err_set(e, ERR_NOMEM, "k-nearest neighbours: out of memory for %zu x %zu candidates", ix->n, c.kc);
        goto done;
    }
    for (size_t i = 0; i < ix->n; i++) {
        atomic_flag_clear(&c.lock[i]);
        atomic_init(&c.worst[i], INFINITY);
    }
    run_threads(ix->threads, knn_sym_thread, &c);
    if (c.failed)
        rc = err_set(e, ERR_NOMEM, "k-nearest neighbours: out of memory for a distance tile");
    if (rc)
        goto done;
    for (size_t q = 0; q < ix->n; q++) {
        size_t m = c.len[q];
        for (size_t j = 0; j < m; j++) {
            uint32_t r = c.hi[q * c.kc + j];
            rk[j] = (ranked){ neighbors_dist(ix, q, r), r };
        }
        qsort(rk, m, sizeof *rk, ranked_cmp);
        for (size_t j = 0; j < k; j++) {
            ind[q * k + j] = rk[j].id;
            dist[q * k + j] = (float)rk[j].d;
        }
    }
done:
    free(c.hd);
    free(c.hi);
    free(c.len);
    free((void *)c.lock);
    free((void *)c.worst);
    free(rk);
    return rc;
}

/* Candidate heaps for outside queries: each query's heap is only touched by
 * the thread scanning that query, so no locks. */
typedef struct query_ctx {
    size_t kc;
    float *hd;
    uint32_t *hi;
    uint32_t *len;
} query_ctx;

static void query_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    (void)thread;
    query_ctx *c = vctx;
    float *hd = c->hd + (size_t)q * c->kc;
    uint32_t *hi = c->hi + (size_t)q * c->kc;
    float worst = c->len[q] < c->kc ? INFINITY : hd[0];
    for (uint32_t r = r0; r < r1; r++) {
        if (d2[r - r0] < worst) {
            heap_push(hd, hi, &c->len[q], c->kc, d2[r - r0], r);
            worst = c->len[q] < c->kc ? INFINITY : hd[0];
        }
    }
}

static int ann_query(const nb_index *ix, const nb_index *qix, size_t k, uint32_t *ind, float *dist, err *e);

/* The exact k nearest rows of ix for every row of qix (outside descriptors,
 * already normalised like ix's rows). */
static int exact_query(const nb_index *ix, const nb_index *qix, size_t k, uint32_t *ind, float *dist, err *e)
{
    const size_t m = qix->n;
    query_ctx c = { .kc = k + 4 < ix->n ? k + 4 : ix->n };
    c.hd = malloc(m * c.kc * sizeof *c.hd);
    c.hi = malloc(m * c.kc * sizeof *c.hi);
    c.len = calloc(m, sizeof *c.len);
    ranked *rk = malloc(c.kc * sizeof *rk);
    int rc = 0;
    if (!c.hd || !c.hi || !c.len || !rk) {
        rc = err_set(e, ERR_NOMEM, "nearest faces: out of memory for %zu queries", m);
        goto done;
    }
    rc = scan_from(ix, qix, NULL, 0, query_row, &c, e);
    if (rc)
        goto done;
    for (size_t i = 0; i < m; i++) {
        const float *a = neighbors_row(qix, i);
        for (size_t j = 0; j < c.len[i]; j++) {
            const float *b = neighbors_row(ix, c.hi[i * c.kc + j]);
            double s2 = 0;
            for (size_t t = 0; t < ix->dim; t++) {
                double d = (double)a[t] - b[t];
                s2 += d * d;
            }
            rk[j] = (ranked){ neighbors_dist_from_d2(ix, s2), c.hi[i * c.kc + j] };
        }
        qsort(rk, c.len[i], sizeof *rk, ranked_cmp);
        for (size_t j = 0; j < k; j++) {
            ind[i * k + j] = rk[j].id;
            dist[i * k + j] = (float)rk[j].d;
        }
    }
done:
    free(c.hd);
    free(c.hi);
    free(c.len);
    free(rk);
    return rc;
}

int neighbors_knn_query(const nb_index *ix, const float *q, size_t m, size_t k, uint32_t *ind, float *dist, err *e)
{
    if (k == 0 || k > ix->n)
        return err_set(e, ERR_INVALID, "nearest faces: k = %zu must be in 1 .. %zu (the indexed faces)", k, ix->n);
    if (m == 0)
        return 0;
    nb_index *qix = neighbors_new(q, m, ix->dim, ix->metric, ix->threads, e);
    if (!qix)
        return err_prefix(e, "new faces");
    if (ix->ann->ann) {
        int arc = ann_query(ix, qix, k, ind, dist, e);
        neighbors_free(qix);
        return arc;
    }
    int rc = exact_query(ix, qix, k, ind, dist, e);
    neighbors_free(qix);
    return rc;
}

/* ---- range queries ------------------------------------------------------- */

typedef struct range_ctx {
    const nb_index *ix;
    float lim; /* d2 limit, widened by the float error so no pair is lost */
    double eps;
    uint32_t *count;
    nb_pair_fn fn;
    void *fctx;
} range_ctx;

static void range_count_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    (void)thread;
    range_ctx *c = vctx;
    uint32_t cnt = 0;
    for (uint32_t r = r0; r < r1; r++) {
        float v = d2[r - r0];
        if (v <= c->lim && (r == q || neighbors_dist(c->ix, q, r) <= c->eps))
            cnt++;
    }
    c->count[q] += cnt;
}

static void range_visit_row(void *vctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    range_ctx *c = vctx;
    for (uint32_t r = r0; r < r1; r++) {
        float v = d2[r - r0];
        if (v <= c->lim && r != q) {
            double d = neighbors_dist(c->ix, q, r);
            if (d <= c->eps)
                c->fn(c->fctx, thread, q, r, d);
        }
    }
}

static float range_limit(const nb_index *ix, double eps)
{
    /* The tile's float values may be off by a few ulps of the norms; pairs inside
     * that margin are settled by the exact distance. */
    double d2 = neighbors_d2_from_dist(ix, eps);
    return (float)(d2 + 1e-5 * (1.0 + d2));
}

int neighbors_range_count(const nb_index *ix, double eps, uint32_t *count, err *e)
{
    if (!(eps >= 0))
        return err_set(e, ERR_INVALID, "range query: eps %g must be >= 0", eps);
    range_ctx c = { .ix = ix, .lim = range_limit(ix, eps), .eps = eps, .count = count };
    memset(count, 0, ix->n * sizeof *count);
    return neighbors_scan(ix, NULL, 0, range_count_row, &c, e);
}

int neighbors_range_visit(const nb_index *ix, const uint32_t *queries, size_t nq, double eps, nb_pair_fn fn, void *ctx,
                          err *e)
{
    if (!(eps >= 0))
        return err_set(e, ERR_INVALID, "range query: eps %g must be >= 0", eps);
    range_ctx c = { .ix = ix, .lim = range_limit(ix, eps), .eps = eps, .fn = fn, .fctx = ctx };
    return neighbors_scan(ix, queries, nq, range_visit_row, &c, e);
}

/* ---- the approximate path (FAISS) ---------------------------------------- */

void neighbors_set_search(nb_index *ix, nb_search s)
{
    ix->ann->search = s;
}

nb_search neighbors_search(const nb_index *ix)
{
    switch (ix->ann->search) {
    case NB_SEARCH_EXACT:
        return NB_SEARCH_EXACT;
    case NB_SEARCH_FAISS:
        return NB_SEARCH_FAISS;
    case NB_SEARCH_AUTO:
        break;
    }
    return ix->n > NEIGHBORS_AUTO_FAISS_ABOVE ? NB_SEARCH_FAISS : NB_SEARCH_EXACT;
}

int neighbors_approximate(const nb_index *ix)
{
    return ix->ann->ann != NULL;
}

const char *neighbors_search_name(nb_search s)
{
    switch (s) {
    case NB_SEARCH_AUTO:
        return "auto";
    case NB_SEARCH_EXACT:
        return "exact";
    case NB_SEARCH_FAISS:
        return "faiss";
    }
    return "?";
}

int neighbors_search_parse(const char *name)
{
    if (!strcmp(name, "auto"))
        return NB_SEARCH_AUTO;
    if (!strcmp(name, "exact"))
        return NB_SEARCH_EXACT;
    if (!strcmp(name, "faiss"))
        return NB_SEARCH_FAISS;
    return -1;
}

void neighbors_set_ann_params(nb_index *ix, const struct ann_faiss_params *p)
{
    if (p)
        ix->ann->params = *p;
    else
        ann_faiss_params_default(&ix->ann->params);
}

void neighbors_describe(const nb_index *ix, char *out, size_t out_size)
{
    if (!ix->ann->ann) {
        snprintf(out, out_size, "exact (OpenBLAS sgemm)");
        return;
    }
    char d[128];
    ann_faiss_describe(ix->ann->ann, d, sizeof d);
    snprintf(out, out_size, "%s (%.0f MB)", d, ann_faiss_bytes(ix->ann->ann) / 1048576.0);
}

static int ann_build(const nb_index *ix, err *e)
{
    if (ix->ann->ann)
        return 0;
    char msg[256] = "";
    ix->ann->ann = ann_faiss_new(ix->aug, ix->n, ix->dim, ix->stride, &ix->ann->params, ix->threads, msg, sizeof msg);
    if (!ix->ann->ann)
        return err_set(e, strstr(msg, "out of memory") ? ERR_NOMEM : ERR_INTERNAL, "%zu descriptors: %s", ix->n, msg);
    return 0;
}

/* FAISS's candidates re-ranked exactly: for query i (row qrows[i] of qix, or
 * row q0 + i when qrows is NULL) the kc candidates cind[i*kc..] become its k
 * nearest in double distance, skipping the query's own row when qix == ix.
 * Rows with fewer than k candidates get UINT32_MAX / INFINITY at the end. */
typedef struct rerank_job {
    const nb_index *ix, *qix;
    const uint32_t *qrows;
    size_t q0, m, k, kc;
    const uint32_t *cind;
    uint32_t *ind;
    float *dist;
    atomic_size_t next, short_rows;
} rerank_job;

#define RERANK_CHUNK 256
/* The most candidates one query re-ranks (the MST's deepest search is 256). */
#define NEIGHBORS_RERANK_MAX 1024

static void *rerank_thread(void *arg)
{
    rerank_job *j = arg;
    ranked rk[NEIGHBORS_RERANK_MAX];
    for (;;) {
        size_t i0 = atomic_fetch_add(&j->next, RERANK_CHUNK);
        if (i0 >= j->m)
            break;
        size_t i1 = i0 + RERANK_CHUNK < j->m ? i0 + RERANK_CHUNK : j->m, shorts = 0;
        for (size_t i = i0; i < i1; i++) {
            uint32_t self = j->qrows ? j->qrows[i] : (uint32_t)(j->q0 + i);
            const float *a = neighbors_row(j->qix, self);
            size_t len = 0;
            for (size_t c = 0; c < j->kc; c++) {
                uint32_t r = j->cind[i * j->kc + c];
                if (r == UINT32_MAX || (j->qix == j->ix && r == self))
                    continue;
                const float *b = neighbors_row(j->ix, r);
                double s2 = 0;
                for (size_t t = 0; t < j->ix->dim; t++) {
                    double d = (double)a[t] - b[t];
                    s2 += d * d;
                }
                rk[len++] = (ranked){ neighbors_dist_from_d2(j->ix, s2), r };
            }
            qsort(rk, len, sizeof *rk, ranked_cmp);
            if (len < j->k)
                shorts++;
            for (size_t c = 0; c < j->k; c++) {
                j->ind[i * j->k + c] = c < len ? rk[c].id : UINT32_MAX;
                j->dist[i * j->k + c] = c < len ? (float)rk[c].d : INFINITY;
            }
        }
        atomic_fetch_add(&j->short_rows, shorts);
    }
    return NULL;
}

/* Queries per FAISS call: bounds the candidate buffers (QUERY_CHUNK * kc). */
#define ANN_QUERY_CHUNK 32768

/* The k nearest rows of ix for the m queries (see rerank_job), from FAISS's
 * kc = k + 4 (+1 for the query's own row) candidates. *short_rows: how many
 * queries got fewer than k. */
static int ann_candidates(const nb_index *ix, const nb_index *qix, const uint32_t *qrows, size_t m, size_t k,
                          uint32_t *ind, float *dist, size_t *short_rows, err *e)
{
    int rc = ann_build(ix, e);
    if (rc)
        return rc;
    size_t kc = k + 4 + (qix == ix);
    if (kc > ix->n)
        kc = ix->n;
    if (kc > NEIGHBORS_RERANK_MAX)
        kc = NEIGHBORS_RERANK_MAX;
    size_t chunk = m < ANN_QUERY_CHUNK ? m : ANN_QUERY_CHUNK;
    uint32_t *cind = malloc(chunk * kc * sizeof *cind);
    float *cd2 = malloc(chunk * kc * sizeof *cd2);
    float *gather = qrows ? malloc(chunk * ix->dim * sizeof *gather) : NULL;
    if (!cind || !cd2 || (qrows && !gather)) {
        rc = err_set(e, ERR_NOMEM, "approximate neighbours: out of memory for %zu x %zu candidates", chunk, kc);
        goto done;
    }
    *short_rows = 0;
    for (size_t i0 = 0; i0 < m; i0 += chunk) {
        size_t rows = m - i0 < chunk ? m - i0 : chunk, qstride = qix->stride;
        const float *q = qix->aug + i0 * qix->stride;
        if (qrows) {
            for (size_t i = 0; i < rows; i++)
                memcpy(gather + i * ix->dim, neighbors_row(qix, qrows[i0 + i]), ix->dim * sizeof *gather);
            q = gather;
            qstride = ix->dim;
        }
        char msg[256] = "";
        if (ann_faiss_search(ix->ann->ann, q, rows, qstride, kc, cind, cd2, ix->threads, msg, sizeof msg)) {
            rc = err_set(e, strstr(msg, "out of memory") ? ERR_NOMEM : ERR_INTERNAL, "%s", msg);
            goto done;
        }
        rerank_job j = { .ix = ix,
                         .qix = qix,
                         .qrows = qrows ? qrows + i0 : NULL,
                         .q0 = i0,
                         .m = rows,
                         .k = k,
                         .kc = kc,
                         .cind = cind,
                         .ind = ind + i0 * k,
                         .dist = dist + i0 * k };
        atomic_init(&j.next, 0);
        atomic_init(&j.short_rows, 0);
        run_threads(ix->threads, rerank_thread, &j);
        *short_rows += atomic_load(&j.short_rows);
    }
done:
    free(cind);
    free(cd2);
    free(gather);
    return rc;
}

/* Queries FAISS left short of k (it does not promise k results) get the exact
 * scan: rows[] of qix, k nearest of ix, skipping the row itself when qix == ix. */
static int exact_fill(const nb_index *ix, const nb_index *qix, size_t m, size_t k, uint32_t *ind, float *dist, err *e)
{
    size_t nshort = 0;
    for (size_t i = 0; i < m; i++)
        nshort += ind[i * k + k - 1] == UINT32_MAX;
    if (!nshort)
        return 0;
    const int self = qix == ix;
    float *x = malloc(nshort * ix->dim * sizeof *x);
    uint32_t *rows = malloc(nshort * sizeof *rows), *fi = malloc(nshort * (k + 1) * sizeof *fi);
    float *fd = malloc(nshort * (k + 1) * sizeof *fd);
    int rc = 0;
    nb_index *sq = NULL;
    if (!x || !rows || !fi || !fd) {
        rc = err_set(e, ERR_NOMEM, "approximate neighbours: out of memory for %zu exact queries", nshort);
        goto done;
    }
    for (size_t i = 0, r = 0; i < m; i++) {
        if (ind[i * k + k - 1] != UINT32_MAX)
            continue;
        rows[r] = (uint32_t)i;
        memcpy(x + r * ix->dim, neighbors_row(qix, i), ix->dim * sizeof *x);
        r++;
    }
    sq = neighbors_new(x, nshort, ix->dim, NB_EUCLIDEAN, ix->threads, e); /* rows already normalised */
    size_t kk = k + self <= ix->n ? k + self : ix->n;
    if (!sq || (rc = exact_query(ix, sq, kk, fi, fd, e))) {
        if (!rc)
            rc = e ? e->code : ERR_NOMEM;
        goto done;
    }
    for (size_t r = 0; r < nshort; r++) {
        size_t i = rows[r], out = 0;
        for (size_t j = 0; j < kk && out < k; j++) {
            if (self && fi[r * kk + j] == i)
                continue;
            ind[i * k + out] = fi[r * kk + j];
            dist[i * k + out] = fd[r * kk + j];
            out++;
        }
    }
done:
    neighbors_free(sq);
    free(x);
    free(rows);
    free(fi);
    free(fd);
    return rc;
}

static int ann_knn(const nb_index *ix, size_t k, uint32_t *ind, float *dist, err *e)
{
    size_t shorts = 0;
    int rc = ann_candidates(ix, ix, NULL, ix->n, k, ind, dist, &shorts, e);
    if (!rc && shorts)
        rc = exact_fill(ix, ix, ix->n, k, ind, dist, e);
    return rc ? err_prefix(e, "k-nearest neighbours") : 0;
}

static int ann_query(const nb_index *ix, const nb_index *qix, size_t k, uint32_t *ind, float *dist, err *e)
{
    size_t shorts = 0;
    int rc = ann_candidates(ix, qix, NULL, qix->n, k, ind, dist, &shorts, e);
    if (!rc && shorts)
        rc = exact_fill(ix, qix, qix->n, k, ind, dist, e);
    return rc ? err_prefix(e, "nearest faces") : 0;
}

int neighbors_knn_rows(const nb_index *ix, const uint32_t *rows, size_t nq, size_t k, uint32_t *ind, float *dist,
                       err *e)
{
    if (k == 0 || k > NEIGHBORS_RERANK_MAX - 5)
        return err_set(e, ERR_INVALID, "nearest rows: k = %zu must be in 1 .. %d", k, NEIGHBORS_RERANK_MAX - 5);
    if (nq == 0)
        return 0;
    size_t shorts = 0;
    return ann_candidates(ix, ix, rows, nq, k, ind, dist, &shorts, e);
}

const char *neighbors_blas_better_core(void)
{
    const char *core = openblas_get_corename();
    if (!core || strcasecmp(core, "prescott") != 0)
        return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}
