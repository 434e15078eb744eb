/* test_annotate_fingerprint.c — annotate's fingerprint (catalog_ann_fingerprint)
 * sees changes whose counts and maxima cancel out: a photo deleted and
 * another ingested within the same second, a source path that moves to
 * another photo (its file now holds that photo's bytes), faces whose persons
 * clustering swaps, a back paired with another front. Each time the next
 * incremental run must not call the catalog unchanged, and reads the change.
 * "The same second" is made by SQL (every updated_at set to one value), so
 * nothing depends on the clock. */
#include "annotate_fixture.h"
#include "store/catalog_annotate.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECOND "'2026-01-01T00:00:00Z'"

static void photo(catalog *c, int n, const char *path, const char *caption)
{
    char *side = annotate_fixture_caption(caption);
    annotate_fixture_photo(c, n, path, side);
    free(side);
}

/* An incremental run after every row's updated_at was set to one second:
 * whether it found the catalog unchanged. */
static bool run_in_one_second(catalog *c)
{
    test_exec(c, "UPDATE photos SET updated_at = " SECOND "; UPDATE persons SET updated_at = " SECOND ";");
    return annotate_fixture_run(c, false).unchanged;
}

/* The run that records the catalog, and one that must find nothing changed. */
static void run_twice(catalog *c, const char *what)
{
    run_in_one_second(c);
    CHECK_MSG(run_in_one_second(c), "%s: a second run finds a change", what);
}

static void check_seen(catalog *c, const char *what)
{
    CHECK_MSG(!run_in_one_second(c), "%s: annotate called the catalog unchanged", what);
}

/* Photo n's path in the first two tests: 1 and 3 in dated folders, 2 in none. */
static const char *const paths[3] = { "/a/1977/1977-02 Probe/IMG_1.jpg", "/a/Unsortiert/IMG_2.jpg",
                                      "/a/1981/1981-03 Gastspiel/IMG_3.jpg" };

/* A new catalog with photos 1..n (paths[]), annotated and found unchanged by
 * a second run; NULL after a failed CHECK. */
static catalog *start(const char *tag, char *dir, size_t size, int n, const char *what)
{
    catalog *c = annotate_fixture_open(tag, dir, size);
    for (int i = 1; c && i <= n; i++)
        photo(c, i, paths[i - 1], NULL);
    if (c)
        run_twice(c, what);
    return c;
}

/* Photo 2 deleted and photo 3 ingested in the same second: the photo count,
 * the newest updated_at and (the id of photo 2's source reused by photo 3's)
 * the sources' count and highest id are as they were. */
static void test_delete_and_ingest(void)
{
    const char *what = "a delete and an ingest in one second";
    char dir[512];
    catalog *c = start("annfp-delete", dir, sizeof dir, 2, what);
    if (!c)
        return;
    char *fp_sources = test_query_text(c, "SELECT count(*) || '.' || max(id) FROM photo_sources");
    test_exec(c, "DELETE FROM photos WHERE photo_id = '0000000000000002'");
    photo(c, 3, paths[2], NULL);
    char *fp_sources2 = test_query_text(c, "SELECT count(*) || '.' || max(id) FROM photo_sources");
    /* the case the old fingerprint could not tell apart */
    CHECK(fp_sources && fp_sources2 && strcmp(fp_sources, fp_sources2) == 0);
    free(fp_sources);
    free(fp_sources2);
    check_seen(c, what);
    annotate_fixture_date_is(c, 3, "1981-03", what);
    annotate_fixture_close(c, dir);
}

/* The file at photo 3's path now holds photo 2's bytes: the path moves to
 * photo 2 (catalog_source_add), no count or id changes. */
static void test_source_moves(void)
{
    const char *what = "a source path moved to another photo";
    char dir[512];
    catalog *c = start("annfp-source", dir, sizeof dir, 3, what);
    if (!c)
        return;
    annotate_fixture_date_is(c, 2, NULL, what);
    err e = { 0 };
    CHECK_MSG(catalog_source_add(c, "0000000000000002", paths[2], 100, 0, &e) == 1, "%s", e.msg);
    check_seen(c, what);
    annotate_fixture_date_is(c, 2, "1981-03", what);
    annotate_fixture_close(c, dir);
}

/* Clustering swaps the persons of two faces: the faces' count, highest id and
 * sum of person ids stay; each person's name suggestion must follow. */
static void test_persons_swapped(void)
{
    const char *what = "two faces' persons swapped";
    char dir[512];
    catalog *c = annotate_fixture_open("annfp-swap", dir, sizeof dir);
    if (!c)
        return;
    test_exec(c, "INSERT INTO persons (id) VALUES (1), (2)");
    const char *who[2] = { "Anna Weber", "Paul Bremer" };
    int64_t face[4];
    for (int i = 0; i < 4; i++) {
        char path[64], caption[64];
        snprintf(path, sizeof path, "/a/Unsortiert/IMG_%d.jpg", i + 1);
        snprintf(caption, sizeof caption, "%s (Foto: Ulli Weiss)", who[i % 2]);
        photo(c, i + 1, path, caption);
        face[i] = annotate_fixture_face(c, i + 1, 1 + i % 2);
    }
    run_twice(c, what);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 1 AND label = 'Anna Weber'") ==
          1);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE faces SET person_id = 3 - person_id WHERE id IN (%lld, %lld, %lld, %lld)",
             (long long)face[0], (long long)face[1], (long long)face[2], (long long)face[3]);
    test_exec(c, sql);
    check_seen(c, what);
    char *top = test_query_text(c, "SELECT label FROM person_suggestions WHERE person_id = 1 ORDER BY confidence DESC");
    CHECK_MSG(top && strcmp(top, "Paul Bremer") == 0, "%s: person 1 is suggested '%s'", what, top ? top : "(none)");
    free(top);
    annotate_fixture_close(c, dir);
}

/* A buffer too small for the fingerprint is an error, never a fingerprint
 * cut short (its tail, annotate_inputs' count, would go unseen). */
static void test_short_buffer(void)
{
    char dir[512];
    catalog *c = start("annfp-short", dir, sizeof dir, 3, "a short buffer");
    if (!c)
        return;
    err e = { 0 };
    char whole[512];
    CHECK_MSG(catalog_ann_fingerprint(c, whole, sizeof whole, &e) == 0, "%s", e.msg);
    size_t len = strlen(whole);
    CHECK(len > 40);
    for (size_t size = 8; size <= len + 1; size += 8) {
        char buf[512];
        e = (err){ 0 };
        int rc = catalog_ann_fingerprint(c, buf, size, &e);
        CHECK_MSG(rc == 0 ? strcmp(buf, whole) == 0 : rc == ERR_INTERNAL && e.msg[0],
                  "a buffer of %zu for %zu bytes: rc %d, '%s'", size, len, rc, rc ? e.msg : buf);
    }
    CHECK(catalog_ann_fingerprint(c, whole, len + 1, &e) == 0);
    annotate_fixture_close(c, dir);
}

int main(void)
{
    test_delete_and_ingest();
    test_source_moves();
    test_persons_swapped();
    test_short_buffer();
    return test_main_end();
}
