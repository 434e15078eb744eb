/* ann_faiss.h — an approximate nearest-neighbour index from FAISS (Debian's
 * libfaiss-dev), behind a C interface.
 *
 * Debian's FAISS 1.7.3 ships the C++ library only (libfaiss.a; the c_api
 * headers are there but not their code), so this one file is C++: it builds
 * the index, searches it, and turns FAISS's exceptions into an error code and
 * a message. Everything else in people/ stays C.
 *
 * Kinds (compared in docs/decisions/2026-12-01-neighbors-faiss-above-150k.md):
 *   HNSW-Flat: a navigable small-world graph over the raw vectors; no
 *     training, build ~n log n, search cost ~ efSearch. The default.
 *   IVF-Flat: k-means cells (nlist), a query scans the nprobe nearest cells;
 *     needs training on a sample.
 * Distances are squared Euclidean in float (FAISS's flat storage, the
 * distance by cluster/l2.h's kernel for the running CPU: see ann_faiss.cpp
 * for why); callers that decide on them re-rank in double.
 *
 * Threads: FAISS parallelises over queries with OpenMP. Every call here sets
 * the OpenMP team size to `threads` first, so no call uses more. */
#ifndef FACETAG_CLUSTER_ANN_FAISS_H
#define FACETAG_CLUSTER_ANN_FAISS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ann_faiss_kind { ANN_FAISS_HNSW = 0, ANN_FAISS_IVF = 1 } ann_faiss_kind;

typedef struct ann_faiss_params {
    ann_faiss_kind kind;
    int hnsw_m;               /* graph degree (HNSW32: 32) */
    int hnsw_ef_construction; /* build beam */
    int hnsw_ef_search;       /* search beam; raised to k when k is larger */
    size_t ivf_nlist;         /* 0: 4 * sqrt(n) */
    size_t ivf_nprobe;
} ann_faiss_params;

/* The defaults (HNSW; parameters in ann_faiss.cpp, chosen with bench_cluster ann). */
void ann_faiss_params_default(ann_faiss_params *p);

typedef struct ann_faiss ann_faiss;

/* Builds an index over n rows of dim floats, row i at x + i*stride (stride >=
 * dim: the rows may carry extra values, which are not indexed). Returns NULL
 * and writes a message to msg (msg_size bytes) when FAISS fails or memory runs
 * out. */
ann_faiss *ann_faiss_new(const float *x, size_t n, size_t dim, size_t stride, const ann_faiss_params *p, int threads,
                         char *msg, size_t msg_size);
void ann_faiss_free(ann_faiss *a);

/* The k approximate nearest indexed rows of m queries (row i at q + i*stride),
 * nearest first: ind[i*k + j] (UINT32_MAX where the index found fewer than k)
 * and squared Euclidean distances d2[i*k + j]. Returns 0, or -1 with msg. */
int ann_faiss_search(const ann_faiss *a, const float *q, size_t m, size_t stride, size_t k, uint32_t *ind, float *d2,
                     int threads, char *msg, size_t msg_size);

/* The kind and its parameters, for reports ("faiss HNSW24 efC 64 efS 64"). */
void ann_faiss_describe(const ann_faiss *a, char *out, size_t out_size);
/* Bytes FAISS holds for the index (vectors plus graph or lists), roughly. */
size_t ann_faiss_bytes(const ann_faiss *a);

#ifdef __cplusplus
}
#endif

#endif
