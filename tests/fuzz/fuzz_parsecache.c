/* fuzz_parsecache.c — fuzz target of annotate's parse cache reader
 * (annotate/parsecache.h): a stored parse is the catalog's text, and a
 * damaged one must be refused (the photo read afresh), never crash or leave
 * half a photo behind. Any bytes, NUL-terminated, as a photo's stored parse,
 * on a small gazetteer of its own; what decodes is encoded again and must
 * decode again to the same texts. Built as a libFuzzer binary with clang
 * (-DFACETAG_FUZZ=ON: fuzz_parsecache CORPUS_DIR), and replayed by `make test`
 * over the seed corpus and thousands of mutations of it. */
#include "annotate/evidence.h"
#include "annotate/model.h"
#include "annotate/parsecache.h"

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
    static const char *const names[] = { "Wuppertal", "Paris", "Tokio", "Wien" };
    for (size_t i = 0; g && i < sizeof names / sizeof names[0]; i++) {
        place_info p = { .name = names[i], .country = "", .geonames_id = (int64_t)i + 1, .lat = NAN, .lon = NAN };
        gazetteer_add(g, names[i], &p, NULL);
    }
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gazetteer *g = small_gazetteer();
    ann_model *m = g ? ann_model_new(g) : NULL;
    ann_photo *p = m ? ann_model_add_photo(m, "0000000000000001") : NULL;
    if (!p) {
        ann_model_free(m);
        return 0;
    }
    p->path = strdup("/a/1977/IMG_001_001.jpg");
    p->cache_parse = malloc(size + 1);
    if (p->path && p->cache_parse) {
        memcpy(p->cache_parse, data, size);
        p->cache_parse[size] = '\0';
        bool texts = parsecache_restore_texts(p);
        if (!texts && (p->ntexts || p->ntitles_of))
            abort(); /* refused, but half restored */
        if (texts && evidence_restored(m, p) == 0) {
            bool read = parsecache_restore_read(m, p);
            if (!read && (p->nops || p->place || p->date.precision != DATE_NONE))
                abort();
            if (read)
                evidence_count(m, p);
            char *again = parsecache_encode(m, p);
            if (again) {
                size_t n = p->ntexts;
                free(p->cache_parse);
                p->cache_parse = again;
                parsecache_clear_texts(p);
                if (!parsecache_restore_texts(p) || p->ntexts != n)
                    abort(); /* what it wrote, it reads */
            }
        }
    }
    ann_model_free(m);
    return 0;
}
