/* graph_utf8.h — UTF-8 decoding for the exporters, which must hand Neo4j
 * Unicode text while paths in the catalog are bytes. */
#ifndef FACETAG_GRAPH_GRAPH_UTF8_H
#define FACETAG_GRAPH_GRAPH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the well-formed UTF-8 sequence at s (n bytes available)
 * with its code point in *cp, or 0 when s does not start one (overlong forms,
 * surrogates and values past U+10FFFF are not well-formed). */
size_t graph_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

#endif
