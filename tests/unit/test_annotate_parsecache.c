/* test_annotate_parsecache.c — annotate's per-photo parse cache
 * (annotate/parsecache.h) on a small real catalog (SQLite file): an
 * incremental run parses again exactly the photos whose inputs changed — a
 * caption, an album text (both in the sidecar), the text OCR read — and the
 * photos whose texts name a year that became a title of the archive (the one
 * way other photos change how a photo reads); a stored parse that does not decode (damaged, cut short) is read
 * afresh. After each step
 * the catalog is exactly what `annotate --full` (which reads every photo
 * afresh) makes of it: dates, places, events, evidence and suggestions. */
#include "annotate_fixture.h"
#include "store/catalog_ocr.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

/* Photo n (0: a new one) at path with sidecar JSON (may be NULL) and a face of person. */
static void photo(catalog *c, int n, const char *path, const char *sidecar, int64_t person)
{
    if (n) {
        annotate_fixture_photo(c, n, NULL, sidecar);
        return;
    }
    annotate_fixture_photo(c, ++nphotos, path, sidecar);
    annotate_fixture_face(c, nphotos, person);
}

static void ocr(catalog *c, int n, const char *text)
{
    char id[17];
    snprintf(id, sizeof id, "%016x", n);
    catalog_ocr_text t = { .region = "back", .text = text, .confidence = 91, .x = 0, .y = 0, .w = 100, .h = 20 };
    catalog_ocr_result r = {
        .photo_id = id, .engine = "tesseract", .score = -1, .score_flipped = -1, .texts = &t, .ntexts = 1
    };
    err e = { 0 };
    CHECK_MSG(catalog_ocr_put(c, &r, &e) == 0, "ocr: %s", e.msg);
}

/* Everything annotate concluded, as one text (events by key, not id). */
static char *snapshot(catalog *c)
{
    return test_query_text(
        c, "SELECT (SELECT group_concat(x, char(10)) FROM (SELECT a.photo_id || '|' || ifnull(a.date_value, '') || "
           "'|' || ifnull(a.date_precision, '') || '|' || ifnull(a.date_source, '') || '|' || a.date_inferred || "
           "'|' || ifnull(p.name, '') || '|' || ifnull(a.place_source, '') || '|' || ifnull(e.key, '') || '|' || "
           "ifnull(e.name, '') || '|' || ifnull(e.date_value, '') || '|' || ifnull(a.evidence, '') AS x "
           "FROM photo_annotations a LEFT JOIN places p ON p.id = a.place_id LEFT JOIN events e ON e.id = "
           "a.event_id ORDER BY a.photo_id)) || char(10) || ifnull((SELECT group_concat(x, char(10)) FROM "
           "(SELECT person_id || '|' || label || '|' || printf('%.6f', confidence) || '|' || status || '|' || "
           "ifnull(evidence, '') AS x FROM person_suggestions ORDER BY person_id, label)), '') || char(10) || "
           "ifnull((SELECT group_concat(x, char(10)) FROM (SELECT face_id || '|' || label || '|' || "
           "printf('%.6f', confidence) AS x FROM face_suggestions ORDER BY face_id, label)), '')");
}

/* An incremental run that parses `want` photos afresh, then the same catalog
 * annotated --full: identical. */
static void step(catalog *c, const char *what, size_t want)
{
    annotate_summary s = annotate_fixture_run(c, false);
    CHECK_MSG(!s.unchanged && s.parsed == want && s.parse_cached == s.photos - want,
              "%s: parsed %zu, from the cache %zu of %zu; want %zu parsed", what, s.parsed, s.parse_cached, s.photos,
              want);
    char *inc = snapshot(c);
    s = annotate_fixture_run(c, true);
    CHECK_MSG(s.parsed == s.photos && s.parse_cached == 0, "%s: --full read from the cache", what);
    char *full = snapshot(c);
    CHECK_MSG(inc && full && strcmp(inc, full) == 0, "%s: the incremental run differs from --full:\n%s\n--\n%s", what,
              inc ? inc : "(null)", full ? full : "(null)");
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_parse") == (int64_t)s.photos);
    free(inc);
    free(full);
}

static char *album(const char *caption, const char *album_txt)
{
    json_t *j = json_pack("{s:s, s:{s:s}}", "txt", caption, "album", "txt", album_txt);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

int main(void)
{
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-parsecache", dir, sizeof dir);
    if (!c)
        return test_main_end();
    CHECK(test_query_int(c, "INSERT INTO persons (id) VALUES (1), (2), (3) RETURNING 1") == 1);
    const char *F = "/a/1977/1977-02 Probe Nelken, Wuppertal/";
    char p[256];
    snprintf(p, sizeof p, "%sIMG_001_001.jpg", F);
    photo(c, 0, p, "{\"txt\": \"Anna Weber bei der Probe (Foto: Ulli Weiss)\"}", 1); /* 1 */
    snprintf(p, sizeof p, "%sIMG_001_002.jpg", F);
    photo(c, 0, p, "{\"txt\": \"v.l.n.r.: Anna Weber, Paul Bremer, 14.2.77\"}", 2); /* 2 */
    snprintf(p, sizeof p, "%sIMG_001_003.jpg", F);
    photo(c, 0, p, "{\"txt\": \"Paul Bremer (Foto: Ulli Weiss)\"}", 2); /* 3 */
    char *a = album("P. Bremer backstage", "Gastspiel in Tokio, März 1981");
    photo(c, 0, "/a/Kiste 3/Gastspiel 12/scan_012_001.jpg", a, 2); /* 4 */
    free(a);
    a = album("Anna Weber in „Nelken“", "Gastspiel in Tokio, März 1981");
    photo(c, 0, "/a/Kiste 3/Gastspiel 12/scan_012_002.jpg", a, 1); /* 5 */
    free(a);
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0042.jpg",
          "{\"xmp\": {\"title\": \"Probe\", \"date\": \"1979-05-03\", \"location\": \"Paris\", "
          "\"persons\": [\"Anna Weber\"], \"creator\": \"Ulli Weiss\"}}",
          1);                                              /* 6 */
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0043.jpg", NULL, 3); /* 7 */
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0044.jpg", NULL, 2); /* 8 */
    ocr(c, 7, "Rosa Kern, Wien 1982");

    step(c, "the first run", 8);
    CHECK(annotate_fixture_run(c, false).unchanged);
    char *d = test_query_text(c, "SELECT date_value || ' ' || date_source FROM photo_annotations "
                                 "WHERE photo_id = '0000000000000007'");
    CHECK_MSG(d && strcmp(d, "1982 ocr") == 0, "photo 7 (OCR): %s", d ? d : "(none)");
    free(d);

    /* a caption changed: that photo */
    photo(c, 3, NULL, "{\"txt\": \"Paul Bremer in Wuppertal, 20.2.1977\"}", 0);
    step(c, "a caption", 1);
    /* the album text of a folder changed: its two photos */
    a = album("P. Bremer backstage", "Gastspiel in Osaka, April 1981");
    photo(c, 4, NULL, a, 0);
    free(a);
    a = album("Anna Weber in „Nelken“", "Gastspiel in Osaka, April 1981");
    photo(c, 5, NULL, a, 0);
    free(a);
    step(c, "an album text", 2);
    d = test_query_text(c, "SELECT date_value FROM photo_annotations WHERE photo_id = '0000000000000004'");
    CHECK_MSG(d && strcmp(d, "1981-04") == 0, "photo 4 after the album changed: %s", d ? d : "(none)");
    free(d);
    /* the text OCR read changed: that photo */
    ocr(c, 7, "Rosa Kern, Wien 1983");
    step(c, "an OCR text", 1);
    /* a new photo naming 1977 as a title (a bare year beside a date of another
     * year): it, and the three photos whose texts name 1977 (their folder) */
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0045.jpg", "{\"txt\": \"Anna Weber in Probe 1977, Paris, März 1985\"}",
          1); /* 9 */
    step(c, "a year that became a title", 4);
    /* a new photo without text: itself only */
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0046.jpg", NULL, 3); /* 10 */
    step(c, "a new photo", 1);
    /* a stored parse that does not decode: read afresh, not trusted */
    CHECK(test_query_int(c, "UPDATE photo_parse SET parse = 'p1' || char(30) || 'T9' || char(31) || 'x' "
                            "WHERE photo_id = '0000000000000001' RETURNING 1") == 1);
    CHECK(test_query_int(c, "UPDATE photo_parse SET parse = 'p1' || char(30) || 'P1' || char(31) || '0' || char(31) "
                            "|| '5' || char(31) || 'folder' || char(31) || 'Paris' "
                            "WHERE photo_id = '0000000000000006' RETURNING 1") == 1);
    /* cut short inside its last name-keys record: nothing of it used */
    CHECK(test_query_int(c, "UPDATE photo_parse SET parse = substr(parse, 1, instr(parse, char(30) || 'E') - 3) "
                            "WHERE photo_id = '0000000000000002' RETURNING 1") == 1);
    photo(c, 0, "/a/Kiste 4/Reise/IMG_0047.jpg", NULL, 3); /* 11 */
    step(c, "damaged parses", 4);
    annotate_fixture_close(c, dir);
    return test_main_end();
}
