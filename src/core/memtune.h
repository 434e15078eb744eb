/* memtune.h — the process's allocator policy for photo-sized buffers. */
#ifndef FACETAG_CORE_MEMTUNE_H
#define FACETAG_CORE_MEMTUNE_H

/* Buffers of MEMTUNE_MMAP_BYTES and more (decoded photos, turned copies, padded
 * canvases, tile inputs) are mapped and unmapped on their own instead of being
 * carved from glibc's arenas. glibc otherwise raises its mmap threshold after
 * the first such buffer is freed (up to 32 MiB), keeps later ones in the arena
 * of each worker thread, and the process keeps their peak: measured on
 * bench_analyze's group-photos with 2 workers, peak RSS 388-420 MB -> 363 MB,
 * CPU time per photo unchanged (301 vs 317 ms, within noise). Call once, first
 * thing in main. */
#define MEMTUNE_MMAP_BYTES (256 * 1024)
void memtune_large_buffers(void);

#endif
