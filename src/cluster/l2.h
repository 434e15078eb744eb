/* l2.h — squared Euclidean distance between two float rows, in the widest
 * vector unit the CPU has.
 *
 * The approximate index (cluster/ann_faiss.cpp) spends most of its build in
 * this one function: an HNSW graph over 1M faces computes billions of 128-d
 * distances, one pair at a time. Debian builds FAISS for the x86-64 baseline
 * (its own kernel is a scalar loop) and a BLAS call per pair costs more in
 * the call than in the arithmetic, so the kernel is here: AVX-512F, AVX2+FMA
 * or a portable loop, picked once from what the running CPU reports
 * (__builtin_cpu_supports), so one binary runs on any x86-64 and uses AVX2 on
 * an AVX2-only CPU.
 *
 * Float accumulation in a fixed order per kernel: the kernels agree with each
 * other and with a double reference to ~1e-6 relative, not bit for bit;
 * callers that decide on a distance re-rank in double (neighbors_dist). */
#ifndef FACETAG_CLUSTER_L2_H
#define FACETAG_CLUSTER_L2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sum over i < d of (a[i] - b[i])^2; any d, any alignment */
typedef float (*l2_fn)(const float *a, const float *b, size_t d);

/* The fastest kernel this CPU runs (decided on the first call; thread-safe). */
l2_fn l2_kernel(void);
/* Its name: "avx512", "avx2" or "portable". */
const char *l2_kernel_name(void);

/* A kernel by name, or NULL when the name is unknown or the CPU lacks the
 * instructions (tests compare every kernel the CPU runs). */
l2_fn l2_kernel_named(const char *name);

#ifdef __cplusplus
}
#endif

#endif
