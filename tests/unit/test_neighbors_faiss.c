/* test_neighbors_faiss.c — people/: the approximate neighbour path (FAISS HNSW,
 * cluster/ann_faiss.h behind neighbors.h) against the exact one, on synthetic
 * 128-d face descriptors: kNN recall, HDBSCAN's labels (ARI against the exact
 * path's), the approximate MST's searches and its blind-component fallback,
 * people's decisions through cluster_run, and new faces queried against the
 * built index. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/ann_faiss.h"
#include "cluster/cluster.h"
#include "cluster/constraints.h"
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

/* Face-like descriptors as bench/cluster.c makes them: a common offset,
 * identities of 4..20 faces ~0.45 apart around centres ~0.88 apart, 5 % lone
 * faces. truth: identity or -1. */
static float *faces(size_t n, int32_t *truth, uint64_t seed)
{
    rng = seed;
    float *x = malloc(n * DIM * sizeof *x);
    double offset[DIM], centre[DIM];
    for (int j = 0; j < DIM; j++)
        offset[j] = normal() * 0.09;
    size_t lone = n / 20, i = 0;
    int32_t id = 0;
    while (i < n) {
        int is_lone = i >= n - lone;
        size_t count = is_lone ? 1 : 4 + (size_t)(unit() * 17);
        if (!is_lone && i + count > n - lone)
            count = n - lone - i;
        double norm = 0;
        for (int j = 0; j < DIM; j++) {
            centre[j] = normal();
            norm += centre[j] * centre[j];
        }
        norm = sqrt(norm);
        double sigma = 0.48 / sqrt(2.0 * DIM) * (0.85 + 0.3 * unit());
        for (size_t f = 0; f < count; f++, i++) {
            for (int j = 0; j < DIM; j++)
                x[i * DIM + j] = (float)(offset[j] + 0.62 * centre[j] / norm + sigma * normal());
            truth[i] = is_lone ? -1 : id;
        }
        id += !is_lone;
    }
    return x;
}

/* Tight far-apart groups of the given sizes: each group is more than the kNN
 * lists can see past, so the MST must search (and groups past 256 faces are
 * blind to the index's deepest query: the fallback's case). */
static float *groups(const size_t *sizes, size_t ng, size_t *n_out, int32_t *truth)
{
    size_t n = 0;
    for (size_t g = 0; g < ng; g++)
        n += sizes[g];
    float *x = malloc(n * DIM * sizeof *x);
    rng = 99;
    size_t row = 0;
    for (size_t g = 0; g < ng; g++) {
        double c[DIM], norm = 0;
        for (int j = 0; j < DIM; j++) {
            c[j] = normal();
            norm += c[j] * c[j];
        }
        norm = sqrt(norm);
        for (size_t f = 0; f < sizes[g]; f++, row++) {
            for (int j = 0; j < DIM; j++)
                x[row * DIM + j] = (float)(2.0 * c[j] / norm + 0.02 * normal());
            truth[row] = (int32_t)g;
        }
    }
    *n_out = n;
    return x;
}

static nb_index *index_of(const float *x, size_t n, nb_search s, err *e)
{
    nb_index *ix = neighbors_new(x, n, DIM, NB_EUCLIDEAN, 2, e);
    if (ix)
        neighbors_set_search(ix, s);
    return ix;
}

static void test_modes(void)
{
    CHECK(neighbors_search_parse("auto") == NB_SEARCH_AUTO && neighbors_search_parse("exact") == NB_SEARCH_EXACT &&
          neighbors_search_parse("faiss") == NB_SEARCH_FAISS && neighbors_search_parse("hnsw") == -1);
    CHECK(!strcmp(neighbors_search_name(NB_SEARCH_FAISS), "faiss"));
    float x[4 * DIM];
    for (size_t i = 0; i < 4 * DIM; i++)
        x[i] = (float)(i % 7);
    err e = { 0 };
    nb_index *ix = index_of(x, 4, NB_SEARCH_AUTO, &e);
    CHECK(ix && neighbors_search(ix) == NB_SEARCH_EXACT); /* small: exact */
    neighbors_set_search(ix, NB_SEARCH_FAISS);
    CHECK(neighbors_search(ix) == NB_SEARCH_FAISS && !neighbors_approximate(ix));
    neighbors_free(ix);
}

/* kNN recall and HDBSCAN's labels: FAISS against exact on face-like data. */
static void test_against_exact(void)
{
    const size_t n = 4000, k = 32;
    int32_t *truth = malloc(n * sizeof *truth), *le = malloc(n * sizeof *le), *lf = malloc(n * sizeof *lf);
    float *x = faces(n, truth, 5);
    err e = { 0 };
    nb_index *ex = index_of(x, n, NB_SEARCH_EXACT, &e), *fx = index_of(x, n, NB_SEARCH_FAISS, &e);
    uint32_t *ie = malloc(n * k * sizeof *ie), *jf = malloc(n * k * sizeof *jf);
    float *de = malloc(n * k * sizeof *de), *df = malloc(n * k * sizeof *df);
    CHECK(ex && fx);
    CHECK(neighbors_knn(ex, k, ie, de, &e) == 0 && !neighbors_approximate(ex));
    CHECK_MSG(neighbors_knn(fx, k, jf, df, &e) == 0, "%s", e.msg);
    CHECK(neighbors_approximate(fx));
    size_t hit = 0, first = 0, sorted = 1;
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                hit += ie[i * k + a] == jf[i * k + b];
        first += ie[i * k] == jf[i * k];
        for (size_t a = 0; a + 1 < k; a++)
            sorted &= df[i * k + a] <= df[i * k + a + 1] && jf[i * k + a] != i;
    }
    double recall = (double)hit / (n * k);
    CHECK_MSG(recall >= 0.95, "recall@32 %.4f", recall);
    CHECK_MSG(first >= n * 99 / 100, "nearest neighbour right for %zu of %zu", first, n);
    CHECK(sorted);
    /* the distances are exact, only the candidates approximate */
    CHECK(fabs(df[7] - neighbors_dist(fx, 0, jf[7])) < 1e-6);

    hdbscan_params hp = { .min_cluster_size = 3 };
    hdbscan_stats st;
    CHECK(hdbscan_run(ex, &hp, le, NULL, &e) == 0);
    CHECK_MSG(hdbscan_run(fx, &hp, lf, &st, &e) == 0, "%s", e.msg);
    double ari = labels_ari(lf, le, n, LABELS_NOISE_SINGLETON);
    CHECK_MSG(ari >= 0.99, "ARI FAISS vs exact %.4f", ari);
    CHECK_MSG(labels_ari(lf, truth, n, LABELS_NOISE_SINGLETON) >= 0.98, "ARI vs truth %.4f",
              labels_ari(lf, truth, n, LABELS_NOISE_SINGLETON));
    char desc[128];
    neighbors_describe(fx, desc, sizeof desc);
    CHECK_MSG(strstr(desc, "faiss HNSW") != NULL, "%s", desc);

    /* new faces against the built index: the same nearest faces as the exact scan */
    const size_t m = 200;
    int32_t *tq = malloc(m * sizeof *tq);
    float *q = faces(m, tq, 5); /* the same identities' first faces, jittered below */
    for (size_t i = 0; i < m * DIM; i++)
        q[i] += (float)(0.005 * normal());
    uint32_t qe[200 * 4], qf[200 * 4];
    float dqe[200 * 4], dqf[200 * 4];
    CHECK(neighbors_knn_query(ex, q, m, 4, qe, dqe, &e) == 0);
    CHECK(neighbors_knn_query(fx, q, m, 4, qf, dqf, &e) == 0);
    size_t same = 0;
    for (size_t i = 0; i < m; i++)
        same += qe[i * 4] == qf[i * 4];
    CHECK_MSG(same >= m * 98 / 100, "new faces: nearest right for %zu of %zu", same, m);

    /* people's decisions hold on the FAISS path too (cluster_run's pass) */
    int32_t *photo = malloc(n * sizeof *photo), *person = malloc(n * sizeof *person);
    for (size_t i = 0; i < n; i++)
        photo[i] = (int32_t)i, person[i] = -1;
    size_t a0 = 0, b0 = 0; /* two faces of identity 0 in one photo; identities 1 and 2 confirmed one person */
    while (truth[b0] != 1)
        b0++;
    size_t c0 = b0;
    while (truth[c0] != 2)
        c0++;
    photo[a0 + 1] = photo[a0];
    person[b0] = person[c0] = 7;
    constraints cc = { .photo = photo, .person = person };
    cluster_params cp;
    cluster_params_default(&cp, CLUSTER_HDBSCAN);
    CHECK_MSG(cluster_run(fx, &cp, &cc, lf, &e) == 0, "%s", e.msg);
    CHECK_MSG(constraints_check(&cc, n, lf, &e) == 0, "%s", e.msg);
    CHECK(lf[a0] != lf[a0 + 1] && lf[b0] == lf[c0] && lf[b0] >= 0);

    free(photo);
    free(person);
    free(q);
    free(tq);
    neighbors_free(ex);
    neighbors_free(fx);
    free(ie);
    free(jf);
    free(de);
    free(df);
    free(x);
    free(truth);
    free(le);
    free(lf);
}

static double tree_weight(const mst_edge *t, size_t m)
{
    double w = 0;
    for (size_t i = 0; i < m; i++)
        w += t[i].w;
    return w;
}

/* Groups the kNN lists cannot see out of: the approximate MST searches the
 * index (64, then 256 nearest) and, once the last two components are blind,
 * scans samples of them; its tree weighs what the exact MST weighs and joins
 * the same groups last. */
static void test_mst_searches(void)
{
    const size_t sizes[] = { 300, 280, 120, 40 };
    const size_t ng = sizeof sizes / sizeof *sizes, k = 32;
    int32_t truth[740];
    size_t n;
    float *x = groups(sizes, ng, &n, truth);
    err e = { 0 };
    nb_index *ex = index_of(x, n, NB_SEARCH_EXACT, &e), *fx = index_of(x, n, NB_SEARCH_FAISS, &e);
    uint32_t *ind = malloc(n * k * sizeof *ind);
    float *dist = malloc(n * k * sizeof *dist);
    double *core = malloc(n * sizeof *core);
    mst_edge *te = malloc((n - 1) * sizeof *te), *tf = malloc((n - 1) * sizeof *tf);
    mst_stats se, sf;
    CHECK(neighbors_knn(ex, k, ind, dist, &e) == 0);
    for (size_t i = 0; i < n; i++)
        core[i] = dist[i * k + 1];
    CHECK(mst_mutual_reachability(ex, core, ind, dist, k, te, &se, &e) == 0);
    CHECK_MSG(neighbors_knn(fx, k, ind, dist, &e) == 0, "%s", e.msg);
    for (size_t i = 0; i < n; i++)
        core[i] = dist[i * k + 1];
    CHECK_MSG(mst_mutual_reachability(fx, core, ind, dist, k, tf, &sf, &e) == 0, "%s", e.msg);
    CHECK_MSG(sf.searched_points > 0 && sf.fallback_points > 0, "searched %zu, sampled %zu", sf.searched_points,
              sf.fallback_points);
    double we = tree_weight(te, n - 1), wf = tree_weight(tf, n - 1);
    CHECK_MSG(wf >= we - 1e-6 * we && wf <= we * 1.01, "tree weight %.6f vs exact %.6f", wf, we);
    /* the ng-1 heaviest edges join the groups in both */
    for (size_t i = n - ng; i < n - 1; i++)
        CHECK(truth[tf[i].a] != truth[tf[i].b] && truth[te[i].a] != truth[te[i].b]);
    CHECK(fabs(tf[n - 2].w - te[n - 2].w) <= 0.01 * te[n - 2].w);
    /* a spanning tree: n-1 edges joining everything */
    int32_t *lab = malloc(n * sizeof *lab);
    hdbscan_params hp = { .min_cluster_size = 20 };
    int32_t *le = malloc(n * sizeof *le);
    CHECK(hdbscan_run(ex, &hp, le, NULL, &e) == 0);
    CHECK(hdbscan_run(fx, &hp, lab, NULL, &e) == 0);
    CHECK_MSG(labels_ari(lab, le, n, LABELS_NOISE_SINGLETON) >= 0.99, "ARI %.4f",
              labels_ari(lab, le, n, LABELS_NOISE_SINGLETON));
    free(lab);
    free(le);
    neighbors_free(ex);
    neighbors_free(fx);
    free(ind);
    free(dist);
    free(core);
    free(te);
    free(tf);
    free(x);
}

/* Runs every part, or the ones named on the command line (modes, exact, mst). */
int main(int argc, char **argv)
{
    const struct {
        const char *name;
        void (*fn)(void);
    } parts[] = { { "modes", test_modes }, { "exact", test_against_exact }, { "mst", test_mst_searches } };
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        int run = argc < 2;
        for (int a = 1; a < argc; a++)
            run |= !strcmp(argv[a], parts[i].name);
        if (run)
            parts[i].fn();
    }
    return test_main_end();
}
