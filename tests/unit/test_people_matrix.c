/* test_people_matrix.c — the right number of persons at every archive size
 * (issue 18), on real descriptors of faces-dev photos.
 *
 * Data: 20 identities of faces-dev with at least 8 images, drawn with a fixed
 * seed, plus the six demo photos (models/face-api/demo), ingested and analysed
 * once into a cache folder ($FACETAG_TEST_CACHE/people-matrix, made by CMake
 * under the build folder): analyse is idempotent, so only the first run pays
 * (~270 photos); every later run only reads the catalog.
 *
 * Matrix: each of the 20 identities alone, 20 random pairs, 10 random groups
 * of 5 (fixed seed), and the demo photos (six different women: 0 persons).
 * Each set is the faces of its photos (every face, not only the scored one),
 * clustered as a fresh catalog's first run is (cluster/cluster.h, same-photo
 * cannot-links). A set passes when it has as many persons as identities, each
 * identity's scored faces (the largest face of each of its images, as
 * `facetag eval`) mostly in a person of its own, and no scored face in another
 * identity's person. Printed: sets passing / total and the share of scored
 * faces left unassigned, for the default and, for comparison, the former
 * default (HDBSCAN with the distance guard alone).
 *
 * Growth: a fresh catalog that starts with one identity's faces (real
 * descriptors from the cache) makes one person; it is named, a face confirmed
 * and one rejected; four more identities arrive and the incremental run, then
 * a full one, keep that person's id, name and decisions, with five persons. */
#include "analyze/analyze.h"
#include "cluster/cluster.h"
#include "cluster/labels.h"
#include "cluster/score.h"
#include "ingest/ingest.h"
#include "people/eval_set.h"
#include "people/people_constraints.h"
#include "people/people_stage.h"
#include "store/catalog.h"
#include "store/datadir.h"
#include "store/people_store.h"
#include "store/persons.h"
#include "testutil.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define POOL 20
#define MIN_IMAGES 8
#define PAIRS 20
#define GROUPS 10
#define GROUP_SIZE 5
#define POOL_MIN_BCUBED 0.97

static uint64_t rng_state = 18;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng_state >> 33) % n);
}

/* k distinct values of 0..n-1 (partial Fisher-Yates). */
static void draw(uint32_t n, uint32_t k, uint32_t *out)
{
    uint32_t *all = malloc(n * sizeof *all);
    for (uint32_t i = 0; i < n; i++)
        all[i] = i;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t j = i + rnd(n - i);
        uint32_t t = all[i];
        all[i] = all[j];
        all[j] = t;
        out[i] = all[i];
    }
    free(all);
}

typedef struct pool {
    eval_set set;
    uint32_t ids[POOL]; /* identity numbers of the set */
    people_set faces;   /* the cache's faces */
    int32_t *ident;     /* per face: pool index 0..POOL-1, POOL for demo faces, -1 other */
    bool *scored;       /* per face: the scored face of its image */
    char demo[4096];
} pool;

static int prepare(pool *p, const char *faces_dev, const char *models, const char *cache)
{
    err e = { 0 };
    if (eval_set_scan(faces_dev, &p->set, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    uint32_t big[1024], nbig = 0;
    for (size_t i = 0; i < p->set.nidentities && nbig < 1024; i++) {
        size_t c = 0;
        for (size_t f = 0; f < p->set.n; f++)
            c += p->set.truth[f] == (int32_t)i;
        if (c >= MIN_IMAGES)
            big[nbig++] = (uint32_t)i;
    }
    CHECK_MSG(nbig >= POOL, "faces-dev: only %u identities with >= %d images", nbig, MIN_IMAGES);
    uint32_t pick[POOL];
    draw(nbig, POOL, pick);
    char *paths[POOL + 6];
    int np = 0;
    for (int i = 0; i < POOL; i++) {
        p->ids[i] = big[pick[i]];
        paths[np++] = eval_set_identity_dir(&p->set, p->ids[i]);
    }
    char mcopy[4096];
    snprintf(mcopy, sizeof mcopy, "%s", models);
    snprintf(p->demo, sizeof p->demo, "%s/demo", dirname(mcopy));
    for (int k = 1; k <= 6; k++) {
        paths[np] = malloc(4200);
        snprintf(paths[np++], 4200, "%s/sample%d.jpg", p->demo, k);
    }
    mkdir(cache, 0755);
    ingest_summary is;
    ingest_options io = { .data_dir = cache,
                          .threads = 2,
                          .limits = { .max_edge = 4096, .max_pixels = 400000000 },
                          .progress = 0,
                          .messages = stderr };
    int rc = ingest_run(&io, paths, np, &is, &e);
    for (int i = 0; i < np; i++)
        free(paths[i]);
    CHECK_MSG(rc == 0 && is.failed == 0, "ingest into %s: %s (%lld failed)", cache, e.msg, (long long)is.failed);
    analyze_options ao = { .data_dir = cache,
                           .models_dir = models,
                           .threads = 2,
                           .pipeline = pipeline_default_options(),
                           .progress = 0,
                           .messages = stderr };
    analyze_summary as;
    rc = rc ? rc : analyze_run(&ao, &as, &e);
    CHECK_MSG(rc == 0 && as.failed == 0, "analyze %s: %s", cache, e.msg);
    if (rc)
        return -1;
    printf("cache %s: %lld photos analysed now, %lld already done\n", cache, (long long)as.analyzed,
           (long long)as.skipped);
    catalog *c = NULL;
    rc = datadir_open(cache, 0, NULL, &c, &e);
    if (rc == 0)
        rc = people_store_load(c, NULL, &p->faces, &e);
    if (rc == 0)
        rc = eval_set_match(&p->set, c, p->faces.model_version, &e);
    catalog_close(c);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc)
        return -1;
    size_t n = p->faces.n;
    p->ident = malloc((n ? n : 1) * sizeof *p->ident);
    p->scored = calloc(n ? n : 1, sizeof *p->scored);
    int32_t *photo_ident = malloc((p->faces.nphotos + 1) * sizeof *photo_ident);
    for (size_t k = 0; k < p->faces.nphotos; k++)
        photo_ident[k] = POOL; /* photos of no pool image: the demo's */
    for (size_t f = 0; f < p->set.n; f++) {
        int pi = -1;
        for (int i = 0; i < POOL; i++)
            if ((uint32_t)p->set.truth[f] == p->ids[i])
                pi = i;
        if (!p->set.face_id[f])
            continue;
        for (size_t r = 0; r < n; r++)
            if (p->faces.faces[r].id == p->set.face_id[f]) {
                p->scored[r] = pi >= 0;
                photo_ident[p->faces.faces[r].photo] = pi;
            }
    }
    for (size_t r = 0; r < n; r++)
        p->ident[r] = p->faces.faces[r].has_embedding ? photo_ident[p->faces.faces[r].photo] : -1;
    free(photo_ident);
    return 0;
}

typedef struct outcome {
    size_t persons, scored, unassigned, wrong;
    bool pass;
} outcome;

/* Clusters the faces of the identities members[0..k) (POOL = the demo) as a
 * first run would and judges the result (see the top of the file). */
static outcome run_set(const pool *p, const cluster_params *cp, nb_metric metric, const uint32_t *members, size_t k)
{
    outcome o = { 0 };
    const people_set *s = &p->faces;
    uint32_t *rows = malloc(s->n * sizeof *rows);
    size_t m = 0;
    for (size_t r = 0; r < s->n; r++)
        for (size_t j = 0; j < k; j++)
            if (p->ident[r] == (int32_t)members[j])
                rows[m++] = (uint32_t)r;
    int32_t *labels = malloc((m ? m : 1) * sizeof *labels);
    float *x = malloc((m ? m : 1) * PEOPLE_DIM * sizeof *x);
    for (size_t i = 0; i < m; i++)
        memcpy(x + i * PEOPLE_DIM, s->x + (size_t)rows[i] * PEOPLE_DIM, PEOPLE_DIM * sizeof *x);
    err e = { 0 };
    nb_index *ix = m ? neighbors_new(x, m, PEOPLE_DIM, metric, 2, &e) : NULL;
    people_constraints pc;
    int rc = ix ? people_constraints_make(s, rows, m, &pc, &e) : -1;
    if (rc == 0) {
        rc = cluster_run(ix, cp, &pc.c, labels, &e);
        people_constraints_free(&pc);
    }
    CHECK_MSG(rc == 0, "clustering %zu faces: %s", m, e.msg);
    size_t nl = rc == 0 ? labels_canonicalize(labels, m) : 0;
    o.persons = nl;
    /* count[c][j]: scored faces of member j in cluster c */
    size_t *count = calloc((nl + 1) * (k + 1), sizeof *count);
    for (size_t i = 0; rc == 0 && i < m; i++) {
        if (!p->scored[rows[i]])
            continue;
        o.scored++;
        size_t j = 0;
        while (j < k && p->ident[rows[i]] != (int32_t)members[j])
            j++;
        if (labels[i] < 0)
            o.unassigned++;
        else
            count[(size_t)labels[i] * (k + 1) + j]++;
    }
    bool distinct = true;
    int *owner_of = calloc(k + 1, sizeof *owner_of);
    for (size_t c = 0; c < nl; c++) {
        size_t best = 0, total = 0;
        for (size_t j = 0; j < k; j++) {
            total += count[c * (k + 1) + j];
            if (count[c * (k + 1) + j] > count[c * (k + 1) + best])
                best = j;
        }
        o.wrong += total - count[c * (k + 1) + best];
        if (total && owner_of[best]++)
            distinct = false;
        if (!total)
            distinct = false; /* a person of unscored faces only: one too many */
    }
    bool demo = k == 1 && members[0] == POOL;
    o.pass = rc == 0 && (demo ? nl == 0 : nl == k && distinct && o.wrong == 0);
    free(owner_of);
    free(count);
    neighbors_free(ix);
    free(x);
    free(labels);
    free(rows);
    return o;
}

/* The whole pool at once (20 identities and the demo's strangers), scored as
 * `facetag eval` scores: the faces-dev floor on cached descriptors. */
static score_result pool_score(const pool *p, const cluster_params *cp, nb_metric metric)
{
    const people_set *s = &p->faces;
    uint32_t *rows = malloc(s->n * sizeof *rows);
    size_t m = 0;
    for (size_t r = 0; r < s->n; r++)
        if (p->ident[r] >= 0)
            rows[m++] = (uint32_t)r;
    int32_t *labels = malloc(m * sizeof *labels), *truth = malloc(m * sizeof *truth), *pred = malloc(m * sizeof *pred);
    float *x = malloc(m * PEOPLE_DIM * sizeof *x);
    for (size_t i = 0; i < m; i++)
        memcpy(x + i * PEOPLE_DIM, s->x + (size_t)rows[i] * PEOPLE_DIM, PEOPLE_DIM * sizeof *x);
    err e = { 0 };
    score_result sr;
    memset(&sr, 0, sizeof sr);
    nb_index *ix = neighbors_new(x, m, PEOPLE_DIM, metric, 2, &e);
    people_constraints pc;
    int rc = ix ? people_constraints_make(s, rows, m, &pc, &e) : -1;
    if (rc == 0) {
        rc = cluster_run(ix, cp, &pc.c, labels, &e);
        people_constraints_free(&pc);
    }
    size_t ns = 0;
    for (size_t i = 0; rc == 0 && i < m; i++)
        if (p->scored[rows[i]]) {
            truth[ns] = p->ident[rows[i]];
            pred[ns++] = labels[i];
        }
    if (rc == 0)
        rc = score_partition(truth, pred, ns, &sr, &e);
    CHECK_MSG(rc == 0, "the whole pool: %s", e.msg);
    neighbors_free(ix);
    free(x);
    free(labels);
    free(truth);
    free(pred);
    free(rows);
    return sr;
}

typedef struct tally {
    size_t sets, passed, scored, unassigned;
} tally;

static void add(tally *t, outcome o)
{
    t->sets++;
    t->passed += o.pass;
    t->scored += o.scored;
    t->unassigned += o.unassigned;
}

static void matrix(const pool *p, const cluster_params *cp, nb_metric metric, const char *name, bool verbose,
                   tally out[4])
{
    memset(out, 0, 4 * sizeof *out);
    rng_state = 1618;
    for (uint32_t i = 0; i < POOL; i++) {
        outcome o = run_set(p, cp, metric, &i, 1);
        add(&out[0], o);
        if (verbose && !o.pass)
            printf("  %s: %s alone: %zu persons, %zu of %zu faces unassigned, %zu in a wrong person\n", name,
                   p->set.identities[p->ids[i]], o.persons, o.unassigned, o.scored, o.wrong);
    }
    for (int i = 0; i < PAIRS; i++) {
        uint32_t m[2];
        draw(POOL, 2, m);
        outcome o = run_set(p, cp, metric, m, 2);
        add(&out[1], o);
        if (verbose && !o.pass)
            printf("  %s: %s + %s: %zu persons, %zu of %zu faces unassigned, %zu in a wrong person\n", name,
                   p->set.identities[p->ids[m[0]]], p->set.identities[p->ids[m[1]]], o.persons, o.unassigned, o.scored,
                   o.wrong);
    }
    for (int i = 0; i < GROUPS; i++) {
        uint32_t m[GROUP_SIZE];
        draw(POOL, GROUP_SIZE, m);
        outcome o = run_set(p, cp, metric, m, GROUP_SIZE);
        add(&out[2], o);
        if (verbose && !o.pass)
            printf("  %s: group %d (%s, ...): %zu persons, %zu of %zu faces unassigned, %zu in a wrong person\n", name,
                   i, p->set.identities[p->ids[m[0]]], o.persons, o.unassigned, o.scored, o.wrong);
    }
    uint32_t demo = POOL;
    outcome o = run_set(p, cp, metric, &demo, 1);
    add(&out[3], o);
    if (verbose && !o.pass)
        printf("  %s: demo: %zu persons\n", name, o.persons);
}

static void print_row(const char *name, const tally t[4])
{
    static const char *what[4] = { "alone", "pairs", "groups of 5", "demo" };
    size_t sets = 0, passed = 0, scored = 0, un = 0;
    printf("%-34s", name);
    for (int i = 0; i < 4; i++) {
        printf(" | %s %zu/%zu", what[i], t[i].passed, t[i].sets);
        sets += t[i].sets;
        passed += t[i].passed;
        scored += t[i].scored;
        un += t[i].unassigned;
    }
    printf(" | all %zu/%zu, unassigned %.1f%%\n", passed, sets, scored ? 100.0 * un / scored : 0.0);
}

/* --- growth: one identity, then five, in a fresh catalog --------------------- */

static void growth_photo(catalog *c, int photo)
{
    catalog_photo ph = { 0 };
    snprintf(ph.photo_id, sizeof ph.photo_id, "%016x", 0x7000 + photo);
    snprintf(ph.sha256, sizeof ph.sha256, "%s%s%s%s", ph.photo_id, ph.photo_id, ph.photo_id, ph.photo_id);
    snprintf(ph.format, sizeof ph.format, "jpeg");
    snprintf(ph.incoming_key, sizeof ph.incoming_key, "%s.jpg", ph.photo_id);
    ph.width = ph.height = ph.orig_width = ph.orig_height = 1000;
    err e = { 0 };
    CHECK_MSG(catalog_photo_put(c, &ph, &e) >= 0, "%s", e.msg);
}

/* Copies the faces of pool identity `who` into c (one photo per cache photo);
 * fills ids[] with the new face ids of its scored faces; returns their count. */
static size_t growth_add(catalog *c, const pool *p, int who, int64_t *ids, size_t cap)
{
    const people_set *s = &p->faces;
    size_t nids = 0;
    for (size_t ph = 0; ph < s->nphotos; ph++) {
        int faces = 0;
        char photo_id[17];
        snprintf(photo_id, sizeof photo_id, "%016x", 0x7000 + (int)ph);
        for (size_t r = 0; r < s->n; r++) {
            if ((size_t)s->faces[r].photo != ph || p->ident[r] != who)
                continue;
            if (!faces)
                growth_photo(c, (int)ph);
            catalog_face f;
            memset(&f, 0, sizeof f);
            snprintf(f.photo_id, sizeof f.photo_id, "%s", photo_id);
            f.face_no = faces++;
            snprintf(f.model_version, sizeof f.model_version, "%s", s->model_version);
            memcpy(f.box, s->faces[r].box, sizeof f.box);
            f.score = 0.9;
            f.has_embedding = true;
            memcpy(f.embedding, s->x + r * PEOPLE_DIM, sizeof f.embedding);
            snprintf(f.source, sizeof f.source, "detector");
            err e = { 0 };
            CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
            if (p->scored[r] && nids < cap)
                ids[nids++] = f.id;
        }
        if (faces) {
            err e = { 0 };
            CHECK_MSG(catalog_analysis_put(c, photo_id, s->model_version, "done", faces, NULL, &e) == 0, "%s", e.msg);
        }
    }
    return nids;
}

static int64_t person_of(catalog *c, int64_t face)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT ifnull(person_id, 0) FROM faces WHERE id = %lld", (long long)face);
    return test_query_int(c, sql);
}

static size_t persons_now(catalog *c)
{
    return (size_t)test_query_int(c, "SELECT count(DISTINCT person_id) FROM faces WHERE person_id IS NOT NULL");
}

static void check_growth(catalog *c, const int64_t *first, size_t nfirst, int64_t person, int64_t confirmed,
                         int64_t rejected, const char *when)
{
    CHECK_MSG(person_of(c, confirmed) == person, "%s: the confirmed face left person %lld", when, (long long)person);
    CHECK_MSG(person_of(c, rejected) != person, "%s: the rejected face came back", when);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM persons WHERE id = %lld AND name = 'Grandmother'",
             (long long)person);
    CHECK_MSG(test_query_int(c, sql) == 1, "%s: person %lld lost its name", when, (long long)person);
    size_t kept = 0;
    for (size_t i = 0; i < nfirst; i++)
        kept += person_of(c, first[i]) == person;
    CHECK_MSG(kept + 2 >= nfirst, "%s: only %zu of the first identity's %zu faces still in person %lld", when, kept,
              nfirst, (long long)person);
}

static void test_growth(const pool *p)
{
    const char *dir = test_tmpdir("growth");
    err e = { 0 };
    catalog *c = NULL;
    CHECK_MSG(datadir_open(dir, 1, NULL, &c, &e) == 0, "%s", e.msg);
    if (!c)
        return;
    /* the pool identity with the most scored faces starts the archive */
    int start = 0;
    size_t most = 0;
    for (int i = 0; i < POOL; i++) {
        size_t nf = 0;
        for (size_t r = 0; r < p->faces.n; r++)
            nf += p->scored[r] && p->ident[r] == i;
        if (nf > most)
            most = nf, start = i;
    }
    int64_t first[64];
    size_t nfirst = growth_add(c, p, start, first, 64);
    people_stage_options o;
    people_stage_options_default(&o);
    o.threads = 2;
    people_stage_summary sum;
    CHECK_MSG(people_stage_run(c, &o, &sum, &e) == 0, "%s", e.msg);
    CHECK_MSG(sum.persons == 1, "%s alone (%zu faces): %zu persons", p->set.identities[p->ids[start]], nfirst,
              sum.persons);
    int64_t person = person_of(c, first[0]);
    CHECK(person > 0);
    CHECK_MSG(persons_rename(c, "test", person, "Grandmother", &e) == 0, "%s", e.msg);
    CHECK_MSG(persons_confirm_face(c, "test", first[1], person, NULL, &e) == 0, "%s", e.msg);
    size_t rj = 2;
    while (rj + 1 < nfirst && person_of(c, first[rj]) != person)
        rj++;
    CHECK_MSG(persons_reject_face(c, "test", first[rj], &e) == 0, "%s", e.msg);
    /* four more identities: the incremental run, then a full one */
    for (int k = 1, added = 0; added < 4; k++) {
        int who = (start + k) % POOL;
        growth_add(c, p, who, NULL, 0);
        added++;
    }
    CHECK_MSG(people_stage_run(c, &o, &sum, &e) == 0, "%s", e.msg);
    CHECK(!sum.full);
    check_growth(c, first, nfirst, person, first[1], first[rj], "incremental");
    printf("growth: incremental run: %zu persons (5 identities), %zu faces unassigned\n", persons_now(c),
           sum.unassigned);
    o.full = true;
    CHECK_MSG(people_stage_run(c, &o, &sum, &e) == 0, "%s", e.msg);
    check_growth(c, first, nfirst, person, first[1], first[rj], "full");
    CHECK_MSG(persons_now(c) == 5, "full run: %zu persons for 5 identities", persons_now(c));
    printf("growth: full run: %zu persons, %zu faces unassigned\n", persons_now(c), sum.unassigned);
    catalog_close(c);
    test_rmtree(dir);
}

int main(void)
{
    char faces_dev[4096];
    const char *models;
    if (!test_data_and_models("faces-dev", faces_dev, sizeof faces_dev, &models))
        return test_main_end();
    const char *cache_root = getenv("FACETAG_TEST_CACHE");
    char cache[4096];
    if (!cache_root || !*cache_root) {
        printf("skipped: FACETAG_TEST_CACHE unset (CMake sets it)\n");
        return test_main_end();
    }
    mkdir(cache_root, 0755);
    snprintf(cache, sizeof cache, "%s/people-matrix", cache_root);
    pool p;
    memset(&p, 0, sizeof p);
    if (prepare(&p, faces_dev, models, cache) == 0) {
        cluster_params def, former;
        cluster_params_default(&def, CLUSTER_HDBSCAN);
        people_stage_options so;
        people_stage_options_default(&so);
        def = so.params;
        cluster_params_default(&former, CLUSTER_HDBSCAN);
        former.hdbscan.allow_single_cluster = false;
        former.refine.threshold = 0;
        tally t_def[4], t_former[4];
        matrix(&p, &former, NB_EUCLIDEAN, "former default (HDBSCAN + guard)", false, t_former);
        matrix(&p, &def, so.metric, "default", true, t_def);
        print_row("former default (HDBSCAN + guard)", t_former);
        print_row("default", t_def);
        if (getenv("FACETAG_MATRIX_SWEEP")) { /* the candidates measured for the defaults */
            static const double ts[] = { 0.5, 0.525, 0.55, 0.575, 0.6, 0.625 };
            for (int single = 0; single < 2; single++)
                for (int r = -1; r < 6; r++) {
                    cluster_params q;
                    cluster_params_default(&q, CLUSTER_HDBSCAN);
                    q.hdbscan.max_distance = CLUSTER_MAX_DISTANCE;
                    q.hdbscan.allow_single_cluster = single;
                    q.refine = q.agglomerative;
                    q.refine.min_cluster_size = 3;
                    q.refine.threshold = r >= 0 ? ts[r] : 0;
                    char name[64];
                    snprintf(name, sizeof name, "hdbscan%s refine %.3f", single ? "+single" : "", q.refine.threshold);
                    tally t[4];
                    matrix(&p, &q, NB_EUCLIDEAN, name, false, t);
                    print_row(name, t);
                }
            static const double tc[] = { 0.065, 0.07, 0.072, 0.075, 0.077, 0.08 };
            for (int cos = 0; cos < 2; cos++)
                for (size_t mcs = 2; mcs <= 3; mcs++)
                    for (int r = 0; r < 6; r++) {
                        cluster_params q;
                        cluster_params_default_metric(&q, CLUSTER_AGGLOMERATIVE, cos ? NB_COSINE : NB_EUCLIDEAN);
                        q.agglomerative.threshold = cos ? tc[r] : ts[r];
                        q.agglomerative.min_cluster_size = mcs;
                        char name[64];
                        snprintf(name, sizeof name, "average %s %.3f min %zu", cos ? "cosine" : "euclid",
                                 q.agglomerative.threshold, mcs);
                        tally t[4];
                        matrix(&p, &q, cos ? NB_COSINE : NB_EUCLIDEAN, name, false, t);
                        print_row(name, t);
                    }
        }
        score_result before = pool_score(&p, &former, NB_EUCLIDEAN), after = pool_score(&p, &def, so.metric);
        printf("whole pool (%zu scored faces, %zu identities): former default BCubed F %.4f, %zu mixed, %zu split; "
               "default BCubed F %.4f, %zu mixed, %zu split\n",
               after.items, after.identities, before.bcubed_f, before.mixed_persons, before.split_identities,
               after.bcubed_f, after.mixed_persons, after.split_identities);
        /* floors: the default measured BCubed F 0.9817 here, 0 mixed, 0 split (the
         * former default 0.9776); all of faces-dev:
         * docs/decisions/2026-12-07-clustering-default-average-cosine.md */
        CHECK_MSG(after.bcubed_f >= POOL_MIN_BCUBED, "whole pool: BCubed F %.4f < %.2f", after.bcubed_f,
                  POOL_MIN_BCUBED);
        CHECK_MSG(after.mixed_persons == 0, "whole pool: %zu persons mix two identities", after.mixed_persons);
        CHECK_MSG(after.split_identities == 0, "whole pool: %zu identities split in 3 or more", after.split_identities);
        for (int i = 0; i < 4; i++)
            CHECK_MSG(t_def[i].passed == t_def[i].sets, "matrix row %d: %zu of %zu sets pass", i, t_def[i].passed,
                      t_def[i].sets);
        test_growth(&p);
    }
    free(p.ident);
    free(p.scored);
    people_set_free(&p.faces);
    eval_set_free(&p.set);
    return test_main_end();
}
