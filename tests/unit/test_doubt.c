/* test_doubt.c — the person page's doubt (cluster/doubt.h): two people glued
 * into one person come out as two blocks of the leaf order and the smaller
 * one is offered for a split; one person alone is offered nothing; a face
 * far from the others is marked; the given order stays where the tree allows. */
#include "cluster/doubt.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM 128

static uint64_t rng = 99;
static double normal(void)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        u[i] = ((rng >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* Faces around centre c (within-person distances ~0.4), row by row. */
static void faces_near(const double *c, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < DIM; d++)
            out[i * DIM + d] = (float)(c[d] + 0.025 * normal());
}

int main(void)
{
    err e = { 0 };
    double ca[DIM], cb[DIM];
    for (int d = 0; d < DIM; d++) {
        ca[d] = 0.3 + 0.06 * normal();
        cb[d] = 0.3 + 0.06 * normal(); /* ~0.95 from ca */
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
    CHECK(doubt_analyse(x, N, DIM, &r, &e) == 0);
    CHECK_MSG(r.split_height > DOUBT_SPLIT_HEIGHT, "top split at %.3f", r.split_height);
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

    /* A alone: no offer, its faces near the centre */
    CHECK(doubt_analyse(a, NA, DIM, &r, &e) == 0);
    CHECK(r.split_faces == 0 && r.split_height < DOUBT_SPLIT_HEIGHT);
    for (size_t i = 0; i < NA; i++)
        CHECK_MSG(!r.far[i], "face %zu of one person far (%.3f)", i, r.centre_dist[i]);
    doubt_free(&r);

    /* A plus one face of B: B's face is far; one face is no person to split off */
    float y[(NA + 1) * DIM];
    memcpy(y, a, sizeof a);
    memcpy(y + NA * DIM, b, DIM * sizeof *y);
    CHECK(doubt_analyse(y, NA + 1, DIM, &r, &e) == 0);
    CHECK_MSG(r.far[NA], "the stranger lies %.3f from the centre", r.centre_dist[NA]);
    CHECK(r.split_faces == 0);
    doubt_free(&r);

    /* two faces keep their order; one and none are fine */
    CHECK(doubt_analyse(a, 2, DIM, &r, &e) == 0 && r.order[0] == 0 && r.order[1] == 1);
    doubt_free(&r);
    CHECK(doubt_analyse(a, 1, DIM, &r, &e) == 0 && r.order[0] == 0 && r.split_faces == 0);
    doubt_free(&r);
    CHECK(doubt_analyse(a, 0, DIM, &r, &e) == 0 && r.split_faces == 0);
    doubt_free(&r);
    return test_main_end();
}
