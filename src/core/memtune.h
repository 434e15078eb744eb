/* memtune.h — the process's allocator policy for photo-sized buffers. */
#ifndef FACETAG_CORE_MEMTUNE_H
#define FACETAG_CORE_MEMTUNE_H

/* One malloc arena for all threads, so photo-sized buffers freed by one
 * analyze worker are reused by any other and the peak is what the workers hold
 * at once (measurements: docs/decisions/2026-12-01-memtune-one-arena.md).
 * Call once, first thing in main, before any thread starts. */
void memtune_large_buffers(void);

#endif
