/* ocr_engine.c — Tesseract behind ocr_engine.h. */
#include "ocr/ocr_engine.h"
#include "core/clock.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

struct ocr_engine {
    TessBaseAPI *api;
    char version[64];
};

ocr_engine *ocr_engine_open(const char *langs, err *e)
{
    if (!langs || !*langs)
        langs = OCR_LANGS_DEFAULT;
    ocr_engine *o = calloc(1, sizeof *o);
    if (!o) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    o->api = TessBaseAPICreate();
    /* Tesseract prints warnings to stderr unless told where else. */
    if (!o->api || TessBaseAPIInit3(o->api, NULL, langs) != 0) {
        err_set(e, ERR_MODEL,
                "OCR: Tesseract cannot load the language data '%s' (Debian packages tesseract-ocr-deu and "
                "tesseract-ocr-eng; or set TESSDATA_PREFIX)",
                langs);
        if (o->api)
            TessBaseAPIDelete(o->api);
        free(o);
        return NULL;
    }
    TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
    snprintf(o->version, sizeof o->version, "tesseract %s %s", TessVersion(), langs);
    return o;
}

void ocr_engine_close(ocr_engine *o)
{
    if (!o)
        return;
    TessBaseAPIEnd(o->api);
    TessBaseAPIDelete(o->api);
    free(o);
}

const char *ocr_engine_version(const ocr_engine *o)
{
    return o->version;
}

void ocr_page_free(ocr_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->words[i].text);
    free(p->words);
    free(p->text);
    memset(p, 0, sizeof *p);
}

/* 8-bit, one band, its noise taken out: what Tesseract is given. */
static int to_grey(VipsImage *im, VipsImage **out, err *e)
{
    VipsImage *t[4] = { 0 };
    int rc = 0;
    VipsImage *cur = im;
    g_object_ref(cur);
    if (vips_image_hasalpha(cur)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        if (vips_flatten(cur, &t[0], "background", white, NULL))
            rc = -1;
        vips_area_unref(VIPS_AREA(white));
        g_object_unref(cur);
        cur = t[0];
    }
    if (rc == 0 && cur->Bands > 1) {
        if (vips_colourspace(cur, &t[1], VIPS_INTERPRETATION_B_W, NULL))
            rc = -1;
        g_object_unref(cur);
        cur = t[1];
    }
    if (rc == 0 && cur->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(cur, &t[2], NULL))
            rc = -1;
        g_object_unref(cur);
        cur = t[2];
    }
    if (rc == 0) {
        if (vips_median(cur, &t[3], 3, NULL))
            rc = -1;
        g_object_unref(cur);
        cur = t[3];
    }
    if (rc) {
        if (cur)
            g_object_unref(cur);
        rc = err_set(e, ERR_FORMAT, "OCR: cannot make the image grey: %s", vips_error_buffer());
        vips_error_clear();
        return rc;
    }
    *out = cur;
    return 0;
}

static int add_word(ocr_page *p, size_t *cap, const ocr_word *w)
{
    if (p->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        ocr_word *nw = realloc(p->words, nc * sizeof *nw);
        if (!nw)
            return -1;
        p->words = nw;
        *cap = nc;
    }
    p->words[p->n++] = *w;
    return 0;
}

static size_t letters(const char *s)
{
    size_t n = 0;
    for (const char *q = s; *q; q = g_utf8_next_char(q))
        n += g_unichar_isalnum(g_utf8_get_char(q)) != 0;
    return n;
}

/* The words, then the text joined from them. */
static int collect(TessBaseAPI *api, ocr_page *out)
{
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return 0; /* no text at all */
    TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    size_t cap = 0;
    int line = -1, rc = 0;
    do {
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
            line++;
        char *t = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
        if (!t)
            continue;
        ocr_word w = { .confidence = TessResultIteratorConfidence(ri, RIL_WORD),
                       .line = line < 0 ? 0 : line,
                       .dictionary = TessResultIteratorWordIsFromDictionary(ri) != 0 };
        int l, tp, r, b;
        if (TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &tp, &r, &b))
            w.x = l, w.y = tp, w.w = r - l, w.h = b - tp;
        w.text = strdup(t);
        TessDeleteText(t);
        if (!w.text || add_word(out, &cap, &w) != 0) {
            free(w.text);
            rc = -1;
            break;
        }
    } while (TessResultIteratorNext(ri, RIL_WORD));
    TessResultIteratorDelete(ri);
    if (rc)
        return rc;
    GString *s = g_string_new(NULL);
    double sum = 0, weight = 0;
    for (size_t i = 0; i < out->n; i++) {
        const ocr_word *w = &out->words[i];
        if (i > 0)
            g_string_append_c(s, w->line != out->words[i - 1].line ? '\n' : ' ');
        g_string_append(s, w->text);
        double k = (double)letters(w->text);
        sum += k * w->confidence;
        weight += k;
    }
    out->text = g_string_free(s, FALSE);
    out->confidence = weight > 0 ? sum / weight : 0;
    return 0;
}

static int read_image(ocr_engine *o, VipsImage *im, int psm, ocr_page *out, err *e)
{
    memset(out, 0, sizeof *out);
    VipsImage *grey = NULL;
    int rc = to_grey(im, &grey, e);
    if (rc)
        return rc;
    /* a small image: twice the size, so that its letters have the 20-odd
     * pixels of height Tesseract reads best (boxes are given back in im's) */
    int up = (grey->Xsize > grey->Ysize ? grey->Xsize : grey->Ysize) < OCR_SMALL_EDGE ? 2 : 1;
    if (up > 1) {
        VipsImage *big = NULL;
        if (vips_resize(grey, &big, (double)up, "kernel", VIPS_KERNEL_CUBIC, NULL)) {
            g_object_unref(grey);
            rc = err_set(e, ERR_FORMAT, "OCR: cannot enlarge the image: %s", vips_error_buffer());
            vips_error_clear();
            return rc;
        }
        g_object_unref(grey);
        grey = big;
    }
    size_t len = 0;
    void *pix = vips_image_write_to_memory(grey, &len);
    int w = grey->Xsize, h = grey->Ysize;
    g_object_unref(grey);
    if (!pix)
        return err_set(e, ERR_NOMEM, "OCR: out of memory for a %dx%d image", w, h);
    double t0 = clock_now_s();
    TessBaseAPISetPageSegMode(o->api, (TessPageSegMode)psm);
    TessBaseAPISetImage(o->api, pix, w, h, 1, w);
    TessBaseAPISetSourceResolution(o->api, 300);
    if (TessBaseAPIRecognize(o->api, NULL) != 0)
        rc = err_set(e, ERR_INTERNAL, "OCR: Tesseract could not read the %dx%d image", w, h);
    else if (collect(o->api, out) != 0)
        rc = err_set(e, ERR_NOMEM, "OCR: out of memory for the words read");
    for (size_t i = 0; rc == 0 && up > 1 && i < out->n; i++) {
        ocr_word *wd = &out->words[i];
        wd->x /= up, wd->y /= up, wd->w /= up, wd->h /= up;
    }
    TessBaseAPIClear(o->api);
    g_free(pix);
    out->seconds = clock_now_s() - t0;
    if (rc == 0 && !out->text)
        out->text = strdup("");
    if (rc == 0 && !out->text)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc)
        ocr_page_free(out);
    return rc;
}

int ocr_engine_read(ocr_engine *o, VipsImage *im, ocr_page *out, err *e)
{
    return read_image(o, im, PSM_AUTO, out, e);
}

int ocr_engine_read_sparse(ocr_engine *o, VipsImage *im, ocr_page *out, err *e)
{
    return read_image(o, im, PSM_SPARSE_TEXT, out, e);
}

double ocr_page_text_score(const ocr_page *p)
{
    double s = 0;
    for (size_t i = 0; i < p->n; i++) {
        const ocr_word *w = &p->words[i];
        size_t k = letters(w->text);
        if (w->confidence >= 60 && k >= 3)
            s += (double)k * (w->dictionary ? 2 : 1);
    }
    return s;
}
