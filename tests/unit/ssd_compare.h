/* ssd_compare.h — the SSD detector in a lower precision (bf16, int8) against
 * the fp32 runner, for test_ssd_bf16 and test_ssd_int8: the same faces by a
 * rule with each precision's own bounds, the raw anchors, the canvas and tiled
 * entry points, and runners made on two threads at once. Results go to
 * testutil's CHECK counters; figures are printed. */
#ifndef FACETAG_TEST_SSD_COMPARE_H
#define FACETAG_TEST_SSD_COMPARE_H

#include "nn/net.h"
#include "vision/ssd.h"

#include <glob.h>

typedef struct ssd_bounds {
    const char *name;      /* the precision, in messages: "bf16", "int8" */
    double near_threshold; /* a face this close to the 0.5 threshold may be in one list only */
    double score_tol;      /* |score difference| of the two boxes of one face */
    double same_face_iou;  /* two boxes at least this close are one face */
    double anchor_tol;     /* |score difference| of one anchor (ssd_infer) */
    double corner_tol;     /* a likely face's box corner, in units of the 512 square */
} ssd_bounds;

/* The 14 parity PNGs (shared/reference) and the 6 demo photos (beside the
 * models) into g (globfree it); checks that all 20 are there. */
void ssd_compare_images(const char *shared, const char *models, glob_t *g);
/* Every image of g through both runners (ssd_detect): each face of one list
 * matches a face of the other or is near the threshold; at most 2 of fp32's
 * faces go unmatched, of at least 80. Prints the score differences. */
void ssd_compare_set(ssd_runner *r32, ssd_runner *rq, const glob_t *g, const ssd_bounds *b);
/* ssd_detect_canvas (2x, on crop) and ssd_detect_tiled (on big) by the same rule. */
void ssd_compare_canvas_tiled(ssd_runner *r32, ssd_runner *rq, const char *crop, const char *big, const ssd_bounds *b);
/* ssd_infer's per-anchor scores, and box corners of anchors over 0.3, on one image. */
void ssd_compare_anchors(ssd_runner *r32, ssd_runner *rq, const char *path, const ssd_bounds *b);

/* A runner of precision prec made on a fresh thread, run twice on img; the
 * thread's OpenMP count is set to 2 first, and the process's threads are
 * counted before and after. */
typedef struct ssd_compare_job {
    ssd_model *m;
    const image *img;
    net_precision prec;
    det_list out;
    err e;
    int rc;
    int threads_before, threads_after;
} ssd_compare_job;
void *ssd_compare_job_run(void *arg);
/* Two such jobs at once get rq's one-thread result on path. */
void ssd_compare_concurrent(ssd_model *m, ssd_runner *rq, net_precision prec, const char *path);

#endif
