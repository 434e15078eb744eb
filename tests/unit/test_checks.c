/* test_checks.c — the consistency checks (annotate/checks.h) on a catalog built
 * here with known persons: a pure one, a wrong merge of two, one twice in a
 * photo, one whose ages contradict the dates, one name on two persons; the
 * checks find exactly those, estimate the birth year, and change nothing; the
 * wrong merge's listed faces follow the confirmations as the person page's
 * split offer does. */
#include "annotate/checks.h"
#include "cluster/doubt.h"
#include "store/catalog.h"
#include "store/catalog_internal.h" /* catalog_sqlite: the fixtures below are SQL */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double gauss(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static void centre(float *c, double sd)
{
    for (int k = 0; k < 128; k++)
        c[k] = (float)(gauss() * sd);
}

static int nphoto;

/* A photo (taken_at may be NULL) with one face per person given; returns the photo's number. */
static void photo(catalog *c, const char *taken_at, char id[17])
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%016x", 0xabc000 + nphoto++);
    memset(p.sha256, 'a', 64);
    memcpy(p.sha256, p.photo_id, 16);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", p.photo_id);
    p.width = p.height = p.orig_width = p.orig_height = 100;
    if (taken_at)
        snprintf(p.taken_at, sizeof p.taken_at, "%s", taken_at);
    err e = { 0 };
    CHECK_MSG(catalog_photo_put(c, &p, &e) == 1, "%s", e.msg);
    CHECK(catalog_analysis_put(c, p.photo_id, "m1", "done", 1, NULL, &e) == 0);
    snprintf(id, 17, "%s", p.photo_id);
}

static int64_t face(catalog *c, const char *photo_id, int face_no, int64_t person, const float *ctr, double noise,
                    double age)
{
    catalog_face f = { 0 };
    snprintf(f.photo_id, sizeof f.photo_id, "%s", photo_id);
    f.face_no = face_no;
    snprintf(f.model_version, sizeof f.model_version, "m1");
    f.box[0] = 10 + 20 * face_no, f.box[1] = 10, f.box[2] = f.box[3] = 15;
    f.score = 0.9;
    f.has_embedding = true;
    for (int k = 0; k < 128; k++)
        f.embedding[k] = ctr[k] + (float)(gauss() * noise);
    f.has_attributes = age > 0;
    f.age = age;
    f.person_id = person;
    snprintf(f.source, sizeof f.source, "detector");
    err e = { 0 };
    CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
    return f.id;
}

static void sql(catalog *c, const char *s)
{
    char *msg = NULL;
    CHECK_MSG(sqlite3_exec(catalog_sqlite(c), s, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", s, msg ? msg : "");
    sqlite3_free(msg);
}

static const check_item *find(const check_report *r, check_kind k, int64_t person)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].kind == k && r->items[i].person_id == person)
            return &r->items[i];
    return NULL;
}

static size_t count(const check_report *r, check_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].kind == k;
    return n;
}

static int has_face(const check_item *it, int64_t id)
{
    for (size_t i = 0; it && i < it->nfaces; i++)
        if (it->faces[i].id == id)
            return 1;
    return 0;
}

int main(void)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("checks"));
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return test_main_end();

    /* an empty catalog: nothing to report */
    check_report r;
    CHECK(checks_run(c, NULL, &r, &e) == 0 && r.n == 0 && r.persons == 0);
    checks_report_free(&r);

    sql(c, "INSERT INTO persons (id, name, hidden) VALUES (1, NULL, 0), (2, NULL, 0), (3, NULL, 0), (4, NULL, 0),"
           "(5, 'Paul Bremer', 0), (6, NULL, 0), (7, 'Paul Bremer', 1), (8, NULL, 0), (9, NULL, 0)");
    float ca[128], cb[128], cc[128], cd[128], ce[128];
    centre(ca, 0.05), centre(cb, 0.05), centre(cc, 0.05), centre(cd, 0.05), centre(ce, 0.05);
    char pid[17];
    /* person 1: 8 faces of one person (noise 0.02 a component: ~0.23 from the centre) */
    for (int i = 0; i < 8; i++)
        photo(c, NULL, pid), face(c, pid, 0, 1, ca, 0.02, 0);
    /* person 2: 5 faces of one person and 4 of another, far apart (a wrong merge) */
    int64_t odd[4], even = 0;
    for (int i = 0; i < 5; i++)
        photo(c, NULL, pid), even = face(c, pid, 0, 2, cb, 0.02, 0);
    for (int i = 0; i < 4; i++)
        photo(c, NULL, pid), odd[i] = face(c, pid, 0, 2, cc, 0.02, 0);
    /* person 3: twice in one photo */
    char twice[17];
    photo(c, NULL, twice);
    int64_t t0 = face(c, twice, 0, 3, cd, 0.02, 0), t1 = face(c, twice, 1, 3, cd, 0.02, 0);
    photo(c, NULL, pid), face(c, pid, 0, 3, cd, 0.02, 0);
    /* person 4: born about 1945 by three dated faces; a fourth, 15 in 1985, contradicts */
    photo(c, NULL, pid), face(c, pid, 0, 4, ce, 0.02, 30);
    char q[512];
    snprintf(q, sizeof q,
             "INSERT INTO photo_annotations (photo_id, date_value, date_precision, date_source) "
             "VALUES ('%s', '1975', 'year', 'caption')",
             pid);
    sql(c, q);
    photo(c, "1980-05-01T12:00:00", pid), face(c, pid, 0, 4, ce, 0.02, 36);
    photo(c, "1985-06-01T12:00:00", pid), face(c, pid, 0, 4, ce, 0.02, 39);
    photo(c, "1985-07-01T12:00:00", pid);
    int64_t young = face(c, pid, 0, 4, ce, 0.02, 15);
    photo(c, NULL, pid), face(c, pid, 0, 4, ce, 0.02, 50); /* an age but no date: not counted */
    /* person 9: a decade date counts as its middle year */
    photo(c, NULL, pid), face(c, pid, 0, 9, ca, 0.02, 20);
    snprintf(q, sizeof q,
             "INSERT INTO photo_annotations (photo_id, date_value, date_precision, date_source) "
             "VALUES ('%s', '1970', 'decade', 'folder')",
             pid);
    sql(c, q);
    photo(c, "1985-01-01", pid), face(c, pid, 0, 9, ca, 0.02, 30);
    /* persons 5 (named) and 6 (suggested, other spelling): one name on two persons;
     * 7 (hidden) and 8 (suggestion rejected) carry it too, and are left out */
    photo(c, NULL, pid), face(c, pid, 0, 5, cb, 0.02, 0);
    photo(c, NULL, pid), face(c, pid, 0, 6, cc, 0.02, 0);
    photo(c, NULL, pid), face(c, pid, 0, 7, cd, 0.02, 0);
    photo(c, NULL, pid), face(c, pid, 0, 8, ce, 0.02, 0);
    sql(c, "INSERT INTO person_suggestions (person_id, label, confidence, source, status) VALUES "
           "(6, 'BREMER, Paul', 0.8, 'rules', 'open'), (6, 'Anna Keller', 0.1, 'rules', 'open'),"
           "(8, 'Paul Bremer', 0.9, 'rules', 'rejected'), (1, 'Paul Bremer', 0.1, 'rules', 'open')");

    sqlite3 *db = catalog_sqlite(c);
    int changes = sqlite3_total_changes(db);
    char *before = test_query_text(c, "SELECT group_concat(id || ':' || ifnull(person_id, '-') || ':' || status) "
                                      "FROM faces");
    CHECK_MSG(checks_run(c, NULL, &r, &e) == 0, "%s", e.msg);
    CHECK(sqlite3_total_changes(db) == changes); /* read only */
    char *after = test_query_text(c, "SELECT group_concat(id || ':' || ifnull(person_id, '-') || ':' || status) "
                                     "FROM faces");
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);

    CHECK(strcmp(r.model_version, "m1") == 0);
    CHECK(r.persons == 8); /* 7 is hidden */
    /* spread: person 2 only, with the 4 faces of the other person */
    CHECK(count(&r, CHECK_SPREAD) == 1);
    const check_item *it = find(&r, CHECK_SPREAD, 2);
    CHECK(it && it->nfaces == 4 && it->person_faces == 9 && it->score > DOUBT_SPLIT_HEIGHT);
    for (int i = 0; i < 4; i++)
        CHECK(has_face(it, odd[i]));
    /* twice in one photo: person 3, both faces */
    CHECK(count(&r, CHECK_TWICE_IN_PHOTO) == 1);
    it = find(&r, CHECK_TWICE_IN_PHOTO, 3);
    CHECK(it && it->nfaces == 2 && has_face(it, t0) && has_face(it, t1) && strcmp(it->photo_id, twice) == 0);
    /* ages: person 4, the young face; birth years of 4 and 9 */
    CHECK(count(&r, CHECK_AGE_VS_DATE) == 1);
    it = find(&r, CHECK_AGE_VS_DATE, 4);
    CHECK(it && it->nfaces == 1 && has_face(it, young) && strstr(it->text, "15 in 1985"));
    CHECK(r.nbirths == 2);
    for (size_t i = 0; i < r.nbirths; i++) {
        if (r.births[i].person_id == 4)
            CHECK(r.births[i].year == 1946 && r.births[i].dated == 4 && r.births[i].low == 1944);
        else
            CHECK(r.births[i].person_id == 9 && r.births[i].year == 1955 && r.births[i].dated == 2);
    }
    /* one name on persons 5 and 6 only */
    CHECK(count(&r, CHECK_SAME_NAME) == 1);
    it = find(&r, CHECK_SAME_NAME, 5);
    CHECK(it && it->other_person_id == 6 && strcmp(it->name, "Paul Bremer") == 0);

    json_t *j = checks_report_json(&r);
    CHECK(j && json_array_size(json_object_get(j, "checks")) == 4 &&
          json_array_size(json_object_get(j, "birth_years")) == 2);
    json_t *first = json_array_get(json_object_get(j, "checks"), 0);
    CHECK(json_is_string(json_object_get(first, "action")) && json_is_array(json_object_get(first, "faces")));
    json_decref(j);
    checks_report_free(&r);

    /* a looser age tolerance flags no age */
    check_options o;
    checks_options_default(&o);
    o.age_tolerance = 30;
    CHECK(checks_run(c, &o, &r, &e) == 0 && count(&r, CHECK_AGE_VS_DATE) == 0 && count(&r, CHECK_SPREAD) == 1);
    checks_report_free(&r);

    /* spread is the person page's offer (cluster/doubt.h): with a face of the
     * larger side confirmed, the unconfirmed side is listed; with one face of
     * the odd four confirmed, the other five; with a face of each side
     * confirmed ("keep as one" on the page), nothing */
    snprintf(q, sizeof q, "UPDATE faces SET status = 'confirmed' WHERE id = %lld", (long long)odd[0]);
    sql(c, q);
    CHECK(checks_run(c, NULL, &r, &e) == 0 && count(&r, CHECK_SPREAD) == 1);
    it = find(&r, CHECK_SPREAD, 2);
    CHECK_MSG(it && it->nfaces == 5 && !has_face(it, odd[0]) && has_face(it, even), "%zu faces", it ? it->nfaces : 0);
    checks_report_free(&r);
    snprintf(q, sizeof q, "UPDATE faces SET status = 'confirmed' WHERE id = %lld", (long long)even);
    sql(c, q);
    CHECK(checks_run(c, NULL, &r, &e) == 0 && count(&r, CHECK_SPREAD) == 0);
    checks_report_free(&r);

    catalog_close(c);
    test_rmtree(dir);
    return test_main_end();
}
