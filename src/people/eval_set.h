/* eval_set.h — a folder-per-identity test set (folder name = identity), for
 * `facetag eval` and the faces-dev sweep: its images, and for each the face a
 * clustering is scored on.
 *
 * Images: every file with an image extension (jpg, jpeg, png, tif, tiff, webp,
 * gif, bmp, pgm, ppm, pbm, pnm, heic, heif, avif; any case) below each
 * immediate subfolder of the set, recursively, names starting with '.' left
 * out; identities in byte order, within a folder its files (byte order) before
 * its subfolders. Files at the top level are not images of anyone and are
 * ignored; so is an identity folder without images.
 *
 * Matching against a catalog into which the identity folders were ingested:
 * each image's photo (by its absolute path, as ingest records it), and that
 * photo's largest face (box area; ties: lower face_no) of the model version;
 * face_id 0 when the image was not ingested or no face was found. */
#ifndef FACETAG_PEOPLE_EVAL_SET_H
#define FACETAG_PEOPLE_EVAL_SET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/catalog.h"

typedef struct eval_set {
    char *root;        /* absolute path of the set */
    char **identities; /* folder names, sorted */
    size_t nidentities;
    char **files;     /* relative to root: "identity/name" */
    int32_t *truth;   /* identity index of each file */
    int64_t *face_id; /* after eval_set_match: the scored face, 0 none */
    size_t n;
} eval_set;

/* Lists the set at dir. ERR_NOTFOUND when dir is not a folder; ERR_INVALID when
 * it holds no identity folder with an image. Free with eval_set_free. */
int eval_set_scan(const char *dir, eval_set *s, err *e);
void eval_set_free(eval_set *s);

/* The absolute folder of identity i, malloc'd (ingest these). */
char *eval_set_identity_dir(const eval_set *s, size_t i);

/* Fills s->face_id from the catalog (see above) for model_version. */
int eval_set_match(eval_set *s, catalog *c, const char *model_version, err *e);

#endif
