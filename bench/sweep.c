/* bench/sweep.c — choosing the clustering defaults on a folder-per-identity
 * set (faces-dev): every algorithm over a parameter grid, scored the way
 * `facetag eval` scores (cluster/score.h: over all images of the set, an image
 * without a face or with an unassigned face is its own singleton), plus the
 * incremental assignment threshold.
 *
 *   bench_sweep --set DIR --data DATADIR [--metric euclidean|cosine] [--attach D] [-j N] [--quick]
 *       faces from a facetag data folder into which the set was ingested and
 *       analysed (e.g. `facetag eval DIR --data DATADIR` leaves one)
 *   bench_sweep --set DIR --csv FILE ...
 *       faces from a "file,identity,score,d0..d127" dump (bench_verify --dump)
 *
 * --attach D sets cluster_params.attach for every setting (0: off; default:
 * the default). Prints one row per setting: clusters, unassigned %, pairwise F1, BCubed
 * P/R/F, ARI, NMI; then the best setting per algorithm by BCubed F; then the
 * assignment table: for thresholds t, the share of faces whose nearest other
 * face lies within t and how often that face is of the same identity. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/cluster.h"
#include "cluster/score.h"
#include "people/eval_set.h"
#include "store/datadir.h"
#include "store/people_store.h"

#define DIM 128

typedef struct faces {
    float *x; /* m x DIM */
    size_t m;
    int32_t *row; /* per item of the set: row in x, or -1 (no face) */
    int32_t *truth_of_row;
} faces;

static int load_csv(const char *path, const eval_set *s, faces *f)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "bench_sweep: %s: %s\n", path, strerror(errno));
        return -1;
    }
    f->x = malloc(s->n * DIM * sizeof *f->x);
    f->row = malloc(s->n * sizeof *f->row);
    f->truth_of_row = malloc(s->n * sizeof *f->truth_of_row);
    for (size_t i = 0; i < s->n; i++)
        f->row[i] = -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, fp) > 0) {
        char *save = NULL, *file = strtok_r(line, ",", &save);
        if (!file || !strtok_r(NULL, ",", &save) || !strtok_r(NULL, ",", &save))
            continue;
        size_t i = 0;
        while (i < s->n && strcmp(s->files[i], file) != 0)
            i++;
        if (i == s->n || f->row[i] >= 0)
            continue;
        float *v = f->x + f->m * DIM;
        int k = 0;
        for (char *t; k < DIM && (t = strtok_r(NULL, ",\n", &save)); k++)
            v[k] = strtof(t, NULL);
        if (k != DIM)
            continue;
        f->truth_of_row[f->m] = s->truth[i];
        f->row[i] = (int32_t)f->m++;
    }
    free(line);
    fclose(fp);
    return 0;
}

static int load_data(const char *data, eval_set *s, faces *f)
{
    err e = { 0 };
    catalog *c = NULL;
    if (datadir_open(data, 0, NULL, &c, &e) != 0) {
        fprintf(stderr, "bench_sweep: %s\n", e.msg);
        return -1;
    }
    people_set ps;
    int rc = people_store_load(c, NULL, &ps, &e);
    if (rc == 0)
        rc = eval_set_match(s, c, ps.model_version, &e);
    catalog_close(c);
    if (rc) {
        fprintf(stderr, "bench_sweep: %s\n", e.msg);
        return -1;
    }
    f->x = malloc(s->n * DIM * sizeof *f->x);
    f->row = malloc(s->n * sizeof *f->row);
    f->truth_of_row = malloc(s->n * sizeof *f->truth_of_row);
    for (size_t i = 0; i < s->n; i++) {
        f->row[i] = -1;
        if (!s->face_id[i])
            continue;
        size_t k = 0;
        while (k < ps.n && ps.faces[k].id != s->face_id[i])
            k++;
        if (k == ps.n || !ps.faces[k].has_embedding)
            continue;
        memcpy(f->x + f->m * DIM, ps.x + k * DIM, DIM * sizeof *f->x);
        f->truth_of_row[f->m] = s->truth[i];
        f->row[i] = (int32_t)f->m++;
    }
    fprintf(stderr, "bench_sweep: model %s, %zu faces in the catalog\n", ps.model_version, ps.n);
    people_set_free(&ps);
    return 0;
}

typedef struct setting {
    cluster_params p;
    char label[64];
} setting;

static int score_setting(const nb_index *ix, const eval_set *s, const faces *f, const setting *st, score_result *r,
                         double *secs)
{
    int32_t *labels = malloc(f->m * sizeof *labels), *pred = malloc(s->n * sizeof *pred);
    err e = { 0 };
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = cluster_run(ix, &st->p, NULL, labels, &e);
    clock_gettime(CLOCK_MONOTONIC, &b);
    *secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    if (rc == 0) {
        for (size_t i = 0; i < s->n; i++)
            pred[i] = f->row[i] >= 0 ? labels[f->row[i]] : -1;
        rc = score_partition(s->truth, pred, s->n, r, &e);
    }
    if (rc)
        fprintf(stderr, "bench_sweep: %s: %s\n", st->label, e.msg);
    free(labels);
    free(pred);
    return rc;
}

static size_t grid(setting *g, nb_metric metric, int quick)
{
    size_t n = 0;
    const int cosine = metric == NB_COSINE;
    for (size_t mcs = 2; mcs <= 6; mcs++)
        for (size_t ms = 1; ms <= (quick ? 1 : 5); ms++) {
            cluster_params_default_metric(&g[n].p, CLUSTER_HDBSCAN, metric);
            g[n].p.hdbscan.min_cluster_size = mcs;
            g[n].p.hdbscan.min_samples = quick ? mcs : ms;
            snprintf(g[n].label, sizeof g[n].label, "hdbscan mcs=%zu ms=%zu", mcs, g[n].p.hdbscan.min_samples);
            n++;
        }
    for (int k = 0; k <= 16; k++)
        for (size_t ms = 2; ms <= 4; ms++) {
            double eps = cosine ? 0.02 + 0.01 * k : 0.30 + 0.025 * k;
            cluster_params_default_metric(&g[n].p, CLUSTER_DBSCAN, metric);
            g[n].p.dbscan_eps = eps;
            g[n].p.dbscan_min_samples = ms;
            snprintf(g[n].label, sizeof g[n].label, "dbscan eps=%.3f ms=%zu", eps, ms);
            n++;
        }
    for (int l = 0; l < 3; l++)
        for (int k = 0; k <= 20; k++) {
            double t = cosine ? 0.02 + 0.01 * k : 0.30 + 0.025 * k;
            cluster_params_default_metric(&g[n].p, CLUSTER_AGGLOMERATIVE, metric);
            g[n].p.agglomerative.linkage = (agglo_linkage)l;
            g[n].p.agglomerative.threshold = t;
            snprintf(g[n].label, sizeof g[n].label, "agglomerative %s t=%.3f", agglomerative_linkage_name(l), t);
            n++;
        }
    return n;
}

/* --grid people: the candidates for issue 16/18 (HDBSCAN with the root
 * allowed, refined inside each cluster by average linkage, average linkage
 * itself at several cuts and minimum sizes). Euclidean thresholds; under
 * cosine scaled by 0.08/0.575 (the two defaults' ratio). */
static size_t grid_people(setting *g, nb_metric metric)
{
    size_t n = 0;
    const double sc = metric == NB_COSINE ? 0.08 / 0.575 : 1;
    static const double ts[] = { 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65 };
    for (int single = 0; single < 2; single++)
        for (int r = -1; r < 7; r++) {
            cluster_params_default_metric(&g[n].p, CLUSTER_HDBSCAN, metric);
            g[n].p.hdbscan.allow_single_cluster = single;
            if (r >= 0) {
                g[n].p.refine = g[n].p.agglomerative;
                g[n].p.refine.threshold = ts[r] * sc;
                g[n].p.refine.min_cluster_size = 3;
            }
            snprintf(g[n].label, sizeof g[n].label, "hdbscan%s refine=%.3f", single ? "+single" : "",
                     r >= 0 ? ts[r] * sc : 0.0);
            n++;
        }
    for (size_t mcs = 2; mcs <= 3; mcs++)
        for (int r = 0; r < 7; r++) {
            cluster_params_default_metric(&g[n].p, CLUSTER_AGGLOMERATIVE, metric);
            g[n].p.agglomerative.threshold = ts[r] * sc;
            g[n].p.agglomerative.min_cluster_size = mcs;
            snprintf(g[n].label, sizeof g[n].label, "average t=%.3f min=%zu", ts[r] * sc, mcs);
            n++;
        }
    return n;
}

/* Leave-one-out nearest neighbour: for thresholds t, the share of faces whose
 * nearest other face is within t, and how often it has the same identity. */
static void assign_table(const nb_index *ix, const faces *f, nb_metric metric)
{
    uint32_t *ind = malloc(f->m * sizeof *ind);
    float *dist = malloc(f->m * sizeof *dist);
    err e = { 0 };
    if (neighbors_knn(ix, 1, ind, dist, &e) != 0) {
        fprintf(stderr, "bench_sweep: %s\n", e.msg);
        free(ind);
        free(dist);
        return;
    }
    printf("\nincremental assignment: nearest other face within t (leave-one-out over %zu faces)\n", f->m);
    printf("%8s %10s %12s %12s\n", "t", "within", "same-ident", "wrong/faces");
    for (int k = 0; k <= 16; k++) {
        double t = metric == NB_COSINE ? 0.02 + 0.01 * k : 0.30 + 0.025 * k;
        size_t within = 0, same = 0;
        for (size_t i = 0; i < f->m; i++)
            if (dist[i] <= t) {
                within++;
                same += f->truth_of_row[ind[i]] == f->truth_of_row[i];
            }
        printf("%8.3f %9.1f%% %11.2f%% %11.2f%%\n", t, 100.0 * within / f->m, within ? 100.0 * same / within : 100.0,
               100.0 * (within - same) / f->m);
    }
    free(ind);
    free(dist);
}

int main(int argc, char **argv)
{
    const char *set = NULL, *csv = NULL, *data = NULL;
    nb_metric metric = NB_EUCLIDEAN;
    int threads = 2, quick = 0, people = 0;
    double attach = -1; /* -1: the default of cluster_params */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--set") && i + 1 < argc)
            set = argv[++i];
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csv = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else if (!strcmp(argv[i], "--metric") && i + 1 < argc)
            metric = !strcmp(argv[++i], "cosine") ? NB_COSINE : NB_EUCLIDEAN;
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--attach") && i + 1 < argc)
            attach = atof(argv[++i]);
        else if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--grid") && i + 1 < argc)
            people = !strcmp(argv[++i], "people");
        else {
            fprintf(stderr, "usage: bench_sweep --set DIR (--data DATADIR | --csv FILE) [--metric euclidean|cosine] "
                            "[-j N] [--attach D] [--quick] [--grid people]\n");
            return 2;
        }
    }
    if (argc == 1) { /* `make bench`: the data folder of an earlier `facetag eval --data` */
        const char *shared = getenv("FACETAG_SHARED");
        data = getenv("FACETAG_SWEEP_DATA");
        static char set_buf[4096];
        if (shared)
            snprintf(set_buf, sizeof set_buf, "%s/data/faces-dev", shared);
        set = shared ? set_buf : NULL;
        if (!data || !set) {
            printf("bench_sweep: skipped; it needs faces-dev analysed once: facetag --data D eval "
                   "$FACETAG_SHARED/data/faces-dev, then FACETAG_SWEEP_DATA=D (or --set DIR --data D)\n");
            return 0;
        }
    }
    if (!set || (!csv == !data)) {
        fprintf(stderr, "bench_sweep: give --set and one of --data, --csv\n");
        return 2;
    }
    err e = { 0 };
    eval_set s;
    if (eval_set_scan(set, &s, &e) != 0) {
        fprintf(stderr, "bench_sweep: %s\n", e.msg);
        return 1;
    }
    faces f = { 0 };
    if ((csv ? load_csv(csv, &s, &f) : load_data(data, &s, &f)) != 0 || f.m < 2) {
        fprintf(stderr, "bench_sweep: no faces\n");
        return 1;
    }
    printf("set %s: %zu identities, %zu images, %zu with a face (%zu without); metric %s\n", set, s.nidentities, s.n,
           f.m, s.n - f.m, metric == NB_COSINE ? "cosine" : "euclidean");
    nb_index *ix = neighbors_new(f.x, f.m, DIM, metric, threads, &e);
    if (!ix) {
        fprintf(stderr, "bench_sweep: %s\n", e.msg);
        return 1;
    }
    setting *g = calloc(512, sizeof *g);
    size_t ng = people ? grid_people(g, metric) : grid(g, metric, quick);
    for (size_t i = 0; attach >= 0 && i < ng; i++)
        g[i].p.attach = attach;
    printf("unassigned faces attached within %.3f (0: off)\n", ng ? g[0].p.attach : 0.0);
    printf("%-34s %8s %8s %8s %8s %8s %8s %8s %8s %5s %5s %7s\n", "setting", "clusters", "unassig", "pair-F1", "B3-P",
           "B3-R", "B3-F", "ARI", "NMI", "mixed", "split", "s");
    double best[3] = { -1, -1, -1 };
    size_t best_i[3] = { 0, 0, 0 };
    for (size_t i = 0; i < ng; i++) {
        score_result r;
        double secs;
        if (score_setting(ix, &s, &f, &g[i], &r, &secs) != 0)
            continue;
        printf("%-34s %8zu %7.1f%% %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %5zu %5zu %7.3f\n", g[i].label, r.clusters,
               100.0 * r.unclustered / r.items, r.pairwise_f1, r.bcubed_precision, r.bcubed_recall, r.bcubed_f, r.ari,
               r.nmi, r.mixed_persons, r.split_identities, secs);
        int a = (int)g[i].p.algo;
        if (r.bcubed_f > best[a]) {
            best[a] = r.bcubed_f;
            best_i[a] = i;
        }
    }
    printf("\nbest by BCubed F:\n");
    for (int a = 0; a < 3; a++)
        if (best[a] >= 0)
            printf("  %-34s %.4f\n", g[best_i[a]].label, best[a]);
    assign_table(ix, &f, metric);
    neighbors_free(ix);
    free(g);
    free(f.x);
    free(f.row);
    free(f.truth_of_row);
    eval_set_free(&s);
    return 0;
}
