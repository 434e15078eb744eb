/* sheet.h — contact sheets and film strips: does a scan hold a sheet of frames,
 * and where is each frame.
 *
 * A contact sheet is strips of film laid side by side: frames of one size in
 * rows (or columns), separated by thin straight gaps of film base, with a
 * wider rebate (sprocket holes, frame numbers, edge print) between strips.
 * The film base is the one uniform tone of the sheet: black on a positive
 * print, bright on a scan of negatives. The detector works on a grey copy of
 * at most SHEET_WORK_EDGE pixels:
 *   1. polarity: the base is the darkest (positive) or brightest (negative)
 *      tone, or a peak just beside it when the darkest is the surround of a
 *      contact print (paper exposed through no film), and must cover a good
 *      part of the scan;
 *   2. skew: the angle (within +-SHEET_MAX_ANGLE degrees) at which the
 *      projection profiles of the base mask are sharpest (strip edges and
 *      frame gaps line up);
 *   3. layout, in the deskewed copy, for strips along x and along y: bands of
 *      frame rows between rebates (the frame height: their upper quartile);
 *      one pitch for the sheet where the strips' column profiles, folded
 *      modulo the pitch, are most regular (an F ratio), the gap as the run of
 *      phases that are base in every frame, each strip its own phase; each
 *      strip placed at the frame height where it holds the most content,
 *      edges refined where a frame's own columns and rows show them; paper
 *      in the film area (a row's run of non-base longer than half its width:
 *      beside a short last strip, a label) holds no band and no frame, and a
 *      frame needs film base in the rebate just above or below it, and a
 *      picture (a place whose tones spread no wider than its grain makes
 *      them is blank: paper beside a short strip, a holder);
 *   4. checks, so that an ordinary photo is never split: enough frames of one
 *      size, straight gaps of pure base between them, base around them, and
 *      strips of one height (a band shorter than the frames only where the
 *      placed frames have film base on both sides, as rebates).
 *   5. last, in SHEET_AUTO: frames that are one scene seen through a grid
 *      (a photo behind a window's bars) are no sheet (sheet_continuity.h).
 * Boxes are rotated rectangles in the coordinates of the image given.
 *
 * Errors: only ERR_NOMEM and ERR_INVALID (bad arguments); "not a sheet" is
 * a result (nframes == 0 with `why` saying which check failed). */
#ifndef FACETAG_MEDIA_SHEET_H
#define FACETAG_MEDIA_SHEET_H

#include "core/error.h"
#include <stdint.h>

#define SHEET_WORK_EDGE 1600 /* longest edge the detector looks at */
#define SHEET_MAX_ANGLE 5.0  /* degrees of skew searched either way */
#define SHEET_MAX_FRAMES 256

typedef enum sheet_mode {
    SHEET_OFF = 0, /* never split */
    SHEET_AUTO,    /* split what passes every check */
    SHEET_FORCE,   /* the input is a sheet: split whatever frames are found */
} sheet_mode;

/* "off", "auto", "force" -> mode; -1 for anything else. */
int sheet_mode_parse(const char *s);
const char *sheet_mode_name(sheet_mode m);

/* A frame: a rectangle of size w x h centred on (cx, cy), turned by angle
 * degrees (positive = counter-clockwise on the screen, y pointing down), in
 * pixels of the image given to sheet_detect. Frames are numbered as they lie
 * on the film: strip by strip (top to bottom, or left to right), frame by
 * frame along the strip. */
typedef struct sheet_frame {
    int no;    /* 1-based */
    int strip; /* 0-based */
    double cx, cy, w, h, angle;
} sheet_frame;

typedef struct sheet_result {
    int nframes; /* 0: not a sheet */
    sheet_frame frames[SHEET_MAX_FRAMES];
    double angle; /* skew of the sheet, degrees */
    int negative; /* 1: film base bright (scan of negatives) */
    int vertical; /* 1: strips run top to bottom */
    int upright;  /* quarter turns sheet_result_upright gave the frames (0: as found) */
    int strips;
    char why[160]; /* when nframes == 0: the check that failed */
} sheet_result;

/* The detector's shortcuts, on by default: work whose result is known
 * without doing it (a reading of the layout that would repeat one already
 * made, the skew's profiles summed by runs) is skipped. Off, every step runs
 * in full as it did before the shortcuts: for bench_sheet (the cost before
 * and after in one run) and test_sheet (the results identical). Process-wide. */
void sheet_set_shortcuts(int on);

/* Looks for a sheet in an 8-bit grey image (row-major, stride = width).
 * width, height >= 16. mode SHEET_OFF returns nframes 0 at once. */
int sheet_detect_grey(const uint8_t *grey, int width, int height, sheet_mode mode, sheet_result *out, err *e);

/* The same on an image from libvips (any bands and format; not consumed):
 * looked at through a shrunk grey copy, boxes in `in`'s pixels. */
typedef struct _VipsImage VipsImage;
int sheet_detect_image(VipsImage *in, sheet_mode mode, sheet_result *out, err *e);

/* A frame cut smaller than this (its longer side, pixels) is enlarged to it
 * in the same resampling that turns it upright: a 36 mm frame of a sheet
 * scanned at 300 dpi is ~430 px, and its faces are then below what the face
 * detector finds (bench_sheet: 18 of 23 faces of a group photo at 432 px,
 * 23 at 2x). */
#define SHEET_FRAME_MIN_EDGE 900

/* Cuts frame f out of `in` upright (turned back by its angle; bilinear, or
 * bicubic when enlarged to SHEET_FRAME_MIN_EDGE), as 8-bit sRGB; a scan of
 * negatives (negative = 1) comes out as a positive, levels stretched, and
 * grey when its colour is only a tone (black-and-white film: sepia inverted
 * would come out blue; sheet_image.c); a frame
 * clearly over- or under-exposed (mean below 0.3 or above 0.62 of full
 * scale) gets the gamma that brings its mean to 0.45 (power 0.5..2). *out is
 * a new image the caller unrefs. */
int sheet_frame_extract(VipsImage *in, const sheet_frame *f, int negative, VipsImage **out, err *e);

/* Which way up a frame's picture lies. Frames of strips that run top to
 * bottom (sheet_result.vertical) hold their pictures turned a quarter; the
 * strip's direction tells that much, not which way round (a sheet printed or
 * scanned either way). sheet_result_upright describes every frame of such a
 * sheet from its picture's top, guessed SHEET_VERTICAL_QUARTERS (the tops
 * towards the sheet's left), so that sheet_frame_extract cuts it upright;
 * analyze checks the guess against the faces found in the sheet's frames
 * (analyze/sheet_vote.h), which also catches a sheet that lies upside down.
 *
 * sheet_frame_turn: the picture lies `quarters` quarter turns counter-
 * clockwise from the frame's box as given; the box becomes the same
 * rectangle described from the picture's top (angle + 90 * quarters, in
 * (-180, 180], w and h swapped for an odd count; sheet_frame_corners then
 * starts at the picture's top-left). */
#define SHEET_VERTICAL_QUARTERS 1
void sheet_frame_turn(sheet_frame *f, int quarters);
/* Turns every frame of a vertical sheet by SHEET_VERTICAL_QUARTERS (once:
 * r->upright records it); other sheets are left as they are. */
void sheet_result_upright(sheet_result *r);

/* The four corners of a frame (x0,y0,...,x3,y3), clockwise from top-left. */
void sheet_frame_corners(const sheet_frame *f, double xy[8]);

/* Intersection over union of two rotated rectangles (exact, convex polygon
 * clipping). */
double sheet_frame_iou(const sheet_frame *a, const sheet_frame *b);

#endif
