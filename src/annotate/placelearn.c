/* placelearn.c — the archive's own place phrases (placelearn.h). */
#include "annotate/placelearn.h"
#include "annotate/dates.h"
#include "annotate/evidence.h"
#include "annotate/names.h"
#include "annotate/places.h"
#include "annotate/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLACELEARN_MAX_WORDS 4

typedef struct slot {
    int total, known;
} slot;

typedef struct occ {
    char *slot_key; /* borrowed from the slots table */
    char *phrase;   /* owned */
} occ;

typedef struct learn {
    ann_model *m;
    GHashTable *slots; /* key -> slot* */
    occ *occs;
    size_t nocc, cap;
    bool nomem;
} learn;

static slot *slot_of(learn *l, const char *key, char **stored)
{
    gpointer k, v;
    if (g_hash_table_lookup_extended(l->slots, key, &k, &v)) {
        *stored = k;
        return v;
    }
    slot *s = g_new0(slot, 1);
    *stored = g_strdup(key);
    g_hash_table_insert(l->slots, *stored, s);
    return s;
}

/* Tokens [a, b) are one to four capitalised words, no digits, nothing quoted;
 * '.', '-' and '\'' may join them ("St. Gallen"). */
static bool capitalised_run(const char *text, const text_tok *t, size_t a, size_t b, const unsigned char *quoted)
{
    size_t words = 0;
    if (a >= b)
        return false;
    for (size_t i = a; i < b; i++) {
        if (quoted[t[i].start])
            return false;
        if (t[i].kind == TEXT_WORD) {
            if (!t[i].upper || t[i].digits || ++words > PLACELEARN_MAX_WORDS)
                return false;
        } else {
            char c = text[t[i].start];
            if (t[i].end - t[i].start != 1 || (c != '.' && c != '-' && c != '\'') || i == a)
                return false;
        }
    }
    return words > 0 && t[b - 1].kind == TEXT_WORD;
}

static void candidate(learn *l, const char *text, const text_tok *t, size_t a, size_t b, const char *key)
{
    size_t start = t[a].start, end = t[b - 1].end;
    if (end - start < 3)
        return;
    char *stored;
    slot *s = slot_of(l, key, &stored);
    s->total++;
    if (gazetteer_lookup(l->m->gaz, text + start, end - start)) {
        s->known++;
        return;
    }
    if (l->nocc == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        occ *o = realloc(l->occs, cap * sizeof *o);
        if (!o) {
            l->nomem = true;
            return;
        }
        l->occs = o;
        l->cap = cap;
    }
    char *phrase = g_strndup(text + start, end - start);
    l->occs[l->nocc++] = (occ){ .slot_key = stored, .phrase = phrase };
}

/* The candidates of one distinct text of kind. */
static void scan_text(learn *l, ann_text_kind kind, const char *text)
{
    size_t n = 0;
    text_tok *t = text_tokenize(text, &n);
    unsigned char *quoted = t ? text_quote_mask(text) : NULL;
    if (!t || !quoted) {
        free(t);
        free(quoted);
        return;
    }
    size_t nfields = 0;
    for (size_t i = 0, a = 0; i <= n; i++)
        if (i == n || places_field_break(text, &t[i])) {
            nfields += i > a;
            a = i + 1;
        }
    char key[64];
    size_t field = 0;
    for (size_t i = 0, a = 0; i <= n; i++) {
        if (i < n && !places_field_break(text, &t[i]))
            continue;
        size_t b = i;
        /* "Foto: …", "Ort: …": a field that a colon ends labels what follows */
        bool label = b < n && t[b].end - t[b].start == 1 && text[t[b].start] == ':';
        if (b > a && label) {
            field++;
        } else if (b > a) {
            if (capitalised_run(text, t, a, b, quoted)) {
                snprintf(key, sizeof key, "f|%d|%zu|%zu", (int)kind, nfields, field);
                candidate(l, text, t, a, b, key);
            } else {
                /* "… in Kleinwalde": the field's end after a preposition that does not open it */
                for (size_t j = b - 1; j > a; j--) {
                    if (!places_is_preposition(text, &t[j - 1]) || j - 1 == a)
                        continue;
                    if (capitalised_run(text, t, j, b, quoted)) {
                        snprintf(key, sizeof key, "p|%d", (int)kind);
                        candidate(l, text, t, j, b, key);
                    }
                    break;
                }
            }
            field++;
        }
        a = i + 1;
    }
    free(quoted);
    free(t);
}

/* A name of two or more words that the captions call people by at least as
 * often as the archive puts it where places stand (votes): a person, not a
 * place. A single word is no person's full name (the captions' name finder
 * also takes "Nordhafen" in "…, Nordhafen, März 1980" for one). */
static bool is_person_name(ann_model *m, const char *phrase, int votes)
{
    if (!strchr(phrase, ' '))
        return false;
    char *key = names_key(phrase);
    if (!key)
        return false;
    size_t idx = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(m->name_index, key));
    free(key);
    return idx && m->names[idx - 1].photos + m->names[idx - 1].as_photographer >= votes;
}

static gboolean no_place(gpointer key, gpointer value, gpointer ud)
{
    (void)key;
    (void)ud;
    return ((ann_folder_facts *)value)->place == NULL;
}

int placelearn_run(ann_model *m, size_t *learned)
{
    if (learned)
        *learned = 0;
    learn l = { .m = m, .slots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal); /* texts read, by text (borrowed) */
    for (size_t i = 0; i < m->n && !l.nomem; i++) {
        const ann_photo *p = &m->photos[i];
        for (size_t k = 0; k < p->ntexts; k++) {
            const ann_text *tx = &p->texts[k];
            if (tx->kind != ANN_FOLDER && tx->kind != ANN_ALBUM && tx->kind != ANN_CAPTION && tx->kind != ANN_PLACE)
                continue;
            if (!tx->text || g_hash_table_contains(seen, tx->text))
                continue;
            g_hash_table_add(seen, tx->text);
            scan_text(&l, tx->kind, tx->text);
        }
    }
    g_hash_table_destroy(seen);
    /* votes: distinct texts naming each phrase in a place slot */
    GHashTable *votes = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL); /* fold -> count */
    GHashTable *form = g_hash_table_new(g_str_hash, g_str_equal);                   /* fold -> phrase (borrowed) */
    for (size_t i = 0; i < l.nocc && !l.nomem; i++) {
        const slot *s = g_hash_table_lookup(l.slots, l.occs[i].slot_key);
        if (s->total < PLACELEARN_SLOT_MIN || s->known < PLACELEARN_SLOT_SHARE * s->total)
            continue;
        char *f = text_fold(l.occs[i].phrase, strlen(l.occs[i].phrase));
        if (!f) {
            l.nomem = true;
            break;
        }
        int c = GPOINTER_TO_INT(g_hash_table_lookup(votes, f));
        if (!c)
            g_hash_table_insert(form, f, l.occs[i].phrase);
        g_hash_table_insert(votes, f, GINT_TO_POINTER(c + 1)); /* an equal key stays; f is freed */
    }
    size_t added = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, votes);
    while (!l.nomem && g_hash_table_iter_next(&it, &k, &v)) {
        const char *phrase = g_hash_table_lookup(form, k);
        date_hit d;
        int nv = GPOINTER_TO_INT(v);
        if (nv < PLACELEARN_MIN_TEXTS || dates_best(phrase, &d) || is_person_name(m, phrase, nv))
            continue;
        place_info info = { .name = phrase, .country = "", .geonames_id = 0, .lat = NAN, .lon = NAN };
        if (gazetteer_add(m->gaz, phrase, &info, NULL) != 0) {
            l.nomem = true;
            break;
        }
        added++;
    }
    g_hash_table_destroy(form);
    g_hash_table_destroy(votes);
    for (size_t i = 0; i < l.nocc; i++)
        g_free(l.occs[i].phrase);
    free(l.occs);
    g_hash_table_destroy(l.slots);
    if (l.nomem)
        return ERR_NOMEM;
    if (added) {
        /* folder and album texts read before without a place are read again */
        g_hash_table_foreach_remove(m->folder_facts, no_place, NULL);
        for (size_t i = 0; i < m->n; i++)
            if (!m->photos[i].place && !m->photos[i].human_place && evidence_read_place(m, &m->photos[i]))
                return ERR_NOMEM;
    }
    if (learned)
        *learned = added;
    return 0;
}
