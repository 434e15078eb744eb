/* analyze.h — the analyze stage: every ingested photo not yet analysed with the
 * current model version (pipeline_model_version) goes through the vision
 * pipeline; face crops with margin go to faces/{photo_id}/{face_no}.jpg, the
 * per-photo JSON (DESIGN.md) to annotations/{photo_id}.json, and the face rows
 * plus an analysis_runs row to the catalog in one transaction per photo.
 *
 * Crash safety: objects first, then the catalog transaction; a photo counts as
 * analysed only when its analysis_runs row says 'done', so kill -9 and a re-run
 * converge to an uninterrupted run's result (no face row twice).
 * After the photos, the faces of every video's frames are linked into
 * tracks (analyze/track.h).
 * Parallel: `threads` workers, one single-thread pipeline_runner each; the
 * calling thread alone writes the catalog and draws the progress bar. */
#ifndef FACETAG_ANALYZE_ANALYZE_H
#define FACETAG_ANALYZE_ANALYZE_H

#include "core/error.h"
#include "vision/pipeline.h"

#include <stdint.h>
#include <stdio.h>

typedef struct analyze_options {
    const char *data_dir;
    const char *models_dir;
    int threads; /* >= 1 */
    pipeline_options pipeline;
    int progress;   /* -1: bar when `messages` is a terminal; 0 never; 1 always */
    FILE *messages; /* reason lines and the bar (stderr) */
    /* NULL: every photo; else only these photo ids (n_only of them), e.g.
     * the photos a flip asks to read again (cli/cmd_flip.c) */
    const char *const *only;
    size_t n_only;
} analyze_options;

typedef struct analyze_summary {
    int64_t analyzed;           /* photos analysed in this run */
    int64_t skipped;            /* already done with this model version */
    int64_t failed;             /* each with a reason line and an analysis_runs 'failed' row */
    int64_t faces;              /* faces found in this run */
    int64_t kept;               /* of them, faces people decided on (or drew) that the detector did
                              not find again, kept as drawn faces (analyzing again after a flip) */
    int64_t videos;             /* videos whose face tracks were linked again (analyze/track.h) */
    int64_t video_faces;        /* faces in their frames */
    int64_t tracks;             /* tracks of two faces or more */
    int64_t tracked_faces;      /* faces in those tracks */
    int64_t sheet_turned;       /* contact sheets' frames with no face, read again turned
                              by their sheet's vote (sheet_vote.h), their sheet's frames
                              having been stored turned before */
    int64_t sheet_turned_faces; /* faces found in them so */
    int64_t upright_sheets;     /* contact sheets whose frames were stored turned by their vote
                              (frame_turn.h) */
    int64_t upright_frames;     /* their frames, all read again */
    int64_t upright_faces;      /* faces found in them so */
    double seconds;
} analyze_summary;

/* Returns 0 when the batch ran (see sum->failed), <0 when it could not run at
 * all (no data folder, models missing). */
int analyze_run(const analyze_options *opts, analyze_summary *sum, err *e);

#endif
