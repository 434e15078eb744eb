/* jpeg_compat.h — JPEG decoding that gives the pixels jpeg-js 0.4.4 gives (the
 * decoder face-api's reference harness uses), for `--compat faceapi`: the
 * entropy-coded coefficients come from libjpeg(-turbo) (jpeg_read_coefficients,
 * lossless, every JPEG variant it reads), then jpeg-js's integer IDCT (poppler's
 * Loeffler port, 32-bit wrap-around included), its nearest-sample chroma
 * upsampling and its double-precision YCbCr -> RGB with truncation are redone
 * here step for step. libjpeg's own IDCT, fancy upsampling and fixed-point colour
 * conversion differ from jpeg-js by a few levels per pixel, enough to move a
 * detection across the 0.5 threshold. No EXIF orientation is applied (jpeg-js
 * applies none). Greyscale JPEGs come out as R = G = B; CMYK JPEGs and every
 * other format are decoded by libvips (image_load_rgb, no rotation), which for
 * the lossless formats gives the same pixels as the reference's decoders. */
#ifndef FACETAG_MEDIA_JPEG_COMPAT_H
#define FACETAG_MEDIA_JPEG_COMPAT_H

#include "core/error.h"
#include "media/image.h"

/* Loads path as RGB8 as the reference harness would. ERR_IO when it cannot be
 * read, ERR_FORMAT when damaged (message names the file). Free with image_free. */
int jpeg_compat_load(const char *path, image *out, err *e);

#endif
