/* people_list.h — the persons as `facetag people` shows them: each person with
 * faces of one model version, its face and photo counts, name and open name
 * suggestions, and the count of faces in no person. */
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
    int64_t faces;    /* faces of the model version in this person */
    int64_t photos;   /* distinct photos among them */
    char **suggested; /* open suggestions (person_suggestions), best first */
    size_t nsuggested;
} people_entry;

typedef struct people_list {
    char model_version[96];
    people_entry *persons; /* by faces, then photos (both descending), then id */
    size_t n;
    int64_t unassigned; /* faces of the model version in no person */
    int64_t faces;      /* faces of the model version */
} people_list;

/* Loads the list for model_version (NULL: the current one, people_store_model).
 * An empty catalog gives an empty list. Free with people_list_free. */
int people_list_load(catalog *c, const char *model_version, people_list *out, err *e);
void people_list_free(people_list *l);

#endif
