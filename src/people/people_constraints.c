/* people_constraints.c — the constraints of a clustering from what people
 * decided (people_constraints.h). */
#include "people/people_constraints.h"

#include <stdlib.h>
#include <string.h>

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void people_constraints_free(people_constraints *pc)
{
    free(pc->photo);
    free(pc->person);
    free(pc->reject);
    free(pc->person_ids);
    memset(pc, 0, sizeof *pc);
}

static ptrdiff_t id_index(const int64_t *sorted, size_t n, int64_t id)
{
    const int64_t *p = n ? bsearch(&id, sorted, n, sizeof *sorted, i64_cmp) : NULL;
    return p ? p - sorted : -1;
}

int people_constraints_make(const people_set *s, const uint32_t *rows, size_t m, people_constraints *out, err *e)
{
    memset(out, 0, sizeof *out);
    out->photo = malloc((m ? m : 1) * sizeof *out->photo);
    out->person = malloc((m ? m : 1) * sizeof *out->person);
    out->person_ids = malloc((m ? m : 1) * sizeof *out->person_ids);
    int32_t *row_of = malloc((s->n ? s->n : 1) * sizeof *row_of);
    if (!out->photo || !out->person || !out->person_ids || !row_of) {
        free(row_of);
        people_constraints_free(out);
        return err_set(e, ERR_NOMEM, "cluster: out of memory for the constraints");
    }
    for (size_t i = 0; i < s->n; i++)
        row_of[i] = -1;
    size_t np = 0;
    for (size_t r = 0; r < m; r++) {
        row_of[rows[r]] = (int32_t)r;
        if (s->faces[rows[r]].pin)
            out->person_ids[np++] = s->faces[rows[r]].pin;
    }
    qsort(out->person_ids, np, sizeof *out->person_ids, i64_cmp);
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (k == 0 || out->person_ids[k - 1] != out->person_ids[i])
            out->person_ids[k++] = out->person_ids[i];
    out->npersons = k;
    for (size_t r = 0; r < m; r++) {
        const people_face *f = &s->faces[rows[r]];
        out->photo[r] = f->photo;
        out->person[r] = f->pin ? (int32_t)id_index(out->person_ids, k, f->pin) : -1;
    }
    size_t nr = 0;
    out->reject = malloc((s->nrejects ? s->nrejects : 1) * sizeof *out->reject);
    if (!out->reject) {
        free(row_of);
        people_constraints_free(out);
        return err_set(e, ERR_NOMEM, "cluster: out of memory for the constraints");
    }
    for (size_t i = 0; i < s->nrejects; i++) {
        int32_t r = row_of[s->rejects[i].face];
        ptrdiff_t p = id_index(out->person_ids, k, s->rejects[i].person);
        if (r >= 0 && p >= 0)
            out->reject[nr++] = (constraint_reject){ (uint32_t)r, (int32_t)p };
    }
    free(row_of);
    out->c = (constraints){ out->photo, out->person, NULL, 0, out->reject, nr };
    return 0;
}
