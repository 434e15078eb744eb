/* image.h — decoded 8-bit RGB images in memory, the form every network reads.
 * Decoding goes through libvips (media/decode.h for ingest's full rules). */
#ifndef FACETAG_MEDIA_IMAGE_H
#define FACETAG_MEDIA_IMAGE_H

#include "core/error.h"
#include <stdint.h>

typedef struct image {
    int width, height;
    uint8_t *rgb; /* width*height*3 bytes, row-major, interleaved RGB; owned */
} image;

/* Initialises libvips once per process (thread-safe); returns 0 or ERR_INTERNAL.
 * Code that calls vips_* itself must call this (or decode_init) first, before
 * it starts threads: libvips' own lazy start on first use is not thread-safe,
 * and two threads reaching it together crash (a quarter of 2-thread starts did
 * in a test program against Debian 12's libvips 8.14). */
int image_init(const char *argv0, err *e);

/* Loads path as 8-bit sRGB RGB: alpha dropped, grey expanded, 16-bit scaled.
 * autorotate: apply EXIF orientation. max_edge > 0: shrink on load so that the
 * longest edge is at most max_edge (antialiased); 0 keeps full resolution, and
 * then truncated or damaged data is an error (ERR_FORMAT), not a grey image.
 * Caller frees with image_free. */
int image_load_rgb(const char *path, int autorotate, int max_edge, image *out, err *e);
/* The fast path to a network input from a large JPEG: libjpeg's DCT scaling
 * (shrink-on-load by 2, 4 or 8, the largest that keeps the longest edge >=
 * min_edge), no further resize — the caller's antialiased resize
 * (prep_square_area) does the rest, so no pixel is resampled twice. Other
 * formats are decoded at full size. Same conversions as image_load_rgb
 * (autorotate applies EXIF orientation). */
int image_load_rgb_shrunk(const char *path, int autorotate, int min_edge, image *out, err *e);
/* Same from bytes in memory. */
int image_load_rgb_buffer(const void *data, size_t len, int autorotate, int max_edge, image *out, err *e);
void image_free(image *img);

#endif
