/* doubt.h — how sure one person's faces are of being one person, for the
 * person page (issue 16: "show the doubt").
 *
 * Over the descriptors of one person's faces: the average-linkage dendrogram
 * (UPGMA, Euclidean), whose leaf order puts faces that belong together next to
 * each other, so sub-groups show as blocks; each face's distance to the
 * person's centre (mean descriptor), and which faces lie far from it; and the
 * dendrogram's top split: when its two sides average further apart than
 * DOUBT_SPLIT_HEIGHT and each holds at least DOUBT_MIN_SIDE faces, the person
 * looks like two and the page offers that split (the smaller side goes).
 *
 * DOUBT_SPLIT_HEIGHT is the clustering's own cut (average linkage at 0.575,
 * cluster/cluster.h): a person the clustering made never crosses it, so an offer
 * appears where people's merges and confirmations, or incremental placement,
 * joined faces the clustering would keep apart. DOUBT_FAR: same-identity faces
 * of faces-dev lie 0.2-0.4 from their person's centre; 0.45 marks the few
 * that do not. Cost O(n^2) time and n^2/2 floats; above DOUBT_MAX_FACES faces
 * the order is left as given and no split is offered. */
#ifndef FACETAG_CLUSTER_DOUBT_H
#define FACETAG_CLUSTER_DOUBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define DOUBT_SPLIT_HEIGHT 0.575
#define DOUBT_MIN_SIDE 3
#define DOUBT_FAR 0.45
#define DOUBT_MAX_FACES 4000

typedef struct doubt_result {
    size_t n;
    uint32_t *order;     /* n: face indices in dendrogram leaf order */
    double *centre_dist; /* n: Euclidean distance to the mean descriptor */
    bool *far;           /* n: centre_dist > DOUBT_FAR */
    uint8_t *side;       /* n: 1 for the faces the offered split takes out, else 0 */
    double split_height; /* the top merge's average distance (0 for n < 2) */
    size_t split_faces;  /* faces with side 1 (0: no offer) */
} doubt_result;

/* Analyses the n descriptors x (n x dim floats, row-major). r is filled and
 * owned by the caller until doubt_free. Errors: ERR_NOMEM. */
int doubt_analyse(const float *x, size_t n, size_t dim, doubt_result *r, err *e);
void doubt_free(doubt_result *r);

#endif
