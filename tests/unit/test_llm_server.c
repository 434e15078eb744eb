/* test_llm_server.c — the LLM client (annotate/llm.h) against llama.cpp's real
 * llama-server on loopback (built by scripts/setup-llama.sh, cached per
 * machine, `make llama`) serving a tiny GGUF with random weights: the
 * OpenAI protocol and the JSON-schema-constrained output are real, the text is
 * noise. The server runs with --no-jinja: the tiny model has no chat template,
 * so the server falls back to ChatML, and its Jinja path would put ChatML's
 * "<|im_start|>" into the answer grammar, which a byte-only vocabulary cannot
 * start ("Failed to initialize samplers"); a real model brings its template.
 * Three questions (two persons, one event), two at a time: each answer
 * passes the schema check in C, and a value is marked supported only when it
 * occurs in the evidence (random text never does: flagged, not applied); every
 * answer is cached. Asked again, all come from the cache and nothing is sent.
 * With the server stopped, the cached question is still answered, a new one
 * gets one clear error line ("cannot connect"), the next fails at once with
 * the same line, and nothing crashes or is cached. */
#include "annotate/llm.h"
#include "llm_fixtures.h"
#include "store/catalog.h"
#include "store/catalog_llm.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The llama cache folder, after scripts/setup-llama.sh made sure it is built. */
static int llama_cache(char *out, size_t size)
{
    const char *src = getenv("FACETAG_SRC");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s/scripts/setup-llama.sh'", src ? src : ".");
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    out[0] = '\0';
    char line[2048];
    while (fgets(line, sizeof line, p))
        snprintf(out, size, "%s", line);
    int rc = pclose(p);
    out[strcspn(out, "\n")] = '\0';
    return rc == 0 && out[0];
}

static void test_llama_server(const char *dir)
{
    char cache[2048], server[2300], model[2300], log[1100], url[128], health[160];
    if (!llama_cache(cache, sizeof cache)) {
        CHECK_MSG(0, "scripts/setup-llama.sh failed: llama-server is needed for this test");
        return;
    }
    snprintf(server, sizeof server, "%s/bin/llama-server", cache);
    snprintf(model, sizeof model, "%s/tiny.gguf", cache);
    snprintf(log, sizeof log, "%s/llama-server.log", dir);
    /* --port 0: llama-server binds a free port itself and logs it */
    char *argv[] = { server,  "-m",  model, "--host", "127.0.0.1", "--port",     "0", "-c",
                     "16384", "-np", "2",   "-t",     "2",         "--no-jinja", NULL };
    pid_t pid = spawn(argv, log);
    int port = pid > 0 ? log_port(log, "listening on http://127.0.0.1:", 600, pid) : -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    snprintf(health, sizeof health, "%s/health", url);
    CHECK_MSG(port > 0 && wait_ready(health, 200, 600, pid), "llama-server did not start; see %s", log);

    char catpath[1100];
    snprintf(catpath, sizeof catpath, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *cat = catalog_open(catpath, &e);
    CHECK_MSG(cat != NULL, "%s", e.msg);
    if (!cat) {
        stop(pid);
        return;
    }
    llm_config cfg = { .url = url,
                       .model = "tiny",
                       /* 10 minutes: the two answers cost about 18 CPU-seconds on
                          2 threads; on a loaded machine (ASan suite, other jobs)
                          120 s once ran out, and a timeout here is a failure */
                       .timeout_ms = 600000,
                       .retries = 1,
                       .backoff_ms = 200,
                       .concurrency = 2,
                       .max_tokens = 1500 };
    llm_client *c = llm_client_new(&cfg, cat, &e);
    CHECK(c != NULL);
    llm_evidence qs[2] = { person, event };
    llm_result r[2];
    CHECK_MSG(llm_ask(c, qs, 2, r, &e) == 0, "%s", e.msg);
    for (int i = 0; i < 2; i++) {
        CHECK_MSG(r[i].status == LLM_ANSWERED, "question %d: %s", i, r[i].error);
        CHECK(!r[i].cached && r[i].attempts >= 1);
        /* random weights: whatever the text, it passed validation, and a value
         * is only marked supported when it really occurs in the evidence */
        CHECK(r[i].name.confidence >= 0 && r[i].name.confidence <= 1);
        CHECK(r[i].name.supported == (llm_value_in_evidence(r[i].name.value, &qs[i]) == 1));
        fprintf(stderr, "llama-server answer %d: name '%.40s' (%s), date '%s'\n", i, r[i].name.value,
                r[i].name.supported ? "in the evidence" : "not in the evidence: flagged", r[i].date.value);
    }
    CHECK(catalog_llm_cache_count(cat, &e) == 2);

    /* asked again: every answer from the cache, nothing sent */
    llm_result again[2];
    CHECK(llm_ask(c, qs, 2, again, &e) == 0);
    for (int i = 0; i < 2; i++) {
        CHECK(again[i].status == LLM_ANSWERED && again[i].cached && again[i].attempts == 0);
        CHECK(strcmp(again[i].name.value, r[i].name.value) == 0 && strcmp(again[i].date.value, r[i].date.value) == 0);
    }
    llm_client_free(c);

    /* server stopped: the cache still answers; a new question gets one line */
    stop(pid);
    c = llm_client_new(&cfg, cat, &e);
    llm_evidence_item extra_item = { "1990/x.txt", "Someone new, 1990" };
    llm_evidence mixed[3] = { person, { "person", "99", &extra_item, 1 }, { "event", "98", &extra_item, 1 } };
    llm_result down[3];
    CHECK(llm_ask(c, mixed, 3, down, &e) == 0);
    CHECK(down[0].status == LLM_ANSWERED && down[0].cached);
    CHECK(down[1].status == LLM_NO_ANSWER && one_line(down[1].error) && strstr(down[1].error, "cannot connect") &&
          strstr(down[1].error, url));
    CHECK(down[2].status == LLM_NO_ANSWER && strcmp(down[2].error, down[1].error) == 0);
    CHECK(down[1].attempts <= 2 && down[2].attempts <= 2); /* retries = 1 */
    llm_evidence_item late_item = { "1991/y.txt", "Another one, 1991" };
    llm_evidence late = { "person", "97", &late_item, 1 };
    llm_result after;
    CHECK(llm_ask(c, &late, 1, &after, &e) == 0);
    CHECK(after.status == LLM_NO_ANSWER && after.attempts == 0 && strcmp(after.error, down[1].error) == 0);
    /* once found down, the client asks no more */
    fprintf(stderr, "server down: %s\n", down[1].error);
    CHECK(catalog_llm_cache_count(cat, &e) == 2);
    llm_client_free(c);
    catalog_close(cat);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("llm-server"));
    test_llama_server(dir);
    test_rmtree(dir);
    curl_global_cleanup();
    return test_main_end();
}
