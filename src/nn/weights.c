/* weights.c — tfjs manifest + shard reader (NOTES §8). */
#include "nn/weights.h"

#include "core/fsutil.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct weights {
    char model[128];
    size_t n;
    wtensor *t; /* n tensors, table order */
};

/* Shards bigger than this are not a face-api model. */
#define WEIGHTS_MAX_SHARD (256u << 20)

char *weights_shape_str(int ndim, const int *shape, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? ",%d" : "%d", shape[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

static size_t shape_count(int ndim, const int *shape)
{
    size_t c = 1;
    for (int i = 0; i < ndim; i++)
        c *= (size_t)shape[i];
    return c;
}

/* One manifest entry as read from JSON. */
typedef struct entry {
    const char *name;
    int ndim;
    int shape[8];
    size_t count;
    enum { DT_F32, DT_I32 } dtype;
    int quant; /* 0 = raw, 1 = uint8, 2 = uint16 */
    double qmin, qscale;
    size_t offset; /* into the concatenated shards */
    size_t bytes;
} entry;

static int parse_entry(const char *model, json_t *jw, size_t offset, entry *en, err *e)
{
    json_t *jname = json_object_get(jw, "name"), *jshape = json_object_get(jw, "shape"),
           *jdtype = json_object_get(jw, "dtype");
    if (!json_is_string(jname) || !json_is_array(jshape) || !json_is_string(jdtype))
        return err_set(e, ERR_FORMAT, "%s: manifest entry without name/shape/dtype", model);
    en->name = json_string_value(jname);
    if (json_array_size(jshape) > 8)
        return err_set(e, ERR_FORMAT, "%s: %s has %zu dimensions", model, en->name, json_array_size(jshape));
    en->ndim = (int)json_array_size(jshape);
    en->count = 1;
    for (int i = 0; i < en->ndim; i++) {
        json_t *d = json_array_get(jshape, (size_t)i);
        if (!json_is_integer(d) || json_integer_value(d) < 0 || json_integer_value(d) > INT_MAX)
            return err_set(e, ERR_FORMAT, "%s: %s has a bad shape", model, en->name);
        en->shape[i] = (int)json_integer_value(d);
        en->count *= (size_t)en->shape[i];
    }
    const char *dt = json_string_value(jdtype);
    if (strcmp(dt, "float32") == 0)
        en->dtype = DT_F32;
    else if (strcmp(dt, "int32") == 0)
        en->dtype = DT_I32;
    else
        return err_set(e, ERR_FORMAT, "%s: %s has unsupported dtype %s", model, en->name, dt);
    en->quant = 0;
    json_t *jq = json_object_get(jw, "quantization");
    size_t elem = 4;
    if (jq) {
        json_t *qdt = json_object_get(jq, "dtype"), *qmin = json_object_get(jq, "min"),
               *qscale = json_object_get(jq, "scale");
        if (!json_is_string(qdt) || !json_is_number(qmin) || !json_is_number(qscale))
            return err_set(e, ERR_FORMAT, "%s: %s has a bad quantization block", model, en->name);
        if (strcmp(json_string_value(qdt), "uint8") == 0)
            en->quant = 1, elem = 1;
        else if (strcmp(json_string_value(qdt), "uint16") == 0)
            en->quant = 2, elem = 2;
        else
            return err_set(e, ERR_FORMAT, "%s: %s has unsupported quantization %s", model, en->name,
                           json_string_value(qdt));
        en->qmin = json_number_value(qmin);
        en->qscale = json_number_value(qscale);
    }
    en->offset = offset;
    en->bytes = en->count * elem;
    return 0;
}

/* Decodes one entry into float32 (the only form the networks use). */
static void decode_entry(const entry *en, const unsigned char *base, float *dst)
{
    const unsigned char *p = base + en->offset;
    for (size_t i = 0; i < en->count; i++) {
        double v;
        if (en->quant == 1) {
            v = (double)p[i] * en->qscale + en->qmin;
        } else if (en->quant == 2) {
            unsigned q = (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
            v = (double)q * en->qscale + en->qmin;
        } else if (en->dtype == DT_F32) {
            float f;
            memcpy(&f, p + 4 * i, 4); /* any byte offset; little-endian host */
            dst[i] = f;
            continue;
        } else {
            int32_t q;
            memcpy(&q, p + 4 * i, 4);
            v = q;
        }
        if (en->dtype == DT_I32)
            v = floor(v + 0.5); /* Math.round */
        dst[i] = (float)v;
    }
}

/* Reads and concatenates the shard files of all groups. */
static int read_shards(const char *dir, const char *model, json_t *manifest, unsigned char **data, size_t *len, err *e)
{
    *data = NULL;
    *len = 0;
    size_t ng = json_array_size(manifest);
    for (size_t g = 0; g < ng; g++) {
        json_t *paths = json_object_get(json_array_get(manifest, g), "paths");
        if (!json_is_array(paths) || json_array_size(paths) == 0) {
            free(*data);
            return err_set(e, ERR_FORMAT, "%s: manifest group %zu has no shard paths", model, g);
        }
        for (size_t k = 0; k < json_array_size(paths); k++) {
            json_t *jp = json_array_get(paths, k);
            const char *rel = json_string_value(jp);
            if (!rel || strstr(rel, "..") || rel[0] == '/') {
                free(*data);
                return err_set(e, ERR_FORMAT, "%s: manifest names a bad shard path", model);
            }
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, rel);
            void *buf;
            size_t n;
            if (fsutil_read_all(path, WEIGHTS_MAX_SHARD, &buf, &n, e) != 0) {
                free(*data);
                return err_prefix(e, "%s: shard", model);
            }
            unsigned char *grown = realloc(*data, *len + n + 1);
            if (!grown) {
                free(buf);
                free(*data);
                return err_set(e, ERR_NOMEM, "%s: out of memory reading shards", model);
            }
            memcpy(grown + *len, buf, n);
            free(buf);
            *data = grown;
            *len += n;
        }
    }
    return 0;
}

int weights_load(const char *models_dir, const char *model, const weights_spec *table, size_t ntable, weights **out,
                 err *e)
{
    *out = NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s-weights_manifest.json", models_dir, model);
    json_error_t je;
    json_t *manifest = json_load_file(path, 0, &je);
    if (!manifest) {
        FILE *f = fopen(path, "r");
        if (!f)
            return err_set(e, ERR_IO,
                           "%s: cannot open %s (run `make models`, or point --models at the face-api model folder)",
                           model, path);
        fclose(f);
        return err_set(e, ERR_FORMAT, "%s: %s line %d: %s", model, path, je.line, je.text);
    }
    int rc = 0;
    entry *ents = NULL;
    unsigned char *blob = NULL;
    size_t blen = 0, nents = 0;
    weights *w = NULL;
    if (!json_is_array(manifest)) {
        rc = err_set(e, ERR_FORMAT, "%s: %s is not a JSON array of weight groups", model, path);
        goto done;
    }
    /* All entries, with offsets into the concatenation of every group's shards. */
    size_t cap = 0;
    for (size_t g = 0; g < json_array_size(manifest); g++)
        cap += json_array_size(json_object_get(json_array_get(manifest, g), "weights"));
    ents = calloc(cap ? cap : 1, sizeof *ents);
    if (!ents) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", model);
        goto done;
    }
    size_t offset = 0;
    for (size_t g = 0; g < json_array_size(manifest); g++) {
        json_t *jws = json_object_get(json_array_get(manifest, g), "weights");
        if (!json_is_array(jws)) {
            rc = err_set(e, ERR_FORMAT, "%s: manifest group %zu has no weights list", model, g);
            goto done;
        }
        for (size_t i = 0; i < json_array_size(jws); i++) {
            if ((rc = parse_entry(model, json_array_get(jws, i), offset, &ents[nents], e)) != 0)
                goto done;
            offset += ents[nents].bytes;
            nents++;
        }
    }
    if ((rc = read_shards(models_dir, model, manifest, &blob, &blen, e)) != 0)
        goto done;
    if (blen < offset) {
        rc = err_set(e, ERR_FORMAT, "%s: shards hold %zu bytes, the manifest describes %zu (truncated download?)",
                     model, blen, offset);
        goto done;
    }
    w = calloc(1, sizeof *w);
    if (!w || !(w->t = calloc(ntable ? ntable : 1, sizeof *w->t))) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", model);
        goto done;
    }
    snprintf(w->model, sizeof w->model, "%s", model);
    for (size_t i = 0; i < ntable; i++) {
        const weights_spec *s = &table[i];
        const entry *en = NULL;
        for (size_t k = 0; k < nents && !en; k++)
            if (strcmp(ents[k].name, s->name) == 0)
                en = &ents[k];
        char want[64], have[64];
        weights_shape_str(s->ndim, s->shape, want, sizeof want);
        if (!en) {
            rc = err_set(e, ERR_MODEL, "%s: %s expects %s, file has no such tensor", model, s->name, want);
            goto done;
        }
        int same = en->ndim == s->ndim;
        for (int d = 0; same && d < s->ndim; d++)
            same = en->shape[d] == s->shape[d];
        if (!same) {
            weights_shape_str(en->ndim, en->shape, have, sizeof have);
            rc = err_set(e, ERR_MODEL, "%s: %s expects %s, file has %s", model, s->name, want, have);
            goto done;
        }
        wtensor *t = &w->t[i];
        t->name = s->name;
        t->ndim = s->ndim;
        memcpy(t->shape, s->shape, sizeof t->shape);
        t->count = en->count;
        /* A few spare floats: XNNPACK may read past the end of static data (XNN_EXTRA_BYTES). */
        t->data = calloc(en->count + 4, sizeof(float));
        if (!t->data) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory for %s", model, s->name);
            goto done;
        }
        w->n = i + 1;
        decode_entry(en, blob, t->data);
    }
    w->n = ntable;
    *out = w;
    w = NULL;
done:
    weights_free(w);
    free(blob);
    free(ents);
    json_decref(manifest); /* entry names point into it: freed last */
    return rc;
}

const wtensor *weights_at(const weights *w, size_t i)
{
    return w && i < w->n ? &w->t[i] : NULL;
}

const wtensor *weights_get(const weights *w, const char *name)
{
    for (size_t i = 0; w && i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return &w->t[i];
    return NULL;
}

const char *weights_model(const weights *w)
{
    return w ? w->model : "";
}

size_t weights_count(const weights *w)
{
    return w ? w->n : 0;
}

void weights_release(weights *w, size_t i)
{
    if (w && i < w->n) {
        free(w->t[i].data);
        w->t[i].data = NULL;
    }
}

void weights_free(weights *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->t[i].data);
    free(w->t);
    free(w);
}

wtensor *wtensor_new(const char *name, int ndim, const int *shape, err *e)
{
    if (ndim < 0 || ndim > WEIGHTS_MAX_DIMS) {
        err_set(e, ERR_INVALID, "%s: %d dimensions (at most %d)", name, ndim, WEIGHTS_MAX_DIMS);
        return NULL;
    }
    size_t nlen = strlen(name) + 1;
    wtensor *t = calloc(1, sizeof *t + nlen);
    if (!t) {
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    char *nm = (char *)(t + 1);
    memcpy(nm, name, nlen);
    t->name = nm;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->count = shape_count(ndim, shape);
    t->data = calloc(t->count + 4, sizeof(float));
    if (!t->data) {
        free(t);
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    return t;
}

void wtensor_free(wtensor *t)
{
    if (!t)
        return;
    free(t->data);
    free(t);
}
