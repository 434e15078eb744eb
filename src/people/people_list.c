/* people_list.c — the persons with their counts, for `facetag people`. */
#include "people/people_list.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "people/people_store.h"

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

static int fail(catalog *c, const char *what, err *e)
{
    return err_set(e, ERR_DB, "%s: %s: %s", catalog_path(c), what, sqlite3_errmsg(catalog_db(c)));
}

static int load_suggestions(catalog *c, people_entry *p, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(catalog_db(c),
                           "SELECT label FROM person_suggestions WHERE person_id = ?1 AND status = 'open' "
                           "ORDER BY confidence DESC, label",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "list name suggestions", e);
    sqlite3_bind_int64(st, 1, p->id);
    int step, rc = 0;
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
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
        if (!(p->suggested[p->nsuggested] = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = err_set(e, ERR_NOMEM, "people: out of memory");
            break;
        }
        p->nsuggested++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(c, "list name suggestions", e);
    sqlite3_finalize(st);
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
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(catalog_db(c),
                           "SELECT p.id, p.name, p.hidden, count(*), count(DISTINCT f.photo_id) "
                           "FROM faces f JOIN persons p ON p.id = f.person_id WHERE f.model_version = ?1 "
                           "GROUP BY p.id ORDER BY 4 DESC, 5 DESC, p.id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(c, "list persons", e);
    sqlite3_bind_text(st, 1, out->model_version, -1, SQLITE_STATIC);
    int step, rc = 0;
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
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
        p->id = sqlite3_column_int64(st, 0);
        const unsigned char *name = sqlite3_column_text(st, 1);
        p->hidden = sqlite3_column_int(st, 2) != 0;
        p->faces = sqlite3_column_int64(st, 3);
        p->photos = sqlite3_column_int64(st, 4);
        out->n++;
        if (name && *name && !(p->name = strdup((const char *)name))) {
            rc = err_set(e, ERR_NOMEM, "people: out of memory");
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(c, "list persons", e);
    sqlite3_finalize(st);
    for (size_t i = 0; rc == 0 && i < out->n; i++)
        rc = load_suggestions(c, &out->persons[i], e);
    if (rc == 0) {
        if (sqlite3_prepare_v2(catalog_db(c),
                               "SELECT count(*), count(*) FILTER (WHERE person_id IS NULL) FROM faces "
                               "WHERE model_version = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            rc = fail(c, "count faces", e);
        else
            sqlite3_bind_text(st, 1, out->model_version, -1, SQLITE_STATIC);
        if (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
            out->faces = sqlite3_column_int64(st, 0);
            out->unassigned = sqlite3_column_int64(st, 1);
        } else if (rc == 0) {
            rc = fail(c, "count faces", e);
        }
        sqlite3_finalize(st);
    }
    if (rc)
        people_list_free(out);
    return rc;
}
