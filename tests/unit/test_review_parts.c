/* test_review_parts.c — the review server's pieces on their own: the bind and
 * token rules, Host and Origin checks (auth.h), the answer cache's freshness
 * against another connection's commits (respcache.h), the embedded assets, the
 * workers' queue (workq.h). */
#include "review/assets.h"
#include "review/auth.h"
#include "review/respcache.h"
#include "review/workq.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "testutil.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static void test_bind(void)
{
    struct sockaddr_storage a;
    socklen_t len;
    bool lo;
    err e = { 0 };
    CHECK(auth_parse_bind("127.0.0.1", 8001, &a, &len, &lo, &e) == 0 && lo && a.ss_family == AF_INET &&
          ntohs(((struct sockaddr_in *)&a)->sin_port) == 8001);
    CHECK(auth_parse_bind("127.3.2.1", 0, &a, &len, &lo, &e) == 0 && lo);
    CHECK(auth_parse_bind("localhost", 1, &a, &len, &lo, &e) == 0 && lo);
    CHECK(auth_parse_bind(NULL, 1, &a, &len, &lo, &e) == 0 && lo);
    CHECK(auth_parse_bind("::1", 1, &a, &len, &lo, &e) == 0 && lo && a.ss_family == AF_INET6);
    CHECK(auth_parse_bind("[::1]", 1, &a, &len, &lo, &e) == 0 && lo);
    CHECK(auth_parse_bind("0.0.0.0", 1, &a, &len, &lo, &e) == 0 && !lo);
    CHECK(auth_parse_bind("192.168.1.20", 1, &a, &len, &lo, &e) == 0 && !lo);
    CHECK(auth_parse_bind("::", 1, &a, &len, &lo, &e) == 0 && !lo);
    CHECK(auth_parse_bind("::ffff:127.0.0.1", 1, &a, &len, &lo, &e) == 0 && !lo); /* not ::1: needs a token */
    CHECK(auth_parse_bind("example.org", 1, &a, &len, &lo, &e) == ERR_INVALID && strstr(e.msg, "example.org"));
    CHECK(auth_parse_bind("127.0.0.1", 70000, &a, &len, &lo, &e) == ERR_INVALID);
    CHECK(auth_parse_bind("127.0.0.1", -1, &a, &len, &lo, &e) == ERR_INVALID);
}

static void test_tokens(void)
{
    auth_policy p;
    err e = { 0 };
    CHECK(auth_policy_init(&p, NULL, true, "127.0.0.1", &e) == 0 && !p.token_set);
    CHECK(!auth_token_matches(&p, "anything"));
    CHECK(auth_policy_init(&p, NULL, false, "0.0.0.0", &e) == ERR_INVALID && strstr(e.msg, "without a token"));
    CHECK(auth_policy_init(&p, "", false, "0.0.0.0", &e) == ERR_INVALID);
    CHECK(auth_policy_init(&p, "fifteen-chars-x", false, "0.0.0.0", &e) == ERR_INVALID);
    CHECK(auth_policy_init(&p, "sixteen chars ok", false, "0.0.0.0", &e) == ERR_INVALID); /* a space */
    CHECK(auth_policy_init(&p, "sixteen-chars-ok;", false, "0.0.0.0", &e) == ERR_INVALID);
    CHECK(auth_policy_init(&p, "sixteen-chars-ok", false, "0.0.0.0", &e) == 0 && p.token_set);
    CHECK(auth_token_matches(&p, "sixteen-chars-ok"));
    CHECK(!auth_token_matches(&p, "sixteen-chars-o"));
    CHECK(!auth_token_matches(&p, "sixteen-chars-okk"));
    CHECK(!auth_token_matches(&p, "Sixteen-chars-ok"));
    CHECK(!auth_token_matches(&p, ""));
    CHECK(!auth_token_matches(&p, NULL));
    CHECK(auth_bearer("Bearer abc") && strcmp(auth_bearer("Bearer abc"), "abc") == 0);
    CHECK(auth_bearer("bearer  abc") && strcmp(auth_bearer("bearer  abc"), "abc") == 0);
    CHECK(auth_bearer("Basic abc") == NULL && auth_bearer("Bearer ") == NULL && auth_bearer(NULL) == NULL);
}

static void test_hosts(void)
{
    CHECK(auth_host_is_loopback("127.0.0.1:8001") && auth_host_is_loopback("localhost") &&
          auth_host_is_loopback("LOCALHOST:80") && auth_host_is_loopback("[::1]:8001") &&
          auth_host_is_loopback("127.9.9.9"));
    CHECK(!auth_host_is_loopback("evil.example:8001") && !auth_host_is_loopback("localhost.evil.example") &&
          !auth_host_is_loopback("127.0.0.1.evil.example") && !auth_host_is_loopback("10.0.0.1") &&
          !auth_host_is_loopback("") && !auth_host_is_loopback(NULL) && !auth_host_is_loopback("[::1"));
    CHECK(auth_origin_matches("http://127.0.0.1:8001", "127.0.0.1:8001"));
    CHECK(auth_origin_matches("https://archive.example", "archive.example"));
    CHECK(!auth_origin_matches("http://127.0.0.1:8002", "127.0.0.1:8001"));
    CHECK(!auth_origin_matches("http://evil.example", "127.0.0.1:8001"));
    CHECK(!auth_origin_matches("null", "127.0.0.1:8001"));
    CHECK(!auth_origin_matches("http://127.0.0.1:8001", NULL));
}

static void test_assets(void)
{
    const review_asset *a = assets_find("index.html");
    CHECK(a && a->size > 0 && strcmp(a->content_type, "text/html; charset=utf-8") == 0);
    CHECK(a && memmem(a->data, a->size, "<html", 5) != NULL);
    CHECK(assets_find("") == NULL && assets_find("../index.html") == NULL && assets_find("nope.js") == NULL);
    for (size_t i = 0; i < review_assets_count; i++) {
        const review_asset *x = &review_assets[i];
        CHECK_MSG(assets_find(x->path) == x, "%s", x->path);
        if (strstr(x->path, ".js"))
            CHECK_MSG(strncmp(x->content_type, "text/javascript", 15) == 0, "%s: %s", x->path, x->content_type);
        if (strstr(x->path, ".css"))
            CHECK_MSG(strncmp(x->content_type, "text/css", 8) == 0, "%s: %s", x->path, x->content_type);
    }
}

static void test_cache(void)
{
    char db[600];
    snprintf(db, sizeof db, "%s/catalog.sqlite", test_tmpdir("review_parts"));
    err e = { 0 };
    catalog *c = catalog_open(db, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return;
    respcache *rc = respcache_open(db, 3600, &e);
    CHECK_MSG(rc != NULL, "%s", e.msg);
    if (!rc) {
        catalog_close(c);
        return;
    }
    uint64_t v;
    CHECK(respcache_get(rc, "/a", &v) == NULL);
    respcache_put(rc, "/a", v, "[1,2,3]", 7);
    uint64_t v2;
    respcache_blob *b = respcache_get(rc, "/a", &v2);
    CHECK(b && v2 == v && respcache_blob_len(b) == 7 && memcmp(respcache_blob_data(b), "[1,2,3]", 7) == 0);
    size_t gl;
    CHECK(b && respcache_blob_gzip(b, &gl) == NULL); /* too small to compress */
    /* peek: a current small answer is given with or without gzip; a key never
     * stored is not, and peeking does not make the caller its computer */
    respcache_blob *p = respcache_peek(rc, "/a", true);
    CHECK(p == b);
    if (p)
        respcache_blob_release(p);
    CHECK(respcache_peek(rc, "/none", false) == NULL);
    CHECK(respcache_get(rc, "/none", &v2) == NULL); /* not waiting for anybody */
    respcache_abandon(rc, "/none");
    /* a commit on another connection makes every entry stale */
    sqlite3_exec(catalog_sqlite(c), "INSERT INTO persons (name) VALUES ('x')", NULL, NULL, NULL);
    CHECK(respcache_get(rc, "/a", &v2) == NULL && v2 != v);
    respcache_abandon(rc, "/a");
    /* the blob handed out before stays valid until released */
    CHECK(b && memcmp(respcache_blob_data(b), "[1,2,3]", 7) == 0);
    respcache_blob_release(b);
    /* an answer computed under an older version is not stored */
    respcache_put(rc, "/a", v, "old", 3);
    CHECK(respcache_get(rc, "/a", &v2) == NULL);
    /* big answers get a gzip twin when first asked for (the same one after);
     * the size cap evicts the least recently used */
    char big[900];
    memset(big, 'a', sizeof big);
    respcache_put(rc, "/a", v2, big, sizeof big);
    /* a big one goes out from peek only once its gzip copy is made (or when
     * the client takes no gzip) */
    p = respcache_peek(rc, "/a", true);
    CHECK(p == NULL);
    p = respcache_peek(rc, "/a", false);
    CHECK(p != NULL && respcache_blob_len(p) == sizeof big);
    if (p)
        respcache_blob_release(p);
    b = respcache_get(rc, "/a", &v2);
    const char *gz = b ? respcache_blob_gzip(b, &gl) : NULL;
    p = respcache_peek(rc, "/a", true);
    CHECK(p == b);
    if (p)
        respcache_blob_release(p);
    CHECK(gz && gl > 18 && gl < sizeof big && memcmp(gz, "\x1f\x8b", 2) == 0); /* a gzip member */
    size_t gl2;
    CHECK(b && respcache_blob_gzip(b, &gl2) == gz && gl2 == gl);
    respcache_blob_release(b);
    CHECK(respcache_get(rc, "/b", &v2) == NULL);
    respcache_put(rc, "/b", v2, big, sizeof big);
    CHECK(respcache_get(rc, "/c", &v2) == NULL);
    respcache_put(rc, "/c", v2, big, sizeof big);
    CHECK(respcache_get(rc, "/d", &v2) == NULL);
    respcache_put(rc, "/d", v2, big, sizeof big);
    CHECK(respcache_get(rc, "/e", &v2) == NULL);
    respcache_put(rc, "/e", v2, big, sizeof big); /* 5 x 900 > 3600: "/a" goes */
    b = respcache_get(rc, "/a", &v2);
    CHECK(b == NULL);
    if (b)
        respcache_blob_release(b);
    else
        respcache_abandon(rc, "/a");
    b = respcache_get(rc, "/d", &v2);
    CHECK(b != NULL);
    respcache_blob_release(b);
    /* "/b" is the oldest now, but a hit makes it the most recent: "/c" goes
     * next, then "/e" ("/d" was read above) */
    b = respcache_peek(rc, "/b", false);
    CHECK(b != NULL);
    respcache_blob_release(b);
    CHECK(respcache_get(rc, "/f", &v2) == NULL);
    respcache_put(rc, "/f", v2, big, sizeof big);
    b = respcache_peek(rc, "/c", false);
    CHECK(b == NULL);
    b = respcache_peek(rc, "/b", false);
    CHECK(b != NULL);
    respcache_blob_release(b);
    CHECK(respcache_get(rc, "/g", &v2) == NULL);
    respcache_put(rc, "/g", v2, big, sizeof big);
    b = respcache_peek(rc, "/e", false);
    CHECK(b == NULL);
    const char *kept[] = { "/b", "/d", "/f", "/g" };
    for (size_t i = 0; i < 4; i++) {
        b = respcache_peek(rc, kept[i], false);
        CHECK_MSG(b != NULL, "%s should be kept", kept[i]);
        if (b)
            respcache_blob_release(b);
    }
    respcache_close(rc);
    catalog_close(c);
}

/* ---- the workers' queue ---------------------------------------------------- */

typedef struct order_log {
    pthread_mutex_t lock;
    int seen[64];
    int n;
} order_log;

typedef struct order_job {
    order_log *log;
    int no;
} order_job;

static void log_job(void *arg)
{
    order_job *j = arg;
    pthread_mutex_lock(&j->log->lock);
    j->log->seen[j->log->n++] = j->no;
    pthread_mutex_unlock(&j->log->lock);
}

static void test_workq(void)
{
    /* one worker runs jobs in the order they came, and stop runs every job
     * queued before it returns */
    order_log log = { .lock = PTHREAD_MUTEX_INITIALIZER };
    order_job jobs[64];
    err e = { 0 };
    workq *q = workq_start(1, &e);
    CHECK_MSG(q != NULL, "%s", e.msg);
    if (!q)
        return;
    for (int i = 0; i < 64; i++) {
        jobs[i] = (order_job){ .log = &log, .no = i };
        CHECK(workq_submit(q, log_job, &jobs[i]));
    }
    workq_stop(q);
    CHECK(log.n == 64);
    bool in_order = true;
    for (int i = 0; i < log.n; i++)
        in_order = in_order && log.seen[i] == i;
    CHECK(in_order);

    /* several workers: every job runs exactly once */
    order_log many = { .lock = PTHREAD_MUTEX_INITIALIZER };
    q = workq_start(4, &e);
    CHECK_MSG(q != NULL, "%s", e.msg);
    if (!q)
        return;
    for (int i = 0; i < 64; i++) {
        jobs[i] = (order_job){ .log = &many, .no = i };
        CHECK(workq_submit(q, log_job, &jobs[i]));
    }
    workq_stop(q);
    int count[64] = { 0 };
    for (int i = 0; i < many.n; i++)
        count[many.seen[i]]++;
    bool once = many.n == 64;
    for (int i = 0; i < 64; i++)
        once = once && count[i] == 1;
    CHECK(once);
    workq_stop(NULL);
}

int main(void)
{
    test_bind();
    test_tokens();
    test_hosts();
    test_assets();
    test_cache();
    test_workq();
    return test_main_end();
}
