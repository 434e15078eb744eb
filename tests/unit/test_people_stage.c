/* test_people_stage.c — the cluster stage on a real SQLite catalog with
 * synthetic face descriptors: person ids kept across re-clustering, every kind
 * of human decision held by a full re-cluster (cluster -> decide -> re-cluster
 * -> the decision holds), same-photo cannot-links, the incremental path (also
 * with a video track, which it keeps in one person), and a
 * model change that carries every decision over to the new faces by box IoU. */
#include "cluster/labels.h"
#include "people/people_list.h"
#include "people/people_stage.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/catalog_tracks.h"
#include "store/people_store.h"
#include "store/persons.h"
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NID 8
#define PER 6

static uint64_t rng = 12345;
static double unit(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
    return sqrt(-2 * log(unit())) * cos(6.283185307179586 * unit());
}

static float centre[NID + 2][128];

/* Identity centres ~1.0 apart, faces ~0.45 apart, around a common offset. */
static void make_centres(void)
{
    for (int d = 0; d < 128; d++) {
        double base = 0.05 * normal();
        for (int i = 0; i < NID + 2; i++)
            centre[i][d] = (float)(base + 0.0625 * normal());
    }
}

static void face_vec(int id, float *v)
{
    for (int d = 0; d < 128; d++)
        v[d] = centre[id][d] + (float)(0.028 * normal());
}

static int64_t qi(catalog *c, const char *fmt, long long a)
{
    char sql[600];
    snprintf(sql, sizeof sql, fmt, a);
    return test_query_int(c, sql);
}

static void photo_id(int k, char out[17])
{
    snprintf(out, 17, "%016x", 0x1000 + k);
}

static void add_photo(catalog *c, int k)
{
    catalog_photo p = { 0 };
    photo_id(k, p.photo_id);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", p.photo_id, p.photo_id, p.photo_id, p.photo_id);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", p.photo_id);
    p.width = p.height = p.orig_width = p.orig_height = 1000;
    err e = { 0 };
    CHECK_MSG(catalog_photo_put(c, &p, &e) >= 0, "%s", e.msg);
}

/* The truth: identity of each face id (faces of both model versions). */
static int truth[4096];

static int64_t add_face(catalog *c, int photo, int face_no, const char *model, int id, double x)
{
    catalog_face f;
    memset(&f, 0, sizeof f);
    photo_id(photo, f.photo_id);
    f.face_no = face_no;
    snprintf(f.model_version, sizeof f.model_version, "%s", model);
    f.box[0] = x;
    f.box[1] = 100;
    f.box[2] = 200;
    f.box[3] = 240;
    f.score = 0.9;
    f.has_embedding = true;
    face_vec(id, f.embedding);
    snprintf(f.source, sizeof f.source, "detector");
    err e = { 0 };
    int rc = catalog_face_put(c, &f, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc == 0 && f.id < 4096)
        truth[f.id] = id;
    return f.id;
}

static void analysis_done(catalog *c, int photo, const char *model, int faces)
{
    char id[17];
    photo_id(photo, id);
    err e = { 0 };
    CHECK_MSG(catalog_analysis_put(c, id, model, "done", faces, NULL, &e) == 0, "%s", e.msg);
}

static int64_t person_of(catalog *c, int64_t face)
{
    return qi(c, "SELECT ifnull(person_id, 0) FROM faces WHERE id = %lld", face);
}

static int cluster(catalog *c, bool full, people_stage_summary *sum)
{
    people_stage_options o;
    people_stage_options_default(&o);
    /* the synthetic descriptors are spread for Euclidean distances (faces
     * ~0.45 apart, identities ~1.0); the decisions do not depend on the metric */
    o.metric = NB_EUCLIDEAN;
    cluster_params_default_metric(&o.params, CLUSTER_DEFAULT_ALGO, NB_EUCLIDEAN);
    o.full = full;
    o.threads = 2;
    err e = { 0 };
    int rc = people_stage_run(c, &o, sum, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    return rc;
}

/* Every pair of faces of one photo and model version is in different persons. */
static void check_photo_rule(catalog *c)
{
    CHECK(test_query_int(c, "SELECT count(*) FROM (SELECT photo_id, model_version, person_id FROM faces "
                            "WHERE person_id IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1)") == 0);
}

/* ARI of the persons of model `m` against the truth (noise as singletons). */
static double ari_of(catalog *c, const char *model)
{
    int32_t a[4096], b[4096];
    size_t n = 0;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id, ifnull(person_id, -1) FROM faces WHERE model_version = '%s' ORDER BY id",
             model);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW && n < 4096) {
        a[n] = truth[sqlite3_column_int64(st, 0)];
        b[n] = (int32_t)sqlite3_column_int64(st, 1);
        n++;
    }
    sqlite3_finalize(st);
    return labels_ari(a, b, n, LABELS_NOISE_SINGLETON);
}

/* Model m1: NID identities x PER photos with one face each (photos 0..47), and
 * 6 group photos (48..53) holding faces of identities 0 and 1 side by side. */
static int64_t face_m1[64][2];
static int photo_ident[64][2], photo_faces[64];

static void build_m1(catalog *c)
{
    int k = 0;
    for (int id = 0; id < NID; id++)
        for (int j = 0; j < PER; j++, k++) {
            add_photo(c, k);
            photo_ident[k][0] = id;
            photo_faces[k] = 1;
            face_m1[k][0] = add_face(c, k, 0, "m1", id, 100);
            analysis_done(c, k, "m1", 1);
        }
    for (int g = 0; g < 6; g++, k++) {
        add_photo(c, k);
        photo_ident[k][0] = 0;
        photo_ident[k][1] = 1;
        photo_faces[k] = 2;
        face_m1[k][0] = add_face(c, k, 0, "m1", 0, 100);
        face_m1[k][1] = add_face(c, k, 1, "m1", 1, 500);
        analysis_done(c, k, "m1", 2);
    }
}

static void test_first_cluster_and_ids(catalog *c)
{
    people_stage_summary s;
    if (cluster(c, false, &s))
        return;
    CHECK(s.full); /* first run of the model version */
    CHECK(s.faces == NID * PER + 12 && s.placed == s.faces);
    CHECK_MSG(s.persons == NID, "persons %zu", s.persons);
    double ari = ari_of(c, "m1");
    CHECK_MSG(ari > 0.95, "ARI %.3f", ari);
    check_photo_rule(c);
    CHECK(test_query_int(c, "SELECT count(*) FROM cluster_runs") == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE cluster_run IS NULL") == 0);

    /* A full re-cluster without decisions keeps every person id. */
    int64_t before[64];
    for (int k = 0; k < 54; k++)
        before[k] = person_of(c, face_m1[k][0]);
    if (cluster(c, true, &s))
        return;
    CHECK(s.full && s.new_persons == 0 && s.deleted_persons == 0);
    int same = 0;
    for (int k = 0; k < 54; k++)
        same += person_of(c, face_m1[k][0]) == before[k];
    CHECK_MSG(same == 54, "%d of 54 faces kept their person id", same);

    /* the list `facetag people` shows: every person, biggest first, counts as in the catalog */
    people_list l;
    err e = { 0 };
    CHECK_MSG(people_list_load(c, NULL, &l, &e) == 0, "%s", e.msg);
    CHECK(l.n == NID && l.faces == NID * PER + 12 && strcmp(l.model_version, "m1") == 0);
    CHECK(l.unassigned == test_query_int(c, "SELECT count(*) FROM faces WHERE person_id IS NULL"));
    int64_t total = l.unassigned;
    for (size_t i = 0; i < l.n; i++) {
        total += l.persons[i].faces;
        CHECK(i == 0 || l.persons[i].faces <= l.persons[i - 1].faces);
        CHECK(l.persons[i].photos == l.persons[i].faces && !l.persons[i].name && l.persons[i].nsuggested == 0);
    }
    CHECK(total == l.faces);
    people_list_free(&l);
}

/* Decisions made in the catalog, checked after each re-cluster. */
static int64_t moved_face, moved_to, rejected_face, rejected_from, named_person, merged_into, merged_from_face,
    split_person, split_old;
static int64_t split_faces[2];

static void decide(catalog *c)
{
    err e = { 0 };
    /* confirm a face of identity 2 into identity 3's person (a human knows better) */
    moved_face = face_m1[2 * PER][0];
    moved_to = person_of(c, face_m1[3 * PER][0]);
    CHECK_MSG(persons_confirm_face(c, "t", moved_face, moved_to, NULL, &e) == 0, "%s", e.msg);
    /* reject a face of identity 4 from its person */
    rejected_face = face_m1[4 * PER + 1][0];
    rejected_from = person_of(c, rejected_face);
    CHECK_MSG(persons_reject_face(c, "t", rejected_face, &e) == 0, "%s", e.msg);
    /* name identity 5's person */
    named_person = person_of(c, face_m1[5 * PER][0]);
    CHECK_MSG(persons_rename(c, "t", named_person, "Pina", &e) == 0, "%s", e.msg);
    /* merge identity 7's person into identity 6's */
    merged_into = person_of(c, face_m1[6 * PER][0]);
    int64_t from = person_of(c, face_m1[7 * PER][0]);
    merged_from_face = face_m1[7 * PER + 2][0];
    CHECK_MSG(persons_merge(c, "t", merged_into, &from, 1, &e) == 0, "%s", e.msg);
    /* split two faces of identity 1 out of its person */
    split_old = person_of(c, face_m1[1 * PER][0]);
    split_faces[0] = face_m1[1 * PER + 0][0];
    split_faces[1] = face_m1[1 * PER + 1][0];
    CHECK_MSG(persons_split(c, "t", split_faces, 2, &split_person, &e) == 0, "%s", e.msg);
}

/* The decisions hold on model `m`'s faces; map gives the face of m for a m1 face. */
static void check_decisions(catalog *c, int64_t (*map)(catalog *, int64_t), const char *when)
{
    int64_t f = map(c, moved_face);
    CHECK_MSG(person_of(c, f) == moved_to, "%s: confirmed face %lld in %lld, not %lld", when, (long long)f,
              (long long)person_of(c, f), (long long)moved_to);
    CHECK_MSG(qi(c, "SELECT status = 'confirmed' FROM faces WHERE id = %lld", f) == 1, "%s: status", when);

    f = map(c, rejected_face);
    CHECK_MSG(person_of(c, f) != rejected_from, "%s: rejected face back in its person", when);
    CHECK_MSG(qi(c, "SELECT status = 'rejected' FROM faces WHERE id = %lld", f) == 1, "%s: status", when);

    char name[64] = "";
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(catalog_sqlite(c), "SELECT name FROM persons WHERE id = ?1", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, named_person);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    CHECK_MSG(strcmp(name, "Pina") == 0, "%s: name lost", when);
    int named_kept = 0;
    for (int j = 0; j < PER; j++)
        named_kept += person_of(c, map(c, face_m1[5 * PER + j][0])) == named_person;
    CHECK_MSG(named_kept == PER, "%s: %d of %d faces of the named person kept", when, named_kept, PER);

    int merged = 0;
    for (int j = 0; j < PER; j++) {
        merged += person_of(c, map(c, face_m1[6 * PER + j][0])) == merged_into;
        merged += person_of(c, map(c, face_m1[7 * PER + j][0])) == merged_into;
    }
    CHECK_MSG(merged == 2 * PER, "%s: %d of %d merged faces together", when, merged, 2 * PER);

    for (int j = 0; j < 2; j++)
        CHECK_MSG(person_of(c, map(c, split_faces[j])) == split_person, "%s: split face %d", when, j);
    for (int j = 2; j < PER; j++) {
        int64_t p = person_of(c, map(c, face_m1[1 * PER + j][0]));
        CHECK_MSG(p != split_person, "%s: face %d of the split's old person joined the new one", when, j);
    }
    check_photo_rule(c);
}

static int64_t same_face(catalog *c, int64_t f)
{
    (void)c;
    return f;
}

static void test_decisions_hold(catalog *c)
{
    decide(c);
    check_decisions(c, same_face, "after deciding");
    people_stage_summary s;
    if (cluster(c, true, &s))
        return;
    check_decisions(c, same_face, "full re-cluster");
    if (cluster(c, false, &s))
        return;
    CHECK(!s.full && s.placed == 0); /* nothing new */
    check_decisions(c, same_face, "incremental re-cluster");
}

/* Two faces of one photo with almost the same descriptor stay apart. */
static void test_same_photo(catalog *c)
{
    add_photo(c, 60);
    int64_t a = add_face(c, 60, 0, "m1", 3, 100), b = add_face(c, 60, 1, "m1", 3, 500);
    analysis_done(c, 60, "m1", 2);
    people_stage_summary s;
    if (cluster(c, true, &s))
        return;
    CHECK(person_of(c, a) == 0 || person_of(c, a) != person_of(c, b));
    CHECK(person_of(c, a) != 0 || person_of(c, b) != 0);
    check_photo_rule(c);
    check_decisions(c, same_face, "with a twin face");
}

static void test_incremental(catalog *c)
{
    int64_t before_run = test_query_int(c, "SELECT max(id) FROM cluster_runs");
    int64_t old_faces = test_query_int(c, "SELECT count(*) FROM faces");
    /* 3 more photos of identity 0, 4 of a new identity NID */
    int64_t more[3], fresh[4];
    for (int j = 0; j < 3; j++) {
        add_photo(c, 70 + j);
        more[j] = add_face(c, 70 + j, 0, "m1", 0, 100);
        analysis_done(c, 70 + j, "m1", 1);
    }
    for (int j = 0; j < 4; j++) {
        add_photo(c, 80 + j);
        fresh[j] = add_face(c, 80 + j, 0, "m1", NID, 100);
        analysis_done(c, 80 + j, "m1", 1);
    }
    int64_t p0 = person_of(c, face_m1[0][0]);
    people_stage_summary s;
    if (cluster(c, false, &s))
        return;
    CHECK(!s.full);
    CHECK_MSG(s.assigned_nearest == 3, "assigned %zu", s.assigned_nearest);
    for (int j = 0; j < 3; j++)
        CHECK(person_of(c, more[j]) == p0);
    int64_t pf = person_of(c, fresh[0]);
    CHECK(pf != 0 && s.new_persons == 1);
    for (int j = 1; j < 4; j++)
        CHECK(person_of(c, fresh[j]) == pf);
    /* the old faces were not touched by this run */
    CHECK(qi(c, "SELECT count(*) FROM faces WHERE cluster_run <= %lld", before_run) >= old_faces - 2);
    check_decisions(c, same_face, "incremental");
}

/* The m2 face of the same photo and place as an m1 face. */
static int64_t to_m2(catalog *c, int64_t f)
{
    return qi(c,
              "SELECT n.id FROM faces o JOIN faces n ON n.photo_id = o.photo_id AND n.face_no = o.face_no "
              "AND n.model_version = 'm2' WHERE o.id = %lld",
              f);
}

/* Every photo analysed again with model m2: boxes moved a little (IoU ~0.8),
 * new descriptors; every decision must hold on the new faces. */
static void test_model_change(catalog *c)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(catalog_sqlite(c), "SELECT photo_id, face_no, box_x, id FROM faces WHERE model_version = 'm1'",
                       -1, &st, NULL);
    typedef struct old {
        char photo[17];
        int face_no;
        double x;
        int64_t id;
    } old;
    old v[200];
    int n = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW && n < 200) {
        snprintf(v[n].photo, 17, "%s", (const char *)sqlite3_column_text(st, 0));
        v[n].face_no = sqlite3_column_int(st, 1);
        v[n].x = sqlite3_column_double(st, 2);
        v[n].id = sqlite3_column_int64(st, 3);
        n++;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        catalog_face f;
        memset(&f, 0, sizeof f);
        memcpy(f.photo_id, v[i].photo, sizeof f.photo_id);
        f.face_no = v[i].face_no;
        snprintf(f.model_version, sizeof f.model_version, "m2");
        f.box[0] = v[i].x + 12;
        f.box[1] = 108;
        f.box[2] = 190;
        f.box[3] = 230;
        f.score = 0.9;
        f.has_embedding = true;
        face_vec(truth[v[i].id], f.embedding);
        snprintf(f.source, sizeof f.source, "detector");
        err e = { 0 };
        CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
        if (f.id < 4096)
            truth[f.id] = truth[v[i].id];
        err e2 = { 0 };
        CHECK(catalog_analysis_put(c, v[i].photo, "m2", "done", 1, NULL, &e2) == 0);
    }
    int64_t decisions = test_query_int(c, "SELECT count(*) FROM decisions");
    people_stage_summary s;
    if (cluster(c, false, &s))
        return;
    CHECK(strcmp(s.model_version, "m2") == 0 && s.full);
    CHECK_MSG(s.carried_over > 0, "carried %zu", s.carried_over);
    check_decisions(c, to_m2, "after the model change");
    /* every face-level decision of the log has a counterpart in m2 that obeys it */
    sqlite3_prepare_v2(catalog_sqlite(c),
                       "SELECT d.action, d.face_id, d.person_id FROM decisions d WHERE d.face_id IS NOT NULL "
                       "AND d.id = (SELECT max(id) FROM decisions WHERE face_id = d.face_id)",
                       -1, &st, NULL);
    int checked = 0, held = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *action = (const char *)sqlite3_column_text(st, 0);
        int64_t f2 = to_m2(c, sqlite3_column_int64(st, 1)), p = sqlite3_column_int64(st, 2);
        checked++;
        if (strcmp(action, "confirm") == 0)
            held += person_of(c, f2) == p;
        else if (strcmp(action, "reject") == 0)
            held += person_of(c, f2) != p;
    }
    sqlite3_finalize(st);
    CHECK_MSG(checked >= 4 && held == checked, "%d of %d face decisions held after the model change", held, checked);
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions") == decisions); /* the log is not rewritten */
    double ari = ari_of(c, "m2");
    CHECK_MSG(ari > 0.8, "m2 ARI %.3f", ari);

    /* and a full re-cluster of m2 still holds them */
    if (cluster(c, true, &s))
        return;
    check_decisions(c, to_m2, "full re-cluster of m2");
}

static void test_bad_options(catalog *c)
{
    people_stage_options o;
    people_stage_options_default(&o);
    o.params.algo = CLUSTER_HDBSCAN;
    o.params.hdbscan.min_cluster_size = 1;
    people_stage_summary s;
    err e = { 0 };
    CHECK(people_stage_run(c, &o, &s, &e) == ERR_INVALID);
    people_stage_options_default(&o);
    o.params.algo = CLUSTER_DBSCAN;
    o.params.dbscan_eps = -1;
    CHECK(people_stage_run(c, &o, &s, &e) == ERR_INVALID);
}

static void test_empty(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/empty.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    people_stage_summary s;
    CHECK(cluster(c, false, &s) == 0 && s.faces == 0 && s.persons == 0);
    catalog_close(c);
}

/* Issue 16's guard on the incremental path: new faces that lie between two
 * persons (midway between their centres, past the assignment threshold from
 * both) and cluster with both never join the two into one: the persons stay
 * apart with all their faces, and the bridging faces stay unassigned. */
static void test_incremental_bridge(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/bridge.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    int64_t a[PER], b[PER], mid[6];
    for (int j = 0; j < PER; j++) {
        add_photo(c, 200 + j);
        a[j] = add_face(c, 200 + j, 0, "m1", 0, 100);
        analysis_done(c, 200 + j, "m1", 1);
        add_photo(c, 300 + j);
        b[j] = add_face(c, 300 + j, 0, "m1", 1, 100);
        analysis_done(c, 300 + j, "m1", 1);
    }
    people_stage_summary s;
    if (cluster(c, true, &s) == 0) {
        int64_t pa = person_of(c, a[0]), pb = person_of(c, b[0]);
        CHECK_MSG(pa && pb && pa != pb, "two persons first: %lld, %lld", (long long)pa, (long long)pb);
        for (int j = 0; j < 6; j++) {
            catalog_face f;
            memset(&f, 0, sizeof f);
            add_photo(c, 400 + j);
            photo_id(400 + j, f.photo_id);
            snprintf(f.model_version, sizeof f.model_version, "m1");
            f.box[0] = 100, f.box[1] = 100, f.box[2] = 200, f.box[3] = 240;
            f.score = 0.9;
            f.has_embedding = true;
            for (int d = 0; d < 128; d++)
                f.embedding[d] = 0.5f * (centre[0][d] + centre[1][d]) + (float)(0.02 * normal());
            snprintf(f.source, sizeof f.source, "detector");
            CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
            mid[j] = f.id;
            analysis_done(c, 400 + j, "m1", 1);
        }
        if (cluster(c, false, &s) == 0) {
            CHECK(!s.full);
            for (int j = 0; j < PER; j++) {
                CHECK_MSG(person_of(c, a[j]) == pa, "face %lld of A left person %lld", (long long)a[j], (long long)pa);
                CHECK_MSG(person_of(c, b[j]) == pb, "face %lld of B left person %lld", (long long)b[j], (long long)pb);
            }
            for (int j = 0; j < 6; j++) {
                int64_t p = person_of(c, mid[j]);
                CHECK_MSG(p != pa && p != pb, "bridging face %lld joined person %lld", (long long)mid[j], (long long)p);
            }
        }
    }
    catalog_close(c);
}

/* A face of model m1 with the descriptor centre[id] + sigma noise on photo k. */
static int64_t add_face_sigma(catalog *c, int k, int id, double sigma)
{
    catalog_face f;
    memset(&f, 0, sizeof f);
    add_photo(c, k);
    photo_id(k, f.photo_id);
    snprintf(f.model_version, sizeof f.model_version, "m1");
    f.box[0] = 100, f.box[1] = 100, f.box[2] = 200, f.box[3] = 240;
    f.score = 0.9;
    f.has_embedding = true;
    for (int d = 0; d < 128; d++)
        f.embedding[d] = centre[id][d] + (float)(sigma * normal());
    snprintf(f.source, sizeof f.source, "detector");
    err e = { 0 };
    CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
    analysis_done(c, k, "m1", 1);
    return f.id;
}

static void put_track(catalog *c, int video, const int64_t *faces, size_t n)
{
    int64_t track[16];
    for (size_t i = 0; i < n; i++)
        track[i] = faces[0];
    char vid[17];
    photo_id(video, vid);
    err e = { 0 };
    CHECK_MSG(catalog_tracks_put(c, vid, faces, track, n, &e) == 0, "%s", e.msg);
}

/* The video track's must-link on the incremental path. A new video's track
 * of 8 frames: two faces near person A, one near person B (a frame where the
 * recogniser is wrong), five of nobody known: the incremental run must put
 * the whole track in one person, A's (what most of the faces that found a
 * person found), and leave B alone. Then the track grows by a frame whose
 * face lies near B (a video analysed further after a kill): it follows its
 * track's placed faces into A. */
static void test_incremental_track(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/track.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    int64_t a[PER], b[PER], t[9];
    for (int j = 0; j < PER; j++) {
        a[j] = add_face_sigma(c, 600 + j, 0, 0.028);
        b[j] = add_face_sigma(c, 610 + j, 1, 0.028);
    }
    people_stage_summary s;
    if (cluster(c, true, &s) != 0) {
        catalog_close(c);
        return;
    }
    int64_t pa = person_of(c, a[0]), pb = person_of(c, b[0]);
    CHECK_MSG(pa && pb && pa != pb, "two persons first: %lld, %lld", (long long)pa, (long long)pb);
    add_photo(c, 700); /* the video; frames 701.. */
    t[0] = add_face_sigma(c, 701, 0, 0.01);
    t[1] = add_face_sigma(c, 702, 0, 0.01);
    t[2] = add_face_sigma(c, 703, 1, 0.01);
    for (int j = 3; j < 8; j++)
        t[j] = add_face_sigma(c, 701 + j, NID + 1, 0.028);
    put_track(c, 700, t, 8);
    if (cluster(c, false, &s) == 0) {
        CHECK(!s.full);
        for (int j = 0; j < 8; j++)
            CHECK_MSG(person_of(c, t[j]) == pa, "track face %d (%lld) in person %lld, not the track's %lld", j,
                      (long long)t[j], (long long)person_of(c, t[j]), (long long)pa);
        CHECK_MSG(s.assigned_nearest == 8, "assigned %zu", s.assigned_nearest);
        CHECK(qi(c, "SELECT count(*) FROM faces WHERE person_id = %lld", pb) == PER);
    }
    t[8] = add_face_sigma(c, 709, 1, 0.01);
    put_track(c, 700, t, 9);
    if (cluster(c, false, &s) == 0)
        CHECK_MSG(person_of(c, t[8]) == pa, "the track's new face went to %lld, its track is in %lld",
                  (long long)person_of(c, t[8]), (long long)pa);
    check_photo_rule(c);
    catalog_close(c);
}

int main(void)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("people_stage"));
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    make_centres();
    test_empty(dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        build_m1(c);
        test_first_cluster_and_ids(c);
        test_decisions_hold(c);
        test_same_photo(c);
        test_incremental(c);
        test_model_change(c);
        test_bad_options(c);
        catalog_close(c);
    }
    test_incremental_bridge(dir);
    test_incremental_track(dir);
    test_rmtree(dir);
    return test_main_end();
}
