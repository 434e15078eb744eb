/* test_doubt.c — "looks like two" (cluster/doubt.h): two people glued into
 * one person come out as two blocks of the leaf order, well apart
 * (silhouette), and the smaller one is offered for a split; with confirmed
 * faces the unconfirmed side is offered, and nothing when both sides hold
 * confirmed faces (the page's "Keep as one"); one person alone is offered
 * nothing; a face far from the others is marked; the given order stays where
 * the tree allows. Descriptors are made like real ones under cosine: norm
 * ~1.1, faces of one person ~0.02 apart, the two people ~0.18. */
#include "cluster/doubt.h"
#include "testutil.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DIM 128

static uint64_t rng = 99;
static double normal(void)
{
    return test_normal(&rng);
}

/* Faces around centre c, row by row. */
static void faces_near(const double *c, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < DIM; d++)
            out[i * DIM + d] = (float)(c[d] + 0.015 * normal());
}

int main(void)
{
    err e = { 0 };
    double ca[DIM], cb[DIM];
    for (int d = 0; d < DIM; d++) {
        ca[d] = 0.1 * normal();
        cb[d] = ca[d] + 0.06 * normal(); /* cosine ~0.18 from ca */
    }
    /* 6 faces of A and 4 of B, interleaved as a merge might list them */
    enum { NA = 6, NB = 4, N = NA + NB };
    float a[NA * DIM], b[NB * DIM], x[N * DIM];
    faces_near(ca, NA, a);
    faces_near(cb, NB, b);
    int is_b[N];
    for (size_t i = 0, ia = 0, ib = 0; i < N; i++) {
        is_b[i] = (i % 2 == 1 && ib < NB);
        memcpy(x + i * DIM, is_b[i] ? b + ib++ * DIM : a + ia++ * DIM, DIM * sizeof *x);
    }
    doubt_result r;
    CHECK(doubt_analyse(x, N, DIM, NULL, &r, &e) == 0);
    CHECK_MSG(r.split_height > DOUBT_SPLIT_HEIGHT, "top split at %.3f", r.split_height);
    CHECK_MSG(r.two && r.silhouette > DOUBT_SILHOUETTE, "two %d, silhouette %.3f", r.two, r.silhouette);
    CHECK_MSG(r.split_faces == NB, "offered %zu faces, want the %d of B", r.split_faces, NB);
    for (size_t i = 0; i < N; i++)
        CHECK_MSG(r.side[i] == is_b[i], "face %zu: offered %d, of B %d", i, r.side[i], is_b[i]);
    /* the leaf order: one block of A, one of B */
    int changes = 0;
    for (size_t k = 1; k < N; k++)
        changes += is_b[r.order[k]] != is_b[r.order[k - 1]];
    CHECK_MSG(changes == 1, "leaf order changes person %d times", changes);
    CHECK(r.order[0] == 0); /* A holds face 0 and comes first */
    doubt_free(&r);

    /* a face of A confirmed: B (unconfirmed) is still offered; a face of B
     * confirmed: A is offered, though larger; one of each: no offer */
    bool conf[N] = { false };
    conf[0] = true;
    CHECK(doubt_analyse(x, N, DIM, conf, &r, &e) == 0 && r.split_faces == NB);
    doubt_free(&r);
    conf[0] = false;
    conf[1] = true; /* a face of B */
    CHECK(doubt_analyse(x, N, DIM, conf, &r, &e) == 0);
    CHECK_MSG(r.split_faces == NA && !r.side[1] && r.side[0], "offered %zu faces", r.split_faces);
    doubt_free(&r);
    conf[0] = true;
    CHECK(doubt_analyse(x, N, DIM, conf, &r, &e) == 0);
    CHECK_MSG(r.two && r.split_faces == 0, "both sides confirmed: two %d, offered %zu", r.two, r.split_faces);
    doubt_free(&r);

    /* A alone: no offer, its faces near the centre */
    CHECK(doubt_analyse(a, NA, DIM, NULL, &r, &e) == 0);
    CHECK_MSG(r.split_faces == 0 && !r.two && r.split_height < DOUBT_SPLIT_HEIGHT, "alone: top split %.3f",
              r.split_height);
    for (size_t i = 0; i < NA; i++)
        CHECK_MSG(!r.far[i], "face %zu of one person far (%.3f)", i, r.centre_dist[i]);
    doubt_free(&r);

    /* A plus one face of B: B's face is far; one face is no person to split off */
    float y[(NA + 1) * DIM];
    memcpy(y, a, sizeof a);
    memcpy(y + NA * DIM, b, DIM * sizeof *y);
    CHECK(doubt_analyse(y, NA + 1, DIM, NULL, &r, &e) == 0);
    CHECK_MSG(r.far[NA], "the stranger lies %.3f from the centre", r.centre_dist[NA]);
    CHECK(r.split_faces == 0);
    doubt_free(&r);

    /* two faces keep their order; one and none are fine */
    CHECK(doubt_analyse(a, 2, DIM, NULL, &r, &e) == 0 && r.order[0] == 0 && r.order[1] == 1);
    doubt_free(&r);
    CHECK(doubt_analyse(a, 1, DIM, NULL, &r, &e) == 0 && r.order[0] == 0 && r.split_faces == 0);
    doubt_free(&r);
    CHECK(doubt_analyse(a, 0, DIM, NULL, &r, &e) == 0 && r.split_faces == 0);
    doubt_free(&r);
    return test_main_end();
}
