/* graph_jsontext.h — JSON written as text into a growing buffer, for the
 * graph's and the timeline's largest answers: no tree of JSON objects built
 * and freed per request. Strings are escaped (quotes, backslashes, control
 * characters); bytes that are not well-formed UTF-8 become U+FFFD. */
#ifndef FACETAG_GRAPH_GRAPH_JSONTEXT_H
#define FACETAG_GRAPH_GRAPH_JSONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jsontext {
    char *s; /* NUL-terminated; the caller takes it with jsontext_take */
    size_t len, cap;
    bool nomem; /* an append failed: the text is incomplete */
} jsontext;

/* Appends raw text (already JSON). */
void jsontext_raw(jsontext *t, const char *s);
/* Appends s as a JSON string, or null when s is NULL. */
void jsontext_string(jsontext *t, const char *s);
void jsontext_int(jsontext *t, int64_t v);
/* The text (malloc'd, *len set) or NULL when out of memory; t is emptied. */
char *jsontext_take(jsontext *t, size_t *len);

#endif
