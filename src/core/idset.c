/* idset.c — see idset.h. Fibonacci hashing; linear probing; the table doubles
 * when it would pass half full. */
#include "core/idset.h"

#include <stdlib.h>
#include <string.h>

static size_t idset_hash(int64_t id)
{
    return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 17);
}

int idset_add(idset *s, int64_t id)
{
    if (!s->slot) {
        s->slot = s->local;
        s->mask = sizeof s->local / sizeof s->local[0] - 1;
        memset(s->local, 0, sizeof s->local);
    }
    if (2 * (s->used + 1) > s->mask + 1) {
        size_t cap = 2 * (s->mask + 1);
        int64_t *ns = calloc(cap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slot[i]) {
                size_t j = idset_hash(s->slot[i]) & (cap - 1);
                while (ns[j])
                    j = (j + 1) & (cap - 1);
                ns[j] = s->slot[i];
            }
        if (s->slot != s->local)
            free(s->slot);
        s->slot = ns;
        s->mask = cap - 1;
    }
    size_t i = idset_hash(id) & s->mask;
    while (s->slot[i] && s->slot[i] != id)
        i = (i + 1) & s->mask;
    if (s->slot[i])
        return 0;
    s->slot[i] = id;
    s->used++;
    return 1;
}

void idset_free(idset *s)
{
    if (s->slot != s->local)
        free(s->slot);
    s->slot = NULL;
    s->mask = s->used = 0;
}
