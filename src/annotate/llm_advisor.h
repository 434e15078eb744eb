/* llm_advisor.h — the LLM (annotate/llm.h) as the naming stage's second
 * opinion (naming.h: naming_advisor_fn). For each person the rules' candidates
 * and their evidence go to the model; when it answers with a name that occurs
 * in the evidence and is one of the candidates (same name up to case, accents,
 * punctuation and word order, or the same last word: "P. Bremer" = "Paul
 * Bremer"), that candidate's confidence becomes the mean of the rules' and the
 * model's when that is higher. A name that occurs nowhere in the evidence, or
 * is no candidate, is flagged (counted, reported) and never applied: the
 * advisor only changes confidences. No answer (server down, timeout, malformed
 * output) leaves the rules' candidates as they are; the first such error is
 * printed once as one line. */
#ifndef FACETAG_ANNOTATE_LLM_ADVISOR_H
#define FACETAG_ANNOTATE_LLM_ADVISOR_H

#include "annotate/llm.h"
#include "annotate/naming.h"

#include <stdio.h>

typedef struct llm_advisor {
    llm_client *client; /* borrowed */
    FILE *errors;       /* where the one error line goes (NULL: nowhere) */
    size_t asked, answered, cached, applied, flagged, failed;
    char first_error[512];
} llm_advisor;

/* The naming_advisor_fn; ud is an llm_advisor. Always returns 0 (a failure of
 * the model is no failure of the stage). */
int llm_advisor_fn(int64_t person_id, naming_candidate *cands, size_t n, void *ud);

#endif
