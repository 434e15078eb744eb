/* fuzz_annfile.c — fuzz target of `facetag import`'s reader of annotation
 * files (annfile/annfile.h: annfile_parse), which reads what people edited by
 * hand. Any bytes: the parse either fails with a message that names the file,
 * or gives a document whose every field holds what the header promises (a
 * photo id of 16 hex digits, boxes of positive size, dates that are dates,
 * statuses in range). The sanitizers judge memory. Built as a libFuzzer binary
 * with clang (-DFACETAG_FUZZ=ON: fuzz_annfile CORPUS_DIR) and replayed by
 * `make test` over the seed corpus (tests/fuzz/corpus/annfile: files written
 * by `facetag export annotations`, edited ones, broken ones) and thousands of
 * mutations of it. */
#include "annfile/annfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_annfile: broken promise: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    annfile_doc d;
    err e = { 0 };
    int rc = annfile_parse((const char *)data, size, "fuzz.json", &d, &e);
    if (rc) {
        require(rc == ERR_FORMAT || rc == ERR_NOMEM, "an error other than format or memory");
        require(strncmp(e.msg, "fuzz.json: ", 11) == 0, "an error that does not name the file");
        require(d.faces == NULL && d.nfaces == 0 && !d.date_value && !d.place && !d.event_name, "leftovers on error");
        return 0;
    }
    require(strlen(d.photo_id) == 16 && strspn(d.photo_id, "0123456789abcdef") == 16, "photo id");
    require(!d.date_value == !d.date_precision, "date without precision");
    if (d.date_value) {
        size_t n = strlen(d.date_value);
        require(n == 4 || n == 7 || n == 10, "date length");
    }
    require(!d.place || *d.place, "empty place");
    require(d.event_id >= 0, "event id");
    for (size_t i = 0; i < d.nfaces; i++) {
        const annfile_face *f = &d.faces[i];
        require(f->index == i, "face index");
        require(f->has_id || f->has_box, "face with neither id nor box");
        require(!f->has_id || f->face_id > 0, "face id");
        require(!f->has_box || (f->box[2] > 0 && f->box[3] > 0), "box size");
        require(!f->has_cluster || f->cluster_id > 0, "cluster id");
        require(f->status <= ANNFILE_FACE_REJECTED, "face status");
        for (size_t k = 0; k < f->nsugs; k++)
            require(f->sugs[k].name && *f->sugs[k].name && f->sugs[k].status <= ANNFILE_REJECTED, "suggestion");
    }
    annfile_doc_free(&d);
    return 0;
}
