/* labels.h — flat cluster labels (-1 = noise) and comparing two of them. */
#ifndef FACETAG_CLUSTER_LABELS_H
#define FACETAG_CLUSTER_LABELS_H

#include <stddef.h>
#include <stdint.h>

/* Renumbers clusters 0..k-1 in the order of their first member; every negative
 * label becomes -1. Returns k. Deterministic output for equal partitions.
 * Out of memory: returns 0 and leaves labels as they were. */
size_t labels_canonicalize(int32_t *labels, size_t n);

/* How noise (-1) counts when two labelings are compared. */
typedef enum labels_noise {
    LABELS_NOISE_CLUSTER = 0,  /* all noise together is one more cluster (as R's 0) */
    LABELS_NOISE_SINGLETON = 1 /* each noise point is its own cluster */
} labels_noise;

/* Adjusted Rand index (Hubert & Arabie) of two labelings of n points; 1 for
 * identical partitions, ~0 for independent ones. Returns NAN when out of memory.
 * n < 2, or both labelings trivial (one cluster, or all singletons), give 1 when
 * the partitions are equal. */
double labels_ari(const int32_t *a, const int32_t *b, size_t n, labels_noise noise);

#endif
