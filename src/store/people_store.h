/* people_store.h — the cluster stage's view of the catalog (src/store: its SQL
 * lives with the other catalog queries): the faces of one
 * model version with their descriptors and everything people decided about
 * them, and the write-back of a clustering in one transaction.
 *
 * What people decided (read from the decision log and the persons table; see
 * store/persons.h for the log):
 *   pin     a face in a person a human has worked on ("human person": one named,
 *           or named in any decision row as person_id or before.person_id —
 *           confirm, reject, rename, merge, split, hide) stays in that person.
 *           So a confirmed face stays; a merge holds (all faces of the kept
 *           person are pinned); a split holds (both the new and the old person
 *           are human persons, and two persons' pinned faces never share a
 *           cluster); a name stays on its person.
 *   reject  every 'reject' row: the face never joins that person again (the
 *           person followed through later merges; a later 'confirm' of the same
 *           face into the same person lifts it).
 *   photo   two faces of one photo never share a person.
 * Model change: a face of another model version whose decisions or human
 * person are known is carried over to the face of this version in the same
 * photo with the highest box IoU >= 0.5 (PEOPLE_CARRY_IOU), unless that face
 * has decisions of its own: its pin, its status (confirmed/rejected), its
 * rejections, and its person as the "previous person" used to keep person ids.
 *
 * Person ids across re-clustering: a cluster holding pinned faces is their
 * person; every other cluster takes the existing non-human person with which it
 * shares the most faces (previous person of each face; greedy, largest overlap
 * first, each person once), else a new person. Persons left without a face of
 * the model version that are unnamed and not human are deleted. */
#ifndef FACETAG_STORE_PEOPLE_STORE_H
#define FACETAG_STORE_PEOPLE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/catalog.h"

#define PEOPLE_DIM FACE_DESCRIPTOR_DIM
#define PEOPLE_CARRY_IOU 0.5

typedef enum people_status { PEOPLE_UNREVIEWED = 0, PEOPLE_CONFIRMED = 1, PEOPLE_REJECTED = 2 } people_status;

typedef struct people_face {
    int64_t id;
    int32_t photo;        /* dense photo number, 0..nphotos-1 */
    int64_t person;       /* person_id now, 0 = none */
    int64_t prev_person;  /* person now, else carried over from another model version; 0 none */
    int64_t pin;          /* person the face must stay in, 0 none */
    people_status status; /* now, or carried over (see carried) */
    bool carried;         /* status/pin came from another model version's face */
    bool clustered;       /* placed by an earlier cluster run of this model version */
    bool has_embedding;   /* else the face keeps its person and is not clustered */
    double box[4];
    int64_t track; /* a video face's track (catalog_tracks.h: its first face's id), 0 none */
} people_face;

typedef struct people_reject {
    uint32_t face;  /* index into faces */
    int64_t person; /* the person it never joins */
} people_reject;

typedef struct people_set {
    char model_version[CATALOG_MODEL_VERSION_LEN];
    size_t n;
    people_face *faces; /* ordered by face id */
    float *x;           /* n x PEOPLE_DIM descriptors (zero rows where no embedding) */
    size_t nphotos;
    people_reject *rejects;
    size_t nrejects;
    int64_t *human; /* sorted ids of human persons */
    size_t nhuman;
    size_t carried_over; /* faces that took decisions from another model version */
} people_set;

/* The model version to cluster: that of the newest 'done' analysis run, else of
 * the newest face. 1 and out filled, 0 when the catalog has no face. */
int people_store_model(catalog *c, char out[CATALOG_MODEL_VERSION_LEN], err *e);

/* Loads every face of model_version (NULL: people_store_model) with what people
 * decided, as described above. An empty catalog gives n == 0. Free with
 * people_set_free. Errors: ERR_DB, ERR_NOMEM, ERR_FORMAT (an embedding that is
 * not 512 bytes). */
int people_store_load(catalog *c, const char *model_version, people_set *s, err *e);
void people_set_free(people_set *s);

/* True when person is a human person of s. */
bool people_set_is_human(const people_set *s, int64_t person);

/* One clustering run to write back. */
typedef struct people_result {
    const char *algo;   /* for cluster_runs */
    const char *params; /* JSON text, may be NULL */
    bool full;
    double seconds;
    /* faces placed by this run: face index, and its person (>0 existing, 0 none,
     * <0 the new person number -k-1 of this run: all faces with the same
     * negative value go into one new person). */
    const uint32_t *faces;
    const int64_t *person;
    size_t n;
} people_result;

typedef struct people_saved {
    int64_t run_id;
    size_t assigned; /* placed faces put into a person */
    size_t new_persons;
    size_t deleted_persons;
    size_t persons; /* persons with a face of the model version afterwards */
} people_saved;

/* Writes r in one transaction: a cluster_runs row; each placed face's person,
 * cluster_run and (when carried) status; new persons; deletes the persons left
 * empty (unnamed, not human, no face of this model version). Refuses
 * (ERR_CONFLICT) to move a pinned face out of its pin, to put a face into a
 * person it was rejected from, or to put two faces of one photo into one person,
 * so a bug upstream cannot undo a decision. */
int people_store_save(catalog *c, const people_set *s, const people_result *r, people_saved *out, err *e);

/* Box IoU of two [x, y, w, h] boxes. */
double people_box_iou(const double a[4], const double b[4]);

#endif
