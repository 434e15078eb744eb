/* score.h — how well a clustering matches the truth (folder-per-identity sets:
 * `facetag eval`, the faces-dev sweep).
 *
 * Items carry a true identity (>= 0) and a predicted cluster (>= 0), or -1 for
 * an item in no cluster (a face left unassigned, or an image where no face was
 * found): each such item counts as a cluster of its own, so a missed face costs
 * recall, never precision.
 *
 *   pairwise  precision = same-cluster pairs that share the identity / same-cluster pairs,
 *             recall = same-identity pairs in one cluster / same-identity pairs (1 when none)
 *   BCubed    per item: precision = |its cluster ∩ its identity| / |its cluster|,
 *             recall = |its cluster ∩ its identity| / |its identity|; averaged over items
 *             (Bagga & Baldwin 1998; Amigó et al. 2009), F = harmonic mean
 *   ARI       adjusted Rand index (Hubert & Arabie 1985)
 *   NMI       mutual information / arithmetic mean of the two entropies
 *             (scikit-learn's default normalisation); 1 when both are trivial.
 *   mixed_persons     clusters holding >= SCORE_MIN_BLOCK items of each of two or
 *                     more identities (a wrong merge a user sees at once)
 *   split_identities  identities with >= SCORE_MIN_BLOCK items in each of more
 *                     than two clusters (one person shown as three or more) */
#ifndef FACETAG_CLUSTER_SCORE_H
#define FACETAG_CLUSTER_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct score_result {
    size_t items;
    size_t identities;  /* distinct true identities */
    size_t clusters;    /* distinct predicted clusters (>= 0) */
    size_t unclustered; /* items with cluster -1 */
    double pairwise_precision, pairwise_recall, pairwise_f1;
    double bcubed_precision, bcubed_recall, bcubed_f;
    double ari, nmi;
    size_t mixed_persons, split_identities;
} score_result;

#define SCORE_MIN_BLOCK 3

/* Scores pred against truth over n items. ERR_INVALID for a negative truth;
 * ERR_NOMEM. */
int score_partition(const int32_t *truth, const int32_t *pred, size_t n, score_result *out, err *e);

#endif
