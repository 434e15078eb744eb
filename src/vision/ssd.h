/* ssd.h — face-api's SSD MobileNetV1 face detector (NOTES §2) on XNNPACK:
 * 512x512 input (pad bottom/right, TF1 legacy bilinear, x/127.5-1), MobileNetV1
 * body, extra layers, six box predictors, prior-box decoding, sigmoid score,
 * greedy NMS (IoU 0.5), boxes back to image pixels exactly as face-api maps them.
 *
 * ssd_model holds the weights and the layer list (net.h): load it once per
 * process and share it. Each thread that detects makes its own ssd_runner
 * (activation memory + a net_runner); a runner is used by one thread at a time.
 *
 * Precision (net.h): a runner computes in fp32 on XNNPACK, or, on a CPU with
 * AMX or AMD's AVX512-BF16, in bfloat16 on oneDNN: 2.4-4x less CPU per pass,
 * boxes and scores within rounding of fp32 (test_ssd_bf16 measures them).
 * Every ssd_* function works with either. */
#ifndef FACETAG_VISION_SSD_H
#define FACETAG_VISION_SSD_H

#include "core/error.h"
#include "media/image.h"
#include "nn/net.h"
#include "nn/nn.h"
#include "vision/detection.h"
#include "vision/prep.h"

#define SSD_INPUT_SIZE 512
#define SSD_NUM_ANCHORS 5118

typedef struct ssd_model ssd_model;
typedef struct ssd_runner ssd_runner;

typedef struct ssd_options {
    double min_score; /* keep score > min_score (strict); face-api default 0.5 */
    int max_results;  /* face-api default 100 */
    int antialias;    /* 0: face-api's legacy 2x2-tap resize (--compat); 1: prep_square_area */
} ssd_options;

/* face-api's defaults: min_score 0.5, max_results 100, no antialiasing. */
ssd_options ssd_default_options(void);

/* Loads ssd_mobilenetv1_model from models_dir (weights.h rules and errors) and
 * lists its layers; the first runner of a precision builds that backend
 * (net.h). Caller frees with ssd_free after every runner is freed. */
ssd_model *ssd_load(const char *models_dir, err *e);
void ssd_free(ssd_model *m);
/* 2 x multiply-accumulates of the convolutions of one 512x512 inference. */
double ssd_flops(const ssd_model *m);

/* The model's network (net.h), read-only: for calibrating int8
 * (bench_int8_calibrate) and benchmarks. */
net_model *ssd_net(const ssd_model *m);

/* A runner of precision p: fp32 on the thread pool `threads` (NULL = the
 * calling thread), or bf16 on the calling thread — refused (ERR_INVALID, the
 * reason named: the CPU and oneDNN's ISA, or FACETAG_NO_BF16) where
 * bf16net_available() is 0. Caller frees with ssd_runner_free. */
ssd_runner *ssd_runner_new(ssd_model *m, nn_threads *threads, net_precision p, err *e);
void ssd_runner_free(ssd_runner *r);
/* How many times the runner has run the network (the cost of a detection). */
size_t ssd_runner_passes(const ssd_runner *r);

net_precision ssd_runner_precision(const ssd_runner *r);

/* Detects faces in img: appends them to out (score order, highest first), boxes
 * in img's pixels. 0, or an error (e set) naming the reason. */
int ssd_detect(ssd_runner *r, const image *img, const ssd_options *opt, det_list *out, err *e);

/* Faces that fill the frame (passport scans, tight crops) are too large for
 * the detector's anchors: detect on the image centred on a square canvas of
 * side ceil(scale * longest side) filled with `fill` (0..255 RGB). Boxes are in
 * img's pixels and may reach beyond it. scale in 1..8. As a fallback when
 * ssd_detect finds nothing at min_score 0.3, scale 2 with a zero fill raises
 * the faces-dev images with a face from 1747 to 2148 of 2155 (81.1 -> 99.7 %);
 * no group photo reaches the fallback (each has a face upright). */
int ssd_detect_canvas(ssd_runner *r, const image *img, const ssd_options *opt, double scale, const float fill[3],
                      det_list *out, err *e);

/* How sure a detection list is that it shows upright faces: the sum of the
 * log-odds of the scores above 0.5 (scores capped at 0.999) of faces[first..].
 * On group-photos, the upright view beats its 90/180/270-degree rotations by
 * this measure in 48 of 48 photos. */
double ssd_confidence(const det_list *l, size_t first);

/* Rotated scans without orientation metadata: detects upright and, when the
 * upright confidence (ssd_confidence) is below min_confidence, also on the
 * image rotated clockwise by 90, 180 and 270 degrees, keeping the rotation
 * with the highest confidence (upright wins ties). *degrees is the clockwise
 * rotation to apply to img (prep_rotate) to make it upright; out gets the
 * detections in that rotated image's pixels. min_confidence INFINITY always
 * tries all four (measured: 144/144 rotated copies of group-photos restored);
 * 8 (~ two faces at 0.98) restores 135/144 and costs the extra passes on 25
 * of 48 upright photos; 0 never rotates. */
int ssd_detect_oriented(ssd_runner *r, const image *img, const ssd_options *opt, double min_confidence, int *degrees,
                        det_list *out, err *e);

/* Small faces in large images (not face-api compatible): the whole-image pass plus
 * passes over overlapping square tiles of `tile` image pixels, so that faces of
 * ~20-40 px, which the 512 px whole-image input shrinks below the smallest
 * anchor, reach the network at a usable size. Tile detections cut by an inner
 * tile edge are dropped; all detections are merged highest score first,
 * dropping a box whose IoU with a kept one exceeds merge_iou or that lies more
 * than half inside one. Tiles run only when the longest side exceeds 1.25 tiles.
 * On the 73 ground-truth faces of group-photos (IoU >= 0.3): ssd_detect 61
 * (precision 0.984), tiles of 640: 71 (1.000), 800: 70, 960: 65, 384: 72. A
 * 1920x1280 photo takes 13 passes with 640 px tiles, 7 with 800. */
typedef struct ssd_tiling {
    int tile;         /* tile side in image pixels (>= 64); default 640 */
    double overlap;   /* fraction of the tile shared with the neighbour; default 0.25 */
    double merge_iou; /* default 0.3 */
    int max_tiles;    /* more would be needed: tiles grow by 1.25x until they fit; 1..64, default 16 */
    prep_rect area;   /* tile only this part of the image (w or h 0: all of it; default) */
} ssd_tiling;
ssd_tiling ssd_default_tiling(void);
int ssd_detect_tiled(ssd_runner *r, const image *img, const ssd_options *opt, const ssd_tiling *tiling, det_list *out,
                     err *e);
/* The same when the whole-image pass (ssd_detect on img with opt) has already
 * run: `whole` holds its detections, and only the tiles run. */
int ssd_detect_tiled_after(ssd_runner *r, const image *img, const ssd_options *opt, const ssd_tiling *tiling,
                           const det_list *whole, det_list *out, err *e);

/* The steps of ssd_detect, for tests and benchmarks. */
/* Runs the network on the prepared (padded, resized, not normalised) 512x512x3
 * input `input` (0..255): boxes gets 5118x4 decoded [ymin,xmin,ymax,xmax] in
 * padded-square units, scores 5118 sigmoid scores; either may be NULL. */
int ssd_infer(ssd_runner *r, const float *input, float *boxes, float *scores, err *e);
/* NMS and the mapping to pixels for an image of width x height. */
int ssd_postprocess(const float *boxes, const float *scores, int width, int height, const ssd_options *opt,
                    det_list *out, err *e);

#endif
