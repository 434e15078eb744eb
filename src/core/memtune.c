/* memtune.c — see memtune.h. */
#include "core/memtune.h"

#include <malloc.h>

void memtune_large_buffers(void)
{
    /* Setting the threshold also turns glibc's dynamic adjustment off. */
    mallopt(M_MMAP_THRESHOLD, MEMTUNE_MMAP_BYTES);
}
