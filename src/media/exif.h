/* exif.h — turning the EXIF values libvips exposes into plain values.
 *
 * libvips reads EXIF into image fields named "exif-ifd0-Make",
 * "exif-ifd2-DateTimeOriginal", ... whose string form is
 * "VALUE (VALUE, ASCII, N components, M bytes)". These functions take that form
 * apart; they are pure (no libvips calls) so the rules are unit-tested alone. */
#ifndef FACETAG_MEDIA_EXIF_H
#define FACETAG_MEDIA_EXIF_H

#include <stddef.h>

/* Copies the plain VALUE of a libvips EXIF string to out (NUL-terminated,
 * truncated to size-1 bytes), trimmed of surrounding spaces and NULs. A string
 * not in libvips' "VALUE (VALUE, ...)" form is copied as it is, trimmed.
 * Returns the length written. */
size_t exif_vips_value(const char *vips_string, char *out, size_t size);

/* Converts an EXIF date "YYYY:MM:DD HH:MM:SS" (also "YYYY:MM:DD", or with '-'
 * separators) to ISO 8601 "YYYY-MM-DDTHH:MM:SS" / "YYYY-MM-DD" in out (32 bytes).
 * Returns 1 when converted, 0 (out = "") when the date is blank, all zeros or
 * not a date. */
int exif_datetime_iso(const char *exif_date, char out[32]);

#endif
