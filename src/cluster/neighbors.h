/* neighbors.h — exact neighbour search over face descriptors (rows of floats).
 *
 * Every clustering algorithm in people/ spends its time here, so the distances
 * come from OpenBLAS: a block of queries times a block of references is one
 * cblas_sgemm, and ||a-b||^2 = ||a||^2 + ||b||^2 - 2ab comes straight out of it
 * (each row is stored as [x, ||x||^2, 1]; each query block as [-2q, 1, ||q||^2]). Memory is one tile per thread (NEIGHBORS_TILE_Q x
 * NEIGHBORS_TILE_R floats), never an n x n matrix. The tile values are float and
 * carry ~1e-7 absolute error; everything that decides a result (kNN order, core
 * distances, MST edge weights) is recomputed exactly in double with
 * neighbors_dist().
 *
 * Metrics: Euclidean, or cosine distance (1 - cos). Cosine works on a normalised
 * copy of the rows, where 1 - cos = ||a-b||^2 / 2, so both share the same scan.
 *
 * Threads: `threads` worker threads split the queries; OpenBLAS is asked to stay
 * single-threaded inside each call (openblas_set_num_threads(1)) so the two
 * levels of threading do not fight.
 *
 * Large archives: the all-pairs kNN is O(n^2) (1M faces: ~2.6e14 FLOP, most of
 * an hour on 2 cores). Above NEIGHBORS_AUTO_FAISS_ABOVE rows, or when asked
 * (neighbors_set_search), neighbors_knn uses an approximate index from FAISS
 * (cluster/ann_faiss.h, HNSW) instead: built on first use, queried for k+4
 * candidates per row, which are re-ranked with exact double distances as on
 * the exact path; only the candidate set is approximate. Once built, the index
 * also answers neighbors_knn_query and neighbors_knn_rows (the MST's searches).
 * bench/cluster.c measures recall and the end result against the exact path. */
#ifndef FACETAG_CLUSTER_NEIGHBORS_H
#define FACETAG_CLUSTER_NEIGHBORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef enum nb_metric { NB_EUCLIDEAN = 0, NB_COSINE = 1 } nb_metric;

#define NEIGHBORS_TILE_Q 128
#define NEIGHBORS_TILE_R 2048

typedef struct nb_index nb_index;

/* How the k-nearest-neighbour searches run: AUTO (exact up to
 * NEIGHBORS_AUTO_FAISS_ABOVE rows, FAISS above), EXACT, FAISS. */
typedef enum nb_search { NB_SEARCH_AUTO = 0, NB_SEARCH_EXACT = 1, NB_SEARCH_FAISS = 2 } nb_search;

/* Where AUTO switches to FAISS: the exact path is cheaper and exact below
 * (docs/decisions/2026-12-01-neighbors-faiss-above-150k.md). */
#define NEIGHBORS_AUTO_FAISS_ABOVE 150000

/* Makes an index over n rows of dim floats (row-major). The index keeps its own
 * copy (normalised under cosine; (dim+2) floats a row), so `x` may be freed
 * after the call. threads < 1 means 1.
 * Errors: ERR_INVALID for n == 0, dim == 0, a NaN/Inf value or (cosine) a zero
 * row, naming the row; ERR_NOMEM. Free with neighbors_free. */
nb_index *neighbors_new(const float *x, size_t n, size_t dim, nb_metric metric, int threads, err *e);
void neighbors_free(nb_index *ix);

size_t neighbors_count(const nb_index *ix);
size_t neighbors_dim(const nb_index *ix);
nb_metric neighbors_metric(const nb_index *ix);
/* Row i as the index sees it (normalised under cosine); valid until neighbors_free. */
const float *neighbors_row(const nb_index *ix, size_t i);

/* Exact distance between rows i and j in the index's metric, in double. */
double neighbors_dist(const nb_index *ix, size_t i, size_t j);
/* The metric distance for a squared-Euclidean value from a scan, and back. */
double neighbors_dist_from_d2(const nb_index *ix, double d2);
double neighbors_d2_from_dist(const nb_index *ix, double dist);

/* Called once per query row and reference block with the squared Euclidean
 * distances d2[0 .. r1-r0) from row q to rows r0 .. r1-1 (q itself included);
 * float rounding can leave a value slightly below 0 (treat it as 0).
 * `thread` is the worker's number in [0, threads). All blocks of one query are
 * handed to the same thread, in increasing r0, so per-query state needs no lock. */
typedef void (*nb_row_fn)(void *ctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1);

/* Scans the queries `queries[0..nq)` (row indices; NULL means all rows, nq ignored)
 * against all rows. Errors: ERR_NOMEM, ERR_INTERNAL (a thread failed to start). */
int neighbors_scan(const nb_index *ix, const uint32_t *queries, size_t nq, nb_row_fn fn, void *ctx, err *e);

/* The k nearest other rows of every row, nearest first (exact double distances,
 * ties by smaller index; on the FAISS path the candidates come from the
 * approximate index, see above): ind[i*k + j], dist[i*k + j], both caller-allocated
 * n*k. Each pair's distance is computed once (a block of rows against the rows
 * from its own start on feeds both sides' candidate heaps), then the k+4 best
 * candidates are re-ranked in double. Extra memory ~n*(k+4)*8 bytes.
 * Errors: ERR_INVALID when k == 0 or k >= n; ERR_NOMEM. */
int neighbors_knn(const nb_index *ix, size_t k, uint32_t *ind, float *dist, err *e);

/* The k nearest indexed rows of each of m outside descriptors q (m x dim
 * floats, e.g. faces analysed after the index was built: the incremental path
 * assigns them without re-clustering), nearest first, exact distances, ties by
 * smaller index (from the FAISS index's candidates once it is built); ind/dist caller-allocated m*k. Errors: ERR_INVALID for k == 0,
 * k > n or a bad descriptor ("new faces: descriptor i: ..."); ERR_NOMEM. */
int neighbors_knn_query(const nb_index *ix, const float *q, size_t m, size_t k, uint32_t *ind, float *dist, err *e);

/* For every row, how many rows (itself included) lie within distance eps
 * (in the index's metric). count is caller-allocated n. */
int neighbors_range_count(const nb_index *ix, double eps, uint32_t *count, err *e);

/* Calls fn(ctx, thread, q, r, dist) for every ordered pair q != r with
 * dist(q,r) <= eps, q taken from queries (NULL: all rows). Same threading rule
 * as neighbors_scan. The distance passed is the float tile value converted to
 * the metric (use neighbors_dist when a decision hangs on the last digit). */
typedef void (*nb_pair_fn)(void *ctx, int thread, uint32_t q, uint32_t r, double dist);
int neighbors_range_visit(const nb_index *ix, const uint32_t *queries, size_t nq, double eps, nb_pair_fn fn, void *ctx,
                          err *e);

/* Chooses the search (default NB_SEARCH_AUTO). Call before the first search;
 * a FAISS index already built stays. */
void neighbors_set_search(nb_index *ix, nb_search s);
/* What neighbors_knn will use for this index: NB_SEARCH_EXACT or NB_SEARCH_FAISS. */
nb_search neighbors_search(const nb_index *ix);
/* 1 when the approximate index has been built (neighbors_knn ran on FAISS). */
int neighbors_approximate(const nb_index *ix);
/* "auto" | "exact" | "faiss", and back (-1 for anything else). */
const char *neighbors_search_name(nb_search s);
int neighbors_search_parse(const char *name);
/* FAISS parameters (the bench's sweep); NULL: ann_faiss_params_default. */
struct ann_faiss_params;
void neighbors_set_ann_params(nb_index *ix, const struct ann_faiss_params *p);
/* One line on the search in use, e.g. "exact (OpenBLAS sgemm)" or
 * "faiss HNSW24 efC 64 efS 64 (69 MB)". */
void neighbors_describe(const nb_index *ix, char *out, size_t out_size);

/* The approximate path of the MST (cluster/mst.c): for each of the rows
 * rows[0..nq), about its k nearest other rows from the FAISS index (built on
 * first use), nearest first, exact distances; fewer when the index found fewer
 * (then ind = UINT32_MAX, dist = INFINITY). Errors: ERR_INVALID for k == 0;
 * ERR_NOMEM; FAISS's errors as ERR_INTERNAL. */
int neighbors_knn_rows(const nb_index *ix, const uint32_t *rows, size_t nq, size_t k, uint32_t *ind, float *dist,
                       err *e);

/* The number of worker threads the index was made with. */
int neighbors_threads(const nb_index *ix);

/* OpenBLAS picks its kernels when it loads; 0.3.21 (Debian 12) does not know
 * some newer Xeons and falls back to its Prescott (SSE3) kernels, which halves
 * the distance GEMM (docs/decisions/2026-12-01-openblas-coretype.md). Returns
 * the core type to put in
 * OPENBLAS_CORETYPE (read by OpenBLAS at load time, so it takes a new process)
 * when that happened on a CPU with AVX2 and FMA, else NULL. */
const char *neighbors_blas_better_core(void);

#endif
