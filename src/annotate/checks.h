/* checks.h — consistency checks over the catalog, the original plan's
 * "validation". They only read: nothing is changed; each finding names the
 * person, the faces concerned and the action that resolves it in the review UI.
 *
 *   spread          a person that looks like two: a likely wrong merge of
 *                   two people. The one test the person page's split offer
 *                   uses (cluster/doubt.h: the dendrogram's top split joins
 *                   above the clustering's cut, its sides stand apart and
 *                   hold >= 3 faces each); the faces listed are the offer
 *                   (the side without confirmed faces, else the smaller;
 *                   none when both sides hold confirmed faces). Score: the
 *                   two sides' average distance. Action: split.
 *   twice_in_photo  one person with two or more faces in one photo. Action:
 *                   reject the face that is not them.
 *   age_vs_date     ages that contradict the dates: for each face with an
 *                   estimated age and a dated photo, birth = year - age; faces
 *                   whose birth year lies more than age_tolerance years from the
 *                   person's median are listed ("estimated 60 in 1975 and 25 in
 *                   1985"). Action: reject those faces or fix the dates.
 *   same_name       one name for two persons (each person's given name, else its
 *                   best open suggestion of at least name_min_confidence;
 *                   compared without case, accents, punctuation and word
 *                   order): likely one person split in two. Action: merge.
 *   mirrored        a photo whose text reads mirrored (the ocr stage read its
 *                   mirror image far better than it: ocr/ocr_mirror.h): a print
 *                   scanned mirror-wise. No person (person_id 0). Action: flip.
 *
 * Also an estimated birth year per person with at least min_dated dated faces
 * with an age: the median of year - age, with the quartiles. */
#ifndef FACETAG_ANNOTATE_CHECKS_H
#define FACETAG_ANNOTATE_CHECKS_H

#include "core/error.h"
#include "core/hash.h"
#include "store/catalog.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum check_kind {
    CHECK_SPREAD,
    CHECK_TWICE_IN_PHOTO,
    CHECK_AGE_VS_DATE,
    CHECK_SAME_NAME,
    CHECK_MIRRORED
} check_kind;

typedef struct check_face {
    int64_t id;
    char photo_id[PHOTO_ID_LEN + 1];
    int face_no;
} check_face;

typedef struct check_item {
    check_kind kind;
    int64_t person_id;
    int64_t other_person_id;         /* same_name: the other person; else 0 */
    char photo_id[PHOTO_ID_LEN + 1]; /* twice_in_photo, mirrored: the photo; else "" */
    check_face *faces;               /* the faces concerned (malloc'd) */
    size_t nfaces;
    size_t person_faces; /* faces the person has */
    double score;        /* spread: the sides' average distance; age_vs_date: largest birth-year gap;
                          * mirrored: the mirror image's text score; else 0 */
    char name[128];      /* same_name: the name */
    char text[400];      /* one line for a person */
} check_item;

typedef struct check_birth {
    int64_t person_id;
    int year, low, high; /* median, quartiles */
    size_t dated;        /* faces with an age and a dated photo */
} check_birth;

typedef struct check_options {
    double age_tolerance;       /* years; default 20 */
    size_t min_dated;           /* default 2 */
    double name_min_confidence; /* default 0.3 */
} check_options;

typedef struct check_report {
    char model_version[96];
    size_t persons, faces; /* looked at */
    check_item *items;
    size_t n;
    check_birth *births;
    size_t nbirths;
} check_report;

void checks_options_default(check_options *o);

/* Runs every check on the faces of each photo's current analysis (the faces
 * the review shows); model_version names the newest one. o NULL = defaults. An empty catalog gives an empty report. Free
 * with checks_report_free. Errors: the catalog's, ERR_NOMEM. */
int checks_run(catalog *c, const check_options *o, check_report *out, err *e);
void checks_report_free(check_report *r);

/* "spread", "twice_in_photo", "age_vs_date", "same_name". */
const char *check_kind_name(check_kind k);
/* The review action that resolves it: "split", "reject", "merge". */
const char *check_kind_action(check_kind k);

/* The report as JSON (new reference; NULL when out of memory):
 * {"model_version", "persons", "faces",
 *  "checks": [{"kind", "action", "person_id", "other_person_id"?, "photo_id"?,
 *              "name"?, "score", "person_faces", "text",
 *              "faces": [{"id", "photo_id", "face_no"}]}],
 *  "birth_years": [{"person_id", "year", "low", "high", "dated_faces"}]} */
json_t *checks_report_json(const check_report *r);

#endif
