/* catalog_checks.h — the read-only queries behind the consistency checks
 * (annotate/checks.h): the faces of each person with descriptor, estimated age
 * and the date of their photo, and the names given or suggested for each
 * person. Nothing here writes. Errors as everywhere in the catalog (catalog.h). */
#ifndef FACETAG_STORE_CATALOG_CHECKS_H
#define FACETAG_STORE_CATALOG_CHECKS_H

#include "core/error.h"
#include "core/hash.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct catalog_check_face {
    int64_t face_id, person_id;
    char photo_id[PHOTO_ID_LEN + 1];
    int face_no;
    bool has_embedding;
    float embedding[128];
    bool has_age;
    double age;     /* estimated by analyze */
    int year;       /* of the photo's date (annotate's date, else taken_at); 0 unknown */
    char date[32];  /* that date as stored ("1977-02", "1977-02-14T10:00:00"), "" unknown */
    bool confirmed; /* a person confirmed this face in this person */
} catalog_check_face;

/* Every face of its photo's current analysis (catalog_query.h:
 * CATALOG_CURRENT_CTE) that is in a person that is not hidden, ordered
 * by person, photo, face id. *out malloc'd (free()), *n set; an empty catalog
 * gives n == 0. A decade date counts as its middle year. ERR_FORMAT for an
 * embedding that is not 512 bytes. */
int catalog_checks_faces(catalog *c, catalog_check_face **out, size_t *n, err *e);

typedef struct catalog_check_name {
    int64_t person_id;
    char *label;       /* the name as given */
    double confidence; /* 1 for a name a person gave */
    char source[16];   /* "name" (persons.name), else the suggestion's source */
} catalog_check_name;

/* The names of persons that are not hidden and have faces: each person's given
 * name, and every suggestion that is not rejected (open or accepted), by
 * person. Free with catalog_checks_names_free. */
int catalog_checks_names(catalog *c, catalog_check_name **out, size_t *n, err *e);
void catalog_checks_names_free(catalog_check_name *names, size_t n);

#endif
