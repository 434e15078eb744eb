/* evidence.c — from paths and sidecar JSON to dates, places and names. */
#include "annotate/evidence.h"
#include "annotate/text.h"
#include "core/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LEVELS 12
#define MAX_HITS 32

static int add_text(ann_photo *p, ann_text_kind kind, const char *source, int level, const char *text)
{
    if (!text)
        return 0;
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    if (!*text)
        return 0;
    ann_text *t = realloc(p->texts, (p->ntexts + 1) * sizeof *t);
    if (!t)
        return ERR_NOMEM;
    p->texts = t;
    char *dup = strdup(text);
    if (!dup)
        return ERR_NOMEM;
    t[p->ntexts++] = (ann_text){ .kind = kind, .source = source, .level = level, .text = dup };
    return 0;
}

void evidence_roll(const char *file, char *out, size_t size)
{
    out[0] = '\0';
    const char *dot = strrchr(file, '.');
    size_t len = dot && dot != file ? (size_t)(dot - file) : strlen(file);
    size_t starts[16], ends[16], n = 0;
    for (size_t i = 0; i < len && n < 16;) {
        if (file[i] >= '0' && file[i] <= '9') {
            size_t j = i;
            while (j < len && file[j] >= '0' && file[j] <= '9')
                j++;
            starts[n] = i;
            ends[n++] = j;
            i = j;
        } else {
            i++;
        }
    }
    if (n < 2)
        return;
    size_t o = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        size_t l = ends[k] - starts[k];
        if (o + l + 2 >= size)
            break;
        if (k)
            out[o++] = '_';
        memcpy(out + o, file + starts[k], l);
        o += l;
    }
    out[o] = '\0';
}

/* Key names of the JSON sidecar fields, by what they hold. */
static const char *const caption_keys[] = { "caption", "description", "title",        "text",
                                            "comment", "headline",    "beschreibung", "bildunterschrift",
                                            "titel",   "kommentar" };
static const char *const date_keys[] = { "date", "datetime", "taken", "created", "datum", "date_created" };
static const char *const place_keys[] = { "place", "location", "city", "ort", "venue", "sublocation", "country" };
static const char *const person_keys[] = { "persons", "people", "names", "personen", "namen", "who" };
static const char *const creator_keys[] = { "photographer", "creator", "author", "fotograf", "byline", "credit" };
static const char *const keyword_keys[] = { "keywords", "tags", "subject", "schlagworte", "stichworte" };

static bool key_in(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(k, list[i]) == 0)
            return true;
    return false;
}
#define KEY_IN(k, list) key_in(k, list, sizeof list / sizeof list[0])

/* Strings of v (a string, or an array of strings) as texts of kind. */
static int add_values(ann_photo *p, ann_text_kind kind, const char *source, json_t *v)
{
    if (json_is_string(v))
        return add_text(p, kind, source, 0, json_string_value(v));
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            int rc = 0;
            if (json_is_string(x))
                rc = add_text(p, kind, source, 0, json_string_value(x));
            else if (json_is_object(x)) /* {"name": "..."} */
                rc = add_text(p, kind, source, 0, json_string_value(json_object_get(x, "name")));
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* A JSON sidecar object: each field by its key. album: everything is album text. */
static int add_json(ann_photo *p, json_t *o, const char *source, bool album)
{
    if (json_is_string(o))
        return add_text(p, album ? ANN_ALBUM : ANN_CAPTION, source, 0, json_string_value(o));
    if (!json_is_object(o))
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int rc = 0;
        if (KEY_IN(k, caption_keys))
            rc = add_values(p, album ? ANN_ALBUM : ANN_CAPTION, source, v);
        else if (KEY_IN(k, date_keys))
            rc = add_values(p, album ? ANN_ALBUM : ANN_DATE, source, v);
        else if (KEY_IN(k, place_keys))
            rc = add_values(p, album ? ANN_ALBUM : ANN_PLACE, source, v);
        else if (KEY_IN(k, person_keys) && !album)
            rc = add_values(p, ANN_PERSON, source, v);
        else if (KEY_IN(k, creator_keys))
            rc = add_values(p, ANN_CREATOR, source, v);
        else if (KEY_IN(k, keyword_keys) && !album)
            rc = add_values(p, ANN_KEYWORD, source, v);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_xmp(ann_photo *p, json_t *x)
{
    if (!json_is_object(x))
        return 0;
    int rc = add_values(p, ANN_CAPTION, "xmp", json_object_get(x, "title"));
    if (!rc)
        rc = add_values(p, ANN_CAPTION, "xmp", json_object_get(x, "description"));
    if (!rc)
        rc = add_values(p, ANN_DATE, "xmp", json_object_get(x, "date"));
    if (!rc)
        rc = add_values(p, ANN_PLACE, "xmp", json_object_get(x, "location"));
    if (!rc)
        rc = add_values(p, ANN_CREATOR, "xmp", json_object_get(x, "creator"));
    if (!rc)
        rc = add_values(p, ANN_PERSON, "xmp", json_object_get(x, "persons"));
    if (!rc)
        rc = add_values(p, ANN_KEYWORD, "xmp", json_object_get(x, "keywords"));
    return rc;
}

/* A title the photo's texts quote (folded), kept with the photo. */
static void title_of(ann_photo *p, char *f)
{
    if (!f)
        return;
    char **t = realloc(p->titles_of, (p->ntitles_of + 1) * sizeof *t);
    if (!t) {
        free(f);
        return;
    }
    p->titles_of = t;
    t[p->ntitles_of++] = f;
}

/* Quoted spans of text into the photo's titles (folded, without the marks). */
static void collect_titles(ann_photo *p, const char *text)
{
    text_quote q;
    for (size_t from = 0; text_quote_next(text, from, &q); from = q.close) {
        if (q.end == q.start)
            continue;
        char *f = text_fold(text + q.start, q.end - q.start);
        if (f && *f)
            title_of(p, f);
        else
            free(f);
    }
}

/* A bare year beside a more precise date of another year ("Probe 1980,
 * Essen, März 1985") is a title, not a date: remembered as one. */
static void collect_year_titles(ann_photo *p, const char *text)
{
    date_hit h[MAX_HITS];
    size_t n = dates_find(text, h, MAX_HITS);
    if (n > MAX_HITS)
        n = MAX_HITS;
    for (size_t a = 0; a < n; a++) {
        if (h[a].precision != DATE_YEAR || h[a].approx)
            continue;
        for (size_t b = 0; b < n; b++)
            if (h[b].precision >= DATE_SEASON && h[b].year != h[a].year) {
                title_of(p, text_fold(text + h[a].start, h[a].end - h[a].start));
                break;
            }
    }
}

/* The photo's file name, folder and roll from its path. */
static int path_parts(ann_photo *p)
{
    if (!p->path)
        return 0;
    const char *slash = strrchr(p->path, '/');
    p->file = strdup(slash ? slash + 1 : p->path);
    p->folder = slash ? strndup(p->path, (size_t)(slash - p->path)) : strdup("");
    if (!p->file || !p->folder)
        return ERR_NOMEM;
    evidence_roll(p->file, p->roll, sizeof p->roll);
    return 0;
}

/* The caption among the gathered texts; the archive's titles they quote. */
static int gathered(ann_model *m, ann_photo *p)
{
    for (size_t i = 0; i < p->ntexts; i++)
        if (p->texts[i].kind == ANN_CAPTION) {
            if (!(p->caption = strdup(p->texts[i].text)))
                return ERR_NOMEM;
            p->caption_source = p->texts[i].source;
            break;
        }
    for (size_t i = 0; i < p->ntitles_of; i++)
        if (!g_hash_table_contains(m->titles, p->titles_of[i])) {
            char *f = strdup(p->titles_of[i]);
            if (!f)
                return ERR_NOMEM;
            g_hash_table_add(m->titles, f);
        }
    return 0;
}

int evidence_restored(ann_model *m, ann_photo *p)
{
    int rc = path_parts(p);
    return rc ? rc : gathered(m, p);
}

int evidence_gather(ann_model *m, ann_photo *p)
{
    int rc = path_parts(p);
    if (rc)
        return rc;
    /* folder levels, nearest first */
    if (p->path) {
        const char *slash = strrchr(p->path, '/');
        const char *end = slash;
        for (int level = 0; end && end > p->path && level < MAX_LEVELS && rc == 0; level++) {
            const char *start = end;
            while (start > p->path && start[-1] != '/')
                start--;
            if (end > start) {
                char *seg = strndup(start, (size_t)(end - start));
                if (!seg)
                    return ERR_NOMEM;
                for (char *c = seg; *c; c++)
                    if (*c == '_')
                        *c = ' ';
                rc = add_text(p, ANN_FOLDER, "folder", level, seg);
                free(seg);
            }
            end = start > p->path ? start - 1 : NULL;
        }
    }
    if (rc == 0 && p->sidecar) {
        json_t *s = json_loads(p->sidecar, JSON_DECODE_ANY, NULL);
        if (json_is_object(s)) {
            rc = add_values(p, ANN_CAPTION, "caption", json_object_get(s, "txt"));
            if (!rc)
                rc = add_json(p, json_object_get(s, "json"), "json", false);
            if (!rc)
                rc = add_xmp(p, json_object_get(s, "xmp"));
            json_t *album = json_object_get(s, "album");
            if (!rc && json_is_object(album)) {
                rc = add_text(p, ANN_ALBUM, "album", 0, json_string_value(json_object_get(album, "txt")));
                if (!rc)
                    rc = add_json(p, json_object_get(album, "json"), "album", true);
            }
        }
        json_decref(s);
        free(p->sidecar);
        p->sidecar = NULL;
    }
    /* text read from the photo or the back of the print: after the sidecars,
     * so a caption someone typed is the photo's caption when both exist */
    if (rc == 0 && p->ocr)
        rc = add_text(p, ANN_CAPTION, "ocr", 0, p->ocr);
    for (size_t i = 0; rc == 0 && i < p->ntexts; i++) {
        if (p->texts[i].kind == ANN_CAPTION || p->texts[i].kind == ANN_ALBUM)
            collect_titles(p, p->texts[i].text);
        if (p->texts[i].kind == ANN_CAPTION || p->texts[i].kind == ANN_ALBUM ||
            (p->texts[i].kind == ANN_FOLDER && p->texts[i].level == 0))
            collect_year_titles(p, p->texts[i].text);
    }
    return rc ? rc : gathered(m, p);
}

/* ---- conclusions ------------------------------------------------------------ */

static int text_rank(const ann_text *t)
{
    switch (t->kind) {
    case ANN_CAPTION:
        return 0;
    case ANN_DATE:
    case ANN_PLACE:
        return 1;
    case ANN_ALBUM:
        return 2;
    case ANN_FOLDER:
        return 3 + t->level;
    case ANN_KEYWORD:
        return 3 + MAX_LEVELS;
    default:
        return 100;
    }
}

bool evidence_date_is_title(const ann_model *m, const char *text, const date_hit *h)
{
    if (h->precision != DATE_YEAR && h->precision != DATE_DECADE)
        return false;
    if (h->start == 0 && text[h->end] == '\0')
        return false;
    char *f = text_fold(text + h->start, h->end - h->start);
    bool t = f && g_hash_table_contains(m->titles, f);
    free(f);
    return t;
}

/* The best date (titles left out) and first place of a text. */
static void read_text_facts(ann_model *m, const char *text, ann_folder_facts *f)
{
    memset(f, 0, sizeof *f);
    date_hit h[MAX_HITS];
    size_t n = dates_find(text, h, MAX_HITS);
    if (n > MAX_HITS)
        n = MAX_HITS;
    for (size_t k = 0; k < n; k++)
        if (!evidence_date_is_title(m, text, &h[k]) && h[k].precision > f->date.precision)
            f->date = h[k];
    place_hit pl[4];
    size_t np = places_find(m->gaz, text, pl, 4);
    if (np > 0) {
        size_t b = places_best(pl, np < 4 ? np : 4);
        f->place = pl[b].place;
        f->place_start = pl[b].start;
        f->place_end = pl[b].end;
    }
}

/* A folder level's facts, read once per distinct text. */
const ann_folder_facts *evidence_text_facts(ann_model *m, const char *text)
{
    ann_folder_facts *f = g_hash_table_lookup(m->folder_facts, text);
    if (f)
        return f;
    f = malloc(sizeof *f);
    char *key = strdup(text);
    if (!f || !key) {
        free(f);
        free(key);
        return NULL;
    }
    read_text_facts(m, text, f);
    g_hash_table_insert(m->folder_facts, key, f);
    return f;
}

static void read_date(ann_model *m, ann_photo *p)
{
    int best_rank = 1 << 20;
    date_hit best = { 0 };
    const ann_text *from = NULL;
    for (size_t i = 0; i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (t->kind != ANN_CAPTION && t->kind != ANN_ALBUM && t->kind != ANN_FOLDER && t->kind != ANN_DATE)
            continue;
        if (t->kind == ANN_FOLDER || t->kind == ANN_ALBUM) {
            const ann_folder_facts *f = evidence_text_facts(m, t->text);
            int rank = text_rank(t);
            if (f && f->date.precision != DATE_NONE &&
                (f->date.precision > best.precision || (f->date.precision == best.precision && rank < best_rank))) {
                best = f->date;
                best_rank = rank;
                from = t;
            }
            continue;
        }
        date_hit h[MAX_HITS];
        size_t n = dates_find(t->text, h, MAX_HITS);
        if (n > MAX_HITS)
            n = MAX_HITS;
        for (size_t k = 0; k < n; k++) {
            if (evidence_date_is_title(m, t->text, &h[k]))
                continue;
            int rank = text_rank(t);
            if (h[k].precision > best.precision || (h[k].precision == best.precision && rank < best_rank)) {
                best = h[k];
                best_rank = rank;
                from = t;
            }
        }
    }
    /* a camera's or file name's date counts when the archive's words agree
     * with it (a scan's EXIF date is the day of the scan) or say nothing */
    date_hit cam = { 0 };
    const char *cam_source = NULL, *cam_text = NULL;
    if (p->taken_at && dates_in_filename(p->taken_at, &cam) && cam.precision == DATE_DAY) {
        cam_source = "exif";
        cam_text = p->taken_at;
    } else if (p->file && dates_in_filename(p->file, &cam)) {
        cam_source = "filename";
        cam_text = p->file;
    }
    if (cam_source) {
        char a[16], b[16];
        dates_format(&best, a, sizeof a);
        dates_format(&cam, b, sizeof b);
        if (best.precision == DATE_NONE || (cam.precision > best.precision && strncmp(a, b, strlen(a)) == 0)) {
            p->date = cam;
            p->date_source = cam_source;
            p->date_text = strdup(cam_text);
            return;
        }
    }
    if (from) {
        p->date = best;
        p->date_source = from->kind == ANN_FOLDER ? "folder" : from->source;
        p->date_text = strdup(from->text);
    }
}

static void read_place(ann_model *m, ann_photo *p)
{
    int best_rank = 1 << 20;
    for (size_t i = 0; i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (t->kind == ANN_PERSON || t->kind == ANN_CREATOR || t->kind == ANN_DATE)
            continue;
        int rank = text_rank(t);
        if (rank >= best_rank)
            continue;
        if (t->kind == ANN_FOLDER || t->kind == ANN_ALBUM) {
            const ann_folder_facts *f = evidence_text_facts(m, t->text);
            if (!f || !f->place)
                continue;
            p->place = f->place;
            p->place_form_start = f->place_start;
            p->place_form_len = f->place_end - f->place_start;
            p->place_source = t->kind == ANN_FOLDER ? "folder" : t->source;
            free(p->place_text);
            p->place_text = strdup(t->text);
            best_rank = rank;
            continue;
        }
        place_hit h[4];
        size_t n = places_find(m->gaz, t->text, h, 4);
        if (n == 0)
            continue;
        size_t b = places_best(h, n < 4 ? n : 4);
        p->place = h[b].place;
        p->place_form_start = h[b].start;
        p->place_form_len = h[b].end - h[b].start;
        p->place_source = t->kind == ANN_FOLDER ? "folder" : t->source;
        free(p->place_text);
        p->place_text = strdup(t->text);
        best_rank = rank;
    }
}

static void count_place_form(ann_model *m, ann_photo *p)
{
    if (p->place && p->place_text)
        ann_model_place_form(m, p->place, p->place_text + p->place_form_start, p->place_form_len);
}

static int add_name(ann_model *m, ann_photo *p, const char *text, name_role role, bool strong, int order)
{
    uint32_t id = ann_model_name(m, text);
    if (id == UINT32_MAX)
        return 0;
    for (size_t i = 0; i < p->nnames; i++)
        if (p->names[i].name == id) {
            if (role == NAME_PERSON)
                p->names[i].role = NAME_PERSON;
            p->names[i].strong |= strong;
            return 0;
        }
    ann_name *n = realloc(p->names, (p->nnames + 1) * sizeof *n);
    if (!n)
        return ERR_NOMEM;
    p->names = n;
    n[p->nnames++] = (ann_name){ .name = id, .role = role, .strong = strong, .order = order };
    return 0;
}

/* Spans of dates and places in text, for names_find to skip. */
static size_t skips_of(ann_model *m, const char *text, name_skip *sk, size_t max)
{
    size_t n = 0;
    date_hit d[MAX_HITS];
    size_t nd = dates_find(text, d, MAX_HITS);
    for (size_t i = 0; i < nd && i < MAX_HITS && n < max; i++)
        sk[n++] = (name_skip){ d[i].start, d[i].end };
    place_hit pl[MAX_HITS];
    size_t np = places_find(m->gaz, text, pl, MAX_HITS);
    for (size_t i = 0; i < np && i < MAX_HITS && n < max; i++)
        sk[n++] = (name_skip){ pl[i].start, pl[i].end };
    return n;
}

static int add_op(ann_photo *p, const char *text, name_role role, bool strong, int order)
{
    ann_name_op *o = realloc(p->ops, (p->nops + 1) * sizeof *o);
    if (!o)
        return ERR_NOMEM;
    p->ops = o;
    char *t = strdup(text);
    if (!t)
        return ERR_NOMEM;
    o[p->nops++] = (ann_name_op){ .text = t, .role = role, .strong = strong, .order = order };
    return 0;
}

bool evidence_title_text(const ann_text *t)
{
    return t->kind == ANN_ALBUM || (t->kind == ANN_FOLDER && t->level <= 2);
}

/* The name keys of a title text, read once per distinct text. */
static int find_title_names(ann_model *m, const char *text)
{
    if (g_hash_table_contains(m->title_names, text))
        return 0;
    name_skip sk[2 * MAX_HITS];
    size_t nsk = skips_of(m, text, sk, 2 * MAX_HITS);
    name_hit h[MAX_HITS];
    size_t n = names_find(text, sk, nsk, h, MAX_HITS);
    if (n > MAX_HITS)
        n = MAX_HITS;
    char **keys = g_new0(char *, n + 1);
    size_t nk = 0;
    for (size_t k = 0; k < n; k++) {
        char *key = names_key(h[k].text);
        if (!key)
            continue;
        keys[nk] = g_strdup(key);
        free(key);
        nk++;
    }
    names_hits_free(h, n);
    g_hash_table_insert(m->title_names, g_strdup(text), keys);
    return 0;
}

int evidence_find_names(ann_model *m, ann_photo *p)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (t->kind == ANN_PERSON || t->kind == ANN_CREATOR) {
            char *name = names_from_item(t->text);
            if (name)
                rc =
                    add_op(p, name, t->kind == ANN_CREATOR ? NAME_PHOTOGRAPHER : NAME_PERSON, t->kind == ANN_PERSON, 0);
            free(name);
            continue;
        }
        if (evidence_title_text(t)) {
            rc = find_title_names(m, t->text);
            continue;
        }
        if (t->kind != ANN_CAPTION)
            continue;
        name_skip sk[2 * MAX_HITS];
        size_t nsk = skips_of(m, t->text, sk, 2 * MAX_HITS);
        name_hit h[MAX_HITS];
        size_t n = names_find(t->text, sk, nsk, h, MAX_HITS);
        if (n > MAX_HITS)
            n = MAX_HITS;
        for (size_t k = 0; rc == 0 && k < n; k++)
            rc = add_op(p, h[k].text, h[k].role, false, h[k].order);
        names_hits_free(h, n);
    }
    return rc;
}

/* The found names into the archive's counts: as the photo's names, and the
 * names of folder and album texts as titles (each text once however many
 * photos it holds; a name once per photo). */
static int count_names(ann_model *m, ann_photo *p)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->nops; i++)
        rc = add_name(m, p, p->ops[i].text, p->ops[i].role, p->ops[i].strong, p->ops[i].order);
    GHashTable *titled = NULL;
    for (size_t i = 0; rc == 0 && i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (!evidence_title_text(t) || g_hash_table_contains(m->titled, t->text))
            continue;
        char *k = strdup(t->text);
        if (!k)
            return ERR_NOMEM;
        g_hash_table_add(m->titled, k);
        /* a run in a folder name or album text names an event or a title
         * more often than a person: counted once per photo */
        char **keys = g_hash_table_lookup(m->title_names, t->text);
        for (size_t j = 0; keys && keys[j]; j++) {
            if (!titled)
                titled = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
            if (!g_hash_table_contains(titled, keys[j])) {
                char *d = strdup(keys[j]);
                if (!d) {
                    rc = ERR_NOMEM;
                    break;
                }
                g_hash_table_add(titled, d);
            }
        }
    }
    if (titled) {
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, titled);
        while (g_hash_table_iter_next(&it, &k, NULL)) {
            size_t idx = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(m->name_index, k));
            if (idx)
                m->names[idx - 1].in_titles++;
            else {
                /* remember it: a later caption may use the same words */
                uint32_t id = ann_model_name(m, k);
                if (id != UINT32_MAX) {
                    m->names[id].in_titles++;
                    /* the form counted by ann_model_name is the folded key; drop it */
                    g_hash_table_remove(m->names[id].forms, k);
                }
            }
        }
        g_hash_table_destroy(titled);
    }
    for (size_t i = 0; i < p->nnames; i++) {
        if (p->names[i].role == NAME_PERSON)
            m->names[p->names[i].name].photos++;
        else
            m->names[p->names[i].name].as_photographer++;
    }
    return rc;
}

int evidence_read_place(ann_model *m, ann_photo *p)
{
    read_place(m, p);
    count_place_form(m, p);
    return 0;
}

int evidence_count(ann_model *m, ann_photo *p)
{
    count_place_form(m, p);
    return count_names(m, p);
}

int evidence_read(ann_model *m, ann_photo *p)
{
    read_date(m, p);
    read_place(m, p);
    int rc = evidence_find_names(m, p);
    return rc ? rc : evidence_count(m, p);
}
