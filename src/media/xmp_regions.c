/* xmp_regions.c — face regions out of XMP with Exempi (xmp_regions.h). */
#include "media/xmp_regions.h"

#include <exempi/xmp.h>
#include <exempi/xmpconsts.h>
#include <glib.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the toolkit ------------------------------------------------------------ */

void xmp_quiet_toolkit(void); /* xmp_quiet.cpp */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;

static void init_toolkit(void)
{
    xmp_quiet_toolkit();
    if (!xmp_init())
        return;
    static const struct {
        const char *uri, *prefix;
    } ns[] = {
        { XMP_NS_MWG_RS, "mwg-rs" },   { XMP_NS_ST_AREA, "stArea" },  { XMP_NS_ST_DIM, "stDim" },
        { XMP_NS_MP, "MP" },           { XMP_NS_MPRI, "MPRI" },       { XMP_NS_MPREG, "MPReg" },
        { XMP_NS_DIGIKAM, "digiKam" }, { XMP_NS_FACETAG, "facetag" },
    };
    XmpStringPtr got = xmp_string_new();
    int ok = got != NULL;
    for (size_t i = 0; ok && i < sizeof ns / sizeof ns[0]; i++)
        ok = xmp_register_namespace(ns[i].uri, ns[i].prefix, got);
    xmp_string_free(got);
    init_ok = ok;
}

int xmp_regions_init(err *e)
{
    pthread_once(&init_once, init_toolkit);
    return init_ok ? 0 : err_set(e, ERR_INTERNAL, "the XMP toolkit (Exempi) did not start");
}

/* ---- geometry --------------------------------------------------------------- */

/* Where the stored image's normalised point (u, v) shows with orientation o. */
static void orient_point(double u, double v, int o, double *x, double *y)
{
    switch (o) {
    case 2:
        *x = 1 - u, *y = v;
        break; /* mirrored left-right */
    case 3:
        *x = 1 - u, *y = 1 - v;
        break; /* turned 180 */
    case 4:
        *x = u, *y = 1 - v;
        break; /* mirrored top-bottom */
    case 5:
        *x = v, *y = u;
        break; /* transposed */
    case 6:
        *x = 1 - v, *y = u;
        break; /* turned 90 clockwise */
    case 7:
        *x = 1 - v, *y = 1 - u;
        break; /* transversed */
    case 8:
        *x = v, *y = 1 - u;
        break; /* turned 90 counter-clockwise */
    default:
        *x = u, *y = v;
        break;
    }
}

static void map_rect(const double r[4], int o, double out[4])
{
    double x0, y0, x1, y1;
    orient_point(r[0], r[1], o, &x0, &y0);
    orient_point(r[0] + r[2], r[1] + r[3], o, &x1, &y1);
    out[0] = fmin(x0, x1), out[1] = fmin(y0, y1);
    out[2] = fabs(x1 - x0), out[3] = fabs(y1 - y0);
}

void xmp_region_orient(const double r[4], int orientation, double out[4])
{
    map_rect(r, orientation, out);
}

void xmp_region_unorient(const double r[4], int orientation, double out[4])
{
    /* every orientation is its own inverse but the two quarter turns */
    int inv = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation;
    map_rect(r, inv, out);
}

/* ---- parsing ---------------------------------------------------------------- */

typedef struct reader {
    XmpPtr xmp;
    XmpStringPtr s;
    xmp_region_list *out;
    GString *notes;
} reader;

/* The property's value (borrowed until the next call), NULL when absent or not a simple value. */
static const char *prop(reader *r, const char *ns, const char *path)
{
    uint32_t bits = 0;
    if (!xmp_get_property(r->xmp, ns, path, r->s, &bits))
        return NULL;
    if (bits & (XMP_PROP_VALUE_IS_STRUCT | XMP_PROP_VALUE_IS_ARRAY))
        return NULL;
    return xmp_string_cstr(r->s);
}

static void note(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(reader *r, const char *fmt, ...)
{
    if (r->notes->len > 4096) /* a huge packet's reasons: the first ones say enough */
        return;
    if (r->notes->len)
        g_string_append(r->notes, "; ");
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(r->notes, fmt, ap);
    va_end(ap);
}

static int number(const char *text, double *v)
{
    if (!text)
        return 0;
    char *end;
    *v = g_ascii_strtod(text, &end);
    while (*end == ' ')
        end++;
    return end != text && *end == '\0' && isfinite(*v);
}

/* A name shown in a reason: at most 40 bytes, cut at a UTF-8 boundary. */
static void shown_name(const char *name, char out[48])
{
    if (!name || !*name) {
        snprintf(out, 48, "unnamed");
        return;
    }
    size_t n = strlen(name);
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(out, 48, "'%.*s%s'", (int)n, name, n < strlen(name) ? "..." : "");
}

/* Keeps the region (x, y, w, h top-left, normalised) when enough of it lies in
 * the image; the name is copied (valid UTF-8 without control characters only). */
static int keep(reader *r, int no, const char *what, const char *name, double x, double y, double w, double h,
                xmp_region_kind kind)
{
    char shown[48];
    shown_name(name, shown);
    if (!(w > 0 && h > 0) || w > 1e6 || h > 1e6 || fabs(x) > 1e6 || fabs(y) > 1e6) {
        note(r, "%s region %d (%s): width and height must be above 0", what, no, shown);
        return 0;
    }
    double x0 = fmax(x, 0), y0 = fmax(y, 0), x1 = fmin(x + w, 1), y1 = fmin(y + h, 1);
    double inside = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) / (w * h) : 0;
    if (inside < 0.5) {
        note(r, "%s region %d (%s): outside the image (x %.3g, y %.3g, w %.3g, h %.3g)", what, no, shown, x, y, w, h);
        return 0;
    }
    if (name && (!g_utf8_validate(name, -1, NULL) || strlen(name) > 512)) {
        note(r, "%s region %d: the name is not UTF-8 or longer than 512 bytes", what, no);
        return 0;
    }
    if (r->out->n >= XMP_REGIONS_MAX) {
        if (r->out->n == XMP_REGIONS_MAX)
            note(r, "more than %d regions: the rest are left out", XMP_REGIONS_MAX);
        return 0;
    }
    xmp_region *reg = &r->out->v[r->out->n];
    memset(reg, 0, sizeof *reg);
    if (name && *name) {
        /* no control characters in a person's name (persons.h) */
        GString *clean = g_string_new(NULL);
        for (const char *p = name; *p; p++)
            g_string_append_c(clean, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
        g_strstrip(clean->str);
        reg->name = *clean->str ? strdup(clean->str) : NULL;
        g_string_free(clean, TRUE);
    }
    reg->x = x0, reg->y = y0, reg->w = x1 - x0, reg->h = y1 - y0;
    reg->kind = kind;
    r->out->n++;
    return 1;
}

static void read_mwg(reader *r)
{
    char path[160], name[192];
    double v;
    if (number(prop(r, XMP_NS_MWG_RS, "Regions/mwg-rs:AppliedToDimensions/stDim:w"), &v) && v >= 1 && v < 1e9)
        r->out->applied_w = (int)v;
    if (number(prop(r, XMP_NS_MWG_RS, "Regions/mwg-rs:AppliedToDimensions/stDim:h"), &v) && v >= 1 && v < 1e9)
        r->out->applied_h = (int)v;
    for (int i = 1; i <= XMP_REGIONS_MAX + 1; i++) {
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]", i);
        if (!xmp_has_property(r->xmp, XMP_NS_MWG_RS, path))
            break;
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Name", i);
        const char *nm = prop(r, XMP_NS_MWG_RS, path);
        snprintf(name, sizeof name, "%s", nm ? nm : "");
        char *full = nm && strlen(nm) >= sizeof name ? strdup(nm) : NULL; /* long names: whole, for the check */
        const char *region_name = full ? full : name;
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Type", i);
        const char *type = prop(r, XMP_NS_MWG_RS, path);
        char shown[48];
        shown_name(region_name, shown);
        if (type && strcmp(type, "Face") != 0) {
            note(r, "MWG region %d (%s): type '%.20s', not a face", i, shown, type);
            free(full);
            continue;
        }
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Area/stArea:unit", i);
        const char *unit = prop(r, XMP_NS_MWG_RS, path);
        if (unit && strcmp(unit, "normalized") != 0) {
            note(r, "MWG region %d (%s): area unit '%.20s', only 'normalized' is defined", i, shown, unit);
            free(full);
            continue;
        }
        double a[4];
        static const char *const k[4] = { "x", "y", "w", "h" };
        int ok = 1;
        for (int j = 0; j < 4 && ok; j++) {
            snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Area/stArea:%s", i, k[j]);
            ok = number(prop(r, XMP_NS_MWG_RS, path), &a[j]);
        }
        if (!ok)
            note(r, "MWG region %d (%s): its area lacks a number for x, y, w or h", i, shown);
        else /* MWG's x, y are the centre */
            keep(r, i, "MWG", region_name, a[0] - a[2] / 2, a[1] - a[3] / 2, a[2], a[3], XMP_REGION_MWG);
        free(full);
    }
}

static void read_mp(reader *r)
{
    char path[160];
    for (int i = 1; i <= XMP_REGIONS_MAX + 1; i++) {
        snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]", i);
        if (!xmp_has_property(r->xmp, XMP_NS_MP, path))
            break;
        snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]/MPReg:PersonDisplayName", i);
        const char *nm = prop(r, XMP_NS_MP, path);
        char *name = nm ? strdup(nm) : NULL;
        char shown[48];
        shown_name(name, shown);
        snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]/MPReg:Rectangle", i);
        const char *rect = prop(r, XMP_NS_MP, path);
        double a[4];
        int ok = 0;
        if (rect) {
            /* "x, y, w, h": four numbers separated by commas */
            gchar **parts = g_strsplit(rect, ",", 5);
            ok = g_strv_length(parts) == 4;
            for (int j = 0; ok && j < 4; j++)
                ok = number(g_strstrip(parts[j]), &a[j]);
            g_strfreev(parts);
        }
        if (!ok)
            note(r, "MP region %d (%s): no rectangle of four numbers", i, shown);
        else
            keep(r, i, "MP", name, a[0], a[1], a[2], a[3], XMP_REGION_MP);
        free(name);
    }
}

int xmp_regions_parse(const char *xml, size_t len, xmp_region_list *out, err *e)
{
    memset(out, 0, sizeof *out);
    if (len > XMP_REGIONS_MAX_BYTES)
        return err_set(e, ERR_LIMIT, "XMP of %zu bytes is larger than the %d MiB read", len,
                       XMP_REGIONS_MAX_BYTES >> 20);
    int rc = xmp_regions_init(e);
    if (rc)
        return rc;
    /* Exempi reads up to a NUL: a packet with one inside is cut there, and
     * must then still be whole XML. */
    size_t n = strnlen(xml, len);
    reader r = { .out = out, .notes = g_string_new(NULL) };
    out->v = calloc(XMP_REGIONS_MAX, sizeof *out->v);
    r.s = xmp_string_new();
    r.xmp = n > 0 ? xmp_new(xml, n) : NULL;
    if (!out->v || !r.s) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
    } else if (!r.xmp) {
        int code = n > 0 ? xmp_get_error() : 0;
        rc = err_set(e, ERR_FORMAT, "not well-formed XMP%s (Exempi error %d)", n < len ? " (a NUL byte inside)" : "",
                     code);
    } else {
        read_mwg(&r);
        if (out->n == 0) /* digiKam writes both forms: MWG holds, MP is the fallback */
            read_mp(&r);
    }
    if (r.notes->len)
        out->notes = strdup(r.notes->str);
    g_string_free(r.notes, TRUE);
    if (r.xmp)
        xmp_free(r.xmp);
    if (r.s)
        xmp_string_free(r.s);
    return rc;
}

int xmp_regions_embedded_packet(const char *path, char **packet, size_t *len, err *e)
{
    *packet = NULL;
    *len = 0;
    int rc = xmp_regions_init(e);
    if (rc)
        return rc;
    if (xmp_files_check_file_format(path) == XMP_FT_UNKNOWN)
        return 0;
    XmpFilePtr f = xmp_files_open_new(path, XMP_OPEN_READ | XMP_OPEN_ONLYXMP | XMP_OPEN_LIMITSCANNING);
    if (!f)
        return err_set(e, ERR_IO, "%s: the XMP toolkit cannot open it (Exempi error %d)", path, xmp_get_error());
    XmpStringPtr s = xmp_string_new();
    int found = 0;
    if (s && xmp_files_get_xmp_xmpstring(f, s, NULL)) {
        size_t n = xmp_string_len(s);
        if (n > XMP_REGIONS_MAX_BYTES) {
            rc = err_set(e, ERR_LIMIT, "%s: embedded XMP of %zu bytes is larger than the %d MiB read", path, n,
                         XMP_REGIONS_MAX_BYTES >> 20);
        } else if (n > 0) {
            if ((*packet = malloc(n + 1)) != NULL) {
                memcpy(*packet, xmp_string_cstr(s), n);
                (*packet)[n] = '\0';
                *len = n;
                found = 1;
            } else {
                rc = err_set(e, ERR_NOMEM, "out of memory");
            }
        }
    }
    xmp_string_free(s);
    xmp_files_close(f, XMP_CLOSE_NOOPTION);
    xmp_files_free(f);
    return rc ? rc : found;
}

void xmp_region_list_free(xmp_region_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    free(l->notes);
    memset(l, 0, sizeof *l);
}

int xmp_regions_photo_id(const char *xml, size_t len, char id[17])
{
    id[0] = '\0';
    if (len > XMP_REGIONS_MAX_BYTES || xmp_regions_init(NULL) != 0)
        return 0;
    size_t n = strnlen(xml, len);
    XmpPtr x = n ? xmp_new(xml, n) : NULL;
    if (!x)
        return 0;
    XmpStringPtr s = xmp_string_new();
    int found = 0;
    if (s && xmp_get_property(x, XMP_NS_FACETAG, "PhotoID", s, NULL)) {
        const char *v = xmp_string_cstr(s);
        found = strlen(v) == 16 && strspn(v, "0123456789abcdef") == 16;
        if (found)
            memcpy(id, v, 17);
    }
    xmp_string_free(s);
    xmp_free(x);
    return found;
}
