/* memtune.h — the process's allocator policy for photo-sized buffers. */
#ifndef FACETAG_CORE_MEMTUNE_H
#define FACETAG_CORE_MEMTUNE_H

/* One malloc arena for all threads. Each analyze worker allocates and frees
 * photo-sized buffers (decoded photos, turned copies, padded canvases, tile
 * inputs, chips) for every photo. glibc's own policy keeps them in an arena
 * per thread once its dynamic mmap threshold has risen, so the process holds
 * the peak of every worker; mapping each buffer on its own instead (a fixed
 * 256 KiB threshold, this module's first policy) kept RSS low but paid a page
 * fault per 4 KiB on every photo. One arena keeps freed buffers for reuse by
 * any worker: the peak is what the workers hold at once.
 *
 * bench_analyze, 2 workers, 2-vCPU EPYC (Zen 5), img/s and peak RSS, groups:
 *   mapped (256 KiB threshold)  default 12.6 / 294 MB, compat 15.8 / 388 MB
 *   glibc's default             default 16.0 / 344 MB, compat 20.6 / 437 MB
 *   one arena (this)            default 15.4 / 294 MB, compat 17.6 / 392 MB
 * and on the six demo photos default 12.1 -> 22.4 img/s (decode 63 -> 11 ms a
 * photo: the faults were most of it). Call once, first thing in main. */
void memtune_large_buffers(void);

#endif
