/* test_llm.c — the LLM client (annotate/llm.h) against a misbehaving server on
 * loopback, and its validation without a server (test_llm_server.c runs it
 * against llama.cpp's real llama-server):
 *
 *  - tests/unit/data/llm_fake_server.py, a real python3 http.server on
 *    loopback that misbehaves (malformed content, wrong shape, a body that is
 *    not JSON, too slow, 503 twice, 401 without the key): each gives "no
 *    answer" with a line saying why, retries with backoff get through the 503s,
 *    and the API key from the environment is sent as a Bearer token.
 *  - the validation of answers and the evidence check, without a server. */
#include "annotate/llm.h"
#include "llm_fixtures.h"
#include "store/catalog.h"
#include "store/catalog_llm.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- without a server ------------------------------------------------------ */

static void test_evidence_match(void)
{
    CHECK(llm_value_in_evidence("Paul Bremer", &person) == 1);
    CHECK(llm_value_in_evidence("P. Bremer", &person) == 1);     /* an initial matches a word's first letter */
    CHECK(llm_value_in_evidence("bremer, paul", &person) == 1);  /* case and order */
    CHECK(llm_value_in_evidence("Jurgen Muller", &person) == 1); /* accents folded */
    CHECK(llm_value_in_evidence("JÜRGEN MÜLLER", &person) == 1);
    CHECK(llm_value_in_evidence("Wuppertal", &person) == 1);
    CHECK(llm_value_in_evidence("Pina Bausch", &person) == 0); /* nowhere in the evidence */
    CHECK(llm_value_in_evidence("Paul Bausch", &person) == 0); /* one word missing is enough */
    CHECK(llm_value_in_evidence("Bre", &person) == 0);         /* a word is a whole word */
    CHECK(llm_value_in_evidence("", &person) == 0);
    CHECK(llm_value_in_evidence("Probe Wuppertal", &person) == 1); /* the source path counts too */
}

static void test_answer_parse(void)
{
    llm_result r;
    err e = { 0 };
    memset(&r, 0, sizeof r);
    const char *ok = "{\"name\":{\"value\":\"P. Bremer\",\"confidence\":85},"
                     "\"event\":{\"value\":\"\",\"confidence\":0},"
                     "\"date\":{\"value\":\"1977-02\",\"confidence\":70},"
                     "\"place\":{\"value\":\"Tokyo\",\"confidence\":40},\"reason\":\"two captions\\nname him\"}";
    CHECK_MSG(llm_answer_parse(ok, &person, &r, &e) == 0, "%s", e.msg);
    CHECK(r.status == LLM_ANSWERED);
    CHECK(strcmp(r.name.value, "P. Bremer") == 0 && r.name.confidence > 0.84 && r.name.confidence < 0.86);
    CHECK(r.name.supported && r.date.supported && r.place.supported && !r.event.supported);
    CHECK(strcmp(r.reason, "two captions name him") == 0); /* a newline becomes a space */

    const char *invented = "{\"name\":{\"value\":\"Pina Bausch\",\"confidence\":99},"
                           "\"event\":{\"value\":\"\",\"confidence\":0},"
                           "\"date\":{\"value\":\"1991\",\"confidence\":70},"
                           "\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\"}";
    CHECK(llm_answer_parse(invented, &person, &r, &e) == 0);
    CHECK(r.status == LLM_ANSWERED && !r.name.supported && !r.date.supported); /* flagged, not applied */

    static const char *const broken[] = {
        "The person is Paul Bremer.",
        "[1,2]",
        "{\"name\":{\"value\":\"A\",\"confidence\":150},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\"}",
        "{\"name\":{\"value\":\"A\",\"confidence\":0.5},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\"}",
        "{\"name\":{\"value\":\"A\",\"confidence\":5},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"1977-13\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":"
        "\"\"}",
        "{\"name\":{\"value\":\"A\",\"confidence\":5},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0}}",
        "{\"name\":{\"value\":\"A\",\"confidence\":5},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\","
        "\"sql\":\"DROP TABLE persons\"}",
        "{\"name\":{\"value\":\"A\\u0000B\",\"confidence\":5},\"event\":{\"value\":\"\",\"confidence\":0},"
        "\"date\":{\"value\":\"\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\"}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        memset(&r, 0, sizeof r);
        err be = { 0 };
        CHECK_MSG(llm_answer_parse(broken[i], &person, &r, &be) == ERR_FORMAT, "broken[%zu] accepted", i);
        CHECK(r.status == LLM_NO_ANSWER && be.msg[0] != '\0' && strchr(be.msg, '\n') == NULL);
    }
}

static void test_config(void)
{
    err e = { 0 };
    llm_config cfg = { .url = "ftp://x", .model = "m" };
    CHECK(llm_client_new(&cfg, NULL, &e) == NULL && e.code == ERR_INVALID);
    cfg.url = "http://127.0.0.1:9/v1";
    cfg.model = "";
    CHECK(llm_client_new(&cfg, NULL, &e) == NULL && e.code == ERR_INVALID && strstr(e.msg, "--llm-model"));
    cfg.model = "m";
    llm_client *c = llm_client_new(&cfg, NULL, &e);
    CHECK(c && strcmp(llm_client_endpoint(c), "http://127.0.0.1:9/v1/chat/completions") == 0);
    llm_client_free(c);
    cfg.url = "http://127.0.0.1:9/";
    c = llm_client_new(&cfg, NULL, &e);
    CHECK(c && strcmp(llm_client_endpoint(c), "http://127.0.0.1:9/v1/chat/completions") == 0);
    llm_client_free(c);
    cfg.url = "https://example.invalid/api/chat/completions";
    c = llm_client_new(&cfg, NULL, &e);
    CHECK(c && strcmp(llm_client_endpoint(c), "https://example.invalid/api/chat/completions") == 0);
    llm_client_free(c);
}

static void test_fake_server(const char *dir)
{
    const char *src = getenv("FACETAG_SRC");
    char script[2048], log[1100], base[64], url[128];
    snprintf(script, sizeof script, "%s/tests/unit/data/llm_fake_server.py", src ? src : ".");
    snprintf(log, sizeof log, "%s/fake-server.log", dir);
    char *argv[] = { "python3", script, "0", NULL }; /* port 0: it binds one and names it */
    pid_t pid = spawn(argv, log);
    int port = pid > 0 ? log_port(log, "ready on port ", 30, pid) : -1;
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    snprintf(url, sizeof url, "%s/ready", base);
    CHECK_MSG(port > 0 && wait_ready(url, 0, 30, pid), "the fake server did not start; see %s", log);

    char catpath[1100];
    snprintf(catpath, sizeof catpath, "%s/fake.sqlite", dir);
    err e = { 0 };
    catalog *cat = catalog_open(catpath, &e);
    /* 30 s where an answer is expected: on a loaded machine (ASan, 2 cores) a
       late answer must not become a timeout, which would be retried */
    struct {
        const char *path, *expect;
        int timeout_ms, retries;
    } cases[] = {
        { "malformed", "malformed answer: answer is not JSON", 30000, 1 },
        { "wrongshape", "does not fit the schema", 30000, 1 },
        { "notjson", "the response is not JSON", 30000, 1 },
        { "slow", "timeout", 1000, 0 },
        { "auth", "HTTP 401: invalid api key", 30000, 1 },
    };
    unsetenv("FACETAG_LLM_KEY");
    unsetenv("OPENAI_API_KEY");
    for (size_t i = 0; cat && i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(url, sizeof url, "%s/%s", base, cases[i].path);
        llm_config cfg = { .url = url,
                           .model = "fake",
                           .timeout_ms = cases[i].timeout_ms,
                           .retries = cases[i].retries,
                           .backoff_ms = 50,
                           .api_key = llm_env_api_key() };
        llm_client *c = llm_client_new(&cfg, cat, &e);
        llm_result r;
        CHECK(c && llm_ask(c, &person, 1, &r, &e) == 0);
        CHECK_MSG(r.status == LLM_NO_ANSWER && one_line(r.error) && strstr(r.error, cases[i].expect) &&
                      strstr(r.error, "keeping the rules' result"),
                  "%s: '%s'", cases[i].path, r.error);
        CHECK(r.attempts == 1); /* a malformed answer, a 401 or a timeout without retries: asked once */
        fprintf(stderr, "%s: %s\n", cases[i].path, r.error);
        llm_client_free(c);
    }
    CHECK(cat && catalog_llm_cache_count(cat, &e) == 0); /* nothing of that was cached */

    /* 503 twice, then an answer: retried with backoff */
    snprintf(url, sizeof url, "%s/flaky", base);
    llm_config cfg = { .url = url, .model = "fake", .timeout_ms = 30000, .retries = 2, .backoff_ms = 50 };
    llm_client *c = llm_client_new(&cfg, cat, &e);
    llm_result r;
    CHECK(c && llm_ask(c, &person, 1, &r, &e) == 0);
    CHECK_MSG(r.status == LLM_ANSWERED && r.attempts == 3, "flaky: %s (%d attempts)", r.error, r.attempts);
    CHECK(strcmp(r.name.value, "Anna Keller") == 0 && !r.name.supported); /* not in the evidence: flagged */
    CHECK(strcmp(r.place.value, "Wuppertal") == 0 && r.place.supported && r.date.supported);
    llm_client_free(c);

    /* the key from the environment goes out as a Bearer token */
    setenv("FACETAG_LLM_KEY", "test-key-123", 1);
    snprintf(url, sizeof url, "%s/auth", base);
    llm_config acfg = { .url = url, .model = "fake", .timeout_ms = 30000, .retries = 0, .api_key = llm_env_api_key() };
    c = llm_client_new(&acfg, cat, &e);
    CHECK(c && llm_ask(c, &other, 1, &r, &e) == 0);
    CHECK_MSG(r.status == LLM_ANSWERED, "auth: %s", r.error);
    llm_client_free(c);
    unsetenv("FACETAG_LLM_KEY");
    CHECK(cat && catalog_llm_cache_count(cat, &e) == 2);
    catalog_close(cat);
    stop(pid);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_evidence_match();
    test_answer_parse();
    test_config();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("llm"));
    test_fake_server(dir);
    test_rmtree(dir);
    curl_global_cleanup();
    return test_main_end();
}
