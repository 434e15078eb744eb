/* checks.c — the consistency checks of checks.h, over what
 * store/catalog_checks.h reads. */
#include "annotate/checks.h"
#include "annotate/textfold.h"
#include "cluster/doubt.h"
#include "store/catalog_checks.h"
#include "store/catalog_ocr.h"
#include "store/people_store.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM 128

void checks_options_default(check_options *o)
{
    o->age_tolerance = 20;
    o->min_dated = 2;
    o->name_min_confidence = 0.3;
}

const char *check_kind_name(check_kind k)
{
    switch (k) {
    case CHECK_SPREAD:
        return "spread";
    case CHECK_TWICE_IN_PHOTO:
        return "twice_in_photo";
    case CHECK_AGE_VS_DATE:
        return "age_vs_date";
    case CHECK_SAME_NAME:
        return "same_name";
    case CHECK_MIRRORED:
        return "mirrored";
    }
    return "?";
}

const char *check_kind_action(check_kind k)
{
    switch (k) {
    case CHECK_SPREAD:
        return "split";
    case CHECK_TWICE_IN_PHOTO:
        return "reject";
    case CHECK_AGE_VS_DATE:
        return "reject";
    case CHECK_SAME_NAME:
        return "merge";
    case CHECK_MIRRORED:
        return "flip";
    }
    return "?";
}

void checks_report_free(check_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i].faces);
    free(r->items);
    free(r->births);
    memset(r, 0, sizeof *r);
}

/* ---- building the report ---------------------------------------------------- */

typedef struct builder {
    check_report *r;
    size_t cap;
    err *e;
} builder;

static check_item *add_item(builder *b, check_kind kind, int64_t person, size_t nfaces)
{
    if (b->r->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        check_item *p = realloc(b->r->items, cap * sizeof *p);
        if (!p)
            return err_set(b->e, ERR_NOMEM, "checks: out of memory"), NULL;
        b->r->items = p;
        b->cap = cap;
    }
    check_item *it = &b->r->items[b->r->n];
    memset(it, 0, sizeof *it);
    it->faces = calloc(nfaces ? nfaces : 1, sizeof *it->faces);
    if (!it->faces)
        return err_set(b->e, ERR_NOMEM, "checks: out of memory"), NULL;
    it->kind = kind;
    it->person_id = person;
    b->r->n++;
    return it;
}

static void set_face(check_face *f, const catalog_check_face *src)
{
    f->id = src->face_id;
    snprintf(f->photo_id, sizeof f->photo_id, "%s", src->photo_id);
    f->face_no = src->face_no;
}

/* faces[0..n) are one person's: the person page's "looks like two"
 * (cluster/doubt.h), its offer the faces that do not fit. */
static int check_spread(builder *b, const catalog_check_face *faces, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += faces[i].has_embedding;
    if (m < 2 * DOUBT_MIN_SIDE)
        return 0;
    float *x = malloc(m * DIM * sizeof *x);
    size_t *row = malloc(m * sizeof *row);
    bool *confirmed = malloc(m * sizeof *confirmed);
    if (!x || !row || !confirmed) {
        free(x);
        free(row);
        free(confirmed);
        return err_set(b->e, ERR_NOMEM, "checks: out of memory");
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (faces[i].has_embedding) {
            memcpy(x + m * DIM, faces[i].embedding, DIM * sizeof *x);
            confirmed[m] = faces[i].confirmed;
            row[m++] = i;
        }
    doubt_result d;
    int rc = doubt_analyse(x, m, DIM, confirmed, &d, b->e);
    if (rc == 0 && d.split_faces) {
        check_item *it = add_item(b, CHECK_SPREAD, faces[0].person_id, d.split_faces);
        if (!it) {
            rc = b->e ? b->e->code : ERR_NOMEM;
        } else {
            for (size_t i = 0; i < m; i++)
                if (d.side[i])
                    set_face(&it->faces[it->nfaces++], &faces[row[i]]);
            it->person_faces = n;
            it->score = d.split_height;
            snprintf(it->text, sizeof it->text,
                     "Person %lld: %zu of %zu faces lie apart from the rest (%.3f apart on average, past the "
                     "clustering's %.3f, two groups of silhouette %.2f): probably two people; split them off",
                     (long long)it->person_id, d.split_faces, n, d.split_height, DOUBT_SPLIT_HEIGHT, d.silhouette);
        }
    }
    if (rc == 0)
        doubt_free(&d);
    free(x);
    free(row);
    free(confirmed);
    return rc;
}

static int check_twice(builder *b, const catalog_check_face *faces, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(faces[j].photo_id, faces[i].photo_id) == 0)
            j++;
        if (j - i > 1) {
            check_item *it = add_item(b, CHECK_TWICE_IN_PHOTO, faces[i].person_id, j - i);
            if (!it)
                return b->e ? b->e->code : ERR_NOMEM;
            for (size_t k = i; k < j; k++)
                set_face(&it->faces[it->nfaces++], &faces[k]);
            it->person_faces = n;
            snprintf(it->photo_id, sizeof it->photo_id, "%s", faces[i].photo_id);
            snprintf(it->text, sizeof it->text,
                     "Person %lld appears %zu times in photo %s: at most one of these faces is them; reject the "
                     "others",
                     (long long)it->person_id, j - i, faces[i].photo_id);
        }
        i = j;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check_ages(builder *b, const check_options *o, const catalog_check_face *faces, size_t n, check_birth *birth)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += faces[i].has_age && faces[i].year > 0;
    birth->dated = m;
    if (m < o->min_dated || m == 0)
        return 0;
    double *born = malloc(m * sizeof *born), *sorted = malloc(m * sizeof *sorted);
    size_t *row = malloc(m * sizeof *row);
    if (!born || !sorted || !row) {
        free(born);
        free(sorted);
        free(row);
        return err_set(b->e, ERR_NOMEM, "checks: out of memory");
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (faces[i].has_age && faces[i].year > 0) {
            born[m] = faces[i].year - faces[i].age;
            sorted[m] = born[m];
            row[m++] = i;
        }
    qsort(sorted, m, sizeof *sorted, cmp_double);
    double med = m % 2 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    birth->person_id = faces[0].person_id;
    birth->year = (int)lround(med);
    birth->low = (int)lround(sorted[(m - 1) / 4]);
    birth->high = (int)lround(sorted[(3 * (m - 1) + 3) / 4 < m ? (3 * (m - 1) + 3) / 4 : m - 1]);
    size_t odd = 0, lo = 0, hi = 0;
    for (size_t i = 0; i < m; i++) {
        odd += fabs(born[i] - med) > o->age_tolerance;
        if (born[i] < born[lo])
            lo = i;
        if (born[i] > born[hi])
            hi = i;
    }
    int rc = 0;
    if (odd) {
        check_item *it = add_item(b, CHECK_AGE_VS_DATE, faces[0].person_id, odd);
        if (!it) {
            rc = b->e ? b->e->code : ERR_NOMEM;
        } else {
            for (size_t i = 0; i < m; i++)
                if (fabs(born[i] - med) > o->age_tolerance)
                    set_face(&it->faces[it->nfaces++], &faces[row[i]]);
            it->person_faces = n;
            it->score = born[hi] - born[lo];
            const catalog_check_face *a = &faces[row[lo]], *z = &faces[row[hi]];
            snprintf(it->text, sizeof it->text,
                     "Person %lld: estimated %.0f in %d and %.0f in %d (born about %.0f and %.0f); %zu face%s "
                     "more than %.0f years off the median birth year %d: a wrong face or a wrong date",
                     (long long)it->person_id, a->age, a->year, z->age, z->year, born[lo], born[hi], odd,
                     odd == 1 ? "" : "s", o->age_tolerance, birth->year);
        }
    }
    free(born);
    free(sorted);
    free(row);
    return rc;
}

typedef struct keyed {
    int64_t person;
    char *key;
    const char *label;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->person > y->person) - (x->person < y->person);
}

static int check_names(builder *b, catalog *c, const check_options *o)
{
    catalog_check_name *names = NULL;
    size_t n = 0;
    int rc = catalog_checks_names(c, &names, &n, b->e);
    if (rc)
        return rc;
    keyed *k = calloc(n ? n : 1, sizeof *k);
    size_t m = 0;
    if (!k)
        rc = err_set(b->e, ERR_NOMEM, "checks: out of memory");
    /* per person (rows come by person, given name first, then best
     * suggestion first): the given name, else the best suggestion */
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t j = i;
        while (j < n && names[j].person_id == names[i].person_id)
            j++;
        size_t pick = n;
        for (size_t t = i; t < j && pick == n; t++)
            if (strcmp(names[t].source, "name") == 0)
                pick = t;
        if (pick == n && names[i].confidence >= o->name_min_confidence)
            pick = i;
        if (pick < n) {
            k[m].person = names[pick].person_id;
            k[m].label = names[pick].label;
            k[m].key = textfold_name_key(names[pick].label);
            if (!k[m].key)
                rc = err_set(b->e, ERR_NOMEM, "checks: out of memory");
            else if (*k[m].key)
                m++;
            else
                free(k[m].key);
        }
        i = j;
    }
    if (rc == 0)
        qsort(k, m, sizeof *k, cmp_keyed);
    for (size_t i = 0; rc == 0 && i < m;) {
        size_t j = i + 1;
        while (j < m && strcmp(k[j].key, k[i].key) == 0)
            j++;
        for (size_t t = i + 1; rc == 0 && t < j; t++) { /* the first person with the name, and each other */
            check_item *it = add_item(b, CHECK_SAME_NAME, k[i].person, 0);
            if (!it) {
                rc = b->e ? b->e->code : ERR_NOMEM;
                break;
            }
            it->other_person_id = k[t].person;
            snprintf(it->name, sizeof it->name, "%s", k[i].label);
            snprintf(it->text, sizeof it->text,
                     "Persons %lld and %lld are both named '%s': probably one person split in two; merge them",
                     (long long)k[i].person, (long long)k[t].person, k[i].label);
        }
        i = j;
    }
    for (size_t i = 0; k && i < m; i++)
        free(k[i].key);
    free(k);
    catalog_checks_names_free(names, n);
    return rc;
}

/* Photos whose text reads mirrored (store/catalog_ocr.h), not yet flipped. */
static int on_mirrored(const char *photo_id, double score, double score_flipped, void *ud)
{
    builder *b = ud;
    check_item *it = add_item(b, CHECK_MIRRORED, 0, 0);
    if (!it)
        return ERR_NOMEM;
    snprintf(it->photo_id, sizeof it->photo_id, "%s", photo_id);
    it->score = score_flipped;
    snprintf(it->text, sizeof it->text,
             "photo %s: the text in it reads mirrored (read as scanned: %.0f letters of sure words; mirrored: "
             "%.0f): the print was likely scanned mirror-wise",
             photo_id, score, score_flipped);
    return 0;
}

int checks_run(catalog *c, const check_options *opt, check_report *out, err *e)
{
    memset(out, 0, sizeof *out);
    check_options o;
    if (opt)
        o = *opt;
    else
        checks_options_default(&o);
    int found = people_store_model(c, out->model_version, e);
    if (found < 0)
        return found;
    catalog_check_face *faces = NULL;
    size_t n = 0;
    int rc = found ? catalog_checks_faces(c, &faces, &n, e) : 0;
    builder b = { out, 0, e };
    size_t births_cap = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t j = i + 1;
        while (j < n && faces[j].person_id == faces[i].person_id)
            j++;
        out->persons++;
        out->faces += j - i;
        rc = check_spread(&b, faces + i, j - i);
        if (rc == 0)
            rc = check_twice(&b, faces + i, j - i);
        check_birth birth = { 0 };
        if (rc == 0)
            rc = check_ages(&b, &o, faces + i, j - i, &birth);
        if (rc == 0 && birth.person_id) {
            if (out->nbirths == births_cap) {
                births_cap = births_cap ? births_cap * 2 : 16;
                check_birth *p = realloc(out->births, births_cap * sizeof *p);
                if (!p)
                    rc = err_set(e, ERR_NOMEM, "checks: out of memory");
                else
                    out->births = p;
            }
            if (rc == 0)
                out->births[out->nbirths++] = birth;
        }
        i = j;
    }
    free(faces);
    if (rc == 0)
        rc = check_names(&b, c, &o);
    if (rc == 0) {
        rc = catalog_ocr_each_mirrored(c, on_mirrored, &b, e);
        if (rc == ERR_NOMEM && e && e->code != ERR_NOMEM)
            rc = err_set(e, ERR_NOMEM, "checks: out of memory");
    }
    if (rc)
        checks_report_free(out);
    return rc;
}

json_t *checks_report_json(const check_report *r)
{
    json_t *root = json_object(), *items = json_array(), *births = json_array();
    if (!root || !items || !births) {
        json_decref(root);
        json_decref(items);
        json_decref(births);
        return NULL;
    }
    for (size_t i = 0; i < r->n; i++) {
        const check_item *it = &r->items[i];
        json_t *faces = json_array(), *o = json_object();
        for (size_t k = 0; faces && k < it->nfaces; k++)
            json_array_append_new(faces, json_pack("{s:I,s:s,s:i}", "id", (json_int_t)it->faces[k].id, "photo_id",
                                                   it->faces[k].photo_id, "face_no", it->faces[k].face_no));
        json_object_set_new(o, "kind", json_string(check_kind_name(it->kind)));
        json_object_set_new(o, "action", json_string(check_kind_action(it->kind)));
        json_object_set_new(o, "person_id", json_integer(it->person_id));
        if (it->other_person_id)
            json_object_set_new(o, "other_person_id", json_integer(it->other_person_id));
        if (it->photo_id[0])
            json_object_set_new(o, "photo_id", json_string(it->photo_id));
        if (it->name[0])
            json_object_set_new(o, "name", json_string(it->name));
        json_object_set_new(o, "score", json_real(round(it->score * 1000) / 1000));
        json_object_set_new(o, "person_faces", json_integer((json_int_t)it->person_faces));
        json_object_set_new(o, "text", json_string(it->text));
        json_object_set_new(o, "faces", faces ? faces : json_array());
        json_array_append_new(items, o);
    }
    for (size_t i = 0; i < r->nbirths; i++) {
        const check_birth *bt = &r->births[i];
        json_array_append_new(births, json_pack("{s:I,s:i,s:i,s:i,s:I}", "person_id", (json_int_t)bt->person_id, "year",
                                                bt->year, "low", bt->low, "high", bt->high, "dated_faces",
                                                (json_int_t)bt->dated));
    }
    json_object_set_new(root, "model_version", json_string(r->model_version));
    json_object_set_new(root, "persons", json_integer((json_int_t)r->persons));
    json_object_set_new(root, "faces", json_integer((json_int_t)r->faces));
    json_object_set_new(root, "checks", items);
    json_object_set_new(root, "birth_years", births);
    return root;
}
