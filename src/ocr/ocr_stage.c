/* ocr_stage.c — the OCR stage (ocr_stage.h). */
#include "ocr/ocr_stage.h"
#include "core/batch.h"
#include "core/clock.h"
#include "media/decode.h"
#include "ocr/ocr_engine.h"
#include "ocr/ocr_mirror.h"
#include "ocr/ocr_text.h"
#include "store/catalog_ocr.h"
#include "store/datadir.h"
#include "store/objstore.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define LINE_MIN_CONF 70.0 /* a line of a front is kept when Tesseract is this sure of it */
#define MARGIN_BAND 0.15   /* the outer part of a front where mount captions and sheet margins are */

typedef struct item {
    char photo_id[PHOTO_ID_LEN + 1];
    bool is_back;
    /* result */
    catalog_ocr_text texts[2];
    char *owned[2];
    int ntexts;
    double seconds, score, score_flipped;
    bool mirrored;
} item;

typedef struct stage {
    const ocr_options *opts;
    objstore *store;
    catalog *cat;
    item *items;
    size_t n, cap;
    char engine[64];
    ocr_summary *sum;
    int oom;
} stage;

static bool wanted(const ocr_options *o, const char *photo_id)
{
    if (!o->only)
        return true;
    for (size_t i = 0; i < o->n_only; i++)
        if (strcmp(o->only[i], photo_id) == 0)
            return true;
    return false;
}

static int on_todo(const char *photo_id, bool is_back, void *ud)
{
    stage *s = ud;
    if (!wanted(s->opts, photo_id))
        return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        item *ni = realloc(s->items, nc * sizeof *ni);
        if (!ni) {
            s->oom = 1;
            return 1;
        }
        s->items = ni;
        s->cap = nc;
    }
    item *it = &s->items[s->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->photo_id, sizeof it->photo_id, "%s", photo_id);
    it->is_back = is_back;
    it->score = it->score_flipped = -1;
    return 0;
}

/* ---- reading one photo ------------------------------------------------------ */

static int load(stage *s, const char *photo_id, int max_edge, VipsImage **out, double *scale, err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", photo_id);
    void *data = NULL;
    size_t len = 0;
    int rc = objstore_get(s->store, BUCKET_PROCESSED, key, &data, &len, e);
    if (rc)
        return err_prefix(e, "the working image processed/%s", key);
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
    VipsImage *mem = NULL;
    if (im && max_edge > 0 && (im->Xsize > max_edge || im->Ysize > max_edge)) {
        double k = (double)max_edge / (im->Xsize > im->Ysize ? im->Xsize : im->Ysize);
        VipsImage *small = NULL;
        if (vips_resize(im, &small, k, NULL) == 0)
            mem = vips_image_copy_memory(small);
        if (small)
            g_object_unref(small);
        *scale = 1.0 / k;
    } else if (im) {
        mem = vips_image_copy_memory(im);
        *scale = 1.0;
    }
    if (im)
        g_object_unref(im);
    free(data);
    if (!mem) {
        rc = err_set(e, ERR_FORMAT, "the working image processed/%s cannot be read: %s", key, vips_error_buffer());
        vips_error_clear();
        return rc;
    }
    *out = mem;
    return 0;
}

static void box_union(double *b, const ocr_word *w, bool *any)
{
    double x0 = w->x, y0 = w->y, x1 = w->x + w->w, y1 = w->y + w->h;
    if (!*any) {
        b[0] = x0, b[1] = y0, b[2] = x1, b[3] = y1;
        *any = true;
        return;
    }
    b[0] = x0 < b[0] ? x0 : b[0], b[1] = y0 < b[1] ? y0 : b[1];
    b[2] = x1 > b[2] ? x1 : b[2], b[3] = y1 > b[3] ? y1 : b[3];
}

/* Adds text t (taken) as region with its box (x0,y0,x1,y1 in the pixels
 * read, mirrored back when flipped) scaled to processed pixels. */
static int keep_text(item *it, const char *region, char *t, double conf, const double *b, int width, bool flipped,
                     double scale)
{
    if (!t)
        return -1;
    if (ocr_text_alnum(t) == 0 || it->ntexts >= 2) {
        free(t);
        return 0;
    }
    double x0 = b[0], x1 = b[2];
    if (flipped)
        x0 = width - b[2], x1 = width - b[0];
    it->owned[it->ntexts] = t;
    it->texts[it->ntexts++] = (catalog_ocr_text){ .region = region,
                                                  .text = t,
                                                  .confidence = conf,
                                                  .x = x0 * scale,
                                                  .y = b[1] * scale,
                                                  .w = (x1 - x0) * scale,
                                                  .h = (b[3] - b[1]) * scale };
    return 0;
}

static int read_back(ocr_engine *o, VipsImage *im, double scale, item *it, err *e)
{
    ocr_page pg;
    int rc = ocr_engine_read(o, im, &pg, e);
    if (rc)
        return rc;
    it->seconds += pg.seconds;
    double b[4] = { 0 };
    bool any = false;
    for (size_t i = 0; i < pg.n; i++)
        box_union(b, &pg.words[i], &any);
    rc = keep_text(it, "back", ocr_text_clean(pg.text, strlen(pg.text)), pg.confidence, b, im->Xsize, false, scale);
    ocr_page_free(&pg);
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* The lines of a front Tesseract is sure of, as "margin" (in the outer band)
 * and "front" texts. */
static int keep_lines(item *it, const ocr_page *pg, int width, int height, bool flipped, double scale)
{
    GString *txt[2] = { g_string_new(NULL), g_string_new(NULL) };
    double box[2][4] = { { 0 } }, sum[2] = { 0 }, weight[2] = { 0 };
    bool any[2] = { false, false };
    for (size_t i = 0; i < pg->n;) {
        size_t j = i;
        double s = 0, wsum = 0, lb[4] = { 0 };
        bool la = false, word3 = false;
        GString *line = g_string_new(NULL);
        for (; j < pg->n && pg->words[j].line == pg->words[i].line; j++) {
            const ocr_word *w = &pg->words[j];
            double k = (double)ocr_text_alnum(w->text);
            s += k * w->confidence;
            wsum += k;
            word3 |= k >= 3 && w->confidence >= LINE_MIN_CONF;
            box_union(lb, w, &la);
            if (line->len)
                g_string_append_c(line, ' ');
            g_string_append(line, w->text);
        }
        if (wsum >= 3 && word3 && s / wsum >= LINE_MIN_CONF) {
            double bx0 = flipped ? width - lb[2] : lb[0], bx1 = flipped ? width - lb[0] : lb[2];
            bool margin = lb[3] <= height * MARGIN_BAND || lb[1] >= height * (1 - MARGIN_BAND) ||
                          bx1 <= width * MARGIN_BAND || bx0 >= width * (1 - MARGIN_BAND);
            int r = margin ? 1 : 0;
            if (txt[r]->len)
                g_string_append_c(txt[r], '\n');
            g_string_append(txt[r], line->str);
            sum[r] += s, weight[r] += wsum;
            ocr_word u = { .x = (int)lb[0], .y = (int)lb[1], .w = (int)(lb[2] - lb[0]), .h = (int)(lb[3] - lb[1]) };
            box_union(box[r], &u, &any[r]);
        }
        g_string_free(line, TRUE);
        i = j;
    }
    int rc = 0;
    for (int r = 0; r < 2; r++) {
        if (any[r] && rc == 0)
            rc = keep_text(it, r ? "margin" : "front", ocr_text_clean(txt[r]->str, txt[r]->len), sum[r] / weight[r],
                           box[r], width, flipped, scale);
        g_string_free(txt[r], TRUE);
    }
    return rc;
}

static int read_front(ocr_engine *o, VipsImage *im, double scale, item *it, err *e)
{
    ocr_mirror_result m;
    int rc = ocr_mirror_check(o, im, &m, e);
    if (rc)
        return rc;
    it->seconds += m.page.seconds + m.flipped.seconds;
    it->score = m.score;
    it->score_flipped = m.score_flipped;
    it->mirrored = m.mirrored;
    rc = keep_lines(it, m.mirrored ? &m.flipped : &m.page, im->Xsize, im->Ysize, m.mirrored, scale);
    ocr_mirror_result_free(&m);
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* ---- the batch ------------------------------------------------------------------ */

static void *worker_init(void *ud, err *e)
{
    stage *s = ud;
    return ocr_engine_open(s->opts->langs, e);
}

static void worker_fini(void *ud, void *state)
{
    (void)ud;
    ocr_engine_close(state);
    vips_thread_shutdown();
}

static int work(void *ud, void *state, size_t i, err *e)
{
    stage *s = ud;
    item *it = &s->items[i];
    VipsImage *im = NULL;
    double scale = 1;
    int rc = load(s, it->photo_id, it->is_back ? 0 : OCR_FRONT_EDGE, &im, &scale, e);
    if (rc)
        return rc;
    rc = it->is_back ? read_back(state, im, scale, it, e) : read_front(state, im, scale, it, e);
    g_object_unref(im);
    return rc;
}

static void done(void *ud, size_t i, int rc, const char *reason, progress *pr)
{
    stage *s = ud;
    item *it = &s->items[i];
    if (rc == 0) {
        catalog_ocr_result r = { .photo_id = it->photo_id,
                                 .engine = s->engine,
                                 .seconds = it->seconds,
                                 .score = it->score,
                                 .score_flipped = it->score_flipped,
                                 .mirrored = it->mirrored,
                                 .texts = it->texts,
                                 .ntexts = it->ntexts };
        err e;
        if (catalog_ocr_put(s->cat, &r, &e) != 0) {
            progress_message(pr, "%s: cannot store the text read: %s", it->photo_id, e.msg);
            s->sum->failed++;
        } else {
            s->sum->backs += it->is_back;
            s->sum->fronts += !it->is_back;
            s->sum->texts += it->ntexts;
            s->sum->mirrored += it->mirrored;
        }
    } else {
        progress_message(pr, "%s: %s", it->photo_id, reason ? reason : "out of memory");
        s->sum->failed++;
    }
    for (int k = 0; k < it->ntexts; k++)
        free(it->owned[k]);
    it->ntexts = 0;
}

int ocr_run(const ocr_options *opts, ocr_summary *sum, err *e)
{
    memset(sum, 0, sizeof *sum);
    double t0 = clock_now_s();
    stage s = { .opts = opts, .sum = sum };
    /* libvips before the workers: its lazy start on first use is not safe when
       two workers reach it together (GObject warnings, then a crash) */
    int rc = decode_init(e);
    if (rc)
        return rc;
    /* the engine's name, and a first check that the language data is there */
    ocr_engine *probe = ocr_engine_open(opts->langs, e);
    if (!probe)
        return e ? e->code : ERR_MODEL;
    snprintf(s.engine, sizeof s.engine, "%s", ocr_engine_version(probe));
    ocr_engine_close(probe);
    rc = datadir_open(opts->data_dir, 0, &s.store, &s.cat, e);
    if (rc)
        return rc;
    int64_t total = 0;
    rc = catalog_backs_pair(s.cat, NULL, e); /* fronts ingested since */
    if (rc == 0)
        rc = catalog_ocr_todo(s.cat, s.engine, opts->fronts, on_todo, &s, e);
    if (rc == 0 && s.oom)
        rc = err_set(e, ERR_NOMEM, "out of memory for the list of photos");
    if (rc == 0) {
        total = (int64_t)s.n;
        FILE *msgs = opts->messages ? opts->messages : stderr;
        progress *pr = progress_new(msgs, "ocr", "photos", total, opts->progress);
        static const batch_ops ops = {
            .worker_init = worker_init, .worker_fini = worker_fini, .work = work, .done = done
        };
        batch_options bo = { .threads = opts->threads, .pr = pr };
        rc = batch_run(&ops, &s, s.n, &bo, e);
        progress_end(pr);
    }
    free(s.items);
    catalog_close(s.cat);
    objstore_close(s.store);
    sum->seconds = clock_now_s() - t0;
    return rc;
}
