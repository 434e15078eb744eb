/* naming.h — who is who, from the captions (Berg et al., "Names and Faces in
 * the News", CVPR 2004, by counting): a name that recurs in the captions of
 * one person's photos and rarely elsewhere is that person's.
 *
 *   score(p, n) = prior(n) * c(p,n) / (cap(p) + 1) * c(p,n) / (df(n) + 1)
 *
 * c(p,n): p's photos whose caption names n; cap(p): p's photos with a caption
 * that names anyone; df(n): photos whose caption names n. A name in every
 * folder's captions (the photographer's) has a large df and names nobody.
 * prior(n) lowers names seen mostly as the photographer ("Foto: X"), words that
 * also make up folder names and album texts (titles, events), and single words.
 * Then, twice, each captioned photo's persons and names are matched one to one
 * (greedy by score: one name per face, one face per name) and c is counted
 * from the matches only. Name variants count as one: an initial form
 * ("P. Bremer") as the full name it abbreviates, accents and case folded.
 * A name people gave a person is that person's: it is matched first in every
 * photo and no other person is suggested it unless its own evidence is strong.
 * Suggestions people rejected never come back.
 *
 * A face of no person in a captioned photo is suggested the one name its
 * caption has left after the matching, when exactly one is left; a name of
 * one word ("Rehearsal", "Probe") is none there.
 *
 * The advisor (optional) is where a second opinion plugs in, e.g. the LLM of
 * annotate/llm.h: it gets each person's candidates with their evidence and
 * may change the confidences; it must not add names absent from the evidence. */
#ifndef FACETAG_ANNOTATE_NAMING_H
#define FACETAG_ANNOTATE_NAMING_H

#include "annotate/model.h"

#define NAMING_MIN_SCORE 0.05 /* below it a candidate is no suggestion (sweep: docs/annotate-quality.md) */
#define NAMING_MAX_SUGGESTIONS 3
#define NAMING_MAX_EVIDENCE 5

typedef struct naming_candidate {
    const char *label;    /* display form */
    double confidence;    /* 0..1, the advisor may change it */
    const char *evidence; /* JSON array [{"photo_id","source","text"}] */
} naming_candidate;

/* Called once per person with candidates (best first); returns 0 or an
 * error code (the rules' candidates then stand). */
typedef int (*naming_advisor_fn)(int64_t person_id, naming_candidate *cands, size_t n, void *ud);

/* Fills m->sugs from m's photos, faces and names. 0 or ERR_NOMEM. */
int naming_suggest(ann_model *m, naming_advisor_fn advisor, void *advisor_ud);

#endif
