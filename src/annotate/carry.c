/* carry.c — rejected names carried by faces (carry.h). */
#include "annotate/carry.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct carry {
    GHashTable *person_of; /* face id -> person id (gint64*) */
    GHashTable *faces_of;  /* person id -> face count */
};

carry *carry_new(const ann_model *m)
{
    carry *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->person_of = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    k->faces_of = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (size_t i = 0; i < m->n; i++)
        for (size_t f = 0; f < m->photos[i].nfaces; f++) {
            const ann_face *a = &m->photos[i].faces[f];
            if (!a->person_id)
                continue;
            g_hash_table_insert(k->person_of, g_memdup2(&a->id, sizeof a->id),
                                g_memdup2(&a->person_id, sizeof a->person_id));
            gint64 *pk = g_memdup2(&a->person_id, sizeof a->person_id);
            size_t c = GPOINTER_TO_SIZE(g_hash_table_lookup(k->faces_of, pk));
            g_hash_table_insert(k->faces_of, pk, GSIZE_TO_POINTER(c + 1));
        }
    return k;
}

void carry_free(carry *k)
{
    if (!k)
        return;
    g_hash_table_destroy(k->person_of);
    g_hash_table_destroy(k->faces_of);
    free(k);
}

int carry_rejection(carry *k, ann_model *m, const char *label, const int64_t *faces, size_t n)
{
    char *key = names_key(label);
    if (!key)
        return 0; /* no letters: nothing annotate could suggest */
    GHashTable *hits = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL); /* person -> faces */
    for (size_t i = 0; i < n; i++) {
        gint64 *p = g_hash_table_lookup(k->person_of, &faces[i]);
        if (p)
            g_hash_table_insert(hits, p, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(hits, p)) + 1));
    }
    int rc = 0;
    GHashTableIter it;
    gpointer pk, pv;
    g_hash_table_iter_init(&it, hits);
    while (rc == 0 && g_hash_table_iter_next(&it, &pk, &pv)) {
        size_t total = GPOINTER_TO_SIZE(g_hash_table_lookup(k->faces_of, pk));
        if (2 * GPOINTER_TO_SIZE(pv) <= total)
            continue;
        char *s = g_strdup_printf("p%lld|%s", (long long)*(gint64 *)pk, key);
        char *d = s ? strdup(s) : NULL; /* m->rejected frees with free() */
        g_free(s);
        if (!d)
            rc = ERR_NOMEM;
        else
            g_hash_table_add(m->rejected, d);
    }
    g_hash_table_destroy(hits);
    free(key);
    return rc;
}
