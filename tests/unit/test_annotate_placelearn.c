/* test_annotate_placelearn.c — annotate/placelearn.h: the archive's own place
 * phrases. A small gazetteer of its own (the test is about learning, not
 * GeoNames) and an archive of dated folders "YYYY-MM Event, City" whose cities
 * the gazetteer mostly knows: the towns it does not know, standing where the
 * archive puts its places in two or more folders or captions, are learned and
 * place their photos; a town named once, a person's name in the same place, a
 * word after "Im Bild:" and a date are not; a photo that has a known city
 * keeps it. */
#include "annotate/evidence.h"
#include "annotate/model.h"
#include "annotate/placelearn.h"
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

static ann_photo *photo(ann_model *m, const char *path, const char *caption)
{
    char id[17];
    snprintf(id, sizeof id, "%016x", ++nphotos);
    ann_photo *p = ann_model_add_photo(m, id);
    CHECK(p != NULL);
    p->path = strdup(path);
    if (caption) {
        json_t *j = json_pack("{s:s}", "txt", caption);
        p->sidecar = json_dumps(j, JSON_COMPACT);
        json_decref(j);
    }
    return p;
}

static const char *place_of(const ann_photo *p)
{
    return p->place ? p->place->name : "(none)";
}

int main(void)
{
    gazetteer *g = gazetteer_new();
    static const char *const known[] = { "Paris", "Wien", "Tokio", "Lissabon", "Prag", "Genf" };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        place_info pl = {
            .name = known[i], .country = "X", .geonames_id = (int64_t)i + 1, .lat = 1, .lon = 1, .population = 100000
        };
        CHECK(gazetteer_add(g, known[i], &pl, NULL) == 0);
    }
    ann_model *m = ann_model_new(g);
    CHECK(m != NULL);
    /* folders that put the city last: mostly known cities */
    photo(m, "/a/1977/1977-02 Probe Walzer, Paris/1.jpg", NULL);
    photo(m, "/a/1977/1977-03 Premiere Nelken, Wien/2.jpg", NULL);
    photo(m, "/a/1978/1978-05 Gastspiel Palermo, Tokio/3.jpg", NULL);
    photo(m, "/a/1979/1979-01 Probe Arien, Lissabon/4.jpg", NULL);
    photo(m, "/a/1980/1980-06 Tournee Viktor, Prag/5.jpg", NULL);
    photo(m, "/a/1981/1981-09 Lesung Ahnen, Genf/6.jpg", NULL);
    photo(m, "/a/1982/1982-04 Premiere Keuschheitslegende, Paris/7.jpg", NULL);
    /* a town the gazetteer does not know, in two folders, and named in a caption */
    ann_photo *k1 = photo(m, "/a/1983/1983-02 Probe Bandoneon, Kleinwalde/8.jpg", NULL);
    ann_photo *k2 = photo(m, "/a/1984/1984-07 Premiere Masurca, Kleinwalde/9.jpg", NULL);
    ann_photo *k3 = photo(m, "/a/Unsortiert/10.jpg", "Anna Weber und Paul Brandt bei der Premiere in Kleinwalde, 1984");
    /* once only: not learned */
    ann_photo *once = photo(m, "/a/1985/1985-03 Probe Rough Cut, Einmalstadt/11.jpg", NULL);
    /* a person where a city stands, twice, who is named in captions: a person */
    photo(m, "/a/1986/1986-01 Portrait, Anna Weber/12.jpg", "Anna Weber");
    photo(m, "/a/1986/1986-02 Interview, Anna Weber/13.jpg", "Anna Weber, Probe");
    /* "Im Bild:" opens its field: no place */
    ann_photo *bild = photo(m, "/a/Unsortiert/14.jpg", "Im Bild: Paul Brandt");
    photo(m, "/a/Unsortiert/15.jpg", "Im Bild: Anna Weber");
    /* a label before a colon, where the archive puts cities in its captions: no place */
    photo(m, "/a/Unsortiert/17.jpg", "Anna Weber (Paris, 1978)");
    photo(m, "/a/Unsortiert/18.jpg", "Paul Brandt (Wien, 1979)");
    photo(m, "/a/Unsortiert/19.jpg", "Anna Weber (Prag, 1980)");
    photo(m, "/a/Unsortiert/20.jpg", "Paul Brandt (Genf, 1981)");
    photo(m, "/a/Unsortiert/21.jpg", "Anna Weber (Tokio, 1982)");
    ann_photo *foto = photo(m, "/a/Unsortiert/22.jpg", "Paul Brandt (Foto: Ute Lerche)");
    photo(m, "/a/Unsortiert/23.jpg", "Anna Weber (Foto: Ute Lerche)");
    /* a known city wins over a learned town in the same photo */
    ann_photo *both = photo(m, "/a/1987/1987-05 Probe Danzon, Kleinwalde/16.jpg", "Gastspiel in Paris");

    for (size_t i = 0; i < m->n; i++)
        CHECK(evidence_gather(m, &m->photos[i]) == 0);
    for (size_t i = 0; i < m->n; i++)
        CHECK(evidence_read(m, &m->photos[i]) == 0);
    CHECK_MSG(!k1->place && !once->place, "before learning: %s %s", place_of(k1), place_of(once));
    CHECK_MSG(both->place && strcmp(both->place->name, "Paris") == 0, "before: %s", place_of(both));

    size_t learned = 0;
    CHECK(placelearn_run(m, &learned) == 0);
    CHECK_MSG(learned == 1, "learned %zu phrases", learned);
    const place_info *kw = gazetteer_lookup(g, "Kleinwalde", strlen("Kleinwalde"));
    CHECK(kw && kw->geonames_id == 0 && isnan(kw->lat) && strcmp(kw->name, "Kleinwalde") == 0);
    CHECK(gazetteer_lookup(g, "Einmalstadt", strlen("Einmalstadt")) == NULL);
    CHECK(gazetteer_lookup(g, "Anna Weber", strlen("Anna Weber")) == NULL);
    CHECK(gazetteer_lookup(g, "Bild", 4) == NULL);
    /* the photos it names are placed, with the text it came from */
    CHECK_MSG(k1->place == kw && strcmp(k1->place_source, "folder") == 0 && strstr(k1->place_text, "Kleinwalde"),
              "k1: %s", place_of(k1));
    CHECK_MSG(k2->place == kw, "k2: %s", place_of(k2));
    CHECK_MSG(k3->place == kw && strcmp(k3->place_source, "caption") == 0, "k3: %s", place_of(k3));
    CHECK(!once->place && !bild->place);
    CHECK_MSG(!foto->place, "foto: %s", place_of(foto));
    CHECK(gazetteer_lookup(g, "Foto", 4) == NULL);
    CHECK_MSG(both->place && strcmp(both->place->name, "Paris") == 0, "after: %s", place_of(both));
    /* learning again adds nothing new */
    CHECK(placelearn_run(m, &learned) == 0 && learned == 0);

    ann_model_free(m);
    gazetteer_free(g);
    return test_main_end();
}
