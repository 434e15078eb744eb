/* people_list.c — the persons with their counts, for `facetag people`. */
#include "people/people_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog_query.h"
#include "store/people_store.h"

/* Persons with their counts over the faces `cf` (person_id, photo_id). */
#define PEOPLE_LIST_PERSONS                                                                                            \
    "SELECT p.id, p.name, p.hidden, count(*), count(DISTINCT cf.photo_id) FROM cf JOIN persons p "                     \
    "ON p.id = cf.person_id GROUP BY p.id ORDER BY 4 DESC, 5 DESC, p.id"

void people_list_free(people_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->persons[i].name);
        for (size_t k = 0; k < l->persons[i].nsuggested; k++)
            free(l->persons[i].suggested[k]);
        free(l->persons[i].suggested);
    }
    free(l->persons);
    memset(l, 0, sizeof *l);
}

static int load_suggestions(catalog *c, people_entry *p, err *e)
{
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(c,
                             "SELECT label FROM person_suggestions WHERE person_id = ?1 AND status = 'open' "
                             "ORDER BY confidence DESC, label",
                             "list name suggestions", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, p->id);
    int step, rc = 0;
    size_t cap = 0;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        if (p->nsuggested == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **s = realloc(p->suggested, ncap * sizeof *s);
            if (!s) {
                rc = err_set(e, ERR_NOMEM, "people: out of memory");
                break;
            }
            p->suggested = s;
            cap = ncap;
        }
        if (!(p->suggested[p->nsuggested] = strdup(catalog_cursor_text(st, 0)))) {
            rc = err_set(e, ERR_NOMEM, "people: out of memory");
            break;
        }
        p->nsuggested++;
    }
    if (rc == 0 && step < 0)
        rc = step;
    catalog_cursor_close(st);
    return rc;
}

int people_list_load(catalog *c, const char *model_version, people_list *out, err *e)
{
    memset(out, 0, sizeof *out);
    if (model_version) {
        snprintf(out->model_version, sizeof out->model_version, "%s", model_version);
    } else {
        int found = people_store_model(c, out->model_version, e);
        if (found <= 0)
            return found;
    }
    /* The faces counted: of model_version when given, else of each photo's
     * current analysis (catalog_query.h), as GET /api/persons counts them. */
    bool given = model_version != NULL;
    catalog_cursor *st = catalog_query(c,
                                       given ? "WITH cf AS (SELECT f.person_id, f.photo_id FROM faces f "
                                               "  WHERE f.model_version = ?1) " PEOPLE_LIST_PERSONS
                                             : "WITH " CATALOG_CURRENT_CTE ", cf AS (SELECT f.person_id, f.photo_id "
                                               "  FROM faces f JOIN cur ON cur.photo_id = f.photo_id "
                                               "  AND cur.model_version = f.model_version) " PEOPLE_LIST_PERSONS,
                                       "list persons", e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (given)
        catalog_cursor_bind_text(st, 1, out->model_version);
    int step, rc = 0;
    size_t cap = 0;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            people_entry *p = realloc(out->persons, ncap * sizeof *p);
            if (!p) {
                rc = err_set(e, ERR_NOMEM, "people: out of memory");
                break;
            }
            out->persons = p;
            cap = ncap;
        }
        people_entry *p = &out->persons[out->n];
        memset(p, 0, sizeof *p);
        p->id = catalog_cursor_i64(st, 0);
        const char *name = catalog_cursor_text(st, 1);
        p->hidden = catalog_cursor_int(st, 2) != 0;
        p->faces = catalog_cursor_i64(st, 3);
        p->photos = catalog_cursor_i64(st, 4);
        out->n++;
        if (name && *name && !(p->name = strdup(name))) {
            rc = err_set(e, ERR_NOMEM, "people: out of memory");
            break;
        }
    }
    if (rc == 0 && step < 0)
        rc = step;
    catalog_cursor_close(st);
    for (size_t i = 0; rc == 0 && i < out->n; i++)
        rc = load_suggestions(c, &out->persons[i], e);
    if (rc == 0) {
        st = catalog_query(c,
                           given ? "SELECT count(*), count(*) FILTER (WHERE person_id IS NULL) FROM faces "
                                   "WHERE model_version = ?1"
                                 : "WITH " CATALOG_CURRENT_CTE " SELECT count(*), count(*) FILTER (WHERE "
                                   "f.person_id IS NULL) FROM faces f JOIN cur ON cur.photo_id = f.photo_id "
                                   "AND cur.model_version = f.model_version",
                           "count faces", e);
        if (!st)
            rc = e ? e->code : ERR_DB;
        else if (given)
            catalog_cursor_bind_text(st, 1, out->model_version);
        int step2 = rc ? 0 : catalog_cursor_next(st, e);
        if (step2 == 1) {
            out->faces = catalog_cursor_i64(st, 0);
            out->unassigned = catalog_cursor_i64(st, 1);
        } else if (rc == 0) {
            rc = step2 < 0 ? step2 : err_set(e, ERR_DB, "%s: count faces: no row", catalog_path(c));
        }
        catalog_cursor_close(st);
    }
    if (rc)
        people_list_free(out);
    return rc;
}
