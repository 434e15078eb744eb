/* views.h — the JSON objects of docs/api.md (face, person, photo) read from the
 * catalog through its read-only query entry point (store/catalog_query.h), with
 * parameterised queries. Only faces of a photo's current analysis count
 * (CATALOG_CURRENT_FACE, the one definition, also behind `facetag people` and
 * catalog_faces_of_photo).
 *
 * All functions return 0 or a negative errcode with e set (ERR_NOTFOUND naming
 * an unknown id); JSON results are new references the caller decrefs. */
#ifndef FACETAG_REVIEW_VIEWS_H
#define FACETAG_REVIEW_VIEWS_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/catalog_query.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* SQL expression: the caption of photo row `p` from its sidecars (text file,
 * XMP description or title, a JSON "caption", the album's text), or NULL. */
#define VIEW_CAPTION(p)                                                                                                \
    "coalesce(json_extract(" p ".sidecar, '$.txt'), json_extract(" p ".sidecar, '$.xmp.description'), "                \
    "json_extract(" p ".sidecar, '$.xmp.title'), json_extract(" p ".sidecar, '$.json.caption'), "                      \
    "json_extract(" p ".sidecar, '$.album.txt'))"

/* Suggestions are the nearest named, visible persons within this descriptor
 * distance (Euclidean); the verification threshold on faces-dev is ~0.62. */
#define VIEW_SUGGEST_MAX_DISTANCE 0.75
#define VIEW_SUGGEST_COUNT 3

/* ---- faces (view_faces.c) ---- */

typedef enum view_face_where { VIEW_FACES_OF_PHOTO, VIEW_FACES_OF_PERSON, VIEW_FACE_BY_ID } view_face_where;

/* The face objects selected by `where` (photo_id, or id = person/face id), in
 * face order, each with its suggestions when `suggest` (for unassigned and
 * unreviewed faces). *out is an array (empty when none match). */
int view_faces(catalog *c, view_face_where where, const char *photo_id, int64_t id, bool suggest, json_t **out, err *e);
/* One face object with suggestions; ERR_NOTFOUND when there is no face id. */
int view_face(catalog *c, int64_t face_id, json_t **out, err *e);
/* The face id of photo_id whose id is `ref` or, failing that, whose face_no in
 * the current analysis is `ref` (POST /annotate). ERR_NOTFOUND when neither. */
int view_resolve_face(catalog *c, const char *photo_id, int64_t ref, int64_t *face_id, err *e);

/* ---- persons (view_persons.c) ---- */

/* The persons with hidden = `hidden`, unnamed and biggest first, then named by
 * name; q (NULL = all) keeps those whose name holds q, case-insensitively. */
int view_persons(catalog *c, bool hidden, const char *q, json_t **out, err *e);
/* One person object, with "faces" when with_faces. */
int view_person(catalog *c, int64_t person_id, bool with_faces, json_t **out, err *e);

/* ---- photos (view_photos.c) ---- */

/* Every photo summary (the lists below and view_photo) carries "title", the
 * name the photo is listed by: its file's base name, or for a frame of a
 * contact sheet or video, which has no file of its own, frame_name_format
 * (media/frame_name.h) of its parent's base name; and a frame carries "frame_of": {"parent_id",
 * "kind", "frame_no", "time_ms" (video), "scene" (video), "file" (the
 * parent's)}. */

/* GET /pending: photos of their newest analysis with an unreviewed face. */
int view_pending(catalog *c, long limit, long offset, json_t **out, err *e);
/* GET /api/photos: {"total", "photos": [summary]}, newest ingested first. */
int view_photo_list(catalog *c, long limit, long offset, json_t **out, err *e);
/* One photo with "faces" (suggestions when suggest). */
int view_photo(catalog *c, const char *photo_id, bool suggest, json_t **out, err *e);
/* Summaries of the photos in which a person whose name holds q appears, or whose
 * caption or file holds q (case-insensitive), at most limit. */
int view_photo_search(catalog *c, const char *q, long limit, json_t **out, err *e);

/* 1 when the catalog holds results of one model version only (then every face
 * is current and CATALOG_CURRENT_FACE can be skipped), 0 when not, <0 on error.
 * (A face whose photo has no 'done' run is not current, but analyze and draw
 * never write one: faces and their run are recorded in one transaction.) */
int view_one_version(catalog *c, err *e);

/* true when haystack holds needle, ignoring case (Unicode case folding). */
bool view_text_contains(const char *haystack, const char *needle);

#endif
