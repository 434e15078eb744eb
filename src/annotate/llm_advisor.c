/* llm_advisor.c — the LLM as the naming stage's second opinion (llm_advisor.h). */
#include "annotate/llm_advisor.h"
#include "annotate/textfold.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ADVISOR_MAX_ITEMS 60

/* The last folded word of a name ("" when none), into out. */
static void last_word(const char *name, char *out, size_t size)
{
    char *key = textfold_name_key(name), *buf = malloc(3 * strlen(name) + 2);
    out[0] = '\0';
    if (key && buf) {
        size_t nw = textfold_words(name, buf);
        const char *w = buf;
        for (size_t i = 0; i + 1 < nw; i++)
            w += strlen(w) + 1;
        if (nw)
            snprintf(out, size, "%s", w);
    }
    free(key);
    free(buf);
}

static int same_person_name(const char *a, const char *b)
{
    char *ka = textfold_name_key(a), *kb = textfold_name_key(b);
    int same = ka && kb && *ka && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    if (same)
        return 1;
    char la[128], lb[128];
    last_word(a, la, sizeof la);
    last_word(b, lb, sizeof lb);
    return la[0] && strlen(la) > 1 && strcmp(la, lb) == 0;
}

int llm_advisor_fn(int64_t person_id, naming_candidate *cands, size_t n, void *ud)
{
    llm_advisor *a = ud;
    if (n == 0)
        return 0;
    /* the evidence of every candidate, each caption once */
    llm_evidence_item items[ADVISOR_MAX_ITEMS];
    json_t *docs[16] = { 0 };
    size_t ni = 0, nd = 0;
    for (size_t i = 0; i < n && nd < 16; i++) {
        json_t *arr = cands[i].evidence ? json_loads(cands[i].evidence, 0, NULL) : NULL;
        if (!arr)
            continue;
        docs[nd++] = arr;
        size_t k;
        json_t *it;
        json_array_foreach(arr, k, it)
        {
            const char *src = json_string_value(json_object_get(it, "source"));
            const char *text = json_string_value(json_object_get(it, "text"));
            if (!text || ni >= ADVISOR_MAX_ITEMS)
                continue;
            int dup = 0;
            for (size_t t = 0; t < ni && !dup; t++)
                dup = strcmp(items[t].text, text) == 0 && strcmp(items[t].source, src ? src : "") == 0;
            if (!dup)
                items[ni++] = (llm_evidence_item){ src ? src : "", text };
        }
    }
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)person_id);
    llm_evidence ev = { "person", id, items, ni };
    llm_result r;
    err e = { 0 };
    a->asked++;
    int rc = ni ? llm_ask(a->client, &ev, 1, &r, &e) : 0;
    if (ni && rc == 0 && r.status == LLM_ANSWERED) {
        a->answered++;
        a->cached += r.cached;
        size_t match = n;
        if (r.name.value[0] && r.name.supported)
            for (size_t i = 0; i < n && match == n; i++)
                if (same_person_name(r.name.value, cands[i].label))
                    match = i;
        if (match < n) {
            double mean = (cands[match].confidence + r.name.confidence) / 2;
            if (mean > cands[match].confidence)
                cands[match].confidence = mean;
            a->applied++;
        } else if (r.name.value[0]) {
            a->flagged++; /* not in the evidence, or no candidate: never applied */
        }
    } else if (ni) {
        a->failed++;
        const char *why = rc ? e.msg : r.error;
        if (!a->first_error[0]) {
            snprintf(a->first_error, sizeof a->first_error, "%.500s", why);
            if (a->errors)
                fprintf(a->errors, "%s\n", why);
        }
    }
    for (size_t i = 0; i < nd; i++)
        json_decref(docs[i]);
    return 0;
}
