/* export_xmp.c — named faces out as XMP regions (export_xmp.h). */
#include "export/export_xmp.h"
#include "core/fsutil.h"
#include "core/hash.h"
#include "media/xmp_regions.h"
#include "media/xmp_write.h"
#include "store/catalog_export.h"
#include "store/catalog_frames.h"

#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The named faces of every photo: photo_id -> GArray of named_face. */
typedef struct named_face {
    char *name;
    double box[4]; /* processed-image pixels */
} named_face;

static void named_faces_free(gpointer p)
{
    GArray *a = p;
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, named_face, i).name);
    g_array_free(a, TRUE);
}

typedef struct loader {
    GHashTable *by_photo;
    int confirmed_only;
} loader;

static int on_face(const catalog_export_face *f, void *ud)
{
    const loader *l = ud;
    GHashTable *by_photo = l->by_photo;
    if (!f->person_name || !*f->person_name || !f->status || strcmp(f->status, "rejected") == 0 ||
        (l->confirmed_only && strcmp(f->status, "confirmed") != 0))
        return 0;
    GArray *a = g_hash_table_lookup(by_photo, f->photo_id);
    if (!a) {
        a = g_array_new(FALSE, FALSE, sizeof(named_face));
        g_hash_table_insert(by_photo, g_strdup(f->photo_id), a);
    }
    named_face nf = { .name = g_strdup(f->person_name) };
    memcpy(nf.box, f->box, sizeof nf.box);
    g_array_append_val(a, nf);
    return 0;
}

static GHashTable *load_named(catalog *c, int confirmed_only, err *e)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, named_faces_free);
    loader l = { t, confirmed_only };
    if (catalog_export_each_face(c, on_face, &l, e) != 0) {
        g_hash_table_destroy(t);
        return NULL;
    }
    return t;
}

/* What goes into the XMP of one file: the named faces on its image (its own,
 * and those of the frames cut from it when it is a contact sheet, in its
 * processed pixels) and the names on its later pages. */
typedef struct file_tags {
    GArray *faces;         /* named_face (names borrowed from the loader's table) */
    GPtrArray *page_names; /* borrowed, each name once */
} file_tags;

static void file_tags_free(gpointer p)
{
    file_tags *f = p;
    g_array_free(f->faces, TRUE);
    g_ptr_array_free(f->page_names, TRUE);
    g_free(f);
}

static file_tags *file_of(GHashTable *files, const char *id)
{
    file_tags *f = g_hash_table_lookup(files, id);
    if (!f) {
        f = g_new0(file_tags, 1);
        f->faces = g_array_new(FALSE, FALSE, sizeof(named_face));
        f->page_names = g_ptr_array_new();
        g_hash_table_insert(files, g_strdup(id), f);
    }
    return f;
}

/* A box (x, y, w, h) in the processed pixels (fw x fh) of a frame cut from a
 * sheet -> its bounding box in the sheet's processed pixels: the inverse of
 * the cut (media/sheet_image.c: the frame is the rectangle w x h centred on
 * (cx, cy), turned by angle, resampled to the frame's pixels). */
static void frame_to_sheet(const catalog_frame *fr, int fw, int fh, const double in[4], double out[4])
{
    double a = fr->angle * G_PI / 180.0, c = cos(a), s = sin(a);
    const double xs[4] = { in[0], in[0] + in[2], in[0] + in[2], in[0] };
    const double ys[4] = { in[1], in[1], in[1] + in[3], in[1] + in[3] };
    double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
    for (int k = 0; k < 4; k++) {
        double u = (xs[k] / fw - 0.5) * fr->w, v = (ys[k] / fh - 0.5) * fr->h;
        double x = fr->cx + u * c + v * s, y = fr->cy - u * s + v * c;
        x0 = fmin(x0, x), y0 = fmin(y0, y), x1 = fmax(x1, x), y1 = fmax(y1, y);
    }
    out[0] = x0, out[1] = y0, out[2] = x1 - x0, out[3] = y1 - y0;
}

static void add_page_name(file_tags *f, char *name)
{
    for (guint i = 0; i < f->page_names->len; i++)
        if (strcmp(g_ptr_array_index(f->page_names, i), name) == 0)
            return;
    g_ptr_array_add(f->page_names, name);
}

/* Sorts the named faces of every photo into the files they are written to
 * (docs/xmp.md, "Pages and contact sheets"): a photo that is a file keeps
 * its faces; a frame of a contact sheet gives its faces to the sheet, in the
 * sheet's pixels; a later page of a multi-page file gives its names, as
 * keywords only (MWG regions have no page); a frame of a video is left out
 * (a line on msgs, when not NULL, counted in s->skipped). file id ->
 * file_tags, or NULL with e set. */
static GHashTable *group_by_file(catalog *c, GHashTable *named, FILE *msgs, export_xmp_summary *s, err *e)
{
    GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, file_tags_free);
    GHashTableIter it;
    gpointer key, value;
    int rc = 0;
    g_hash_table_iter_init(&it, named);
    while (rc == 0 && g_hash_table_iter_next(&it, &key, &value)) {
        const char *id = key;
        GArray *faces = value;
        catalog_photo p;
        int got = catalog_photo_get(c, id, &p, e);
        if (got <= 0) {
            rc = got;
            continue;
        }
        catalog_frame fr;
        int is_frame = p.parent_id[0] ? catalog_frame_get(c, id, &fr, e) : 0;
        if (is_frame < 0) {
            rc = is_frame;
        } else if (is_frame && strcmp(fr.kind, "sheet") == 0 && p.width > 0 && p.height > 0) {
            file_tags *f = file_of(files, fr.parent_id);
            for (guint i = 0; i < faces->len; i++) {
                named_face nf = g_array_index(faces, named_face, i);
                double box[4];
                frame_to_sheet(&fr, p.width, p.height, nf.box, box);
                memcpy(nf.box, box, sizeof box);
                g_array_append_val(f->faces, nf);
            }
        } else if (is_frame) {
            if (msgs) {
                fprintf(msgs, "photo %s: a frame of the video %s: skipped (XMP regions are for still images)\n", id,
                        p.parent_id);
                s->skipped++;
            }
        } else if (p.parent_id[0]) {
            file_tags *f = file_of(files, p.parent_id);
            for (guint i = 0; i < faces->len; i++)
                add_page_name(f, g_array_index(faces, named_face, i).name);
        } else {
            g_array_append_vals(file_of(files, id)->faces, faces->data, faces->len);
        }
        catalog_photo_clear(&p);
    }
    if (rc) {
        g_hash_table_destroy(files);
        return NULL;
    }
    return files;
}

/* The tag set of one file's photo p; faces[] sized by the caller. 0, or 1 when
 * the photo has no file of its own (a later page, a frame) or no usable size. */
static int photo_tags(const catalog_photo *p, const file_tags *ft, xmp_face_tag *faces, xmp_tag_set *t)
{
    if (p->parent_id[0] || p->width <= 0 || p->height <= 0 || p->orig_width <= 0 || p->orig_height <= 0)
        return 1;
    int quarter = p->orientation >= 5 && p->orientation <= 8; /* stored sideways */
    t->applied_w = quarter ? p->orig_height : p->orig_width;
    t->applied_h = quarter ? p->orig_width : p->orig_height;
    t->photo_id = p->photo_id;
    t->faces = faces;
    t->n = 0;
    t->page_names = ft ? (const char *const *)ft->page_names->pdata : NULL;
    t->n_page_names = ft ? ft->page_names->len : 0;
    for (guint i = 0; ft && i < ft->faces->len; i++) {
        const named_face *nf = &g_array_index(ft->faces, named_face, i);
        /* processed pixels -> normalised, as displayed -> as stored */
        const double shown[4] = { nf->box[0] / p->width, nf->box[1] / p->height, nf->box[2] / p->width,
                                  nf->box[3] / p->height };
        double st[4];
        xmp_region_unorient(shown, p->orientation, st);
        faces[t->n++] = (xmp_face_tag){ .name = nf->name, .x = st[0], .y = st[1], .w = st[2], .h = st[3] };
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int export_xmp_sidecars(catalog *c, const char *dir, int confirmed_only, FILE *msgs, export_xmp_summary *s, err *e)
{
    memset(s, 0, sizeof *s);
    int rc = xmp_regions_init(e);
    if (rc || (rc = fsutil_mkdirs(dir, e)) != 0)
        return rc;
    GHashTable *named = load_named(c, confirmed_only, e);
    if (!named)
        return e ? e->code : ERR_DB;
    GHashTable *files = group_by_file(c, named, msgs, s, e);
    if (!files) {
        g_hash_table_destroy(named);
        return e ? e->code : ERR_DB;
    }
    /* photo_id order, so which photo keeps the plain name does not depend on hashing */
    GList *ids = g_list_sort(g_hash_table_get_keys(files), (GCompareFunc)strcmp);
    GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (GList *it = ids; it && rc == 0; it = it->next) {
        const char *id = it->data;
        file_tags *ft = g_hash_table_lookup(files, id);
        catalog_photo p;
        int got = catalog_photo_get(c, id, &p, e);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0)
            continue;
        xmp_face_tag *faces = calloc(ft->faces->len + 1, sizeof *faces);
        xmp_tag_set t = { 0 };
        char *src = NULL;
        if (!faces) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
        } else if (photo_tags(&p, ft, faces, &t) != 0) {
            fprintf(msgs, "photo %s: no usable size: skipped\n", id);
            s->skipped++;
        } else if ((rc = catalog_source_first(c, id, &src, e)) >= 0) {
            rc = 0;
            s->photos++;
            char name[NAME_MAX + 1], path[PATH_MAX];
            snprintf(name, sizeof name, "%.*s.xmp", NAME_MAX - 4, src ? base_name(src) : id);
            int clash = g_hash_table_contains(used, name);
            if (clash)
                snprintf(path, sizeof path, "%s/%s", dir, id);
            err we = { 0 };
            int wrc = clash ? fsutil_mkdirs(path, &we) : 0;
            if ((size_t)snprintf(path, sizeof path, "%s/%s%s%s", dir, clash ? id : "", clash ? "/" : "", name) >=
                sizeof path)
                wrc = err_set(&we, ERR_INVALID, "%s/%s: path too long", dir, name);
            char *packet = NULL;
            size_t len = 0;
            if (wrc == 0) {
                t.orientation = p.orientation; /* a sidecar alone says which frame its areas are in */
                if ((wrc = xmp_write_packet(NULL, 0, &t, &packet, &len, &we)) != 0)
                    err_prefix(&we, "%s", path); /* the sidecar it was for */
            }
            if (wrc == 0)
                wrc = fsutil_write_atomic(path, packet, len, &we);
            free(packet);
            if (wrc) {
                fprintf(msgs, "photo %s: %s\n", id, we.msg);
                s->failed++;
            } else {
                g_hash_table_add(used, g_strdup(name));
                s->files++;
                s->regions += (int64_t)t.n;
            }
        }
        free(src);
        free(faces);
        catalog_photo_clear(&p);
    }
    g_list_free(ids);
    g_hash_table_destroy(used);
    g_hash_table_destroy(files);
    g_hash_table_destroy(named);
    return rc < 0 ? rc : 0;
}

/* ---- in place ----------------------------------------------------------------- */

typedef struct in_place {
    catalog *c;
    GHashTable *named; /* photo_id -> its named faces */
    GHashTable *files; /* photo_id of a file -> what goes into it (group_by_file) */
    char data_real[PATH_MAX];
    FILE *msgs;
    export_xmp_summary *s;
    int rc; /* a catalog error stops the walk */
    err *e;
} in_place;

static void skip(in_place *ip, const char *path, const char *why)
{
    fprintf(ip->msgs, "%s: %s: skipped\n", path, why);
    ip->s->skipped++;
}

/* Which photo the file at path is a copy of: by its bytes, else by the
 * facetag:PhotoID of its XMP. 1 and id filled, 0 when neither. */
static int identify(const char *path, char id[PHOTO_ID_LEN + 1], char *why, size_t why_size)
{
    void *data = NULL;
    size_t len = 0;
    err e2;
    if (fsutil_read_all(path, (size_t)4 << 30, &data, &len, &e2) != 0) {
        snprintf(why, why_size, "%s", e2.msg);
        return 0;
    }
    char sha[HASH_SHA256_HEX_LEN + 1];
    int ok = hash_sha256_hex(data, len, sha, &e2) == 0;
    free(data);
    if (ok)
        hash_photo_id(sha, id);
    return ok;
}

/* 1 when path (resolved) is the data folder or inside it. */
static int inside_data(const in_place *ip, const char *path)
{
    char real[PATH_MAX];
    size_t dl = strlen(ip->data_real);
    return dl && realpath(path, real) && strncmp(real, ip->data_real, dl) == 0 && (real[dl] == '/' || real[dl] == '\0');
}

/* 1 when the file's XMP carries a facetag:PhotoID: an earlier export wrote
 * regions that may now have to go. */
static int written_before(const char *path)
{
    char *packet = NULL, id[PHOTO_ID_LEN + 1];
    size_t len = 0;
    int yes = xmp_regions_embedded_packet(path, &packet, &len, NULL) > 0 && xmp_regions_photo_id(packet, len, id);
    free(packet);
    return yes;
}

static void one_file(in_place *ip, const char *path)
{
    char real[PATH_MAX], why[1100] = "";
    if (!realpath(path, real)) {
        snprintf(why, sizeof why, "cannot resolve the path: %s", strerror(errno));
        skip(ip, path, why);
        return;
    }
    if (inside_data(ip, real)) {
        skip(ip, path, "inside the data folder, whose originals are never changed");
        return;
    }
    struct stat st;
    if (stat(real, &st) != 0 || (st.st_mode & 0222) == 0 || access(real, W_OK) != 0) {
        skip(ip, path, "read-only: not written");
        return;
    }
    char id[PHOTO_ID_LEN + 1] = "";
    if (!identify(real, id, why, sizeof why)) {
        skip(ip, path, why);
        return;
    }
    err e2 = { 0 };
    int known = catalog_photo_get(ip->c, id, NULL, &e2);
    if (known == 0) { /* changed since ingest: an earlier export names the photo in its XMP */
        char *packet = NULL;
        size_t len = 0;
        if (xmp_regions_embedded_packet(real, &packet, &len, &e2) > 0 && xmp_regions_photo_id(packet, len, id))
            known = catalog_photo_get(ip->c, id, NULL, &e2);
        free(packet);
    }
    if (known < 0) {
        ip->rc = known;
        *ip->e = e2;
        return;
    }
    if (known == 0) {
        skip(ip, path, "not a photo of this archive (other bytes, and no facetag:PhotoID in its XMP)");
        return;
    }
    file_tags *ft = g_hash_table_lookup(ip->files, id);
    catalog_photo p;
    if (catalog_photo_get(ip->c, id, &p, &e2) != 1) {
        ip->rc = e2.code ? e2.code : ERR_DB;
        *ip->e = e2;
        return;
    }
    xmp_face_tag *faces = ft ? calloc(ft->faces->len + 1, sizeof *faces) : NULL;
    xmp_tag_set t = { 0 };
    if (ft && !faces) {
        ip->rc = err_set(ip->e, ERR_NOMEM, "out of memory");
    } else if (photo_tags(&p, ft, faces, &t) != 0) {
        skip(ip, path, "its photo is a page or frame of another file");
    } else if (t.n == 0 && t.n_page_names == 0 && !written_before(real)) {
        skip(ip, path, "no named faces in its photo");
    } else if (xmp_write_file(real, &t, &e2) != 0) {
        fprintf(ip->msgs, "%s\n", e2.msg);
        ip->s->failed++;
    } else {
        /* a photo whose names were all taken back gets the regions of the earlier export cleared */
        ip->s->files++;
        ip->s->photos += t.n > 0;
        ip->s->regions += (int64_t)t.n;
    }
    free(faces);
    catalog_photo_clear(&p);
}

static __thread in_place *walk_ctx; /* nftw has no user pointer */

static int on_walk(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    in_place *ip = walk_ctx;
    if (type == FTW_F) {
        const char *name = base_name(path);
        size_t n = strlen(name);
        if (name[0] == '.' || (n > 4 && strcasecmp(name + n - 4, ".xmp") == 0))
            return 0; /* hidden files (our own temporary copies) and sidecars */
        one_file(ip, path);
    } else if (type == FTW_D && inside_data(ip, path)) {
        skip(ip, path, "inside the data folder, whose originals are never changed");
        return FTW_SKIP_SUBTREE;
    } else if (type == FTW_DNR || type == FTW_NS) {
        skip(ip, path, "cannot read it");
    }
    return ip->rc ? FTW_STOP : FTW_CONTINUE;
}

int export_xmp_in_place(catalog *c, const char *data_dir, char *const *paths, int n, int confirmed_only, FILE *msgs,
                        export_xmp_summary *s, err *e)
{
    memset(s, 0, sizeof *s);
    int rc = xmp_regions_init(e);
    if (rc)
        return rc;
    in_place ip = { .c = c, .msgs = msgs, .s = s, .e = e };
    if (!realpath(data_dir, ip.data_real))
        ip.data_real[0] = '\0';
    if (!(ip.named = load_named(c, confirmed_only, e)))
        return e ? e->code : ERR_DB;
    if (!(ip.files = group_by_file(c, ip.named, NULL, s, e))) {
        g_hash_table_destroy(ip.named);
        return e ? e->code : ERR_DB;
    }
    for (int i = 0; i < n && ip.rc == 0; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            char why[300];
            snprintf(why, sizeof why, "cannot read it: %s", strerror(errno));
            skip(&ip, paths[i], why);
        } else if (S_ISDIR(st.st_mode)) {
            walk_ctx = &ip;
            if (nftw(paths[i], on_walk, 16, FTW_PHYS | FTW_ACTIONRETVAL) < 0 && ip.rc == 0)
                skip(&ip, paths[i], strerror(errno));
            walk_ctx = NULL;
        } else {
            one_file(&ip, paths[i]);
        }
    }
    g_hash_table_destroy(ip.files);
    g_hash_table_destroy(ip.named);
    return ip.rc;
}
