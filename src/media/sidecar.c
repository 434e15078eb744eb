/* sidecar.c — reading captions beside photos: text via GLib's charset
 * conversion, JSON via jansson, XMP via GLib's GMarkup (XMP is plain RDF/XML and
 * needs no XMP toolkit for the handful of fields we keep). */
#include "media/sidecar.h"
#include "core/fsutil.h"

#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- names ------------------------------------------------------------------ */

static const char *ext_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? dot + 1 : NULL;
}

int sidecar_has_sidecar_ext(const char *name)
{
    const char *x = ext_of(name);
    return x && (strcasecmp(x, "txt") == 0 || strcasecmp(x, "json") == 0 || strcasecmp(x, "xmp") == 0);
}

int sidecar_is_album(const char *name)
{
    return strcasecmp(name, "album.txt") == 0 || strcasecmp(name, "album.json") == 0;
}

/* Length of the stem: the name without its last extension. */
static size_t stem_len(const char *name)
{
    const char *x = ext_of(name);
    return x ? (size_t)(x - 1 - name) : strlen(name);
}

int sidecar_is_companion(const char *name, const char *const *names, size_t n)
{
    if (sidecar_is_album(name))
        return 1;
    if (!sidecar_has_sidecar_ext(name))
        return 0;
    size_t sl = stem_len(name);
    int xmp = strcasecmp(ext_of(name), "xmp") == 0;
    for (size_t i = 0; i < n; i++) {
        const char *o = names[i];
        if (strcmp(o, name) == 0 || sidecar_has_sidecar_ext(o))
            continue;
        if (stem_len(o) == sl && strncmp(o, name, sl) == 0)
            return 1;
        if (xmp && strlen(o) == sl && strncmp(o, name, sl) == 0) /* NAME.EXT.xmp */
            return 1;
    }
    return 0;
}

/* ---- text ------------------------------------------------------------------- */

char *sidecar_text_json(const char *data, size_t len)
{
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) /* UTF-8 byte order mark */
        data += 3, len -= 3;
    char *conv = NULL;
    if (!g_utf8_validate(data, (gssize)len, NULL)) {
        /* Old archives' captions are mostly Windows-1252 or Latin-1. */
        conv = g_convert(data, (gssize)len, "UTF-8", "CP1252", NULL, NULL, NULL);
        if (!conv)
            conv = g_convert(data, (gssize)len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
        if (!conv)
            return NULL;
        data = conv;
        len = strlen(conv);
    }
    char *clean = malloc(len + 1);
    char *out = NULL;
    if (clean) {
        for (size_t i = 0; i < len; i++)
            clean[i] = data[i] ? data[i] : ' '; /* no NUL inside a catalog string */
        while (len > 0 &&
               (clean[len - 1] == '\n' || clean[len - 1] == '\r' || clean[len - 1] == ' ' || clean[len - 1] == '\t'))
            len--;
        clean[len] = '\0';
        json_t *s = json_stringn(clean, len);
        if (s)
            out = json_dumps(s, JSON_ENCODE_ANY);
        json_decref(s);
        free(clean);
    }
    g_free(conv);
    return out;
}

/* ---- XMP -------------------------------------------------------------------- */

enum { F_NONE = -1, F_TITLE, F_DESCRIPTION, F_KEYWORDS, F_DATE, F_LOCATION, F_CREATOR, F_PERSONS, F_COUNT };

static const struct {
    const char *xml; /* qualified name as written in XMP */
    int field;
    int rank; /* for single-valued fields: lower rank wins */
} xmp_names[] = {
    { "dc:title", F_TITLE, 0 },
    { "dc:description", F_DESCRIPTION, 0 },
    { "dc:subject", F_KEYWORDS, 0 },
    { "photoshop:DateCreated", F_DATE, 0 },
    { "exif:DateTimeOriginal", F_DATE, 1 },
    { "xmp:CreateDate", F_DATE, 2 },
    { "Iptc4xmpCore:Location", F_LOCATION, 0 },
    { "photoshop:City", F_LOCATION, 1 },
    { "photoshop:Country", F_LOCATION, 2 },
    { "dc:creator", F_CREATOR, 0 },
    { "mwg-rs:Name", F_PERSONS, 0 },
    { "MP:PersonDisplayName", F_PERSONS, 0 },
};
static const char *const field_keys[F_COUNT] = { "title",    "description", "keywords", "date",
                                                 "location", "creator",     "persons" };
#define IS_LIST(f) ((f) == F_KEYWORDS || (f) == F_PERSONS)

typedef struct xmp_state {
    json_t *out;
    int rank[F_COUNT];
    int field, field_rank, field_depth, depth;
    GString *text;
} xmp_state;

static int xmp_lookup(const char *name, int *rank)
{
    for (size_t i = 0; i < sizeof xmp_names / sizeof xmp_names[0]; i++)
        if (strcmp(name, xmp_names[i].xml) == 0) {
            *rank = xmp_names[i].rank;
            return xmp_names[i].field;
        }
    return F_NONE;
}

static void xmp_value(xmp_state *s, int field, int rank, const char *v, size_t len)
{
    while (len > 0 && g_ascii_isspace(*v))
        v++, len--;
    while (len > 0 && g_ascii_isspace(v[len - 1]))
        len--;
    if (len == 0)
        return;
    const char *key = field_keys[field];
    if (IS_LIST(field)) {
        json_t *arr = json_object_get(s->out, key);
        if (!arr) {
            arr = json_array();
            json_object_set_new(s->out, key, arr);
        }
        for (size_t i = 0; i < json_array_size(arr); i++) /* persons repeat across regions */
            if (strlen(json_string_value(json_array_get(arr, i))) == len &&
                strncmp(json_string_value(json_array_get(arr, i)), v, len) == 0)
                return;
        json_array_append_new(arr, json_stringn(v, len));
    } else if (rank < s->rank[field]) {
        s->rank[field] = rank;
        json_object_set_new(s->out, key, json_stringn(v, len));
    }
}

static void xmp_start(GMarkupParseContext *ctx, const char *name, const char **attr_names, const char **attr_values,
                      void *ud, GError **error)
{
    (void)ctx, (void)error;
    xmp_state *s = ud;
    s->depth++;
    /* attribute form: <rdf:Description photoshop:City="Wuppertal" .../> */
    for (size_t i = 0; attr_names[i]; i++) {
        int rank = 0, f = xmp_lookup(attr_names[i], &rank);
        if (f != F_NONE)
            xmp_value(s, f, rank, attr_values[i], strlen(attr_values[i]));
    }
    int rank = 0, f = xmp_lookup(name, &rank);
    if (f != F_NONE && s->field == F_NONE) {
        s->field = f;
        s->field_rank = rank;
        s->field_depth = s->depth;
    }
    g_string_truncate(s->text, 0);
}

static void xmp_text(GMarkupParseContext *ctx, const char *text, gsize len, void *ud, GError **error)
{
    (void)ctx, (void)error;
    xmp_state *s = ud;
    if (s->field != F_NONE)
        g_string_append_len(s->text, text, (gssize)len);
}

static void xmp_end(GMarkupParseContext *ctx, const char *name, void *ud, GError **error)
{
    (void)ctx, (void)error;
    xmp_state *s = ud;
    if (s->field != F_NONE && (strcmp(name, "rdf:li") == 0 || s->depth == s->field_depth)) {
        xmp_value(s, s->field, s->field_rank, s->text->str, s->text->len);
        g_string_truncate(s->text, 0);
    }
    if (s->field != F_NONE && s->depth == s->field_depth)
        s->field = F_NONE;
    s->depth--;
}

int sidecar_xmp_json(const char *xml, size_t len, char **json, err *e)
{
    *json = NULL;
    xmp_state s = { .out = json_object(), .field = F_NONE, .text = g_string_new(NULL) };
    for (int i = 0; i < F_COUNT; i++)
        s.rank[i] = INT_MAX;
    GMarkupParser parser = { .start_element = xmp_start, .end_element = xmp_end, .text = xmp_text };
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, &s, NULL);
    GError *gerr = NULL;
    int rc = 0;
    if (!g_markup_parse_context_parse(ctx, xml, (gssize)len, &gerr) || !g_markup_parse_context_end_parse(ctx, &gerr)) {
        rc = err_set(e, ERR_FORMAT, "not well-formed XMP: %s", gerr ? gerr->message : "parse error");
        g_clear_error(&gerr);
    } else if (!(*json = json_dumps(s.out, JSON_SORT_KEYS | JSON_COMPACT))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    g_markup_parse_context_free(ctx);
    g_string_free(s.text, TRUE);
    json_decref(s.out);
    return rc;
}

/* ---- collecting ---------------------------------------------------------- */

/* Reads dir/name (trying the extension in lower and upper case); 1 when read,
 * 0 when absent; a file too big or unreadable is reported in *why. */
static int read_sidecar(const char *dir, const char *stem, size_t stem_n, const char *ext, char **data, size_t *len,
                        char *why, size_t why_size)
{
    char path[PATH_MAX], upper[16];
    size_t i;
    for (i = 0; ext[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)g_ascii_toupper(ext[i]);
    upper[i] = '\0';
    const char *exts[2] = { ext, upper };
    for (int k = 0; k < 2; k++) {
        if (snprintf(path, sizeof path, "%s/%.*s.%s", dir, (int)stem_n, stem, exts[k]) >= (int)sizeof path)
            return 0;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        err e2;
        void *buf;
        if (fsutil_read_all(path, SIDECAR_MAX_BYTES, &buf, len, &e2) != 0) {
            snprintf(why, why_size, "%s", e2.code == ERR_LIMIT ? "larger than 1 MiB, not read" : e2.msg);
            return -1;
        }
        *data = buf;
        return 1;
    }
    return 0;
}

/* Adds obj[key] from the sidecar file stem.ext in dir, parsed by kind. */
static void add_sidecar(json_t *obj, const char *key, const char *dir, const char *stem, size_t stem_n, const char *ext)
{
    char *data = NULL, why[1100] = "", errkey[32];
    size_t len = 0;
    int got = read_sidecar(dir, stem, stem_n, ext, &data, &len, why, sizeof why);
    snprintf(errkey, sizeof errkey, "%s_error", key);
    if (got < 0) {
        json_object_set_new(obj, errkey, json_string(why));
        return;
    }
    if (got == 0)
        return;
    json_t *v = NULL;
    if (strcmp(ext, "txt") == 0) {
        char *s = sidecar_text_json(data, len);
        v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
        free(s);
        if (!v)
            snprintf(why, sizeof why, "text in an unknown encoding");
    } else if (strcmp(ext, "json") == 0) {
        json_error_t je;
        v = json_loadb(data, len, JSON_DECODE_ANY, &je);
        if (!v)
            snprintf(why, sizeof why, "invalid JSON at line %d: %s", je.line, je.text);
    } else {
        char *s = NULL;
        err e2;
        if (sidecar_xmp_json(data, len, &s, &e2) == 0)
            v = json_loads(s, 0, NULL);
        else
            snprintf(why, sizeof why, "%s", e2.msg);
        free(s);
    }
    free(data);
    if (v)
        json_object_set_new(obj, key, v);
    else
        json_object_set_new(obj, errkey, json_string(why));
}

int sidecar_collect(const char *photo_path, char **json, err *e)
{
    *json = NULL;
    char dir[PATH_MAX];
    const char *slash = strrchr(photo_path, '/');
    const char *name = slash ? slash + 1 : photo_path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == photo_path ? 1 : slash - photo_path), photo_path);
    else
        snprintf(dir, sizeof dir, ".");
    json_t *obj = json_object(), *album = json_object();
    if (!obj || !album) {
        json_decref(obj);
        json_decref(album);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    size_t sl = stem_len(name);
    add_sidecar(obj, "txt", dir, name, sl, "txt");
    add_sidecar(obj, "json", dir, name, sl, "json");
    add_sidecar(obj, "xmp", dir, name, sl, "xmp");
    if (!json_object_get(obj, "xmp") && !json_object_get(obj, "xmp_error"))
        add_sidecar(obj, "xmp", dir, name, strlen(name), "xmp"); /* NAME.EXT.xmp */
    add_sidecar(album, "txt", dir, "album", 5, "txt");
    add_sidecar(album, "json", dir, "album", 5, "json");
    if (json_object_size(album) > 0)
        json_object_set(obj, "album", album);
    json_decref(album);
    int rc = 0;
    if (json_object_size(obj) > 0 && !(*json = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    json_decref(obj);
    return rc;
}
