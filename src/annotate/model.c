/* model.c — allocation and lookup for the in-memory annotate model. */
#include "annotate/model.h"

#include <stdlib.h>
#include <string.h>

ann_model *ann_model_new(gazetteer *gaz)
{
    ann_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->gaz = gaz;
    m->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    m->titles = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    m->name_index = g_hash_table_new(g_str_hash, g_str_equal);
    m->confirmed = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
    m->folder_facts = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
    m->titled = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    m->title_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
    m->place_forms = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_hash_table_destroy);
    m->rejected = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    return m;
}

static void photo_free(ann_photo *p)
{
    free(p->path);
    free(p->folder);
    free(p->file);
    free(p->taken_at);
    free(p->sidecar);
    free(p->caption);
    free(p->ocr);
    free(p->stored);
    for (size_t i = 0; i < p->ntexts; i++)
        free(p->texts[i].text);
    free(p->texts);
    free(p->date_text);
    free(p->place_text);
    free(p->names);
    for (size_t i = 0; i < p->nops; i++)
        free(p->ops[i].text);
    free(p->ops);
    for (size_t i = 0; i < p->ntitles_of; i++)
        free(p->titles_of[i]);
    free(p->titles_of);
    free(p->cache_inputs);
    free(p->cache_context);
    free(p->cache_parse);
    free(p->parse_new);
    free(p->faces);
}

void ann_model_free(ann_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        photo_free(&m->photos[i]);
    free(m->photos);
    for (size_t i = 0; i < m->nnames; i++) {
        free(m->names[i].key);
        g_hash_table_destroy(m->names[i].forms);
    }
    free(m->names);
    for (size_t i = 0; i < m->nevents; i++) {
        free(m->events[i].key);
        free(m->events[i].name);
        free(m->events[i].photos);
    }
    free(m->events);
    for (size_t i = 0; i < m->nsugs; i++) {
        free(m->sugs[i].label);
        free(m->sugs[i].evidence);
    }
    free(m->sugs);
    g_hash_table_destroy(m->by_id);
    g_hash_table_destroy(m->titles);
    g_hash_table_destroy(m->name_index);
    g_hash_table_destroy(m->confirmed);
    g_hash_table_destroy(m->place_forms);
    g_hash_table_destroy(m->folder_facts);
    g_hash_table_destroy(m->titled);
    g_hash_table_destroy(m->title_names);
    g_hash_table_destroy(m->rejected);
    free(m);
}

ann_photo *ann_model_photo(ann_model *m, const char *id)
{
    size_t i = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(m->by_id, id));
    return i ? &m->photos[i - 1] : NULL;
}

ann_photo *ann_model_add_photo(ann_model *m, const char *id)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        ann_photo *p = realloc(m->photos, cap * sizeof *p);
        if (!p)
            return NULL;
        m->photos = p;
        m->cap = cap;
        /* the table holds pointers to ids inside photos: rebuild it */
        g_hash_table_remove_all(m->by_id);
        for (size_t i = 0; i < m->n; i++)
            g_hash_table_insert(m->by_id, m->photos[i].id, GSIZE_TO_POINTER(i + 1));
    }
    ann_photo *p = &m->photos[m->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    g_hash_table_insert(m->by_id, p->id, GSIZE_TO_POINTER(m->n));
    return p;
}

uint32_t ann_model_name(ann_model *m, const char *text)
{
    char *key = names_key(text);
    if (!key)
        return UINT32_MAX;
    if (!key[0]) {
        free(key);
        return UINT32_MAX;
    }
    size_t i = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(m->name_index, key));
    if (!i) {
        if (m->nnames == m->names_cap) {
            size_t cap = m->names_cap ? m->names_cap * 2 : 256;
            ann_name_entry *n = realloc(m->names, cap * sizeof *n);
            if (!n) {
                free(key);
                return UINT32_MAX;
            }
            m->names = n;
            m->names_cap = cap;
            g_hash_table_remove_all(m->name_index);
            for (size_t k = 0; k < m->nnames; k++)
                g_hash_table_insert(m->name_index, m->names[k].key, GSIZE_TO_POINTER(k + 1));
        }
        ann_name_entry *e = &m->names[m->nnames];
        memset(e, 0, sizeof *e);
        e->key = key;
        e->forms = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
        e->canonical = (uint32_t)m->nnames;
        g_hash_table_insert(m->name_index, e->key, GSIZE_TO_POINTER(m->nnames + 1));
        i = ++m->nnames;
    } else {
        free(key);
    }
    ann_name_entry *e = &m->names[i - 1];
    gpointer old = g_hash_table_lookup(e->forms, text);
    if (old)
        g_hash_table_insert(e->forms, strdup(text), GINT_TO_POINTER(GPOINTER_TO_INT(old) + 1));
    else
        g_hash_table_insert(e->forms, strdup(text), GINT_TO_POINTER(1));
    return (uint32_t)(i - 1);
}

typedef struct best_form {
    const char *form;
    int count;
} best_form;

static void pick_form(gpointer k, gpointer v, gpointer ud)
{
    best_form *b = ud;
    const char *f = k;
    int c = GPOINTER_TO_INT(v);
    /* prefer more frequent; on a tie the longer one (accents take bytes) */
    if (!b->form || c > b->count ||
        (c == b->count && (strlen(f) > strlen(b->form) || (strlen(f) == strlen(b->form) && strcmp(f, b->form) < 0)))) {
        b->form = f;
        b->count = c;
    }
}

const char *ann_model_name_form(const ann_model *m, uint32_t name)
{
    best_form b = { 0 };
    g_hash_table_foreach(m->names[name].forms, pick_form, &b);
    return b.form ? b.form : m->names[name].key;
}

bool ann_model_suggest(ann_model *m, int64_t person_id, int64_t face_id, const char *label, double confidence,
                       const char *evidence)
{
    if (m->nsugs == m->sugs_cap) {
        size_t cap = m->sugs_cap ? m->sugs_cap * 2 : 256;
        ann_suggestion *s = realloc(m->sugs, cap * sizeof *s);
        if (!s)
            return false;
        m->sugs = s;
        m->sugs_cap = cap;
    }
    ann_suggestion *s = &m->sugs[m->nsugs];
    s->person_id = person_id;
    s->face_id = face_id;
    s->label = strdup(label);
    s->confidence = confidence;
    s->evidence = evidence ? strdup(evidence) : NULL;
    if (!s->label) {
        free(s->evidence);
        return false;
    }
    m->nsugs++;
    return true;
}

void ann_model_place_form(ann_model *m, const place_info *pl, const char *text, size_t len)
{
    GHashTable *forms = g_hash_table_lookup(m->place_forms, pl);
    if (!forms) {
        forms = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
        g_hash_table_insert(m->place_forms, (gpointer)pl, forms);
    }
    char *f = strndup(text, len);
    if (!f)
        return;
    gpointer old = g_hash_table_lookup(forms, f);
    g_hash_table_insert(forms, f, GINT_TO_POINTER(GPOINTER_TO_INT(old) + 1));
}

const char *ann_model_place_name(const ann_model *m, const place_info *pl)
{
    GHashTable *forms = g_hash_table_lookup(m->place_forms, pl);
    if (!forms)
        return pl->name;
    best_form b = { 0 };
    g_hash_table_foreach(forms, pick_form, &b);
    return b.form ? b.form : pl->name;
}
