/* sheetgen.c — synthetic contact sheets with ground truth (sheetgen.h). */
#include "sheetgen.h"
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <vips/vips.h>

#define PI 3.14159265358979323846

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static double rng_unit(uint32_t *s)
{
    return (rng_next(s) & 0xffffff) / (double)0x1000000;
}

static double rng_gauss(uint32_t *s)
{
    double u = rng_unit(s) + 1e-9, v = rng_unit(s);
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
}

int sheetgen_photo_crop(const char *path, int w, int h, uint8_t **rgb, err *e)
{
    *rgb = NULL;
    VipsImage *t = NULL, *c = NULL;
    if (vips_thumbnail(path, &t, w, "height", h, "crop", VIPS_INTERESTING_CENTRE, "size", VIPS_SIZE_BOTH, NULL))
        return err_set(e, ERR_FORMAT, "%s: %s", path, vips_error_buffer()), vips_error_clear(), ERR_FORMAT;
    if (vips_colourspace(t, &c, VIPS_INTERPRETATION_sRGB, NULL)) {
        g_object_unref(t);
        return err_set(e, ERR_FORMAT, "%s: %s", path, vips_error_buffer());
    }
    g_object_unref(t);
    VipsImage *f = NULL;
    if (c->Bands > 3) {
        vips_extract_band(c, &f, 0, "n", 3, NULL);
        g_object_unref(c);
        c = f;
    }
    VipsImage *cast = NULL;
    if (vips_cast_uchar(c, &cast, NULL)) {
        g_object_unref(c);
        return err_set(e, ERR_FORMAT, "%s: cast", path);
    }
    g_object_unref(c);
    size_t len = 0;
    uint8_t *mem = vips_image_write_to_memory(cast, &len);
    int cw = cast->Xsize, ch = cast->Ysize;
    g_object_unref(cast);
    if (!mem)
        return err_set(e, ERR_NOMEM, "out of memory");
    *rgb = malloc((size_t)w * (size_t)h * 3);
    if (!*rgb) {
        g_free(mem);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx = x < cw ? x : cw - 1, sy = y < ch ? y : ch - 1;
            memcpy(*rgb + ((size_t)y * w + x) * 3, mem + ((size_t)sy * cw + sx) * 3, 3);
        }
    g_free(mem);
    return 0;
}

int sheetgen_write_jpeg(const char *path, const uint8_t *rgb, int w, int h, int q, err *e)
{
    VipsImage *im = vips_image_new_from_memory(rgb, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    if (!im)
        return err_set(e, ERR_NOMEM, "vips image");
    im->Type = VIPS_INTERPRETATION_sRGB;
    int rc = vips_jpegsave(im, path, "Q", q, NULL);
    g_object_unref(im);
    if (rc)
        return err_set(e, ERR_IO, "%s: %s", path, vips_error_buffer());
    return 0;
}

uint8_t *sheetgen_grey(const uint8_t *rgb, int w, int h)
{
    uint8_t *g = malloc((size_t)w * h);
    if (!g)
        return NULL;
    for (size_t i = 0; i < (size_t)w * h; i++)
        g[i] = (uint8_t)((299 * rgb[3 * i] + 587 * rgb[3 * i + 1] + 114 * rgb[3 * i + 2] + 500) / 1000);
    return g;
}

/* A grey canvas (one byte a pixel) while laying out; tone comes at the end. */
typedef struct canvas {
    int w, h;
    uint8_t *p;
} canvas;

static void fill_rect(canvas *c, double x0, double y0, double x1, double y1, uint8_t v)
{
    int a = (int)lround(x0), b = (int)lround(x1), t = (int)lround(y0), d = (int)lround(y1);
    for (int y = t < 0 ? 0 : t; y < d && y < c->h; y++)
        for (int x = a < 0 ? 0 : a; x < b && x < c->w; x++)
            c->p[(size_t)y * c->w + x] = v;
}

/* Edge print: text rendered by libvips, stamped in tone v. */
static void stamp_text(canvas *c, const char *text, double x, double y, double height_px, uint8_t v)
{
    VipsImage *t = NULL;
    int dpi = (int)(height_px * 72 / 10 * 1.3);
    if (dpi < 10)
        dpi = 10;
    if (vips_text(&t, text, "dpi", dpi, NULL))
        return vips_error_clear();
    size_t len = 0;
    uint8_t *m = vips_image_write_to_memory(t, &len);
    int tw = t->Xsize, th = t->Ysize;
    g_object_unref(t);
    if (!m)
        return;
    for (int j = 0; j < th; j++)
        for (int i = 0; i < tw; i++) {
            int X = (int)x + i, Y = (int)y + j;
            if (X < 0 || Y < 0 || X >= c->w || Y >= c->h || m[(size_t)j * tw + i] < 128)
                continue;
            c->p[(size_t)Y * c->w + X] = v;
        }
    g_free(m);
}

void sheetgen_size_mm(const sheetgen_spec *sp, double *w_mm, double *h_mm)
{
    const int is35 = sp->film == 35;
    const double fw = is35 ? 36 : 56, pitch = is35 ? 38 : 62, strip_h = is35 ? 35 : 61.5;
    const double lead = 4, strip_gap = 1.5, margin = sp->paper_margin ? 12 : 4;
    double strip_len = lead * 2 + sp->per_strip * pitch - (pitch - fw);
    *w_mm = margin * 2 + strip_len;
    *h_mm = margin * 2 + sp->strips * strip_h + (sp->strips - 1) * strip_gap;
    if (sp->vertical) {
        double t = *w_mm;
        *w_mm = *h_mm, *h_mm = t;
    }
}

int sheetgen_make(const sheetgen_spec *sp, const char *const *photos, int nphotos, int first, sheetgen_sheet *out,
                  err *e)
{
    memset(out, 0, sizeof *out);
    int last = sp->last_strip > 0 && sp->last_strip < sp->per_strip ? sp->last_strip : sp->per_strip;
    int n = (sp->strips - 1) * sp->per_strip + last;
    if (sp->strips <= 0 || n > SHEETGEN_MAX || n <= 0 || nphotos <= 0)
        return err_set(e, ERR_INVALID, "sheetgen: %d frames", n);
    uint32_t rs = sp->seed * 2654435761u + 12345;
    const double s = sp->px_per_mm;
    const int is35 = sp->film == 35;
    const double fw = is35 ? 36 : 56, fh = is35 ? 24 : 56, pitch = is35 ? 38 : 62, strip_h = is35 ? 35 : 61.5;
    const double lead = 4, strip_gap = 1.5, margin = sp->paper_margin ? 12 : 4;
    double W, H;
    sheetgen_spec across = *sp; /* laid out along x, made vertical at the end */
    across.vertical = 0;
    sheetgen_size_mm(&across, &W, &H);
    /* base tones of a positive print (the negative is inverted at the end) */
    const uint8_t paper = 235, surround = 10, base = 22, hole = 6, ink = 165;
    canvas c = { (int)lround(W * s), (int)lround(H * s), NULL };
    c.p = malloc((size_t)c.w * c.h);
    if (!c.p)
        return err_set(e, ERR_NOMEM, "out of memory");
    memset(c.p, sp->paper_margin ? paper : surround, (size_t)c.w * c.h);
    fill_rect(&c, (margin - 2) * s, (margin - 2) * s, (W - margin + 2) * s, (H - margin + 2) * s, surround);
    int fpw = (int)lround(fw * s), fph = (int)lround(fh * s);
    out->frame_w = fpw;
    out->frame_h = fph;
    static const char *const stock[] = { "KODAK TRI-X 5063", "ILFORD HP5 PLUS", "KODAK SAFETY FILM", "AGFA APX 100" };
    const char *film_name = stock[sp->seed % 4];
    for (int st = 0; st < sp->strips; st++) {
        double sy = margin + st * (strip_h + strip_gap), sx = margin;
        int nf = st == sp->strips - 1 ? last : sp->per_strip;
        double len = lead * 2 + nf * pitch - (pitch - fw);
        if (nf < sp->per_strip) /* a short strip: white paper where its film is not */
            fill_rect(&c, (sx + len) * s, (sy - strip_gap / 2) * s, (W - margin + 2) * s, (H - margin + 2) * s, paper);
        fill_rect(&c, sx * s, sy * s, (sx + len) * s, (sy + strip_h) * s, base);
        if (is35) /* perforations, 4.75 mm apart, along both edges */
            for (double hx = sx + 1; hx + 2.8 < sx + len; hx += 4.75) {
                fill_rect(&c, hx * s, (sy + 1.1) * s, (hx + 2.8) * s, (sy + 3.1) * s, hole);
                fill_rect(&c, hx * s, (sy + strip_h - 3.1) * s, (hx + 2.8) * s, (sy + strip_h - 1.1) * s, hole);
            }
        double ty = is35 ? sy + strip_h - 5.4 : sy + strip_h - 2.6; /* edge print below the frames */
        stamp_text(&c, film_name, (sx + 10) * s, ty * s, 1.4 * s, ink);
        for (int k = 0; k < nf; k++) {
            int i = st * sp->per_strip + k;
            double fx = sx + lead + k * pitch, fy = sy + (strip_h - fh) / 2;
            char num[16];
            snprintf(num, sizeof num, "%d%s", i + 1, is35 ? "A" : "");
            stamp_text(&c, num, (fx + fw / 2) * s, (is35 ? sy + 3.3 : sy + 0.4) * s, 1.4 * s, ink);
            int pi = (first + i) % nphotos;
            uint8_t *rgb = NULL;
            int rc = sheetgen_photo_crop(photos[pi], fpw, fph, &rgb, e);
            if (rc) {
                free(c.p);
                return rc;
            }
            /* a few frames over- or under-exposed */
            double u = rng_unit(&rs), gamma = u < 0.08 ? 2.0 : u < 0.16 ? 0.55 : 1.0;
            int X0 = (int)lround(fx * s), Y0 = (int)lround(fy * s);
            for (int y = 0; y < fph; y++)
                for (int x = 0; x < fpw; x++) {
                    const uint8_t *q = rgb + ((size_t)y * fpw + x) * 3;
                    double v = (299 * q[0] + 587 * q[1] + 114 * q[2]) / 1000.0 / 255.0;
                    v = pow(v, gamma);
                    if (gamma < 1)
                        v = 0.25 + 0.75 * v; /* overexposed print: washed out */
                    int X = X0 + x, Y = Y0 + y;
                    if (X >= 0 && Y >= 0 && X < c.w && Y < c.h)
                        c.p[(size_t)Y * c.w + X] = (uint8_t)lround(v * 255);
                }
            free(rgb);
            sheet_frame *t = &out->truth[i];
            t->no = i + 1;
            t->strip = st;
            t->cx = X0 + fpw / 2.0;
            t->cy = Y0 + fph / 2.0;
            t->w = fpw;
            t->h = fph;
            out->photo[i] = pi;
            out->gamma[i] = gamma;
        }
    }
    out->nframes = n;
    if (sp->vertical) { /* strips top to bottom: transposed or turned (spec.turn) */
        uint8_t *tp = malloc((size_t)c.w * c.h);
        if (!tp) {
            free(c.p);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        /* (x, y) -> transposed (y, x); counter-clockwise (y, W - x); clockwise (H - y, x) */
        const int W0 = c.w, H0 = c.h;
        for (int y = 0; y < H0; y++)
            for (int x = 0; x < W0; x++) {
                int X = y, Y = x;
                if (sp->turn > 0)
                    Y = W0 - 1 - x;
                else if (sp->turn < 0)
                    X = H0 - 1 - y;
                tp[(size_t)Y * H0 + X] = c.p[(size_t)y * W0 + x];
            }
        free(c.p);
        c.p = tp;
        c.w = H0;
        c.h = W0;
        for (int i = 0; i < n; i++) {
            sheet_frame *f = &out->truth[i];
            double x = f->cx, y = f->cy, a = f->w;
            f->cx = sp->turn < 0 ? H0 - y : y;
            f->cy = sp->turn > 0 ? W0 - x : x;
            f->w = f->h, f->h = a;
        }
    }
    /* rotate about the centre onto a canvas that holds it all, tone, grain */
    double a = sp->angle * PI / 180, ca = cos(a), sa = sin(a), cx = c.w / 2.0, cy = c.h / 2.0;
    int OW = (int)ceil(c.w * fabs(ca) + c.h * fabs(sa)), OH = (int)ceil(c.w * fabs(sa) + c.h * fabs(ca));
    double ocx = OW / 2.0, ocy = OH / 2.0;
    out->width = OW;
    out->height = OH;
    out->rgb = malloc((size_t)OW * OH * 3);
    if (!out->rgb) {
        free(c.p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    uint8_t bg = sp->paper_margin ? paper : surround;
    for (int Y = 0; Y < OH; Y++)
        for (int X = 0; X < OW; X++) {
            double dx = X + 0.5 - ocx, dy = Y + 0.5 - ocy;
            double x = cx + dx * ca - dy * sa - 0.5, y = cy + dx * sa + dy * ca - 0.5;
            int x0 = (int)floor(x), y0 = (int)floor(y);
            double v = bg;
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < c.w && y0 + 1 < c.h) {
                double fx = x - x0, fy = y - y0;
                const uint8_t *p = c.p + (size_t)y0 * c.w + x0;
                v = (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) + (p[c.w] * (1 - fx) + p[c.w + 1] * fx) * fy;
            }
            if (sp->negative)
                v = 255 - v * 0.85; /* negatives: base bright, never quite white */
            v += sp->noise * rng_gauss(&rs);
            double r = v, g = v, b = v;
            if (sp->sepia)
                r = v * 1.04 + 6, g = v * 0.9 + 4, b = v * 0.72;
            uint8_t *o = out->rgb + ((size_t)Y * OW + X) * 3;
            o[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            o[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            o[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    free(c.p);
    for (int i = 0; i < n; i++) { /* truth rotates with the sheet (sheet.h's convention) */
        sheet_frame *f = &out->truth[i];
        double dx = f->cx - cx, dy = f->cy - cy;
        f->cx = ocx + dx * ca + dy * sa;
        f->cy = ocy - dx * sa + dy * ca;
        f->angle = sp->angle;
    }
    return 0;
}

void sheetgen_free(sheetgen_sheet *s)
{
    free(s->rgb);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_rec(const char *dir, char ***v, int *n, int *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            list_rec(p, v, n, cap);
            continue;
        }
        const char *dot = strrchr(de->d_name, '.');
        if (!dot || (strcasecmp(dot, ".jpg") && strcasecmp(dot, ".jpeg") && strcasecmp(dot, ".png")))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            char **nv = realloc(*v, sizeof **v * (size_t)*cap);
            if (!nv)
                break;
            *v = nv;
        }
        (*v)[(*n)++] = strdup(p);
    }
    closedir(d);
}

int sheetgen_list_images(const char *dir, char ***paths, int *n)
{
    int cap = 0;
    *paths = NULL;
    *n = 0;
    list_rec(dir, paths, n, &cap);
    if (*n)
        qsort(*paths, (size_t)*n, sizeof **paths, cmp_str);
    return *n;
}

int sheetgen_group_photos(char ***paths, int *n)
{
    *paths = NULL;
    *n = 0;
    const char *shared = test_shared_dir();
    if (!shared)
        return -1;
    char groups[4096];
    snprintf(groups, sizeof groups, "%s/data/group-photos", shared);
    sheetgen_list_images(groups, paths, n);
    return 0;
}

void sheetgen_list_free(char **paths, int n)
{
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int sheetgen_score(const sheet_frame *truth, int nt, const sheet_frame *found, int nf, double min_iou, double *mean_iou)
{
    int used[SHEET_MAX_FRAMES] = { 0 }, hits = 0;
    double sum = 0;
    for (int i = 0; i < nt; i++) {
        int best = -1;
        double bi = min_iou;
        for (int j = 0; j < nf && j < SHEET_MAX_FRAMES; j++) {
            double v = sheet_frame_iou(&truth[i], &found[j]);
            if (!used[j] && v >= bi)
                bi = v, best = j;
        }
        if (best >= 0) {
            used[best] = 1;
            hits++;
            sum += bi;
        }
    }
    if (mean_iou)
        *mean_iou = hits ? sum / hits : 0;
    return hits;
}

int sheetgen_same_result(const sheet_result *a, const sheet_result *b)
{
    if (a->nframes != b->nframes || a->negative != b->negative || a->vertical != b->vertical ||
        a->strips != b->strips || (a->nframes && a->angle != b->angle) || strcmp(a->why, b->why) != 0)
        return 0;
    for (int i = 0; i < a->nframes; i++) {
        const sheet_frame *f = &a->frames[i], *g = &b->frames[i];
        if (f->no != g->no || f->strip != g->strip || f->cx != g->cx || f->cy != g->cy || f->w != g->w ||
            f->h != g->h || f->angle != g->angle)
            return 0;
    }
    return 1;
}
