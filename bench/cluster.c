/* bench/cluster.c — clustering at scale on synthetic face descriptors, plus the
 * CSV tools the R parity test drives.
 *
 *   bench_cluster [bench] [--sizes 10000,100000] [--threads 2] [--algos hdbscan,dbscan,single,average]
 *                 [--neighbors auto|exact|faiss]
 *       table: time, CPU time, peak RSS (each run in its own child process),
 *       growth exponent between sizes, ARI against the generating identities,
 *       the neighbour search used (hdbscan; algo "incremental": 1,000 new faces
 *       queried against n)
 *   bench_cluster ann [--n 100000] [--threads 2] [--configs hnsw:32:64:96,ivf:0:16]
 *       the approximate index against the exact search on one set: build and
 *       kNN time, recall of the 32 nearest, HDBSCAN's labels (ARI against the
 *       exact path's labels and against the truth), MST searches
 *       (config hnsw:M:efConstruction:efSearch or ivf:nlist(0 = 4 sqrt n):nprobe)
 *   bench_cluster gemm [--n 20000] [--threads 2]
 *       the neighbour-search choice: OpenBLAS tiled sgemm scan vs a plain loop
 *   bench_cluster gen --ids N --min A --max B --noise F --seed S
 *       writes "identity,v0..v127" CSV to stdout (identity -1 = noise)
 *   bench_cluster hdbscan --min-pts K [--min-samples M] [--in FILE]
 *       reads that CSV (stdin by default), prints one label per line (-1 noise)
 *   bench_cluster stage --dir EMPTY_DIR [--n 100000] [--new 1000] [--threads 2]
 *       the cluster stage on a real catalog: n synthetic faces clustered (first
 *       run), then `new` more faces added and clustered incrementally, then a
 *       full re-cluster for comparison: time, peak RSS, ARI against the truth
 *   bench_cluster export --data DATADIR
 *       the current model version's descriptors of a data folder as
 *       "face_id,d0..d127" CSV (the R parity test's real-face sets)
 *
 * Measured (2026-12-01, 2 threads, on a machine shared with two other builds:
 * load average 4.9-6.3 on 2 cores, so wall time is ~1.5-2x the CPU time / 2;
 * CPU s is the child process's whole CPU time, data making included):
 *   bench --sizes 10000,100000,1000000 --algos hdbscan (--neighbors auto)
 *     faces     wall s   CPU s  peak MB  growth  ARI     index
 *     10,000      0.88     0.7     20            0.9990  exact
 *     100,000    63.9     37.6    156    1.86    0.9994  exact
 *     1,000,000  1591   1260     2065    1.40    0.9745  faiss HNSW24 (687 MB)
 *   100,000 with --neighbors faiss: 86.6 s wall, 76.1 s CPU, 233 MB, ARI 0.9993
 *   incremental, 1,000 new faces into 100,000 (exact query): 0.90 s
 *   ann --n 100000: recall@32 0.852, labels ARI 0.9997 against the exact path's
 * At 1M nearly all the time is FAISS's kNN (build + search, the MST 1.2 s);
 * noise rose to 8.6 % (truth 4.9 %) as the graph search's recall falls with
 * n at a fixed efSearch — the knob to raise for large archives.
 *
 * Synthetic descriptors look like real 128-d face descriptors: not centred (a
 * common offset), identity centres spread so different people are ~0.8-1.1
 * apart and faces of one person ~0.4-0.55 apart; noise faces are people seen once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster/agglomerative.h"
#include "cluster/ann_faiss.h"
#include "cluster/cluster.h"
#include "cluster/dbscan.h"
#include "cluster/hdbscan.h"
#include "cluster/labels.h"
#include "cluster/neighbors.h"
#include "people/people_stage.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"
#include "store/people_store.h"

#include <sqlite3.h>
#include <stdbool.h>

#define DIM 128

/* ---- deterministic synthetic data ---------------------------------------- */

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double rng_unit(void)
{
    return ((rng_next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
static double rng_normal(void)
{
    return sqrt(-2 * log(rng_unit())) * cos(6.283185307179586 * rng_unit());
}

typedef struct synth {
    float *x;
    int32_t *truth;
    size_t n;
} synth;

/* n faces: identities of min..max faces each until ~(1-noise)*n, the rest noise. */
static int synth_make(synth *s, size_t n, size_t fmin, size_t fmax, double noise, uint64_t seed)
{
    rng_state = seed;
    s->n = n;
    s->x = malloc(n * DIM * sizeof *s->x);
    s->truth = malloc(n * sizeof *s->truth);
    if (!s->x || !s->truth)
        return -1;
    double offset[DIM], centre[DIM];
    for (int j = 0; j < DIM; j++)
        offset[j] = rng_normal() * 0.09; /* |offset| ~ 1 */
    size_t n_noise = (size_t)(noise * n), i = 0;
    int32_t id = 0;
    const double radius = 0.62; /* centre distances ~0.88 */
    while (i < n) {
        int is_noise = i >= n - n_noise;
        size_t faces = is_noise ? 1 : fmin + rng_next() % (fmax - fmin + 1);
        if (i + faces > n - n_noise && !is_noise)
            faces = n - n_noise - i;
        if (faces == 0)
            continue;
        double norm = 0;
        for (int j = 0; j < DIM; j++) {
            centre[j] = rng_normal();
            norm += centre[j] * centre[j];
        }
        norm = sqrt(norm);
        double sigma = 0.48 / sqrt(2.0 * DIM) * (0.85 + 0.3 * rng_unit());
        for (size_t f = 0; f < faces; f++, i++) {
            for (int j = 0; j < DIM; j++)
                s->x[i * DIM + j] = (float)(offset[j] + radius * centre[j] / norm + sigma * rng_normal());
            s->truth[i] = is_noise ? -1 : id;
        }
        if (!is_noise)
            id++;
    }
    return 0;
}

static void synth_free(synth *s)
{
    free(s->x);
    free(s->truth);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- CSV tools for the R parity test -------------------------------------- */

static int cmd_gen(int argc, char **argv)
{
    size_t ids = 60, fmin = 4, fmax = 20;
    double noise = 0.05;
    uint64_t seed = 1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ids"))
            ids = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--min"))
            fmin = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--max"))
            fmax = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--noise"))
            noise = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "bench_cluster gen: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (fmin < 1 || fmax < fmin || ids < 1 || noise < 0 || noise >= 1) {
        fprintf(stderr, "bench_cluster gen: need ids >= 1, 1 <= min <= max, 0 <= noise < 1\n");
        return 2;
    }
    /* n so that the identities take the expected share */
    rng_state = seed;
    size_t faces = 0;
    for (size_t k = 0; k < ids; k++)
        faces += fmin + rng_next() % (fmax - fmin + 1);
    size_t n = (size_t)(faces / (1 - noise) + 0.5);
    synth s;
    if (synth_make(&s, n, fmin, fmax, noise, seed))
        return 1;
    for (size_t i = 0; i < n; i++) {
        printf("%d", s.truth[i]);
        for (int j = 0; j < DIM; j++)
            printf(",%.8g", s.x[i * DIM + j]);
        putchar('\n');
    }
    synth_free(&s);
    return 0;
}

static int read_csv(FILE *f, synth *s)
{
    size_t cap = 1024;
    s->n = 0;
    s->x = malloc(cap * DIM * sizeof *s->x);
    s->truth = malloc(cap * sizeof *s->truth);
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        if (line[0] == '\n' || line[0] == '#')
            continue;
        if (s->n == cap) {
            cap *= 2;
            s->x = realloc(s->x, cap * DIM * sizeof *s->x);
            s->truth = realloc(s->truth, cap * sizeof *s->truth);
        }
        char *p = line, *end;
        s->truth[s->n] = (int32_t)strtol(p, &end, 10);
        for (int j = 0; j < DIM; j++) {
            if (*end != ',') {
                fprintf(stderr, "bench_cluster: line %zu: expected %d values after the identity\n", s->n + 1, DIM);
                free(line);
                return -1;
            }
            p = end + 1;
            s->x[s->n * DIM + j] = strtof(p, &end);
        }
        s->n++;
    }
    free(line);
    return 0;
}

static int cmd_hdbscan(int argc, char **argv)
{
    hdbscan_params hp = { .min_cluster_size = 5 };
    const char *in = NULL;
    int threads = 2;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--min-pts"))
            hp.min_cluster_size = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--min-samples"))
            hp.min_samples = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--in"))
            in = argv[i + 1];
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "bench_cluster hdbscan: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    FILE *f = in ? fopen(in, "r") : stdin;
    if (!f) {
        fprintf(stderr, "bench_cluster: %s: %s\n", in, strerror(errno));
        return 1;
    }
    synth s;
    int bad = read_csv(f, &s);
    if (in)
        fclose(f);
    if (bad)
        return 1;
    err e = { 0 };
    nb_index *ix = neighbors_new(s.x, s.n, DIM, NB_EUCLIDEAN, threads, &e);
    int32_t *labels = malloc((s.n ? s.n : 1) * sizeof *labels);
    hdbscan_stats st;
    if (!ix || hdbscan_run(ix, &hp, labels, &st, &e)) {
        fprintf(stderr, "bench_cluster: %s\n", e.msg);
        return 1;
    }
    fprintf(stderr, "bench_cluster: %zu faces, %zu clusters, %zu noise; MST %zu rounds, %zu exact scans\n", s.n,
            st.clusters, st.noise, st.mst.rounds, st.mst.searched_points);
    for (size_t i = 0; i < s.n; i++)
        printf("%d\n", labels[i]);
    neighbors_free(ix);
    free(labels);
    synth_free(&s);
    return 0;
}

/* ---- the neighbour-search choice ------------------------------------------ */

static void min_row(void *ctx, int thread, uint32_t q, const float *d2, uint32_t r0, uint32_t r1)
{
    (void)thread;
    float *best = ctx;
    float b = best[q];
    for (uint32_t r = r0; r < r1; r++)
        if (r != q && d2[r - r0] < b)
            b = d2[r - r0];
    best[q] = b;
}

static int cmd_gemm(int argc, char **argv)
{
    size_t n = 20000;
    int threads = 2;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
    synth s;
    if (synth_make(&s, n, 4, 20, 0.05, 7))
        return 1;
    err e = { 0 };
    nb_index *ix = neighbors_new(s.x, n, DIM, NB_EUCLIDEAN, threads, &e);
    float *best = malloc(n * sizeof *best), *best2 = malloc(n * sizeof *best2);
    for (size_t i = 0; i < n; i++)
        best[i] = best2[i] = INFINITY;
    double t0 = now_seconds();
    if (neighbors_scan(ix, NULL, 0, min_row, best, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    double t_gemm = now_seconds() - t0;
    /* The plain loop a hand-written search would use (one thread, the compiler's
     * vectorisation at -O2), on a slice of the queries, scaled up. */
    size_t nq = n / 20 ? n / 20 : 1;
    t0 = now_seconds();
    for (size_t q = 0; q < nq; q++) {
        const float *a = s.x + q * DIM;
        for (size_t r = 0; r < n; r++) {
            if (r == q)
                continue;
            const float *b = s.x + r * DIM;
            float acc = 0;
            for (int j = 0; j < DIM; j++) {
                float d = a[j] - b[j];
                acc += d * d;
            }
            if (acc < best2[q])
                best2[q] = acc;
        }
    }
    double t_loop = (now_seconds() - t0) * ((double)n / nq);
    double maxdiff = 0;
    for (size_t q = 0; q < nq; q++)
        maxdiff = fmax(maxdiff, fabs(sqrt(best[q]) - sqrt(best2[q])));
    double pairs = (double)n * n;
    printf("all-pairs nearest neighbour, n = %zu, d = %d\n", n, DIM);
    printf("  OpenBLAS tiled sgemm, %d threads: %8.2f s  %7.1f GFLOP/s\n", threads, t_gemm,
           pairs * DIM * 2 / t_gemm / 1e9);
    printf("  plain loop, 1 thread (scaled):    %8.2f s  %7.1f GFLOP/s\n", t_loop, pairs * DIM * 3 / t_loop / 1e9);
    printf("  plain loop, ideal 2 threads:      %8.2f s\n", t_loop / 2);
    printf("  largest nearest-distance difference: %.2e\n", maxdiff);
    neighbors_free(ix);
    free(best);
    free(best2);
    synth_free(&s);
    return 0;
}

/* ---- the scale table ------------------------------------------------------ */

typedef struct run_result {
    char index[96];
    double seconds;
    double ari;
    size_t clusters, noise;
    int ok;
    char note[160];
} run_result;

static void run_one(const char *algo, size_t n, int threads, nb_search search, run_result *r)
{
    synth s;
    memset(r, 0, sizeof *r);
    if (synth_make(&s, n, 4, 20, 0.05, 42)) {
        snprintf(r->note, sizeof r->note, "out of memory for the data");
        return;
    }
    err e = { 0 };
    int32_t *labels = malloc(n * sizeof *labels);
    /* "default": what `facetag cluster` runs (cluster.h's default algorithm
     * with its parameters, through cluster_run, attaching included) on the
     * Euclidean scale the synthetic faces are made for (the default metric's
     * cut, cosine 0.077, is calibrated on real descriptors; the cost is the
     * same: one MST, then a matrix per component) */
    /* "cosine": the same on a cosine index with the cosine defaults, which is
     * what `facetag cluster` runs on real faces, rejoining included */
    const int is_cosine = !strcmp(algo, "cosine");
    const int is_default = !strcmp(algo, "default") || is_cosine;
    nb_index *ix = neighbors_new(s.x, n, DIM, is_cosine ? NB_COSINE : NB_EUCLIDEAN, threads, &e);
    if (ix)
        neighbors_set_search(ix, search);
    double t0 = now_seconds();
    int rc = ix ? 0 : -1;
    if (!rc && is_default) {
        cluster_params cp;
        cluster_params_default_metric(&cp, CLUSTER_DEFAULT_ALGO, is_cosine ? NB_COSINE : NB_EUCLIDEAN);
        cp.neighbors = search;
        rc = cluster_run(ix, &cp, NULL, labels, &e);
        if (!rc)
            neighbors_describe(ix, r->index, sizeof r->index);
    } else if (!rc && !strcmp(algo, "hdbscan")) {
        hdbscan_params hp = { .min_cluster_size = 3 };
        hdbscan_stats st;
        rc = hdbscan_run(ix, &hp, labels, &st, &e);
        if (!rc)
            snprintf(r->note, sizeof r->note, "knn %.1fs mst %.1fs (%zu rounds, %zu searched, %zu sampled) tree %.2fs",
                     st.seconds_knn, st.seconds_mst, st.mst.rounds, st.mst.searched_points, st.mst.fallback_points,
                     st.seconds_tree);
        if (!rc)
            neighbors_describe(ix, r->index, sizeof r->index);
    } else if (!rc && !strcmp(algo, "incremental")) {
        /* the neighbour search behind assigning 1,000 newly analysed faces to an
         * index of n: synthesise n + 1000, hold back every (n/1000+1)-th face as
         * "new", index the rest, query the held-back ones */
        size_t m = 1000, k = 8, step = (n + m) / m, nq = 0, ni = 0;
        synth t;
        nb_index *big = NULL;
        uint32_t *qi = malloc(m * k * sizeof *qi);
        float *qd = malloc(m * k * sizeof *qd), *xi = NULL, *xq = NULL;
        int32_t *ti = NULL, *tq = NULL;
        rc = synth_make(&t, n + m, 4, 20, 0.05, 43);
        if (!rc) {
            xi = malloc((n + m) * DIM * sizeof *xi);
            xq = malloc(m * DIM * sizeof *xq);
            ti = malloc((n + m) * sizeof *ti);
            tq = malloc(m * sizeof *tq);
            for (size_t i = 0; i < n + m; i++) {
                if (i % step == 0 && nq < m) {
                    memcpy(xq + nq * DIM, t.x + i * DIM, DIM * sizeof *xq);
                    tq[nq++] = t.truth[i];
                } else {
                    memcpy(xi + ni * DIM, t.x + i * DIM, DIM * sizeof *xi);
                    ti[ni++] = t.truth[i];
                }
            }
            big = neighbors_new(xi, ni, DIM, NB_EUCLIDEAN, threads, &e);
        }
        if (big)
            neighbors_set_search(big, search);
        t0 = now_seconds();
        rc = big ? neighbors_knn_query(big, xq, nq, k, qi, qd, &e) : -1;
        r->seconds = now_seconds() - t0;
        if (!rc) {
            size_t same = 0, known = 0; /* new faces whose nearest indexed face is their person */
            for (size_t i = 0; i < nq; i++) {
                known += tq[i] >= 0;
                same += tq[i] >= 0 && ti[qi[i * k]] == tq[i];
            }
            snprintf(r->note, sizeof r->note, "%zu new faces into %zu: nearest is the same person for %zu/%zu", nq, ni,
                     same, known);
            neighbors_describe(big, r->index, sizeof r->index);
            r->ok = 1;
            r->ari = NAN;
        }
        free(xi);
        free(xq);
        free(ti);
        free(tq);
        neighbors_free(big);
        free(qi);
        free(qd);
        synth_free(&t);
        neighbors_free(ix);
        free(labels);
        synth_free(&s);
        return;
    } else if (!rc && !strcmp(algo, "dbscan")) {
        rc = dbscan_run(ix, 0.6, 3, labels, &e);
    } else if (!rc) {
        agglomerative_params ap = { .linkage = !strcmp(algo, "single")     ? AGGLO_SINGLE
                                               : !strcmp(algo, "complete") ? AGGLO_COMPLETE
                                                                           : AGGLO_AVERAGE,
                                    .threshold = 0.65,
                                    .min_cluster_size = 2 };
        rc = agglomerative_run(ix, &ap, labels, &e);
    }
    r->seconds = now_seconds() - t0;
    if (rc) {
        snprintf(r->note, sizeof r->note, "%.150s", e.msg);
    } else {
        r->ok = 1;
        r->ari = labels_ari(labels, s.truth, n, LABELS_NOISE_SINGLETON);
        for (size_t i = 0; i < n; i++) {
            if (labels[i] < 0)
                r->noise++;
            else if ((size_t)labels[i] + 1 > r->clusters)
                r->clusters = (size_t)labels[i] + 1;
        }
    }
    neighbors_free(ix);
    free(labels);
    synth_free(&s);
}

static int cmd_bench(int argc, char **argv)
{
    char sizes_s[256] = "10000,100000", algos_s[256] = "hdbscan,dbscan,single,average";
    int threads = 2;
    nb_search search = NB_SEARCH_AUTO;
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--sizes"))
            snprintf(sizes_s, sizeof sizes_s, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--neighbors")) {
            int v = neighbors_search_parse(argv[++i]);
            if (v < 0) {
                fprintf(stderr, "bench_cluster: --neighbors takes auto, exact or faiss\n");
                return 2;
            }
            search = (nb_search)v;
        } else if (!strcmp(argv[i], "--algos"))
            snprintf(algos_s, sizeof algos_s, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[++i]);
    }
    printf("synthetic 128-d faces (identities of 4-20 faces, 5%% noise), %d threads, --neighbors %s\n", threads,
           neighbors_search_name(search));
    printf("%-11s %8s %8s %8s %8s %6s %8s %6s %7s  %-34s %s\n", "algo", "faces", "seconds", "CPU s", "peakMB", "growth",
           "clusters", "noise%", "ARI", "index", "notes");
    char *save_a = NULL;
    for (char *algo = strtok_r(algos_s, ",", &save_a); algo; algo = strtok_r(NULL, ",", &save_a)) {
        double prev_t = 0, prev_n = 0;
        char sizes_copy[256];
        snprintf(sizes_copy, sizeof sizes_copy, "%s", sizes_s);
        char *save_s = NULL;
        for (char *ns = strtok_r(sizes_copy, ",", &save_s); ns; ns = strtok_r(NULL, ",", &save_s)) {
            size_t n = strtoul(ns, NULL, 10);
            int fd[2];
            if (pipe(fd))
                return 1;
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                close(fd[0]);
                run_result r;
                run_one(algo, n, threads, search, &r);
                ssize_t w = write(fd[1], &r, sizeof r);
                _exit(w == (ssize_t)sizeof r ? 0 : 1);
            }
            close(fd[1]);
            run_result r;
            memset(&r, 0, sizeof r);
            ssize_t got = read(fd[0], &r, sizeof r);
            close(fd[0]);
            int status;
            struct rusage ru;
            wait4(pid, &status, 0, &ru);
            if (got != (ssize_t)sizeof r)
                snprintf(r.note, sizeof r.note, "run died (status %d)", status);
            char growth[16] = "";
            if (r.ok && prev_n > 0)
                snprintf(growth, sizeof growth, "%.2f", log(r.seconds / prev_t) / log(n / prev_n));
            double cpu =
                ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
            char load[64] = "";
            FILE *lf = fopen("/proc/loadavg", "r");
            if (lf) {
                if (!fgets(load, sizeof load, lf))
                    load[0] = 0;
                fclose(lf);
                load[strcspn(load, " ")] = 0; /* the 1-minute figure */
            }
            printf("%-11s %8zu %8.2f %8.1f %8.1f %6s %8zu %6.1f %7.4f  %-34s %s; load %s\n", algo, n, r.seconds, cpu,
                   ru.ru_maxrss / 1024.0, growth, r.clusters, r.ok ? 100.0 * r.noise / n : 0.0, r.ok ? r.ari : 0.0,
                   r.index, r.note, load);
            fflush(stdout);
            if (r.ok) {
                prev_t = r.seconds;
                prev_n = (double)n;
            }
        }
    }
    return 0;
}

/* ---- the approximate index against the exact search ----------------------- */

static int parse_config(const char *c, ann_faiss_params *p)
{
    ann_faiss_params_default(p);
    int a = 0, b = 0, d = 0;
    if (sscanf(c, "hnsw:%d:%d:%d", &a, &b, &d) == 3 && a > 1 && b > 0 && d > 0) {
        p->kind = ANN_FAISS_HNSW;
        p->hnsw_m = a;
        p->hnsw_ef_construction = b;
        p->hnsw_ef_search = d;
        return 0;
    }
    if (sscanf(c, "ivf:%d:%d", &a, &b) == 2 && a >= 0 && b > 0) {
        p->kind = ANN_FAISS_IVF;
        p->ivf_nlist = (size_t)a;
        p->ivf_nprobe = (size_t)b;
        return 0;
    }
    return -1;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmd_ann(int argc, char **argv)
{
    size_t n = 100000, k = 32, nsample = 2000;
    int threads = 2;
    char configs[512] = "hnsw:32:64:96,ivf:0:16";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--configs"))
            snprintf(configs, sizeof configs, "%s", argv[i + 1]);
        else {
            fprintf(stderr, "bench_cluster ann: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n < 1000) {
        fprintf(stderr, "bench_cluster ann: --n must be at least 1000\n");
        return 2;
    }
    synth s;
    if (synth_make(&s, n, 4, 20, 0.05, 42))
        return 1;
    err e = { 0 };
    hdbscan_params hp = { .min_cluster_size = 3 };
    hdbscan_stats st;
    int32_t *exact = malloc(n * sizeof *exact), *labels = malloc(n * sizeof *labels);
    uint32_t *sample = malloc(nsample * sizeof *sample), *xi = malloc(nsample * (k + 1) * sizeof *xi);
    uint32_t *ai = malloc(n * k * sizeof *ai);
    float *xd = malloc(nsample * (k + 1) * sizeof *xd), *ad = malloc(n * k * sizeof *ad),
          *q = malloc(nsample * DIM * sizeof *q);
    nb_index *ix = neighbors_new(s.x, n, DIM, NB_EUCLIDEAN, threads, &e);
    if (!ix || !exact || !labels || !sample || !xi || !ai || !xd || !ad || !q) {
        fprintf(stderr, "bench_cluster ann: %s\n", ix ? "out of memory" : e.msg);
        return 1;
    }
    neighbors_set_search(ix, NB_SEARCH_EXACT);
    /* the exact k nearest of an even sample of rows (their own row comes first) */
    for (size_t i = 0; i < nsample; i++) {
        sample[i] = (uint32_t)(i * (n / nsample));
        memcpy(q + i * DIM, s.x + (size_t)sample[i] * DIM, DIM * sizeof *q);
    }
    if (neighbors_knn_query(ix, q, nsample, k + 1, xi, xd, &e)) {
        fprintf(stderr, "bench_cluster ann: %s\n", e.msg);
        return 1;
    }
    double t0 = now_seconds(), c0 = cpu_seconds();
    if (hdbscan_run(ix, &hp, exact, &st, &e)) {
        fprintf(stderr, "bench_cluster ann: %s\n", e.msg);
        return 1;
    }
    double t_exact = now_seconds() - t0, c_exact = cpu_seconds() - c0;
    printf("%zu synthetic faces, %d threads; kNN k = %zu, recall over %zu sampled rows\n", n, threads, k, nsample);
    printf("%-36s %8s %9s %8s %8s %9s %9s %9s  %s\n", "search", "kNN s", "HDBSCAN s", "CPU s", "recall", "ARI-exact",
           "ARI-truth", "clusters", "MST");
    printf("%-36s %8.2f %9.2f %8.1f %8.4f %9.4f %9.4f %9zu  %zu rounds, %zu searched\n", "exact (OpenBLAS sgemm)",
           st.seconds_knn, t_exact, c_exact, 1.0, 1.0, labels_ari(exact, s.truth, n, LABELS_NOISE_SINGLETON),
           st.clusters, st.mst.rounds, st.mst.searched_points);
    fflush(stdout);
    neighbors_free(ix);
    char *save = NULL;
    for (char *c = strtok_r(configs, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        ann_faiss_params ap;
        if (parse_config(c, &ap)) {
            fprintf(stderr, "bench_cluster ann: config '%s' is not hnsw:M:efC:efS or ivf:nlist:nprobe\n", c);
            return 2;
        }
        nb_index *fx = neighbors_new(s.x, n, DIM, NB_EUCLIDEAN, threads, &e);
        if (!fx)
            return 1;
        neighbors_set_search(fx, NB_SEARCH_FAISS);
        neighbors_set_ann_params(fx, &ap);
        t0 = now_seconds();
        double cf = cpu_seconds();
        if (neighbors_knn(fx, k, ai, ad, &e)) { /* builds the index, then searches */
            fprintf(stderr, "bench_cluster ann: %s\n", e.msg);
            return 1;
        }
        double t_first = now_seconds() - t0, c_first = cpu_seconds() - cf;
        size_t hit = 0;
        for (size_t i = 0; i < nsample; i++) {
            uint32_t r = sample[i];
            for (size_t a = 0; a < k; a++) {
                uint32_t want = xi[i * (k + 1) + a + 1];
                for (size_t b = 0; b < k; b++)
                    hit += ai[(size_t)r * k + b] == want;
            }
        }
        t0 = now_seconds();
        c0 = cpu_seconds();
        if (hdbscan_run(fx, &hp, labels, &st, &e)) {
            fprintf(stderr, "bench_cluster ann: %s\n", e.msg);
            return 1;
        }
        double t_h = now_seconds() - t0, c_h = cpu_seconds() - c0;
        char desc[128];
        neighbors_describe(fx, desc, sizeof desc);
        printf("%-36s %8.2f %9.2f %8.1f %8.4f %9.4f %9.4f %9zu  %zu rounds, %zu searched, %zu sampled; "
               "first kNN with the build %.2f s (CPU %.1f s)\n",
               desc, st.seconds_knn, t_h, c_h, (double)hit / (nsample * k),
               labels_ari(labels, exact, n, LABELS_NOISE_SINGLETON),
               labels_ari(labels, s.truth, n, LABELS_NOISE_SINGLETON), st.clusters, st.mst.rounds,
               st.mst.searched_points, st.mst.fallback_points, t_first, c_first);
        fflush(stdout);
        neighbors_free(fx);
    }
    free(exact);
    free(labels);
    free(sample);
    free(xi);
    free(xd);
    free(ai);
    free(ad);
    free(q);
    synth_free(&s);
    return 0;
}

/* ---- the cluster stage on a catalog: full, then 1,000 new faces ------------ */

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void stage_photo_id(size_t k, char out[PHOTO_ID_LEN + 1])
{
    snprintf(out, PHOTO_ID_LEN + 1, "%016zx", k + 1);
}

/* Faces rows[0..m) of s as one photo each (photo k = row k), in one transaction. */
static int stage_insert(catalog *c, const synth *s, const uint32_t *rows, size_t m, err *e)
{
    if (catalog_begin(c, e))
        return -1;
    for (size_t r = 0; r < m; r++) {
        catalog_photo p = { 0 };
        stage_photo_id(rows[r], p.photo_id);
        snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", p.photo_id, p.photo_id, p.photo_id, p.photo_id);
        snprintf(p.format, sizeof p.format, "jpeg");
        snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", p.photo_id);
        p.width = p.height = p.orig_width = p.orig_height = 1000;
        catalog_face f;
        memset(&f, 0, sizeof f);
        memcpy(f.photo_id, p.photo_id, sizeof f.photo_id);
        snprintf(f.model_version, sizeof f.model_version, "synthetic");
        f.box[0] = f.box[1] = 100;
        f.box[2] = f.box[3] = 200;
        f.score = 0.9;
        f.has_embedding = true;
        memcpy(f.embedding, s->x + (size_t)rows[r] * DIM, sizeof f.embedding);
        snprintf(f.source, sizeof f.source, "detector");
        if (catalog_photo_put(c, &p, e) < 0 || catalog_face_put(c, &f, e) ||
            catalog_analysis_put(c, p.photo_id, "synthetic", "done", 1, NULL, e)) {
            catalog_rollback(c);
            return -1;
        }
    }
    return catalog_commit(c, e);
}

/* ARI of the catalog's persons against the truth (noise as singletons). */
static double stage_ari(catalog *c, const synth *s)
{
    sqlite3_stmt *st = NULL;
    int32_t *a = malloc(s->n * sizeof *a), *b = malloc(s->n * sizeof *b);
    size_t n = 0;
    sqlite3_prepare_v2(catalog_sqlite(c), "SELECT photo_id, ifnull(person_id, -1) FROM faces", -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW && n < s->n) {
        size_t k = strtoull((const char *)sqlite3_column_text(st, 0), NULL, 16) - 1;
        a[n] = s->truth[k] >= 0 ? s->truth[k] : -1;
        b[n++] = (int32_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    double ari = labels_ari(a, b, n, LABELS_NOISE_SINGLETON);
    free(a);
    free(b);
    return ari;
}

static int stage_run(catalog *c, bool full, int threads, const char *what, const synth *s)
{
    people_stage_options o;
    people_stage_options_default(&o);
    o.full = full;
    o.threads = threads;
    people_stage_summary sum;
    err e = { 0 };
    double t0 = now_seconds();
    if (people_stage_run(c, &o, &sum, &e)) {
        fprintf(stderr, "bench_cluster stage: %s\n", e.msg);
        return -1;
    }
    printf("%-28s %8zu faces %s: %7.2f s  placed %6zu (nearest %5zu, clustered %6zu)  persons %6zu (+%zu -%zu)  "
           "unassigned %6zu  ARI %.4f  peak RSS %ld MB\n",
           what, sum.faces, sum.full ? "full" : "incr", now_seconds() - t0, sum.placed, sum.assigned_nearest,
           sum.clustered, sum.persons, sum.new_persons, sum.deleted_persons, sum.unassigned, stage_ari(c, s),
           peak_rss_kb() / 1024);
    fflush(stdout);
    return 0;
}

static int cmd_stage(int argc, char **argv)
{
    size_t n = 100000, nnew = 1000;
    int threads = 2;
    const char *dir = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--new"))
            nnew = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else {
            fprintf(stderr, "bench_cluster stage: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!dir || nnew >= n) {
        fprintf(stderr, "usage: bench_cluster stage --dir EMPTY_DIR [--n 100000] [--new 1000] [--threads 2]\n");
        return 2;
    }
    synth s;
    if (synth_make(&s, n + nnew, 4, 20, 0.05, 7))
        return 1;
    /* the new faces: every ((n + nnew) / nnew)-th face, so they are spread over identities */
    uint32_t *old = malloc((n + nnew) * sizeof *old), *fresh = malloc(nnew * sizeof *fresh);
    size_t no = 0, nf = 0, step = (n + nnew) / nnew;
    for (size_t i = 0; i < n + nnew; i++) {
        if (nf < nnew && i % step == step / 2)
            fresh[nf++] = (uint32_t)i;
        else
            old[no++] = (uint32_t)i;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    double t0 = now_seconds();
    if (!c || stage_insert(c, &s, old, no, &e)) {
        fprintf(stderr, "bench_cluster stage: %s\n", e.msg);
        return 1;
    }
    printf("catalog: %zu faces inserted in %.1f s; %d threads\n", no, now_seconds() - t0, threads);
    int rc = stage_run(c, false, threads, "first run", &s);
    t0 = now_seconds();
    if (!rc && stage_insert(c, &s, fresh, nf, &e)) {
        fprintf(stderr, "bench_cluster stage: %s\n", e.msg);
        rc = -1;
    }
    if (!rc)
        printf("catalog: %zu new faces inserted in %.2f s\n", nf, now_seconds() - t0);
    if (!rc)
        rc = stage_run(c, false, threads, "incremental (+new faces)", &s);
    if (!rc)
        rc = stage_run(c, true, threads, "full re-cluster (--full)", &s);
    catalog_close(c);
    free(old);
    free(fresh);
    synth_free(&s);
    return rc ? 1 : 0;
}

/* ---- descriptors of a data folder as CSV (R parity on real faces) --------- */

static int cmd_export(int argc, char **argv)
{
    const char *data = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data"))
            data = argv[i + 1];
        else {
            fprintf(stderr, "bench_cluster export: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!data) {
        fprintf(stderr, "usage: bench_cluster export --data DATADIR  (prints face_id,d0..d127 per face)\n");
        return 2;
    }
    err e = { 0 };
    catalog *c = NULL;
    people_set ps;
    if (datadir_open(data, 0, NULL, &c, &e) || people_store_load(c, NULL, &ps, &e)) {
        fprintf(stderr, "bench_cluster export: %s\n", e.msg);
        catalog_close(c);
        return 1;
    }
    for (size_t i = 0; i < ps.n; i++) {
        if (!ps.faces[i].has_embedding)
            continue;
        printf("%lld", (long long)ps.faces[i].id);
        for (int j = 0; j < DIM; j++)
            printf(",%.9g", ps.x[i * DIM + j]);
        putchar('\n');
    }
    people_set_free(&ps);
    catalog_close(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "stage"))
        return cmd_stage(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "export"))
        return cmd_export(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "gen"))
        return cmd_gen(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "hdbscan"))
        return cmd_hdbscan(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "gemm"))
        return cmd_gemm(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "ann"))
        return cmd_ann(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "bench"))
        return cmd_bench(argc - 1, argv + 1);
    return cmd_bench(argc, argv);
}
