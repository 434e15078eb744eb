/* carry.h — a name people rejected for a person holds for the persons that
 * clustering later makes of its faces (issue 11: "a rejected suggestion never
 * comes back", also when re-clustering gives the faces new person ids). The
 * rejection is kept with the faces the person had (catalog_decide.h); it
 * applies to every person now most of whose faces (more than half) were among
 * them: the same group of faces under another id, or a part of it. A person
 * that took a few of them into a larger group of others is not that group.
 * Reads the faces of the model (annotate loads them first). */
#ifndef FACETAG_ANNOTATE_CARRY_H
#define FACETAG_ANNOTATE_CARRY_H

#include "annotate/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct carry carry;

/* Indexes m's faces by person; NULL when out of memory. */
carry *carry_new(const ann_model *m);
void carry_free(carry *k);
/* The name label rejected for the person that had faces[0..n): adds it to
 * m->rejected for each person it applies to now. 0 or ERR_NOMEM. */
int carry_rejection(carry *k, ann_model *m, const char *label, const int64_t *faces, size_t n);

#endif
