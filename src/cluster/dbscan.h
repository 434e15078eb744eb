/* dbscan.h — DBSCAN (Ester et al. 1996) over face descriptors.
 *
 * A face is a core face when at least min_samples faces (itself included, as in
 * R dbscan and scikit-learn) lie within eps. Clusters are the connected groups of
 * core faces within eps of each other; a non-core face within eps of a core face
 * joins the cluster of its nearest such core face (deterministic, unlike the
 * expansion order of the textbook algorithm); the rest is noise (-1).
 *
 * One kNN pass (32 neighbours, cluster/neighbors.h) answers most of it: a face
 * whose 32nd neighbour lies beyond eps has its whole eps-neighbourhood in its
 * list. Only "dense" faces (32nd neighbour within eps) get an exact range scan,
 * joined with a lock-free union-find. Memory O(n * 32). */
#ifndef FACETAG_CLUSTER_DBSCAN_H
#define FACETAG_CLUSTER_DBSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/neighbors.h"
#include "core/error.h"

/* labels: caller-allocated n; 0..k-1 in order of first face, -1 noise.
 * Errors: ERR_INVALID for eps < 0 or min_samples == 0; ERR_NOMEM; scan errors. */
int dbscan_run(const nb_index *ix, double eps, size_t min_samples, int32_t *labels, err *e);

#endif
