/* objstore_stream.h — putting a large file into the object store without
 * holding it in memory (an original scan can be hundreds of megabytes, and
 * ingest promises a peak RSS far below that).
 *
 * With a backend that has local files (the directory backend) the bytes are
 * copied in 1 MiB chunks into a temp file beside the object (".NAME-TID.PID.tmp",
 * the directory backend's temp pattern, so a kill -9 leaves a temp that the next
 * objstore_open_dir removes), fsync'd and renamed into place: a reader sees no
 * object or the whole one. The S3 backend sends a file up to 8 MiB as one PUT
 * and a larger one as a multipart upload of 8 MiB parts, completed only after
 * the last chunk was seen: either way the object appears whole or not at all. */
#ifndef FACETAG_STORE_OBJSTORE_STREAM_H
#define FACETAG_STORE_OBJSTORE_STREAM_H

#include "store/objstore.h"

/* Sees each chunk as it is copied, in order, then once more with data == NULL at
 * the end; a non-zero return aborts the put (nothing is stored) and becomes its
 * result, with e filled in by the callback. */
typedef int (*objstore_chunk_fn)(const void *data, size_t len, void *ud, err *e);

/* Stores the whole content of the open regular file fd (read from offset 0 with
 * pread, so the file offset is untouched) under b/key. */
int objstore_put_fd(objstore *s, objstore_bucket b, const char *key, int fd, objstore_chunk_fn on_chunk, void *ud,
                    err *e);

/* Writes the whole object b/key into the open file fd (truncated first, written
 * from offset 0) without holding it in memory; ERR_NOTFOUND when absent. On
 * error fd holds a part of the object: the caller writes to a temp file. */
int objstore_get_fd(objstore *s, objstore_bucket b, const char *key, int fd, err *e);

#endif
