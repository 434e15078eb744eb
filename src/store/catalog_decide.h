/* catalog_decide.h — people's decisions about what annotate suggested and
 * concluded: a name suggestion accepted or rejected, a photo's date, place or
 * event set by hand. Each call checks its input against the catalog, changes
 * it and appends its row to the decision log (`decisions`, store/persons.h) in
 * one transaction (a savepoint inside the caller's, so a whole imported file
 * can be applied or undone at once).
 *
 * What holds in later runs: an accepted or rejected suggestion keeps its status
 * (annotate never re-opens it, and never suggests a rejected label for that
 * person or face again); a date, place or event set here gets source 'human' in
 * photo_annotations and annotate keeps it.
 *
 * Decision rows (column `action`; `before` / `after` JSON):
 *   accept_name  person_id (a person's suggestion) or face_id, photo_id, box
 *                (a face's); after {"label", "of": "person"|"face"}
 *   reject_name  the same, with person_id NULL for a person's suggestion (a
 *                rejected name does not make the person one "a human worked
 *                on": its faces are not pinned) and after {"person_id", "label"}
 *   date         photo_id; before/after {"value", "precision", "source"} (value
 *                null: no date)
 *   place        photo_id; before/after {"place_id", "name"}
 *   event        photo_id; before/after {"event_id", "name"}
 *   event_name   an event renamed: before/after {"event_id", "name"}
 * A person's suggestion rejected is also kept with the faces the person has
 * (name_rejections): when clustering later gives most of a person's faces to
 * another person id, annotate does not suggest that name for it either.
 * Accepting it withdraws the rejections of that name that hold for the person.
 * Accepting a person's suggestion also renames the person (persons_rename, its
 * own 'rename' row); a face's suggestion names the face (persons_name_face).
 *
 * Each sets *changed (may be NULL) to whether it wrote anything: deciding what
 * is so already writes and logs nothing.
 * All return 0 or a negative errcode with e set: ERR_NOTFOUND naming what does
 * not exist (photo, face, person, suggestion, place, event), ERR_INVALID for a
 * bad value, ERR_DB / ERR_BUSY from the catalog. */
#ifndef FACETAG_STORE_CATALOG_DECIDE_H
#define FACETAG_STORE_CATALOG_DECIDE_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stdint.h>

/* Accepts (accept) or rejects the open or decided suggestion `label` of a
 * person (face_id 0) or of a face (person_id 0), of every source. Deciding
 * the same way twice changes nothing and logs nothing. */
int catalog_decide_suggestion(catalog *c, const char *actor, int64_t person_id, int64_t face_id, const char *label,
                              bool accept, bool *changed, err *e);

/* One name suggestion as the review shows it: of a person (face_id 0; its
 * name people gave, NULL, and its face count) or of a face of no person
 * (person_id 0), with a face to show (photo_id, face_no: the face itself, or
 * the person's first face). Strings live until fn returns. */
typedef struct catalog_decide_sug {
    int64_t person_id, face_id;
    const char *person_name;
    int64_t faces;
    const char *label, *source, *status;
    double confidence;
    const char *evidence; /* JSON array text, NULL */
    const char *photo_id; /* NULL when the person has no face left */
    int face_no;
} catalog_decide_sug;
typedef int (*catalog_decide_sug_fn)(const catalog_decide_sug *s, void *ud);
/* person_id > 0: every suggestion of that person (open, accepted, rejected).
 * Else the review's queue: the open suggestions of unnamed persons and of
 * faces of no person that are not rejected. Persons first (by id), then faces;
 * best first within each; at most limit rows. fn returns non-zero to stop. */
int catalog_decide_each_suggestion(catalog *c, int64_t person_id, int limit, catalog_decide_sug_fn fn, void *ud,
                                   err *e);

/* Sets the photo's date: value "YYYY", "YYYY-MM" or "YYYY-MM-DD" with
 * precision decade|year|season|month|day fitting it, or value NULL for "no
 * date". Nothing is written when the photo already has this human date. */
int catalog_decide_date(catalog *c, const char *actor, const char *photo_id, const char *value, const char *precision,
                        bool *changed, err *e);

/* Sets the photo's place: the place called name (created with source 'human'
 * when the catalog has none of that name), or none (name NULL). */
int catalog_decide_place(catalog *c, const char *actor, const char *photo_id, const char *name, bool *changed, err *e);

/* Sets the photo's event: event_id (> 0, must exist), else the event called
 * name (of the year `year`, 0 = any; created with source 'human', that year,
 * when none), else none (event_id 0 and name NULL). *out gets the event's id
 * (0 for none); out may be NULL. */
int catalog_decide_event(catalog *c, const char *actor, const char *photo_id, int64_t event_id, const char *name,
                         int year, int64_t *out, bool *changed, err *e);
/* An event is its photos: when the photo leaves an event and was its last,
 * that event is deleted (an empty event is neither kept nor exported). */

/* Renames event event_id to name (name_source 'human': annotate keeps it on
 * every later run, while the event exists). ERR_NOTFOUND for no such event,
 * ERR_CONFLICT when another event of the same year has that name (the message
 * names it). Renaming to its name changes nothing. */
int catalog_decide_event_rename(catalog *c, const char *actor, int64_t event_id, const char *name, bool *changed,
                                err *e);
/* *was: people renamed event event_id away from name before (the decision
 * log says so): an annotation file written before that rename, not an edit. */
int catalog_decide_event_renamed_from(catalog *c, int64_t event_id, const char *name, bool *was, err *e);

#endif
