/* test_review_api.c — the REST API of docs/api.md against a real server on
 * loopback (review_server_start, libcurl as the client) over a real catalog:
 * real photos from shared/data ingested by the ingest stage, face rows written
 * through the catalog API with descriptors of ten made-up identities and crops
 * cut from the processed images. Covers every endpoint and its error cases, 50
 * clients posting decisions at once, the token and bind rules, and a restart
 * that must find every change still there. */
#include "core/hash.h"
#include "ingest/ingest.h"
#include "media/image.h"
#include "review/server.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"
#include "store/persons.h"
#include "testutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <vips/vips.h>

#define NPHOTOS 6
#define FACES_PER_PHOTO 10
#define NIDENT 10
#define MODEL "test-model/v1"
#define TOKEN "a-long-enough-test-token-0123"

static const char *photo_files[NPHOTOS] = {
    "modern-groups/faceapi_bbt1.jpg", "modern-groups/faceapi_bbt2.jpg", "modern-groups/faceapi_bbt3.jpg",
    "modern-groups/faceapi_bbt4.jpg", "modern-groups/faceapi_bbt5.jpg", "modern-groups/facerec_two_people.jpg",
};

static char data_dir[600];
static char photo_ids[NPHOTOS][PHOTO_ID_LEN + 1];
static int64_t face_ids[NPHOTOS][FACES_PER_PHOTO];
static float ident[NIDENT][128];
static int base_port;
static const char *auth_header; /* "Authorization: Bearer ..." when the server wants it */
static bool want_gzip;          /* send Accept-Encoding: gzip (curl decodes the answer) */

/* ---- fixture ------------------------------------------------------------------ */

/* Deterministic pseudo-random numbers (xorshift), normal by Box-Muller. */
static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Ten identities: random unit vectors (pairwise ~1.4 apart); a face of one is
 * its vector plus noise of norm ~0.3, well inside the suggestion distance. */
static void make_identities(void)
{
    for (int i = 0; i < NIDENT; i++) {
        double n = 0;
        for (int k = 0; k < 128; k++) {
            ident[i][k] = (float)normal();
            n += ident[i][k] * ident[i][k];
        }
        for (int k = 0; k < 128; k++)
            ident[i][k] /= (float)sqrt(n);
    }
}

static int identity_of(int p, int f)
{
    return (p + f) % NIDENT; /* never the same identity twice in a photo */
}

static sqlite3 *open_db(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/catalog.sqlite", data_dir);
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t q_int(const char *sql, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, sql);
    vsnprintf(buf, sizeof buf, sql, ap);
    va_end(ap);
    sqlite3 *db = open_db();
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Ingests the photos, then writes FACES_PER_PHOTO faces per photo (a 5x2 grid
 * of boxes), their crops, and a 'done' analysis run; identities 0..4 start in
 * an unnamed person each (as clustering leaves them), 5..9 unassigned. */
static bool build_fixture(const char *shared)
{
    char *paths[NPHOTOS];
    char buf[NPHOTOS][700];
    for (int i = 0; i < NPHOTOS; i++) {
        snprintf(buf[i], sizeof buf[i], "%s/data/group-photos/%s", shared, photo_files[i]);
        paths[i] = buf[i];
    }
    err e = { 0 };
    ingest_options io = { .data_dir = data_dir,
                          .threads = 2,
                          .limits = { .max_edge = 4096, .max_pixels = 400000000 },
                          .progress = 0,
                          .messages = stderr };
    ingest_summary sum;
    int rc = ingest_run(&io, paths, NPHOTOS, &sum, &e);
    CHECK_MSG(rc == 0 && sum.photos == NPHOTOS, "ingest: %s", e.msg);
    if (rc != 0 || sum.photos != NPHOTOS)
        return false;
    objstore *os = NULL;
    catalog *cat = NULL;
    if (datadir_open(data_dir, 0, &os, &cat, &e) != 0) {
        CHECK_MSG(0, "%s", e.msg);
        return false;
    }
    make_identities();
    int64_t persons[NIDENT] = { 0 };
    for (int i = 0; i < 5; i++) {
        sqlite3_exec(catalog_sqlite(cat), "INSERT INTO persons DEFAULT VALUES", NULL, NULL, NULL);
        persons[i] = sqlite3_last_insert_rowid(catalog_sqlite(cat));
    }
    bool ok = true;
    for (int p = 0; p < NPHOTOS && ok; p++) {
        FILE *f = fopen(paths[p], "rb");
        unsigned char *bytes = malloc(32 << 20);
        size_t n = f ? fread(bytes, 1, 32 << 20, f) : 0;
        if (f)
            fclose(f);
        char hex[HASH_SHA256_HEX_LEN + 1];
        hash_sha256_hex(bytes, n, hex, &e);
        free(bytes);
        hash_photo_id(hex, photo_ids[p]);
        catalog_photo ph;
        ok = catalog_photo_get(cat, photo_ids[p], &ph, &e) == 1;
        CHECK_MSG(ok, "photo %s not ingested: %s", photo_ids[p], e.msg);
        if (!ok)
            break;
        char proc[800];
        snprintf(proc, sizeof proc, "%s/objects/processed/%s.jpg", data_dir, photo_ids[p]);
        VipsImage *img = vips_image_new_from_file(proc, NULL);
        ok = img != NULL;
        CHECK_MSG(ok, "cannot read %s", proc);
        catalog_begin(cat, &e);
        for (int k = 0; ok && k < FACES_PER_PHOTO; k++) {
            catalog_face fc = { 0 };
            snprintf(fc.photo_id, sizeof fc.photo_id, "%.*s", PHOTO_ID_LEN, photo_ids[p]);
            fc.face_no = k;
            snprintf(fc.model_version, sizeof fc.model_version, "%s", MODEL);
            int w = ph.width / 5, h = ph.height / 2;
            fc.box[0] = (k % 5) * w + w * 0.1;
            fc.box[1] = (k / 5) * h + h * 0.1;
            fc.box[2] = w * 0.8;
            fc.box[3] = h * 0.8;
            fc.score = 0.5 + 0.04 * k;
            fc.has_landmarks = true;
            for (int l = 0; l < 5; l++) {
                fc.five[l][0] = fc.box[0] + fc.box[2] * (0.3 + 0.1 * l);
                fc.five[l][1] = fc.box[1] + fc.box[3] * 0.5;
            }
            for (int l = 0; l < 68; l++) {
                fc.points68[l][0] = fc.box[0] + l;
                fc.points68[l][1] = fc.box[1] + l;
            }
            int id = identity_of(p, k);
            fc.has_embedding = true;
            double nn = 0;
            float noise[128];
            for (int d = 0; d < 128; d++) {
                noise[d] = (float)normal();
                nn += noise[d] * noise[d];
            }
            for (int d = 0; d < 128; d++)
                fc.embedding[d] = ident[id][d] + 0.3f * noise[d] / (float)sqrt(nn);
            fc.has_attributes = true;
            fc.age = 30 + k;
            snprintf(fc.gender, sizeof fc.gender, "%s", k % 2 ? "male" : "female");
            fc.gender_probability = 0.9;
            for (int x = 0; x < 7; x++)
                fc.expressions[x] = x == (k % 7) ? 0.9 : 0.1 / 6;
            fc.person_id = persons[id];
            snprintf(fc.source, sizeof fc.source, "detector");
            ok = catalog_face_put(cat, &fc, &e) == 0;
            CHECK_MSG(ok, "face_put: %s", e.msg);
            face_ids[p][k] = fc.id;
            VipsImage *crop = NULL;
            void *jpg = NULL;
            size_t jlen = 0;
            ok = ok &&
                 vips_crop(img, &crop, (int)fc.box[0], (int)fc.box[1], (int)fc.box[2], (int)fc.box[3], NULL) == 0 &&
                 vips_jpegsave_buffer(crop, &jpg, &jlen, "Q", 85, NULL) == 0;
            char key[64];
            snprintf(key, sizeof key, "%.*s/%d.jpg", PHOTO_ID_LEN, photo_ids[p], k);
            ok = ok && objstore_put(os, BUCKET_FACES, key, jpg, jlen, &e) == 0;
            CHECK_MSG(ok, "crop %s: %s", key, e.msg);
            g_free(jpg);
            if (crop)
                g_object_unref(crop);
        }
        ok = ok && catalog_analysis_put(cat, photo_ids[p], MODEL, "done", FACES_PER_PHOTO, NULL, &e) == 0;
        ok = ok && catalog_commit(cat, &e) == 0;
        CHECK_MSG(ok, "%s", e.msg);
        if (img)
            g_object_unref(img);
        catalog_photo_clear(&ph);
    }
    catalog_close(cat);
    objstore_close(os);
    return ok;
}

/* ---- HTTP client ------------------------------------------------------------- */

typedef struct reply {
    long status;
    char *body;
    size_t len;
    char ctype[128];
    char cache[128];
    char encoding[32];
    char retry_after[16];
    json_t *json; /* parsed when the body is JSON */
} reply;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    char *b = realloc(r->body, r->len + size * n + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, size * n);
    r->body = b;
    r->len += size * n;
    b[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = size * n;
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(len < 511 ? len : 511), p);
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "Content-Type: ", 14) == 0)
        snprintf(r->ctype, sizeof r->ctype, "%.127s", line + 14);
    if (strncasecmp(line, "Content-Encoding: ", 18) == 0)
        snprintf(r->encoding, sizeof r->encoding, "%.31s", line + 18);
    if (strncasecmp(line, "Cache-Control: ", 15) == 0)
        snprintf(r->cache, sizeof r->cache, "%.127s", line + 15);
    if (strncasecmp(line, "Retry-After: ", 13) == 0)
        snprintf(r->retry_after, sizeof r->retry_after, "%.15s", line + 13);
    return len;
}

static void reply_free(reply *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* One request; body NULL for none. A fresh handle each time, so threads can call it. */
static long call_at(int port, const char *method, const char *path, const char *body, reply *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *h = NULL;
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (auth_header)
        h = curl_slist_append(h, auth_header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (want_gzip)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    CURLcode cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    else
        fprintf(stderr, "curl %s %s: %s\n", method, path, curl_easy_strerror(cc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r->body && strncmp(r->ctype, "application/json", 16) == 0)
        r->json = json_loads(r->body, 0, NULL);
    return r->status;
}

static long call(const char *method, const char *path, const char *body, reply *r)
{
    return call_at(base_port, method, path, body, r);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Every error body is {"error": "..."} with application/json. */
static void check_error(reply *r, long want, const char *what)
{
    CHECK_MSG(r->status == want, "%s: want %ld, got %ld (%s)", what, want, r->status, r->body ? r->body : "");
    CHECK_MSG(r->json && jstr(r->json, "error") && *jstr(r->json, "error"), "%s: error body %s", what,
              r->body ? r->body : "(none)");
}

static void expect_status(const char *method, const char *path, const char *body, long want)
{
    reply r;
    call(method, path, body, &r);
    check_error(&r, want, path);
    reply_free(&r);
}

static review_server *start(const char *bind, const char *token, err *e)
{
    review_options o = { .data_dir = data_dir,
                         .models_dir = getenv("FACETAG_MODELS"),
                         .bind = bind,
                         .port = 0,
                         .token = token,
                         .threads = 4 };
    review_server *s = review_server_start(&o, e);
    if (s)
        base_port = review_server_port(s);
    return s;
}

/* ---- the endpoints --------------------------------------------------------------- */

static void test_reads(void)
{
    reply r;
    char path[256];
    CHECK(call("GET", "/healthz", NULL, &r) == 200 && r.json && jint(r.json, "photos") == NPHOTOS &&
          jint(r.json, "faces") == NPHOTOS * FACES_PER_PHOTO && json_is_true(json_object_get(r.json, "ok")));
    reply_free(&r);

    /* /pending: every photo, newest analysis first, with counts */
    CHECK(call("GET", "/pending", NULL, &r) == 200 && json_is_array(r.json) && json_array_size(r.json) == NPHOTOS);
    CHECK(strcmp(r.ctype, "application/json") == 0 && strcmp(r.cache, "no-store") == 0);
    json_t *first = json_array_get(r.json, 0);
    CHECK(first && strcmp(jstr(first, "photo_id"), photo_ids[NPHOTOS - 1]) == 0);
    CHECK(jint(first, "faces") == FACES_PER_PHOTO && jint(first, "unreviewed") == FACES_PER_PHOTO);
    CHECK(jint(first, "width") > 0 && jint(first, "height") > 0 && jstr(first, "file") &&
          strstr(jstr(first, "file"), "facerec_two_people.jpg"));
    CHECK(json_object_get(first, "timestamp") && json_object_get(first, "caption"));
    reply_free(&r);
    CHECK(call("GET", "/pending?limit=2&offset=1", NULL, &r) == 200 && json_array_size(r.json) == 2 &&
          strcmp(jstr(json_array_get(r.json, 0), "photo_id"), photo_ids[NPHOTOS - 2]) == 0);
    reply_free(&r);
    expect_status("GET", "/pending?limit=0", NULL, 400);
    expect_status("GET", "/pending?limit=1001", NULL, 400);
    expect_status("GET", "/pending?limit=abc", NULL, 400);
    expect_status("GET", "/pending?offset=-1", NULL, 400);

    /* /api/photos */
    CHECK(call("GET", "/api/photos?limit=4", NULL, &r) == 200 && jint(r.json, "total") == NPHOTOS &&
          json_array_size(json_object_get(r.json, "photos")) == 4 &&
          jint(json_array_get(json_object_get(r.json, "photos"), 0), "faces") == FACES_PER_PHOTO);
    reply_free(&r);

    /* one photo with faces */
    snprintf(path, sizeof path, "/api/photos/%s", photo_ids[0]);
    CHECK(call("GET", path, NULL, &r) == 200 && r.json);
    json_t *faces = json_object_get(r.json, "faces");
    CHECK(json_array_size(faces) == FACES_PER_PHOTO);
    json_t *f0 = json_array_get(faces, 0);
    CHECK(jint(f0, "face_id") == face_ids[0][0] && jint(f0, "face_no") == 0 &&
          strcmp(jstr(f0, "photo_id"), photo_ids[0]) == 0);
    CHECK(json_array_size(json_object_get(f0, "box")) == 4 && json_is_object(json_object_get(f0, "landmarks")) &&
          json_array_size(json_object_get(json_object_get(f0, "landmarks"), "left_eye")) == 2);
    CHECK(jstr(f0, "status") && strcmp(jstr(f0, "status"), "unreviewed") == 0);
    CHECK(strcmp(jstr(f0, "source"), "detector") == 0 && strcmp(jstr(f0, "gender"), "female") == 0 &&
          strcmp(jstr(f0, "expression"), "neutral") == 0 && json_is_number(json_object_get(f0, "age")));
    CHECK(jint(f0, "person_id") > 0 && json_is_null(json_object_get(f0, "person_name")));
    CHECK(json_is_array(json_object_get(f0, "suggestions")));
    reply_free(&r);
    expect_status("GET", "/api/photos/0123456789abcdef", NULL, 404);
    expect_status("GET", "/api/photos/0123456789ABCDEF", NULL, 400);
    expect_status("GET", "/api/photos/x", NULL, 400);

    /* crops: the stored bytes, JPEG, cacheable */
    snprintf(path, sizeof path, "/face_crop/%s/3", photo_ids[1]);
    CHECK(call("GET", path, NULL, &r) == 200 && strcmp(r.ctype, "image/jpeg") == 0 &&
          strstr(r.cache, "max-age") != NULL);
    char file[800];
    snprintf(file, sizeof file, "%s/objects/faces/%s/3.jpg", data_dir, photo_ids[1]);
    FILE *fp = fopen(file, "rb");
    char *want = malloc(r.len + 1);
    size_t got = fp ? fread(want, 1, r.len + 1, fp) : 0;
    if (fp)
        fclose(fp);
    CHECK(got == r.len && r.len > 100 && memcmp(want, r.body, r.len) == 0 && (unsigned char)r.body[0] == 0xff);
    free(want);
    reply_free(&r);
    snprintf(path, sizeof path, "/face_crop/%s/%d", photo_ids[1], FACES_PER_PHOTO);
    expect_status("GET", path, NULL, 404);
    snprintf(path, sizeof path, "/image/%s", photo_ids[2]);
    CHECK(call("GET", path, NULL, &r) == 200 && strcmp(r.ctype, "image/jpeg") == 0 && r.len > 1000);
    reply_free(&r);

    expect_status("GET", "/api/persons/999999", NULL, 404);
    expect_status("GET", "/api/persons/0", NULL, 400);
    expect_status("GET", "/api/persons/-3", NULL, 400);
    expect_status("GET", "/api/nothing", NULL, 404);
    expect_status("DELETE", "/api/persons", NULL, 405);
    expect_status("GET", "/api/search", NULL, 400);
}

static json_t *post_ok(const char *path, const char *body, const char *what)
{
    reply r;
    call("POST", path, body, &r);
    CHECK_MSG(r.status == 200 && r.json, "%s: %ld %s", what, r.status, r.body ? r.body : "");
    json_t *out = r.json ? json_incref(r.json) : NULL;
    reply_free(&r);
    return out;
}

static void test_decisions(void)
{
    char path[256], body[512];
    reply r;
    int64_t decisions0 = q_int("SELECT count(*) FROM decisions");

    /* /annotate by face id: named */
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"label\":\"Anna Ärztin\",\"accepted\":true}",
             photo_ids[0], (long long)face_ids[0][0]);
    json_t *f = post_ok("/annotate", body, "annotate name");
    CHECK(f && jstr(f, "person_name") && strcmp(jstr(f, "person_name"), "Anna Ärztin") == 0 &&
          strcmp(jstr(f, "status"), "confirmed") == 0 && jint(f, "face_id") == face_ids[0][0]);
    int64_t anna = f ? jint(f, "person_id") : -1;
    json_decref(f);
    CHECK(q_int("SELECT count(*) FROM decisions") > decisions0);
    CHECK(q_int("SELECT count(*) FROM decisions WHERE action = 'confirm' AND face_id = %lld AND actor = 'local'",
                (long long)face_ids[0][0]) == 1);

    /* /annotate by face_no (no face of photo 3 has id 2): confirmed in its person */
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":2,\"accepted\":true}", photo_ids[3]);
    f = post_ok("/annotate", body, "annotate confirm by face_no");
    CHECK(f && jint(f, "face_id") == face_ids[3][2] && strcmp(jstr(f, "status"), "confirmed") == 0 &&
          jint(f, "person_id") == q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[3][2]));
    json_decref(f);
    /* confirm without a body: stays in its person */
    int64_t p1 = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[0][1]);
    CHECK_MSG(p1 > 0, "face %lld has person %lld", (long long)face_ids[0][1], (long long)p1);
    snprintf(path, sizeof path, "/api/faces/%lld/confirm", (long long)face_ids[0][1]);
    f = post_ok(path, NULL, "confirm in its person");
    CHECK(f && jint(f, "person_id") == p1 && strcmp(jstr(f, "status"), "confirmed") == 0);
    json_decref(f);

    /* suggestions: a face of Anna's identity in another photo, still unreviewed */
    int id0 = identity_of(0, 0), p2 = 1, k2 = (id0 - p2 + NIDENT) % NIDENT;
    snprintf(path, sizeof path, "/api/photos/%s", photo_ids[p2]);
    CHECK(call("GET", path, NULL, &r) == 200);
    json_t *sugg = json_object_get(json_array_get(json_object_get(r.json, "faces"), (size_t)k2), "suggestions");
    CHECK_MSG(json_array_size(sugg) >= 1 && jint(json_array_get(sugg, 0), "person_id") == anna &&
                  strcmp(jstr(json_array_get(sugg, 0), "name"), "Anna Ärztin") == 0 &&
                  json_real_value(json_object_get(json_array_get(sugg, 0), "distance")) < 0.75,
              "suggestions: %s", r.body);
    /* a face of another identity gets no suggestion of Anna */
    json_t *other =
        json_object_get(json_array_get(json_object_get(r.json, "faces"), (size_t)((k2 + 1) % 10)), "suggestions");
    CHECK(json_array_size(other) == 0);
    reply_free(&r);

    /* reject: out of its person, never suggested there again */
    snprintf(path, sizeof path, "/api/faces/%lld/confirm", (long long)face_ids[p2][k2]);
    snprintf(body, sizeof body, "{\"person_id\":%lld}", (long long)anna);
    f = post_ok(path, body, "confirm into Anna");
    CHECK(f && jint(f, "person_id") == anna && strcmp(jstr(f, "status"), "confirmed") == 0);
    json_decref(f);
    snprintf(path, sizeof path, "/api/faces/%lld/reject", (long long)face_ids[p2][k2]);
    f = post_ok(path, NULL, "reject");
    CHECK(f && json_is_null(json_object_get(f, "person_id")) && strcmp(jstr(f, "status"), "rejected") == 0);
    json_decref(f);
    CHECK(q_int("SELECT count(*) FROM decisions WHERE action = 'reject' AND face_id = %lld AND person_id = %lld",
                (long long)face_ids[p2][k2], (long long)anna) == 1);
    expect_status("POST", path, NULL, 409); /* nobody left to reject it from */

    /* /annotate accepted=false rejects too */
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"label\":null,\"accepted\":false}",
             photo_ids[0], (long long)face_ids[0][2]);
    f = post_ok("/annotate", body, "annotate reject");
    CHECK(f && strcmp(jstr(f, "status"), "rejected") == 0);
    json_decref(f);

    /* /annotate errors */
    expect_status("POST", "/annotate", "{\"photo_id\":", 400);
    expect_status("POST", "/annotate", "[1,2]", 400);
    expect_status("POST", "/annotate", "", 400);
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":3}", photo_ids[0]);
    expect_status("POST", "/annotate", body, 400); /* accepted missing */
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":\"3\",\"accepted\":true}", photo_ids[0]);
    expect_status("POST", "/annotate", body, 400);
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":3,\"accepted\":true,\"label\":7}", photo_ids[0]);
    expect_status("POST", "/annotate", body, 400);
    expect_status("POST", "/annotate", "{\"photo_id\":\"'; DROP TABLE faces; --\",\"face_id\":3,\"accepted\":true}",
                  400);
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"accepted\":true}", photo_ids[0],
             (long long)face_ids[1][5]); /* another photo's face */
    expect_status("POST", "/annotate", body, 404);
    expect_status("POST", "/annotate", "{\"photo_id\":\"0123456789abcdef\",\"face_id\":0,\"accepted\":true}", 404);
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":4,\"accepted\":true,\"accepted\":false}",
             photo_ids[0]);
    expect_status("POST", "/annotate", body, 400); /* duplicate key */
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":4,\"label\":\"bad\\u0001name\",\"accepted\":true}",
             photo_ids[0]);
    expect_status("POST", "/annotate", body, 400);
    expect_status("POST", "/api/faces/99999999/reject", NULL, 404);
    expect_status("POST", "/api/faces/1/confirm", "{\"person_id\":\"x\"}", 400);
    snprintf(path, sizeof path, "/api/faces/%lld/confirm", (long long)face_ids[3][3]);
    expect_status("POST", path, "{\"person_id\":99999999}", 404);
    CHECK(q_int("SELECT count(*) FROM faces") == NPHOTOS * FACES_PER_PHOTO);

    /* persons: rename, hide, merge, move, split */
    snprintf(path, sizeof path, "/api/persons/%lld/rename", (long long)anna);
    json_t *p = post_ok(path, "{\"name\":\"Anna, \\\"die\\\" Ärztin\"}", "rename");
    CHECK(p && strcmp(jstr(p, "name"), "Anna, \"die\" Ärztin") == 0 && jint(p, "person_id") == anna &&
          jint(p, "faces") >= 1);
    json_decref(p);
    expect_status("POST", path, "{\"nom\":\"x\"}", 400);
    expect_status("POST", "/api/persons/99999999/rename", "{\"name\":\"x\"}", 404);

    /* the unnamed person of identity 1 (face 1 of photo 0) gets a formula-like name */
    snprintf(path, sizeof path, "/api/persons/%lld/rename", (long long)p1);
    json_decref(post_ok(path, "{\"name\":\"=HYPERLINK(1)\"}", "rename formula"));

    /* list: unnamed biggest first, then named by name; q; hidden */
    CHECK(call("GET", "/api/persons", NULL, &r) == 200 && json_is_array(r.json));
    size_t n = json_array_size(r.json);
    bool order_ok = n >= 3, seen_named = false;
    int64_t last_unnamed = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(r.json, i);
        bool named = !json_is_null(json_object_get(x, "name"));
        if (!named) {
            order_ok &= !seen_named && jint(x, "faces") <= last_unnamed;
            last_unnamed = jint(x, "faces");
        }
        seen_named |= named;
        order_ok &= json_is_object(json_object_get(x, "cover")) || jint(x, "faces") == 0;
    }
    CHECK_MSG(order_ok && seen_named, "persons order: %s", r.body);
    reply_free(&r);
    CHECK(call("GET", "/api/persons?q=%C3%84RZTIN", NULL, &r) == 200 && json_array_size(r.json) == 1 &&
          jint(json_array_get(r.json, 0), "person_id") == anna);
    reply_free(&r);
    snprintf(path, sizeof path, "/api/persons/%lld/hide", (long long)p1);
    p = post_ok(path, "{\"hidden\":true}", "hide");
    CHECK(p && json_is_true(json_object_get(p, "hidden")));
    json_decref(p);
    expect_status("POST", path, "{\"hidden\":1}", 400);
    CHECK(call("GET", "/api/persons?hidden=1", NULL, &r) == 200 && json_array_size(r.json) == 1 &&
          jint(json_array_get(r.json, 0), "person_id") == p1);
    reply_free(&r);
    expect_status("GET", "/api/persons?hidden=2", NULL, 400);
    json_decref(post_ok(path, "{\"hidden\":false}", "unhide"));

    /* merge identity 4's and 3's unnamed persons: a conflict (photo 0 holds both) */
    int64_t p2id = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[0][4]);
    int64_t p3id = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[0][3]);
    snprintf(path, sizeof path, "/api/persons/%lld/merge", (long long)p2id);
    snprintf(body, sizeof body, "{\"from\":[%lld]}", (long long)p3id);
    expect_status("POST", path, body, 409);
    snprintf(body, sizeof body, "{\"from\":[%lld]}", (long long)p2id);
    expect_status("POST", path, body, 409); /* into itself */
    expect_status("POST", path, "{\"from\":[]}", 400);
    expect_status("POST", path, "{\"from\":[0]}", 400);
    expect_status("POST", path, "{\"from\":[99999999]}", 404);

    /* split two faces of identity 3 into a new person, then merge them back */
    int64_t a = face_ids[0][3], b = face_ids[1][2]; /* identity 3 in photos 0 and 1 */
    snprintf(body, sizeof body, "{\"face_ids\":[%lld,%lld]}", (long long)a, (long long)b);
    p = post_ok("/api/split", body, "split");
    int64_t np = p ? jint(p, "person_id") : -1;
    CHECK(p && np > 0 && np != p2id && jint(p, "faces") == 2 && jint(p, "photos") == 2);
    json_decref(p);
    expect_status("POST", "/api/split", "{\"face_ids\":[1,1]}", 400);
    expect_status("POST", "/api/split", "{\"face_ids\":\"all\"}", 400);
    int64_t id3 = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[2][1]);
    snprintf(path, sizeof path, "/api/persons/%lld/merge", (long long)id3);
    snprintf(body, sizeof body, "{\"from\":[%lld]}", (long long)np);
    p = post_ok(path, body, "merge back");
    CHECK(p && jint(p, "person_id") == id3 && jint(p, "faces") == NPHOTOS);
    json_decref(p);
    snprintf(path, sizeof path, "/api/persons/%lld", (long long)np);
    expect_status("GET", path, NULL, 404); /* merged away */

    /* move a face into a person; one photo shows a person once */
    snprintf(path, sizeof path, "/api/persons/%lld/faces", (long long)anna);
    snprintf(body, sizeof body, "{\"face_ids\":[%lld]}", (long long)face_ids[0][5]);
    expect_status("POST", path, body, 409); /* photo 0 already has Anna */
    snprintf(body, sizeof body, "{\"face_ids\":[%lld]}", (long long)face_ids[4][(id0 - 4 + NIDENT) % NIDENT]);
    p = post_ok(path, body, "move");
    CHECK(p && jint(p, "person_id") == anna && jint(p, "faces") == 2);
    json_decref(p);

    /* one person with all faces */
    snprintf(path, sizeof path, "/api/persons/%lld", (long long)anna);
    CHECK(call("GET", path, NULL, &r) == 200 && json_array_size(json_object_get(r.json, "faces")) == 2 &&
          strcmp(jstr(json_array_get(json_object_get(r.json, "faces"), 0), "person_name"), "Anna, \"die\" Ärztin") ==
              0);
    reply_free(&r);

    /* search by name: the person and the photos Anna is in */
    CHECK(call("GET", "/api/search?q=anna", NULL, &r) == 200);
    CHECK_MSG(json_array_size(json_object_get(r.json, "persons")) == 1 &&
                  json_array_size(json_object_get(r.json, "photos")) == 2,
              "search: %s", r.body);
    reply_free(&r);
    CHECK(call("GET", "/api/search?q=nobody-by-this-name", NULL, &r) == 200 &&
          json_array_size(json_object_get(r.json, "persons")) == 0 &&
          json_array_size(json_object_get(r.json, "photos")) == 0);
    reply_free(&r);

    /* a cached list comes gzip-compressed to a client that accepts it, the same JSON */
    CHECK(call("GET", "/api/persons", NULL, &r) == 200 && r.encoding[0] == '\0');
    want_gzip = true;
    reply gz;
    CHECK(call("GET", "/api/persons", NULL, &gz) == 200);
    want_gzip = false;
    CHECK_MSG(strcmp(gz.encoding, "gzip") == 0 && gz.len == r.len && memcmp(gz.body, r.body, r.len) == 0,
              "gzip: encoding '%s', %zu vs %zu bytes", gz.encoding, gz.len, r.len);
    reply_free(&gz);
    reply_free(&r);

    /* a change made outside this server (another process: facetag cluster) is
     * seen at once, though the lists are cached until the catalog changes */
    CHECK(call("GET", "/api/persons", NULL, &r) == 200 && !strstr(r.body, "Renamed Elsewhere"));
    reply_free(&r);
    {
        char dbp[700];
        snprintf(dbp, sizeof dbp, "%s/catalog.sqlite", data_dir);
        err e2 = { 0 };
        catalog *other = catalog_open(dbp, &e2);
        CHECK_MSG(other && persons_rename(other, "elsewhere", p1, "Renamed Elsewhere", &e2) == 0, "%s", e2.msg);
        catalog_close(other);
    }
    CHECK(call("GET", "/api/persons", NULL, &r) == 200 && strstr(r.body, "Renamed Elsewhere"));
    reply_free(&r);
    snprintf(path, sizeof path, "/api/persons/%lld/rename", (long long)p1);
    json_decref(post_ok(path, "{\"name\":\"=HYPERLINK(1)\"}", "rename back"));
    CHECK(call("GET", "/api/persons", NULL, &r) == 200 && !strstr(r.body, "Renamed Elsewhere"));
    reply_free(&r);

    /* the decision log, newest first */
    CHECK(call("GET", "/api/decisions?limit=3", NULL, &r) == 200 && json_array_size(r.json) == 3);
    json_t *d = json_array_get(r.json, 0);
    CHECK_MSG(d && strcmp(jstr(d, "action"), "rename") == 0 && strcmp(jstr(d, "actor"), "local") == 0 &&
                  json_is_object(json_object_get(d, "after")) && jstr(d, "at"),
              "decisions: %s", r.body);
    reply_free(&r);
    expect_status("GET", "/api/decisions?limit=0", NULL, 400);

    /* /pending counts follow: photo 0 has 3 settled faces (0 named, 1 confirmed, 2 rejected) */
    CHECK(call("GET", "/pending", NULL, &r) == 200);
    bool found = false;
    for (size_t i = 0; i < json_array_size(r.json); i++) {
        json_t *x = json_array_get(r.json, i);
        if (strcmp(jstr(x, "photo_id"), photo_ids[0]) == 0) {
            found = true;
            CHECK_MSG(jint(x, "unreviewed") == FACES_PER_PHOTO - 4, "photo 0: %s", r.body);
        }
    }
    CHECK(found);
    reply_free(&r);
}

static void test_exports(void)
{
    reply r;
    CHECK(call("GET", "/api/export.csv", NULL, &r) == 200 && strncmp(r.ctype, "text/csv", 8) == 0);
    CHECK(r.body && strncmp(r.body, "photo_id,file,face_no,x,y,w,h,person_id,name,status\r\n", 53) == 0);
    int lines = 0;
    for (size_t i = 0; i < r.len; i++)
        lines += r.body[i] == '\n';
    CHECK_MSG(lines == 1 + NPHOTOS * FACES_PER_PHOTO, "csv lines %d", lines);
    CHECK_MSG(strstr(r.body, ",\"Anna, \"\"die\"\" Ärztin\",confirmed\r\n") != NULL, "csv quoting: %.400s", r.body);
    CHECK_MSG(strstr(r.body, ",\"'=HYPERLINK(1)\",") != NULL, "csv formula guard");
    CHECK(strstr(r.body, ",rejected\r\n") != NULL && strstr(r.body, ",unreviewed\r\n") != NULL);
    reply_free(&r);
    CHECK(call("GET", "/api/export.json", NULL, &r) == 200 && r.json);
    json_t *photos = json_object_get(r.json, "photos");
    CHECK(json_array_size(photos) == NPHOTOS);
    size_t faces = 0;
    for (size_t i = 0; i < json_array_size(photos); i++)
        faces += json_array_size(json_object_get(json_array_get(photos, i), "faces"));
    CHECK(faces == NPHOTOS * FACES_PER_PHOTO);
    reply_free(&r);
}

/* ---- a face drawn by hand ------------------------------------------------------------ */

/* annotations/{photo_id}.json of the fixture's data folder, parsed (NULL when absent). */
static json_t *annotation_of(const char *photo_id)
{
    char path[800];
    snprintf(path, sizeof path, "%s/objects/annotations/%s.json", data_dir, photo_id);
    return json_load_file(path, 0, NULL);
}

/* The entry of face_no in an annotation's "faces", and how many there are. */
static json_t *annotation_face(json_t *a, int face_no, int *count)
{
    json_t *faces = json_object_get(a, "faces"), *f, *found = NULL;
    size_t i;
    *count = 0;
    json_array_foreach(faces, i, f)
    {
        if (json_integer_value(json_object_get(f, "face_no")) == face_no) {
            found = f;
            ++*count;
        }
    }
    return found;
}

/* The drawn face's annotation entry agrees with its catalog row: box, crop,
 * source and every descriptor value. */
static void check_annotation_matches(json_t *f, int64_t face_id, const char *photo_id, int face_no)
{
    CHECK(f != NULL);
    if (!f)
        return;
    char crop[64];
    snprintf(crop, sizeof crop, "%s/%d.jpg", photo_id, face_no);
    CHECK(jstr(f, "source") && strcmp(jstr(f, "source"), "manual") == 0);
    CHECK(jstr(f, "crop") && strcmp(jstr(f, "crop"), crop) == 0);
    sqlite3 *db = open_db();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT box_x, box_y, box_w, box_h, embedding FROM faces WHERE id = ?1", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, face_id);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    json_t *box = json_object_get(f, "box"), *emb = json_object_get(f, "embedding");
    for (int i = 0; i < 4; i++)
        CHECK(json_number_value(json_array_get(box, i)) == sqlite3_column_double(st, i));
    const float *v = sqlite3_column_blob(st, 4);
    CHECK(v && sqlite3_column_bytes(st, 4) == 512 && json_array_size(emb) == 128);
    int same = 0;
    for (int i = 0; v && i < 128; i++)
        same += (float)json_number_value(json_array_get(emb, i)) == v[i];
    CHECK_MSG(same == 128, "%d of 128 descriptor values agree", same);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_draw(void)
{
    if (!getenv("FACETAG_MODELS")) {
        fprintf(stderr, "test_review_api: FACETAG_MODELS not set; drawing not tested\n");
        return;
    }
    char path[256];
    reply r;
    int64_t decisions0 = q_int("SELECT count(*) FROM decisions WHERE action = 'draw'");
    /* photo 5's annotation as analyze wrote it, plus an entry a drawing killed
     * before its catalog commit left behind (its face_no is given out again) */
    char apath[800];
    snprintf(apath, sizeof apath, "%s/objects/annotations/%s.json", data_dir, photo_ids[5]);
    FILE *af = fopen(apath, "w");
    CHECK(af != NULL);
    if (af) {
        fprintf(af,
                "{\"photo_id\":\"%s\",\"model\":\"%s\",\"faces\":[{\"face_no\":0,\"box\":[1,2,3,4]},"
                "{\"face_no\":1,\"box\":[5,6,7,8]},{\"face_no\":%d,\"box\":[9,9,9,9],\"left\":true}]}",
                photo_ids[5], MODEL, FACES_PER_PHOTO);
        fclose(af);
    }
    /* photo 5 (two people): a box over the left half of the picture */
    snprintf(path, sizeof path, "/api/photos/%s/faces", photo_ids[5]);
    call("POST", path, "{\"box\":[180.5,120,220,260],\"name\":\"Drawn Person\"}", &r);
    CHECK_MSG(r.status == 201 && r.json, "draw: %ld %s", r.status, r.body ? r.body : "");
    json_t *f = r.json;
    int64_t fid = jint(f, "face_id");
    CHECK(fid > 0 && jint(f, "face_no") == FACES_PER_PHOTO && strcmp(jstr(f, "source"), "manual") == 0);
    CHECK(jstr(f, "person_name") && strcmp(jstr(f, "person_name"), "Drawn Person") == 0 &&
          strcmp(jstr(f, "status"), "confirmed") == 0);
    CHECK(json_is_object(json_object_get(f, "landmarks")) && json_is_number(json_object_get(f, "age")));
    json_t *box = json_object_get(f, "box");
    CHECK(json_real_value(json_array_get(box, 0)) == 180.5 && json_real_value(json_array_get(box, 3)) == 260);
    reply_free(&r);
    CHECK(q_int("SELECT count(*) FROM decisions WHERE action = 'draw'") == decisions0 + 1);
    CHECK(q_int("SELECT count(*) FROM faces WHERE id = %lld AND length(embedding) = 512 AND source = 'manual'",
                (long long)fid) == 1);
    snprintf(path, sizeof path, "/face_crop/%s/%d", photo_ids[5], FACES_PER_PHOTO);
    CHECK(call("GET", path, NULL, &r) == 200 && strcmp(r.ctype, "image/jpeg") == 0 && r.len > 500);
    reply_free(&r);
    /* the annotation holds it too: the leftover entry replaced, the others kept */
    json_t *a = annotation_of(photo_ids[5]);
    int n = 0;
    CHECK(a && json_array_size(json_object_get(a, "faces")) == 3);
    json_t *af0 = annotation_face(a, 0, &n);
    CHECK(n == 1 && json_number_value(json_array_get(json_object_get(af0, "box"), 0)) == 1);
    json_t *drawn = annotation_face(a, FACES_PER_PHOTO, &n);
    CHECK(n == 1 && drawn && !json_object_get(drawn, "left"));
    check_annotation_matches(drawn, fid, photo_ids[5], FACES_PER_PHOTO);
    json_decref(a);
    /* without a name: unassigned, with suggestions computed */
    snprintf(path, sizeof path, "/api/photos/%s/faces", photo_ids[5]);
    call("POST", path, "{\"box\":[600,100,200,240]}", &r);
    CHECK_MSG(r.status == 201 && r.json && json_is_null(json_object_get(r.json, "person_id")) &&
                  jint(r.json, "face_no") == FACES_PER_PHOTO + 1 &&
                  json_is_array(json_object_get(r.json, "suggestions")),
              "draw unnamed: %s", r.body ? r.body : "");
    int64_t fid2 = r.json ? jint(r.json, "face_id") : 0;
    reply_free(&r);
    a = annotation_of(photo_ids[5]);
    CHECK(a && json_array_size(json_object_get(a, "faces")) == 4);
    check_annotation_matches(annotation_face(a, FACES_PER_PHOTO + 1, &n), fid2, photo_ids[5], FACES_PER_PHOTO + 1);
    json_decref(a);
    /* a photo without an annotation yet gets one holding the drawn face */
    snprintf(path, sizeof path, "/api/photos/%s/faces", photo_ids[4]);
    call("POST", path, "{\"box\":[100,100,150,180]}", &r);
    CHECK_MSG(r.status == 201 && r.json, "draw on photo 4: %s", r.body ? r.body : "");
    int64_t fid3 = r.json ? jint(r.json, "face_id") : 0;
    reply_free(&r);
    a = annotation_of(photo_ids[4]);
    CHECK(a && jstr(a, "photo_id") && strcmp(jstr(a, "photo_id"), photo_ids[4]) == 0 && jstr(a, "model") &&
          strcmp(jstr(a, "model"), MODEL) == 0 && json_array_size(json_object_get(a, "faces")) == 1);
    check_annotation_matches(annotation_face(a, FACES_PER_PHOTO, &n), fid3, photo_ids[4], FACES_PER_PHOTO);
    json_decref(a);
    /* an annotation that is not one: the drawing fails, nothing is added */
    snprintf(apath, sizeof apath, "%s/objects/annotations/%s.json", data_dir, photo_ids[3]);
    af = fopen(apath, "w");
    if (af) {
        fputs("{\"faces\": 3}", af);
        fclose(af);
    }
    int64_t faces3 = q_int("SELECT count(*) FROM faces WHERE photo_id = '%s'", photo_ids[3]);
    snprintf(path, sizeof path, "/api/photos/%s/faces", photo_ids[3]);
    call("POST", path, "{\"box\":[100,100,150,180]}", &r);
    CHECK_MSG(r.status == 500 && r.json && strstr(jstr(r.json, "error"), "annotations/") &&
                  strstr(jstr(r.json, "error"), photo_ids[3]),
              "draw over a broken annotation: %ld %s", r.status, r.body ? r.body : "");
    reply_free(&r);
    CHECK(q_int("SELECT count(*) FROM faces WHERE photo_id = '%s'", photo_ids[3]) == faces3);
    snprintf(path, sizeof path, "/api/photos/%s/faces", photo_ids[5]);
    expect_status("POST", path, "{\"box\":[10,10,4,4]}", 400);
    expect_status("POST", path, "{\"box\":[50000,50000,100,100]}", 400);
    expect_status("POST", path, "{\"box\":[1,2,3]}", 400);
    expect_status("POST", path, "{\"box\":[1,2,3,\"4\"]}", 400);
    expect_status("POST", path, "{\"box\":[10,10,100,100],\"name\":5}", 400);
    expect_status("POST", path, "{}", 400);
    expect_status("POST", "/api/photos/0123456789abcdef/faces", "{\"box\":[10,10,100,100]}", 404);
    /* a photo not analysed yet has no analysis to add a face to */
    err e = { 0 };
    char dbp[700];
    snprintf(dbp, sizeof dbp, "%s/catalog.sqlite", data_dir);
    catalog *c = catalog_open(dbp, &e);
    catalog_photo ph = { 0 };
    snprintf(ph.photo_id, sizeof ph.photo_id, "00000000000000aa");
    snprintf(ph.sha256, sizeof ph.sha256, "%s%s%s%s", ph.photo_id, ph.photo_id, ph.photo_id, ph.photo_id);
    snprintf(ph.format, sizeof ph.format, "jpeg");
    snprintf(ph.incoming_key, sizeof ph.incoming_key, "%s.jpg", ph.photo_id);
    ph.width = ph.height = ph.orig_width = ph.orig_height = 400;
    CHECK_MSG(c && catalog_photo_put(c, &ph, &e) == 1, "%s", e.msg);
    catalog_close(c);
    expect_status("POST", "/api/photos/00000000000000aa/faces", "{\"box\":[10,10,100,100]}", 409);
}

/* ---- 50 clients at once ----------------------------------------------------------- */

#define NCLIENTS 50

typedef struct client {
    int n;
    long status;
    pthread_barrier_t *go;
} client;

/* Client n names face n (photo n / 10, face_no n % 10... of photos 1..5). */
static int64_t client_face(int n)
{
    return face_ids[1 + n / FACES_PER_PHOTO][n % FACES_PER_PHOTO];
}

static void *client_run(void *ud)
{
    client *c = ud;
    char body[256];
    int p = 1 + c->n / FACES_PER_PHOTO;
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"label\":\"Client %02d\",\"accepted\":true}",
             photo_ids[p], (long long)client_face(c->n), c->n);
    pthread_barrier_wait(c->go);
    reply r;
    c->status = call("POST", "/annotate", body, &r);
    if (c->status != 200)
        fprintf(stderr, "client %d: %ld %s\n", c->n, c->status, r.body ? r.body : "");
    reply_free(&r);
    return NULL;
}

static void test_concurrent_decisions(void)
{
    int64_t before = q_int("SELECT count(*) FROM decisions");
    pthread_t th[NCLIENTS];
    client cl[NCLIENTS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NCLIENTS);
    for (int i = 0; i < NCLIENTS; i++) {
        cl[i] = (client){ .n = i, .go = &go };
        pthread_create(&th[i], NULL, client_run, &cl[i]);
    }
    int ok = 0;
    for (int i = 0; i < NCLIENTS; i++) {
        pthread_join(th[i], NULL);
        ok += cl[i].status == 200;
    }
    pthread_barrier_destroy(&go);
    CHECK_MSG(ok == NCLIENTS, "%d of %d decisions answered 200", ok, NCLIENTS);
    /* none lost: one confirm row per face, each face named as its client said */
    int64_t after = q_int("SELECT count(*) FROM decisions");
    CHECK_MSG(after - before >= NCLIENTS, "decision rows %lld -> %lld", (long long)before, (long long)after);
    int good = 0;
    for (int i = 0; i < NCLIENTS; i++) {
        good += q_int("SELECT count(*) FROM decisions WHERE face_id = %lld AND action = 'confirm' AND id > %lld",
                      (long long)client_face(i), (long long)before) == 1 &&
                q_int("SELECT count(*) FROM faces f JOIN persons p ON p.id = f.person_id WHERE f.id = %lld "
                      "AND p.name = 'Client %02d' AND f.status = 'confirmed'",
                      (long long)client_face(i), i) == 1;
    }
    CHECK_MSG(good == NCLIENTS, "%d of %d faces carry their client's decision", good, NCLIENTS);
}

/* 20 clients reading a list the same moment after a change: one computes it,
 * the others wait for that answer; all get the same, current one. */
typedef struct reader {
    pthread_barrier_t *go;
    reply r;
} reader;

static void *reader_run(void *ud)
{
    reader *x = ud;
    pthread_barrier_wait(x->go);
    call("GET", "/api/persons", NULL, &x->r);
    return NULL;
}

static void test_concurrent_reads(void)
{
    enum { N = 20 };
    char path[128];
    snprintf(path, sizeof path, "/api/persons/%lld/rename",
             (long long)q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)client_face(7)));
    json_decref(post_ok(path, "{\"name\":\"Read Together\"}", "rename before reads"));
    pthread_t th[N];
    reader rd[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        rd[i] = (reader){ .go = &go };
        pthread_create(&th[i], NULL, reader_run, &rd[i]);
    }
    int same = 0;
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++)
        same += rd[i].r.status == 200 && rd[i].r.body && strstr(rd[i].r.body, "Read Together") &&
                rd[i].r.len == rd[0].r.len && memcmp(rd[i].r.body, rd[0].r.body, rd[0].r.len) == 0;
    for (int i = 0; i < N; i++)
        reply_free(&rd[i].r);
    pthread_barrier_destroy(&go);
    CHECK_MSG(same == N, "%d of %d readers got the current list", same, N);
}

/* A batch job (facetag cluster) holding the write lock longer than the
 * catalog's usual 5 s busy timeout: a decision waits for it instead of failing. */
typedef struct locker {
    pthread_barrier_t *locked;
    pthread_barrier_t *release; /* hold until this barrier, when set, */
    int seconds;                /* else for this long */
    int ok;
} locker;

static void *hold_write_lock(void *ud)
{
    locker *l = ud;
    sqlite3 *db = open_db();
    l->ok = sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO persons (name) VALUES ('Batch Job')", NULL, NULL, NULL) ==
            SQLITE_OK;
    pthread_barrier_wait(l->locked);
    if (l->release)
        pthread_barrier_wait(l->release);
    else
        sleep((unsigned)l->seconds);
    l->ok &= sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return NULL;
}

static void test_decision_waits_for_a_batch_job(void)
{
    pthread_barrier_t locked;
    pthread_barrier_init(&locked, NULL, 2);
    locker l = { .locked = &locked, .seconds = 6 };
    pthread_t th;
    pthread_create(&th, NULL, hold_write_lock, &l);
    pthread_barrier_wait(&locked);
    char body[256];
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"label\":\"Waited\",\"accepted\":true}",
             photo_ids[0], (long long)face_ids[0][8]);
    json_t *f = post_ok("/annotate", body, "a decision during a long write");
    CHECK(f && jstr(f, "person_name") && strcmp(jstr(f, "person_name"), "Waited") == 0);
    json_decref(f);
    pthread_join(th, NULL);
    pthread_barrier_destroy(&locked);
    CHECK(l.ok && q_int("SELECT count(*) FROM persons WHERE name = 'Batch Job'") == 1);
}

/* A batch job holding the write lock past the server's wait (here 0.2 s, by
 * default 30 s): the decision is refused with 503, Retry-After and an error
 * that says why, and nothing is changed; once the lock is free it goes through. */
static void test_decision_busy(void)
{
    review_options o = { .data_dir = data_dir, .bind = NULL, .port = 0, .threads = 2, .busy_timeout_ms = 200 };
    err e = { 0 };
    review_server *s = review_server_start(&o, &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    if (!s)
        return;
    int port = review_server_port(s);
    pthread_barrier_t locked, release;
    pthread_barrier_init(&locked, NULL, 2);
    pthread_barrier_init(&release, NULL, 2);
    locker l = { .locked = &locked, .release = &release };
    pthread_t th;
    pthread_create(&th, NULL, hold_write_lock, &l);
    pthread_barrier_wait(&locked);
    int64_t decisions0 = q_int("SELECT count(*) FROM decisions");
    char body[256], path[128];
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"label\":\"Too Late\",\"accepted\":true}",
             photo_ids[0], (long long)face_ids[0][9]);
    reply r;
    call_at(port, "POST", "/annotate", body, &r);
    check_error(&r, 503, "a decision while a batch job holds the lock");
    CHECK_MSG(strcmp(r.retry_after, "10") == 0, "Retry-After '%s'", r.retry_after);
    CHECK_MSG(r.json && strstr(jstr(r.json, "error"), "busy") && strstr(jstr(r.json, "error"), "try again"), "%s",
              r.body ? r.body : "");
    reply_free(&r);
    snprintf(path, sizeof path, "/api/faces/%lld/reject", (long long)face_ids[0][9]);
    call_at(port, "POST", path, "{}", &r);
    check_error(&r, 503, "a rejection while a batch job holds the lock");
    reply_free(&r);
    pthread_barrier_wait(&release);
    pthread_join(th, NULL);
    CHECK(l.ok && q_int("SELECT count(*) FROM decisions") == decisions0);
    CHECK(q_int("SELECT count(*) FROM persons WHERE name = 'Too Late'") == 0);
    /* the lock is free again: the same decision goes through */
    call_at(port, "POST", "/annotate", body, &r);
    CHECK_MSG(r.status == 200 && r.json && jstr(r.json, "person_name") &&
                  strcmp(jstr(r.json, "person_name"), "Too Late") == 0 && !r.retry_after[0],
              "%ld %s", r.status, r.body ? r.body : "");
    reply_free(&r);
    pthread_barrier_destroy(&locked);
    pthread_barrier_destroy(&release);
    review_server_stop(s);
}

/* ---- a photo analysed again with another model version ---------------------------- */

/* Photo 5 re-analysed as "test-model/v2" with two faces, the first put in face
 * 5/0's person: only the new analysis counts from then on — in the photo, the
 * queue, the persons' counts and covers, and the export. */
static void test_reanalysis(void)
{
    err e = { 0 };
    char dbp[700], path[256], q[64];
    snprintf(dbp, sizeof dbp, "%s/catalog.sqlite", data_dir);
    catalog *c = catalog_open(dbp, &e);
    int64_t p40 = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[5][0]);
    int64_t p41 = q_int("SELECT person_id FROM faces WHERE id = %lld", (long long)face_ids[5][1]);
    int64_t v2[2] = { 0 };
    for (int k = 0; c && k < 2; k++) {
        catalog_face f = { 0 };
        snprintf(f.photo_id, sizeof f.photo_id, "%s", photo_ids[5]);
        f.face_no = k;
        snprintf(f.model_version, sizeof f.model_version, "test-model/v2");
        f.box[0] = 10 + 100 * k, f.box[1] = 10, f.box[2] = 50, f.box[3] = 60;
        f.score = 0.99;
        f.person_id = k == 0 ? p40 : 0;
        snprintf(f.source, sizeof f.source, "detector");
        CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
        v2[k] = f.id;
    }
    CHECK_MSG(c && catalog_analysis_put(c, photo_ids[5], "test-model/v2", "done", 2, NULL, &e) == 0, "%s", e.msg);
    catalog_close(c);

    reply r;
    snprintf(path, sizeof path, "/api/photos/%s", photo_ids[5]);
    CHECK(call("GET", path, NULL, &r) == 200 && json_array_size(json_object_get(r.json, "faces")) == 2);
    json_t *f0 = json_array_get(json_object_get(r.json, "faces"), 0);
    CHECK_MSG(jint(f0, "face_id") == v2[0] && jint(f0, "person_id") == p40, "photo after re-analysis: %s", r.body);
    reply_free(&r);
    CHECK(call("GET", "/pending?limit=1", NULL, &r) == 200 && json_array_size(r.json) == 1 &&
          strcmp(jstr(json_array_get(r.json, 0), "photo_id"), photo_ids[5]) == 0 &&
          jint(json_array_get(r.json, 0), "faces") == 2 && jint(json_array_get(r.json, 0), "unreviewed") == 2);
    reply_free(&r);
    snprintf(q, sizeof q, "/api/persons/%lld", (long long)p40);
    /* one person: "faces" is the array of its current faces */
    CHECK(call("GET", q, NULL, &r) == 200 && json_array_size(json_object_get(r.json, "faces")) == 1 &&
          jint(json_object_get(r.json, "cover"), "face_no") == 0 && jint(r.json, "photos") == 1 &&
          jint(json_array_get(json_object_get(r.json, "faces"), 0), "face_id") == v2[0]);
    reply_free(&r);
    /* the list (one pass over all persons) agrees with the one-person query */
    CHECK(call("GET", "/api/persons", NULL, &r) == 200);
    bool seen40 = false, seen41 = false;
    for (size_t i = 0; i < json_array_size(r.json); i++) {
        json_t *x = json_array_get(r.json, i);
        if (jint(x, "person_id") == p40) {
            seen40 = true;
            CHECK_MSG(jint(x, "faces") == 1 && jint(x, "photos") == 1 &&
                          strcmp(jstr(json_object_get(x, "cover"), "photo_id"), photo_ids[5]) == 0,
                      "person %lld in the list", (long long)p40);
        }
        if (jint(x, "person_id") == p41) {
            seen41 = true;
            CHECK_MSG(jint(x, "faces") == 0 && json_is_null(json_object_get(x, "cover")), "person %lld in the list",
                      (long long)p41);
        }
    }
    CHECK(seen40 && seen41);
    reply_free(&r);
    CHECK(call("GET", "/api/export.csv", NULL, &r) == 200);
    int lines = 0, of5 = 0;
    for (char *l = r.body; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        lines++;
        of5 += strncmp(l, photo_ids[5], PHOTO_ID_LEN) == 0;
    }
    CHECK_MSG(of5 == 2, "photo 5 rows in the CSV: %d", of5);
    CHECK(lines - 1 == q_int("SELECT count(*) FROM faces f WHERE "
                             "f.model_version = (SELECT model_version FROM "
                             "analysis_runs a WHERE a.photo_id = f.photo_id AND a.status = 'done' ORDER BY a.rowid "
                             "DESC LIMIT 1)"));
    reply_free(&r);
}

/* ---- restart, binds and tokens ---------------------------------------------------- */

static json_t *snapshot(void)
{
    reply r;
    json_t *s = json_object();
    call("GET", "/api/export.json", NULL, &r);
    json_object_set(s, "export", r.json ? r.json : json_null());
    reply_free(&r);
    call("GET", "/api/persons", NULL, &r);
    json_object_set(s, "persons", r.json ? r.json : json_null());
    reply_free(&r);
    call("GET", "/api/decisions?limit=1000", NULL, &r);
    json_object_set(s, "decisions", r.json ? r.json : json_null());
    reply_free(&r);
    return s;
}

static void test_auth(void)
{
    err e = { 0 };
    review_server *s = start("0.0.0.0", NULL, &e);
    CHECK_MSG(!s && e.code == ERR_INVALID && strstr(e.msg, "without a token"), "open bind: %s", e.msg);
    review_server_stop(s);
    s = start("::", "", &e);
    CHECK(!s && e.code == ERR_INVALID);
    review_server_stop(s);
    s = start("0.0.0.0", "short", &e);
    CHECK(!s && e.code == ERR_INVALID);
    review_server_stop(s);
    s = start("0.0.0.0", TOKEN, &e);
    CHECK_MSG(s != NULL, "with a token: %s", e.msg);
    if (!s)
        return;
    reply r;
    auth_header = NULL;
    call("GET", "/api/persons", NULL, &r);
    check_error(&r, 401, "no token");
    reply_free(&r);
    call("POST", "/annotate", "{}", &r);
    check_error(&r, 401, "no token, POST");
    reply_free(&r);
    auth_header = "Authorization: Bearer " TOKEN "0";
    call("GET", "/healthz", NULL, &r);
    check_error(&r, 401, "wrong token");
    reply_free(&r);
    auth_header = "Authorization: Bearer " TOKEN;
    CHECK(call("GET", "/healthz", NULL, &r) == 200);
    reply_free(&r);
    /* decisions made with a token are logged as the token's */
    char body[256];
    snprintf(body, sizeof body, "{\"photo_id\":\"%s\",\"face_id\":%lld,\"accepted\":true}", photo_ids[0],
             (long long)face_ids[0][6]);
    json_decref(post_ok("/annotate", body, "annotate with token"));
    CHECK(q_int("SELECT count(*) FROM decisions WHERE actor = 'token' AND face_id = %lld", (long long)face_ids[0][6]) ==
          1);
    auth_header = NULL;
    review_server_stop(s);
}

int main(void)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        fprintf(stderr, "test_review_api: FACETAG_SHARED not set; skipped\n");
        return 77;
    }
    err e = { 0 };
    if (image_init("test_review_api", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(data_dir, sizeof data_dir, "%s/data", test_tmpdir("review_api"));
    if (!build_fixture(shared))
        return test_main_end();
    review_server *s = start(NULL, NULL, &e);
    CHECK_MSG(s != NULL, "start: %s", e.msg);
    if (s) {
        test_reads();
        test_decisions();
        test_exports();
        test_draw();
        test_concurrent_decisions();
        test_concurrent_reads();
        test_decision_waits_for_a_batch_job();
        test_decision_busy();
        json_t *before = snapshot();
        review_server_stop(s);

        /* a new server on the same data finds every change */
        s = start(NULL, NULL, &e);
        CHECK_MSG(s != NULL, "restart: %s", e.msg);
        if (s) {
            json_t *after = snapshot();
            CHECK(json_array_size(json_object_get(after, "decisions")) > NCLIENTS);
            CHECK_MSG(json_equal(before, after), "state changed across a restart");
            json_decref(after);
            review_server_stop(s);
        }
        json_decref(before);
        s = start(NULL, NULL, &e);
        CHECK_MSG(s != NULL, "restart: %s", e.msg);
        if (s) {
            test_reanalysis();
            review_server_stop(s);
        }
        test_auth();
    }
    test_rmtree(data_dir);
    curl_global_cleanup();
    vips_shutdown();
    return test_main_end();
}
