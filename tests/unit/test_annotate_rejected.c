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
#include "annotate_fixture.h"
#include "store/catalog_decide.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

/* A photo in folder with caption and one face of person; the face's id. */
static int64_t photo(catalog *c, const char *folder, const char *caption, int64_t person)
{
    char path[256];
    snprintf(path, sizeof path, "%s/IMG_%04d.jpg", folder, ++nphotos);
    char *side = annotate_fixture_caption(caption);
    annotate_fixture_photo(c, nphotos, path, side);
    free(side);
    return annotate_fixture_face(c, nphotos, person);
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
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-rejected", dir, sizeof dir);
    if (!c)
        return test_main_end();
    err e = { 0 };
    sql(c, "INSERT INTO persons (id) VALUES (1), (2) RETURNING 1");
    int64_t f2[4];
    for (int i = 0; i < 3; i++)
        photo(c, "/a/1977/1977-02 Probe, Wuppertal", "Anna Weber bei der Probe", 1);
    for (int i = 0; i < 4; i++)
        f2[i] = photo(c, "/a/1978/1978-05 Gastspiel, Paris", "Paul Bremer backstage", 2);
    annotate_fixture_run(c, false);
    CHECK_MSG(bremer(c, 2) == 1, "person 2 should have 'Paul Bremer' to reject");

    bool changed = false;
    CHECK(catalog_decide_suggestion(c, "test", 2, 0, "Paul Bremer", false, &changed, &e) == 0 && changed);
    CHECK(test_query_int(c, "SELECT count(*) FROM name_rejection_faces rf JOIN name_rejections r ON r.id = "
                            "rf.rejection_id WHERE r.label = 'Paul Bremer' AND r.person_id = 2") == 4);
    annotate_fixture_run(c, false);
    CHECK(bremer(c, 2) == 0);

    /* clustering again: person 2's faces are person 7 now */
    sql(c, "INSERT INTO persons (id) VALUES (7) RETURNING 1");
    sql(c, "UPDATE faces SET person_id = 7 WHERE person_id = 2 RETURNING 1");
    sql(c, "DELETE FROM persons WHERE id = 2 RETURNING 1");
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 2") == 0);
    annotate_fixture_run(c, false);
    CHECK_MSG(bremer(c, 7) == 0, "the rejected name came back for person 7");

    /* again: split into 7 and 8 */
    char q[200];
    sql(c, "INSERT INTO persons (id) VALUES (8) RETURNING 1");
    snprintf(q, sizeof q, "UPDATE faces SET person_id = 8 WHERE id IN (%lld, %lld) RETURNING 1", (long long)f2[2],
             (long long)f2[3]);
    sql(c, q);
    annotate_fixture_run(c, false);
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);

    /* one of those faces in a larger group of others captioned with the name: that group's name */
    sql(c, "INSERT INTO persons (id) VALUES (9) RETURNING 1");
    for (int i = 0; i < 4; i++)
        photo(c, "/a/1980/1980-03 Premiere, Wien", "Paul Bremer bei der Premiere", 9);
    snprintf(q, sizeof q, "UPDATE faces SET person_id = 9 WHERE id = %lld RETURNING 1", (long long)f2[3]);
    sql(c, q);
    annotate_fixture_run(c, false);
    CHECK_MSG(bremer(c, 9) == 1, "person 9 (4 faces of its own, 1 of the rejected) should have 'Paul Bremer'");
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);
    /* accepted there: the rejection that holds for 7 and 8 stays */
    CHECK(catalog_decide_suggestion(c, "test", 9, 0, "Paul Bremer", true, &changed, &e) == 0 && changed);
    CHECK(test_query_int(c, "SELECT count(*) FROM name_rejections WHERE label = 'Paul Bremer'") == 1);
    annotate_fixture_run(c, false);
    CHECK(bremer(c, 7) == 0 && bremer(c, 8) == 0);
    annotate_fixture_close(c, dir);
    return test_main_end();
}
