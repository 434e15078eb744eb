/* annfile_parse.c — reading and checking an annotation file (annfile.h). No
 * catalog here: only the file's own shape, so the fuzzer can run it alone. */
#include "annfile/annfile.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pctx {
    const char *name;
    err *e;
} pctx;

static int bad(pctx *x, const char *field, const char *why)
{
    return err_set(x->e, ERR_FORMAT, "%s: %s: %s", x->name, field, why);
}

static int nomem(pctx *x)
{
    return err_set(x->e, ERR_NOMEM, "%s: out of memory", x->name);
}

/* strdup of a JSON string; *out NULL for null; error for another type. */
static int opt_string(pctx *x, json_t *v, const char *field, char **out)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad(x, field, "want a string or null");
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return bad(x, field, "a string with a NUL character");
    if (!*s)
        return bad(x, field, "empty (null for none)");
    if (!(*out = strdup(s)))
        return nomem(x);
    return 0;
}

static bool valid_date(const char *v, const char *p)
{
    size_t n = strlen(v);
    int y = 0, m = 0, d = 0;
    char tail;
    if (n == 4 && sscanf(v, "%4d%c", &y, &tail) == 1)
        return y >= 1000 && (strcmp(p, "year") == 0 || (strcmp(p, "decade") == 0 && y % 10 == 0));
    if (n == 7 && v[4] == '-' && sscanf(v, "%4d-%2d%c", &y, &m, &tail) == 2)
        return y >= 1000 && m >= 1 && m <= 12 && (strcmp(p, "month") == 0 || strcmp(p, "season") == 0);
    if (n == 10 && v[4] == '-' && v[7] == '-' && sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return strcmp(p, "day") == 0 && y >= 1000 && m >= 1 && m <= 12 && d >= 1 &&
               d <= (m == 2 && !leap ? 28 : mdays[m - 1]);
    }
    return false;
}

/* for all 4 digits, '-', digits: the precision a plain date string has */
static const char *implied_precision(const char *v)
{
    size_t n = strlen(v);
    return n == 4 ? "year" : n == 7 ? "month" : n == 10 ? "day" : "";
}

static int parse_date(pctx *x, annfile_doc *d, json_t *v)
{
    d->has_date = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    const char *value = NULL, *prec = NULL;
    if (json_is_string(v)) {
        value = json_string_value(v);
    } else if (json_is_object(v)) {
        json_t *jv = json_object_get(v, "value"), *jp = json_object_get(v, "precision");
        if (jv && !json_is_null(jv) && !json_is_string(jv))
            return bad(x, "date.value", "want a string \"YYYY[-MM[-DD]]\" or null");
        if (jp && !json_is_null(jp) && !json_is_string(jp))
            return bad(x, "date.precision", "want one of day, month, season, year, decade");
        if (!jv || json_is_null(jv))
            return 0; /* {"value": null}: no date */
        value = json_string_value(jv);
        prec = jp && json_is_string(jp) ? json_string_value(jp) : NULL;
    } else {
        return bad(x, "date", "want an object {\"value\", \"precision\"}, a string \"YYYY[-MM[-DD]]\" or null");
    }
    if (!prec)
        prec = implied_precision(value);
    if (!valid_date(value, prec)) {
        char why[160];
        snprintf(why, sizeof why, "'%.24s' with precision '%.12s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", value,
                 prec);
        return bad(x, json_is_object(v) ? "date.value" : "date", why);
    }
    if (!(d->date_value = strdup(value)) || !(d->date_precision = strdup(prec)))
        return nomem(x);
    return 0;
}

static int parse_place(pctx *x, annfile_doc *d, json_t *v)
{
    d->has_place = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        return opt_string(x, v, "place", &d->place);
    if (!json_is_object(v))
        return bad(x, "place", "want an object {\"name\"}, a string or null");
    return opt_string(x, json_object_get(v, "name"), "place.name", &d->place);
}

static int parse_event(pctx *x, annfile_doc *d, json_t *v)
{
    d->has_event = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        return opt_string(x, v, "event", &d->event_name);
    if (!json_is_object(v))
        return bad(x, "event", "want an object {\"id\"} or {\"name\"}, a string or null");
    json_t *id = json_object_get(v, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_integer(id) || json_integer_value(id) <= 0)
            return bad(x, "event.id", "want a positive whole number (an event of the catalog) or null");
        d->event_id = (int64_t)json_integer_value(id);
    }
    return opt_string(x, json_object_get(v, "name"), "event.name", &d->event_name);
}

static int parse_face(pctx *x, annfile_face *f, json_t *v, size_t i)
{
    char field[96];
    f->index = i;
    if (!json_is_object(v)) {
        snprintf(field, sizeof field, "faces[%zu]", i);
        return bad(x, field, "want an object");
    }
    json_t *id = json_object_get(v, "face_id");
    if (id && !json_is_null(id)) {
        snprintf(field, sizeof field, "faces[%zu].face_id", i);
        if (!json_is_integer(id) || json_integer_value(id) <= 0)
            return bad(x, field, "want a positive whole number");
        f->has_id = true;
        f->face_id = (int64_t)json_integer_value(id);
    }
    json_t *box = json_object_get(v, "box");
    if (box && !json_is_null(box)) {
        snprintf(field, sizeof field, "faces[%zu].box", i);
        if (!json_is_array(box) || json_array_size(box) != 4)
            return bad(x, field, "want 4 numbers [x, y, w, h]");
        for (size_t k = 0; k < 4; k++) {
            json_t *n = json_array_get(box, k);
            if (!json_is_number(n) || !isfinite(json_number_value(n)))
                return bad(x, field, "want 4 numbers [x, y, w, h]");
            f->box[k] = json_number_value(n);
        }
        if (!(f->box[2] > 0 && f->box[3] > 0))
            return bad(x, field, "width and height must be > 0");
        f->has_box = true;
    }
    if (!f->has_id && !f->has_box) {
        snprintf(field, sizeof field, "faces[%zu]", i);
        return bad(x, field, "want a face_id or a box to find the face by");
    }
    json_t *cl = json_object_get(v, "cluster_id");
    if (cl && !json_is_null(cl)) {
        snprintf(field, sizeof field, "faces[%zu].cluster_id", i);
        if (!json_is_integer(cl) || json_integer_value(cl) <= 0)
            return bad(x, field, "want a positive whole number (a person id) or null");
        f->has_cluster = true;
        f->cluster_id = (int64_t)json_integer_value(cl);
    }
    json_t *st = json_object_get(v, "status");
    if (st && !json_is_null(st)) {
        snprintf(field, sizeof field, "faces[%zu].status", i);
        const char *s = json_string_value(st);
        if (!s)
            return bad(x, field, "want one of unreviewed, confirmed, rejected");
        f->status = strcmp(s, "unreviewed") == 0  ? ANNFILE_FACE_UNREVIEWED
                    : strcmp(s, "confirmed") == 0 ? ANNFILE_FACE_CONFIRMED
                    : strcmp(s, "rejected") == 0  ? ANNFILE_FACE_REJECTED
                                                  : ANNFILE_FACE_UNSET;
        if (f->status == ANNFILE_FACE_UNSET)
            return bad(x, field, "want one of unreviewed, confirmed, rejected");
    }
    json_t *p = json_object_get(v, "person");
    if (p && !json_is_null(p)) {
        snprintf(field, sizeof field, "faces[%zu].person", i);
        if (!json_is_object(p))
            return bad(x, field, "want an object {\"label\", \"confidence\", \"source\"} or null");
        snprintf(field, sizeof field, "faces[%zu].person.label", i);
        int rc = opt_string(x, json_object_get(p, "label"), field, &f->label);
        if (rc)
            return rc;
        json_t *src = json_object_get(p, "source");
        snprintf(field, sizeof field, "faces[%zu].person.source", i);
        if (src && !json_is_null(src) && !json_is_string(src))
            return bad(x, field, "want a string (suggested, confirmed, human) or null");
        const char *ss = json_string_value(src);
        f->label_human = ss && (strcmp(ss, "confirmed") == 0 || strcmp(ss, "human") == 0);
        json_t *conf = json_object_get(p, "confidence");
        snprintf(field, sizeof field, "faces[%zu].person.confidence", i);
        if (conf && !json_is_null(conf) && !json_is_number(conf))
            return bad(x, field, "want a number or null");
    }
    json_t *sugs = json_object_get(v, "suggestions");
    if (sugs && !json_is_null(sugs)) {
        snprintf(field, sizeof field, "faces[%zu].suggestions", i);
        if (!json_is_array(sugs))
            return bad(x, field, "want a list");
        size_t n = json_array_size(sugs);
        if (n && !(f->sugs = calloc(n, sizeof *f->sugs)))
            return nomem(x);
        for (size_t k = 0; k < n; k++) {
            json_t *s = json_array_get(sugs, k);
            snprintf(field, sizeof field, "faces[%zu].suggestions[%zu]", i, k);
            if (!json_is_object(s))
                return bad(x, field, "want an object {\"name\", \"status\", ...}");
            snprintf(field, sizeof field, "faces[%zu].suggestions[%zu].name", i, k);
            int rc = opt_string(x, json_object_get(s, "name"), field, &f->sugs[k].name);
            if (rc)
                return rc;
            f->nsugs = k + 1;
            if (!f->sugs[k].name)
                return bad(x, field, "want the suggested name");
            json_t *ss = json_object_get(s, "status");
            snprintf(field, sizeof field, "faces[%zu].suggestions[%zu].status", i, k);
            const char *t = json_string_value(ss);
            if (ss && !json_is_null(ss) && !t)
                return bad(x, field, "want one of open, accepted, rejected");
            f->sugs[k].status = !t                           ? ANNFILE_UNSET
                                : strcmp(t, "open") == 0     ? ANNFILE_OPEN
                                : strcmp(t, "accepted") == 0 ? ANNFILE_ACCEPTED
                                : strcmp(t, "rejected") == 0 ? ANNFILE_REJECTED
                                                             : (annfile_status)-1;
            if ((int)f->sugs[k].status < 0)
                return bad(x, field, "want one of open, accepted, rejected");
        }
    }
    return 0;
}

static int parse_doc(pctx *x, annfile_doc *d, json_t *root)
{
    if (!json_is_object(root))
        return err_set(x->e, ERR_FORMAT, "%s: not an annotation file (want a JSON object with \"photo_id\")", x->name);
    json_t *id = json_object_get(root, "photo_id");
    const char *ids = json_string_value(id);
    if (!ids)
        return bad(x, "photo_id", "missing or not a string");
    bool hex = strlen(ids) == 16;
    for (size_t i = 0; hex && i < 16; i++)
        hex = (ids[i] >= '0' && ids[i] <= '9') || (ids[i] >= 'a' && ids[i] <= 'f');
    if (!hex)
        return bad(x, "photo_id", "want 16 lowercase hex digits (a photo id of the catalog)");
    memcpy(d->photo_id, ids, 17);
    int rc = parse_date(x, d, json_object_get(root, "date"));
    if (rc == 0)
        rc = parse_place(x, d, json_object_get(root, "place"));
    if (rc == 0)
        rc = parse_event(x, d, json_object_get(root, "event"));
    json_t *faces = json_object_get(root, "faces");
    if (rc == 0 && faces && !json_is_null(faces)) {
        if (!json_is_array(faces))
            return bad(x, "faces", "want a list");
        size_t n = json_array_size(faces);
        if (n && !(d->faces = calloc(n, sizeof *d->faces)))
            return nomem(x);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            d->nfaces = i + 1;
            rc = parse_face(x, &d->faces[i], json_array_get(faces, i), i);
        }
    }
    return rc;
}

int annfile_parse(const char *text, size_t len, const char *name, annfile_doc *d, err *e)
{
    memset(d, 0, sizeof *d);
    pctx x = { .name = name, .e = e };
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return err_set(e, ERR_FORMAT, "%s: line %d, column %d: not JSON (%s)", name, je.line, je.column, je.text);
    int rc = parse_doc(&x, d, root);
    json_decref(root);
    if (rc)
        annfile_doc_free(d);
    return rc;
}

void annfile_doc_free(annfile_doc *d)
{
    if (!d)
        return;
    free(d->date_value);
    free(d->date_precision);
    free(d->place);
    free(d->event_name);
    for (size_t i = 0; i < d->nfaces; i++) {
        free(d->faces[i].label);
        for (size_t k = 0; k < d->faces[i].nsugs; k++)
            free(d->faces[i].sugs[k].name);
        free(d->faces[i].sugs);
    }
    free(d->faces);
    memset(d, 0, sizeof *d);
}
