/* people_constraints.h — what people decided about a set of faces
 * (store/people_store.h), turned into the constraints of a clustering
 * (cluster/constraints.h): photo groups, pins as confirmed persons, rejections
 * of those persons. Pure computation, no catalog access. */
#ifndef FACETAG_PEOPLE_PEOPLE_CONSTRAINTS_H
#define FACETAG_PEOPLE_PEOPLE_CONSTRAINTS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/constraints.h"
#include "core/error.h"
#include "store/people_store.h"

/* The constraints (cluster/constraints.h) for the faces rows[0..m) of s (the
 * rows of a clustering, in that order): photo groups, pins as confirmed
 * persons, rejections of those persons. Arrays owned by *out until
 * people_constraints_free. Errors: ERR_NOMEM. */
typedef struct people_constraints {
    constraints c;
    int32_t *photo, *person;
    constraint_reject *reject;
    int64_t *person_ids; /* dense person number -> person id */
    size_t npersons;
} people_constraints;
int people_constraints_make(const people_set *s, const uint32_t *rows, size_t m, people_constraints *out, err *e);
void people_constraints_free(people_constraints *pc);

#endif
