/* pipeline.h — the whole vision stage for one image: detector → 68 landmarks →
 * descriptor (aligned chip, or face-api's square in compat mode) → age/gender →
 * expression. Used by `facetag detect`, by the analyze stage (analyze.h) and by
 * the review server (a box drawn by hand: pipeline_describe_box).
 *
 * Two modes:
 *   compat (--compat faceapi)  exactly face-api's steps and thresholds: full
 *                              decode, legacy bilinear, axis-aligned crops, no
 *                              tiling, no canvas fallback, no rotation search;
 *   default                    what was measured better: antialiased detector
 *                              input, tiles for small faces in large images, a
 *                              padded-canvas pass when nothing is found, the
 *                              rotation search, aligned 150x150 chips.
 *
 * Sharing: pipeline_models (all weights + graphs) is loaded once per process
 * and read-only; each worker thread makes its own pipeline_runner (one thread
 * each: measured, two 1-thread runners beat one shared 2-thread pool under load). */
#ifndef FACETAG_VISION_PIPELINE_H
#define FACETAG_VISION_PIPELINE_H

#include "core/error.h"
#include "media/image.h"
#include "nn/nn.h"
#include "vision/crops.h"
#include "vision/expression.h"
#include "vision/recognizer.h"
#include "vision/tone.h"

#include <stdbool.h>
#include <stddef.h>

/* PIPELINE_NO_DETECTOR loads only the per-face networks: enough for
 * pipeline_describe_box (faces drawn by hand), and pipeline_run refuses it. */
typedef enum pipeline_detector { PIPELINE_SSD, PIPELINE_TINY, PIPELINE_NO_DETECTOR } pipeline_detector;

/* pipeline_options.mono */
typedef enum pipeline_tint { PIPELINE_TINT_CONFIRM, PIPELINE_TINT_OFF, PIPELINE_TINT_ALL } pipeline_tint;

typedef struct pipeline_options {
    pipeline_detector detector; /* default PIPELINE_SSD */
    double min_score;           /* default 0.5 (face-api's) */
    bool compat;                /* --compat faceapi */
    bool attributes;            /* age/gender + expression; default true */
    bool fp32;                  /* every network in fp32 on XNNPACK: oneDNN (bf16) is never started.
                                 * The review server's drawing engine; its results then differ
                                 * from a bf16 analysis' within bf16's rounding (descriptors by at
                                 * most ~0.01: test_recognizer_bf16; test_attributes_bf16). */
    /* Default mode, SSD: how a monochrome photo (grey or sepia, tone.h) reaches
     * the detector. CONFIRM (the default): as any photo, and also re-toned by
     * *tint (NULL: tone_default_tint()), whose detections may only raise the
     * score of a candidate the plain view scores above 0.05, to a face only
     * when the re-toned score outweighs a weak plain one (pipeline.c,
     * tint_confirm) — in the upright pass, its tiles and, when nothing there
     * is confident, the padded canvas — never add a face the plain view has
     * no candidate for
     * (docs/decisions/2026-12-07-monochrome-detector-tint.md).
     * ALL: every pass sees the re-toned photo (for measuring: it also finds
     * false faces in plain surfaces and turns rotated copies wrongly). OFF:
     * the plain photo only (revision p4's results). Landmarks, descriptors and
     * attributes always read the photo's own pixels. */
    pipeline_tint mono;
    const tone_tint *tint;
    /* Default mode, SSD: the clockwise turn (0, 90, 180, 270) that probably
     * makes the image upright, known from elsewhere (a contact sheet's other
     * frames: analyze/sheet_vote.h). The image is turned by it first and the
     * whole pass — orientation search, tiles, padded canvas — runs on the
     * turned view; pipeline_result.rotation is the whole turn, boxes stay in
     * the pixels of the image as given. Default 0. */
    int turn;
} pipeline_options;

/* Defaults of the measured-better mode (compat false). */
pipeline_options pipeline_default_options(void);

/* The version string recorded with every result (catalog faces.model_version,
 * annotations "model"): names the weights package, the networks and the pipeline
 * choices that change results, e.g. "face-api-1.7.15/ssd512-tiled+lm68+rec128-aligned/p1",
 * and "/bf16" at the end when default mode runs its networks in bf16. At most
 * 95 bytes (the catalog's model_version[96]). Static storage. */
const char *pipeline_model_version(const pipeline_options *opt);

typedef struct pipeline_face {
    rectd box;                      /* image pixels (x, y = top-left) */
    double score;                   /* detector score; for a drawn box, 1 */
    pointd points68[CROPS_NPOINTS]; /* image pixels, face-api order */
    pointd five[5];                 /* landmarks_five order: left_eye, right_eye, nose, mouth_left, mouth_right */
    float embedding[RECOGNIZER_DIM];
    bool has_attributes;
    float age;
    bool male;
    float gender_probability;
    float expressions[EXPRESSION_COUNT]; /* expression_kind order, softmax */
} pipeline_face;

typedef struct pipeline_result {
    pipeline_face *faces; /* n faces, detector order (highest score first); owned */
    size_t n;
    int rotation; /* clockwise degrees (0, 90, 180, 270) that made the image upright;
                             boxes/points are in the pixels of the image as given (not rotated) */
} pipeline_result;

void pipeline_result_free(pipeline_result *r);

typedef struct pipeline_models pipeline_models;
typedef struct pipeline_runner pipeline_runner;

/* Loads every network the options need from models_dir (errors name the model
 * file / tensor). Free with pipeline_models_free after all runners. */
pipeline_models *pipeline_models_load(const char *models_dir, const pipeline_options *opt, err *e);
void pipeline_models_free(pipeline_models *m);

/* A runner for one thread (threads NULL = the calling thread only). */
pipeline_runner *pipeline_runner_new(pipeline_models *m, nn_threads *threads, err *e);
void pipeline_runner_free(pipeline_runner *r);

/* Where a runner's time went, summed over its pipeline_run and
 * pipeline_describe_box calls since it was made (for benchmarks): the per-face
 * networks, and detect_ms = the rest of pipeline_run (detector passes,
 * rotation search, canvas, mapping back). faces = faces described. */
typedef struct pipeline_timing {
    double detect_ms, landmarks_ms, descriptor_ms, attributes_ms;
    size_t images, faces;
    size_t detector_passes; /* network runs of the SSD detector */
    /* Of those, by step of default mode (the first, upright pass is the rest):
     * the orientation search beyond it (mosaic, turned views), the tiles and
     * the padded-canvas pass. */
    size_t passes_orient, passes_tiles, passes_canvas;
    size_t passes_tint; /* the re-toned view's upright pass, tiles and canvas (PIPELINE_TINT_CONFIRM) */
} pipeline_timing;
pipeline_timing pipeline_runner_timing(const pipeline_runner *r);

/* Runs the whole stage on img (RGB8). out is filled (and owned by the caller). */
int pipeline_run(pipeline_runner *r, const image *img, const pipeline_options *opt, pipeline_result *out, err *e);

/* A face the detector missed, drawn by a person: landmarks, descriptor and
 * attributes for the box (image pixels); score is set to 1. ERR_INVALID when the
 * box does not overlap the image or is smaller than 8 px. */
int pipeline_describe_box(pipeline_runner *r, const image *img, rectd box, const pipeline_options *opt,
                          pipeline_face *out, err *e);

#endif
