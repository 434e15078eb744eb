/* test_annotate_stage.c — annotate/annotate.h on a small real catalog (SQLite
 * file): dates with precision and source from folders, albums and captions,
 * inference within an event and none without evidence, places, events, name
 * suggestions by co-occurrence (the photographer names nobody), names people
 * gave win, rejected suggestions never return, dates people set are kept,
 * and a run with nothing changed does nothing. */
#include "annotate_fixture.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

/* One photo at path with caption (may be NULL) and one face of person (0: none). */
static void photo(catalog *c, const char *path, const char *caption, int64_t person)
{
    char *side = annotate_fixture_caption(caption);
    annotate_fixture_photo(c, ++nphotos, path, side);
    free(side);
    annotate_fixture_face(c, nphotos, person);
}

static void date_is(catalog *c, int n, const char *want)
{
    char *got = annotate_fixture_query(
        c,
        "SELECT date_value || ' ' || date_precision || ' ' || date_source || ' ' || date_inferred "
        "FROM photo_annotations WHERE photo_id = printf('%%016x', %d)",
        n);
    CHECK_MSG(want ? got && strcmp(got, want) == 0 : got == NULL, "photo %d: date '%s', want '%s'", n,
              got ? got : "(none)", want ? want : "(none)");
    free(got);
}

int main(void)
{
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-stage", dir, sizeof dir);
    if (!c)
        return test_main_end();
    for (int p = 1; p <= 3; p++)
        CHECK(test_query_int(c, p == 1   ? "INSERT INTO persons (id) VALUES (1) RETURNING id"
                                : p == 2 ? "INSERT INTO persons (id) VALUES (2) RETURNING id"
                                         : "INSERT INTO persons (id) VALUES (3) RETURNING id") == p);
    /* a dated folder: person 1 named in three captions, the photographer in all */
    const char *F = "/a/1977/1977-02 Probe Nelken, Wuppertal/";
    char p1[256], p2[256], p3[256], p4[256];
    snprintf(p1, sizeof p1, "%sIMG_001_001.jpg", F);
    snprintf(p2, sizeof p2, "%sIMG_001_002.jpg", F);
    snprintf(p3, sizeof p3, "%sIMG_001_003.jpg", F);
    snprintf(p4, sizeof p4, "%sIMG_001_004.jpg", F);
    photo(c, p1, "Anna Weber bei der Probe (Foto: Ulli Weiss)", 1);      /* 1 */
    photo(c, p2, "v.l.n.r.: Anna Weber, 14.2.77 (Foto: Ulli Weiss)", 1); /* 2 */
    photo(c, p3, "Paul Bremer (Foto: Ulli Weiss)", 2);                   /* 3 */
    photo(c, p4, NULL, 1);                                               /* 4 */
    /* a box folder without date; one caption dates it, in English */
    photo(c, "/a/Kiste 3/Gastspiel 12/scan_012_001.jpg", "A. Weber in Tokio, March 1981 (Photo: Ulli Weiss)",
          1);                                                                       /* 5 */
    photo(c, "/a/Kiste 3/Gastspiel 12/scan_012_002.jpg", "P. Bremer backstage", 2); /* 6 */
    photo(c, "/a/Kiste 3/Gastspiel 12/scan_012_003.jpg", NULL, 3);                  /* 7 */
    /* no evidence at all: stays undated */
    photo(c, "/a/Unsortiert/IMG_0042.jpg", NULL, 3);                        /* 8 */
    photo(c, "/a/Unsortiert/IMG_0043.jpg", "Bremer, Paul; Weber, Anna", 2); /* 9 */

    annotate_summary s = annotate_fixture_run(c, false);
    CHECK(!s.unchanged && s.photos == 9);
    date_is(c, 1, "1977-02 month folder 0");
    date_is(c, 2, "1977-02-14 day caption 0");
    date_is(c, 4, "1977-02 month folder 0");
    date_is(c, 5, "1981-03 month caption 0");
    date_is(c, 7, "1981-03 month event 1");
    date_is(c, 8, NULL);
    char *pl = annotate_fixture_query(c,
                                      "SELECT p.name FROM photo_annotations a JOIN places p ON p.id = a.place_id "
                                      "WHERE a.photo_id = printf('%%016x', %d)",
                                      1);
    CHECK(pl && strcmp(pl, "Wuppertal") == 0);
    free(pl);
    pl = annotate_fixture_query(
        c,
        "SELECT p.name || '|' || p.country || '|' || (p.geonames_id > 0) FROM photo_annotations a "
        "JOIN places p ON p.id = a.place_id WHERE a.photo_id = printf('%%016x', %d)",
        7);
    CHECK_MSG(pl && strcmp(pl, "Tokio|Japan|1") == 0, "place of photo 7: %s", pl ? pl : "(none)");
    free(pl);
    /* events: the dated folder is one, the box folder another */
    CHECK(test_query_int(c, "SELECT count(DISTINCT event_id) FROM photo_annotations WHERE photo_id IN "
                            "('0000000000000001', '0000000000000004')") == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Probe Nelken' AND date_value = '1977-02-14' "
                            "AND date_precision = 'day'") == 1);
    /* names: person 1 is Anna Weber, person 2 Paul Bremer; the photographer nobody */
    char *top = test_query_text(c, "SELECT label FROM person_suggestions WHERE person_id = 1 ORDER BY confidence DESC");
    CHECK_MSG(top && strcmp(top, "Anna Weber") == 0, "person 1: %s", top ? top : "(none)");
    free(top);
    top = test_query_text(c, "SELECT label FROM person_suggestions WHERE person_id = 2 ORDER BY confidence DESC");
    CHECK_MSG(top && strcmp(top, "Paul Bremer") == 0, "person 2: %s", top ? top : "(none)");
    free(top);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE label LIKE '%Weiss%'") == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 1 AND label = 'Anna Weber' "
                            "AND json_array_length(evidence) >= 2 AND source = 'rules'") == 1);

    /* nothing changed: nothing done */
    s = annotate_fixture_run(c, false);
    CHECK(s.unchanged);

    /* people's word: a rejected suggestion never returns, a name given wins, a date set stays */
    CHECK(test_query_int(c, "UPDATE person_suggestions SET status = 'rejected' WHERE person_id = 2 AND "
                            "label = 'Paul Bremer' RETURNING 1") == 1);
    CHECK(test_query_int(c, "UPDATE persons SET name = 'Anna Weber' WHERE id = 3 RETURNING 1") == 1);
    CHECK(test_query_int(c, "UPDATE photo_annotations SET date_value = '1990', date_precision = 'year', "
                            "date_source = 'human' WHERE photo_id = '0000000000000008' RETURNING 1") == 1);
    s = annotate_fixture_run(c, false);
    CHECK(!s.unchanged);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 2 AND label = 'Paul Bremer' "
                            "AND status = 'open'") == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 2 AND label = 'Paul Bremer' "
                            "AND status = 'rejected'") == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM person_suggestions WHERE person_id = 3 AND status = 'open'") == 0);
    date_is(c, 8, "1990 year human 0");
    /* --full on unchanged data gives the same rows */
    char *before = test_query_text(c, "SELECT group_concat(photo_id || date_value || ifnull(place_id, '') || "
                                      "ifnull(event_id, ''), ',') FROM photo_annotations");
    annotate_fixture_run(c, true);
    char *after = test_query_text(c, "SELECT group_concat(photo_id || date_value || ifnull(place_id, '') || "
                                     "ifnull(event_id, ''), ',') FROM photo_annotations");
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);

    /* faces of no person: the one name their caption has left, if it is one
     * of two words or more; a capitalised noun ("Rehearsal") is no name */
    photo(c, "/a/Unsortiert/IMG_0044.jpg", "Jo Ann Endicott in Wien, January 1994", 0); /* 10 */
    photo(c, "/a/Unsortiert/IMG_0045.jpg", "Rehearsal in Wien, January 1994", 0);       /* 11 */
    annotate_fixture_run(c, false);
    char *fs = test_query_text(c, "SELECT group_concat(s.label, '|') FROM face_suggestions s JOIN faces f ON "
                                  "f.id = s.face_id WHERE f.photo_id = '000000000000000a'");
    CHECK_MSG(fs && strcmp(fs, "Jo Ann Endicott") == 0, "face of photo 10: %s", fs ? fs : "(none)");
    free(fs);
    CHECK(test_query_int(c, "SELECT count(*) FROM face_suggestions s JOIN faces f ON f.id = s.face_id "
                            "WHERE f.photo_id = '000000000000000b'") == 0);
    annotate_fixture_close(c, dir);
    return test_main_end();
}
