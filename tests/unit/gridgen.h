/* gridgen.h — inputs that tempt the contact-sheet finder, for
 * test_sheet_grid and bench_sheet_grid: an ordinary photo seen through a
 * window (a grid of dark bars over one scene), and the frames of a burst of
 * one scene (the same scene, shifted a little from frame to frame, as a
 * camera takes it on film). */
#ifndef FACETAG_TESTS_GRIDGEN_H
#define FACETAG_TESTS_GRIDGEN_H

#include "core/error.h"

typedef struct _VipsImage VipsImage;

/* The photo scaled so that its longer side is `edge` px, grey (grey = 1) or
 * sRGB, with a window of cols x rows panes drawn over it: bars and a frame
 * round it bar_frac of the longer side wide, grey level `tone`; through JPEG
 * (q 90) as a camera's file would be. *out: a new image the caller unrefs. */
int gridgen_window(const char *photo, int edge, int cols, int rows, double bar_frac, int tone, int grey,
                   VipsImage **out, err *e);

/* n frames of a burst of the photo: crops frac of its width (its full
 * height), the k-th shift of its width further along (k = 0..n-1), written
 * as dir/burst-TAG-K.jpg; paths[k] are malloc'd (the caller frees them). */
int gridgen_burst(const char *photo, const char *dir, const char *tag, int n, double frac, double shift, char **paths,
                  err *e);

#endif
