/* catalog_annotate.h — what the annotate stage reads from and writes to the
 * catalog (schema migrations 4 and 5): photos with their sources, sidecars and
 * camera dates; the faces of each photo's current analysis with their persons;
 * people's names and decisions on suggestions; and, written back, each photo's
 * date/place/event (photo_annotations), places, events, and name suggestions
 * for persons (person_suggestions) and for faces of no person
 * (face_suggestions).
 *
 * Reading calls fn once per row, in the order stated; fn returns non-zero to
 * stop (that value is returned). Writing functions expect the caller's
 * transaction (catalog_begin) so a whole run lands at once or not at all.
 * All return 0 or a negative errcode with e set naming the catalog. */
#ifndef FACETAG_STORE_CATALOG_ANNOTATE_H
#define FACETAG_STORE_CATALOG_ANNOTATE_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stdint.h>

/* Every photo (photo_id order): taken_at and its source may be NULL, sidecar
 * is the JSON text from ingest or NULL. */
typedef int (*catalog_ann_photo_fn)(const char *photo_id, const char *taken_at, const char *taken_at_source,
                                    const char *sidecar, void *ud);
int catalog_ann_each_photo(catalog *c, catalog_ann_photo_fn fn, void *ud, err *e);

/* Every source path (photo_id, then first-seen order). */
typedef int (*catalog_ann_source_fn)(const char *photo_id, const char *path, void *ud);
int catalog_ann_each_source(catalog *c, catalog_ann_source_fn fn, void *ud, err *e);

/* Every face of each photo's current analysis that is not rejected
 * (photo_id, face_no order); person_id 0 = none. */
typedef int (*catalog_ann_face_fn)(int64_t face_id, const char *photo_id, const double box[4], int64_t person_id,
                                   const char *status, void *ud);
int catalog_ann_each_face(catalog *c, catalog_ann_face_fn fn, void *ud, err *e);

/* Every person with a name people gave it (id order). */
typedef int (*catalog_ann_person_fn)(int64_t person_id, const char *name, void *ud);
int catalog_ann_each_named_person(catalog *c, catalog_ann_person_fn fn, void *ud, err *e);

/* Every suggestion people accepted or rejected: of persons (face_id 0) and of
 * faces (person_id 0). */
typedef int (*catalog_ann_decided_fn)(int64_t person_id, int64_t face_id, const char *label, const char *status,
                                      void *ud);
int catalog_ann_each_decided(catalog *c, catalog_ann_decided_fn fn, void *ud, err *e);

/* Every name people rejected for a person (catalog_decide_suggestion), with
 * the faces that person had then (face ids; faces[0..n) live until fn
 * returns), oldest first. */
typedef int (*catalog_ann_rejection_fn)(const char *label, const int64_t *faces, size_t n, void *ud);
int catalog_ann_each_name_rejection(catalog *c, catalog_ann_rejection_fn fn, void *ud, err *e);

/* Photos whose date, place or event people set (source 'human'): annotate
 * keeps them. A human date with date_value NULL is "no date" decided by people;
 * place_id / event_id 0 likewise "none". */
typedef int (*catalog_ann_human_fn)(const char *photo_id, const char *date_value, const char *date_precision,
                                    bool date_human, int64_t place_id, bool place_human, int64_t event_id,
                                    bool event_human, void *ud);
int catalog_ann_each_human(catalog *c, catalog_ann_human_fn fn, void *ud, err *e);

/* The parse cache (migration 17, annotate/parsecache.h): every photo's
 * stored parse with the hashes it was made under. */
typedef int (*catalog_ann_parse_fn)(const char *photo_id, const char *inputs, const char *context, const char *parse,
                                    void *ud);
int catalog_ann_each_parse(catalog *c, catalog_ann_parse_fn fn, void *ud, err *e);
/* Writes photos' parses with one prepared statement, inside the caller's
 * transaction: open, put each (replacing the photo's row), close. */
typedef struct catalog_ann_parse_writer catalog_ann_parse_writer;
catalog_ann_parse_writer *catalog_ann_parse_writer_open(catalog *c, err *e);
int catalog_ann_parse_put(catalog_ann_parse_writer *w, const char *photo_id, const char *inputs, const char *context,
                          const char *parse, err *e);
void catalog_ann_parse_writer_close(catalog_ann_parse_writer *w);

/* Every photo's stored annotation as one text (date, precision, source,
 * inferred, place, place source, event, evidence joined by '|'), so a run
 * writes only the rows it changes. */
typedef int (*catalog_ann_stored_fn)(const char *photo_id, const char *digest, void *ud);
int catalog_ann_each_stored(catalog *c, catalog_ann_stored_fn fn, void *ud, err *e);

/* A text that changes whenever anything annotate reads has changed (photos,
 * sources, faces and their analyses, persons, names, decisions, texts): the
 * tables' counts and maxima, and annotate_inputs' counter, which triggers
 * raise on every change a count cannot see (schema 17 and 24: a photo deleted
 * and another ingested in the same second, a path moved to another photo, a
 * face's person changed). Its length grows with the catalog's counts and
 * sums (70 bytes on a tiny one): buf of 512; ERR_INTERNAL when it does not
 * fit (never a text cut short, whose tail would hide a change). */
int catalog_ann_fingerprint(catalog *c, char *buf, size_t size, err *e);
/* The fingerprint of the last run, "" when none. */
int catalog_ann_last_fingerprint(catalog *c, char *buf, size_t size, err *e);

typedef struct catalog_ann_run {
    const char *fingerprint;
    bool full;
    int64_t photos, dated, placed, events, suggestions;
    double seconds;
} catalog_ann_run;
int catalog_ann_run_put(catalog *c, const catalog_ann_run *r, err *e);

/* The id of the place called name (inserted with the other fields when new;
 * lat/lon NAN and geonames_id 0 stored as NULL). */
int catalog_ann_place_id(catalog *c, const char *name, const char *country, int64_t geonames_id, double lat, double lon,
                         const char *source, int64_t *id, err *e);

/* Inserts or updates the event with this key (stable across runs); date_value
 * and precision may be NULL; place_id 0 = none. name must be unique per year
 * among events (the caller makes it so). */
int catalog_ann_event_put(catalog *c, const char *key, const char *name, int year, const char *date_value,
                          const char *date_precision, int64_t place_id, const char *source, int64_t *id, err *e);
/* Before a run stores its events: deletes the events of source whose key is
 * not in keys[0..n) and gives those whose key is in changed[0..nc) their key
 * as a placeholder name, so that names can move from one event to another
 * without a clash (events left as they are keep theirs). */
int catalog_ann_events_prepare(catalog *c, const char *source, const char *const *keys, size_t n,
                               const char *const *changed, size_t nc, err *e);
/* Every stored event of source with its key: the text key|name|year|date
 * value|precision|place id (as catalog_ann_event_put stored them), so a run
 * writes only the events it changes. */
typedef int (*catalog_ann_event_fn)(const char *key, int64_t id, const char *digest, void *ud);
int catalog_ann_each_event(catalog *c, const char *source, catalog_ann_event_fn fn, void *ud, err *e);

/* Every event of source that people renamed (catalog_decide_event_rename)
 * with its key and that name, which a run keeps. */
typedef int (*catalog_ann_renamed_fn)(const char *key, const char *name, void *ud);
int catalog_ann_each_renamed_event(catalog *c, const char *source, catalog_ann_renamed_fn fn, void *ud, err *e);

/* Every event not of source (events people made): name and year (0 none), so
 * a run's event names stay clear of them (names are unique per year). */
typedef int (*catalog_ann_event_name_fn)(const char *name, int year, void *ud);
int catalog_ann_each_other_event(catalog *c, const char *source, catalog_ann_event_name_fn fn, void *ud, err *e);

typedef struct catalog_ann_photo_row {
    const char *photo_id;
    const char *date_value, *date_precision, *date_source; /* NULL: no date */
    bool date_inferred;
    int64_t place_id; /* 0: none */
    const char *place_source;
    int64_t event_id;     /* 0: none */
    const char *evidence; /* JSON array text or NULL */
} catalog_ann_photo_row;
/* Writes photos' rows with one prepared statement (a run writes every photo):
 * open, put each, close. Date, place or event fields set by people (source
 * 'human') are kept as they are; a row that did not change is not touched. */
typedef struct catalog_ann_photo_writer catalog_ann_photo_writer;
catalog_ann_photo_writer *catalog_ann_photo_writer_open(catalog *c, err *e);
int catalog_ann_photo_put(catalog_ann_photo_writer *w, const catalog_ann_photo_row *r, err *e);
void catalog_ann_photo_writer_close(catalog_ann_photo_writer *w);

/* Replaces the open suggestions of source for a person (face_id 0) or a face
 * (person_id 0) by these; a label people rejected or accepted is left as it is
 * (never re-opened). labels/conf/evidence are parallel arrays of n. */
int catalog_ann_suggestions_put(catalog *c, int64_t person_id, int64_t face_id, const char *source,
                                const char *const *labels, const double *conf, const char *const *evidence, size_t n,
                                err *e);
/* The open suggestions of source, of persons (face_id 0) and of faces
 * (person_id 0), so a run rewrites only the owners whose suggestions changed. */
typedef int (*catalog_ann_open_fn)(int64_t person_id, int64_t face_id, const char *label, double confidence,
                                   const char *evidence, void *ud);
int catalog_ann_each_open_suggestion(catalog *c, const char *source, catalog_ann_open_fn fn, void *ud, err *e);
/* Deletes the open suggestions of source of every person and face not in
 * the lists (persons/faces that no longer have any). */
int catalog_ann_suggestions_prune(catalog *c, const char *source, const int64_t *persons, size_t np,
                                  const int64_t *faces, size_t nf, err *e);

#endif
