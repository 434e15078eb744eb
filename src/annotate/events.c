/* events.c — grouping by folder / session, event dates and places, inference. */
#include "annotate/events.h"
#include "annotate/evidence.h"
#include "annotate/text.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Folders whose own name (level 0) or album gives a date or place. */
static GHashTable *folders_with_evidence(ann_model *m)
{
    GHashTable *f = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < m->n; i++) {
        ann_photo *p = &m->photos[i];
        for (size_t k = 0; k < p->ntexts; k++) {
            const ann_text *t = &p->texts[k];
            bool own = (t->kind == ANN_FOLDER && t->level == 0) || t->kind == ANN_ALBUM;
            if (!own)
                continue;
            const ann_folder_facts *ff = t->kind == ANN_ALBUM ? NULL : evidence_text_facts(m, t->text);
            if (t->kind == ANN_ALBUM || (ff && (ff->date.precision != DATE_NONE || ff->place))) {
                g_hash_table_add(f, p->folder);
                break;
            }
        }
    }
    return f;
}

static char *event_key(const ann_photo *p, bool folder_event)
{
    if (folder_event)
        return g_strdup_printf("folder:%s", p->folder);
    if (p->roll[0])
        return g_strdup_printf("session:%s#%s", p->folder, p->roll);
    char d[16] = "";
    if (p->date.precision != DATE_NONE)
        dates_format(&p->date, d, sizeof d);
    return g_strdup_printf("folder:%s#%s|%s", p->folder, d, p->place ? p->place->name : "");
}

/* The event's name: its folder's name without its date and place, else the
 * folder's name; a session adds its number. A year that the archive reads as
 * a title (evidence_date_is_title: "Generalprobe 1980" in "1973-11
 * Generalprobe 1980") is a word of the name, not a date to cut; a quoted one
 * is no date at all (dates_find). */
static char *event_name(ann_model *m, const ann_photo *p, bool folder_event)
{
    const char *slash = strrchr(p->folder, '/');
    const char *base = slash ? slash + 1 : p->folder;
    GString *s = g_string_new(NULL);
    date_hit d[8];
    size_t nd = dates_find(base, d, 8);
    if (nd > 8)
        nd = 8;
    for (size_t k = 0; k < nd;)
        if (evidence_date_is_title(m, base, &d[k]))
            d[k] = d[--nd];
        else
            k++;
    place_hit pl[8];
    size_t np = places_find(m->gaz, base, pl, 8);
    size_t len = strlen(base);
    for (size_t i = 0; i < len; i++) {
        bool cut = false;
        for (size_t k = 0; k < nd && !cut; k++)
            cut = i >= d[k].start && i < d[k].end;
        for (size_t k = 0; k < np && k < 8 && !cut; k++)
            cut = i >= pl[k].start && i < pl[k].end;
        g_string_append_c(s, cut ? ' ' : (base[i] == '_' ? ' ' : base[i]));
    }
    /* trim separators left behind */
    char *t = g_strstrip(s->str);
    size_t tl = strlen(t);
    while (tl > 0 && strchr(",;:-/ ", t[tl - 1]))
        t[--tl] = '\0';
    while (*t && strchr(",;:-/ ", *t))
        t++;
    GString *out = g_string_new(NULL);
    /* collapse runs of spaces */
    for (const char *c = t; *c; c++)
        if (!(*c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' ')))
            g_string_append_c(out, *c);
    if (out->len == 0)
        g_string_append(out, *base ? base : "Photos");
    if (!folder_event && p->roll[0])
        g_string_append_printf(out, " #%s", p->roll);
    g_string_free(s, TRUE);
    char *r = strdup(out->str);
    g_string_free(out, TRUE);
    return r;
}

static int add_to_event(ann_event *ev, size_t photo)
{
    if (ev->nphotos == ev->cap) {
        size_t cap = ev->cap ? ev->cap * 2 : 8;
        size_t *p = realloc(ev->photos, cap * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        ev->photos = p;
        ev->cap = cap;
    }
    ev->photos[ev->nphotos++] = photo;
    return 0;
}

/* The event's date: the most precise of its photos' own dates, the most common
 * value among equals; its place the most common place. */
static bool camera_date(const ann_photo *p)
{
    return p->date_source && (strcmp(p->date_source, "exif") == 0 || strcmp(p->date_source, "filename") == 0);
}

static void event_conclude(ann_model *m, ann_event *ev)
{
    GHashTable *votes = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    date_precision best = DATE_NONE;
    /* the archive's words first: a camera date of a scan is the day of the scan */
    bool words = false;
    for (size_t k = 0; k < ev->nphotos; k++) {
        const ann_photo *p = &m->photos[ev->photos[k]];
        words |= p->date.precision != DATE_NONE && !camera_date(p);
    }
    /* only the archive's words date an event: a camera date stays on its photo */
    for (size_t k = 0; k < ev->nphotos; k++) {
        const ann_photo *p = &m->photos[ev->photos[k]];
        if (!camera_date(p) && p->date.precision > best)
            best = p->date.precision;
    }
    ev->words = words;
    int top = 0;
    for (size_t k = 0; best != DATE_NONE && k < ev->nphotos; k++) {
        const ann_photo *p = &m->photos[ev->photos[k]];
        if (p->date.precision != best || camera_date(p))
            continue;
        char v[16];
        dates_format(&p->date, v, sizeof v);
        int c = GPOINTER_TO_INT(g_hash_table_lookup(votes, v)) + 1;
        g_hash_table_insert(votes, strdup(v), GINT_TO_POINTER(c));
        if (c > top) {
            top = c;
            ev->date = p->date;
            ev->date_source = p->date_source;
        }
    }
    g_hash_table_remove_all(votes);
    top = 0;
    for (size_t k = 0; k < ev->nphotos; k++) {
        const ann_photo *p = &m->photos[ev->photos[k]];
        if (!p->place)
            continue;
        int c = GPOINTER_TO_INT(g_hash_table_lookup(votes, p->place->name)) + 1;
        g_hash_table_insert(votes, strdup(p->place->name), GINT_TO_POINTER(c));
        if (c > top) {
            top = c;
            ev->place = p->place;
        }
    }
    g_hash_table_destroy(votes);
}

/* Date of a coarser own date that the event's date refines: "1978" and "1978-07". */
static bool refines(const date_hit *own, const date_hit *ev)
{
    if (own->precision == DATE_NONE)
        return true;
    if (own->precision >= ev->precision || own->precision == DATE_DECADE)
        return false;
    if (own->year != ev->year)
        return false;
    if (own->precision == DATE_SEASON)
        return ev->month >= own->month && ev->month < own->month + 3;
    return true;
}

int events_group(ann_model *m)
{
    GHashTable *evid = folders_with_evidence(m);
    GHashTable *index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        ann_photo *p = &m->photos[i];
        /* a photo whose event people set is in theirs, not in one of the rules
         * (which would otherwise be stored without it: empty) */
        if (!p->folder || p->human_event) {
            p->event = SIZE_MAX;
            continue;
        }
        bool folder_event = g_hash_table_contains(evid, p->folder);
        char *key = event_key(p, folder_event);
        size_t e = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(index, key));
        if (!e) {
            ann_event *evs = realloc(m->events, (m->nevents + 1) * sizeof *evs);
            if (!evs) {
                g_free(key);
                rc = ERR_NOMEM;
                break;
            }
            m->events = evs;
            ann_event *ev = &m->events[m->nevents];
            memset(ev, 0, sizeof *ev);
            ev->key = strdup(key);
            ev->name = event_name(m, p, folder_event);
            e = ++m->nevents;
            g_hash_table_insert(index, key, GSIZE_TO_POINTER(e));
        } else {
            g_free(key);
        }
        p->event = e - 1;
        rc = add_to_event(&m->events[e - 1], i);
    }
    g_hash_table_destroy(index);
    g_hash_table_destroy(evid);
    if (rc)
        return rc;
    for (size_t e = 0; e < m->nevents; e++) {
        ann_event *ev = &m->events[e];
        event_conclude(m, ev);
        for (size_t k = 0; k < ev->nphotos; k++) {
            ann_photo *p = &m->photos[ev->photos[k]];
            /* a camera date of a scan, or a folder's or album's coarser date that
             * the event's own captions contradict, yields to the event's date */
            bool shared =
                p->date_source && (strcmp(p->date_source, "folder") == 0 || strcmp(p->date_source, "album") == 0);
            bool contradicts = ev->words && (camera_date(p) || (shared && p->date.precision < ev->date.precision)) &&
                               p->date.year != ev->date.year;
            /* an event spans days: what it lends a photo is at most its month */
            date_hit lent = ev->date;
            if (lent.precision == DATE_DAY) {
                lent.precision = DATE_MONTH;
                lent.day = 0;
            }
            if (ev->date.precision != DATE_NONE && !p->human_date && (refines(&p->date, &lent) || contradicts)) {
                p->date = lent;
                p->date_source = "event";
                p->date_inferred = true;
            }
            if (ev->place && !p->place && !p->human_place) {
                p->place = ev->place;
                p->place_source = "event";
            }
        }
    }
    return 0;
}
