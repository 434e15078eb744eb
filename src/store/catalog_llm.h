/* catalog_llm.h — the catalog's cache of language-model answers (table
 * llm_cache, schema version 5), keyed by the SHA-256 hex of the request.
 * Errors as everywhere in the catalog (catalog.h). */
#ifndef FACETAG_STORE_CATALOG_LLM_H
#define FACETAG_STORE_CATALOG_LLM_H

#include "core/error.h"
#include "store/catalog.h"

/* 1 and *answer (malloc'd, caller frees) when key is cached, 0 when not
 * (*answer NULL). ERR_INVALID when key is not 64 characters. */
int catalog_llm_cache_get(catalog *c, const char *key, char **answer, err *e);

/* Stores (or replaces) the answer for key; answer must be valid JSON
 * (ERR_INVALID otherwise). */
int catalog_llm_cache_put(catalog *c, const char *key, const char *model, const char *answer, err *e);

/* Number of cached answers, or <0 on error. */
long long catalog_llm_cache_count(catalog *c, err *e);

#endif
