/* xmp_write.c — regions and person tags into XMP with Exempi (xmp_write.h). */
#include "media/xmp_write.h"
#include "core/fsutil.h"
#include "media/xmp_regions.h"

#include <errno.h>
#include <exempi/xmp.h>
#include <exempi/xmpconsts.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PEOPLE_TAG "People/"

/* Names of the regions the packet holds now (MWG and MP), to take out of the keywords. */
static GPtrArray *old_names(XmpPtr x)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    XmpStringPtr s = xmp_string_new();
    char path[160];
    for (int i = 1; i <= XMP_REGIONS_MAX; i++) {
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]", i);
        if (!xmp_has_property(x, XMP_NS_MWG_RS, path))
            break;
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Name", i);
        if (xmp_get_property(x, XMP_NS_MWG_RS, path, s, NULL))
            g_ptr_array_add(names, g_strdup(xmp_string_cstr(s)));
    }
    for (int i = 1; i <= XMP_REGIONS_MAX; i++) {
        snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]", i);
        if (!xmp_has_property(x, XMP_NS_MP, path))
            break;
        snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]/MPReg:PersonDisplayName", i);
        if (xmp_get_property(x, XMP_NS_MP, path, s, NULL))
            g_ptr_array_add(names, g_strdup(xmp_string_cstr(s)));
    }
    for (int i = 1; i <= XMP_REGIONS_MAX; i++) {
        snprintf(path, sizeof path, "PageNames[%d]", i);
        if (!xmp_get_property(x, XMP_NS_FACETAG, path, s, NULL))
            break;
        g_ptr_array_add(names, g_strdup(xmp_string_cstr(s)));
    }
    xmp_string_free(s);
    return names;
}

/* Deletes the items of the array ns:name whose value, after `prefix`, is one of names. */
static void drop_items(XmpPtr x, const char *ns, const char *name, const char *prefix, GPtrArray *names)
{
    XmpStringPtr s = xmp_string_new();
    size_t pl = strlen(prefix);
    char path[96];
    int n = 0;
    for (;; n++) { /* items are numbered from 1 */
        snprintf(path, sizeof path, "%s[%d]", name, n + 1);
        if (!xmp_has_property(x, ns, path))
            break;
    }
    for (int i = n; i >= 1; i--) {
        snprintf(path, sizeof path, "%s[%d]", name, i);
        if (!xmp_get_property(x, ns, path, s, NULL))
            continue;
        const char *v = xmp_string_cstr(s);
        if (strncmp(v, prefix, pl) != 0)
            continue;
        for (guint k = 0; k < names->len; k++)
            if (strcmp(v + pl, g_ptr_array_index(names, k)) == 0) {
                xmp_delete_property(x, ns, path);
                break;
            }
    }
    xmp_string_free(s);
}

/* The packet being written, and what the first refused call was writing:
 * Exempi's xmp_set_property and xmp_append_array_item fail through a
 * catch-all branch that sets no error code (code 0, "no reason"), so the
 * message must say itself which property failed. */
typedef struct writer {
    XmpPtr x;
    char what[512]; /* "set PREFIX:PATH to "VALUE"" / "append ... to PREFIX:ARRAY" */
    int code;       /* xmp_get_error() right after the failed call; 0: Exempi gave none */
} writer;

/* ns's registered prefix ("mwg-rs:"), else the URI itself. */
static void ns_label(const char *ns, char *buf, size_t size)
{
    XmpStringPtr s = xmp_string_new();
    if (s && xmp_namespace_prefix(ns, s))
        snprintf(buf, size, "%s", xmp_string_cstr(s));
    else
        snprintf(buf, size, "%s ", ns);
    if (s)
        xmp_string_free(s);
}

/* Records the refused call (the first one only: later calls are not made).
 * The value is quoted as valid UTF-8 (a refused value may not be), its first
 * 60 characters. */
static bool refused(writer *w, const char *verb, const char *ns, const char *path, const char *value)
{
    w->code = xmp_get_error(); /* first: ns_label calls Exempi again */
    char prefix[96];
    ns_label(ns, prefix, sizeof prefix);
    if (value) {
        char *v = g_utf8_make_valid(value, -1);
        bool cut = g_utf8_strlen(v, -1) > 60;
        if (cut)
            *g_utf8_offset_to_pointer(v, 60) = '\0';
        snprintf(w->what, sizeof w->what, "%s %s%s %s \"%s%s\"", verb, prefix, path,
                 strcmp(verb, "set") == 0 ? "to" : "with", v, cut ? "..." : "");
        g_free(v);
    } else {
        snprintf(w->what, sizeof w->what, "%s %s%s", verb, prefix, path);
    }
    return false;
}

static bool put(writer *w, const char *ns, const char *path, const char *value)
{
    return xmp_set_property(w->x, ns, path, value, 0) || refused(w, "set", ns, path, value);
}

/* A new item of the array ns:array: value (a struct item when value is NULL). */
static bool append(writer *w, const char *ns, const char *array, const char *value)
{
    return xmp_append_array_item(w->x, ns, array, XMP_PROP_VALUE_IS_ARRAY, value,
                                 value ? 0 : XMP_PROP_VALUE_IS_STRUCT) ||
           refused(w, value ? "append an item" : "append a region", ns, array, value);
}

/* Appends value to the unordered array ns:name unless an item holds it already. */
static bool add_item(writer *w, const char *ns, const char *name, const char *value)
{
    XmpStringPtr s = xmp_string_new();
    char path[96];
    int present = 0;
    for (int i = 1; !present; i++) {
        snprintf(path, sizeof path, "%s[%d]", name, i);
        if (!xmp_get_property(w->x, ns, path, s, NULL))
            break;
        present = strcmp(xmp_string_cstr(s), value) == 0;
    }
    xmp_string_free(s);
    return present || append(w, ns, name, value);
}

static bool set_num(writer *w, const char *ns, const char *path, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%.6f", v); /* never a decimal comma */
    return put(w, ns, path, buf);
}

static bool set_int(writer *w, const char *ns, const char *path, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    return put(w, ns, path, buf);
}

static int apply(XmpPtr x, const xmp_tag_set *t, err *e)
{
    writer w = { .x = x };
    GPtrArray *gone = old_names(x);
    drop_items(x, NS_DC, "subject", "", gone);
    drop_items(x, XMP_NS_DIGIKAM, "TagsList", PEOPLE_TAG, gone);
    g_ptr_array_free(gone, TRUE);
    xmp_delete_property(x, XMP_NS_MWG_RS, "Regions");
    xmp_delete_property(x, XMP_NS_MP, "RegionInfo");
    xmp_delete_property(x, XMP_NS_FACETAG, "PageNames");

    bool ok = true;
    if (t->n > 0) {
        ok = set_int(&w, XMP_NS_MWG_RS, "Regions/mwg-rs:AppliedToDimensions/stDim:w", t->applied_w) &&
             set_int(&w, XMP_NS_MWG_RS, "Regions/mwg-rs:AppliedToDimensions/stDim:h", t->applied_h) &&
             put(&w, XMP_NS_MWG_RS, "Regions/mwg-rs:AppliedToDimensions/stDim:unit", "pixel");
    }
    char path[160];
    for (size_t i = 0; ok && i < t->n; i++) {
        const xmp_face_tag *f = &t->faces[i];
        int k = (int)i + 1;
        ok = append(&w, XMP_NS_MWG_RS, "Regions/mwg-rs:RegionList", NULL);
        static const char *const key[4] = { "x", "y", "w", "h" };
        const double area[4] = { f->x + f->w / 2, f->y + f->h / 2, f->w, f->h }; /* MWG: the centre */
        for (int j = 0; ok && j < 4; j++) {
            snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Area/stArea:%s", k, key[j]);
            ok = set_num(&w, XMP_NS_MWG_RS, path, area[j]);
        }
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Area/stArea:unit", k);
        ok = ok && put(&w, XMP_NS_MWG_RS, path, "normalized");
        snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Type", k);
        ok = ok && put(&w, XMP_NS_MWG_RS, path, "Face");
        bool named = f->name && *f->name;
        if (ok && named) {
            snprintf(path, sizeof path, "Regions/mwg-rs:RegionList[%d]/mwg-rs:Name", k);
            ok = put(&w, XMP_NS_MWG_RS, path, f->name);
        }
        /* Microsoft Photo: the top-left corner */
        ok = ok && append(&w, XMP_NS_MP, "RegionInfo/MPRI:Regions", NULL);
        if (ok) {
            char rect[4][G_ASCII_DTOSTR_BUF_SIZE], value[4 * G_ASCII_DTOSTR_BUF_SIZE + 8];
            const double r[4] = { f->x, f->y, f->w, f->h };
            for (int j = 0; j < 4; j++)
                g_ascii_formatd(rect[j], sizeof rect[j], "%.6f", r[j]);
            snprintf(value, sizeof value, "%s, %s, %s, %s", rect[0], rect[1], rect[2], rect[3]);
            snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]/MPReg:Rectangle", k);
            ok = put(&w, XMP_NS_MP, path, value);
        }
        if (ok && named) {
            snprintf(path, sizeof path, "RegionInfo/MPRI:Regions[%d]/MPReg:PersonDisplayName", k);
            ok = put(&w, XMP_NS_MP, path, f->name);
        }
        if (ok && named) {
            char *tag = g_strconcat(PEOPLE_TAG, f->name, NULL);
            ok = add_item(&w, NS_DC, "subject", f->name) && add_item(&w, XMP_NS_DIGIKAM, "TagsList", tag);
            g_free(tag);
        }
    }
    for (size_t i = 0; ok && i < t->n_page_names; i++) {
        const char *name = t->page_names[i];
        if (!name || !*name)
            continue;
        char *tag = g_strconcat(PEOPLE_TAG, name, NULL);
        ok = add_item(&w, NS_DC, "subject", name) && add_item(&w, XMP_NS_DIGIKAM, "TagsList", tag) &&
             add_item(&w, XMP_NS_FACETAG, "PageNames", name);
        g_free(tag);
    }
    if (ok && t->photo_id)
        ok = put(&w, XMP_NS_FACETAG, "PhotoID", t->photo_id);
    if (ok && t->orientation > 0)
        ok = set_int(&w, NS_TIFF, "Orientation", t->orientation);
    if (ok)
        return 0;
    if (w.code)
        return err_set(e, ERR_INTERNAL, "the XMP toolkit refused to %s (Exempi error %d)", w.what, w.code);
    return err_set(e, ERR_INTERNAL, "the XMP toolkit refused to %s (Exempi gave no reason)", w.what);
}

int xmp_write_packet(const char *old, size_t old_len, const xmp_tag_set *t, char **out, size_t *out_len, err *e)
{
    *out = NULL;
    *out_len = 0;
    int rc = xmp_regions_init(e);
    if (rc)
        return rc;
    XmpPtr x = old && old_len ? xmp_new(old, strnlen(old, old_len)) : xmp_new_empty();
    if (!x)
        return err_set(e, ERR_FORMAT, "the XMP to update is not well-formed (Exempi error %d)", xmp_get_error());
    rc = apply(x, t, e);
    XmpStringPtr s = rc == 0 ? xmp_string_new() : NULL;
    if (rc == 0 && (!s || !xmp_serialize(x, s, 0, 0)))
        rc = err_set(e, ERR_INTERNAL, "the XMP toolkit cannot serialise the packet (Exempi error %d)", xmp_get_error());
    if (rc == 0) {
        size_t n = xmp_string_len(s);
        if ((*out = malloc(n + 1)) == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
        } else {
            memcpy(*out, xmp_string_cstr(s), n);
            (*out)[n] = '\0';
            *out_len = n;
        }
    }
    if (rc == 0) {
        /* Exempi writes some damage back out as it read it (a namespace URI
           with a double quote in it, unescaped), so what it serialised is
           checked: a packet no reader could parse is never written */
        XmpPtr check = xmp_new(*out, *out_len);
        if (check) {
            xmp_free(check);
        } else {
            rc = err_set(e, ERR_FORMAT, "the XMP to update cannot be written back well-formed (Exempi error %d)",
                         xmp_get_error());
            free(*out);
            *out = NULL;
            *out_len = 0;
        }
    }
    if (s)
        xmp_string_free(s);
    xmp_free(x);
    return rc;
}

/* Copies src to dst (created or truncated; writable by us until
 * finish_mode gives it src's mode). */
static int copy_file(const char *src, const char *dst, err *e)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(e, ERR_IO, "%s: cannot open: %s", src, strerror(errno));
    struct stat st;
    int rc = 0;
    int out = fstat(in, &st) == 0 ? open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (out >= 0 && fchmod(out, (st.st_mode & 07777) | S_IRUSR | S_IWUSR) != 0)
        rc = err_set(e, ERR_IO, "%s: cannot set its mode: %s", dst, strerror(errno));
    if (out < 0) {
        rc = err_set(e, ERR_IO, "%s: cannot create: %s", dst, strerror(errno));
    } else {
        static __thread char buf[1 << 16];
        ssize_t n;
        while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
            if (n < 0) {
                if (errno != EINTR)
                    rc = err_set(e, ERR_IO, "%s: cannot read: %s", src, strerror(errno));
            } else if (fsutil_write_full(out, buf, (size_t)n) != 0) {
                rc = err_set(e, ERR_IO, "%s: cannot write: %s", dst, strerror(errno));
            }
        }
        if (close(out) != 0 && rc == 0)
            rc = err_set(e, ERR_IO, "%s: cannot write: %s", dst, strerror(errno));
    }
    close(in);
    return rc;
}

static int fsync_path(const char *path, err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int rc = err_set(e, ERR_IO, "%s: cannot flush: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    close(fd);
    return 0;
}

int xmp_write_file(const char *path, const xmp_tag_set *t, err *e)
{
    int rc = xmp_regions_init(e);
    if (rc)
        return rc;
    char dir[PATH_MAX], tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash == path ? 1 : slash - path) : 1, slash ? path : ".");
    if (snprintf(tmp, sizeof tmp, "%s/.%s.facetag-tmp", dir, name) >= (int)sizeof tmp)
        return err_set(e, ERR_INVALID, "%s: path too long", path);
    /* The original stays untouched until the updated copy replaces it whole. */
    rc = copy_file(path, tmp, e);
    XmpFilePtr f = NULL;
    XmpPtr x = NULL;
    if (rc == 0 && !(f = xmp_files_open_new(tmp, XMP_OPEN_FORUPDATE | XMP_OPEN_ONLYXMP)))
        rc = err_set(e, ERR_FORMAT, "%s: the XMP toolkit cannot write into this kind of file (Exempi error %d)", path,
                     xmp_get_error());
    if (rc == 0 && !(x = xmp_files_get_new_xmp(f)) && !(x = xmp_new_empty()))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0 && (rc = apply(x, t, e)) != 0)
        err_prefix(e, "%s", path);
    if (rc == 0 && !xmp_files_can_put_xmp(f, x))
        rc = err_set(e, ERR_FORMAT, "%s: the XMP does not fit into this kind of file", path);
    if (rc == 0 && !xmp_files_put_xmp(f, x))
        rc = err_set(e, ERR_IO, "%s: the XMP toolkit could not write it (Exempi error %d)", path, xmp_get_error());
    if (f) {
        if (!xmp_files_close(f, XMP_CLOSE_NOOPTION) && rc == 0)
            rc = err_set(e, ERR_IO, "%s: the XMP toolkit could not finish writing (Exempi error %d)", path,
                         xmp_get_error());
        xmp_files_free(f);
    }
    if (x)
        xmp_free(x);
    struct stat st;
    if (rc == 0 && (stat(path, &st) != 0 || chmod(tmp, st.st_mode & 07777) != 0))
        rc = err_set(e, ERR_IO, "%s: cannot give the copy its mode: %s", path, strerror(errno));
    if (rc == 0)
        rc = fsync_path(tmp, e);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "%s: cannot replace it: %s", path, strerror(errno));
    if (rc == 0)
        rc = fsutil_fsync_dir(dir, e);
    if (rc)
        unlink(tmp);
    return rc;
}
