/* dates.h — dates in the archive's own words, German, English and ISO, with
 * their precision:
 *   "1977-02-14" "14.02.1977" "14.2.77" "14. Februar 1977" "February 14, 1977"
 *   "14 Feb 1977"                                   -> day
 *   "Februar 1977" "Febr. 77" "Feb. '77" "1977-02" "02/1977"   -> month
 *   "Sommer 1977" "summer of 1977" "Winter 1977/78" -> season (first month)
 *   "1977" "1977/78" "1977-78"                      -> year (year_end kept)
 *   "1970er" "70er Jahre" "1970s" "the '70s"        -> decade (first year)
 * "ca.", "circa", "um", "etwa", "about", "approx." before a date mark it approx.
 * Dates inside quotation marks are titles ("„1980“"), not dates. A camera's
 * frame number is not a year: in file names only 8-digit YYYYMMDD and
 * separated Y-M-D forms count (dates_in_filename).
 * No allocation escapes; nothing here reads past the text's NUL. */
#ifndef FACETAG_ANNOTATE_DATES_H
#define FACETAG_ANNOTATE_DATES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum date_precision {
    DATE_NONE = 0,
    DATE_DECADE,
    DATE_YEAR,
    DATE_SEASON,
    DATE_MONTH,
    DATE_DAY,
} date_precision;

typedef struct date_hit {
    int year, month, day; /* month/day 0 when not known */
    int year_end;         /* "1977/78": 1978; else 0 */
    date_precision precision;
    bool approx;       /* "ca. 1977" */
    size_t start, end; /* byte span in the text */
} date_hit;

/* Every date in text, left to right, into out[0..max); returns how many were
 * found (may exceed max: only max are stored). */
size_t dates_find(const char *text, date_hit *out, size_t max);

/* The most precise date of text (the first of equal precision) into *out;
 * false when text has none. */
bool dates_best(const char *text, date_hit *out);

/* A date in a file name (no folder): 19770214, 1977-02-14, 1977_02_14, 1977-02;
 * false when none. */
bool dates_in_filename(const char *name, date_hit *out);

/* The catalog's text of a date: "1977", "1977-02", "1977-02-14"; a season as
 * its first month ("1977-06"), a decade as its first year ("1970"). buf of at
 * least 11 bytes. */
void dates_format(const date_hit *d, char *buf, size_t size);

/* The precision's catalog word: "day", "month", "season", "year", "decade". */
const char *dates_precision_name(date_precision p);
/* The inverse; DATE_NONE for anything else. */
date_precision dates_precision_parse(const char *s);

#endif
