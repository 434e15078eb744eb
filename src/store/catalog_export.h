/* catalog_export.h — the rows of the JSON export (annotate/export.h): photos
 * with their annotation, the faces of each photo's current analysis with their
 * person, name suggestions, events and places. Each function calls fn once per
 * row in the stated order; fn returns non-zero to stop (that value is
 * returned); 0 or a negative errcode with e set otherwise. Strings passed to fn
 * live until fn returns; NULL for SQL NULL. */
#ifndef FACETAG_STORE_CATALOG_EXPORT_H
#define FACETAG_STORE_CATALOG_EXPORT_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct catalog_export_photo {
    const char *photo_id;
    int width, height;
    const char *taken_at, *taken_at_source;
    const char *date_value, *date_precision, *date_source;
    bool date_inferred;
    int64_t place_id, event_id; /* 0: none */
    const char *place_source;
    const char *caption;
} catalog_export_photo;
/* photo_id order */
typedef int (*catalog_export_photo_fn)(const catalog_export_photo *p, void *ud);
int catalog_export_each_photo(catalog *c, catalog_export_photo_fn fn, void *ud, err *e);

typedef struct catalog_export_face {
    int64_t id;
    const char *photo_id;
    int face_no;
    double box[4], score;
    int64_t person_id;       /* 0: none */
    const char *person_name; /* the name people gave the person, NULL */
    const char *status;      /* unreviewed, confirmed, rejected */
} catalog_export_face;
/* Faces of each photo's current analysis (rejected ones too); photo_id, face_no order. */
typedef int (*catalog_export_face_fn)(const catalog_export_face *f, void *ud);
int catalog_export_each_face(catalog *c, catalog_export_face_fn fn, void *ud, err *e);

/* Open and accepted suggestions of persons (face_id 0) and faces (person_id 0),
 * best first per owner. */
typedef int (*catalog_export_suggestion_fn)(int64_t person_id, int64_t face_id, const char *label, double confidence,
                                            const char *source, const char *evidence, const char *status, void *ud);
int catalog_export_each_suggestion(catalog *c, catalog_export_suggestion_fn fn, void *ud, err *e);

/* Persons that have faces (id order) with face and photo counts. */
typedef int (*catalog_export_person_fn)(int64_t id, const char *name, bool hidden, int64_t faces, int64_t photos,
                                        void *ud);
int catalog_export_each_person(catalog *c, catalog_export_person_fn fn, void *ud, err *e);

typedef int (*catalog_export_event_fn)(int64_t id, const char *name, const char *date_value, const char *date_precision,
                                       int64_t place_id, const char *source, int64_t photos, void *ud);
int catalog_export_each_event(catalog *c, catalog_export_event_fn fn, void *ud, err *e);

typedef int (*catalog_export_place_fn)(int64_t id, const char *name, const char *country, int64_t geonames_id,
                                       bool has_coords, double lat, double lon, const char *source, void *ud);
int catalog_export_each_place(catalog *c, catalog_export_place_fn fn, void *ud, err *e);

#endif
