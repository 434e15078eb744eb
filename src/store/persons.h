/* persons.h — every change a person makes to who is who, applied to the
 * catalog and appended to the decision log (table `decisions`) in one
 * transaction. The review server calls these; `facetag cluster` reads the same
 * log back (people_store_load, store/people_store.h) so that re-clustering never
 * undoes a human decision.
 *
 * A face is identified in the log by (photo_id, box) as well as its face id, so
 * a decision survives a re-analysis with another model (carried over by box IoU
 * >= 0.5 in the same photo).
 *
 * Decision rows (column `action`, and what `before` / `after` JSON hold):
 *   confirm  a face is this person: face_id, photo_id, box, person_id;
 *            before {"person_id": old|null}, after {"person_id": P}
 *   reject   a face is not this person: face_id, photo_id, box, person_id = the
 *            person it left; before {"person_id": P}, after {"person_id": null}
 *   rename   person_id; before {"name": old|null}, after {"name": new|null}
 *   merge    person_id = the person kept; before {"persons": [P, Q, ...]},
 *            after {"person_id": P, "faces": [face ids moved]}
 *   split    person_id = the new person; before {"person_id": old|null, "faces": [ids]},
 *            after {"person_id": new}   (the faces are also confirmed into it:
 *            one 'confirm' row per face follows)
 *   hide     person_id; before {"hidden": 0|1}, after {"hidden": 0|1}
 *   draw     a face drawn by hand: face_id, photo_id, box, person_id (if named);
 *            after {"face_id": id}
 * `actor` is the token's name when auth is on, else "local" (also for NULL).
 * persons_name_face that creates the named person logs a 'rename' row for it
 * (before {"name": null}) ahead of the 'confirm'.
 *
 * faces.status follows the log: 'confirmed' after confirm/name/move/split,
 * 'rejected' after reject, else 'unreviewed' (merge leaves it as it was).
 * A person left with no face and no name by a confirm, move, split or reject
 * is deleted (nobody is left to show); a named one stays. Names: at most 512
 * bytes of UTF-8 without control characters (else ERR_INVALID).
 *
 * All functions return 0 or a negative errcode with e set: ERR_NOTFOUND for an
 * unknown face or person id (the message names it), ERR_INVALID for a bad
 * argument, ERR_CONFLICT when the change contradicts the data (e.g. merging a
 * person into itself, two faces of one photo into one person). */
#ifndef FACETAG_STORE_PERSONS_H
#define FACETAG_STORE_PERSONS_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Puts face_id into person_id (0 = a new unnamed person, *person_out gets it;
 * person_out may be NULL) and confirms it there. */
int persons_confirm_face(catalog *c, const char *actor, int64_t face_id, int64_t person_id, int64_t *person_out,
                         err *e);
/* Names face_id: confirms it into the visible person named exactly `label`
 * (created when none exists). The POST /annotate path with accepted = true. */
int persons_name_face(catalog *c, const char *actor, int64_t face_id, const char *label, int64_t *person_out, err *e);
/* "Not this person": takes face_id out of its person (unassigned afterwards);
 * it never returns to that person. ERR_CONFLICT when the face has no person. */
int persons_reject_face(catalog *c, const char *actor, int64_t face_id, err *e);
/* Moves the faces into person_id (0 = a new person: a split), confirming each.
 * *person_out gets the person they are in. */
int persons_move_faces(catalog *c, const char *actor, const int64_t *face_ids, size_t n, int64_t person_id,
                       int64_t *person_out, err *e);
/* Splits the faces out of their person(s) into a new person (logged as 'split'). */
int persons_split(catalog *c, const char *actor, const int64_t *face_ids, size_t n, int64_t *new_person, err *e);
/* Sets (name non-empty) or clears (NULL or "") the person's name. */
int persons_rename(catalog *c, const char *actor, int64_t person_id, const char *name, err *e);
/* Moves every face of persons from[0..n) into `into` and deletes the emptied
 * persons; into keeps its name (or takes the first name among from when it has none). */
int persons_merge(catalog *c, const char *actor, int64_t into, const int64_t *from, size_t n, err *e);
int persons_hide(catalog *c, const char *actor, int64_t person_id, bool hidden, err *e);
/* Logs a face drawn by hand (already inserted into `faces` with source 'manual'). */
int persons_log_draw(catalog *c, const char *actor, int64_t face_id, err *e);

#endif
