/* test_cluster.c — people/: neighbour search, MST, HDBSCAN, DBSCAN,
 * agglomerative and the constraint pass, on synthetic 128-d descriptors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/agglomerative.h"
#include "cluster/cluster.h"
#include "cluster/constraints.h"
#include "cluster/dbscan.h"
#include "cluster/hdbscan.h"
#include "cluster/labels.h"
#include "cluster/mst.h"
#include "cluster/neighbors.h"
#include "testutil.h"

#define DIM 128

static uint64_t rng;
static double unit(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return ((z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
    return sqrt(-2 * log(unit())) * cos(6.283185307179586 * unit());
}

/* ids identities of per faces each (spread ~0.45 within, ~0.9 between centres),
 * then `noise` lone faces far from everyone; truth -1 for those. */
static float *blobs(size_t ids, size_t per, size_t noise, int32_t *truth, uint64_t seed)
{
    rng = seed;
    size_t n = ids * per + noise;
    float *x = malloc(n * DIM * sizeof *x);
    double c[DIM];
    for (size_t i = 0; i < ids + noise; i++) {
        double norm = 0;
        for (int j = 0; j < DIM; j++) {
            c[j] = normal();
            norm += c[j] * c[j];
        }
        norm = sqrt(norm);
        int is_noise = i >= ids;
        size_t faces = is_noise ? 1 : per;
        double radius = is_noise ? 1.5 : 0.65; /* noise: far from every centre */
        for (size_t f = 0; f < faces; f++) {
            size_t row = is_noise ? ids * per + (i - ids) : i * per + f;
            for (int j = 0; j < DIM; j++)
                x[row * DIM + j] = (float)(0.3 + radius * c[j] / norm + 0.028 * normal());
            truth[row] = is_noise ? -1 : (int32_t)i;
        }
    }
    return x;
}

static int same_labels(const int32_t *a, const int32_t *b, size_t n)
{
    return !memcmp(a, b, n * sizeof *a);
}

static size_t count_noise(const int32_t *l, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += l[i] < 0;
    return k;
}

static void test_knn_matches_brute_force(void)
{
    int32_t truth[330];
    float *x = blobs(30, 10, 30, truth, 11);
    size_t n = 330, k = 7;
    err e = { 0 };
    nb_index *ix = neighbors_new(x, n, DIM, NB_EUCLIDEAN, 2, &e);
    CHECK(ix != NULL);
    uint32_t *ind = malloc(n * k * sizeof *ind);
    float *dist = malloc(n * k * sizeof *dist);
    CHECK(neighbors_knn(ix, k, ind, dist, &e) == 0);
    int bad = 0;
    for (size_t q = 0; q < n; q++) {
        /* brute force in double: the k-th distance and every listed distance */
        double *all = malloc(n * sizeof *all);
        for (size_t r = 0; r < n; r++) {
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                double d = (double)x[q * DIM + j] - x[r * DIM + j];
                s += d * d;
            }
            all[r] = r == q ? INFINITY : sqrt(s);
        }
        for (size_t j = 0; j < k; j++) {
            if (fabs(all[ind[q * k + j]] - dist[q * k + j]) > 1e-5)
                bad++;
            if (j && dist[q * k + j] < dist[q * k + j - 1])
                bad++;
        }
        size_t closer = 0; /* rows strictly nearer than the k-th listed one */
        for (size_t r = 0; r < n; r++)
            closer += all[r] < dist[q * k + k - 1] - 1e-6;
        if (closer > k - 1)
            bad++;
        free(all);
    }
    CHECK_MSG(bad == 0, "%d kNN entries differ from brute force", bad);
    CHECK(neighbors_knn(ix, n, ind, dist, &e) == ERR_INVALID);
    /* outside queries: copies of rows 5 and 300 find themselves first, then the
     * same neighbours as the index's own kNN */
    float q[2 * DIM];
    memcpy(q, x + 5 * DIM, DIM * sizeof *q);
    memcpy(q + DIM, x + 300 * DIM, DIM * sizeof *q);
    uint32_t qi[2 * 8];
    float qd[2 * 8];
    CHECK(neighbors_knn_query(ix, q, 2, 8, qi, qd, &e) == 0);
    CHECK(qi[0] == 5 && qd[0] == 0 && qi[8] == 300 && qd[8] == 0);
    int same = 1;
    for (size_t j = 0; j < k; j++)
        same &= qi[1 + j] == ind[5 * k + j] && qi[9 + j] == ind[300 * k + j];
    CHECK(same);
    q[DIM + 3] = INFINITY;
    CHECK(neighbors_knn_query(ix, q, 2, 8, qi, qd, &e) == ERR_INVALID);
    CHECK(strstr(e.msg, "new faces: descriptor 1") != NULL);
    /* cosine distance is 1 - cos */
    nb_index *cx = neighbors_new(x, n, DIM, NB_COSINE, 1, &e);
    double dot = 0, na = 0, nb = 0;
    for (int j = 0; j < DIM; j++) {
        dot += (double)x[j] * x[DIM + j];
        na += (double)x[j] * x[j];
        nb += (double)x[DIM + j] * x[DIM + j];
    }
    CHECK(fabs(neighbors_dist(cx, 0, 1) - (1 - dot / sqrt(na * nb))) < 1e-6);
    uint32_t *cnt = malloc(n * sizeof *cnt);
    CHECK(neighbors_range_count(ix, 0.0, cnt, &e) == 0);
    CHECK(cnt[0] == 1 && cnt[n - 1] == 1);
    neighbors_free(cx);
    neighbors_free(ix);
    free(cnt);
    free(ind);
    free(dist);
    free(x);
}

static double prim_weight(const float *x, size_t n, const double *core)
{
    double *best = malloc(n * sizeof *best), total = 0;
    unsigned char *in = calloc(n, 1);
    for (size_t i = 0; i < n; i++)
        best[i] = INFINITY;
    best[0] = 0;
    for (size_t it = 0; it < n; it++) {
        size_t u = n;
        for (size_t i = 0; i < n; i++)
            if (!in[i] && (u == n || best[i] < best[u]))
                u = i;
        in[u] = 1;
        total += best[u];
        for (size_t v = 0; v < n; v++) {
            if (in[v])
                continue;
            double s = 0;
            for (int j = 0; j < DIM; j++) {
                double d = (double)x[u * DIM + j] - x[v * DIM + j];
                s += d * d;
            }
            double w = fmax(sqrt(s), fmax(core[u], core[v]));
            if (w < best[v])
                best[v] = w;
        }
    }
    free(best);
    free(in);
    return total;
}

static void test_mst_is_minimal(void)
{
    int32_t truth[260];
    float *x = blobs(20, 12, 20, truth, 5); /* identities larger than the lists: forces exact scans */
    size_t n = 260, k = 4;
    err e = { 0 };
    nb_index *ix = neighbors_new(x, n, DIM, NB_EUCLIDEAN, 2, &e);
    uint32_t *ind = malloc(n * k * sizeof *ind);
    float *dist = malloc(n * k * sizeof *dist);
    double *core = malloc(n * sizeof *core);
    mst_edge *edges = malloc((n - 1) * sizeof *edges);
    CHECK(neighbors_knn(ix, k, ind, dist, &e) == 0);
    for (size_t i = 0; i < n; i++)
        core[i] = dist[i * k + 2]; /* minPts 4 */
    mst_stats st;
    CHECK(mst_mutual_reachability(ix, core, ind, dist, k, edges, &st, &e) == 0);
    double w = 0;
    for (size_t i = 0; i + 1 < n; i++)
        w += edges[i].w;
    double ref = prim_weight(x, n, core);
    CHECK_MSG(fabs(w - ref) < 1e-4, "Borůvka %.6f vs Prim %.6f", w, ref);
    CHECK(st.searched_points > 0);
    for (size_t i = 0; i < n; i++)
        core[i] = 0;
    CHECK(mst_mutual_reachability(ix, NULL, ind, dist, k, edges, NULL, &e) == 0);
    w = 0;
    for (size_t i = 0; i + 1 < n; i++)
        w += edges[i].w;
    ref = prim_weight(x, n, core);
    CHECK_MSG(fabs(w - ref) < 1e-4, "plain MST %.6f vs Prim %.6f", w, ref);
    neighbors_free(ix);
    free(ind);
    free(dist);
    free(core);
    free(edges);
    free(x);
}

static void test_condensed_tree_by_hand(void)
{
    /* two tight triples joined by a long edge, plus a straggler joining last:
     * points 0,1,2 (heights 1), 3,4,5 (heights 1), bridge 2-3 at 10, 6 at 20 */
    mst_edge edges[6] = { { 0, 1, 1 }, { 1, 2, 1.5 }, { 3, 4, 1 }, { 4, 5, 1.5 }, { 2, 3, 10 }, { 5, 6, 20 } };
    int32_t l[7];
    err e = { 0 };
    CHECK(hdbscan_from_mst(7, edges, 3, HDBSCAN_EOM, l, NULL, &e) == 0);
    CHECK(l[0] == 0 && l[1] == 0 && l[2] == 0);
    CHECK(l[3] == 1 && l[4] == 1 && l[5] == 1);
    CHECK(l[6] == -1);
    /* min cluster size 4: no split makes two clusters -> all noise */
    CHECK(hdbscan_from_mst(7, edges, 4, HDBSCAN_EOM, l, NULL, &e) == 0);
    CHECK(count_noise(l, 7) == 7);
    mst_edge cyc[2] = { { 0, 1, 1 }, { 1, 0, 2 } };
    CHECK(hdbscan_from_mst(3, cyc, 2, HDBSCAN_EOM, l, NULL, &e) == ERR_INVALID);
}

static void test_algorithms_recover_blobs(void)
{
    enum { IDS = 40, PER = 8, NOISE = 12, N = IDS * PER + NOISE };
    int32_t truth[N], l1[N], l2[N];
    float *x = blobs(IDS, PER, NOISE, truth, 42);
    err e = { 0 };
    nb_index *ix1 = neighbors_new(x, N, DIM, NB_EUCLIDEAN, 1, &e);
    nb_index *ix2 = neighbors_new(x, N, DIM, NB_EUCLIDEAN, 2, &e);
    CHECK(ix1 && ix2);

    hdbscan_params hp = { .min_cluster_size = 3 };
    hdbscan_stats st;
    CHECK(hdbscan_run(ix2, &hp, l2, &st, &e) == 0);
    CHECK_MSG(labels_ari(l2, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "HDBSCAN ARI %f",
              labels_ari(l2, truth, N, LABELS_NOISE_SINGLETON));
    CHECK(st.clusters == IDS && st.noise == NOISE);
    for (size_t i = IDS * PER; i < N; i++)
        CHECK(l2[i] == -1);
    CHECK(hdbscan_run(ix1, &hp, l1, NULL, &e) == 0);
    CHECK(same_labels(l1, l2, N)); /* same input, other thread count: same labels */
    CHECK(hdbscan_run(ix2, &hp, l1, NULL, &e) == 0);
    CHECK(same_labels(l1, l2, N));
    hdbscan_params h1 = { .min_cluster_size = 3, .min_samples = 1 }; /* core distance 0: plain distances */
    CHECK(hdbscan_run(ix2, &h1, l1, NULL, &e) == 0);
    CHECK(labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON) == 1.0);
    int32_t one = 5;
    nb_index *single = neighbors_new(x, 1, DIM, NB_EUCLIDEAN, 1, &e);
    CHECK(hdbscan_run(single, &hp, &one, NULL, &e) == 0 && one == -1);
    neighbors_free(single);
    hp.selection = HDBSCAN_LEAF;
    CHECK(hdbscan_run(ix2, &hp, l1, NULL, &e) == 0);
    CHECK(labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON) > 0.95);
    hp.min_cluster_size = 1;
    CHECK(hdbscan_run(ix2, &hp, l1, NULL, &e) == ERR_INVALID);
    CHECK(strstr(e.msg, "min cluster size") != NULL);

    nb_index *cx = neighbors_new(x, N, DIM, NB_COSINE, 2, &e);
    hdbscan_params hc = { .min_cluster_size = 3 };
    CHECK(hdbscan_run(cx, &hc, l1, NULL, &e) == 0);
    CHECK(labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON) == 1.0);
    neighbors_free(cx);

    CHECK(dbscan_run(ix2, 0.7, 3, l1, &e) == 0);
    CHECK_MSG(labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "DBSCAN ARI %f",
              labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON));
    CHECK(count_noise(l1, N) == NOISE);
    CHECK(dbscan_run(ix1, 0.7, 3, l2, &e) == 0);
    CHECK(same_labels(l1, l2, N));
    CHECK(dbscan_run(ix2, -1, 3, l1, &e) == ERR_INVALID);

    for (int lk = 0; lk < 3; lk++) {
        agglomerative_params ap = { .linkage = (agglo_linkage)lk, .threshold = lk == AGGLO_COMPLETE ? 0.75 : 0.7 };
        CHECK(agglomerative_run(ix2, &ap, l1, &e) == 0);
        CHECK_MSG(labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "%s linkage ARI %f",
                  agglomerative_linkage_name(ap.linkage), labels_ari(l1, truth, N, LABELS_NOISE_SINGLETON));
        CHECK(count_noise(l1, N) == NOISE);
    }
    /* a matrix limit far below the set: components are capped at the faces
     * whose matrix fits (22 here), the run still answers; refining clusters
     * larger than that refuses, naming the size */
    agglomerative_params big = { .linkage = AGGLO_AVERAGE, .threshold = 0.7, .max_matrix_bytes = 1000 };
    CHECK(agglomerative_run(ix2, &big, l1, &e) == 0);
    for (size_t i = 0; i < N; i++)
        l2[i] = truth[i] >= 0 ? 0 : -1;
    CHECK(agglomerative_refine(ix2, &big, l2, &e) == ERR_LIMIT);
    CHECK(strstr(e.msg, "320 faces") != NULL);
    CHECK(agglomerative_linkage_parse("complete") == AGGLO_COMPLETE && agglomerative_linkage_parse("ward") == -1);
    neighbors_free(ix1);
    neighbors_free(ix2);
    free(x);
}

/* Textbook DBSCAN on all pairs, with the same border rule (nearest core face). */
static void dbscan_reference(const float *x, size_t n, double eps, size_t ms, int32_t *out)
{
    double *d = malloc(n * n * sizeof *d);
    size_t *cnt = calloc(n, sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (int t = 0; t < DIM; t++) {
                double v = (double)x[i * DIM + t] - x[j * DIM + t];
                s += v * v;
            }
            d[i * n + j] = sqrt(s);
            cnt[i] += d[i * n + j] <= eps;
        }
    for (size_t i = 0; i < n; i++)
        out[i] = -1;
    size_t *stack = malloc(n * sizeof *stack);
    int32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (cnt[i] < ms || out[i] >= 0)
            continue;
        size_t sp = 0;
        stack[sp++] = i;
        out[i] = next;
        while (sp) {
            size_t u = stack[--sp];
            for (size_t v = 0; v < n; v++)
                if (cnt[v] >= ms && out[v] < 0 && d[u * n + v] <= eps)
                    out[v] = next, stack[sp++] = v;
        }
        next++;
    }
    for (size_t i = 0; i < n; i++) {
        if (cnt[i] >= ms)
            continue;
        double best = INFINITY;
        for (size_t j = 0; j < n; j++)
            if (cnt[j] >= ms && j != i && d[i * n + j] <= eps && d[i * n + j] < best)
                best = d[i * n + j], out[i] = out[j];
    }
    labels_canonicalize(out, n);
    free(d);
    free(cnt);
    free(stack);
}

static void test_dbscan_matches_reference(void)
{
    enum { N = 45 * 5 + 20 };
    int32_t truth[N], got[N], ref[N];
    float *x = blobs(5, 45, 20, truth, 77); /* 45 faces a person: the 32-neighbour lists overflow */
    err e = { 0 };
    nb_index *ix = neighbors_new(x, N, DIM, NB_EUCLIDEAN, 2, &e);
    double epss[] = { 0.3, 0.45, 0.55, 0.7, 0.95, 1.2, 2.5 };
    size_t mss[] = { 1, 3, 5, 40 };
    for (size_t a = 0; a < sizeof epss / sizeof *epss; a++)
        for (size_t b = 0; b < sizeof mss / sizeof *mss; b++) {
            CHECK(dbscan_run(ix, epss[a], mss[b], got, &e) == 0);
            dbscan_reference(x, N, epss[a], mss[b], ref);
            CHECK_MSG(same_labels(got, ref, N), "DBSCAN eps %.2f min samples %zu differs from the reference", epss[a],
                      mss[b]);
        }
    neighbors_free(ix);
    free(x);
}

static void test_bad_input(void)
{
    float x[4 * DIM] = { 0 };
    err e = { 0 };
    x[2 * DIM + 5] = NAN;
    CHECK(neighbors_new(x, 4, DIM, NB_EUCLIDEAN, 1, &e) == NULL);
    CHECK(e.code == ERR_INVALID && strstr(e.msg, "descriptor 2") != NULL);
    x[2 * DIM + 5] = 0;
    CHECK(neighbors_new(x, 4, DIM, NB_COSINE, 1, &e) == NULL);
    CHECK(strstr(e.msg, "all zero") != NULL);
}

static void test_labels(void)
{
    int32_t a[6] = { 5, 5, 9, 9, -1, -1 }, b[6] = { 1, 1, 0, 0, -1, -1 }, c[6] = { 0, 0, 0, 1, 1, 1 };
    CHECK(labels_ari(a, b, 6, LABELS_NOISE_CLUSTER) == 1.0);
    CHECK(labels_ari(a, b, 6, LABELS_NOISE_SINGLETON) == 1.0);
    CHECK(labels_ari(a, c, 6, LABELS_NOISE_CLUSTER) < 0.5);
    CHECK(labels_canonicalize(a, 6) == 2);
    CHECK(a[0] == 0 && a[2] == 1 && a[4] == -1);
}

static void test_constraints(void)
{
    enum { IDS = 10, PER = 6, N = IDS * PER };
    int32_t truth[N], l[N], base[N];
    float *x = blobs(IDS, PER, 0, truth, 9);
    err e = { 0 };
    nb_index *ix = neighbors_new(x, N, DIM, NB_EUCLIDEAN, 2, &e);
    hdbscan_params hp = { .min_cluster_size = 3 };
    CHECK(hdbscan_run(ix, &hp, base, NULL, &e) == 0);
    CHECK(labels_ari(base, truth, N, LABELS_NOISE_SINGLETON) == 1.0);

    /* cannot-link by photo: faces 0 and 1 (same identity) are in one photo */
    int32_t photo[N], person[N];
    for (int i = 0; i < N; i++)
        photo[i] = 100 + i, person[i] = -1;
    photo[1] = photo[0];
    constraints c = { .photo = photo };
    CHECK(constraints_check(&c, N, base, &e) == ERR_CONFLICT);
    CHECK(strstr(e.msg, "faces 0 and 1") != NULL);
    memcpy(l, base, sizeof l);
    CHECK(constraints_apply(ix, &c, l, &e) == 0);
    CHECK(constraints_check(&c, N, l, &e) == 0);
    CHECK(l[0] != l[1]);
    int moved = 0; /* only one of the two left; the rest of the identity stays */
    for (int i = 2; i < PER; i++)
        moved += l[i] != l[0] && l[i] != l[1];
    CHECK(moved == 0);
    for (int i = PER; i < N; i++)
        CHECK(l[i] >= 0);

    /* must-link: a face of identity 0 and one of identity 1 confirmed as one person */
    person[0] = 7;
    person[PER] = 7;
    constraints m = { .person = person };
    memcpy(l, base, sizeof l);
    CHECK(constraints_apply(ix, &m, l, &e) == 0);
    CHECK(constraints_check(&m, N, l, &e) == 0);
    CHECK(l[0] == l[PER]);

    /* different confirmed persons never share; a rejected face leaves */
    person[PER] = 8;
    person[1] = 8;                   /* face 1 sits with face 0 (person 7) -> must split */
    constraint_reject rj = { 2, 7 }; /* face 2: "not person 7" */
    constraints d = { .person = person, .reject = &rj, .n_reject = 1 };
    memcpy(l, base, sizeof l);
    CHECK(constraints_check(&d, N, l, &e) == ERR_CONFLICT);
    CHECK(constraints_apply(ix, &d, l, &e) == 0);
    CHECK_MSG(constraints_check(&d, N, l, &e) == 0, "%s", e.msg);
    CHECK(l[0] != l[1] && l[1] == l[PER] && (l[2] < 0 || l[2] != l[0]));

    /* explicit cannot pair, and contradictions are refused */
    constraint_pair cp = { 3, 4 };
    constraints p = { .cannot = &cp, .n_cannot = 1 };
    memcpy(l, base, sizeof l);
    CHECK(constraints_apply(ix, &p, l, &e) == 0);
    CHECK(constraints_check(&p, N, l, &e) == 0 && l[3] != l[4]);
    person[3] = person[4] = 9;
    constraints bad = { .person = person, .cannot = &cp, .n_cannot = 1 };
    CHECK(constraints_apply(ix, &bad, l, &e) == ERR_CONFLICT);
    photo[3] = photo[4];
    constraints bad2 = { .photo = photo, .person = person };
    CHECK(constraints_validate(&bad2, N, &e) == ERR_CONFLICT);
    CHECK(strstr(e.msg, "both confirmed as person 9") != NULL);
    constraint_pair oob = { 3, N };
    constraints bad3 = { .cannot = &oob, .n_cannot = 1 };
    CHECK(constraints_validate(&bad3, N, &e) == ERR_INVALID);

    /* the one entry point applies the decisions for every algorithm */
    {
        int32_t ph[N], pe[N];
        for (int i = 0; i < N; i++)
            ph[i] = 500 + i, pe[i] = -1;
        ph[PER + 1] = ph[PER]; /* two faces of identity 1 in one photo */
        pe[2 * PER] = 3;       /* identity 2 and identity 3 confirmed as one person */
        pe[3 * PER] = 3;
        constraints cc = { .photo = ph, .person = pe };
        for (int a = 0; a < 3; a++) {
            cluster_params cp;
            cluster_params_default(&cp, (cluster_algo)a);
            cp.dbscan_eps = 0.7;
            cp.agglomerative.threshold = 0.7;
            CHECK(cluster_run(ix, &cp, NULL, l, &e) == 0);
            CHECK_MSG(constraints_check(&cc, N, l, &e) == ERR_CONFLICT, "%s without decisions",
                      cluster_algo_name(cp.algo));
            CHECK(cluster_run(ix, &cp, &cc, l, &e) == 0);
            CHECK_MSG(constraints_check(&cc, N, l, &e) == 0, "%s: %s", cluster_algo_name(cp.algo), e.msg);
            CHECK(l[PER] != l[PER + 1] && l[2 * PER] == l[3 * PER] && l[2 * PER + 1] == l[3 * PER + 1]);
        }
        CHECK(cluster_algo_parse("dbscan") == CLUSTER_DBSCAN && cluster_algo_parse("kmeans") == -1);
    }

    /* every algorithm goes through the same pass */
    person[3] = person[4] = -1;
    photo[3] = 103;
    constraints all = { .photo = photo, .person = person, .reject = &rj, .n_reject = 1 };
    CHECK(dbscan_run(ix, 0.7, 3, l, &e) == 0);
    CHECK(constraints_apply(ix, &all, l, &e) == 0);
    CHECK(constraints_check(&all, N, l, &e) == 0);
    agglomerative_params ap = { .linkage = AGGLO_AVERAGE, .threshold = 0.7 };
    CHECK(agglomerative_run(ix, &ap, l, &e) == 0);
    CHECK(constraints_apply(ix, &all, l, &e) == 0);
    CHECK(constraints_check(&all, N, l, &e) == 0);
    neighbors_free(ix);
    free(x);
}

/* Leftovers join the cluster of their nearest assigned face within attach,
 * unless a decision forbids it. On a line: A = 0, 0.05 .. 0.2, B = 10 ..
 * 10.2, p at 0.5 (0.3 from A), q at 1.5. DBSCAN (eps 0.1, 3 samples) finds
 * the candidates by a query of the leftovers; average linkage (cut 0.2, 3
 * faces) hands over its MST's neighbour lists instead: both must agree. */
static void test_attach_algo(cluster_algo algo)
{
    enum { N = 12 };
    float x[N * 2] = { 0 };
    for (int i = 0; i < 5; i++)
        x[2 * i] = 0.05f * i, x[2 * (5 + i)] = 10 + 0.05f * i;
    x[2 * 10] = 0.5f;
    x[2 * 11] = 1.5f;
    err e = { 0 };
    nb_index *ix = neighbors_new(x, N, 2, NB_EUCLIDEAN, 1, &e);
    CHECK(ix != NULL);
    if (!ix)
        return;
    cluster_params cp;
    cluster_params_default(&cp, algo);
    cp.dbscan_eps = 0.1;
    cp.dbscan_min_samples = 3;
    cp.agglomerative.threshold = 0.2;
    cp.agglomerative.min_cluster_size = 3;
    int32_t l[N];
    cp.attach = 0;
    CHECK(cluster_run(ix, &cp, NULL, l, &e) == 0);
    CHECK(l[0] >= 0 && l[5] >= 0 && l[0] != l[5] && l[10] == -1 && l[11] == -1);
    cp.attach = 0.45;
    CHECK(cluster_run(ix, &cp, NULL, l, &e) == 0);
    CHECK_MSG(l[10] == l[0] && l[11] == -1, "p %d (A %d), q %d", l[10], l[0], l[11]);
    /* p shares a photo with a face of A: stays out */
    int32_t photo[N], person[N];
    for (int i = 0; i < N; i++)
        photo[i] = 100 + i, person[i] = -1;
    photo[10] = photo[2];
    constraints c1 = { .photo = photo };
    CHECK(cluster_run(ix, &cp, &c1, l, &e) == 0);
    CHECK(l[10] == -1 && l[0] >= 0);
    /* p was rejected from the person confirmed in A: stays out */
    photo[10] = 110;
    person[1] = 7;
    constraint_reject rj = { 10, 7 };
    constraints c2 = { .photo = photo, .person = person, .reject = &rj, .n_reject = 1 };
    CHECK(cluster_run(ix, &cp, &c2, l, &e) == 0);
    CHECK(l[10] == -1 && l[1] >= 0);
    /* a cannot-link with a face of A: stays out; rejected elsewhere: joins */
    constraint_pair cl = { 10, 3 };
    constraints c3 = { .cannot = &cl, .n_cannot = 1 };
    CHECK(cluster_run(ix, &cp, &c3, l, &e) == 0);
    CHECK(l[10] == -1);
    person[6] = 8;
    rj.person = 8;
    CHECK(cluster_run(ix, &cp, &c2, l, &e) == 0);
    CHECK(l[10] == l[0] && l[10] >= 0);
    CHECK(constraints_check(&c2, N, l, &e) == 0);
    neighbors_free(ix);
}

/* The attach rule against brute force on 400 random points of the plane
 * (blobs and scatter), with the lists average linkage hands over: a face
 * unassigned by the cut joins the label (before attaching) of the first of
 * its CLUSTER_ATTACH_K nearest others, nearest first, that is within attach
 * and assigned; no such face: it stays unassigned. */
static void test_attach_brute(void)
{
    enum { N = 400 };
    float x[N * 2];
    uint64_t st = 11;
    for (int i = 0; i < N; i++) {
        double cx = i < 300 ? (i % 6) * 3.0 : 0, cy = i < 300 ? (i % 6 % 2) * 2.0 : 0;
        double s = i < 300 ? 0.25 : 6;
        x[2 * i] = (float)(cx + s * test_normal(&st));
        x[2 * i + 1] = (float)(cy + s * test_normal(&st));
    }
    err e = { 0 };
    nb_index *ix = neighbors_new(x, N, 2, NB_EUCLIDEAN, 2, &e);
    CHECK(ix != NULL);
    if (!ix)
        return;
    cluster_params cp;
    cluster_params_default(&cp, CLUSTER_AGGLOMERATIVE);
    cp.agglomerative.threshold = 0.5;
    cp.agglomerative.min_cluster_size = 3;
    cp.rejoin.max_between = 0;
    int32_t before[N], after[N], want[N];
    cp.attach = 0;
    CHECK(cluster_run(ix, &cp, NULL, before, &e) == 0);
    cp.attach = 0.8;
    CHECK(cluster_run(ix, &cp, NULL, after, &e) == 0);
    size_t left = 0, joined = 0;
    for (int i = 0; i < N; i++) {
        want[i] = before[i];
        if (before[i] >= 0)
            continue;
        left++;
        int nb[CLUSTER_ATTACH_K];
        double nd[CLUSTER_ATTACH_K];
        int have = 0;
        for (int j = 0; j < N; j++) { /* insertion into the k nearest others, ties by index */
            if (j == i)
                continue;
            double d = neighbors_dist(ix, (size_t)i, (size_t)j);
            int at = have;
            while (at > 0 && nd[at - 1] > d)
                at--;
            if (at >= CLUSTER_ATTACH_K)
                continue;
            for (int m = (have < CLUSTER_ATTACH_K ? have : CLUSTER_ATTACH_K - 1); m > at; m--)
                nb[m] = nb[m - 1], nd[m] = nd[m - 1];
            nb[at] = j, nd[at] = d;
            have += have < CLUSTER_ATTACH_K;
        }
        for (int m = 0; m < have && nd[m] <= cp.attach; m++)
            if (before[nb[m]] >= 0) {
                want[i] = before[nb[m]];
                joined++;
                break;
            }
    }
    /* the labels are renumbered after attaching: compare as partitions */
    CHECK_MSG(labels_ari(after, want, N, LABELS_NOISE_SINGLETON) == 1.0, "ARI %.6f",
              labels_ari(after, want, N, LABELS_NOISE_SINGLETON));
    size_t unassigned = 0;
    for (int i = 0; i < N; i++)
        unassigned += after[i] < 0;
    CHECK_MSG(left > 20 && joined > 5 && unassigned == left - joined, "left %zu joined %zu unassigned %zu", left,
              joined, unassigned);
    neighbors_free(ix);
}

static void test_attach(void)
{
    test_attach_algo(CLUSTER_DBSCAN);
    test_attach_algo(CLUSTER_AGGLOMERATIVE);
    test_attach_brute();
}

/* The 22 faces the demo finds in models/face-api/demo/sample1-6.jpg (six
 * photos of different groups of women; tests/unit/data/demo_descriptors.csv:
 * file, face number, 128 floats). Nearest neighbours lie 0.44-0.69 apart —
 * strangers as close as the descriptor's same/different threshold. Returns n. */
static size_t demo_descriptors(float *x, size_t cap)
{
    const char *src = getenv("FACETAG_SRC");
    char path[1024], line[8192];
    snprintf(path, sizeof path, "%s/tests/unit/data/demo_descriptors.csv", src && *src ? src : ".");
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "%s: cannot open", path);
    size_t n = 0;
    while (f && n < cap && fgets(line, sizeof line, f)) {
        char *p = strchr(line, ',');
        p = p ? strchr(p + 1, ',') : NULL;
        for (int j = 0; p && j < DIM; j++) {
            char *end;
            x[n * DIM + j] = strtof(p + 1, &end);
            p = *end == ',' ? end : NULL;
            CHECK_MSG(j == DIM - 1 || p, "%s:%zu: short row", path, n + 1);
        }
        n++;
    }
    if (f)
        fclose(f);
    return n;
}

static void test_distance_guard(void)
{
    err e = { 0 };
    /* by hand: a cluster {0..5} whose tree edge 2-3 is long falls apart into
     * {0,1,2} and {3,4,5}; with min size 4 both become noise */
    mst_edge edges[6] = { { 0, 1, 0.3 }, { 1, 2, 0.3 }, { 2, 3, 0.9 }, { 3, 4, 0.3 }, { 4, 5, 0.3 }, { 5, 6, 1.5 } };
    double plain[6] = { 0.3, 0.3, 0.9, 0.3, 0.3, 1.5 };
    int32_t l[7] = { 0, 0, 0, 0, 0, 0, -1 };
    size_t guarded = 99;
    CHECK(hdbscan_guard(7, edges, plain, 0.6, 3, l, &guarded, &e) == 0);
    CHECK(l[0] == 0 && l[1] == 0 && l[2] == 0 && l[3] == 1 && l[4] == 1 && l[5] == 1 && l[6] == -1);
    CHECK(guarded == 0);
    int32_t l4[7] = { 0, 0, 0, 0, 0, 0, -1 };
    CHECK(hdbscan_guard(7, edges, plain, 0.6, 4, l4, &guarded, &e) == 0);
    CHECK(count_noise(l4, 7) == 7 && guarded == 6);
    int32_t lw[7] = { 0, 0, 0, 0, 0, 0, -1 };
    CHECK(hdbscan_guard(7, edges, plain, 1.0, 3, lw, &guarded, &e) == 0); /* wide enough: untouched */
    CHECK(lw[0] == 0 && lw[5] == 0 && lw[6] == -1 && guarded == 0);

    /* the demo's strangers: plain HDBSCAN makes persons of them (the bug);
     * the default guard leaves every face unassigned */
    enum { CAP = 64 };
    float *x = malloc(CAP * DIM * sizeof *x);
    int32_t dl[CAP];
    size_t n = demo_descriptors(x, CAP);
    CHECK_MSG(n == 22, "demo descriptors: %zu rows", n);
    nb_index *ix = neighbors_new(x, n, DIM, NB_EUCLIDEAN, 1, &e);
    CHECK(ix != NULL);
    hdbscan_params off = { .min_cluster_size = 3 };
    CHECK(hdbscan_run(ix, &off, dl, NULL, &e) == 0);
    CHECK_MSG(count_noise(dl, n) < n, "plain HDBSCAN left all %zu demo faces unassigned", n);
    cluster_params p;
    cluster_params_default(&p, CLUSTER_HDBSCAN);
    CHECK(p.hdbscan.max_distance > 0);
    CHECK(cluster_run(ix, &p, NULL, dl, &e) == 0);
    CHECK_MSG(count_noise(dl, n) == n, "default guard: %zu of %zu demo faces in persons", n - count_noise(dl, n), n);
    neighbors_free(ix);
    nb_index *cx = neighbors_new(x, n, DIM, NB_COSINE, 1, &e);
    cluster_params_default_metric(&p, CLUSTER_HDBSCAN, NB_COSINE);
    CHECK(cx && cluster_run(cx, &p, NULL, dl, &e) == 0);
    CHECK_MSG(count_noise(dl, n) == n, "cosine guard: %zu of %zu demo faces in persons", n - count_noise(dl, n), n);
    neighbors_free(cx);
    free(x);

    /* real same-person groups (spread ~0.45 within) still cluster, all of them */
    enum { IDS = 40, PER = 6, NOISE = 12, N = IDS * PER + NOISE };
    int32_t truth[N], lb[N];
    float *b = blobs(IDS, PER, NOISE, truth, 7);
    nb_index *bx = neighbors_new(b, N, DIM, NB_EUCLIDEAN, 2, &e);
    cluster_params_default(&p, CLUSTER_HDBSCAN);
    CHECK(bx && cluster_run(bx, &p, NULL, lb, &e) == 0);
    CHECK_MSG(labels_ari(lb, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "guarded HDBSCAN on blobs: ARI %f",
              labels_ari(lb, truth, N, LABELS_NOISE_SINGLETON));
    neighbors_free(bx);
    nb_index *bc = neighbors_new(b, N, DIM, NB_COSINE, 2, &e);
    cluster_params_default_metric(&p, CLUSTER_HDBSCAN, NB_COSINE);
    CHECK(bc && cluster_run(bc, &p, NULL, lb, &e) == 0);
    CHECK_MSG(labels_ari(lb, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "guarded cosine HDBSCAN on blobs: ARI %f",
              labels_ari(lb, truth, N, LABELS_NOISE_SINGLETON));
    neighbors_free(bc);
    free(b);
}

/* Textbook UPGMA on the full matrix (O(n^3)): labels of the cut at t, min size 2. */
static void average_reference(const float *x, size_t n, double t, int32_t *out)
{
    double *d = malloc(n * n * sizeof *d);
    size_t *size = malloc(n * sizeof *size), *grp = malloc(n * sizeof *grp);
    for (size_t i = 0; i < n; i++) {
        size[i] = 1;
        grp[i] = i;
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < DIM; k++) {
                double v = (double)x[i * DIM + k] - x[j * DIM + k];
                s += v * v;
            }
            d[i * n + j] = sqrt(s);
        }
    }
    for (;;) {
        double best = INFINITY;
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (size[i] && size[j] && d[i * n + j] < best)
                    best = d[i * n + j], a = i, b = j;
        if (!(best <= t))
            break;
        for (size_t k = 0; k < n; k++) {
            if (!size[k] || k == a || k == b)
                continue;
            double v = (size[a] * d[a * n + k] + size[b] * d[b * n + k]) / (double)(size[a] + size[b]);
            d[a * n + k] = d[k * n + a] = v;
        }
        size[a] += size[b];
        size[b] = 0;
        for (size_t i = 0; i < n; i++)
            if (grp[i] == b)
                grp[i] = a;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = size[grp[i]] >= 2 ? (int32_t)grp[i] : -1;
    labels_canonicalize(out, n);
    free(d);
    free(size);
    free(grp);
}

/* Average linkage one single-linkage component at a time is the whole
 * hierarchy's cut; the refinement splits a glued cluster; the root may be the
 * one HDBSCAN cluster when allowed. */
static void test_average_by_components(void)
{
    err e = { 0 };
    enum { IDS = 12, PER = 9, NOISE = 6, N = IDS * PER + NOISE };
    int32_t truth[N], ref[N], got[N];
    float *x = blobs(IDS, PER, NOISE, truth, 11);
    /* move the faces closer together so components chain and cuts bite */
    for (size_t i = 0; i < (size_t)N * DIM; i++)
        x[i] = (float)(0.3 + (x[i] - 0.3) * 0.7);
    nb_index *ix = neighbors_new(x, N, DIM, NB_EUCLIDEAN, 2, &e);
    static const double ts[] = { 0.3, 0.4, 0.45, 0.5, 0.6, 0.8 };
    for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
        average_reference(x, N, ts[k], ref);
        agglomerative_params ap = { .linkage = AGGLO_AVERAGE, .threshold = ts[k] };
        CHECK(agglomerative_run(ix, &ap, got, &e) == 0);
        CHECK_MSG(same_labels(ref, got, N), "average linkage at %.2f differs from the reference (ARI %f)", ts[k],
                  labels_ari(ref, got, N, LABELS_NOISE_SINGLETON));
    }
    /* refine: two identities glued into one cluster come apart */
    for (size_t i = 0; i < N; i++)
        got[i] = truth[i] == 0 || truth[i] == 1 ? 0 : truth[i];
    labels_canonicalize(got, N);
    agglomerative_params rp = { .linkage = AGGLO_AVERAGE, .threshold = 0.45, .min_cluster_size = 3 };
    CHECK(agglomerative_refine(ix, &rp, got, &e) == 0);
    CHECK_MSG(labels_ari(got, truth, N, LABELS_NOISE_SINGLETON) == 1.0, "refined ARI %f",
              labels_ari(got, truth, N, LABELS_NOISE_SINGLETON));
    rp.linkage = AGGLO_SINGLE;
    CHECK(agglomerative_refine(ix, &rp, got, &e) == ERR_INVALID);
    neighbors_free(ix);

    /* one identity alone: plain HDBSCAN finds no cluster or splits it; with
     * the root allowed it is one */
    nb_index *one = neighbors_new(x, PER, DIM, NB_EUCLIDEAN, 1, &e);
    hdbscan_params hp = { .min_cluster_size = 3, .allow_single_cluster = true };
    CHECK(hdbscan_run(one, &hp, got, NULL, &e) == 0);
    CHECK_MSG(count_noise(got, PER) == 0 && labels_canonicalize(got, PER) == 1,
              "one identity: %zu noise, label of last %d", count_noise(got, PER), got[PER - 1]);
    neighbors_free(one);
    free(x);
}

int main(void)
{
    test_labels();
    test_bad_input();
    test_knn_matches_brute_force();
    test_dbscan_matches_reference();
    test_mst_is_minimal();
    test_condensed_tree_by_hand();
    test_algorithms_recover_blobs();
    test_constraints();
    test_attach();
    test_distance_guard();
    test_average_by_components();
    return test_main_end();
}
