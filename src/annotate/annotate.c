/* annotate.c — the stage: load, read the evidence, group, name, store. */
#include "annotate/annotate.h"
#include "annotate/carry.h"
#include "annotate/events.h"
#include "annotate/evidence.h"
#include "annotate/model.h"
#include "annotate/parsecache.h"
#include "annotate/placelearn.h"
#include "core/progress.h"
#include "store/catalog_annotate.h"
#include "store/catalog_ocr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void annotate_options_default(annotate_options *o)
{
    memset(o, 0, sizeof *o);
    o->progress_enabled = -1;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- loading ---------------------------------------------------------------- */

static int on_photo(const char *id, const char *taken_at, const char *taken_src, const char *sidecar, void *ud)
{
    ann_model *m = ud;
    ann_photo *p = ann_model_add_photo(m, id);
    if (!p)
        return ERR_NOMEM;
    if (taken_at && taken_src && strcmp(taken_src, "exif") == 0 && !(p->taken_at = strdup(taken_at)))
        return ERR_NOMEM;
    if (sidecar && !(p->sidecar = strdup(sidecar)))
        return ERR_NOMEM;
    return 0;
}

/* The photo's newest path: where the archive keeps it now (an older path may
 * be where it was before it was sorted). */
static int on_source(const char *id, const char *path, void *ud)
{
    ann_photo *p = ann_model_photo(ud, id);
    if (!p)
        return 0;
    char *dup = strdup(path);
    if (!dup)
        return ERR_NOMEM;
    free(p->path);
    p->path = dup;
    return 0;
}

static int on_face(int64_t face_id, const char *photo_id, const double box[4], int64_t person_id, const char *status,
                   void *ud)
{
    ann_photo *p = ann_model_photo(ud, photo_id);
    if (!p)
        return 0;
    ann_face *f = realloc(p->faces, (p->nfaces + 1) * sizeof *f);
    if (!f)
        return ERR_NOMEM;
    p->faces = f;
    f[p->nfaces++] = (ann_face){ .id = face_id,
                                 .box = { box[0], box[1], box[2], box[3] },
                                 .person_id = person_id,
                                 .confirmed = status && strcmp(status, "confirmed") == 0 };
    return 0;
}

static int on_named(int64_t person_id, const char *name, void *ud)
{
    ann_model *m = ud;
    gint64 *k = malloc(sizeof *k);
    char *v = strdup(name);
    if (!k || !v) {
        free(k);
        free(v);
        return ERR_NOMEM;
    }
    *k = person_id;
    g_hash_table_replace(m->confirmed, k, v);
    return 0;
}

static int on_decided(int64_t person_id, int64_t face_id, const char *label, const char *status, void *ud)
{
    ann_model *m = ud;
    if (strcmp(status, "rejected") != 0)
        return 0;
    char *key = names_key(label);
    if (!key)
        return ERR_NOMEM;
    char *s = g_strdup_printf("%c%lld|%s", person_id ? 'p' : 'f', (long long)(person_id ? person_id : face_id), key);
    free(key);
    char *d = strdup(s);
    g_free(s);
    if (!d)
        return ERR_NOMEM;
    g_hash_table_add(m->rejected, d);
    return 0;
}

static int on_human(const char *photo_id, const char *date_value, const char *date_precision, bool date_human,
                    int64_t place_id, bool place_human, int64_t event_id, bool event_human, void *ud)
{
    (void)event_id; /* the row keeps it (catalog_ann_photo_put); the rules' grouping goes on */
    ann_photo *p = ann_model_photo(ud, photo_id);
    if (!p)
        return 0;
    p->human_event = event_human;
    if (date_human) { /* no value: people said the photo has no date */
        p->human_date = true;
        snprintf(p->human_date_value, sizeof p->human_date_value, "%s", date_value ? date_value : "");
        snprintf(p->human_date_precision, sizeof p->human_date_precision, "%s", date_precision ? date_precision : "");
    }
    if (place_human) {
        p->human_place = true;
        p->human_place_id = place_id;
    }
    return 0;
}

static int on_stored(const char *photo_id, const char *digest, void *ud)
{
    ann_photo *p = ann_model_photo(ud, photo_id);
    if (p && digest && !(p->stored = strdup(digest)))
        return ERR_NOMEM;
    return 0;
}

static int on_parse(const char *photo_id, const char *inputs, const char *context, const char *parse, void *ud)
{
    ann_photo *p = ann_model_photo(ud, photo_id);
    if (!p)
        return 0;
    if (!(p->cache_inputs = strdup(inputs)) || !(p->cache_context = strdup(context)) ||
        !(p->cache_parse = strdup(parse)))
        return ERR_NOMEM;
    return 0;
}

static int nomem(err *e)
{
    return err_set(e, ERR_NOMEM, "annotate: out of memory");
}

typedef struct carry_ctx {
    carry *k;
    ann_model *m;
} carry_ctx;

static int on_rejection(const char *label, const int64_t *faces, size_t n, void *ud)
{
    carry_ctx *x = ud;
    return carry_rejection(x->k, x->m, label, faces, n);
}

/* Names people rejected for a person, for the persons its faces are in now. */
static int load_rejections(catalog *c, ann_model *m, err *e)
{
    carry_ctx x = { .k = carry_new(m), .m = m };
    if (!x.k)
        return nomem(e);
    int rc = catalog_ann_each_name_rejection(c, on_rejection, &x, e);
    carry_free(x.k);
    return rc;
}

/* ---- storing ---------------------------------------------------------------- */

/* One fact's evidence; text read by OCR carries Tesseract's confidence. */
static json_t *fact(const ann_photo *p, const char *kind, const char *source, const char *text)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "kind", kind, "source", source, "text", text);
    if (o && strcmp(source, "ocr") == 0)
        json_object_set_new(o, "confidence", json_real(p->ocr_confidence));
    return o;
}

static json_t *photo_evidence(const ann_model *m, const ann_photo *p)
{
    json_t *a = json_array();
    if (p->date.precision != DATE_NONE && p->date_text)
        json_array_append_new(a, fact(p, "date", p->date_source, p->date_text));
    if (p->place && p->place_text)
        json_array_append_new(a, fact(p, "place", p->place_source, p->place_text));
    if (p->caption)
        json_array_append_new(
            a,
            fact(p, "caption", p->caption_source && !strcmp(p->caption_source, "ocr") ? "ocr" : "caption", p->caption));
    /* who took it ("Foto: Ulli Weiss"): the graph's PERFORMED_AT {role: photographer} */
    for (size_t i = 0; i < p->nnames; i++) {
        const char *who = p->names[i].role == NAME_PHOTOGRAPHER ? ann_model_name_form(m, p->names[i].name) : NULL;
        if (who)
            json_array_append_new(a, fact(p, "photographer", "caption", who));
    }
    return a;
}

/* Text read by the ocr stage (catalog_ocr.h): a back's text is its front's.
 * Several texts of one photo are joined, their confidence weighted by length. */
static int on_ocr(const char *about, const char *read_on, const catalog_ocr_text *t, void *ud)
{
    (void)read_on;
    ann_photo *p = ann_model_photo(ud, about);
    if (!p || !t->text[0])
        return 0;
    size_t old = p->ocr ? strlen(p->ocr) : 0, add = strlen(t->text);
    char *s = realloc(p->ocr, old + add + 2);
    if (!s)
        return ERR_NOMEM;
    if (old)
        s[old++] = '\n';
    memcpy(s + old, t->text, add + 1);
    p->ocr = s;
    p->ocr_confidence =
        old ? (p->ocr_confidence * (double)old + t->confidence * (double)add) / (double)(old + add) : t->confidence;
    return 0;
}

typedef struct store_ctx {
    catalog *c;
    ann_model *m;
    GHashTable *place_ids; /* place_info* -> id */
    err *e;
} store_ctx;

static int place_id(store_ctx *s, const place_info *pl, int64_t *id)
{
    *id = 0;
    if (!pl)
        return 0;
    gpointer v = g_hash_table_lookup(s->place_ids, pl);
    if (v) {
        *id = (int64_t)GPOINTER_TO_SIZE(v);
        return 0;
    }
    int rc = catalog_ann_place_id(s->c, ann_model_place_name(s->m, pl), pl->country, pl->geonames_id, pl->lat, pl->lon,
                                  pl->geonames_id ? "geonames" : "archive", id, s->e);
    if (rc == 0)
        g_hash_table_insert(s->place_ids, (gpointer)pl, GSIZE_TO_POINTER((size_t)*id));
    return rc;
}

static int on_other_event(const char *name, int year, void *ud)
{
    g_hash_table_add(ud, g_strdup_printf("%s|%d", name, year));
    return 0;
}

typedef struct stored_event {
    int64_t id;
    char *digest;
} stored_event;

static void stored_event_free(gpointer p)
{
    stored_event *se = p;
    free(se->digest);
    free(se);
}

static int on_stored_event(const char *key, int64_t id, const char *digest, void *ud)
{
    stored_event *se = malloc(sizeof *se);
    char *k = strdup(key);
    if (!se || !k || !(se->digest = strdup(digest))) {
        free(se);
        free(k);
        return ERR_NOMEM;
    }
    se->id = id;
    g_hash_table_insert(ud, k, se);
    return 0;
}

static int on_renamed_event(const char *key, const char *name, void *ud)
{
    g_hash_table_insert(ud, g_strdup(key), g_strdup(name));
    return 0;
}

static int event_year(const ann_event *ev)
{
    return ev->date.precision != DATE_NONE ? ev->date.year : 0;
}

/* Writes the events, only those that changed since the last run (an
 * incremental run after a few new photos touches a few events, not all).
 * An event people renamed keeps their name. */
static int store_events(store_ctx *s, size_t *stored)
{
    ann_model *m = s->m;
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* "name|year" */
    GHashTable *before = g_hash_table_new_full(g_str_hash, g_str_equal, free, stored_event_free);
    GHashTable *renamed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free); /* key -> name */
    const char **keys = malloc((m->nevents + 1) * sizeof *keys);
    const char **changed = malloc((m->nevents + 1) * sizeof *changed);
    char **evname = calloc(m->nevents + 1, sizeof *evname);
    int64_t *pids = calloc(m->nevents + 1, sizeof *pids);
    size_t nkeep = 0, nchanged = 0;
    int rc = keys && changed && evname && pids ? 0 : nomem(s->e);
    if (rc == 0) /* names of events people made are taken */
        rc = catalog_ann_each_other_event(s->c, "rules", on_other_event, names, s->e);
    if (rc == 0)
        rc = catalog_ann_each_event(s->c, "rules", on_stored_event, before, s->e);
    if (rc == 0)
        rc = catalog_ann_each_renamed_event(s->c, "rules", on_renamed_event, renamed, s->e);
    if (rc == ERR_NOMEM && s->e->code != ERR_NOMEM)
        rc = nomem(s->e);
    /* people's names first: the rules' names stay clear of them */
    for (size_t i = 0; rc == 0 && i < m->nevents; i++) {
        const char *human = g_hash_table_lookup(renamed, m->events[i].key);
        if (human)
            g_hash_table_add(names, g_strdup_printf("%s|%d", human, event_year(&m->events[i])));
    }
    for (size_t i = 0; rc == 0 && i < m->nevents; i++) {
        ann_event *ev = &m->events[i];
        keys[i] = ev->key;
        char dv[16] = "";
        if (ev->date.precision != DATE_NONE)
            dates_format(&ev->date, dv, sizeof dv);
        int year = event_year(ev);
        const char *human = g_hash_table_lookup(renamed, ev->key);
        /* one name per year: a second "Probe" of 1977 is told apart by its date, place, then a number */
        char *name = g_strdup(human ? human : ev->name);
        for (int k = 2; !human; k++) {
            char *probe = g_strdup_printf("%s|%d", name, year);
            bool taken = g_hash_table_contains(names, probe);
            g_free(probe);
            if (!taken)
                break;
            char *alt = k == 2 && dv[0] ? g_strdup_printf("%s (%s)", ev->name, dv)
                        : k == 3 && ev->place
                            ? g_strdup_printf("%s (%s%s%s)", ev->name, dv, dv[0] ? ", " : "", ev->place->name)
                            : g_strdup_printf("%s (%d)", ev->name, k);
            g_free(name);
            name = alt;
        }
        g_hash_table_add(names, g_strdup_printf("%s|%d", name, year));
        evname[i] = name;
        rc = place_id(s, ev->place, &pids[i]);
        if (rc)
            break;
        char *digest = g_strdup_printf("%s|%s|%d|%s|%s|%lld", ev->key, name, year, dv,
                                       dv[0] ? dates_precision_name(ev->date.precision) : "", (long long)pids[i]);
        stored_event *se = g_hash_table_lookup(before, ev->key);
        if (se && strcmp(se->digest, digest) == 0)
            ev->id = se->id; /* as stored */
        else
            changed[nchanged++] = ev->key;
        g_free(digest);
    }
    if (rc == 0)
        rc = catalog_ann_events_prepare(s->c, "rules", keys, m->nevents, changed, nchanged, s->e);
    for (size_t i = 0; rc == 0 && i < m->nevents; i++) {
        ann_event *ev = &m->events[i];
        if (!ev->id) {
            char dv[16] = "";
            if (ev->date.precision != DATE_NONE)
                dates_format(&ev->date, dv, sizeof dv);
            int year = ev->date.precision != DATE_NONE ? ev->date.year : 0;
            rc = catalog_ann_event_put(s->c, ev->key, evname[i], year, dv[0] ? dv : NULL,
                                       dv[0] ? dates_precision_name(ev->date.precision) : NULL, pids[i], "rules",
                                       &ev->id, s->e);
        }
        if (rc == 0)
            nkeep++;
    }
    *stored = nkeep;
    for (size_t i = 0; evname && i < m->nevents; i++)
        g_free(evname[i]);
    free(evname);
    free(pids);
    free(keys);
    free(changed);
    g_hash_table_destroy(before);
    g_hash_table_destroy(names);
    g_hash_table_destroy(renamed);
    return rc;
}

static int store_photos(store_ctx *s, progress *bar, annotate_summary *sum)
{
    ann_model *m = s->m;
    catalog_ann_photo_writer *w = catalog_ann_photo_writer_open(s->c, s->e);
    int rc = w ? 0 : s->e->code;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        ann_photo *p = &m->photos[i];
        char dv[16] = "";
        if (p->date.precision != DATE_NONE)
            dates_format(&p->date, dv, sizeof dv);
        int64_t pid = 0;
        rc = place_id(s, p->place, &pid);
        if (rc)
            break;
        json_t *ev = photo_evidence(s->m, p);
        char *evtext = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
        json_decref(ev);
        catalog_ann_photo_row row = {
            .photo_id = p->id,
            .date_value = dv[0] ? dv : NULL,
            .date_precision = dates_precision_name(p->date.precision),
            .date_source = p->date_source,
            .date_inferred = p->date_inferred,
            .place_id = pid,
            .place_source = p->place_source,
            .event_id = p->event != SIZE_MAX && p->event < m->nevents ? m->events[p->event].id : 0,
            .evidence = evtext,
        };
        /* the same text catalog_ann_each_stored gives: an unchanged row is not written */
        char *digest = g_strdup_printf("%s|%s|%s|%d|%lld|%s|%lld|%s", dv, dv[0] ? row.date_precision : "",
                                       dv[0] && row.date_source ? row.date_source : "", dv[0] && row.date_inferred,
                                       (long long)pid, pid && row.place_source ? row.place_source : "",
                                       (long long)row.event_id, evtext ? evtext : "");
        if (!p->stored || !digest || strcmp(p->stored, digest) != 0 || p->human_date || p->human_place ||
            p->human_event) {
            rc = catalog_ann_photo_put(w, &row, s->e);
            sum->rows_written++;
        }
        g_free(digest);
        free(evtext);
        if (dv[0]) {
            sum->dated++;
            sum->dated_inferred += p->date_inferred;
        }
        sum->placed += p->place != NULL || p->human_place;
        sum->captions += p->caption != NULL;
        if (i % 512 == 0)
            progress_set(bar, (int64_t)(m->n + i));
    }
    catalog_ann_photo_writer_close(w);
    return rc;
}

/* The parses read afresh into the parse cache (parsecache.h). */
static int store_parses(store_ctx *s, const char *context)
{
    catalog_ann_parse_writer *w = catalog_ann_parse_writer_open(s->c, s->e);
    int rc = w ? 0 : s->e->code;
    for (size_t i = 0; rc == 0 && i < s->m->n; i++) {
        const ann_photo *p = &s->m->photos[i];
        if (p->parse_new)
            rc = catalog_ann_parse_put(w, p->id, p->inputs, context, p->parse_new, s->e);
    }
    catalog_ann_parse_writer_close(w);
    return rc;
}

static int sug_cmp(const void *a, const void *b)
{
    const ann_suggestion *x = a, *y = b;
    if (x->person_id != y->person_id)
        return x->person_id < y->person_id ? -1 : 1;
    if (x->face_id != y->face_id)
        return x->face_id < y->face_id ? -1 : 1;
    return x->confidence > y->confidence ? -1 : x->confidence < y->confidence;
}

/* One suggestion as a line of its owner's digest: label, confidence, evidence. */
static char *sug_line(const char *label, double conf, const char *evidence)
{
    return g_strdup_printf("%s\x1f%.17g\x1f%s", label, conf, evidence ? evidence : "");
}

static int on_open(int64_t person_id, int64_t face_id, const char *label, double conf, const char *evidence, void *ud)
{
    char *key = g_strdup_printf("%c%lld", person_id ? 'p' : 'f', (long long)(person_id ? person_id : face_id));
    GPtrArray *lines = g_hash_table_lookup(ud, key);
    if (!lines) {
        lines = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(ud, key, lines);
    } else {
        g_free(key);
    }
    g_ptr_array_add(lines, sug_line(label, conf, evidence));
    return 0;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The owner's suggestions as one text, in a fixed order; consumes lines. */
static char *digest_lines(GPtrArray *lines)
{
    g_ptr_array_sort(lines, cmp_str);
    g_ptr_array_add(lines, NULL);
    char *d = g_strjoinv("\x1e", (char **)lines->pdata);
    return d;
}

static int store_suggestions(store_ctx *s, annotate_summary *sum)
{
    /* what is stored now, per owner: an owner whose suggestions did not change is not rewritten */
    GHashTable *before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    int brc = catalog_ann_each_open_suggestion(s->c, "rules", on_open, before, s->e);
    if (brc) {
        g_hash_table_destroy(before);
        return brc;
    }
    ann_model *m = s->m;
    if (m->nsugs) /* an archive with no suggestions has no array: qsort wants one */
        qsort(m->sugs, m->nsugs, sizeof *m->sugs, sug_cmp);
    int64_t *persons = malloc((m->nsugs + 1) * sizeof *persons), *faces = malloc((m->nsugs + 1) * sizeof *faces);
    const char **labels = malloc((m->nsugs + 1) * sizeof *labels), **evs = malloc((m->nsugs + 1) * sizeof *evs);
    double *conf = malloc((m->nsugs + 1) * sizeof *conf);
    size_t np = 0, nf = 0;
    int rc = persons && faces && labels && evs && conf ? 0 : nomem(s->e);
    for (size_t i = 0; rc == 0 && i < m->nsugs;) {
        size_t j = i;
        while (j < m->nsugs && m->sugs[j].person_id == m->sugs[i].person_id && m->sugs[j].face_id == m->sugs[i].face_id)
            j++;
        GPtrArray *now = g_ptr_array_new_with_free_func(g_free);
        for (size_t k = i; k < j; k++) {
            labels[k - i] = m->sugs[k].label;
            conf[k - i] = m->sugs[k].confidence;
            evs[k - i] = m->sugs[k].evidence;
            g_ptr_array_add(now, sug_line(m->sugs[k].label, m->sugs[k].confidence, m->sugs[k].evidence));
        }
        char *owner = g_strdup_printf("%c%lld", m->sugs[i].person_id ? 'p' : 'f',
                                      (long long)(m->sugs[i].person_id ? m->sugs[i].person_id : m->sugs[i].face_id));
        GPtrArray *was = g_hash_table_lookup(before, owner);
        char *dnow = digest_lines(now), *dwas = was ? digest_lines(was) : NULL;
        if (!dwas || strcmp(dnow, dwas) != 0)
            rc = catalog_ann_suggestions_put(s->c, m->sugs[i].person_id, m->sugs[i].face_id, "rules", labels, conf, evs,
                                             j - i, s->e);
        g_free(dnow);
        g_free(dwas);
        g_free(owner);
        g_ptr_array_unref(now);
        if (m->sugs[i].person_id)
            persons[np++] = m->sugs[i].person_id;
        else
            faces[nf++] = m->sugs[i].face_id;
        i = j;
    }
    if (rc == 0)
        rc = catalog_ann_suggestions_prune(s->c, "rules", persons, np, faces, nf, s->e);
    sum->persons_suggested = np;
    sum->faces_suggested = nf;
    sum->suggestions = m->nsugs;
    free(persons);
    free(faces);
    free(labels);
    free(evs);
    free(conf);
    g_hash_table_destroy(before);
    return rc;
}

/* ---- the stage -------------------------------------------------------------- */

/* The catalog into m; full: without the parse cache (everything read afresh). */
static int load(catalog *c, ann_model *m, bool full, err *e)
{
    int rc = catalog_ann_each_photo(c, on_photo, m, e);
    if (rc == ERR_NOMEM)
        return nomem(e);
    if (rc == 0)
        rc = catalog_ann_each_source(c, on_source, m, e);
    if (rc == 0)
        rc = catalog_ann_each_face(c, on_face, m, e);
    if (rc == 0)
        rc = catalog_ann_each_named_person(c, on_named, m, e);
    if (rc == 0)
        rc = catalog_ann_each_decided(c, on_decided, m, e);
    if (rc == 0)
        rc = load_rejections(c, m, e);
    if (rc == 0)
        rc = catalog_ann_each_human(c, on_human, m, e);
    if (rc == 0)
        rc = catalog_ann_each_stored(c, on_stored, m, e);
    if (rc == 0)
        rc = catalog_ocr_each_evidence(c, on_ocr, m, e);
    if (rc == 0 && !full)
        rc = catalog_ann_each_parse(c, on_parse, m, e);
    if (rc == ERR_NOMEM && e->code != ERR_NOMEM)
        return nomem(e);
    return rc;
}

int annotate_run(catalog *c, const annotate_options *o, annotate_summary *s, err *e)
{
    memset(s, 0, sizeof *s);
    double t0 = now_s();
    char fp[512], last[512];
    size_t vl = (size_t)snprintf(fp, sizeof fp, "%s|", ANNOTATE_RULES_VERSION);
    int rc = catalog_ann_fingerprint(c, fp + vl, sizeof fp - vl, e);
    if (rc == 0)
        rc = catalog_ann_last_fingerprint(c, last, sizeof last, e);
    if (rc)
        return rc;
    if (!o->full && strcmp(fp, last) == 0) {
        s->unchanged = true;
        s->seconds = now_s() - t0;
        return 0;
    }
    gazetteer *gaz = gazetteer_new();
    if (!gaz)
        return nomem(e);
    rc = gazetteer_load_geonames(gaz, o->langs ? o->langs : places_default_langs, e);
    if (rc) {
        gazetteer_free(gaz);
        return rc;
    }
    s->gazetteer_names = gazetteer_size(gaz);
    ann_model *m = ann_model_new(gaz);
    if (!m) {
        gazetteer_free(gaz);
        return nomem(e);
    }
    double t1 = now_s(), c1 = cpu_s();
    rc = load(c, m, o->full, e);
    s->t_load = now_s() - t1;
    s->c_load = cpu_s() - c1;
    t1 = now_s(), c1 = cpu_s();
    progress *bar =
        o->progress ? progress_new(o->progress, "annotate", "photos", (int64_t)m->n * 2, o->progress_enabled) : NULL;
    /* each photo's texts: from the parse cache when its inputs did not change */
    bool *hit = calloc(m->n + 1, sizeof *hit);
    if (!hit && rc == 0)
        rc = nomem(e);
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        ann_photo *p = &m->photos[i];
        parsecache_inputs(p);
        hit[i] = p->cache_parse && strcmp(p->cache_inputs, p->inputs) == 0 && parsecache_restore_texts(p);
        if (hit[i]) {
            free(p->sidecar);
            p->sidecar = NULL;
        }
        if (hit[i] ? evidence_restored(m, p) : evidence_gather(m, p))
            rc = nomem(e);
    }
    /* its date, place and names too when what reading depends on is as it was */
    char context[65];
    parsecache_context(m, o->langs ? o->langs : places_default_langs, context);
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        ann_photo *p = &m->photos[i];
        hit[i] = hit[i] && strcmp(p->cache_context, context) == 0 && parsecache_restore_read(m, p);
        if (hit[i]) {
            s->parse_cached++;
            if (evidence_count(m, p))
                rc = nomem(e);
        } else {
            s->parsed++;
            if (evidence_read(m, p))
                rc = nomem(e);
            p->parse_new = rc == 0 ? parsecache_encode(m, p) : NULL;
        }
        free(p->cache_inputs);
        free(p->cache_context);
        free(p->cache_parse);
        p->cache_inputs = p->cache_context = p->cache_parse = NULL;
        if (p->human_date) {
            p->date = (date_hit){ 0 };
            p->date.precision = dates_precision_parse(p->human_date_precision);
            sscanf(p->human_date_value, "%d-%d-%d", &p->date.year, &p->date.month, &p->date.day);
            p->date_source = "human";
            p->date_inferred = false;
        }
        if (i % 512 == 0)
            progress_set(bar, (int64_t)i);
    }
    free(hit);
    if (rc == 0 && placelearn_run(m, &s->places_learned))
        rc = nomem(e);
    s->t_read = now_s() - t1;
    s->c_read = cpu_s() - c1;
    t1 = now_s(), c1 = cpu_s();
    if (rc == 0 && events_group(m))
        rc = nomem(e);
    s->t_group = now_s() - t1;
    s->c_group = cpu_s() - c1;
    t1 = now_s(), c1 = cpu_s();
    if (rc == 0 && naming_suggest(m, o->advisor, o->advisor_ud))
        rc = nomem(e);
    s->t_name = now_s() - t1;
    s->c_name = cpu_s() - c1;
    t1 = now_s(), c1 = cpu_s();
    store_ctx sc = { .c = c, .m = m, .place_ids = g_hash_table_new(g_direct_hash, g_direct_equal), .e = e };
    if (rc == 0)
        rc = catalog_begin(c, e);
    if (rc == 0) {
        s->photos = m->n;
        rc = store_events(&sc, &s->events);
        if (rc == 0)
            rc = store_photos(&sc, bar, s);
        if (rc == 0)
            rc = store_suggestions(&sc, s);
        if (rc == 0)
            rc = store_parses(&sc, context);
        s->seconds = now_s() - t0;
        catalog_ann_run run = { .fingerprint = fp,
                                .full = o->full,
                                .photos = (int64_t)s->photos,
                                .dated = (int64_t)s->dated,
                                .placed = (int64_t)s->placed,
                                .events = (int64_t)s->events,
                                .suggestions = (int64_t)s->suggestions,
                                .seconds = s->seconds };
        if (rc == 0)
            rc = catalog_ann_run_put(c, &run, e);
        if (rc == 0)
            rc = catalog_commit(c, e);
        else
            catalog_rollback(c);
        s->t_store = now_s() - t1;
        s->c_store = cpu_s() - c1;
    }
    progress_end(bar);
    g_hash_table_destroy(sc.place_ids);
    ann_model_free(m);
    gazetteer_free(gaz);
    s->seconds = now_s() - t0;
    return rc;
}
