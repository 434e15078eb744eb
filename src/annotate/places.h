/* places.h — places by a gazetteer: GeoNames' cities (Debian's libgeonames:
 * about 24,000 cities of 15,000 people or more, with coordinates, country and
 * population) under their English names and the translations libgeonames
 * ships (/usr/share/locale/LANG/LC_MESSAGES/geonames.mo: "Tokio", "Rom",
 * "München", "Lissabon"), plus phrases an archive itself uses for a place
 * (gazetteer_add).
 *
 * A place is read only where text names it as a place: a whole field of the
 * text (between commas, dashes, parentheses, colons, or at its start) that is
 * a gazetteer name followed by nothing capitalised ("Wuppertal", "New York,
 * BAM", "Paris 1977"), or a name after "in", "at", "bei", "nach", "aus", "im".
 * So "Marion Cito" is a person, not Marion (Ohio), and a title in quotes is
 * not a place. Ambiguous names take the most populous city. */
#ifndef FACETAG_ANNOTATE_PLACES_H
#define FACETAG_ANNOTATE_PLACES_H

#include "annotate/text.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct place_info {
    const char *name;    /* the gazetteer's English name, or the archive's phrase */
    const char *country; /* "Germany"; "" when unknown */
    int64_t geonames_id; /* 0 for an archive phrase */
    double lat, lon;     /* NAN when unknown */
    uint32_t population;
} place_info;

typedef struct gazetteer gazetteer;

/* An empty gazetteer (for tests and for archive phrases alone); NULL when out
 * of memory. */
gazetteer *gazetteer_new(void);
/* Adds libgeonames' cities with their English names and the translations of
 * the languages langs (NULL-terminated, e.g. {"de", "fr", NULL}); a missing
 * translation file is skipped. ERR_NOTFOUND when libgeonames has no cities. */
int gazetteer_load_geonames(gazetteer *g, const char *const *langs, err *e);
/* Adds name (any spelling; folded for lookup) for place info (copied). An
 * existing name keeps the more populous place. 0 or ERR_NOMEM. */
int gazetteer_add(gazetteer *g, const char *name, const place_info *info, err *e);
/* The place of a name as written (folded here), or NULL. */
const place_info *gazetteer_lookup(const gazetteer *g, const char *name, size_t len);
size_t gazetteer_size(const gazetteer *g);
void gazetteer_free(gazetteer *g);

typedef struct place_hit {
    const place_info *place;
    size_t start, end; /* the name's byte span in the text */
    int strength;      /* 2: after a preposition, or the whole field ("Paris", "Paris 1977");
                          1: the start of a field that goes on in lower case ("Reading of …") */
} place_hit;

/* Every place named in text as a place (see above), left to right, into
 * out[0..max); returns the count found (may exceed max). A name inside a date
 * ("March 1973", "in May 1980") is no place. */
size_t places_find(const gazetteer *g, const char *text, place_hit *out, size_t max);
/* The index of the strongest of h[0..n) (n > 0), the leftmost of equals. */
size_t places_best(const place_hit *h, size_t n);

/* Token t ends a field of text (, ; : ( ) [ ] / | - – — newline, quotation marks). */
bool places_field_break(const char *text, const text_tok *t);
/* Token t is a word that puts a place after it ("in", "at", "im", "bei", "nach", "aus", "near", "from"). */
bool places_is_preposition(const char *text, const text_tok *t);

/* The default languages of gazetteer_load_geonames: German, French, Italian,
 * Spanish, Dutch, Portuguese. */
extern const char *const places_default_langs[];

#endif
