/* places.c — the gazetteer as a GLib hash table from folded names to places,
 * loaded from libgeonames' compiled-in city table and its gettext catalogs
 * (read directly: keys are GeoNames ids, values the translated names). */
#include "annotate/places.h"
#include "annotate/dates.h"
#include "annotate/text.h"

#include <geonames/geonames.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const places_default_langs[] = { "de", "fr", "it", "es", "nl", "pt", NULL };

struct gazetteer {
    GHashTable *by_name; /* folded name (owned) -> place_info* (owned by places) */
    GPtrArray *places;   /* place_info*, with their strings, freed by place_free */
    GHashTable *by_id;   /* geonames id -> place_info* (not owned) */
};

static void place_free(gpointer p)
{
    place_info *pl = p;
    free((char *)pl->name);
    free((char *)pl->country);
    free(pl);
}

gazetteer *gazetteer_new(void)
{
    gazetteer *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    g->places = g_ptr_array_new_with_free_func(place_free);
    g->by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    return g;
}

void gazetteer_free(gazetteer *g)
{
    if (!g)
        return;
    g_hash_table_destroy(g->by_name);
    g_hash_table_destroy(g->by_id);
    g_ptr_array_free(g->places, TRUE);
    free(g);
}

size_t gazetteer_size(const gazetteer *g)
{
    return g_hash_table_size(g->by_name);
}

static place_info *place_copy(const place_info *in)
{
    place_info *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    *p = *in;
    p->name = strdup(in->name ? in->name : "");
    p->country = strdup(in->country ? in->country : "");
    if (!p->name || !p->country) {
        place_free(p);
        return NULL;
    }
    return p;
}

/* Adds key -> pl (pl already owned by the gazetteer). */
static int add_key(gazetteer *g, const char *name, place_info *pl, err *e)
{
    char *key = text_fold(name, strlen(name));
    if (!key)
        return err_set(e, ERR_NOMEM, "gazetteer: out of memory");
    if (!key[0]) {
        free(key);
        return 0;
    }
    place_info *old = g_hash_table_lookup(g->by_name, key);
    if (old && old->population >= pl->population) {
        free(key);
        return 0;
    }
    g_hash_table_replace(g->by_name, key, pl);
    return 0;
}

int gazetteer_add(gazetteer *g, const char *name, const place_info *info, err *e)
{
    place_info *pl = place_copy(info);
    if (!pl)
        return err_set(e, ERR_NOMEM, "gazetteer: out of memory");
    g_ptr_array_add(g->places, pl);
    return add_key(g, name, pl, e);
}

const place_info *gazetteer_lookup(const gazetteer *g, const char *name, size_t len)
{
    char *key = text_fold(name, len);
    if (!key)
        return NULL;
    const place_info *p = g_hash_table_lookup(g->by_name, key);
    free(key);
    return p;
}

/* GNU gettext .mo: header of seven 32-bit words, then the tables of
 * (length, offset) pairs for the original and translated strings. */
static uint32_t mo_word(const unsigned char *b, bool swap)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return swap ? GUINT32_SWAP_LE_BE(v) : v;
}

static int load_translations(gazetteer *g, const char *lang, err *e)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/share/locale/%s/LC_MESSAGES/geonames.mo", lang);
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return 0; /* no catalog for this language */
    const unsigned char *b = (const unsigned char *)data;
    int rc = 0;
    if (len < 28) {
        g_free(data);
        return 0;
    }
    uint32_t magic;
    memcpy(&magic, b, 4);
    bool swap = magic == 0xde120495u;
    if (!swap && magic != 0x950412deu) {
        g_free(data);
        return 0;
    }
    uint32_t n = mo_word(b + 8, swap), ot = mo_word(b + 12, swap), tt = mo_word(b + 16, swap);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        if ((uint64_t)ot + 8ull * i + 8 > len || (uint64_t)tt + 8ull * i + 8 > len)
            break;
        uint32_t ol = mo_word(b + ot + 8 * i, swap), oo = mo_word(b + ot + 8 * i + 4, swap);
        uint32_t tl = mo_word(b + tt + 8 * i, swap), to = mo_word(b + tt + 8 * i + 4, swap);
        if ((uint64_t)oo + ol >= len || (uint64_t)to + tl >= len || ol == 0 || ol > 12 || tl == 0)
            continue;
        char idtext[16];
        memcpy(idtext, b + oo, ol);
        idtext[ol] = '\0';
        char *end;
        gint64 id = g_ascii_strtoll(idtext, &end, 10);
        if (*end || id <= 0)
            continue; /* an admin region ("AT.09"), not a city */
        place_info *pl = g_hash_table_lookup(g->by_id, &id);
        if (!pl)
            continue;
        rc = add_key(g, (const char *)b + to, pl, e);
    }
    g_free(data);
    return rc;
}

int gazetteer_load_geonames(gazetteer *g, const char *const *langs, err *e)
{
    int n = geonames_get_n_cities();
    if (n <= 0)
        return err_set(e, ERR_NOTFOUND, "gazetteer: libgeonames has no cities");
    for (int i = 0; i < n; i++) {
        GeonamesCity *c = geonames_get_city(i);
        if (!c)
            continue;
        const char *idtext = NULL;
        GVariant *idv = g_variant_get_child_value(c, 0);
        idtext = g_variant_get_string(idv, NULL);
        place_info in = {
            .name = geonames_city_get_name(c),
            .country = geonames_city_get_country(c),
            .geonames_id = g_ascii_strtoll(idtext, NULL, 10),
            .lat = geonames_city_get_latitude(c),
            .lon = geonames_city_get_longitude(c),
            .population = geonames_city_get_population(c),
        };
        place_info *pl = place_copy(&in);
        g_variant_unref(idv);
        geonames_city_free(c);
        if (!pl)
            return err_set(e, ERR_NOMEM, "gazetteer: out of memory");
        g_ptr_array_add(g->places, pl);
        g_hash_table_insert(g->by_id, &pl->geonames_id, pl);
        int rc = add_key(g, pl->name, pl, e);
        /* "New York City", "Mexico City": the city is also written without it */
        size_t l = strlen(pl->name);
        if (rc == 0 && l > 5 && strcmp(pl->name + l - 5, " City") == 0) {
            char *short_name = g_strndup(pl->name, l - 5);
            rc = add_key(g, short_name, pl, e);
            g_free(short_name);
        }
        if (rc)
            return rc;
    }
    for (size_t i = 0; langs && langs[i]; i++) {
        int rc = load_translations(g, langs[i], e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- finding places in text -------------------------------------------------- */

bool places_field_break(const char *text, const text_tok *t)
{
    if (t->kind != TEXT_PUNCT)
        return false;
    size_t l = t->end - t->start;
    const char *s = text + t->start;
    if (l == 1)
        return strchr(",;:()[]/|\n", *s) != NULL || (*s == '-' && true);
    /* – —, and the double quotation marks and guillemets (text.h); not the
     * single marks, which are also apostrophes ("dancers’") */
    if (l == 3 && (memcmp(s, "\xe2\x80\x93", 3) == 0 || memcmp(s, "\xe2\x80\x94", 3) == 0))
        return true;
    size_t cl;
    unsigned c = text_cp(s, &cl);
    return cl == l && text_is_quote_mark(c, false);
}

static const char *const place_prepositions[] = { "in", "at", "im", "bei", "nach", "aus", "near", "from" };

bool places_is_preposition(const char *text, const text_tok *t)
{
    size_t l = t->end - t->start;
    if (t->kind != TEXT_WORD || l > 4)
        return false;
    for (size_t k = 0; k < sizeof place_prepositions / sizeof place_prepositions[0]; k++)
        if (strlen(place_prepositions[k]) == l && strncmp(text + t->start, place_prepositions[k], l) == 0)
            return true;
    return false;
}

#define PLACE_MAX_WORDS 4

size_t places_find(const gazetteer *g, const char *text, place_hit *out, size_t max)
{
    size_t n = 0, found = 0;
    text_tok *t = text_tokenize(text, &n);
    if (!t)
        return 0;
    unsigned char *quoted = text_quote_mask(text);
    if (!quoted) {
        free(t);
        return 0;
    }
    date_hit dates[16];
    size_t nd = dates_find(text, dates, 16);
    if (nd > 16)
        nd = 16;
    bool field_start = true;
    for (size_t i = 0; i < n; i++) {
        if (places_field_break(text, &t[i])) {
            field_start = true;
            continue;
        }
        bool after_prep = i > 0 && places_is_preposition(text, &t[i - 1]);
        bool start = field_start;
        field_start = false;
        if (!(start || after_prep) || t[i].kind != TEXT_WORD || !t[i].upper || quoted[t[i].start])
            continue;
        /* the capitalised run from i: words, with "-" and "." inside it */
        size_t best_end = 0;
        const place_info *best = NULL;
        size_t words = 0, j = i, last = i;
        while (j < n && words < PLACE_MAX_WORDS) {
            if (t[j].kind != TEXT_WORD)
                break;
            words++;
            last = j;
            const place_info *p = gazetteer_lookup(g, text + t[i].start, t[j].end - t[i].start);
            if (p) {
                best = p;
                best_end = j;
            }
            j++;
            /* allow "Saint-Denis" style joins already in one token; "St. Gallen" */
            if (j < n && t[j].kind == TEXT_PUNCT && text[t[j].start] == '.' && j + 1 < n && t[j + 1].kind == TEXT_WORD)
                j++;
        }
        (void)last;
        if (!best)
            continue;
        /* nothing capitalised may follow the name in its run ("Marion Cito") */
        size_t k = best_end + 1;
        if (k < n && t[k].kind == TEXT_WORD && t[k].upper && !t[k].all_upper)
            continue;
        /* a month's name in a date ("March 1973") is the date's */
        bool in_date = false;
        for (size_t d = 0; d < nd && !in_date; d++)
            in_date = dates[d].start < t[best_end].end && t[i].start < dates[d].end;
        if (in_date) {
            i = best_end;
            continue;
        }
        /* "Reading of Nachtstück": a field that goes on in lower case after the name */
        int strength = after_prep || !(k < n && t[k].kind == TEXT_WORD) ? 2 : 1;
        if (found < max)
            out[found] =
                (place_hit){ .place = best, .start = t[i].start, .end = t[best_end].end, .strength = strength };
        found++;
        i = best_end;
    }
    free(quoted);
    free(t);
    return found;
}

size_t places_best(const place_hit *h, size_t n)
{
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (h[i].strength > h[b].strength)
            b = i;
    return b;
}
