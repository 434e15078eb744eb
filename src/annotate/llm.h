/* llm.h — asking a language model behind any OpenAI-compatible
 * `/v1/chat/completions` server (llama.cpp's llama-server, vLLM, Ollama,
 * MLX-LM, OpenAI) who a person is, or what/when/where an event was, from the
 * archive's own words.
 *
 * The model gets the evidence (caption texts, each with its source) and must
 * answer in one JSON shape, enforced on the server by `response_format:
 * {type: json_schema}` and checked again here, field by field (llm_answer_parse):
 *
 *   {"name":  {"value": "...", "confidence": 0..100},
 *    "event": {"value": "...", "confidence": 0..100},
 *    "date":  {"value": "YYYY" | "YYYY-MM" | "YYYY-MM-DD" | "", "confidence": 0..100},
 *    (values at most 64 characters, the reason at most 160, years 1000-2099)
 *    "place": {"value": "...", "confidence": 0..100},
 *    "reason": "..."}
 *
 * An empty value means "the evidence does not say". Nothing the model says is
 * trusted blindly: an answer that breaks the shape is no answer; a name, place
 * or year that occurs nowhere in the evidence is kept but flagged
 * (supported = false) so the caller does not apply it. The model only ever
 * produces these values: it never writes SQL or Cypher.
 *
 * Answers are cached in the catalog by the SHA-256 of the request (model +
 * messages + schema): asking again sends nothing. Requests run at most
 * `concurrency` at a time, each with a timeout, and transient failures
 * (connection refused, timeout, HTTP 429/5xx) are retried with exponential
 * backoff. When the server is down, times out or answers something malformed
 * the result is "no answer" with one line saying why (llm_result.error); the
 * caller keeps the rules' result. After the server was found unreachable, the
 * remaining requests of the client fail at once with the same line. */
#ifndef FACETAG_ANNOTATE_LLM_H
#define FACETAG_ANNOTATE_LLM_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>

/* One piece of evidence: where it was read (a path, "caption of 1977/x.jpg",
 * "album.txt of 1977/") and the text itself. Both borrowed. */
typedef struct llm_evidence_item {
    const char *source;
    const char *text;
} llm_evidence_item;

/* What to ask about: kind "person" or "event", an id for the prompt ("17"),
 * and the evidence. All borrowed. */
typedef struct llm_evidence {
    const char *kind;
    const char *id;
    const llm_evidence_item *items;
    size_t n;
} llm_evidence;

/* One answered field. value "" = the model says the evidence does not tell;
 * confidence 0..1; supported = the value (each of its words, an initial
 * matching a word's first letter; for a date its year) occurs in the evidence.
 * An empty value is never supported. */
typedef struct llm_field {
    char value[272]; /* 64 characters of up to 4 bytes */
    double confidence;
    bool supported;
} llm_field;

typedef enum llm_status {
    LLM_ANSWERED = 0, /* the fields below hold a schema-valid answer */
    LLM_NO_ANSWER = 1 /* error says why; keep the rules' result */
} llm_status;

typedef struct llm_result {
    llm_status status;
    llm_field name, event, date, place;
    char reason[672]; /* 160 characters of up to 4 bytes */
    bool cached;      /* answered from the catalog's cache: nothing was sent */
    int attempts;     /* HTTP requests made for it (0 when cached or skipped) */
    char error[512];  /* when LLM_NO_ANSWER: one line naming the server and the reason */
} llm_result;

typedef struct llm_config {
    const char *url;     /* base URL ("http://127.0.0.1:8080", ".../v1") or the full
                           * ".../chat/completions" endpoint */
    const char *model;   /* the "model" field of the request */
    const char *api_key; /* sent as "Authorization: Bearer KEY"; NULL: none */
    int timeout_ms;      /* per request, connect included; 0 = 120000 */
    int retries;         /* extra tries for transient failures; <0 = 2 */
    int backoff_ms;      /* first retry's wait, doubled each time; 0 = 500 */
    int concurrency;     /* requests in flight at once; 0 = 2 */
    int max_tokens;      /* 0 = 512 */
} llm_config;

typedef struct llm_client llm_client;

/* The API key of the environment: $FACETAG_LLM_KEY, else $OPENAI_API_KEY, else
 * NULL. Borrowed from the environment. */
const char *llm_env_api_key(void);

/* A client for cfg (strings copied). cache may be NULL (no caching); when
 * given it must outlive the client and is used only from the calling thread.
 * ERR_INVALID when url or model is empty or the url is not http(s). Free with
 * llm_client_free. */
llm_client *llm_client_new(const llm_config *cfg, catalog *cache, err *e);
void llm_client_free(llm_client *c);

/* The endpoint requests go to, for messages; owned by c. */
const char *llm_client_endpoint(const llm_client *c);

/* Asks about each of ev[0..n) and fills out[0..n): from the cache when there,
 * else from the server (at most cfg.concurrency at a time); every valid answer
 * is cached. Each out[i] is either LLM_ANSWERED or LLM_NO_ANSWER with its
 * error line: a server that is down is not an error of this call.
 * Returns 0, or <0 with e set only when the cache itself fails (catalog error)
 * or memory runs out. */
int llm_ask(llm_client *c, const llm_evidence *ev, size_t n, llm_result *out, err *e);

/* ---- the parts, for tests ------------------------------------------------ */

/* The JSON schema of an answer (a static string). */
const char *llm_answer_schema(void);

/* Validates the model's answer text against the schema and fills r's fields
 * (status LLM_ANSWERED); the supported flags are computed against ev.
 * ERR_FORMAT with a message saying which field is wrong otherwise (r then
 * untouched but for status LLM_NO_ANSWER). */
int llm_answer_parse(const char *text, const llm_evidence *ev, llm_result *r, err *e);

/* 1 when every word of value (letters and digits; a one-letter word or an
 * initial "P." matches the first letter of a word) occurs in one of the
 * evidence texts, compared without case and accents; 0 otherwise (and for an
 * empty value). */
int llm_value_in_evidence(const char *value, const llm_evidence *ev);

#endif
