/* fsutil.h — the few file-system operations every stage needs, done safely:
 * whole-file reads, atomic writes (temp file, fsync, rename, fsync dir), mkdir -p. */
#ifndef FACETAG_CORE_FSUTIL_H
#define FACETAG_CORE_FSUTIL_H

#include "core/error.h"
#include <stddef.h>

/* Reads the whole file; *data is malloc'd (NUL-terminated one byte past *len),
 * caller frees. Files over max_bytes (0 = no limit) fail with ERR_LIMIT. */
int fsutil_read_all(const char *path, size_t max_bytes, void **data, size_t *len, err *e);
/* Writes data to path atomically: a reader sees the old file or the new one,
 * never a mix; after return the new content is on disk (file and dir fsync'd). */
int fsutil_write_atomic(const char *path, const void *data, size_t len, err *e);
/* Writes all len bytes to fd, retrying short writes and EINTR; 0, or -1 with errno. */
int fsutil_write_full(int fd, const void *data, size_t len);
/* mkdir -p with mode 0755; existing directories are fine. */
int fsutil_mkdirs(const char *path, err *e);
/* fsync a directory (after a rename in it). */
int fsutil_fsync_dir(const char *dir, err *e);
/* Writes the absolute, lexically cleaned form of path to buf: relative paths
 * get the current folder prefixed, empty and "." segments are dropped, ".."
 * and links are kept as they are (not resolved). ERR_INVALID when it does not
 * fit in size bytes, ERR_IO when the current folder cannot be read. */
int fsutil_absolute(const char *path, char *buf, size_t size, err *e);

#endif
