/* test_rejoin.c — joining persons the cut left in two (cluster/rejoin.h) on
 * descriptors made for the case, under cosine (norm ~1):
 *   one person in two loose halves (the halves ~0.083 apart on average, each
 *     half nearly as spread: silhouette low) is joined;
 *   two look-alikes (the same average distance, each tight: silhouette high)
 *     stay two;
 *   the loose halves stay two when a photo holds a face of each, when a
 *     cannot-link or two confirmed persons stand across, when rejoining is off
 *     or its distance is below theirs;
 *   a third person far away is never touched; labels come out canonical. */
#include "cluster/cluster.h"
#include "cluster/rejoin.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM 128
#define H 8 /* faces per half */

static uint64_t rng = 7;
static double normal(void)
{
    return test_normal(&rng);
}

static void unit(double *v)
{
    double s = 0;
    for (int d = 0; d < DIM; d++)
        s += v[d] * v[d];
    for (int d = 0; d < DIM; d++)
        v[d] /= sqrt(s);
}

/* 2H faces around o +- h u with per-value noise sigma, then H far faces
 * (a third person). Half A is rows 0..H-1, half B H..2H-1, C 2H..3H-1. */
static void make(float *x, double h, double sigma)
{
    double o[DIM], u[DIM], far[DIM];
    for (int d = 0; d < DIM; d++) {
        o[d] = normal();
        u[d] = normal();
        far[d] = normal();
    }
    unit(o);
    unit(u);
    unit(far);
    for (int i = 0; i < 3 * H; i++)
        for (int d = 0; d < DIM; d++) {
            double c = i < H ? o[d] + h * u[d] : i < 2 * H ? o[d] - h * u[d] : far[d];
            x[i * DIM + d] = (float)(c + sigma * normal());
        }
}

static void halves(int32_t *labels)
{
    for (int i = 0; i < 3 * H; i++)
        labels[i] = i / H;
}

/* Runs rejoin with the defaults (max_between overridden when > 0) on x; returns the joins. */
static size_t run(const float *x, const constraints *c, double max_between, int32_t *labels)
{
    err e = { 0 };
    nb_index *ix = neighbors_new(x, 3 * H, DIM, NB_COSINE, 1, &e);
    CHECK_MSG(ix != NULL, "index: %s", e.msg);
    if (!ix)
        return 0;
    cluster_params p;
    cluster_params_default_metric(&p, CLUSTER_AGGLOMERATIVE, NB_COSINE);
    if (max_between >= 0)
        p.rejoin.max_between = max_between;
    halves(labels);
    size_t joined = 99;
    CHECK_MSG(rejoin_run(ix, &p.rejoin, c, labels, &joined, &e) == 0, "rejoin: %s", e.msg);
    neighbors_free(ix);
    return joined;
}

/* The average cosine distance between halves A and B, and the silhouette of A|B. */
static void describe(const float *x, double *avg, double *sil)
{
    err e = { 0 };
    uint32_t rows[2 * H];
    for (int i = 0; i < 2 * H; i++)
        rows[i] = (uint32_t)i;
    nb_index *ix = neighbors_new(x, 2 * H, DIM, NB_COSINE, 1, &e);
    double s = 0;
    for (int i = 0; i < H; i++)
        for (int j = H; j < 2 * H; j++)
            s += neighbors_dist(ix, (size_t)i, (size_t)j);
    *avg = s / (H * H);
    doubt_result r;
    CHECK(doubt_analyse_rows(ix, rows, 2 * H, NULL, NULL, &r, &e) == 0);
    *sil = r.silhouette;
    doubt_free(&r);
    neighbors_free(ix);
}

int main(void)
{
    float loose[3 * H * DIM], tight[3 * H * DIM];
    int32_t labels[3 * H];
    /* average distance ~ (4h^2 + 2 DIM sigma^2) / 2 over |x|^2, the same for
     * both; silhouette ~ 4h^2 / (4h^2 + 2 DIM sigma^2): ~0.15 and ~0.6 */
    make(loose, 0.082, 0.0245);
    make(tight, 0.164, 0.0168);
    double avg, sil;
    describe(loose, &avg, &sil);
    CHECK_MSG(avg > CLUSTER_AVERAGE_THRESHOLD_COSINE && avg < CLUSTER_REJOIN_COSINE && sil < DOUBT_SILHOUETTE,
              "loose halves: average %.4f, silhouette %.3f", avg, sil);
    describe(tight, &avg, &sil);
    CHECK_MSG(avg > CLUSTER_AVERAGE_THRESHOLD_COSINE && avg < CLUSTER_REJOIN_COSINE && sil > DOUBT_SILHOUETTE,
              "look-alikes: average %.4f, silhouette %.3f", avg, sil);

    /* one person in two halves: joined; the third person left alone */
    CHECK(run(loose, NULL, -1, labels) == 1);
    for (int i = 0; i < 2 * H; i++)
        CHECK_MSG(labels[i] == 0, "face %d: label %d", i, labels[i]);
    for (int i = 2 * H; i < 3 * H; i++)
        CHECK_MSG(labels[i] == 1, "far face %d: label %d (canonical 1)", i, labels[i]);

    /* look-alikes: two */
    CHECK(run(tight, NULL, -1, labels) == 0);
    CHECK(labels[0] == 0 && labels[H] == 1 && labels[2 * H] == 2);

    /* off, or a distance below theirs */
    CHECK(run(loose, NULL, 0, labels) == 0 && labels[H] == 1);
    CHECK(run(loose, NULL, CLUSTER_AVERAGE_THRESHOLD_COSINE, labels) == 0 && labels[H] == 1);

    /* decisions across the halves */
    int32_t photo[3 * H];
    for (int i = 0; i < 3 * H; i++)
        photo[i] = i;
    photo[H + 2] = 1; /* face 1 (A) and face H+2 (B) in one photo */
    constraints c = { .photo = photo };
    CHECK(run(loose, &c, -1, labels) == 0 && labels[H] == 1);
    constraint_pair cannot = { 3, H + 4 };
    constraints c2 = { .cannot = &cannot, .n_cannot = 1 };
    CHECK(run(loose, &c2, -1, labels) == 0 && labels[H] == 1);
    int32_t person[3 * H];
    for (int i = 0; i < 3 * H; i++)
        person[i] = -1;
    person[0] = 5;
    person[H] = 6;
    constraints c3 = { .person = person };
    CHECK(run(loose, &c3, -1, labels) == 0 && labels[H] == 1);
    person[H] = 5; /* the same person on both sides: nothing forbids it */
    CHECK(run(loose, &c3, -1, labels) == 1 && labels[H] == 0);
    constraint_reject rej = { (uint32_t)(H + 1), 5 };
    person[H] = -1;
    constraints c4 = { .person = person, .reject = &rej, .n_reject = 1 };
    CHECK(run(loose, &c4, -1, labels) == 0 && labels[H] == 1);
    return test_main_end();
}
