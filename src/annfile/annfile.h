/* annfile.h — the human-editable annotation file, annotations/{photo_id}.json
 * (issue 11 part 7; DESIGN.md "Per-photo annotation JSON"): everything facetag
 * concluded about one photo, written by `facetag export annotations DIR`, edited
 * by people (any editor, jq), applied back by `facetag import FILE|DIR`.
 *
 *   {"photo_id": "3f2a9c0d11e4b7a2", "file": "1977/…/IMG_0123.tif", "paths": [...],
 *    "width": 4000, "height": 2667, "caption": "…",
 *    "date":  {"value": "1977-02", "precision": "month", "source": "folder",
 *              "inferred": false} | null,
 *    "place": {"name": "Wuppertal", "country": "DE", "source": "folder"} | null,
 *    "event": {"id": 12, "name": "Probe Café Müller", "date": {...}} | null,
 *    "faces": [{"face_id": 31, "face_no": 0, "box": [x, y, w, h], "score": 0.97,
 *               "cluster_id": 17 | null, "status": "unreviewed|confirmed|rejected",
 *               "person": {"label": "Pina Bausch", "confidence": 0.62,
 *                          "source": "suggested|confirmed"} | null,
 *               "suggestions": [{"name", "confidence", "source", "evidence",
 *                                "status": "open|accepted|rejected"}]}]}
 *
 * What an edit means (import compares the file with the catalog; what is the
 * same is left alone, so importing a file twice, or an unedited one, changes
 * nothing):
 *   person.label       another name than the face has now: the face is that
 *                      person (a name the face's unnamed person has as a
 *                      suggestion: the suggestion is accepted for the person).
 *                      The same name with source "confirmed" (or "human"):
 *                      the suggestion is accepted. null / no person: no change.
 *                      A label with source "suggested" that is one of the
 *                      face's listed suggestions is what the export wrote, not
 *                      an edit: to take another listed suggestion set its
 *                      status to "accepted" (or person.source to "human").
 *   status "rejected"  the face is not its person (never joins it again)
 *   cluster_id         another person id: the face is moved into that person
 *   suggestions[].status  "accepted" or "rejected": that suggestion decided
 *   date / place / event  other than now: set by hand (source "human"), kept by
 *                      every later `facetag annotate`; null: none. A date is
 *                      {"value", "precision"} or a string "YYYY[-MM[-DD]]"; a
 *                      place {"name"} or a string; an event {"id"} (an existing
 *                      event), else {"name"} (found or made) or a string.
 *   event.name         with the event's "id", another name than the event has:
 *                      the event is renamed (for all its photos; kept by later
 *                      annotate runs). A name people renamed that event away
 *                      from is an older file's, not an edit: left alone.
 * A face is found by face_id, and its box must then overlap the catalog's
 * (IoU >= 0.5); a face without face_id by its box alone. Other keys are
 * ignored. */
#ifndef FACETAG_ANNFILE_ANNFILE_H
#define FACETAG_ANNFILE_ANNFILE_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The least box IoU for a file's face to be a catalog face. */
#define ANNFILE_BOX_IOU 0.5

typedef enum annfile_status { ANNFILE_UNSET = 0, ANNFILE_OPEN, ANNFILE_ACCEPTED, ANNFILE_REJECTED } annfile_status;
typedef enum annfile_face_status {
    ANNFILE_FACE_UNSET = 0,
    ANNFILE_FACE_UNREVIEWED,
    ANNFILE_FACE_CONFIRMED,
    ANNFILE_FACE_REJECTED
} annfile_face_status;

typedef struct annfile_sug {
    char *name;
    annfile_status status;
} annfile_sug;

typedef struct annfile_face {
    size_t index; /* place in the file's "faces", for messages */
    bool has_id, has_box;
    int64_t face_id;
    double box[4];
    bool has_cluster; /* cluster_id given as a number */
    int64_t cluster_id;
    annfile_face_status status;
    char *label;      /* person.label; NULL: none given or null */
    bool label_human; /* person.source "confirmed" or "human" */
    annfile_sug *sugs;
    size_t nsugs;
} annfile_face;

typedef struct annfile_doc {
    char photo_id[17];
    bool has_date, has_place, has_event; /* the key is in the file */
    char *date_value, *date_precision;   /* NULL: null (no date) */
    char *place;                         /* NULL: null */
    int64_t event_id;                    /* 0: none given */
    char *event_name;                    /* NULL: none given; both unset: null */
    annfile_face *faces;
    size_t nfaces;
} annfile_doc;

/* Reads and checks the file's text (len bytes; need not be NUL-terminated):
 * JSON, the shapes above, types, a photo_id of 16 hex digits, dates that are
 * dates, boxes of 4 numbers with w, h > 0. name names the file in messages:
 * "NAME: line L, column C: …" for JSON that does not parse, "NAME: FIELD: …"
 * (faces[2].box) otherwise. ERR_FORMAT (or ERR_NOMEM) with e set; d is then
 * empty. Free with annfile_doc_free. */
int annfile_parse(const char *text, size_t len, const char *name, annfile_doc *d, err *e);
void annfile_doc_free(annfile_doc *d);

#endif
