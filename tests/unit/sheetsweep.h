/* sheetsweep.h — the contact-sheet splitter over many generated sheets, per
 * layout (test_sheet's fast floor, bench_sheet --sweep for `make check-full`
 * and `make bench`).
 *
 * Fixed sheets hide failure rates (issue 13: 298 of 300 frames on the fixed
 * sheets while 6 of 10 random 120-film 4x3 sheets were not split), so each
 * sheet here is drawn from a seed: for every layout (35 mm 6x6, 35 mm with a
 * short last strip, a single 35 mm strip, 120 film 3x4 and 4x3, 120 with a
 * short last strip) the seed picks the angle (uniform in +-3 degrees), print
 * or scan of negatives, grey or sepia, strips along or across, a paper margin
 * or none, the grain, the scan's size and the photos; the generator makes a
 * few frames over- or under-exposed. Each sheet goes through JPEG (q 85) and
 * sheet_detect_image, as ingest sees a scan; frames found = IoU >= 0.9 with
 * the truth (sheetgen_score). */
#ifndef FACETAG_TESTS_SHEETSWEEP_H
#define FACETAG_TESTS_SHEETSWEEP_H

#include "core/error.h"
#include "sheetgen.h"

#include <stdio.h>

typedef enum sheetsweep_layout {
    SWEEP_35_6X6 = 0, /* 35 mm, 6 strips of 6 */
    SWEEP_35_SHORT,   /* 35 mm, 4..7 strips of 5 or 6, the last one short */
    SWEEP_35_STRIP,   /* 35 mm, one or two strips of 6 */
    SWEEP_120_3X4,    /* 120 film, 3 strips of 4 */
    SWEEP_120_4X3,    /* 120 film, 4 strips of 3 */
    SWEEP_120_SHORT,  /* 120 film, 3x4 or 4x3 with the last strip short */
    SWEEP_NEG_HOLDER, /* a scan of negatives in a dark holder (35 mm or 120) */
    SWEEP_LAYOUTS
} sheetsweep_layout;

typedef struct sheetsweep_row {
    int sheets, frames, found, extra, not_split, sheets_short; /* sheets_short: split, a frame missed */
    double iou_sum;
} sheetsweep_row;

typedef struct sheetsweep {
    sheetsweep_row row[SWEEP_LAYOUTS];
    double detect_s; /* CPU seconds in sheet_detect_image */
} sheetsweep;

/* The layout's name for the table. */
const char *sheetsweep_name(sheetsweep_layout l);

/* "35-6x6,120-short" (keys as sheetsweep_keys lists; "all" or NULL: every
 * layout) -> a bit per layout; -1 for an unknown key. */
long sheetsweep_mask(const char *list);
const char *sheetsweep_keys(void);

/* The sheet drawn for layout l and seed (deterministic). max_edge bounds the
 * scan's longer side (pixels; 0: the sweep's default, 1400..2600). */
void sheetsweep_spec(sheetsweep_layout l, unsigned seed, int max_edge, sheetgen_spec *out);

/* One line describing a spec (to reproduce it with bench_sheet --make). */
void sheetsweep_describe(const sheetgen_spec *sp, char *buf, size_t size);

/* Makes, detects and scores the sheet of (l, seed) into sw; photos (cycled)
 * from the seed. log (may be NULL) gets a line for every sheet not split or
 * with a frame missed or an extra box, and for every sheet when verbose. */
int sheetsweep_one(sheetsweep_layout l, unsigned seed, int max_edge, const char *const *photos, int nphotos,
                   sheetsweep *sw, FILE *log, int verbose, err *e);

/* seeds seed0 .. seed0+n-1 over every layout whose bit is set in mask. */
int sheetsweep_run(unsigned mask, unsigned seed0, int n, int max_edge, const char *const *photos, int nphotos,
                   sheetsweep *sw, FILE *log, int verbose, err *e);

/* The per-layout table and the totals. */
void sheetsweep_print(const sheetsweep *sw, FILE *out);

/* Totals over the layouts in mask. */
sheetsweep_row sheetsweep_total(const sheetsweep *sw, unsigned mask);

#endif
