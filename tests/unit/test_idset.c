/* test_idset.c — core/idset.h: ids met once and again, across the move from
 * the in-struct slots to the heap and several doublings, against a plain
 * bitmap of what was added; large ids (the hash's high bits) and a set reused
 * after idset_free. */
#include <stdbool.h>
#include <stdlib.h>

#include "core/idset.h"
#include "testutil.h"

#define N 20000

static void fill(idset *s, bool *seen, uint64_t *state, int rounds)
{
    int wrong = 0;
    for (int i = 0; i < rounds; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        int64_t id = (int64_t)(*state >> 33) % N + 1; /* 1..N, many repeats */
        int r = idset_add(s, id);
        if (r != (seen[id] ? 0 : 1))
            wrong++;
        seen[id] = true;
    }
    CHECK_MSG(wrong == 0, "%d answers of %d disagree with the bitmap", wrong, rounds);
}

int main(void)
{
    bool *seen = calloc(N + 1, sizeof *seen);
    uint64_t state = 11;
    idset s = { 0 };

    /* the first 32 ids stay in the struct */
    for (int64_t id = 1; id <= 32; id++)
        CHECK(idset_add(&s, id * 1000003) == 1);
    CHECK(s.slot == s.local);
    for (int64_t id = 1; id <= 32; id++)
        CHECK(idset_add(&s, id * 1000003) == 0);
    CHECK(s.used == 32);
    CHECK(idset_add(&s, 33 * 1000003) == 1); /* the 33rd moves it to the heap */
    CHECK(s.slot != s.local);
    CHECK(s.used == 33);
    idset_free(&s);
    CHECK(s.slot == NULL && s.used == 0);

    /* random ids with repeats, many doublings */
    fill(&s, seen, &state, 60000);
    size_t distinct = 0;
    for (int i = 1; i <= N; i++)
        distinct += seen[i];
    CHECK(s.used == distinct);
    CHECK(2 * s.used <= s.mask + 1);
    idset_free(&s);

    /* reused after free: empty again */
    CHECK(idset_add(&s, 7) == 1);
    CHECK(idset_add(&s, 7) == 0);
    /* ids whose low bits are equal: only the hash's high bits tell them apart */
    for (int64_t k = 1; k <= 100; k++)
        CHECK(idset_add(&s, k << 40) == 1);
    for (int64_t k = 1; k <= 100; k++)
        CHECK(idset_add(&s, k << 40) == 0);
    CHECK(idset_add(&s, INT64_MAX) == 1);
    CHECK(idset_add(&s, INT64_MAX) == 0);
    idset_free(&s);
    free(seen);
    return test_main_end();
}
