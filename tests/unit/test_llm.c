/* test_llm.c — the LLM client (annotate/llm.h) against real servers on loopback:
 *
 *  - llama.cpp's llama-server (built by scripts/setup-llama.sh, cached per
 *    machine) serving a tiny GGUF with random weights: the protocol and the
 *    JSON-schema-constrained output are real, the text is noise. A schema-valid
 *    answer is parsed and cached; asked again, it comes from the cache; with
 *    the server stopped, cached questions are still answered and a new one gets
 *    one clear error line, and no crash.
 *  - tests/unit/data/llm_fake_server.py, a real python3 http.server on
 *    loopback that misbehaves (malformed content, wrong shape, a body that is
 *    not JSON, too slow, 503 twice, 401 without the key): each gives "no
 *    answer" with a line saying why, retries with backoff get through the 503s,
 *    and the API key from the environment is sent as a Bearer token.
 *  - the validation of answers and the evidence check, without a server. */
#include "annotate/llm.h"
#include "store/catalog.h"
#include "store/catalog_llm.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const llm_evidence_item person_items[] = {
    {"1977/Probe_Wuppertal/IMG_0001.txt", "Paul Bremer bei der Probe, Wuppertal, Februar 1977. Foto: K. Weiss"},
    {"1977/Probe_Wuppertal/IMG_0002.txt", "v.l.n.r.: Paul Bremer, Jürgen Müller-Lüdenscheidt"},
    {"1978/Tokyo/album.txt", "Gastspiel Tokyo 1978"},
};
static const llm_evidence person = {"person", "17", person_items, 3};

static const llm_evidence_item event_items[] = {
    {"1975/Premiere_Paris/album.txt", "Premiere in Paris, 12 June 1975"},
    {"1975/Premiere_Paris/img_01.txt", "After the premiere: the company on stage"},
};
static const llm_evidence event = {"event", "3", event_items, 2};

static const llm_evidence_item other_items[] = {
    {"1980/box 4/scan_0007.txt", "Rehearsal in Lyon, summer 1980, with A. Novak"},
};
static const llm_evidence other = {"person", "21", other_items, 1};

/* ---- without a server ------------------------------------------------------ */

static void test_evidence_match(void)
{
    CHECK(llm_value_in_evidence("Paul Bremer", &person) == 1);
    CHECK(llm_value_in_evidence("P. Bremer", &person) == 1);        /* an initial matches a word's first letter */
    CHECK(llm_value_in_evidence("bremer, paul", &person) == 1);     /* case and order */
    CHECK(llm_value_in_evidence("Jurgen Muller", &person) == 1);    /* accents folded */
    CHECK(llm_value_in_evidence("JÜRGEN MÜLLER", &person) == 1);
    CHECK(llm_value_in_evidence("Wuppertal", &person) == 1);
    CHECK(llm_value_in_evidence("Pina Bausch", &person) == 0);      /* nowhere in the evidence */
    CHECK(llm_value_in_evidence("Paul Bausch", &person) == 0);      /* one word missing is enough */
    CHECK(llm_value_in_evidence("Bre", &person) == 0);              /* a word is a whole word */
    CHECK(llm_value_in_evidence("", &person) == 0);
    CHECK(llm_value_in_evidence("Probe Wuppertal", &person) == 1);  /* the source path counts too */
}

static void test_answer_parse(void)
{
    llm_result r;
    err e = {0};
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
        "\"date\":{\"value\":\"1977-13\",\"confidence\":0},\"place\":{\"value\":\"\",\"confidence\":0},\"reason\":\"\"}",
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
        err be = {0};
        CHECK_MSG(llm_answer_parse(broken[i], &person, &r, &be) == ERR_FORMAT, "broken[%zu] accepted", i);
        CHECK(r.status == LLM_NO_ANSWER && be.msg[0] != '\0' && strchr(be.msg, '\n') == NULL);
    }
}

static void test_config(void)
{
    err e = {0};
    llm_config cfg = {.url = "ftp://x", .model = "m"};
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

/* ---- servers on loopback --------------------------------------------------- */

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static pid_t spawn(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p, (void)u;
    return s * n;
}

/* HTTP status of GET url, 0 when nothing answers. */
static long http_status(const char *url)
{
    CURL *h = curl_easy_init();
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return status;
}

/* Waits up to seconds for url to answer with want (or any status when want 0). */
static int wait_ready(const char *url, long want, int seconds, pid_t pid)
{
    for (int i = 0; i < seconds * 10; i++) {
        long s = http_status(url);
        if (s && (!want || s == want))
            return 1;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return 0;
        usleep(100000);
    }
    return 0;
}

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

static int one_line(const char *s)
{
    return s[0] != '\0' && strchr(s, '\n') == NULL;
}

static void test_llama_server(const char *dir)
{
    char cache[2048], server[2300], model[2300], log[1100], url[128], health[160], port_s[16];
    if (!llama_cache(cache, sizeof cache)) {
        CHECK_MSG(0, "scripts/setup-llama.sh failed: llama-server is needed for this test");
        return;
    }
    snprintf(server, sizeof server, "%s/bin/llama-server", cache);
    snprintf(model, sizeof model, "%s/tiny.gguf", cache);
    snprintf(log, sizeof log, "%s/llama-server.log", dir);
    int port = free_port();
    snprintf(port_s, sizeof port_s, "%d", port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    snprintf(health, sizeof health, "%s/health", url);
    char *argv[] = {server, "-m", model, "--host", "127.0.0.1", "--port", port_s, "-c", "16384", "-np", "2",
                    "-t", "2", NULL};
    pid_t pid = spawn(argv, log);
    CHECK_MSG(pid > 0 && wait_ready(health, 200, 120, pid), "llama-server did not start; see %s", log);

    char catpath[1100];
    snprintf(catpath, sizeof catpath, "%s/catalog.sqlite", dir);
    err e = {0};
    catalog *cat = catalog_open(catpath, &e);
    CHECK_MSG(cat != NULL, "%s", e.msg);
    if (!cat) {
        stop(pid);
        return;
    }
    llm_config cfg = {.url = url, .model = "tiny", .timeout_ms = 120000, .retries = 1, .backoff_ms = 200,
                      .concurrency = 2, .max_tokens = 1500};
    llm_client *c = llm_client_new(&cfg, cat, &e);
    CHECK(c != NULL);
    llm_evidence qs[3] = {person, event, other};
    llm_result r[3];
    CHECK_MSG(llm_ask(c, qs, 3, r, &e) == 0, "%s", e.msg);
    for (int i = 0; i < 3; i++) {
        CHECK_MSG(r[i].status == LLM_ANSWERED, "question %d: %s", i, r[i].error);
        CHECK(!r[i].cached && r[i].attempts >= 1);
        /* random weights: whatever the text, it passed validation, and a value
         * is only marked supported when it really occurs in the evidence */
        CHECK(r[i].name.confidence >= 0 && r[i].name.confidence <= 1);
        CHECK(r[i].name.supported == (llm_value_in_evidence(r[i].name.value, &qs[i]) == 1));
        fprintf(stderr, "llama-server answer %d: name '%.40s' (%s), date '%s'\n", i, r[i].name.value,
                r[i].name.supported ? "in the evidence" : "not in the evidence: flagged", r[i].date.value);
    }
    CHECK(catalog_llm_cache_count(cat, &e) == 3);

    /* asked again: every answer from the cache, nothing sent */
    llm_result again[3];
    CHECK(llm_ask(c, qs, 3, again, &e) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK(again[i].status == LLM_ANSWERED && again[i].cached && again[i].attempts == 0);
        CHECK(strcmp(again[i].name.value, r[i].name.value) == 0 && strcmp(again[i].date.value, r[i].date.value) == 0);
    }
    llm_client_free(c);

    /* server stopped: the cache still answers; a new question gets one line */
    stop(pid);
    c = llm_client_new(&cfg, cat, &e);
    llm_evidence_item extra_item = {"1990/x.txt", "Someone new, 1990"};
    llm_evidence mixed[3] = {person, {"person", "99", &extra_item, 1}, {"event", "98", &extra_item, 1}};
    llm_result down[3];
    CHECK(llm_ask(c, mixed, 3, down, &e) == 0);
    CHECK(down[0].status == LLM_ANSWERED && down[0].cached);
    CHECK(down[1].status == LLM_NO_ANSWER && one_line(down[1].error) && strstr(down[1].error, "cannot connect") &&
          strstr(down[1].error, url));
    CHECK(down[2].status == LLM_NO_ANSWER && strcmp(down[2].error, down[1].error) == 0);
    CHECK(down[1].attempts + down[2].attempts <= 2 + 1); /* once down, the rest fail at once */
    fprintf(stderr, "server down: %s\n", down[1].error);
    CHECK(catalog_llm_cache_count(cat, &e) == 3);
    llm_client_free(c);
    catalog_close(cat);
}

static void test_fake_server(const char *dir)
{
    const char *src = getenv("FACETAG_SRC");
    char script[2048], log[1100], port_s[16], base[64], url[128];
    snprintf(script, sizeof script, "%s/tests/unit/data/llm_fake_server.py", src ? src : ".");
    snprintf(log, sizeof log, "%s/fake-server.log", dir);
    int port = free_port();
    snprintf(port_s, sizeof port_s, "%d", port);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    char *argv[] = {"python3", script, port_s, NULL};
    pid_t pid = spawn(argv, log);
    snprintf(url, sizeof url, "%s/ready", base);
    CHECK_MSG(pid > 0 && wait_ready(url, 0, 30, pid), "the fake server did not start; see %s", log);

    char catpath[1100];
    snprintf(catpath, sizeof catpath, "%s/fake.sqlite", dir);
    err e = {0};
    catalog *cat = catalog_open(catpath, &e);
    struct {
        const char *path, *expect;
        int timeout_ms, retries;
    } cases[] = {
        {"malformed", "malformed answer: answer is not JSON", 5000, 1},
        {"wrongshape", "does not fit the schema", 5000, 1},
        {"notjson", "the response is not JSON", 5000, 1},
        {"slow", "timeout", 1000, 0},
        {"auth", "HTTP 401: invalid api key", 5000, 1},
    };
    unsetenv("FACETAG_LLM_KEY");
    unsetenv("OPENAI_API_KEY");
    for (size_t i = 0; cat && i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(url, sizeof url, "%s/%s", base, cases[i].path);
        llm_config cfg = {.url = url, .model = "fake", .timeout_ms = cases[i].timeout_ms, .retries = cases[i].retries,
                          .backoff_ms = 50, .api_key = llm_env_api_key()};
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
    llm_config cfg = {.url = url, .model = "fake", .timeout_ms = 5000, .retries = 2, .backoff_ms = 50};
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
    llm_config acfg = {.url = url, .model = "fake", .timeout_ms = 5000, .retries = 0, .api_key = llm_env_api_key()};
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
    test_llama_server(dir);
    test_rmtree(dir);
    curl_global_cleanup();
    return test_main_end();
}
