/* test_ocr.c — the parts of OCR that are not Tesseract: backs of prints by
 * name (media/backname.h) and by sidecar (ingest/ingest_back.h), cleaning
 * OCR text (ocr/ocr_text.h), the mirrored-scan decision (ocr/ocr_mirror.h),
 * and the store of backs, texts and flips (store/catalog_ocr.h) on a real
 * SQLite catalog: pairing in either order, a back never a front, a back with
 * no front, texts replaced in one transaction, evidence about the front,
 * backs left out of analysis, the mirrored list and a flip. */
#include "ingest/ingest_back.h"
#include "media/backname.h"
#include "ocr/ocr_mirror.h"
#include "ocr/ocr_text.h"
#include "store/catalog.h"
#include "store/catalog_ocr.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_front(const char *name, const char *words, const char *front)
{
    size_t n = 0;
    int hit = backname_match(name, words, &n);
    if (!front) {
        CHECK_MSG(hit == 0, "'%s' is not a back", name);
        return;
    }
    CHECK_MSG(hit == 1 && n == strlen(front) && strncmp(name, front, n) == 0, "'%s' -> '%s' (got %d, '%.*s')", name,
              front, hit, (int)n, name);
}

static void test_backname(void)
{
    check_front("IMG_012_back.jpg", NULL, "IMG_012");
    check_front("IMG_012-verso.tif", NULL, "IMG_012");
    check_front("scan7_r.png", NULL, "scan7");
    check_front("scan7_R.png", NULL, "scan7");
    check_front("Hochzeit_rueckseite.jpg", NULL, "Hochzeit");
    check_front("Hochzeit_Rückseite.jpg", NULL, "Hochzeit");
    check_front("Hochzeit_Ru\xcc\x88\x63kseite.jpg", NULL, "Hochzeit"); /* a Mac's decomposed ü */
    check_front("Oma 1958 - back.jpg", NULL, "Oma 1958");
    check_front("IMG_012.jpg", NULL, NULL);
    check_front("back.jpg", NULL, NULL);
    check_front("_back.jpg", NULL, NULL);
    check_front("IMG_012_backyard.jpg", NULL, NULL);
    check_front("feedback.jpg", NULL, NULL);
    check_front("IMG_012_b.jpg", NULL, NULL);
    check_front("IMG_012_b.jpg", "b, hinten", "IMG_012"); /* configured words */
    check_front("IMG_012_hinten.jpg", "b, hinten", "IMG_012");
    check_front("IMG_012_back.jpg", "b, hinten", NULL);
    check_front("IMG_\xff_back.jpg", NULL, "IMG_\xff"); /* bytes that are no UTF-8 before the word */
    check_front("IMG_012_\xff.jpg", NULL, NULL);
    check_front("", NULL, NULL);

    ingest_back b;
    ingest_back_detect("/a/box 1/IMG_3_back.jpg", NULL, NULL, &b);
    CHECK(b.is_back && !strcmp(b.paired_by, "name") && !strcmp(b.front_path, "/a/box 1/IMG_3"));
    ingest_back_detect("/a/scan_0017.jpg", "{\"json\": {\"back_of\": \"scan_0016.jpg\"}}", NULL, &b);
    CHECK(b.is_back && !strcmp(b.paired_by, "sidecar") && !strcmp(b.front_path, "/a/scan_0016.jpg"));
    ingest_back_detect("/a/scan_0017.jpg", "{\"json\": {\"back_of\": \"../etc/passwd\"}}", NULL, &b);
    CHECK(!b.is_back);
    ingest_back_detect("/a/scan_0017.jpg", "{\"json\": {\"back_of\": 17}}", NULL, &b);
    CHECK(!b.is_back);
    ingest_back_detect("/a/scan_0017.jpg", "not json", NULL, &b);
    CHECK(!b.is_back);
    ingest_back_detect("/a/IMG_9.jpg", NULL, NULL, &b);
    CHECK(!b.is_back);
}

static void check_clean(const char *raw, const char *want)
{
    char *got = ocr_text_clean(raw, strlen(raw));
    CHECK_MSG(got && strcmp(got, want) == 0, "clean '%s': want '%s', got '%s'", raw, want, got ? got : "(null)");
    free(got);
}

static void test_text(void)
{
    check_clean("Omas Geburtstag\n\n  1968  \n", "Omas Geburtstag\n1968");
    check_clean("Geburts-\ntag bei Krügers", "Geburtstag bei Krügers");
    check_clean("Familie Müller-\nLüdenscheid", "Familie Müller-\nLüdenscheid");
    check_clean("Pfingsten 1968 -\nvorne Grete", "Pfingsten 1968 -\nvorne Grete");
    check_clean("|\n~ ;\n— —\nAusflug\n", "Ausflug");
    check_clean("Au\xef\xac\x82\x61ge \xef\xac\x81nden", "Auflage finden"); /* ligatures ﬂ ﬁ */
    check_clean("a\tb\r\nc\rd", "a b\nc\nd"); /* single letters: kept when alone on a line */
    check_clean("Stra\xc3\x9f\x65 \xff\xfe ok", "Straße ok");
    check_clean("", "");
    check_clean("\x01\x02\x03", "");
    char *nul = ocr_text_clean("ab\0cd", 5);
    CHECK(nul && !strcmp(nul, "abcd"));
    free(nul);
    /* bounded */
    size_t big = 3 * OCR_TEXT_MAX;
    char *raw = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        raw[i] = i % 40 == 39 ? '\n' : 'x';
    raw[big] = 0;
    char *out = ocr_text_clean(raw, big);
    CHECK(out && strlen(out) <= OCR_TEXT_MAX && strlen(out) > OCR_TEXT_MAX / 2);
    free(out);
    free(raw);
    CHECK(ocr_text_alnum("Ä1 b-c!") == 4);
}

static void test_mirror(void)
{
    CHECK(!ocr_mirror_decide(0, 0));
    CHECK(!ocr_mirror_decide(0, 8)); /* a word or so: not enough */
    CHECK(ocr_mirror_decide(0, 40)); /* readable only mirrored */
    CHECK(ocr_mirror_decide(3, 60));
    CHECK(!ocr_mirror_decide(40, 45)); /* readable both ways (symmetric letters): not flagged */
    CHECK(!ocr_mirror_decide(60, 0));  /* readable as it is */
}

static catalog_photo photo(const char *id)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", id, id, id, id);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", id);
    p.bytes = 1000;
    p.width = p.orig_width = 1500;
    p.height = p.orig_height = 1000;
    p.orientation = 1;
    return p;
}

static int add_photo(catalog *c, const char *id, const char *path)
{
    err e;
    catalog_photo p = photo(id);
    int rc = catalog_photo_put(c, &p, &e) < 0 ? -1 : 0;
    if (rc == 0 && catalog_source_add(c, id, path, 1000, 1, &e) < 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "add_photo %s: %s\n", id, e.msg);
    return rc;
}

typedef struct ev {
    char about[8][17], read_on[8][17];
    char text[8][64];
    double conf[8];
    int n;
} ev;

static int on_ev(const char *about, const char *read_on, const catalog_ocr_text *t, void *ud)
{
    ev *v = ud;
    if (v->n < 8) {
        snprintf(v->about[v->n], 17, "%s", about);
        snprintf(v->read_on[v->n], 17, "%s", read_on);
        snprintf(v->text[v->n], 64, "%s", t->text);
        v->conf[v->n] = t->confidence;
        v->n++;
    }
    return 0;
}

static int count_back(const catalog_back *b, void *ud)
{
    (void)b;
    ++*(int *)ud;
    return 0;
}

static int on_todo(const char *id, bool done, void *ud)
{
    (void)done;
    char *list = ud;
    strcat(list, id);
    strcat(list, " ");
    return 0;
}

static int on_ocr_todo(const char *id, bool is_back, void *ud)
{
    char *list = ud;
    strcat(list, id);
    strcat(list, is_back ? "b " : "f ");
    return 0;
}

static int on_mirrored(const char *id, double s, double sf, void *ud)
{
    (void)s;
    (void)sf;
    strcat(ud, id);
    return 0;
}

static void test_store(void)
{
    const char *dir = test_tmpdir("ocr");
    char path[512];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e;
    catalog *c = catalog_open(path, &e);
    CHECK(c != NULL);
    if (!c)
        return;
    const char *F1 = "f100000000000001", *B1 = "b100000000000001", *B2 = "b200000000000002", *B3 = "b300000000000003",
               *F3 = "f300000000000003";
    /* back first, front later (another run) */
    CHECK(add_photo(c, B1, "/arch/box/IMG_1_back.jpg") == 0);
    CHECK(catalog_back_put(c, B1, "/arch/box/IMG_1", "name", &e) == 0);
    CHECK(catalog_back_put(c, B1, "/elsewhere/X", "name", &e) == 0); /* kept as it was */
    CHECK(catalog_back_put(c, B1, "/x", "guess", &e) == ERR_INVALID);
    int64_t paired = -1;
    CHECK(catalog_backs_pair(c, &paired, &e) == 0 && paired == 0);
    /* a back whose front never comes; a back named by its sidecar */
    CHECK(add_photo(c, B2, "/arch/box/IMG_2-verso.jpg") == 0);
    CHECK(catalog_back_put(c, B2, "/arch/box/IMG_2", "name", &e) == 0);
    CHECK(add_photo(c, B3, "/arch/s/scan_0002.jpg") == 0);
    CHECK(catalog_back_put(c, B3, "/arch/s/scan_0001.tif", "sidecar", &e) == 0);
    /* fronts: IMG_1.jpg, a decoy IMG_1.extra.jpg and IMG_10.jpg, scan_0001.tif */
    CHECK(add_photo(c, "d100000000000001", "/arch/box/IMG_1.extra.jpg") == 0);
    CHECK(add_photo(c, "d200000000000002", "/arch/box/IMG_10.jpg") == 0);
    CHECK(add_photo(c, F1, "/arch/box/IMG_1.jpg") == 0);
    CHECK(add_photo(c, F3, "/arch/s/scan_0001.tif") == 0);
    CHECK(catalog_backs_pair(c, &paired, &e) == 0 && paired == 2);
    catalog_back b;
    CHECK(catalog_back_get(c, B1, &b, &e) == 1 && !strcmp(b.front_id, F1));
    CHECK(catalog_back_get(c, B3, &b, &e) == 1 && !strcmp(b.front_id, F3));
    CHECK(catalog_back_get(c, B2, &b, &e) == 1 && b.front_id[0] == 0 && !strcmp(b.front_path, "/arch/box/IMG_2"));
    CHECK(catalog_back_get(c, F1, &b, &e) == 0);
    int unpaired = 0;
    CHECK(catalog_backs_unpaired(c, count_back, &unpaired, &e) == 0 && unpaired == 1);
    int of_f1 = 0;
    CHECK(catalog_backs_of(c, F1, count_back, &of_f1, &e) == 0 && of_f1 == 1);
    /* backs are never analysed */
    char todo[512] = "";
    CHECK(catalog_analysis_todo(c, "m1", on_todo, todo, &e) == 0);
    CHECK_MSG(!strstr(todo, B1) && !strstr(todo, B2) && !strstr(todo, B3) && strstr(todo, F1), "analysis: %s", todo);
    /* what OCR has to read */
    char otodo[512] = "";
    CHECK(catalog_ocr_todo(c, "tess", false, on_ocr_todo, otodo, &e) == 0);
    CHECK_MSG(strstr(otodo, "b100000000000001b") && !strstr(otodo, F1), "ocr todo: %s", otodo);
    /* texts: stored, replaced, evidence about the front */
    catalog_ocr_text t1 = { .region = "back", .text = "Ostern 1957, Lübeck", .confidence = 91.5, .w = 10, .h = 5 };
    catalog_ocr_result r = {
        .photo_id = B1, .engine = "tess", .seconds = 1, .score = -1, .score_flipped = -1, .texts = &t1, .ntexts = 1
    };
    CHECK(catalog_ocr_put(c, &r, &e) == 0);
    t1.text = "Ostern 1957, St. Petri Lübeck";
    CHECK(catalog_ocr_put(c, &r, &e) == 0);
    catalog_ocr_text bad = { .region = "side", .text = "x", .confidence = 1 };
    catalog_ocr_result rb = { .photo_id = B2, .engine = "tess", .texts = &bad, .ntexts = 1 };
    CHECK(catalog_ocr_put(c, &rb, &e) == ERR_INVALID);
    catalog_ocr_text t2 = { .region = "back", .text = "Onkel Fritz", .confidence = 80 };
    catalog_ocr_result r2 = {
        .photo_id = B2, .engine = "tess", .score = -1, .score_flipped = -1, .texts = &t2, .ntexts = 1
    };
    CHECK(catalog_ocr_put(c, &r2, &e) == 0);
    ev v = { 0 };
    CHECK(catalog_ocr_each_evidence(c, on_ev, &v, &e) == 0);
    CHECK(v.n == 2);
    int seen_front = 0, seen_orphan = 0;
    for (int i = 0; i < v.n; i++) {
        seen_front += !strcmp(v.about[i], F1) && !strcmp(v.read_on[i], B1) &&
                      !strcmp(v.text[i], "Ostern 1957, St. Petri Lübeck") && v.conf[i] > 91;
        seen_orphan += !strcmp(v.about[i], B2) && !strcmp(v.read_on[i], B2);
    }
    CHECK(seen_front == 1 && seen_orphan == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_texts") == 2);
    otodo[0] = 0;
    CHECK(catalog_ocr_todo(c, "tess", true, on_ocr_todo, otodo, &e) == 0);
    CHECK_MSG(!strstr(otodo, B1) && strstr(otodo, "b300000000000003b") && strstr(otodo, "f100000000000001f"),
              "ocr todo: %s", otodo);
    otodo[0] = 0;
    CHECK(catalog_ocr_todo(c, "tess 2", false, on_ocr_todo, otodo, &e) == 0 && strstr(otodo, B1)); /* new engine */
    /* a mirrored front, then flipped by people */
    catalog_ocr_result rm = { .photo_id = F3, .engine = "tess", .score = 2, .score_flipped = 50, .mirrored = true };
    CHECK(catalog_ocr_put(c, &rm, &e) == 0);
    char mir[64] = "";
    CHECK(catalog_ocr_each_mirrored(c, on_mirrored, mir, &e) == 0 && !strcmp(mir, F3));
    CHECK(catalog_photo_flipped(c, F3, &e) == 0);
    char rec[65];
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    CHECK(test_query_int(c, "SELECT count(*) FROM faces") == 0);
    CHECK(catalog_photo_flip_put(c, F3, "tester", sha, rec, &e) == 1 && !strcmp(rec, sha));
    CHECK(catalog_photo_flip_put(c, F3, "tester", "other", rec, &e) == 0 && !strcmp(rec, sha));
    CHECK(catalog_photo_flipped(c, F3, &e) == 1);
    mir[0] = 0;
    CHECK(catalog_ocr_each_mirrored(c, on_mirrored, mir, &e) == 0 && mir[0] == 0);
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_ocr WHERE photo_id = 'f300000000000003'") == 0);
    catalog_close(c);
    test_rmtree(dir);
}

int main(void)
{
    test_backname();
    test_text();
    test_mirror();
    test_store();
    return test_main_end();
}
