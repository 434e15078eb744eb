/* test_catalog_faces.c — the faces section of the catalog: face rows round-trip
 * (JSON columns, the little-endian embedding, optional parts as NULL), the
 * uniqueness of (photo, model version, face_no), validation, faces of a photo per
 * model version (and the newest one), analysis runs and the status counts. */
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ID1 = "0123456789abcdef", *ID2 = "fedcba9876543210";

static catalog_face sample_face(const char *photo, int no, const char *version)
{
    catalog_face f = { 0 };
    snprintf(f.photo_id, sizeof f.photo_id, "%s", photo);
    f.face_no = no;
    snprintf(f.model_version, sizeof f.model_version, "%s", version);
    f.box[0] = 10.25 + no;
    f.box[1] = 20.5;
    f.box[2] = 100.125;
    f.box[3] = 120.75;
    f.score = 0.987654;
    f.has_landmarks = true;
    for (int i = 0; i < 5; i++) {
        f.five[i][0] = 30.123 + i;
        f.five[i][1] = 40.456 + 2 * i;
    }
    for (int i = 0; i < 68; i++) {
        f.points68[i][0] = 11.1111 + i;
        f.points68[i][1] = 1234.5678 - i;
    }
    f.has_embedding = true;
    for (int i = 0; i < 128; i++)
        f.embedding[i] = (float)((i - 64) / 300.0) + 1e-7f * (float)no;
    f.has_attributes = true;
    f.age = 34.25;
    snprintf(f.gender, sizeof f.gender, "female");
    f.gender_probability = 0.875;
    for (int i = 0; i < 7; i++)
        f.expressions[i] = (i + 1) / 28.0;
    snprintf(f.source, sizeof f.source, "detector");
    return f;
}

static void check_same(const catalog_face *a, const catalog_face *b)
{
    CHECK(a->id == b->id);
    CHECK(strcmp(a->photo_id, b->photo_id) == 0);
    CHECK(a->face_no == b->face_no);
    CHECK(strcmp(a->model_version, b->model_version) == 0);
    for (int i = 0; i < 4; i++)
        CHECK(a->box[i] == b->box[i]);
    CHECK(a->score == b->score);
    CHECK(a->has_landmarks == b->has_landmarks);
    double dmax = 0;
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 2; k++)
            dmax = fmax(dmax, fabs(a->five[i][k] - b->five[i][k]));
    for (int i = 0; i < 68; i++)
        for (int k = 0; k < 2; k++)
            dmax = fmax(dmax, fabs(a->points68[i][k] - b->points68[i][k]));
    CHECK_MSG(dmax < 1e-3, "landmarks differ by %g", dmax);
    CHECK(a->has_embedding == b->has_embedding);
    CHECK(memcmp(a->embedding, b->embedding, sizeof a->embedding) == 0); /* bit-exact */
    CHECK(a->has_attributes == b->has_attributes);
    CHECK(a->age == b->age);
    CHECK(strcmp(a->gender, b->gender) == 0);
    CHECK(a->gender_probability == b->gender_probability);
    for (int i = 0; i < 7; i++)
        CHECK(fabs(a->expressions[i] - b->expressions[i]) < 1e-7);
    CHECK(a->person_id == b->person_id);
    CHECK(strcmp(a->source, b->source) == 0);
}

static void test_roundtrip(catalog *c)
{
    err e = { 0 };
    catalog_face f = sample_face(ID1, 0, "v1");
    CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
    CHECK(f.id > 0);
    catalog_face g;
    CHECK(catalog_face_get(c, f.id, &g, &e) == 1);
    check_same(&f, &g);
    CHECK(catalog_face_get(c, f.id + 1000, &g, &e) == 0);

    /* The blob is little-endian float32: the first value read back by SQL. */
    CHECK(test_query_int(c, "SELECT length(embedding) FROM faces LIMIT 1") == 512);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(catalog_sqlite(c), "SELECT embedding FROM faces LIMIT 1", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(st, 0);
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        float v;
        memcpy(&v, &u, 4);
        CHECK(v == f.embedding[0]);
    }
    sqlite3_finalize(st);
    /* JSON columns are what the schema says. */
    CHECK(test_query_int(c, "SELECT json_array_length(points68) FROM faces LIMIT 1") == 68);
    CHECK(test_query_int(c, "SELECT json_type(landmarks, '$.mouth_right') = 'array' FROM faces LIMIT 1") == 1);
    CHECK(test_query_int(c, "SELECT json_type(expressions, '$.surprised') = 'real' FROM faces LIMIT 1") == 1);

    /* A hand-drawn face without attributes or descriptor: NULL columns, read back as absent. */
    catalog_face m = { 0 };
    snprintf(m.photo_id, sizeof m.photo_id, "%s", ID1);
    m.face_no = 1;
    snprintf(m.model_version, sizeof m.model_version, "v1");
    m.box[2] = m.box[3] = 50;
    m.score = 1;
    snprintf(m.source, sizeof m.source, "manual");
    CHECK_MSG(catalog_face_put(c, &m, &e) == 0, "%s", e.msg);
    CHECK(catalog_face_get(c, m.id, &g, &e) == 1);
    check_same(&m, &g);
    CHECK(!g.has_landmarks && !g.has_embedding && !g.has_attributes);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE source = 'manual' AND embedding IS NULL AND "
                            "points68 IS NULL AND gender IS NULL") == 1);
}

static void test_conflicts_and_validation(catalog *c)
{
    err e = { 0 };
    catalog_face f = sample_face(ID1, 0, "v1");
    CHECK(catalog_face_put(c, &f, &e) == ERR_CONFLICT);
    CHECK_MSG(strstr(e.msg, "face") != NULL, "%s", e.msg);
    f = sample_face("0000000000000bad", 0, "v1"); /* no such photo: foreign key */
    CHECK(catalog_face_put(c, &f, &e) == ERR_CONFLICT);
    f = sample_face("NOTANID", 0, "v1");
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    f = sample_face(ID1, 5, "v1");
    f.box[2] = 0;
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    CHECK_MSG(strstr(e.msg, "empty") != NULL, "%s", e.msg);
    f = sample_face(ID1, 5, "v1");
    snprintf(f.gender, sizeof f.gender, "other");
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    f = sample_face(ID1, 5, "");
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    f = sample_face(ID1, 5, "v1");
    f.gender_probability = 1.5; /* schema CHECK */
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    f = sample_face(ID1, -1, "v1");
    CHECK(catalog_face_put(c, &f, &e) == ERR_INVALID);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE face_no = 5") == 0);
}

static void test_versions_and_runs(catalog *c)
{
    err e = { 0 };
    /* Photo 2: three faces under v1, inserted out of order, then two under v2. */
    int order[3] = { 2, 0, 1 };
    for (int i = 0; i < 3; i++) {
        catalog_face f = sample_face(ID2, order[i], "v1");
        CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
    }
    CHECK(catalog_analysis_done(c, ID2, "v1", &e) == 0);
    CHECK_MSG(catalog_analysis_put(c, ID2, "v1", "done", 3, NULL, &e) == 0, "%s", e.msg);
    CHECK(catalog_analysis_done(c, ID2, "v1", &e) == 1);
    CHECK(catalog_analysis_done(c, ID2, "v2", &e) == 0);

    catalog_face *faces = NULL;
    size_t n = 0;
    CHECK(catalog_faces_of_photo(c, ID2, "v1", &faces, &n, &e) == 0);
    CHECK(n == 3);
    for (size_t i = 0; i < n; i++)
        CHECK(faces[i].face_no == (int)i);
    if (n == 3) {
        catalog_face want = sample_face(ID2, 1, "v1");
        want.id = faces[1].id;
        check_same(&want, &faces[1]);
    }
    free(faces);

    for (int i = 0; i < 2; i++) {
        catalog_face f = sample_face(ID2, i, "v2");
        CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
    }
    CHECK(catalog_analysis_put(c, ID2, "v2", "done", 2, NULL, &e) == 0);
    CHECK(catalog_faces_of_photo(c, ID2, NULL, &faces, &n, &e) == 0);
    CHECK(n == 2 && strcmp(faces[0].model_version, "v2") == 0);
    free(faces);
    /* Re-running v1 makes it the newest run. */
    CHECK(catalog_analysis_put(c, ID2, "v1", "done", 3, NULL, &e) == 0);
    CHECK(catalog_faces_of_photo(c, ID2, NULL, &faces, &n, &e) == 0);
    CHECK(n == 3 && strcmp(faces[0].model_version, "v1") == 0);
    free(faces);
    /* A failed run is no 'done' and does not count as the newest. */
    CHECK(catalog_analysis_put(c, ID2, "v3", "failed", 0, "processed/x.jpg: damaged", &e) == 0);
    CHECK(catalog_analysis_done(c, ID2, "v3", &e) == 0);
    CHECK(catalog_faces_of_photo(c, ID2, NULL, &faces, &n, &e) == 0);
    CHECK(n == 3);
    free(faces);
    CHECK(test_query_int(c, "SELECT count(*) FROM analysis_runs WHERE error IS NOT NULL") == 1);
    /* Replacing a run keeps one row per (photo, version). */
    CHECK(catalog_analysis_put(c, ID2, "v3", "done", 0, NULL, &e) == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM analysis_runs WHERE photo_id = 'fedcba9876543210'") == 3);
    CHECK(catalog_analysis_done(c, ID2, "v3", &e) == 1);
    CHECK(catalog_analysis_put(c, ID2, "v3", "maybe", 0, NULL, &e) == ERR_INVALID);
    CHECK(catalog_analysis_put(c, ID2, "", "done", 0, NULL, &e) == ERR_INVALID);

    /* Photo 1 has faces (v1) but no 'done' run: it has no current analysis
     * (one meaning of "current" everywhere, catalog_query.h). */
    CHECK(catalog_faces_of_photo(c, ID1, NULL, &faces, &n, &e) == 0);
    CHECK(n == 0 && faces == NULL);
    CHECK(catalog_faces_of_photo(c, ID1, "v1", &faces, &n, &e) == 0);
    CHECK(n == 2);
    free(faces);
    CHECK(catalog_faces_of_photo(c, ID1, "nope", &faces, &n, &e) == 0);
    CHECK(n == 0 && faces == NULL);

    catalog_counts k;
    CHECK(catalog_counts_get(c, &k, &e) == 0);
    CHECK(k.analyzed == 1);
    CHECK(k.faces == 7);
    CHECK(k.unassigned_faces == 7);
}

static void test_transaction(catalog *c)
{
    /* Face rows and the run in one transaction: a rollback leaves nothing. */
    err e = { 0 };
    CHECK(catalog_begin(c, &e) == 0);
    catalog_face f = sample_face(ID1, 7, "vT");
    CHECK(catalog_face_put(c, &f, &e) == 0);
    CHECK(catalog_analysis_put(c, ID1, "vT", "done", 1, NULL, &e) == 0);
    catalog_rollback(c);
    CHECK(catalog_analysis_done(c, ID1, "vT", &e) == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM faces WHERE model_version = 'vT'") == 0);
    /* Damaged JSON in a row is reported, not misread. */
    CHECK(sqlite3_exec(catalog_sqlite(c),
                       "UPDATE faces SET points68 = '[[1,2]]' WHERE photo_id = '0123456789abcdef' AND face_no = 0",
                       NULL, NULL, NULL) == SQLITE_OK);
    catalog_face *faces = NULL;
    size_t n = 0;
    CHECK(catalog_faces_of_photo(c, ID1, "v1", &faces, &n, &e) == ERR_FORMAT);
    CHECK_MSG(strstr(e.msg, "points68") != NULL, "%s", e.msg);
    CHECK(faces == NULL && n == 0);
}

int main(void)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("catalog_faces"));
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        test_put_photo(c, ID1, 1000, 800);
        test_put_photo(c, ID2, 1000, 800);
        test_roundtrip(c);
        test_conflicts_and_validation(c);
        test_versions_and_runs(c);
        test_transaction(c);
        catalog_close(c);
    }
    test_rmtree(dir);
    return test_main_end();
}
