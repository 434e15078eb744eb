/* decode.h — ingest's rules for reading an image file: what it is (by content,
 * never by name), whether it is safe to decode (pixel limit checked from the
 * header, before any pixel is decoded), and the unified working image
 * (EXIF orientation applied, sRGB, 8-bit JPEG, longest edge capped) made in one
 * shrink-on-load decode with sequential access, so a huge scan never sits
 * in memory whole.
 *
 * Call decode_init() once before decode_probe/decode_page; the sniffing
 * functions need no set-up. Errors: ERR_FORMAT (not an image we read,
 * or damaged), ERR_LIMIT (over --max-pixels), ERR_IO; messages name no file,
 * the caller prefixes the path. */
#ifndef FACETAG_MEDIA_DECODE_H
#define FACETAG_MEDIA_DECODE_H

#include "core/error.h"
#include <stddef.h>
#include <stdint.h>

typedef enum decode_format {
    DECODE_NONE = 0, /* not an image format we read */
    DECODE_JPEG,
    DECODE_PNG,
    DECODE_TIFF,
    DECODE_WEBP,
    DECODE_HEIF,
    DECODE_AVIF,
    DECODE_GIF,
    DECODE_PNM, /* PBM/PGM/PPM */
} decode_format;

/* How many leading bytes decode_sniff wants to see (fewer is fine for short files). */
#define DECODE_SNIFF_BYTES 64

/* Identifies the content from its first bytes. Returns the format, or
 * DECODE_NONE with *what (if not NULL) set to a short static description of what
 * the bytes are instead ("PDF document", "ZIP archive", "text", "unknown binary
 * data", ...). For a format we read, *what is its display name ("JPEG"). */
decode_format decode_sniff(const void *head, size_t n, const char **what);

/* "jpeg", "png", "tiff", "webp", "heif", "avif", "gif", "pnm" (catalog format). */
const char *decode_format_name(decode_format f);
/* The file extension for incoming/ keys: "jpg", "png", "tif", "webp", "heic",
 * "avif", "gif", "pnm". */
const char *decode_format_ext(decode_format f);
/* 1 when the file name's extension (case-insensitive) is one that people use
 * for images (ours and others, e.g. .bmp, .cr2), so content that is not an
 * image gets the reason "extension claims an image". */
int decode_name_claims_image(const char *name);

/* Starts libvips (image_init) and silences its warnings on stderr: damage is
 * reported as an error with a reason, and a second, half-understandable line
 * from the library would only confuse. Thread-safe, idempotent. */
int decode_init(err *e);

typedef struct decode_limits {
    int max_edge;       /* longest edge of the processed image; > 0 */
    int64_t max_pixels; /* refuse pages with width*height above this; > 0 */
} decode_limits;

typedef struct decode_info {
    decode_format format;
    int pages;         /* photos in the file: TIFF pages, else 1 */
    int width, height; /* of page 0 as stored (before orientation) */
    int orientation;   /* EXIF/TIFF orientation 1..8 */
    char taken_at[32]; /* ISO 8601 from EXIF DateTimeOriginal, or "" */
    char camera_make[64], camera_model[64];
} decode_info;

/* Reads the headers of the file at path (every page of a TIFF) without
 * decoding pixels: checks that libvips' loader agrees with `format`, that every
 * page is within limits->max_pixels, and fills *out. */
int decode_probe(const char *path, decode_format format, const decode_limits *limits, decode_info *out, err *e);

typedef struct decode_output {
    void *jpeg; /* the processed image as JPEG bytes; g_free'd by decode_output_free */
    size_t jpeg_len;
    int width, height;           /* of the processed image */
    int orig_width, orig_height; /* full resolution, after orientation */
    int orientation;             /* the orientation that was applied */
} decode_output;

/* Decodes one page (0 for single images) of the file at path into the unified
 * working image: orientation applied, sRGB, 8-bit, alpha flattened on white,
 * longest edge <= limits->max_edge (never enlarged), JPEG quality 90 without
 * metadata. Damaged or truncated data is an error, never a grey image.
 * The pixel limit is checked again from this page's header first. */
int decode_page(const char *path, decode_format format, int page, const decode_limits *limits, decode_output *out,
                err *e);
void decode_output_free(decode_output *o);

/* The same page as an image in memory for cutting (contact sheets):
 * orientation applied, sRGB, 8-bit, 3 bands, longest edge <= cap_edge
 * (shrink-on-load), decoded whole (random access). Caller unrefs *out. */
typedef struct _VipsImage VipsImage;
int decode_page_image(const char *path, decode_format format, int page, const decode_limits *limits, int cap_edge,
                      VipsImage **out, err *e);
/* Encodes an 8-bit sRGB image as a working image: longest edge <= max_edge,
 * JPEG quality 90 without metadata (as decode_page). */
int decode_encode(VipsImage *in, int max_edge, decode_output *out, err *e);

#endif
