/* test_trigger_cascades.c — the derived tables stay what a full rebuild gives
 * when a delete cascades. SQLite deletes a parent row, then runs the foreign
 * keys' actions (ON DELETE CASCADE / SET NULL, with the child tables' own
 * triggers), and only then the parent's AFTER DELETE triggers: a parent's
 * trigger sees its children gone, a child's trigger sees its parent gone.
 * Schema 12's timeline_photo_delete read a child the cascade had emptied
 * (fixed by schema 22); this test deletes every kind of parent that has a
 * cascade and a trigger nearby — photos (faces, analysis runs, annotations,
 * OCR texts, the parse cache), persons (faces SET NULL), events and places
 * (annotations SET NULL), faces and analysis runs — on graph_fixture.h's
 * archive, through the store's functions where the product deletes
 * (analysis, flip, annotate's events, clustering's empty persons) and by SQL
 * where only a person or another tool can (the store has no photo delete),
 * and compares timeline_photos (every column), timeline_counts,
 * photo_persons, photo_photographers and timeline_run_heads with their
 * definitions computed from scratch over the base tables, one fresh catalog
 * per delete. */
#include "graph_fixture.h"
#include "store/catalog.h"
#include "store/catalog_annotate.h"
#include "store/catalog_graph.h"
#include "store/catalog_ocr.h"
#include "store/catalog_query.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each derived table rebuilt from the base tables, compared both ways: the
 * number of rows that differ. */
static const char *const rebuilt_names[] = { "timeline_photos",     "timeline_counts", "photo_persons",
                                             "photo_photographers", "orphans",         "timeline_run_heads" };
static const char *const rebuilt_sql[] = {
    /* timeline_photos: a photo's date by the same rules as schema 12 (its
     * annotation's, its camera's, its event's), its event's rows under the
     * event's date or else their earliest */
    "WITH ph AS (SELECT p.photo_id,"
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_value WHEN p.taken_at IS NOT NULL THEN p.taken_at"
    "       WHEN e.date_value IS NOT NULL THEN e.date_value WHEN e.year IS NOT NULL THEN CAST(e.year AS TEXT) END"
    "   AS date,"
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_precision WHEN p.taken_at IS NOT NULL THEN 'day'"
    "       WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END AS prec,"
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_source"
    "       WHEN p.taken_at IS NOT NULL THEN coalesce(p.taken_at_source, 'exif')"
    "       WHEN coalesce(e.date_value, e.year) IS NOT NULL THEN 'event' END AS src,"
    "  a.event_id, a.place_id, coalesce(e.date_value, CAST(e.year AS TEXT)) AS ev_date,"
    "  CASE WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END AS ev_prec,"
    "  coalesce(a.event_id, 9223372036854775807) AS ev_ord"
    "  FROM photos p LEFT JOIN photo_annotations a ON a.photo_id = p.photo_id"
    "  LEFT JOIN events e ON e.id = a.event_id),"
    " want AS (SELECT photo_id, CASE WHEN event_id IS NULL THEN date"
    "   ELSE coalesce(ev_date, min(date) OVER (PARTITION BY event_id)) END AS key,"
    "   ev_ord, date, prec, src, event_id, place_id, ev_date, ev_prec FROM ph),"
    " have AS (SELECT photo_id, key, ev_ord, date, precision, date_source, event_id, place_id, ev_date,"
    "   ev_precision FROM timeline_photos)"
    " SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have))"
    " + (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want))",
    /* timeline_counts: the photos under each year of timeline_photos' keys */
    "WITH years AS (SELECT coalesce(CAST(substr(key, 1, 4) AS INTEGER), -1) AS year, count(*) AS photos"
    "  FROM timeline_photos GROUP BY 1)"
    " SELECT (SELECT count(*) FROM (SELECT * FROM years EXCEPT SELECT year, photos FROM timeline_counts))"
    " + (SELECT count(*) FROM (SELECT year, photos FROM timeline_counts EXCEPT SELECT * FROM years))",
    /* photo_persons: the faces of each photo's current analysis, not
     * rejected, of a person not hidden; the age of the best one */
    "WITH " CATALOG_CURRENT_CTE ","
    " counted AS (SELECT f.photo_id, f.person_id, f.age, row_number() OVER (PARTITION BY f.photo_id, f.person_id"
    "   ORDER BY coalesce(f.score, 0) DESC, f.id) AS rn FROM faces f"
    "  JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version"
    "  JOIN persons p ON p.id = f.person_id AND p.hidden = 0 WHERE f.status <> 'rejected'),"
    " want AS (SELECT photo_id, person_id, age FROM counted WHERE rn = 1)"
    " SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT photo_id, person_id, age FROM photo_persons))"
    " + (SELECT count(*) FROM (SELECT photo_id, person_id, age FROM photo_persons EXCEPT SELECT * FROM want))",
    /* photo_photographers: the names annotation evidence gives as photographer */
    "WITH want AS (SELECT a.photo_id, json_extract(j.value, '$.text') AS name FROM photo_annotations a,"
    "  json_each(a.evidence) j WHERE a.evidence IS NOT NULL AND json_type(a.evidence) = 'array'"
    "  AND json_extract(j.value, '$.kind') = 'photographer' AND json_type(j.value, '$.text') = 'text')"
    " SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT photo_id, name FROM photo_photographers))"
    " + (SELECT count(*) FROM (SELECT photo_id, name FROM photo_photographers EXCEPT SELECT * FROM want))",
    /* rows of derived or cached tables whose photo is gone */
    "SELECT (SELECT count(*) FROM photo_persons WHERE photo_id NOT IN (SELECT photo_id FROM photos))"
    " + (SELECT count(*) FROM photo_parse WHERE photo_id NOT IN (SELECT photo_id FROM photos))"
    " + (SELECT count(*) FROM photo_photographers WHERE photo_id NOT IN (SELECT photo_id FROM photos))",
    /* timeline_run_heads (schema 25): testutil.h */
    TEST_RUN_HEADS_DRIFT,
};
#define N_REBUILT (sizeof rebuilt_sql / sizeof rebuilt_sql[0])

/* Checks every derived table against its rebuild after `what`; the total
 * number of rows that differ (a failed check names the table). */
static int64_t check_rebuilt(catalog *c, const char *what)
{
    int64_t total = 0;
    for (size_t i = 0; i < N_REBUILT; i++) {
        int64_t d = test_query_int(c, rebuilt_sql[i]);
        CHECK_MSG(d == 0, "%s: %s differs from its rebuild in %lld rows", what, rebuilt_names[i], (long long)d);
        total += d < 0 ? 1 : d;
    }
    return total;
}

/* A fresh catalog with the fixture, OCR texts on photos 1 and 2 and a parse
 * cache row for every photo (what annotate keeps per photo). */
static catalog *fixture(const char *dir, int n, graph_fixture *f)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/c%d.sqlite", dir, n);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return NULL;
    int rc = graph_fixture_build(c, f, &e);
    static const catalog_ocr_text texts[] = {
        { .region = "back", .text = "Karneval 1977, Foto: Zoë", .confidence = 91 },
        { .region = "margin", .text = "Köln", .confidence = 88 }
    };
    for (int i = 1; rc == 0 && i <= 2; i++) {
        catalog_ocr_result r = {
            .photo_id = f->photo[i], .engine = "test", .score = -1, .score_flipped = -1, .texts = texts, .ntexts = 2
        };
        rc = catalog_ocr_put(c, &r, &e);
    }
    catalog_ann_parse_writer *w = rc == 0 ? catalog_ann_parse_writer_open(c, &e) : NULL;
    for (int i = 0; w && rc == 0 && i < GF_PHOTOS; i++)
        rc = catalog_ann_parse_put(w, f->photo[i], "inputs", "context", "{}", &e);
    catalog_ann_parse_writer_close(w);
    CHECK_MSG(rc == 0 && (w || rc), "fixture: %s", e.msg);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_parse") == GF_PHOTOS);
    CHECK(check_rebuilt(c, "the fixture") == 0);
    return c;
}

/* The event loses its date and year (by SQL: the store keeps events unique by
 * name and year): its photos sort under their earliest. */
static void undate_event(catalog *c, int64_t id)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE events SET date_value = NULL, date_precision = NULL, year = NULL WHERE id = %lld",
             (long long)id);
    test_exec(c, sql);
}

static int64_t inputs_changes(catalog *c)
{
    return test_query_int(c, "SELECT changes FROM annotate_inputs");
}

/* One photo deleted (its faces, runs, annotation, texts and parse row go by
 * the cascade), each photo of the fixture in turn; then an undated event's
 * photos, and every photo, each in one statement. */
static void test_photo_deletes(const char *dir, int *n)
{
    for (int i = 0; i < GF_PHOTOS; i++) {
        graph_fixture f;
        catalog *c = fixture(dir, (*n)++, &f);
        if (!c)
            return;
        char what[64], sql[256];
        snprintf(what, sizeof what, "photo %d deleted", i);
        int64_t changes = inputs_changes(c);
        char fp[512] = "", fp2[512] = "";
        err e = { 0 };
        CHECK(catalog_ann_fingerprint(c, fp, sizeof fp, &e) == 0);
        snprintf(sql, sizeof sql, "DELETE FROM photos WHERE photo_id = '%s'", f.photo[i]);
        test_exec(c, sql);
        check_rebuilt(c, what);
        /* annotate's inputs changed: its run fingerprint moves, and the
         * delete itself is counted (schema 24), whatever the counts show */
        CHECK(catalog_ann_fingerprint(c, fp2, sizeof fp2, &e) == 0);
        CHECK_MSG(strcmp(fp, fp2) != 0, "%s: annotate's fingerprint unchanged", what);
        CHECK_MSG(inputs_changes(c) > changes, "%s: annotate_inputs %lld -> %lld", what, (long long)changes,
                  (long long)inputs_changes(c));
        catalog_close(c);
    }
    /* Karneval undated: its photos sort under their earliest (photos 0 and 1,
     * 1977-02-14); deleting 0 and 1 in one statement leaves photo 2, whose
     * only date was the event's, undated */
    graph_fixture f;
    catalog *c = fixture(dir, (*n)++, &f);
    if (!c)
        return;
    char sql[512];
    undate_event(c, f.karneval);
    check_rebuilt(c, "Karneval undated");
    snprintf(sql, sizeof sql, "DELETE FROM photos WHERE photo_id IN ('%s', '%s')", f.photo[0], f.photo[1]);
    test_exec(c, sql);
    check_rebuilt(c, "an undated event's two earliest photos deleted in one statement");
    snprintf(sql, sizeof sql, "SELECT key IS NULL FROM timeline_photos WHERE photo_id = '%s'", f.photo[2]);
    CHECK_MSG(test_query_int(c, sql) == 1, "the undated event's last photo still sorts under a date");
    test_exec(c, "DELETE FROM photos");
    check_rebuilt(c, "every photo deleted");
    CHECK(test_query_int(c,
                         "SELECT (SELECT count(*) FROM timeline_photos) + (SELECT count(*) FROM timeline_counts)"
                         " + (SELECT count(*) FROM photo_persons) + (SELECT count(*) FROM photo_photographers)") == 0);
    catalog_close(c);
}

/* A person deleted: its faces lose it (ON DELETE SET NULL), their photos'
 * photo_persons are refreshed while the person row is already gone. Every
 * person in turn, by SQL (the store deletes only persons left with no face
 * of the current analysis). D is hidden; B also has photo 9's face of an
 * older analysis, which still points at B when B goes: the state clustering's
 * delete of persons without a face of its version leaves. */
static void test_person_deletes(const char *dir, int *n)
{
    for (int who = 0; who < 4; who++) {
        graph_fixture f;
        catalog *c = fixture(dir, (*n)++, &f);
        if (!c)
            return;
        char sql[128], what[64];
        snprintf(sql, sizeof sql, "DELETE FROM persons WHERE id = %lld", (long long)f.person[who]);
        test_exec(c, sql);
        snprintf(what, sizeof what, "person %c deleted", 'A' + who);
        check_rebuilt(c, what);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM photo_persons WHERE person_id = %lld",
                 (long long)f.person[who]);
        CHECK_MSG(test_query_int(c, sql) == 0, "%s: still appears in photos", what);
        catalog_close(c);
    }
}

/* An event deleted while photos are annotated with it (SET NULL on
 * photo_annotations, whose update trigger re-reads the event, already gone):
 * annotate's delete of the events a run no longer finds (all "folder" events:
 * Karneval, dated, photos 0-2), the same after Karneval lost its date, and
 * the caption event by SQL. */
static void test_event_deletes(const char *dir, int *n)
{
    for (int undated = 0; undated < 2; undated++) {
        graph_fixture f;
        catalog *c = fixture(dir, (*n)++, &f);
        if (!c)
            return;
        char sql[256];
        if (undated)
            undate_event(c, f.karneval);
        err e = { 0 };
        CHECK_MSG(catalog_ann_events_prepare(c, "folder", NULL, 0, NULL, 0, &e) == 0, "%s", e.msg);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE id = %lld", (long long)f.karneval);
        CHECK_MSG(test_query_int(c, sql) == 0, "annotate's prepare kept an event it no longer finds");
        check_rebuilt(c, undated ? "an undated event deleted by annotate" : "an event deleted by annotate");
        snprintf(sql, sizeof sql, "DELETE FROM events WHERE id = %lld", (long long)f.hostile_event);
        test_exec(c, sql);
        check_rebuilt(c, "the caption event deleted");
        catalog_close(c);
    }
}

/* A place deleted: the events and annotations that named it lose it (SET
 * NULL); the timeline keeps each photo's place. */
static void test_place_deletes(const char *dir, int *n)
{
    graph_fixture f;
    catalog *c = fixture(dir, (*n)++, &f);
    if (!c)
        return;
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM places WHERE id IN (%lld, %lld)", (long long)f.koeln,
             (long long)f.hostile_place);
    test_exec(c, sql);
    check_rebuilt(c, "both places deleted");
    CHECK(test_query_int(c, "SELECT count(*) FROM timeline_photos WHERE place_id IS NOT NULL") == 0);
    catalog_close(c);
}

/* Faces and analysis runs deleted: a photo analysed again finding nobody
 * (catalog_analysis_record deletes the run's detector faces), a face deleted
 * alone, a flip (catalog_photo_flip_put deletes the photo's runs, so none of
 * its faces is current), and a photo's faces deleted in one statement. */
static void test_face_deletes(const char *dir, int *n)
{
    graph_fixture f;
    catalog *c = fixture(dir, (*n)++, &f);
    if (!c)
        return;
    err e = { 0 };
    CHECK_MSG(catalog_analysis_record(c, f.photo[0], "test-model", NULL, 0, NULL, 0, &e) == 0, "%s", e.msg);
    check_rebuilt(c, "photo 0 analysed again, no face found");
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM faces WHERE photo_id = '%s' AND face_no = 1", f.photo[1]);
    test_exec(c, sql);
    check_rebuilt(c, "one face of photo 1 deleted");
    char recorded[65];
    CHECK_MSG(catalog_photo_flip_put(c, f.photo[2], "test", "", recorded, &e) == 1, "%s", e.msg);
    check_rebuilt(c, "photo 2 flipped (its analysis runs deleted)");
    snprintf(sql, sizeof sql, "DELETE FROM faces WHERE photo_id = '%s'", f.photo[9]);
    test_exec(c, sql);
    check_rebuilt(c, "photo 9's faces of an older analysis deleted");
    test_exec(c, "DELETE FROM faces");
    check_rebuilt(c, "every face deleted");
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_persons") == 0);
    catalog_close(c);
}

int main(void)
{
    const char *dir = test_tmpdir("trigger-cascades");
    char root[1024];
    snprintf(root, sizeof root, "%s", dir);
    int n = 0;
    test_photo_deletes(root, &n);
    test_person_deletes(root, &n);
    test_event_deletes(root, &n);
    test_place_deletes(root, &n);
    test_face_deletes(root, &n);
    if (!getenv("FACETAG_KEEP_TMP"))
        test_rmtree(root);
    return test_main_end();
}
