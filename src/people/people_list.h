/* people_list.h — the persons as `facetag people` shows them: each person with
 * faces in the current analyses, its face and photo counts, name and open name
 * suggestions, and the count of faces in no person. The counts are those of
 * GET /api/persons: both count the faces of each photo's current analysis
 * (store/catalog_query.h), also while an archive is half re-analysed. */
#ifndef FACETAG_PEOPLE_PEOPLE_LIST_H
#define FACETAG_PEOPLE_PEOPLE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/catalog.h"

typedef struct people_entry {
    int64_t id;
    char *name; /* NULL when unnamed */
    bool hidden;
    int64_t faces;    /* counted faces in this person */
    int64_t photos;   /* distinct photos among them */
    char **suggested; /* open suggestions (person_suggestions), best first */
    size_t nsuggested;
} people_entry;

typedef struct people_list {
    char model_version[CATALOG_MODEL_VERSION_LEN]; /* given, else the newest (people_store_model) */
    people_entry *persons;                         /* by faces, then photos (both descending), then id */
    size_t n;
    int64_t unassigned; /* counted faces in no person */
    int64_t faces;      /* counted faces */
} people_list;

/* Loads the list over the faces of model_version, or (NULL) of each photo's
 * current analysis; then model_version is reported as people_store_model's.
 * An empty catalog gives an empty list. Free with people_list_free. */
int people_list_load(catalog *c, const char *model_version, people_list *out, err *e);
void people_list_free(people_list *l);

#endif
