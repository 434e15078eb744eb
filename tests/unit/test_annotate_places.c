/* test_annotate_places.c — annotate/places: the GeoNames gazetteer of Debian's
 * libgeonames (English names and German/French/... translations) and where a
 * text names a place. */
#include "annotate/places.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static gazetteer *g;

static void place(const char *text, const char *want)
{
    place_hit h[4];
    size_t n = places_find(g, text, h, 4);
    CHECK_MSG(n >= 1 && strncmp(h[0].place->name, want, strlen(want)) == 0, "'%s': got %s, want %s", text,
              n ? h[0].place->name : "(none)", want);
}

/* The place annotate takes from text: the strongest hit (places_best). */
static void best_place(const char *text, const char *want)
{
    place_hit h[4];
    size_t n = places_find(g, text, h, 4);
    size_t b = n ? places_best(h, n < 4 ? n : 4) : 0;
    CHECK_MSG(n >= 1 && strncmp(h[b].place->name, want, strlen(want)) == 0, "'%s': best %s, want %s", text,
              n ? h[b].place->name : "(none)", want);
}

static void no_place(const char *text)
{
    place_hit h[4];
    size_t n = places_find(g, text, h, 4);
    CHECK_MSG(n == 0, "'%s': want no place, got %s", text, n ? h[0].place->name : "");
}

int main(void)
{
    g = gazetteer_new();
    err e = { 0 };
    CHECK(g && gazetteer_load_geonames(g, places_default_langs, &e) == 0);
    CHECK(gazetteer_size(g) > 20000);
    /* English and German names of one city */
    const place_info *m1 = gazetteer_lookup(g, "Munich", 6), *m2 = gazetteer_lookup(g, "München", strlen("München"));
    CHECK(m1 && m1 == m2 && strcmp(m1->country, "Germany") == 0 && fabs(m1->lat - 48.14) < 0.1);
    CHECK(gazetteer_lookup(g, "muenchen", 8) == NULL || gazetteer_lookup(g, "muenchen", 8) == m1);
    const place_info *rome = gazetteer_lookup(g, "Rom", 3);
    CHECK(rome && strcmp(rome->name, "Rome") == 0);
    CHECK(gazetteer_lookup(g, "koln", 4) == gazetteer_lookup(g, "Cologne", 7));
    /* the most populous of equal names: Paris, France */
    const place_info *paris = gazetteer_lookup(g, "Paris", 5);
    CHECK(paris && strcmp(paris->country, "France") == 0);
    /* "New York City" is also "New York" */
    CHECK(gazetteer_lookup(g, "New York", 8) != NULL);

    /* a place where the text names one */
    place("1977-02 Probe Café Müller, Wuppertal", "Wuppertal");
    place("Anna Weber in „Nelken“ (Tokio, 1978)", "Tokyo");
    place("Rehearsal of Walzer: Pete Sampras, New York, BAM, March 1978", "New York");
    place("Gastspiel in Lissabon", "Lisbon");
    place("Wien, Burgtheater", "Vienna");
    place("Paris 1977", "Paris");
    /* a month in a date is no town (March, Cambridgeshire), and a field that
       goes on in lower case ("Reading of …") yields to a whole-field place */
    best_place("March 1973: Final rehearsal of Winterreise, Mailand, Piccolo Teatro", "Milan");
    best_place("September 1982: Reading of Nachtstück, Genf", "Geneva");
    no_place("March 1973: Final rehearsal");
    place("Probe in Paris, March 1978", "Paris");
    /* not a place: a person called like a town, a title, a word in a phrase */
    no_place("v.l.n.r.: Marion Cito, Hans Pop");
    no_place("bei der Probe von „Paris“");
    no_place("Probe Kontakthof");
    no_place("");

    /* an archive's own place phrase */
    place_info venue = { .name = "Schauspielhaus Bochum", .country = "", .lat = NAN, .lon = NAN };
    CHECK(gazetteer_add(g, "Schauspielhaus Bochum", &venue, &e) == 0);
    place("Premiere, Schauspielhaus Bochum, 1980", "Schauspielhaus Bochum");
    gazetteer_free(g);
    return test_main_end();
}
