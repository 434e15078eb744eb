/* catalog_ocr.h — text read from photos (schema migration 9): backs of prints
 * and their fronts (photo_backs), what the OCR stage read from each photo
 * (photo_ocr, photo_texts), and photos people flipped (photo_flips).
 *
 * A back is a photo of the back of a print: ingest marks it (by its name or
 * its sidecar), it is never analysed for faces (catalog_analysis_todo), and
 * its text is evidence about its front once paired.
 * All return 0 (or a count/flag stated) or a negative errcode with e set
 * naming the catalog. Writing functions that change several rows run in one
 * transaction of their own (or inside the caller's). */
#ifndef FACETAG_STORE_CATALOG_OCR_H
#define FACETAG_STORE_CATALOG_OCR_H

#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stdint.h>

/* Marks photo_id as a back. paired_by "name": front_path is the front's path
 * without its extension (a file front_path.EXT beside it is the front);
 * "sidecar": front_path is the front's file path. A back already marked keeps
 * its row. */
int catalog_back_put(catalog *c, const char *photo_id, const char *front_path, const char *paired_by, err *e);

/* Pairs every back that has no front yet with the photo found at its
 * front_path (a photo that is itself a back is never a front). *paired (may
 * be NULL) counts the backs paired now. */
int catalog_backs_pair(catalog *c, int64_t *paired, err *e);

typedef struct catalog_back {
    char photo_id[PHOTO_ID_LEN + 1];
    char front_id[PHOTO_ID_LEN + 1]; /* "" while no front was found */
    char front_path[1024];
    char paired_by[8];
} catalog_back;
/* The back row of photo_id: 1 and *out filled, 0 when it is not a back. */
int catalog_back_get(catalog *c, const char *photo_id, catalog_back *out, err *e);
/* The backs of a front (photo_id order). */
typedef int (*catalog_back_fn)(const catalog_back *b, void *ud);
int catalog_backs_of(catalog *c, const char *front_id, catalog_back_fn fn, void *ud, err *e);
/* Every back with no front (the reason shown: its front_path). */
int catalog_backs_unpaired(catalog *c, catalog_back_fn fn, void *ud, err *e);

/* Photos the OCR stage has to read with engine (photo_id order): backs, and
 * fronts when fronts is set; a photo read with the same engine before is left
 * out. Photos with frames (sheets) count as fronts. */
typedef int (*catalog_ocr_todo_fn)(const char *photo_id, bool is_back, void *ud);
int catalog_ocr_todo(catalog *c, const char *engine, bool fronts, catalog_ocr_todo_fn fn, void *ud, err *e);

typedef struct catalog_ocr_text {
    const char *region; /* "back", "front" (text in the photo), "margin" (mount caption, sheet margin) */
    const char *text;
    double confidence; /* 0..100 */
    double x, y, w, h; /* processed pixels */
} catalog_ocr_text;

typedef struct catalog_ocr_result {
    const char *photo_id, *engine;
    double seconds;
    double score, score_flipped; /* < 0: not checked for mirroring */
    bool mirrored;
    const char *error; /* NULL; or why the photo could not be read */
    const catalog_ocr_text *texts;
    int ntexts;
} catalog_ocr_result;
/* Replaces what is stored of r->photo_id's OCR by r, in one transaction: a
 * kill leaves the old result or the new one. */
int catalog_ocr_put(catalog *c, const catalog_ocr_result *r, err *e);

/* The texts of photo_id and of its backs (region, then n order): fn gets the
 * photo the text was read on (photo_id itself or its back). */
typedef int (*catalog_ocr_text_fn)(const char *read_on, const catalog_ocr_text *t, void *ud);
int catalog_ocr_texts_of(catalog *c, const char *photo_id, catalog_ocr_text_fn fn, void *ud, err *e);

/* Every text as evidence (photo_id order): of a back paired with a front, as
 * the front's (about = the front, read_on = the back); otherwise about =
 * read_on = the photo it was read on. */
typedef int (*catalog_ocr_evidence_fn)(const char *about, const char *read_on, const catalog_ocr_text *t, void *ud);
int catalog_ocr_each_evidence(catalog *c, catalog_ocr_evidence_fn fn, void *ud, err *e);

/* Photos whose text reads mirrored and that people have not flipped. */
typedef int (*catalog_ocr_mirrored_fn)(const char *photo_id, double score, double score_flipped, void *ud);
int catalog_ocr_each_mirrored(catalog *c, catalog_ocr_mirrored_fn fn, void *ud, err *e);

/* What the OCR stage found of photo_id: read (0 when not read yet), mirrored
 * and the two scores (< 0: not checked), flipped by people. */
typedef struct catalog_ocr_state {
    bool read, mirrored, flipped;
    double score, score_flipped;
} catalog_ocr_state;
int catalog_ocr_state_get(catalog *c, const char *photo_id, catalog_ocr_state *out, err *e);

/* A flip by people (photo_flips): the photo's processed image becomes its
 * mirror image, whose SHA-256 is processed_sha256. In one transaction, the
 * first time: the flip is recorded, the boxes of the photo's faces (every
 * model version, drawn ones too) and of its XMP regions (catalog_xmp.h)
 * are mirrored (x -> width - x - w), its
 * analysis runs are dropped (analyze reads it again; catalog_analysis_record
 * carries each face's person and status to the new face that overlaps its
 * mirrored box) and its OCR result is dropped (read again). Returns 1 when
 * recorded now, 0 when it was flipped already (nothing changes; *recorded,
 * 65 bytes, gets the SHA-256 recorded then, "" when none). */
int catalog_photo_flip_put(catalog *c, const char *photo_id, const char *actor, const char *processed_sha256,
                           char recorded[65], err *e);
/* Sets the recorded SHA-256 of a flipped photo's processed image. */
int catalog_photo_flip_sha(catalog *c, const char *photo_id, const char *processed_sha256, err *e);
/* Photos flipped by people whose faces or text were not read again since
 * (no 'done' analysis run, for a photo that is analysed at all; or no OCR
 * result), photo_id order; with photo_id set, only that photo. fn returns
 * non-zero to stop (that value is returned). */
typedef int (*catalog_flip_pending_fn)(const char *photo_id, void *ud);
int catalog_flips_pending(catalog *c, const char *photo_id, catalog_flip_pending_fn fn, void *ud, err *e);
/* 1 when photo_id was flipped, 0 when not. */
int catalog_photo_flipped(catalog *c, const char *photo_id, err *e);

#endif
