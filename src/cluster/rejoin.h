/* rejoin.h — one person the clustering's cut left in two, joined again.
 *
 * Average linkage cut at the default 0.077 keeps look-alikes apart, and with
 * them some people whose photos vary a lot (faces-dev: Anna Kournikova in
 * persons of 3, 4 and 4 faces at every cut that mixes nobody). After the cut
 * and the decisions (cluster_run), two persons are joined when
 *   - their faces average at most max_between apart (average linkage between
 *     the two; candidates: each person's REJOIN_CANDIDATES nearest persons by
 *     centre, then the exact average),
 *   - each has at least doubt.min_side faces, together at most DOUBT_MAX_FACES,
 *   - the joined person does not look like two (cluster/doubt.h with
 *     p->doubt: the same test that makes the person page offer a split, so
 *     rejoining never makes a person the page would offer to split again),
 *   - and no decision forbids it: no photo in both, no two different
 *     confirmed persons, no cannot-link across, no face rejected from the
 *     other's confirmed person.
 * Closest pairs first; a person joins at most once a round; rounds repeat
 * until nothing joins (at most REJOIN_MAX_ROUNDS).
 *
 * Cosine only: the closed form of the average (1 - mean(a).mean(b) over unit
 * rows) keeps it O(k dim) for k persons; under Euclidean the pairs' faces are
 * summed one by one (for --metric euclidean, where it is off by default). */
#ifndef FACETAG_CLUSTER_REJOIN_H
#define FACETAG_CLUSTER_REJOIN_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/constraints.h"
#include "cluster/doubt.h"
#include "cluster/neighbors.h"
#include "core/error.h"

#define REJOIN_CANDIDATES 8
#define REJOIN_MAX_ROUNDS 4

typedef struct rejoin_params {
    double max_between; /* in the index's metric; <= 0: off */
    doubt_params doubt; /* the "looks like two" test on the joined person */
} rejoin_params;

/* Joins persons of labels (n = neighbors_count(ix), canonical 0..k-1, -1
 * unassigned) as above, obeying c (NULL: no decisions); labels canonical
 * afterwards; *joined (may be NULL) counts the joins.
 * Errors: ERR_NOMEM, the index's and the hierarchy's. */
int rejoin_run(const nb_index *ix, const rejoin_params *p, const constraints *c, int32_t *labels, size_t *joined,
               err *e);

#endif
