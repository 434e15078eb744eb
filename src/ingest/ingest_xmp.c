/* ingest_xmp.c — face regions from XMP at ingest (ingest_xmp.h). */
#include "ingest/ingest_xmp.h"
#include "core/fsutil.h"
#include "media/xmp_regions.h"
#include "store/catalog_frames.h"
#include "store/catalog_ocr.h"

#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The sidecar beside path: STEM.xmp, then NAME.EXT.xmp, each as .xmp or .XMP.
 * 1 and out filled when one exists. */
static int find_sidecar(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - path) : strlen(path);
    static const char *const ext[2] = { "xmp", "XMP" };
    for (int form = 0; form < 2; form++)
        for (int k = 0; k < 2; k++) {
            size_t keep = form == 0 ? stem : strlen(path);
            if ((size_t)snprintf(out, size, "%.*s.%s", (int)keep, path, ext[k]) >= size)
                return 0;
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
                return 1;
        }
    return 0;
}

static void add_note(GString *notes, const char *where, const char *what)
{
    if (notes->len)
        g_string_append(notes, "; ");
    g_string_append_printf(notes, "%s: %s", where, what);
}

/* Parses one packet's regions into l; a failure is a note. */
static int parse(const char *where, const char *xml, size_t len, xmp_region_list *l, GString *notes)
{
    err e;
    if (xmp_regions_parse(xml, len, l, &e) != 0) {
        add_note(notes, where, e.msg);
        return -1;
    }
    if (l->notes)
        add_note(notes, where, l->notes);
    return 0;
}

void ingest_xmp_read(const char *path, const catalog_photo *p, bool sidecar_only, ingest_xmp **out)
{
    *out = NULL;
    GString *notes = g_string_new(NULL);
    xmp_region_list l = { 0 };
    const char *origin = NULL;
    char side[PATH_MAX];
    if (find_sidecar(path, side, sizeof side)) {
        const char *where = strrchr(side, '/') ? strrchr(side, '/') + 1 : side;
        char label[PATH_MAX + 16];
        snprintf(label, sizeof label, "sidecar %.*s", NAME_MAX, where);
        void *data = NULL;
        size_t len = 0;
        err e;
        if (fsutil_read_all(side, XMP_REGIONS_MAX_BYTES, &data, &len, &e) != 0)
            add_note(notes, label, e.code == ERR_LIMIT ? "larger than 2 MiB, not read" : e.msg);
        else if (parse(label, data, len, &l, notes) == 0 && l.n > 0)
            origin = "sidecar";
        free(data);
        if (!origin)
            xmp_region_list_free(&l);
    }
    if (!origin && !sidecar_only) {
        char *packet = NULL;
        size_t len = 0;
        err e;
        int got = xmp_regions_embedded_packet(path, &packet, &len, &e);
        if (got < 0)
            add_note(notes, "embedded XMP", e.msg);
        else if (got > 0 && parse("embedded XMP", packet, len, &l, notes) == 0 && l.n > 0)
            origin = "embedded";
        free(packet);
    }
    ingest_xmp *x = NULL;
    if ((origin && l.n > 0) || notes->len) {
        x = calloc(1, sizeof *x);
        if (x && origin && (x->v = calloc(l.n, sizeof *x->v)) != NULL) {
            for (size_t i = 0; i < l.n; i++) {
                catalog_xmp_region *r = &x->v[x->n];
                const double st[4] = { l.v[i].x, l.v[i].y, l.v[i].w, l.v[i].h };
                double shown[4];
                xmp_region_orient(st, p->orientation, shown);
                r->region_no = (int)i;
                snprintf(r->name, sizeof r->name, "%s", l.v[i].name ? l.v[i].name : "");
                r->box[0] = shown[0] * p->width;
                r->box[1] = shown[1] * p->height;
                r->box[2] = shown[2] * p->width;
                r->box[3] = shown[3] * p->height;
                snprintf(r->kind, sizeof r->kind, "%s", l.v[i].kind == XMP_REGION_MP ? "mp" : "mwg");
                snprintf(r->origin, sizeof r->origin, "%s", origin);
                if (r->box[2] > 0 && r->box[3] > 0)
                    x->n++;
            }
        }
        if (x && notes->len)
            x->notes = strdup(notes->str);
    }
    xmp_region_list_free(&l);
    g_string_free(notes, TRUE);
    *out = x;
}

static int count_frame(const catalog_frame *f, void *ud)
{
    (void)f;
    (*(int *)ud)++;
    return 1; /* one is enough */
}

int ingest_xmp_reread(catalog *cat, const char *path, const char *photo_id, bool sidecar_only, ingest_xmp **out, err *e)
{
    *out = NULL;
    char side[PATH_MAX];
    if (sidecar_only && !find_sidecar(path, side, sizeof side))
        return 0;
    catalog_photo p = { 0 };
    int rc = catalog_photo_get(cat, photo_id, &p, e);
    if (rc <= 0)
        return rc;
    catalog_back b;
    int frames = 0;
    int back = catalog_back_get(cat, photo_id, &b, e);
    rc = back < 0 ? back : catalog_frames_of(cat, photo_id, count_frame, &frames, e);
    if (rc == 1)
        rc = 0; /* stopped at the first frame */
    if (rc == 0 && back == 0 && frames == 0)
        ingest_xmp_read(path, &p, sidecar_only, out);
    catalog_photo_clear(&p);
    return rc;
}

int ingest_xmp_record(catalog *cat, const char *photo_id, const ingest_xmp *x, int *added, err *e)
{
    if (added)
        *added = 0;
    return x && x->n ? catalog_xmp_regions_put(cat, photo_id, x->v, x->n, added, e) : 0;
}

void ingest_xmp_report(progress *pr, const char *shown_path, const ingest_xmp *x)
{
    if (x && x->notes)
        progress_message(pr, "%s: XMP: %s", shown_path, x->notes);
}

void ingest_xmp_free(ingest_xmp *x)
{
    if (!x)
        return;
    free(x->v);
    free(x->notes);
    free(x);
}
