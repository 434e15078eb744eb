/* sheetgen.h — contact sheets with known frame boxes, for test_sheet and
 * bench_sheet: photos laid out like real film (35 mm strips with sprocket
 * holes, 120 roll film 6x6), film base, frame numbers and edge print, grey or
 * sepia, positive print or scan of negatives, over- and under-exposed frames,
 * rotated, with scan noise. Pixels are made here in C; libvips only loads and
 * crops the photos and renders the edge-print text. */
#ifndef FACETAG_TESTS_SHEETGEN_H
#define FACETAG_TESTS_SHEETGEN_H

#include "core/error.h"
#include "media/sheet.h"
#include <stdint.h>

#define SHEETGEN_MAX 64

typedef struct sheetgen_spec {
    int film; /* 35 (36x24 frames, holes) or 120 (56x56 frames) */
    int strips, per_strip;
    double px_per_mm; /* scan resolution */
    double angle;     /* degrees, counter-clockwise */
    int negative;     /* 1: a scan of negatives (bright base, inverted frames) */
    int sepia;
    int paper_margin; /* 1: white paper around the film */
    int vertical;     /* 1: strips run top to bottom */
    int turn;         /* with vertical, how the across sheet became vertical:
                       * 0: transposed (its pictures mirrored; the sweeps and
                       * test_sheet, as made since session 3); 1: turned a
                       * quarter counter-clockwise (the pictures' tops to the
                       * left), -1: clockwise (tops to the right) — a real
                       * sheet of vertical strips, or one scanned sideways */
    double noise;     /* grain: sigma of added noise, grey levels */
    int last_strip;   /* frames on the last strip (0: per_strip); the film of a
                       * short last strip ends after them and the paper beyond
                       * it stays white, as under a printing frame's mask */
    unsigned seed;    /* which frames are over/under-exposed, the noise */
} sheetgen_spec;

typedef struct sheetgen_sheet {
    int width, height;
    uint8_t *rgb; /* malloc'd, width*height*3 */
    int nframes;
    sheet_frame truth[SHEETGEN_MAX]; /* in the sheet's pixels, numbered as on the film */
    int photo[SHEETGEN_MAX];         /* index into the photos given */
    double gamma[SHEETGEN_MAX];      /* exposure of each frame (1 = normal) */
    int frame_w, frame_h;            /* pixels of one frame before rotation */
} sheetgen_sheet;

/* The sheet's size before rotation, millimetres (after the transpose of a
 * vertical sheet). */
void sheetgen_size_mm(const sheetgen_spec *spec, double *w_mm, double *h_mm);

/* Lays photos[first..] (cycling) into a sheet. */
int sheetgen_make(const sheetgen_spec *spec, const char *const *photos, int nphotos, int first, sheetgen_sheet *out,
                  err *e);
void sheetgen_free(sheetgen_sheet *s);

/* A photo as a frame holds it: centre crop to w x h, 8-bit RGB (malloc'd). */
int sheetgen_photo_crop(const char *path, int w, int h, uint8_t **rgb, err *e);

/* Writes RGB pixels as a JPEG (quality q). */
int sheetgen_write_jpeg(const char *path, const uint8_t *rgb, int w, int h, int q, err *e);

/* RGB -> grey (Rec.601 luma), malloc'd. */
uint8_t *sheetgen_grey(const uint8_t *rgb, int w, int h);

/* Image files (.jpg .jpeg .png) under dir, recursively, sorted by path;
 * *paths malloc'd (free with sheetgen_list_free). */
int sheetgen_list_images(const char *dir, char ***paths, int *n);
void sheetgen_list_free(char **paths, int n);

/* The group photos of the shared data (FACETAG_SHARED/data/group-photos),
 * listed as sheetgen_list_images lists them: 0 (*n may be 0 if the folder is
 * empty or missing), or -1 with *paths NULL and *n 0 when there is no shared
 * data at all, for the caller to skip. */
int sheetgen_group_photos(char ***paths, int *n);

/* Frames of truth found: a detected frame not yet matched with IoU >= min_iou.
 * *mean_iou: mean IoU of the matches. */
int sheetgen_score(const sheet_frame *truth, int nt, const sheet_frame *found, int nf, double min_iou,
                   double *mean_iou);

/* 1 when two results of sheet_detect are the same: every frame box to the
 * bit, the angle, polarity, direction, strips, and the reason (why). */
int sheetgen_same_result(const sheet_result *a, const sheet_result *b);

#endif
