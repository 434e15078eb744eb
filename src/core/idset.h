/* idset.h — a set of positive integer ids (open addressing, 0 = empty slot):
 * "was this id met before?" for answers that list each id once, in the order
 * first met. The first 32 ids live in the struct itself, past that on the
 * heap. Not thread-safe; one owner.
 *
 * Start from a zeroed struct (`idset s = { 0 }` or a zeroed member) and do not
 * copy or move it once an id is added (it may point into itself); release it
 * with idset_free. */
#ifndef FACETAG_CORE_IDSET_H
#define FACETAG_CORE_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct idset {
    int64_t local[64], *slot;
    size_t mask, used;
} idset;

/* 1 when id (> 0) was new and is now in the set, 0 when it was already there,
 * -1 when out of memory (the set is unchanged). */
int idset_add(idset *s, int64_t id);

/* Frees what the set took from the heap; the struct may be zeroed and reused. */
void idset_free(idset *s);

#endif
