/* fuzz_annotate_text.c — fuzz target of annotate's parsers of outside text:
 * dates (annotate/dates.h), person names (annotate/names.h), places
 * (annotate/places.h, on a small gazetteer of its own: the fuzzer tests the
 * reading, not GeoNames), folding and tokenizing (annotate/text.h) and film
 * numbers of file names (annotate/evidence.h), quoted spans (text.h). Any bytes, NUL-terminated; the
 * sanitizers judge, and every span a parser returns must lie inside the text.
 * Built as a libFuzzer binary with clang (-DFACETAG_FUZZ=ON:
 * fuzz_annotate_text CORPUS_DIR), and replayed by `make test` over the seed
 * corpus and thousands of mutations of it. */
#include "annotate/dates.h"
#include "annotate/evidence.h"
#include "annotate/names.h"
#include "annotate/places.h"
#include "annotate/text.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gazetteer *small_gazetteer(void)
{
    static gazetteer *g; /* built once per process: the fuzzer's own fixture */
    if (g)
        return g;
    g = gazetteer_new();
    static const char *const names[] = { "Wuppertal", "New York", "Tokio", "München", "St. Gallen", "Paris" };
    for (size_t i = 0; g && i < sizeof names / sizeof names[0]; i++) {
        place_info p = { .name = names[i], .country = "", .lat = NAN, .lon = NAN, .population = (uint32_t)i };
        gazetteer_add(g, names[i], &p, NULL);
    }
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);

    date_hit d[16];
    size_t nd = dates_find(text, d, 16);
    for (size_t i = 0; i < nd && i < 16; i++) {
        if (d[i].start > d[i].end || d[i].end > len || d[i].precision < DATE_DECADE || d[i].precision > DATE_DAY)
            abort();
        char buf[16];
        dates_format(&d[i], buf, sizeof buf);
    }
    date_hit f;
    if (dates_in_filename(text, &f) && (f.end > len || f.start > f.end))
        abort();

    name_skip sk[1] = { { 0, len / 2 } };
    name_hit h[16];
    size_t nn = names_find(text, sk, 1, h, 16);
    for (size_t i = 0; i < nn && i < 16; i++) {
        if (h[i].end > len || h[i].start > h[i].end || !h[i].text)
            abort();
        char *k = names_key(h[i].text);
        free(k);
    }
    names_hits_free(h, nn < 16 ? nn : 16);
    free(names_from_item(text));

    gazetteer *g = small_gazetteer();
    if (g) {
        place_hit p[8];
        size_t np = places_find(g, text, p, 8);
        for (size_t i = 0; i < np && i < 8; i++)
            if (p[i].end > len || p[i].start > p[i].end || !p[i].place)
                abort();
    }

    free(text_fold(text, len));
    size_t nt = 0;
    text_tok *t = text_tokenize(text, &nt);
    for (size_t i = 0; i < nt; i++)
        if (t[i].end > len || t[i].start >= t[i].end)
            abort();
    free(t);
    /* quoted spans: in order, inside the text, the words between the marks,
     * and exactly the bytes the mask marks */
    unsigned char *qm = text_quote_mask(text);
    text_quote q;
    size_t covered = 0, marked = 0;
    for (size_t from = 0; text_quote_next(text, from, &q); from = q.close) {
        if (q.open < from || !(q.open < q.start && q.start <= q.end && q.end < q.close && q.close <= len))
            abort();
        if (q.close - q.open > TEXT_QUOTE_MAX + 8)
            abort();
        free(text_fold(text + q.start, q.end - q.start));
        covered += q.close - q.open;
        for (size_t i = q.open; qm && i < q.close; i++)
            if (!qm[i])
                abort();
    }
    for (size_t i = 0; qm && i < len; i++)
        marked += qm[i];
    if (qm && marked != covered)
        abort();
    free(qm);
    char roll[24];
    evidence_roll(text, roll, sizeof roll);
    if (strlen(roll) >= sizeof roll)
        abort();
    free(text);
    return 0;
}
