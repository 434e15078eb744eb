/* catalog.h — the catalog: photos, their source paths, ingest failures, faces,
 * persons, the append-only log of human decisions, events, places, years and
 * graph edges. SQLite backend (WAL, busy timeout, migrations by user_version).
 *
 * Every multi-row change runs in one transaction (a savepoint when the caller
 * has opened one with catalog_begin, so a failed call undoes only itself). A
 * catalog handle is used by one thread at a time; open one per thread; several
 * processes may write at once (writers wait up to 5 s for each other).
 * All functions return 0 or a negative errcode with `e` filled in, unless stated
 * otherwise; messages name the catalog file and what failed. Constraint
 * violations: ERR_INVALID for a bad value, ERR_CONFLICT for a uniqueness,
 * foreign-key or append-only violation; a lock another writer held past the
 * busy timeout is ERR_BUSY (catalog_error, the one mapping). The schema (all
 * tables) is documented in catalog_schema.c.
 *
 * This header and its topic headers are the only way into the catalog; no
 * code outside src/store sees SQLite (tests/layout/store_only_sql.sh):
 *   store/persons.h       people's decisions and the decision log
 *   store/people_store.h  the cluster stage's load and write-back
 *   store/catalog_graph.h the graph's reads and annotations
 *   store/catalog_query.h the read-only query entry point for read models, and
 *                         what "a photo's current analysis" means
 *   store/catalog_watch.h noticing that another process changed the catalog */
#ifndef FACETAG_STORE_CATALOG_H
#define FACETAG_STORE_CATALOG_H

#include "core/error.h"
#include "core/facedef.h"
#include "core/hash.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct catalog catalog;

/* Opens (creating and migrating as needed) the catalog at path. */
catalog *catalog_open(const char *path, err *e);
/* The same, for a handle its owner guarantees is never used by two threads at
 * the same time, not even for a moment (the server's pool lends each to one
 * request at a time, under its lock): SQLite then takes no mutex of its own on
 * every call (SQLITE_OPEN_NOMUTEX). */
catalog *catalog_open_unshared(const char *path, err *e);
void catalog_close(catalog *c);
int catalog_schema_version(catalog *c);
/* The file the catalog was opened from, for messages; owned by c. */
const char *catalog_path(catalog *c);

/* Room for a model version with its NUL (core/facedef.h). */
#define CATALOG_MODEL_VERSION_LEN MODEL_VERSION_LEN

/* Explicit transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). Nested calls are
 * not supported; every catalog function called inside one runs in a savepoint of
 * it, so a failed call undoes only itself. */
int catalog_begin(catalog *c, err *e);
int catalog_commit(catalog *c, err *e);
void catalog_rollback(catalog *c);

/* ---- photos -------------------------------------------------------------- */

typedef struct catalog_photo {
    char photo_id[PHOTO_ID_LEN + 1];
    char sha256[HASH_SHA256_HEX_LEN + 1]; /* of the original file's bytes */
    char parent_id[PHOTO_ID_LEN + 1];     /* "" unless a page of a multi-page file */
    int page;                             /* 0 for single images */
    char format[16];                      /* "jpeg", "png", "tiff", ... */
    char incoming_key[64];                /* key of the original in incoming/ */
    int64_t bytes;                        /* size of the original */
    int width, height;                    /* of the processed image */
    int orig_width, orig_height;          /* as decoded, after orientation */
    int orientation;                      /* EXIF orientation applied, 1..8 */
    char taken_at[32];                    /* ISO 8601 prefix, "" if unknown */
    char taken_at_source[16];             /* "exif", "caption", "" */
    char camera_make[64], camera_model[64];
    char *sidecar; /* JSON text of captions/sidecars, may be NULL */
} catalog_photo;

/* Inserts the photo, or updates its metadata when photo_id exists (an update
 * keeps the photo's status and ingested_at). Empty strings are stored as NULL
 * and read back as ""; orientation 0 is stored as 1. ERR_INVALID when photo_id is
 * not 16 lowercase hex digits, sidecar is not valid JSON, or a field is out of
 * range (orientation 1..8, sizes >= 0).
 * Returns 1 when inserted, 0 when it already existed, <0 on error. */
int catalog_photo_put(catalog *c, const catalog_photo *p, err *e);
/* 1 and *out filled when found (out->sidecar malloc'd: free with catalog_photo_clear),
 * 0 when absent. out may be NULL to test existence. */
int catalog_photo_get(catalog *c, const char *photo_id, catalog_photo *out, err *e);
void catalog_photo_clear(catalog_photo *p);

/* Records that `path` (as given on the command line, made absolute) holds the
 * photo; the same bytes under two paths is one photo with both paths. Paths are
 * stored byte for byte (need not be UTF-8). size/mtime_ns are updated when they
 * changed; a path known for another photo (the file now holds other bytes)
 * moves to this photo. The photo must exist (else ERR_CONFLICT).
 * Returns 1 when the path was new for this photo, 0 when already recorded. */
int catalog_source_add(catalog *c, const char *photo_id, const char *path, int64_t size, int64_t mtime_ns, err *e);
/* Looks up a source path: 1 and photo_id/size/mtime filled when known, 0 if not. */
int catalog_source_find(catalog *c, const char *path, char photo_id[PHOTO_ID_LEN + 1], int64_t *size, int64_t *mtime_ns,
                        err *e);

/* ---- ingest failures ---------------------------------------------------- */

/* Records (or replaces) the failure of one input path with its reason. */
int catalog_failure_put(catalog *c, const char *path, const char *reason, err *e);
/* Clears a failure for a path that now ingested fine. */
int catalog_failure_clear(catalog *c, const char *path, err *e);
/* Calls fn for each failure in byte order of path; `at` is UTC ISO 8601
 * ("2026-11-22T05:35:06Z"); fn returns non-zero to stop. */
typedef int (*catalog_failure_fn)(const char *path, const char *reason, const char *at, void *ud);
int catalog_failure_list(catalog *c, catalog_failure_fn fn, void *ud, err *e);

/* ---- status ------------------------------------------------------------- */

/* Rows per table; analyzed = photos with a 'done' analysis run (any model
 * version), faces = all face rows, named_persons = persons with a non-empty
 * name, unassigned_faces = faces with no person. */
typedef struct catalog_counts {
    int64_t photos, sources, failed;
    int64_t analyzed, faces, persons, named_persons, unassigned_faces;
    int64_t decisions, events, places, years;
} catalog_counts;
int catalog_counts_get(catalog *c, catalog_counts *out, err *e);

/* ---- faces (implemented in catalog_faces.c) ------------------------------ */

/* One face row. Coordinates in pixels of the processed image. JSON columns:
 * landmarks {"left_eye":[x,y],"right_eye":..,"nose":..,"mouth_left":..,"mouth_right":..},
 * points68 [[x,y] x 68], expressions {"neutral":p,..,"surprised":p}; the embedding
 * is FACE_DESCRIPTOR_DIM float32 little-endian. */
typedef struct catalog_face {
    int64_t id; /* set by catalog_face_put */
    char photo_id[PHOTO_ID_LEN + 1];
    int face_no;
    char model_version[CATALOG_MODEL_VERSION_LEN];
    double box[4]; /* x, y, w, h */
    double score;
    bool has_landmarks;
    double five[5][2];
    double points68[68][2];
    bool has_embedding;
    float embedding[FACE_DESCRIPTOR_DIM];
    bool has_attributes;
    double age;
    char gender[8]; /* "male", "female" or "" */
    double gender_probability;
    double expressions[7]; /* neutral, happy, sad, angry, fearful, disgusted, surprised */
    int64_t person_id;     /* 0 = none */
    char source[12];       /* "detector" or "manual" */
} catalog_face;

/* Inserts a face (id set on success). ERR_CONFLICT when (photo_id, model_version,
 * face_no) exists. */
int catalog_face_put(catalog *c, catalog_face *f, err *e);
/* 1 and *out filled when found, 0 when absent. */
int catalog_face_get(catalog *c, int64_t id, catalog_face *out, err *e);
/* The faces of one photo for one model version (NULL = the photo's current
 * analysis, catalog_current_version; none when it has no 'done' run), face_no
 * order; *out malloc'd (free()), *n set. */
int catalog_faces_of_photo(catalog *c, const char *photo_id, const char *model_version, catalog_face **out, size_t *n,
                           err *e);
/* Records the outcome of analysing a photo with model_version (replaces a
 * previous row for the same pair). status "done" or "failed". */
int catalog_analysis_put(catalog *c, const char *photo_id, const char *model_version, const char *status, int faces,
                         const char *error, err *e);
/* 1 when the photo has a 'done' run for model_version, else 0. */
int catalog_analysis_done(catalog *c, const char *photo_id, const char *model_version, err *e);

/* The model version of the photo's current analysis (its newest 'done'
 * analysis run; the one meaning, see catalog_query.h): 1 and out filled, 0
 * when the photo has no 'done' run. */
int catalog_current_version(catalog *c, const char *photo_id, char out[CATALOG_MODEL_VERSION_LEN], err *e);

/* The person of face face_id: 1 and *person_id (0 = none) when the face
 * exists, 0 when not. */
int catalog_face_person(catalog *c, int64_t face_id, int64_t *person_id, err *e);
/* The largest face (box area, then face_no) of model_version in the photo
 * recorded under source path `path`: 1 and *face_id, 0 when there is none. */
int catalog_face_largest_at_path(catalog *c, const char *path, const char *model_version, int64_t *face_id, err *e);

/* ---- analysis (implemented in catalog_analysis.c) ------------------------ */

/* Calls fn for every photo but the parents of frames (contact sheets and
 * videos: their frames are analysed instead), largest (processed pixels) first, with whether
 * model_version already has a 'done' run for it; fn returns non-zero to stop
 * (that value is returned). */
typedef int (*catalog_todo_fn)(const char *photo_id, bool done, void *ud);
int catalog_analysis_todo(catalog *c, const char *model_version, catalog_todo_fn fn, void *ud, err *e);
/* Records a finished analysis of photo_id with model_version in one transaction
 * (a savepoint inside the caller's): detector faces left by an unfinished run of
 * the same version go, and so do the faces drawn by hand whose ids are in
 * replaced[0..n_replaced) (the analysis re-made them: catalog_analysis_kept);
 * faces[0..n) come in (ids set), the run is 'done', the photo 'analyzed'. A
 * face that goes and that people decided on (a person, confirmed, rejected)
 * hands its person and status to the new face over the same spot (box IoU >=
 * 0.5): analysing a photo again (after a flip, catalog_ocr.h) keeps people's
 * decisions. ERR_CONFLICT when a face drawn meanwhile holds a face_no of
 * faces[] (nothing is recorded; the next analysis does it). */
int catalog_analysis_record(catalog *c, const char *photo_id, const char *model_version, catalog_face *faces, size_t n,
                            const int64_t *replaced, size_t n_replaced, err *e);
/* The faces of an analysis of (photo_id, model_version) that analysing the
 * photo again must not lose when the detector does not find them again: every
 * face drawn by hand (manual), and every detector face people confirmed
 * (named or accepted). id order; *out malloc'd (free()), *n set. */
typedef struct catalog_kept_face {
    int64_t id;
    double box[4];
    bool manual;
} catalog_kept_face;
int catalog_analysis_kept(catalog *c, const char *photo_id, const char *model_version, catalog_kept_face **out,
                          size_t *n, err *e);
/* The first path the photo was found under: 1 and *path malloc'd (caller
 * frees), 0 when it has none. */
int catalog_source_first(catalog *c, const char *photo_id, char **path, err *e);
/* The face number a new face of (photo_id, model_version) gets: one past the
 * highest, 0 for the first. Call inside a transaction that then inserts it. */
int catalog_face_next_no(catalog *c, const char *photo_id, const char *model_version, int *out, err *e);

/* Busy timeout of this handle: how long a write waits for another writer's
 * lock before failing with ERR_BUSY (default 5000 ms). */
void catalog_set_busy_timeout(catalog *c, int ms);

/* Lets this handle read the catalog file through a memory map of up to bytes
 * (PRAGMA mmap_size): reads of pages the OS has cached cost no copy. For the
 * long-lived read connections of a server; 0 turns it off. */
void catalog_set_mmap(catalog *c, int64_t bytes);

#endif
