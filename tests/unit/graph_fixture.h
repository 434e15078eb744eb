/* graph_fixture.h — a small archive for the graph tests, written through the
 * store's and people's own functions: photos with source paths, faces named by
 * a person (persons_name_face: a human decision), places, events and photo
 * annotations (catalog_graph.h, the schema 4 contract). Names, paths and event
 * and place names are hostile: quotes, backslashes, newlines, control and
 * line-separator characters, Unicode, Cypher keywords and the injection
 * `"}) DETACH DELETE n //`; one path is not UTF-8.
 *
 * Who is where (photo index: persons, event, date):
 *   0: A B     Karneval 1977-02 (event dated, month), EXIF 1977-02-14T10:00:00
 *   1: A C     Karneval, EXIF 1977-02-14T11:30:00
 *   2: B D     Karneval, no own date (D is hidden)
 *   3: A       event "hostile" (1980, year)
 *   4: A       1985-07 month (folder), place "hostile"
 *   5: B       1960 decade
 *   6: A       1990-05-01 day, set by a person (human)
 *   7: C       undated
 *   8: A'      undated; A's face here is rejected
 *   9: -       undated, no faces (an older analysis found B: not current)
 * C is named as the photographer of photo 1 (evidence kind "photographer").
 * Ages: A 30 + photo index, B 50, C 8. */
#ifndef FACETAG_TEST_GRAPH_FIXTURE_H
#define FACETAG_TEST_GRAPH_FIXTURE_H

#include "store/catalog.h"
#include "store/catalog_graph.h"
#include "store/persons.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GF_PHOTOS 10

static const char *const gf_person_names[4] = {
    "\"}) DETACH DELETE n //",                        /* A */
    "back\\slash 'single' \"double\" `tick` /* c */", /* B */
    "Zoë 山田 🎭 <b>MERGE</b> (x) RETURN x; $rows",    /* C */
    "Hidden Person",                                  /* D */
};
static const char gf_place_hostile[] = "'; MATCH (n) DETACH DELETE n; //\nline two\r\n\ttab \x01 end \xe2\x80\xa8 sep";
static const char gf_event_hostile[] = ":param rows => [] \\' \\\" }]-> CREATE (evil)";
static const char gf_path_hostile[] = "/archive/we\"ird\n'name'\\.jpg";
static const char gf_path_not_utf8[] = "/archive/\xff\xfe-latin1-\xe9.jpg";

typedef struct graph_fixture {
    char photo[GF_PHOTOS][PHOTO_ID_LEN + 1];
    int64_t person[4]; /* A, B, C, D */
    int64_t karneval, hostile_event, koeln, hostile_place;
    int64_t rejected_face;
} graph_fixture;

static int gf_face_of(catalog *c, graph_fixture *f, int photo, int face_no, int who, double age, const char *model,
                      err *e)
{
    catalog_face fc = { 0 };
    snprintf(fc.photo_id, sizeof fc.photo_id, "%s", f->photo[photo]);
    fc.face_no = face_no;
    snprintf(fc.model_version, sizeof fc.model_version, "%s", model);
    fc.box[0] = 10 + 100 * face_no, fc.box[1] = 20.5, fc.box[2] = 64, fc.box[3] = 80.25;
    fc.score = 0.9 - 0.1 * face_no;
    fc.has_attributes = true;
    fc.age = age;
    snprintf(fc.gender, sizeof fc.gender, "female");
    fc.gender_probability = 0.8;
    snprintf(fc.source, sizeof fc.source, "detector");
    int rc = catalog_face_put(c, &fc, e);
    if (rc == 0)
        rc = persons_name_face(c, "test", fc.id, gf_person_names[who], &f->person[who], e);
    if (rc == 0 && photo == 8)
        f->rejected_face = fc.id;
    return rc;
}

static int gf_face(catalog *c, graph_fixture *f, int photo, int face_no, int who, double age, err *e)
{
    return gf_face_of(c, f, photo, face_no, who, age, "test-model", e);
}

static inline int graph_fixture_people_and_places(catalog *c, graph_fixture *f, err *e);

/* Fills an empty catalog; 0 or the first error. */
static inline int graph_fixture_build(catalog *c, graph_fixture *f, err *e)
{
    memset(f, 0, sizeof *f);
    int rc = 0;
    for (int i = 0; i < GF_PHOTOS && rc == 0; i++) {
        catalog_photo p = { 0 };
        snprintf(f->photo[i], sizeof f->photo[i], "%016x", 0xa0 + i);
        memcpy(p.photo_id, f->photo[i], sizeof p.photo_id);
        for (int k = 0; k < 64; k++)
            p.sha256[k] = "0123456789abcdef"[(i + k) % 16];
        snprintf(p.format, sizeof p.format, "jpeg");
        snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", f->photo[i]);
        p.bytes = 1000, p.width = p.orig_width = 640, p.height = p.orig_height = 480, p.orientation = 1;
        if (i == 0)
            snprintf(p.taken_at, sizeof p.taken_at, "1977-02-14T10:00:00");
        if (i == 1)
            snprintf(p.taken_at, sizeof p.taken_at, "1977-02-14T11:30:00");
        if (p.taken_at[0])
            snprintf(p.taken_at_source, sizeof p.taken_at_source, "exif");
        rc = catalog_photo_put(c, &p, e) < 0 ? -1 : 0;
        char path[128];
        const char *src = path;
        if (i == 4)
            src = gf_path_hostile;
        else if (i == 5)
            src = gf_path_not_utf8;
        else
            snprintf(path, sizeof path, "/archive/%s/photo-%d.jpg", i < 3 ? "1977 Karneval" : "misc", i);
        if (rc == 0)
            rc = catalog_source_add(c, f->photo[i], src, 1000, 1, e) < 0 ? -1 : 0;
    }
    return rc ? rc : graph_fixture_people_and_places(c, f, e);
}

/* The same over GF_PHOTOS photos already in the catalog (ingested for real:
 * the browser test), ids in f->photo; their EXIF dates, if any, are kept. */
static inline int graph_fixture_build_on(catalog *c, graph_fixture *f, err *e)
{
    return graph_fixture_people_and_places(c, f, e);
}

static inline int graph_fixture_people_and_places(catalog *c, graph_fixture *f, err *e)
{
    int rc = 0;
    /* who: photo, face_no, person, age */
    static const int faces[][3] = { { 0, 0, 0 }, { 0, 1, 1 }, { 1, 0, 0 }, { 1, 1, 2 }, { 2, 0, 1 }, { 2, 1, 3 },
                                    { 3, 0, 0 }, { 4, 0, 0 }, { 5, 0, 1 }, { 6, 0, 0 }, { 7, 0, 2 }, { 8, 0, 0 } };
    for (size_t i = 0; i < sizeof faces / sizeof faces[0] && rc == 0; i++) {
        int who = faces[i][2];
        double age = who == 0 ? 30 + faces[i][0] : who == 1 ? 50 : 8;
        rc = gf_face(c, f, faces[i][0], faces[i][1], who, age, e);
    }
    /* Each photo's faces are its current analysis ("test-model"), but photo 9
     * was analysed once before by "old-model", which found B there: a face
     * that no longer counts anywhere. */
    if (rc == 0)
        rc = gf_face_of(c, f, 9, 0, 1, 50, "old-model", e);
    if (rc == 0)
        rc = catalog_analysis_put(c, f->photo[9], "old-model", "done", 1, NULL, e);
    for (int i = 0; i < GF_PHOTOS && rc == 0; i++)
        rc = catalog_analysis_put(c, f->photo[i], "test-model", "done", i < 9 ? 1 + (i < 3) : 0, NULL, e);
    if (rc == 0)
        rc = persons_reject_face(c, "test", f->rejected_face, e);
    if (rc == 0)
        rc = persons_hide(c, "test", f->person[3], true, e);
    catalog_place koeln = { .name = "Köln",
                            .has_coords = true,
                            .lat = 50.9375,
                            .lon = 6.9603,
                            .country = "DE",
                            .geonames_id = 2886242,
                            .source = "gazetteer" };
    catalog_place hp = { .name = gf_place_hostile, .source = "caption" };
    if (rc == 0)
        rc = catalog_graph_place_put(c, &koeln, e);
    if (rc == 0)
        rc = catalog_graph_place_put(c, &hp, e);
    f->koeln = koeln.id, f->hostile_place = hp.id;
    catalog_event karneval = { .name = "Karneval",
                               .year = 1977,
                               .location_id = koeln.id,
                               .date_value = "1977-02",
                               .date_precision = "month",
                               .source = "folder" };
    catalog_event he = { .name = gf_event_hostile, .year = 1980, .location_id = hp.id, .source = "caption" };
    if (rc == 0)
        rc = catalog_graph_event_put(c, &karneval, e);
    if (rc == 0)
        rc = catalog_graph_event_put(c, &he, e);
    f->karneval = karneval.id, f->hostile_event = he.id;
    /* annotate read "Foto: C" in photo 1's caption: C took photos at Karneval */
    json_t *ev = json_pack("[{s:s,s:s,s:s}]", "kind", "photographer", "source", "caption", "text", gf_person_names[2]);
    char *photographer = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    catalog_annotation an[] = {
        { .photo_id = f->photo[0],
          .date_value = "1977-02-14",
          .date_precision = "day",
          .date_source = "exif",
          .event_id = karneval.id,
          .place_id = koeln.id,
          .place_source = "event" },
        { .photo_id = f->photo[1],
          .date_value = "1977-02-14",
          .date_precision = "day",
          .date_source = "exif",
          .event_id = karneval.id,
          .evidence = photographer },
        { .photo_id = f->photo[2], .event_id = karneval.id },
        { .photo_id = f->photo[3],
          .event_id = he.id,
          .evidence = "[{\"kind\":\"event\",\"source\":\"caption\",\"text\":\"x\"}]" },
        { .photo_id = f->photo[4],
          .date_value = "1985-07",
          .date_precision = "month",
          .date_source = "folder",
          .place_id = hp.id,
          .place_source = "caption" },
        { .photo_id = f->photo[5], .date_value = "1960", .date_precision = "decade", .date_source = "caption" },
        { .photo_id = f->photo[6], .date_value = "1990-05-01", .date_precision = "day", .date_source = "human" },
        { .photo_id = f->photo[7] },
    };
    for (size_t i = 0; i < sizeof an / sizeof an[0] && rc == 0; i++)
        rc = catalog_graph_annotation_put(c, &an[i], e);
    free(photographer);
    return rc;
}

#endif
