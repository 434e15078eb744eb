/* memtune.c — see memtune.h. */
#include "core/memtune.h"

#include <malloc.h>

void memtune_large_buffers(void)
{
    /* Unlike M_MMAP_THRESHOLD, this leaves glibc's dynamic mmap threshold on. */
    mallopt(M_ARENA_MAX, 1);
}
