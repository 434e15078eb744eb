/* annfile_apply.c — an edited annotation file back into the catalog as
 * people's decisions (annfile_io.h, annfile.h): match its faces, compare, and
 * apply every difference in one transaction. */
#include "annfile/annfile_io.h"
#include "annfile/annfile_view_internal.h"
#include "store/catalog_decide.h"
#include "store/persons.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct actx {
    catalog *c;
    const char *name, *actor;
    FILE *log;
    size_t changes;
    err *e;
} actx;

static double iou(const double a[4], const double b[4])
{
    double x0 = a[0] > b[0] ? a[0] : b[0], y0 = a[1] > b[1] ? a[1] : b[1];
    double x1 = a[0] + a[2] < b[0] + b[2] ? a[0] + a[2] : b[0] + b[2];
    double y1 = a[1] + a[3] < b[1] + b[3] ? a[1] + a[3] : b[1] + b[3];
    double inter = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
    double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0;
}

static void box_of(json_t *face, double b[4])
{
    json_t *box = json_object_get(face, "box");
    for (size_t k = 0; k < 4; k++)
        b[k] = json_number_value(json_array_get(box, k));
}

/* The error of a catalog call (in x->e), prefixed with the file and field. */
static int fail_at(actx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_at(actx *x, const char *fmt, ...)
{
    char field[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(field, sizeof field, fmt, ap);
    va_end(ap);
    return err_prefix(x->e, "%s: %s", x->name, field);
}

static void note(actx *x, bool changed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(actx *x, bool changed, const char *fmt, ...)
{
    if (!changed)
        return;
    x->changes++;
    if (!x->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(x->log, "%s: ", x->name);
    vfprintf(x->log, fmt, ap);
    fputc('\n', x->log);
    va_end(ap);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Finds each file face's catalog face; errors name the field. */
static int match_faces(actx *x, json_t *photo, const annfile_doc *d, json_t **out)
{
    json_t *faces = json_object_get(photo, "faces");
    for (size_t i = 0; i < d->nfaces; i++) {
        const annfile_face *f = &d->faces[i];
        json_t *hit = NULL;
        size_t k;
        json_t *cf;
        if (f->has_id) {
            json_array_foreach(faces, k, cf) if (json_integer_value(json_object_get(cf, "face_id")) == f->face_id)
            {
                hit = cf;
                break;
            }
            if (!hit)
                return err_set(x->e, ERR_NOTFOUND, "%s: faces[%zu].face_id: photo %s has no face %lld", x->name, i,
                               d->photo_id, (long long)f->face_id);
            double b[4];
            box_of(hit, b);
            if (f->has_box && iou(b, f->box) < ANNFILE_BOX_IOU)
                return err_set(x->e, ERR_NOTFOUND,
                               "%s: faces[%zu].box: does not match the box of face %lld (IoU %.2f < %.2f): "
                               "a box may be moved a little, not onto another face",
                               x->name, i, (long long)f->face_id, iou(b, f->box), ANNFILE_BOX_IOU);
        } else {
            double best = 0;
            json_array_foreach(faces, k, cf)
            {
                double b[4];
                box_of(cf, b);
                double o = iou(b, f->box);
                if (o > best) {
                    best = o;
                    hit = cf;
                }
            }
            if (best < ANNFILE_BOX_IOU)
                return err_set(x->e, ERR_NOTFOUND,
                               "%s: faces[%zu].box: matches no face of photo %s (best IoU %.2f < %.2f)", x->name, i,
                               d->photo_id, best, ANNFILE_BOX_IOU);
        }
        for (size_t j = 0; j < i; j++)
            if (out[j] == hit)
                return err_set(x->e, ERR_INVALID, "%s: faces[%zu]: the same face as faces[%zu] (face %lld)", x->name, i,
                               j, (long long)json_integer_value(json_object_get(hit, "face_id")));
        out[i] = hit;
    }
    return 0;
}

/* The status the catalog shows for suggestion label of face cf, NULL: not listed. */
static const char *sug_status(json_t *cf, const char *label)
{
    size_t k;
    json_t *s;
    json_array_foreach(json_object_get(cf, "suggestions"), k,
                       s) if (same_str(str(s, "name"), label)) return str(s, "status");
    return NULL;
}

/* A suggestion decided: the person's (when the face has a person and it has
 * that suggestion), else the face's own. */
static int decide_sug(actx *x, json_t *cf, const char *label, bool accept, bool *changed)
{
    int64_t person = json_integer_value(json_object_get(cf, "person_id"));
    int64_t face = json_integer_value(json_object_get(cf, "face_id"));
    int rc = ERR_NOTFOUND;
    if (person > 0)
        rc = catalog_decide_suggestion(x->c, x->actor, person, 0, label, accept, changed, x->e);
    if (rc == ERR_NOTFOUND)
        rc = catalog_decide_suggestion(x->c, x->actor, 0, face, label, accept, changed, x->e);
    return rc;
}

static int apply_face(actx *x, const annfile_face *f, json_t *cf)
{
    size_t i = f->index;
    int64_t face = json_integer_value(json_object_get(cf, "face_id"));
    int64_t person = json_integer_value(json_object_get(cf, "person_id"));
    const char *status = str(cf, "status"), *name = str(cf, "name"), *name_status = str(cf, "name_status");
    int rc = 0;
    if (f->status == ANNFILE_FACE_REJECTED) {
        if (same_str(status, "rejected"))
            return 0;
        rc = persons_reject_face(x->c, x->actor, face, x->e);
        if (rc)
            return fail_at(x, "faces[%zu].status", i);
        note(x, true, "face %lld is not person %lld", (long long)face, (long long)person);
        return 0;
    }
    if (f->has_cluster && f->cluster_id != person) {
        int64_t into = 0;
        rc = persons_confirm_face(x->c, x->actor, face, f->cluster_id, &into, x->e);
        if (rc)
            return fail_at(x, "faces[%zu].cluster_id", i);
        note(x, true, "face %lld moved to person %lld", (long long)face, (long long)into);
        person = into;
        name = NULL; /* the face's name is now its new person's */
        name_status = "moved";
    }
    /* a label marked "suggested" that is one of the file's own suggestions is
     * what an export wrote, not an edit (the catalog's best suggestion may have
     * changed since, or the file rejects it) */
    bool from_file = false;
    for (size_t k = 0; !f->label_human && f->label && k < f->nsugs; k++)
        from_file |= same_str(f->sugs[k].name, f->label);
    bool label_change = f->label && !from_file &&
                        (!same_str(f->label, name) || (f->label_human && !same_str(name_status, "confirmed")));
    if (label_change) {
        bool changed = false, done = false;
        /* a name the face's person has as a suggestion: accepted for the whole person */
        if (person > 0 && !same_str(name_status, "confirmed") && !f->has_cluster) {
            rc = catalog_decide_suggestion(x->c, x->actor, person, 0, f->label, true, &changed, x->e);
            if (rc == 0)
                done = true;
            else if (rc != ERR_NOTFOUND)
                return fail_at(x, "faces[%zu].person.label", i);
            if (done)
                note(x, changed, "person %lld is '%s' (suggestion accepted)", (long long)person, f->label);
        }
        if (!done) {
            int64_t into = 0;
            rc = persons_name_face(x->c, x->actor, face, f->label, &into, x->e);
            if (rc)
                return fail_at(x, "faces[%zu].person.label", i);
            note(x, true, "face %lld is '%s' (person %lld)", (long long)face, f->label, (long long)into);
        }
    } else if (f->status == ANNFILE_FACE_CONFIRMED && !same_str(status, "confirmed") && person > 0) {
        rc = persons_confirm_face(x->c, x->actor, face, person, NULL, x->e);
        if (rc)
            return fail_at(x, "faces[%zu].status", i);
        note(x, true, "face %lld confirmed in person %lld", (long long)face, (long long)person);
    }
    for (size_t k = 0; k < f->nsugs; k++) {
        const annfile_sug *s = &f->sugs[k];
        if (s->status != ANNFILE_ACCEPTED && s->status != ANNFILE_REJECTED)
            continue;
        bool accept = s->status == ANNFILE_ACCEPTED;
        if (same_str(sug_status(cf, s->name), accept ? "accepted" : "rejected"))
            continue;
        bool changed = false;
        rc = decide_sug(x, cf, s->name, accept, &changed);
        if (rc == ERR_NOTFOUND)
            return err_set(x->e, ERR_NOTFOUND, "%s: faces[%zu].suggestions[%zu].name: face %lld has no suggestion '%s'",
                           x->name, i, k, (long long)face, s->name);
        if (rc)
            return fail_at(x, "faces[%zu].suggestions[%zu]", i, k);
        note(x, changed, "suggestion '%s' of face %lld %s", s->name, (long long)face, accept ? "accepted" : "rejected");
    }
    return 0;
}

static int apply_photo(actx *x, const annfile_view *v, json_t *p, const annfile_doc *d)
{
    int rc = 0;
    bool changed = false;
    json_t *date = json_object_get(p, "date");
    const char *cur_value = str(date, "value"), *cur_prec = str(date, "precision");
    if (d->has_date &&
        !(same_str(d->date_value, cur_value) && (!d->date_value || same_str(d->date_precision, cur_prec)))) {
        rc = catalog_decide_date(x->c, x->actor, d->photo_id, d->date_value, d->date_precision, &changed, x->e);
        if (rc)
            return fail_at(x, "date");
        note(x, changed, "date %s%s%s", d->date_value ? d->date_value : "none", d->date_value ? " " : "",
             d->date_value ? d->date_precision : "");
    }
    const char *cur_place = str(json_object_get(p, "place"), "name");
    if (d->has_place && !same_str(d->place, cur_place)) {
        rc = catalog_decide_place(x->c, x->actor, d->photo_id, d->place, &changed, x->e);
        if (rc)
            return fail_at(x, "place");
        note(x, changed, "place %s", d->place ? d->place : "none");
    }
    if (d->has_event) {
        json_t *eid = json_object_get(p, "event_id");
        int64_t cur = json_is_integer(eid) ? (int64_t)json_integer_value(eid) : 0;
        json_t *byid = d->event_id ? annfile_view_event(v, d->event_id) : NULL;
        int64_t want_id = 0;
        const char *want_name = NULL;
        if (byid && d->event_name && !same_str(d->event_name, str(byid, "name"))) {
            /* the event's name edited: the event is renamed, for all its photos;
             * unless the file was written before people renamed it from that name */
            bool stale = false;
            rc = catalog_decide_event_renamed_from(x->c, d->event_id, d->event_name, &stale, x->e);
            if (rc == 0 && !stale)
                rc = catalog_decide_event_rename(x->c, x->actor, d->event_id, d->event_name, &changed, x->e);
            if (rc)
                return fail_at(x, "event.name");
            if (!stale)
                note(x, changed, "event %lld renamed '%s'", (long long)d->event_id, d->event_name);
        }
        if (d->event_id)
            want_id = d->event_id; /* an unknown id: the catalog says so */
        else if (d->event_name)
            want_name = d->event_name;
        json_t *curev = cur ? annfile_view_event(v, cur) : NULL;
        bool same = want_id ? want_id == cur : want_name ? curev && same_str(want_name, str(curev, "name")) : cur == 0;
        if (!same) {
            const char *yv = d->has_date ? d->date_value : cur_value;
            int year = yv ? atoi(yv) : 0;
            int64_t got = 0;
            rc = catalog_decide_event(x->c, x->actor, d->photo_id, want_id, want_name, year, &got, &changed, x->e);
            if (rc)
                return fail_at(x, want_id ? "event.id" : "event");
            note(x, changed, "event %lld%s%s%s", (long long)got, want_name ? " '" : "", want_name ? want_name : "",
                 want_name ? "'" : "");
        }
    }
    return 0;
}

int annfile_apply(catalog *c, const annfile_view *v, const annfile_doc *d, const char *name, const char *actor,
                  bool check, FILE *log, annfile_result *r, err *e)
{
    memset(r, 0, sizeof *r);
    actx x = { .c = c, .name = name, .actor = actor, .log = log, .e = e };
    json_t *p = annfile_view_photo(v, d->photo_id);
    if (!p)
        return err_set(e, ERR_NOTFOUND, "%s: photo_id: no photo %s in the catalog", name, d->photo_id);
    json_t **match = calloc(d->nfaces + 1, sizeof *match);
    if (!match)
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    int rc = match_faces(&x, p, d, match);
    if (rc == 0)
        rc = catalog_begin(c, e);
    if (rc == 0) {
        for (size_t i = 0; rc == 0 && i < d->nfaces; i++)
            rc = apply_face(&x, &d->faces[i], match[i]);
        if (rc == 0)
            rc = apply_photo(&x, v, p, d);
        if (rc == 0 && !check)
            rc = catalog_commit(c, e);
        else
            catalog_rollback(c);
    }
    free(match);
    r->changes = rc == 0 ? x.changes : 0;
    return rc;
}
