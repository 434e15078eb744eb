/* graph_jsontext.h — JSON written as text into a growing buffer, for the
 * graph's and the timeline's answers: no tree of JSON objects built and freed
 * per request. What it writes is byte for byte what jansson's
 * json_dumps(JSON_COMPACT) writes for the same values (the rest of the API
 * answers through jansson): strings escaped as jansson escapes them (\" \\ \b
 * \f \n \r \t, other control characters as \u00XX), reals as jansson prints
 * them (17 significant digits). Bytes that are not well-formed UTF-8, which
 * jansson refuses, become U+FFFD. */
#ifndef FACETAG_GRAPH_GRAPH_JSONTEXT_H
#define FACETAG_GRAPH_GRAPH_JSONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct jsontext {
    char *s; /* NUL-terminated; the caller takes it with jsontext_take */
    size_t len, cap;
    bool nomem; /* an append failed: the text is incomplete */
} jsontext;

/* Appends n bytes when there is no room for them (the slow path of
 * jsontext_rawn). */
void jsontext_grow_put(jsontext *t, const char *s, size_t n);

/* Appends n bytes of raw text (already JSON: another jsontext's, say).
 * Inline: an answer is written in hundreds of short pieces. */
static inline void jsontext_rawn(jsontext *t, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL then (an empty jsontext's text) */
        return;
    if (t->len + n < t->cap && !t->nomem) {
        memcpy(t->s + t->len, s, n);
        t->len += n;
        t->s[t->len] = '\0';
    } else {
        jsontext_grow_put(t, s, n);
    }
}

/* Appends raw text (already JSON); a literal's length is known when this is
 * compiled. */
static inline void jsontext_raw(jsontext *t, const char *s)
{
    jsontext_rawn(t, s, strlen(s));
}
/* Appends s as a JSON string, or null when s is NULL. */
void jsontext_string(jsontext *t, const char *s);
void jsontext_int(jsontext *t, int64_t v);
/* A real as jansson's json_real prints it ("34.0", "17.399999999999999");
 * null for NaN and infinities, which JSON cannot hold (jansson refuses them). */
void jsontext_real(jsontext *t, double v);
/* The text (malloc'd, *len set) or NULL when out of memory; t is emptied. */
char *jsontext_take(jsontext *t, size_t *len);

#endif
