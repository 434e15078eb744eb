/* test_annotate_rejected.c — a name people rejected for a person stays
 * rejected when clustering runs again (issue 11), on a small real catalog
 * (SQLite file). The rejection goes through catalog_decide_suggestion as the
 * review and the annotation-file import make it; the re-clustering is done
 * with SQL on persons and faces, as `facetag cluster` leaves them (its own
 * inputs, face descriptors, are beside the point here):
 *  - the rejected person's faces under a new person id: the name is not
 *    suggested for it again;
 *  - split in two: neither part gets it;
 *  - one of those faces taken into a larger group of other faces captioned
 *    with that name: that group does get it (the rejection was about the
 *    faces it was made on, not the name everywhere);
 *  - accepting it there withdraws nothing that holds for the other persons. */
#include "annotate/annotate.h"
#include "store/catalog_decide.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

/* A photo in folder with caption and one face of person; the face's id. */
static int64_t photo(catalog *c, const char *folder, const char *caption, int64_t person)
{
    err e = { 0 };
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%016x", ++nphotos);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", p.photo_id, p.photo_id, p.photo_id, p.photo_id);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", p.photo_id);
    p.width = p.orig_width = 800;
    p.height = p.orig_height = 600;
    p.orientation = 1;
    json_t *j = json_pack("{s:s}", "txt", caption);
    char *side = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    p.sidecar = side;
    CHECK(catalog_photo_put(c, &p, &e) >= 0);
    char path[256];
    snprintf(path, sizeof path, "%s/IMG_%04d.jpg", folder, nphotos);
    CHECK(catalog_source_add(c, p.photo_id, path, 100, 0, &e) >= 0);
    free(side);
    catalog_face f = { 0 };
    snprintf(f.photo_id, sizeof f.photo_id, "%s", p.photo_id);
    snprintf(f.model_version, sizeof f.model_version, "m1");
    f.box[0] = 100, f.box[1] = 100, f.box[2] = 200, f.box[3] = 200;
    f.score = 0.9;
    f.person_id = person;
    snprintf(f.source, sizeof f.source, "detector");
    CHECK(catalog_face_put(c, &f, &e) == 0);
    CHECK(catalog_analysis_put(c, p.photo_id, "m1", "done", 1, NULL, &e) == 0);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id FROM faces WHERE photo_id = '%s'", p.photo_id);
    return test_query_int(c, sql);
}

static void annotate(catalog *c)
{
    annotate_options o;
    annotate_options_default(&o);
    annotate_summary s;
    err e = { 0 };
    CHECK_MSG(annotate_run(c, &o, &s, &e) == 0, "annotate: %s", e.msg);
}

static void sql(catalog *c, const char *q)
{
    CHECK_MSG(test_query_int(c, q) >= 0, "%s", q);
}

/* Open suggestions 'Paul Bremer' of person p. */
static int64_t bremer(catalog *c, int p)
{
    char q[200];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM person_suggestions WHERE person_id = %d AND label = 'Paul Bremer' "
             "AND status = 'open'",
             p);
    return test_query_int(c, q);
}

int main(void)
{
    const char *dir = test_tmpdir("annotate-rejected");
    char path[512];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK(c != NULL);
    if (!c)
        return test_main_end();
    sql(c, "INSERT INTO persons (id) VALUES (1), (2) RETURNING 1");
    int64_t f2[4];
    for (int i = 0; i < 3; i++)
        photo(c, "/a/1977/1977-02 Probe, Wuppertal", "Anna Weber bei der Probe", 1);
    for (int i = 0; i < 4; i++)
        f2[i] = photo(c, "/a/1978/1978-05 Gastspiel, Paris", "Paul Bremer backstage", 2);
    annotate(c);
    CHECK_MSG(bremer(c, 2) == 1, "person 2 should have 'Paul Bremer' to reject");

    bool changed = false;
    CHECK(catalog_decide_suggestion(c, "test", 2, 0, "Paul Bremer", false, &changed, &e) == 0 && changed);
    CHECK(test_query_int(c, "SELECT count(*) FROM name_rejection_faces rf JOIN name_rejections r ON r.id = "
                            "rf.rejection_id WHERE r.label = 'Paul Bremer' AND r.person_id = 2") == 4);
    annotate(c);
    CHECK(bremer(c, 2) == 0);

    /* clustering again: person 2's faces are person 7 now */
    sql(c, "INSERT INTO persons (id) VALUES (7) RETURNING 1");
    sql(c, "UPDATE faces SET person_id = 7 WHERE person_id = 2 RETURNING 1");
    sql(c, "DELETE FROM persons WHERE id = 2 RETURNING 1");
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 2") == 0);
    annotate(c);
    CHECK_MSG(bremer(c, 7) == 0, "the rejected name came back for person 7");

    /* again: split into 7 and 8 */
    char q[200];
    sql(c, "INSERT INTO persons (id) VALUES (8) RETURNING 1");
    snprintf(q, sizeof q, "UPDATE faces SET person_id = 8 WHERE id IN (%lld, %lld) RETURNING 1", (long long)f2[2],
             (long long)f2[3]);
    sql(c, q);
    annotate(c);
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);

    /* one of those faces in a larger group of others captioned with the name: that group's name */
    sql(c, "INSERT INTO persons (id) VALUES (9) RETURNING 1");
    for (int i = 0; i < 4; i++)
        photo(c, "/a/1980/1980-03 Premiere, Wien", "Paul Bremer bei der Premiere", 9);
    snprintf(q, sizeof q, "UPDATE faces SET person_id = 9 WHERE id = %lld RETURNING 1", (long long)f2[3]);
    sql(c, q);
    annotate(c);
    CHECK_MSG(bremer(c, 9) == 1, "person 9 (4 faces of its own, 1 of the rejected) should have 'Paul Bremer'");
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);
    /* accepted there: the rejection that holds for 7 and 8 stays */
    CHECK(catalog_decide_suggestion(c, "test", 9, 0, "Paul Bremer", true, &changed, &e) == 0 && changed);
    CHECK(test_query_int(c, "SELECT count(*) FROM name_rejections WHERE label = 'Paul Bremer'") == 1);
    annotate(c);
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);
    catalog_close(c);
    test_rmtree(dir);
    return test_main_end();
}
