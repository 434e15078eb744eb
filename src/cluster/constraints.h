/* constraints.h — what people decided, applied to any clustering.
 *
 * The catalog's decision log turns into these per-face facts (the wiring lives
 * with the `cluster` command); every algorithm's labels go through
 * constraints_apply afterwards, so HDBSCAN, DBSCAN and agglomerative obey the
 * same rules:
 *
 *   photo   faces of one photo are never one person (cannot-link groups);
 *   person  a face confirmed for a person: all faces confirmed for the same
 *           person end in one cluster (must-link), faces of different
 *           confirmed persons never share one;
 *   cannot  explicit face pairs that must be apart (a split made by a person);
 *   reject  "not this person": the face never shares a cluster with that
 *           person's confirmed faces.
 *
 * Method: (1) clusters holding faces of the same confirmed person are merged,
 * and confirmed faces left as noise join their person's cluster (or found a
 * new one); (2) every cluster that breaks a rule is split greedily: the
 * confirmed persons in it seed one part each, then the other faces, nearest to
 * the cluster's centre first, join the nearest compatible part (centroid
 * distance) or start a new one; a part left with a single unconfirmed face
 * becomes noise. Clusters that break no rule are untouched. */
#ifndef FACETAG_CLUSTER_CONSTRAINTS_H
#define FACETAG_CLUSTER_CONSTRAINTS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/neighbors.h"
#include "core/error.h"

typedef struct constraint_pair {
    uint32_t a, b;
} constraint_pair;

typedef struct constraint_reject {
    uint32_t face;
    int32_t person;
} constraint_reject;

/* Every member may be NULL / 0. Arrays are borrowed. */
typedef struct constraints {
    const int32_t *photo;  /* [n]: photo id >= 0, or -1 for none */
    const int32_t *person; /* [n]: confirmed person id >= 0, or -1 */
    const constraint_pair *cannot;
    size_t n_cannot;
    const constraint_reject *reject;
    size_t n_reject;
} constraints;

/* Checks the decisions against each other for n faces: ERR_INVALID for a face
 * index >= n; ERR_CONFLICT when they contradict (two faces of one photo
 * confirmed as the same person, a cannot-link or rejection against the face's
 * own confirmed person), naming the faces. */
int constraints_validate(const constraints *c, size_t n, err *e);

/* Makes labels (n = neighbors_count(ix), -1 noise) obey c, as described above;
 * distances come from ix's rows. Output is canonical (labels_canonicalize).
 * Errors: those of constraints_validate, ERR_NOMEM. */
int constraints_apply(const nb_index *ix, const constraints *c, int32_t *labels, err *e);

/* 0 when labels obey every rule; otherwise ERR_CONFLICT naming the first broken one. */
int constraints_check(const constraints *c, size_t n, const int32_t *labels, err *e);

#endif
