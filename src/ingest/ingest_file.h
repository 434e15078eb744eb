/* ingest_file.h — ingest of one input file, the work a worker thread does
 * (internal to src/ingest/): look up the path, sniff the content, hash it,
 * probe headers, decode every page into processed/, copy the original into
 * incoming/ (verifying that the stored bytes are the hashed ones), read the
 * sidecars. It writes objects but never the catalog: the result says what the
 * batch thread should record. */
#ifndef FACETAG_INGEST_INGEST_FILE_H
#define FACETAG_INGEST_INGEST_FILE_H

#include "ingest/ingest_back.h"
#include "media/decode.h"
#include "store/catalog.h"
#include "store/catalog_frames.h"
#include "store/objstore.h"

typedef enum ingest_file_kind {
    INGEST_FILE_FAILED = 0, /* reason set */
    INGEST_FILE_NEW,        /* photos[0..nphotos) to record */
    INGEST_FILE_DUPLICATE,  /* its bytes are photo_id, already in the catalog */
    INGEST_FILE_UNCHANGED,  /* path recorded with the same size and mtime */
    INGEST_FILE_METADATA,   /* the file at a recorded path holds other bytes but the same
                               pixels as its photo_id (another tool rewrote its metadata:
                               XMP face regions, say): the same photo, its regions read
                               again; no new photo */
} ingest_file_kind;

typedef struct ingest_file_result {
    ingest_file_kind kind;
    char *reason; /* malloc'd, for INGEST_FILE_FAILED */
    int64_t size, mtime_ns;
    char photo_id[PHOTO_ID_LEN + 1];
    catalog_photo *photos; /* malloc'd; photos[i].sidecar all point at `sidecar` */
    int nphotos;
    char *sidecar;         /* malloc'd JSON or NULL */
    catalog_frame *frames; /* malloc'd: frames of sheets or the video among photos[], to record after them */
    int nframes;
    ingest_back back;       /* is_back: photos[] are the back of a print */
    struct ingest_xmp *xmp; /* face regions of the file's XMP (ingest_xmp.h), or NULL; for a
                               file ingested before (DUPLICATE, UNCHANGED, METADATA) read
                               again, to be merged (catalog_xmp_regions_put) */
} ingest_file_result;

typedef struct ingest_file_ctx {
    objstore *store; /* shared, thread-safe */
    catalog *cat;    /* this worker's own handle, for reads */
    const decode_limits *limits;
    int sheets;                /* sheet_mode (media/sheet.h): split contact sheets */
    const char *back_names;    /* words naming backs of prints (media/backname.h); NULL: default */
    int64_t video_interval_ms; /* videos: keep a frame at least this often (media/video.h) */
    int video_threads;         /* videos: decoder threads */
    int slow_ms;               /* test hook: pause after each object written and
                                  * each MiB of an original copied */
} ingest_file_ctx;

/* Always fills *r (FAILED with a reason when anything goes wrong); free with
 * ingest_file_result_clear. */
void ingest_file(const ingest_file_ctx *ctx, const char *path, ingest_file_result *r);
void ingest_file_result_clear(ingest_file_result *r);

#endif
