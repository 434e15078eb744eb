/* ingest.h — the ingest stage: files and folders in, photos out.
 *
 * For every input file: identify it by content (SHA-256 of the bytes; photo_id
 * is its first 16 hex digits), refuse what is not a readable image with one
 * reason, keep the original bytes in incoming/{photo_id}.{ext}, make the working
 * image processed/{photo_id}.jpg in one shrink-on-load decode, read EXIF and
 * sidecars, and record it all in the catalog. Every page of a multi-page TIFF is
 * a photo of its own (hash_page_id, core/hash.h), sharing the file's original.
 * A page that is a contact sheet or film strip scan (media/sheet.h,
 * opts->sheets) stays a photo and its frames become photos of their own
 * (ingest_frame_id, parent = the page, store/catalog_frames.h), recorded in
 * the same transaction as the file. A file that is the back of a print
 * (ingest_back.h) is recorded as a back, never analysed, and paired with its
 * front at the end of the run.
 * the same transaction as the file. A video file (media/video.h) is a photo
 * whose frames kept at scene changes and every opts->video_interval_ms are
 * photos of their own the same way (ingest_video.h).
 *
 * Crash safety: objects are written atomically first, then one catalog
 * transaction per file records its photos and path, so a kill at any moment
 * and the same command again converge to the result of an uninterrupted run.
 * A path recorded with the same size and mtime is "unchanged" and not read.
 *
 * Parallel: `threads` workers hash, probe, decode and encode; the calling
 * thread alone writes the catalog, prints reasons and draws the progress bar. */
#ifndef FACETAG_INGEST_INGEST_H
#define FACETAG_INGEST_INGEST_H

#include "core/error.h"
#include "core/hash.h"
#include "media/decode.h"
#include <stdint.h>
#include <stdio.h>

typedef struct ingest_options {
    const char *data_dir;
    int threads;               /* >= 1 */
    decode_limits limits;      /* max_edge, max_pixels */
    int progress;              /* -1: bar when stderr is a terminal; 0 never; 1 always */
    FILE *messages;            /* where reason lines and the bar go (stderr) */
    int sheets;                /* sheet_mode (media/sheet.h): 0 off, 1 auto (default in the CLI), 2 force */
    const char *back_names;    /* comma-separated words naming backs of prints ("back,verso,r,..."),
                             * media/backname.h; NULL: BACKNAME_WORDS_DEFAULT */
    int64_t video_interval_ms; /* videos: a frame at least this often, 0 scene changes only
                                * (default VIDEO_DEFAULT_INTERVAL_MS in the CLI) */
} ingest_options;

typedef struct ingest_summary {
    int64_t ingested;       /* input files that added new photos */
    int64_t duplicates;     /* files whose bytes were already a photo: path added */
    int64_t failed;         /* inputs refused, each with one reason line */
    int64_t unchanged;      /* paths already recorded with the same size and mtime */
    int64_t metadata;       /* files at recorded paths whose bytes changed but not their pixels:
                         * only their metadata was rewritten (XMP regions read again) */
    int64_t xmp_regions;    /* face regions new in the XMP of files ingested before (their
                          * sidecar, or the file itself for `metadata`), for analyze */
    int64_t photos;         /* photos added (pages of multi-page files and frames of sheets count each) */
    int64_t sheets;         /* pages found to be contact sheets and split */
    int64_t frames;         /* frames cut from them (counted in photos too) */
    int64_t backs;          /* input files that are backs of prints (ingest_back.h) */
    int64_t backs_paired;   /* backs paired with their front in this run */
    int64_t backs_unpaired; /* backs in the catalog with no front (yet) */
    int64_t videos;         /* video files ingested */
    int64_t video_frames;   /* frames kept from them (counted in photos too) */
    int64_t bytes;          /* bytes of the files read */
    double seconds;         /* wall time of the batch */
} ingest_summary;

/* Ingests the inputs paths[0..npaths) (files and folders, recursively) into the
 * data folder. Each refused input gets one line "PATH: REASON" on
 * opts->messages (PATH with control and non-UTF-8 bytes escaped) and a failure
 * row in the catalog; the batch goes on. Returns 0 when the batch ran (whatever
 * failed, see sum->failed), <0 when it could not run at all (data folder or
 * catalog unusable). */
int ingest_run(const ingest_options *opts, char *const *paths, int npaths, ingest_summary *sum, err *e);

/* The photo_id of frame n (1-based) of a sheet or video photo: the first 16
 * hex digits of SHA-256("<parent photo_id>#frame=N"). */
void ingest_frame_id(const char parent_id[PHOTO_ID_LEN + 1], int n, char id[PHOTO_ID_LEN + 1]);

/* Writes path to buf for a message line: bytes below 0x20, 0x7f, '\\' and
 * bytes that are not valid UTF-8 are escaped (\n, \t, \\, \xNN), so a name
 * always stays on one line and shows what it holds. */
void ingest_display_path(const char *path, char *buf, size_t size);

#endif
