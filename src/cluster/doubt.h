/* doubt.h — "this person looks like two": the one test behind the person
 * page's split offer, `facetag check`'s wrong-merge finding (annotate/checks.h,
 * kind "spread") and the cluster stage's rejoining of one person the cut left
 * in two (cluster/rejoin.h). Issue 16: "show the doubt".
 *
 * Over one person's faces (rows of a neighbour index, in its metric; the
 * descriptor entry point uses DOUBT_METRIC, the clustering's default): the
 * average-linkage dendrogram (agglomerative_hierarchy), whose leaf order puts
 * faces that belong together next to each other, so sub-groups show as
 * blocks; each face's distance to the person's centre (the mean row), and
 * which faces lie far from it; and the dendrogram's top split, with the mean
 * silhouette of its two sides (for each face (b - a) / max(a, b), a its mean
 * distance to its own side, b to the other).
 *
 * The person looks like two (doubt_result.two) when the top split's two sides
 *   - join above split_height (their average distance; the clustering's own
 *     cut, so a person the clustering made never crosses it: an offer appears
 *     where people's merges, the incremental path or rejoining joined faces
 *     the clustering kept apart),
 *   - are well apart: mean silhouette above `silhouette` (look-alikes that are
 *     two people stand apart as two tight groups; one person the cut left in
 *     two does not: faces-dev's sweep, docs/decisions/2026-12-07-rejoin-and-doubt.md),
 *   - and hold at least min_side faces each.
 * The offer (side, split_faces) is then the side without confirmed faces when
 * only one side has any, else the smaller side; when both sides hold
 * confirmed faces, someone said they are one person: no offer. Confirming the
 * faces is how the page's "Keep as one" rejects an offer, a decision that
 * holds in every later run.
 *
 * Cost O(n^2) time and n^2/2 floats; above DOUBT_MAX_FACES faces the order is
 * left as given and nothing is offered. */
#ifndef FACETAG_CLUSTER_DOUBT_H
#define FACETAG_CLUSTER_DOUBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/neighbors.h"
#include "core/error.h"

#define DOUBT_METRIC NB_COSINE
/* Cosine distance (1 - cos): the default clustering cut (cluster.h's
 * CLUSTER_AVERAGE_THRESHOLD_COSINE), the silhouette that tells two people from
 * one split (faces-dev sweep) and the far mark (99th percentile of faces-dev's
 * faces from their identity's centre). */
#define DOUBT_SPLIT_HEIGHT 0.077
#define DOUBT_SILHOUETTE 0.30
#define DOUBT_MIN_SIDE 3
#define DOUBT_FAR 0.05
#define DOUBT_MAX_FACES 4000

typedef struct doubt_params {
    double split_height; /* default DOUBT_SPLIT_HEIGHT (in the index's metric) */
    double silhouette;   /* default DOUBT_SILHOUETTE */
    size_t min_side;     /* default DOUBT_MIN_SIDE */
    double far;          /* default DOUBT_FAR (in the index's metric) */
} doubt_params;

void doubt_params_default(doubt_params *p);

typedef struct doubt_result {
    size_t n;
    uint32_t *order;     /* n: face indices in dendrogram leaf order */
    double *centre_dist; /* n: distance to the mean row, in the metric */
    bool *far;           /* n: centre_dist > far */
    uint8_t *side;       /* n: 1 for the faces the offered split takes out, else 0 */
    double split_height; /* the top merge's average distance (0 for n < 2) */
    double silhouette;   /* mean silhouette of the top split (0 for n < 2) */
    size_t top_sides[2]; /* faces on either side of the top split */
    bool two;            /* looks like two (the tests above, decisions aside) */
    size_t split_faces;  /* faces with side 1 (0: no offer) */
} doubt_result;

/* Analyses rows[0..n) of ix (face i of the result is rows[i]); confirmed[i]
 * (NULL: none) marks faces someone confirmed for this person; p NULL:
 * defaults. r is filled and owned by the caller until doubt_free.
 * Errors: ERR_NOMEM, the hierarchy's. */
int doubt_analyse_rows(const nb_index *ix, const uint32_t *rows, size_t n, const bool *confirmed, const doubt_params *p,
                       doubt_result *r, err *e);

/* The same over n raw descriptors x (n x dim floats, row-major) in
 * DOUBT_METRIC. Errors: as above, and the index's (ERR_INVALID for a zero or
 * non-finite descriptor, naming it). */
int doubt_analyse(const float *x, size_t n, size_t dim, const bool *confirmed, doubt_result *r, err *e);

void doubt_free(doubt_result *r);

#endif
