/* llm.c — the OpenAI-compatible chat client of llm.h: prompt, request with a
 * JSON-schema response_format, bounded parallel HTTP (libcurl, one easy handle
 * per worker thread), retries with backoff, validation of the answer, and the
 * catalog cache by request hash. */
#include "annotate/llm.h"
#include "annotate/textfold.h"
#include "core/hash.h"
#include "store/catalog_llm.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Evidence sent per question: enough for hundreds of captions, bounded so one
 * person with 10,000 photos does not build a prompt larger than any context. */
#define LLM_MAX_EVIDENCE_ITEMS 200
#define LLM_MAX_EVIDENCE_CHARS 400
#define LLM_MAX_BODY (8u << 20) /* a larger response is not an answer */

static const char answer_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,"
    "\"required\":[\"name\",\"event\",\"date\",\"place\",\"reason\"],"
    "\"properties\":{"
    "\"name\":{\"$ref\":\"#/$defs/text\"},"
    "\"event\":{\"$ref\":\"#/$defs/text\"},"
    "\"date\":{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"value\",\"confidence\"],"
    "\"properties\":{\"value\":{\"type\":\"string\","
    "\"pattern\":\"^((1[0-9]|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$\"},"
    "\"confidence\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100}}},"
    "\"place\":{\"$ref\":\"#/$defs/text\"},"
    "\"reason\":{\"type\":\"string\",\"maxLength\":160}},"
    "\"$defs\":{\"text\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"required\":[\"value\",\"confidence\"],"
    "\"properties\":{\"value\":{\"type\":\"string\",\"maxLength\":64},"
    "\"confidence\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100}}}}}";

static const char system_prompt[] =
    "You help an archivist annotate a photo archive. You get the evidence the archive itself holds "
    "about one person (the captions, folder names and album notes of the photos the person appears in) "
    "or about one event (of its photos). Answer with the person's name, the event, the date and the place "
    "that the evidence supports, each with a confidence from 0 to 100, and a short reason naming the "
    "evidence. Use only names, places and dates that occur in the evidence; a name that occurs in the "
    "captions of nearly every photo of the archive (the photographer's, say) names nobody. When the "
    "evidence does not tell, answer an empty value with confidence 0. Dates as YYYY, YYYY-MM or YYYY-MM-DD.";

struct llm_client {
    char *endpoint, *model, *auth_header;
    int timeout_ms, retries, backoff_ms, concurrency, max_tokens;
    catalog *cache;
    pthread_mutex_t lock;
    int down;           /* the server was unreachable: later requests fail at once */
    char down_msg[512]; /* ... with this line */
};

const char *llm_answer_schema(void)
{
    return answer_schema;
}

const char *llm_env_api_key(void)
{
    const char *k = getenv("FACETAG_LLM_KEY");
    if (!k || !*k)
        k = getenv("OPENAI_API_KEY");
    return k && *k ? k : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

llm_client *llm_client_new(const llm_config *cfg, catalog *cache, err *e)
{
    if (!cfg->url || !*cfg->url)
        return err_set(e, ERR_INVALID, "llm: no server URL given (--llm URL)"), NULL;
    if (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)
        return err_set(e, ERR_INVALID, "llm: '%s' is not an http:// or https:// URL", cfg->url), NULL;
    if (!cfg->model || !*cfg->model)
        return err_set(e, ERR_INVALID, "llm: no model name given (--llm-model NAME)"), NULL;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init_once);
    llm_client *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "llm: out of memory"), NULL;
    /* the base URL, ".../v1" or the full endpoint */
    size_t n = strlen(cfg->url);
    while (n > 0 && cfg->url[n - 1] == '/')
        n--;
    char *base = strndup(cfg->url, n);
    const char *tail = "/v1/chat/completions";
    if (base && ends_with(base, "/chat/completions"))
        tail = "";
    else if (base && ends_with(base, "/v1"))
        tail = "/chat/completions";
    if (base && asprintf(&c->endpoint, "%s%s", base, tail) < 0)
        c->endpoint = NULL;
    free(base);
    c->model = strdup(cfg->model);
    if (cfg->api_key && *cfg->api_key && asprintf(&c->auth_header, "Authorization: Bearer %s", cfg->api_key) < 0)
        c->auth_header = NULL;
    if (!c->endpoint || !c->model || (cfg->api_key && *cfg->api_key && !c->auth_header)) {
        llm_client_free(c);
        return err_set(e, ERR_NOMEM, "llm: out of memory"), NULL;
    }
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 120000;
    c->retries = cfg->retries >= 0 ? cfg->retries : 2;
    c->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 500;
    c->concurrency = cfg->concurrency > 0 ? cfg->concurrency : 2;
    c->max_tokens = cfg->max_tokens > 0 ? cfg->max_tokens : 512;
    c->cache = cache;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void llm_client_free(llm_client *c)
{
    if (!c)
        return;
    free(c->endpoint);
    free(c->model);
    free(c->auth_header);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const char *llm_client_endpoint(const llm_client *c)
{
    return c->endpoint;
}

/* ---- matching values against the evidence -------------------------------- */

static int word_in_text(const char *word, const char *text, int initial)
{
    char *buf = malloc(3 * strlen(text) + 2);
    if (!buf)
        return 0;
    size_t nw = textfold_words(text, buf), wl = strlen(word);
    int found = 0;
    const char *w = buf;
    for (size_t i = 0; i < nw && !found; i++, w += strlen(w) + 1)
        found = initial ? strncmp(w, word, wl) == 0 : strcmp(w, word) == 0;
    free(buf);
    return found;
}

int llm_value_in_evidence(const char *value, const llm_evidence *ev)
{
    if (!value || !*value || !ev)
        return 0;
    char *buf = malloc(3 * strlen(value) + 2);
    if (!buf)
        return 0;
    size_t nw = textfold_words(value, buf);
    int all = nw > 0;
    const char *w = buf;
    for (size_t i = 0; i < nw && all; i++, w += strlen(w) + 1) {
        int initial = strlen(w) == 1 && !(w[0] >= '0' && w[0] <= '9');
        int found = 0;
        for (size_t k = 0; k < ev->n && !found; k++)
            found = (ev->items[k].text && word_in_text(w, ev->items[k].text, initial)) ||
                    (ev->items[k].source && word_in_text(w, ev->items[k].source, initial));
        all = found;
    }
    free(buf);
    return all;
}

/* The year of a date answer occurs in the evidence, as digits anywhere
 * ("19770214_003.jpg" counts). */
static int year_in_evidence(const char *date, const llm_evidence *ev)
{
    if (strlen(date) < 4)
        return 0;
    char year[5];
    memcpy(year, date, 4);
    year[4] = '\0';
    for (size_t k = 0; k < ev->n; k++)
        if ((ev->items[k].text && strstr(ev->items[k].text, year)) ||
            (ev->items[k].source && strstr(ev->items[k].source, year)))
            return 1;
    return 0;
}

/* ---- validating an answer ------------------------------------------------ */

/* Copies src into dst (size > 0), cut at a character boundary when too long. */
static void copy_utf8(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int bad(err *e, const char *what)
{
    return err_set(e, ERR_FORMAT, "answer does not fit the schema: %s", what);
}

static int parse_field(json_t *root, const char *key, int is_date, llm_field *f, err *e)
{
    char what[128];
    json_t *o = json_object_get(root, key);
    if (!json_is_object(o)) {
        snprintf(what, sizeof what, "\"%s\" is missing or not an object", key);
        return bad(e, what);
    }
    json_t *v = json_object_get(o, "value"), *c = json_object_get(o, "confidence");
    if (json_object_size(o) != 2 || !json_is_string(v) || !json_is_integer(c)) {
        snprintf(what, sizeof what, "\"%s\" must be {\"value\": string, \"confidence\": integer}", key);
        return bad(e, what);
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    json_int_t conf = json_integer_value(c);
    if (conf < 0 || conf > 100) {
        snprintf(what, sizeof what, "\"%s\".confidence %lld is not within 0..100", key, (long long)conf);
        return bad(e, what);
    }
    if (strlen(s) != len || len >= sizeof f->value) {
        snprintf(what, sizeof what, "\"%s\".value is longer than %zu bytes or holds a NUL", key, sizeof f->value - 1);
        return bad(e, what);
    }
    if (is_date && len) {
        int ok = len == 4 || len == 7 || len == 10;
        for (size_t i = 0; ok && i < len; i++)
            ok = (i == 4 || i == 7) ? s[i] == '-' : s[i] >= '0' && s[i] <= '9';
        if (ok && len >= 7) {
            int month = (s[5] - '0') * 10 + (s[6] - '0');
            ok = month >= 1 && month <= 12;
        }
        if (ok && len == 10) {
            int day = (s[8] - '0') * 10 + (s[9] - '0');
            ok = day >= 1 && day <= 31;
        }
        if (!ok) {
            snprintf(what, sizeof what, "\"date\".value '%.20s' is not YYYY, YYYY-MM or YYYY-MM-DD", s);
            return bad(e, what);
        }
    }
    memcpy(f->value, s, len + 1);
    for (size_t i = 0; i < len; i++) /* a tab or newline in a value is a space */
        if ((unsigned char)f->value[i] < 0x20 || f->value[i] == 0x7F)
            f->value[i] = ' ';
    f->confidence = (double)conf / 100.0;
    return 0;
}

int llm_answer_parse(const char *text, const llm_evidence *ev, llm_result *r, err *e)
{
    r->status = LLM_NO_ANSWER;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!root)
        return err_set(e, ERR_FORMAT, "answer is not JSON (%s at character %d)", je.text, je.position);
    llm_result tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = bad(e, "not an object");
    } else if (json_object_size(root) != 5) {
        rc = bad(e, "it must have exactly name, event, date, place and reason");
    } else {
        rc = parse_field(root, "name", 0, &tmp.name, e);
        if (!rc)
            rc = parse_field(root, "event", 0, &tmp.event, e);
        if (!rc)
            rc = parse_field(root, "date", 1, &tmp.date, e);
        if (!rc)
            rc = parse_field(root, "place", 0, &tmp.place, e);
        json_t *why = json_object_get(root, "reason");
        if (!rc && (!json_is_string(why) || strlen(json_string_value(why)) != json_string_length(why)))
            rc = bad(e, "\"reason\" must be a string");
        if (!rc) {
            copy_utf8(tmp.reason, sizeof tmp.reason, json_string_value(why));
            for (char *p = tmp.reason; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7F)
                    *p = ' ';
        }
    }
    json_decref(root);
    if (rc)
        return rc;
    tmp.name.supported = llm_value_in_evidence(tmp.name.value, ev);
    tmp.event.supported = llm_value_in_evidence(tmp.event.value, ev);
    tmp.place.supported = llm_value_in_evidence(tmp.place.value, ev);
    tmp.date.supported = ev && year_in_evidence(tmp.date.value, ev);
    tmp.status = LLM_ANSWERED;
    tmp.cached = r->cached;
    tmp.attempts = r->attempts;
    *r = tmp;
    return 0;
}

/* ---- the request ----------------------------------------------------------- */

static json_t *user_message(const llm_evidence *ev)
{
    json_t *items = json_array();
    size_t n = ev->n < LLM_MAX_EVIDENCE_ITEMS ? ev->n : LLM_MAX_EVIDENCE_ITEMS;
    for (size_t i = 0; items && i < n; i++) {
        const char *t = ev->items[i].text ? ev->items[i].text : "";
        size_t len = strlen(t);
        if (len > LLM_MAX_EVIDENCE_CHARS) { /* cut at a character boundary */
            len = LLM_MAX_EVIDENCE_CHARS;
            while (len > 0 && ((unsigned char)t[len] & 0xC0) == 0x80)
                len--;
        }
        json_t *o = json_object();
        json_object_set_new(o, "source", json_string(ev->items[i].source ? ev->items[i].source : ""));
        json_object_set_new(o, "text", json_stringn(t, len));
        json_array_append_new(items, o);
    }
    json_t *u = json_object();
    json_object_set_new(u, "about", json_string(ev->kind ? ev->kind : "person"));
    json_object_set_new(u, "id", json_string(ev->id ? ev->id : ""));
    if (ev->n > n)
        json_object_set_new(u, "evidence_left_out", json_integer((json_int_t)(ev->n - n)));
    json_object_set_new(u, "evidence", items);
    char *text = json_dumps(u, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref(u);
    if (!text)
        return NULL;
    json_t *m = json_pack("{s:s,s:s}", "role", "user", "content", text);
    free(text);
    return m;
}

/* The request body (malloc'd JSON text) and its cache key. */
static char *request_body(const llm_client *c, const llm_evidence *ev, char key[HASH_SHA256_HEX_LEN + 1])
{
    json_error_t je;
    json_t *schema = json_loads(answer_schema, 0, &je);
    json_t *user = user_message(ev);
    json_t *body = schema && user
                       ? json_pack("{s:s,s:[{s:s,s:s},o],s:f,s:i,s:i,s:{s:s,s:{s:s,s:b,s:o}}}", "model", c->model,
                                   "messages", "role", "system", "content", system_prompt, user, "temperature", 0.0,
                                   "seed", 42, "max_tokens", c->max_tokens, "response_format", "type", "json_schema",
                                   "json_schema", "name", "facetag_annotation", "strict", 1, "schema", schema)
                       : NULL;
    if (!body) {
        json_decref(schema);
        json_decref(user);
        return NULL;
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text)
        return NULL;
    /* the key covers what decides the answer: the endpoint is left out, so the
     * same model behind another address reuses it */
    if (hash_sha256_hex(text, strlen(text), key, NULL) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* ---- HTTP ------------------------------------------------------------------ */

typedef struct buf {
    char *data;
    size_t len, cap;
    int too_big;
} buf;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    buf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n + 1 > LLM_MAX_BODY) {
        b->too_big = 1;
        return 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The "content" of the first choice, from a chat completion response body;
 * NULL with why set when the body is not one. */
static char *completion_content(const char *body, char *why, size_t whysize)
{
    json_error_t je;
    json_t *root = json_loads(body, 0, &je);
    if (!root) {
        snprintf(why, whysize, "the response is not JSON (%s at character %d)", je.text, je.position);
        return NULL;
    }
    json_t *content =
        json_object_get(json_object_get(json_array_get(json_object_get(root, "choices"), 0), "message"), "content");
    char *out = NULL;
    if (json_is_string(content))
        out = strdup(json_string_value(content));
    else
        snprintf(why, whysize, "the response has no choices[0].message.content string");
    json_decref(root);
    return out;
}

/* Short text of an HTTP error body ({"error": {"message": ...}} or the start of it). */
static void error_body(const char *body, char *out, size_t size)
{
    json_t *root = body ? json_loads(body, 0, NULL) : NULL;
    json_t *err_o = json_object_get(root, "error");
    json_t *msg = json_is_object(err_o) ? json_object_get(err_o, "message") : err_o;
    if (json_is_string(msg))
        snprintf(out, size, "%.200s", json_string_value(msg));
    else
        snprintf(out, size, "%.120s", body ? body : "");
    json_decref(root);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* One question over HTTP with retries; fills r (content in *content on
 * success, malloc'd). Thread-safe. */
static void ask_server(llm_client *c, CURL *h, const char *body, llm_result *r, char **content)
{
    *content = NULL;
    pthread_mutex_lock(&c->lock);
    int down = c->down;
    if (down)
        snprintf(r->error, sizeof r->error, "%s", c->down_msg);
    pthread_mutex_unlock(&c->lock);
    if (down) {
        r->status = LLM_NO_ANSWER;
        return;
    }
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->auth_header)
        hdr = curl_slist_append(hdr, c->auth_header);
    long wait = c->backoff_ms;
    char why[400] = "";
    int unreachable = 0;
    for (int attempt = 0; attempt <= c->retries; attempt++) {
        if (attempt) {
            sleep_ms(wait);
            wait *= 2;
        }
        buf b = { 0 };
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, c->endpoint);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->timeout_ms < 10000 ? c->timeout_ms : 10000));
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_USERAGENT, "facetag");
        r->attempts++;
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        int transient = 0;
        unreachable = 0;
        if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
            snprintf(why, sizeof why, "cannot connect (%s): is the server running?", curl_easy_strerror(cc));
            transient = unreachable = 1;
        } else if (cc == CURLE_OPERATION_TIMEDOUT) {
            snprintf(why, sizeof why, "no answer within %d ms (timeout)", c->timeout_ms);
            transient = 1;
        } else if (cc == CURLE_WRITE_ERROR && b.too_big) {
            snprintf(why, sizeof why, "the response is larger than %u bytes", LLM_MAX_BODY);
        } else if (cc != CURLE_OK) {
            snprintf(why, sizeof why, "%s", curl_easy_strerror(cc));
            transient = cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR;
        } else if (status != 200) {
            char msg[256];
            error_body(b.data, msg, sizeof msg);
            snprintf(why, sizeof why, "HTTP %ld%s%s", status, *msg ? ": " : "", msg);
            transient = status == 429 || status >= 500;
        } else {
            *content = completion_content(b.data ? b.data : "", why, sizeof why);
        }
        free(b.data);
        if (*content || !transient)
            break;
    }
    curl_slist_free_all(hdr);
    if (*content)
        return;
    r->status = LLM_NO_ANSWER;
    snprintf(r->error, sizeof r->error, "llm: %.150s: %.280s%s; keeping the rules' result", c->endpoint, why,
             r->attempts > 1 ? " (after retries)" : "");
    if (unreachable) {
        pthread_mutex_lock(&c->lock);
        if (!c->down) {
            c->down = 1;
            snprintf(c->down_msg, sizeof c->down_msg, "%s", r->error);
        }
        pthread_mutex_unlock(&c->lock);
    }
}

/* ---- many questions, bounded concurrency --------------------------------- */

typedef struct job {
    llm_client *c;
    const llm_evidence *ev;
    llm_result *out;
    char **bodies;  /* NULL where answered from the cache */
    char **answers; /* validated answer text to cache, per question */
    size_t n, next;
    pthread_mutex_t lock;
} job;

static void answer_one(job *j, CURL *h, size_t i)
{
    char *content = NULL;
    llm_result *r = &j->out[i];
    ask_server(j->c, h, j->bodies[i], r, &content);
    if (!content)
        return;
    err e = { 0 };
    if (llm_answer_parse(content, &j->ev[i], r, &e) != 0) {
        snprintf(r->error, sizeof r->error, "llm: %.150s: malformed answer: %.280s; keeping the rules' result",
                 j->c->endpoint, e.msg);
        free(content);
        return;
    }
    j->answers[i] = content;
}

static void *worker(void *arg)
{
    job *j = arg;
    CURL *h = curl_easy_init();
    for (;;) {
        pthread_mutex_lock(&j->lock);
        while (j->next < j->n && !j->bodies[j->next])
            j->next++;
        size_t i = j->next < j->n ? j->next++ : j->n;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n)
            break;
        if (!h) {
            j->out[i].status = LLM_NO_ANSWER;
            snprintf(j->out[i].error, sizeof j->out[i].error, "llm: cannot start libcurl");
            continue;
        }
        answer_one(j, h, i);
    }
    curl_easy_cleanup(h);
    return NULL;
}

int llm_ask(llm_client *c, const llm_evidence *ev, size_t n, llm_result *out, err *e)
{
    job j = { .c = c, .ev = ev, .out = out, .n = n };
    j.bodies = calloc(n ? n : 1, sizeof *j.bodies);
    j.answers = calloc(n ? n : 1, sizeof *j.answers);
    if (!j.bodies || !j.answers) {
        free(j.bodies);
        free(j.answers);
        return err_set(e, ERR_NOMEM, "llm: out of memory");
    }
    char(*keys)[HASH_SHA256_HEX_LEN + 1] = calloc(n ? n : 1, sizeof *keys);
    int rc = keys ? 0 : err_set(e, ERR_NOMEM, "llm: out of memory");
    size_t to_send = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].status = LLM_NO_ANSWER;
        j.bodies[i] = request_body(c, &ev[i], keys[i]);
        if (!j.bodies[i]) {
            rc = err_set(e, ERR_NOMEM, "llm: out of memory building a request");
            break;
        }
        char *cached = NULL;
        int hit = c->cache ? catalog_llm_cache_get(c->cache, keys[i], &cached, e) : 0;
        if (hit < 0) {
            rc = hit;
            break;
        }
        if (hit) {
            out[i].cached = true;
            err pe = { 0 };
            if (llm_answer_parse(cached, &ev[i], &out[i], &pe) == 0) {
                free(j.bodies[i]);
                j.bodies[i] = NULL;
            } else {
                out[i].cached = false; /* a cache row that no longer validates: ask again */
            }
            free(cached);
        }
        to_send += j.bodies[i] != NULL;
    }
    if (rc == 0 && to_send) {
        pthread_mutex_init(&j.lock, NULL);
        int nt = c->concurrency < (int)to_send ? c->concurrency : (int)to_send;
        pthread_t *th = calloc((size_t)nt, sizeof *th);
        int started = 0;
        for (int t = 0; th && t < nt; t++)
            if (pthread_create(&th[t], NULL, worker, &j) == 0)
                started++;
        if (started == 0)
            worker(&j);
        for (int t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        free(th);
        pthread_mutex_destroy(&j.lock);
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (j.answers[i] && c->cache)
                rc = catalog_llm_cache_put(c->cache, keys[i], c->model, j.answers[i], e);
    }
    for (size_t i = 0; i < n; i++) {
        free(j.bodies[i]);
        free(j.answers[i]);
    }
    free(j.bodies);
    free(j.answers);
    free(keys);
    return rc;
}
