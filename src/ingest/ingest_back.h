/* ingest_back.h — backs of prints at ingest (internal to src/ingest/): a file
 * whose name says it is a back (media/backname.h, the words configurable) or
 * whose JSON sidecar says {"back_of": "FRONT.jpg"} is recorded as a back
 * (store/catalog_ocr.h): it stays a photo to look at and to read (the OCR
 * stage), is never analysed for faces, and is paired with its front by path
 * once both are in the catalog (catalog_backs_pair, at the end of each
 * ingest run, in whatever order the two files came). */
#ifndef FACETAG_INGEST_INGEST_BACK_H
#define FACETAG_INGEST_INGEST_BACK_H

#include <stddef.h>

typedef struct ingest_back {
    int is_back;
    char paired_by[8];     /* "name" or "sidecar" */
    char front_path[4096]; /* the front's path without extension (name), or its file path (sidecar) */
} ingest_back;

/* Fills *b for the file at path with its collected sidecar JSON (media/
 * sidecar.h; may be NULL) and the back words (NULL: the default list). A
 * sidecar's "back_of" wins over the name. */
void ingest_back_detect(const char *path, const char *sidecar_json, const char *words, ingest_back *b);

#endif
