/* sheetsweep.c — the splitter over many seeded sheets, per layout (sheetsweep.h). */
#include "sheetsweep.h"

#include "media/sheet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

static const char *const names[SWEEP_LAYOUTS] = {
    "35 mm 6x6", "35 mm, short last strip", "35 mm, 1-2 strips",          "120 3x4",
    "120 4x3",   "120, short last strip",   "negatives in a dark holder",
};

static const char *const keys[SWEEP_LAYOUTS] = {
    "35-6x6", "35-short", "35-strip", "120-3x4", "120-4x3", "120-short", "neg-holder",
};

const char *sheetsweep_name(sheetsweep_layout l)
{
    return l >= 0 && l < SWEEP_LAYOUTS ? names[l] : "?";
}

long sheetsweep_mask(const char *list)
{
    if (!list || !strcmp(list, "all"))
        return (1L << SWEEP_LAYOUTS) - 1;
    long mask = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        int found = -1;
        for (int l = 0; l < SWEEP_LAYOUTS; l++)
            if (strlen(keys[l]) == len && !strncmp(p, keys[l], len))
                found = l;
        if (found < 0)
            return -1;
        mask |= 1L << found;
        p += len;
        if (*p == ',')
            p++;
    }
    return mask;
}

const char *sheetsweep_keys(void)
{
    return "35-6x6,35-short,35-strip,120-3x4,120-4x3,120-short,neg-holder";
}

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static double unit(uint32_t *s)
{
    return (next(s) & 0xffffff) / (double)0x1000000;
}

void sheetsweep_spec(sheetsweep_layout l, unsigned seed, int max_edge, sheetgen_spec *sp)
{
    uint32_t r = (seed + 1) * 2654435761u ^ ((unsigned)l + 1) * 2246822519u;
    if (!r)
        r = 1;
    for (int i = 0; i < 4; i++)
        next(&r);
    memset(sp, 0, sizeof *sp);
    sp->seed = seed * 16 + (unsigned)l;
    sp->angle = round((unit(&r) * 6 - 3) * 100) / 100;
    sp->negative = unit(&r) < 0.3;
    sp->sepia = unit(&r) < 0.4;
    sp->vertical = unit(&r) < 0.5;
    sp->paper_margin = !sp->negative && unit(&r) < 0.5;
    sp->noise = round((3 + 7 * unit(&r)) * 10) / 10;
    double u = unit(&r);
    switch (l) {
    case SWEEP_35_6X6:
        sp->film = 35, sp->strips = 6, sp->per_strip = 6;
        break;
    case SWEEP_35_SHORT:
        sp->film = 35, sp->strips = 4 + (int)(u * 4), sp->per_strip = unit(&r) < 0.5 ? 5 : 6;
        sp->last_strip = 1 + (int)(unit(&r) * (sp->per_strip - 1));
        break;
    case SWEEP_35_STRIP:
        sp->film = 35, sp->strips = u < 0.5 ? 1 : 2, sp->per_strip = 6;
        break;
    case SWEEP_120_3X4:
        sp->film = 120, sp->strips = 3, sp->per_strip = 4;
        break;
    case SWEEP_120_4X3:
        sp->film = 120, sp->strips = 4, sp->per_strip = 3;
        break;
    case SWEEP_120_SHORT:
        sp->film = 120, sp->strips = u < 0.5 ? 3 : 4, sp->per_strip = sp->strips == 3 ? 4 : 3;
        sp->last_strip = 1 + (int)(unit(&r) * (sp->per_strip - 1));
        break;
    case SWEEP_NEG_HOLDER:
    default:
        sp->negative = 1, sp->paper_margin = 1;
        if (u < 0.5)
            sp->film = 35, sp->strips = 6, sp->per_strip = 6;
        else
            sp->film = 120, sp->strips = unit(&r) < 0.5 ? 3 : 4, sp->per_strip = sp->strips == 3 ? 4 : 3;
        break;
    }
    /* the scan's longer side: a contact sheet at 150..300 dpi, or what a
     * caller bounds it to */
    double edge = max_edge > 0 ? max_edge * (0.6 + 0.4 * unit(&r)) : 1400 + 1200 * unit(&r);
    double wmm, hmm;
    sheetgen_size_mm(sp, &wmm, &hmm);
    sp->px_per_mm = round(edge / (wmm > hmm ? wmm : hmm) * 100) / 100;
}

void sheetsweep_describe(const sheetgen_spec *sp, char *buf, size_t size)
{
    char last[32] = "";
    if (sp->last_strip)
        snprintf(last, sizeof last, ", the last of %d", sp->last_strip);
    snprintf(buf, size, "%d film, %d strips of %d%s, %+.2f deg, %.2f px/mm, grain %.1f%s%s%s%s", sp->film, sp->strips,
             sp->per_strip, last, sp->angle, sp->px_per_mm, sp->noise, sp->negative ? ", negative" : "",
             sp->sepia ? ", sepia" : "", sp->vertical ? ", vertical" : "", sp->paper_margin ? ", paper margin" : "");
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sheetsweep_one(sheetsweep_layout l, unsigned seed, int max_edge, const char *const *photos, int nphotos,
                   sheetsweep *sw, FILE *log, int verbose, err *e)
{
    sheetgen_spec sp;
    sheetsweep_spec(l, seed, max_edge, &sp);
    sheetgen_sheet s;
    int first = (int)((seed * 7919u + (unsigned)l * 104729u) % (unsigned)nphotos);
    int rc = sheetgen_make(&sp, photos, nphotos, first, &s, e);
    if (rc)
        return rc;
    /* as a scan arrives: through JPEG */
    VipsImage *raw =
        vips_image_new_from_memory(s.rgb, (size_t)s.width * s.height * 3, s.width, s.height, 3, VIPS_FORMAT_UCHAR);
    void *jpg = NULL;
    size_t jlen = 0;
    if (!raw || vips_jpegsave_buffer(raw, &jpg, &jlen, "Q", 85, NULL)) {
        if (raw)
            g_object_unref(raw);
        sheetgen_free(&s);
        rc = err_set(e, ERR_FORMAT, "sheetsweep: jpeg: %s", vips_error_buffer());
        vips_error_clear();
        return rc;
    }
    g_object_unref(raw);
    const char *dump = getenv("SHEET_DUMP");
    if (dump) {
        char name[4096];
        snprintf(name, sizeof name, "%s/sweep-%d-%u.jpg", dump, (int)l, seed);
        FILE *f = fopen(name, "wb");
        if (f) {
            fwrite(jpg, 1, jlen, f);
            fclose(f);
        }
    }
    VipsImage *scan = vips_image_new_from_buffer(jpg, jlen, "", NULL);
    sheet_result *r = malloc(sizeof *r);
    if (!scan || !r) {
        if (scan)
            g_object_unref(scan);
        free(r);
        g_free(jpg);
        sheetgen_free(&s);
        return err_set(e, ERR_NOMEM, "sheetsweep: out of memory");
    }
    double t0 = cpu_s();
    rc = sheet_detect_image(scan, SHEET_AUTO, r, e);
    sw->detect_s += cpu_s() - t0;
    g_object_unref(scan);
    g_free(jpg);
    if (rc) {
        free(r);
        sheetgen_free(&s);
        return rc;
    }
    double miou = 0;
    int hits = sheetgen_score(s.truth, s.nframes, r->frames, r->nframes, 0.9, &miou);
    sheetsweep_row *row = &sw->row[l];
    row->sheets++;
    row->frames += s.nframes;
    row->found += hits;
    row->extra += r->nframes - hits;
    row->not_split += r->nframes == 0;
    row->sheets_short += r->nframes > 0 && hits < s.nframes;
    row->iou_sum += miou * hits;
    if (log && (verbose || hits < s.nframes || r->nframes > hits)) {
        char d[256];
        sheetsweep_describe(&sp, d, sizeof d);
        fprintf(log, "  %s seed %u (%s; %dx%d): %d of %d frames, %d extra%s%s\n", keys[l], seed, d, s.width, s.height,
                hits, s.nframes, r->nframes - hits, r->nframes ? "" : "; not split: ", r->nframes ? "" : r->why);
        fflush(log);
    }
    if (log && getenv("SHEET_FRAMES")) /* every box, to compare two builds' outputs */
        for (int i = 0; i < r->nframes; i++)
            fprintf(log, "    %s seed %u frame %d strip %d: %.4f,%.4f %.4fx%.4f %+.4f\n", keys[l], seed,
                    r->frames[i].no, r->frames[i].strip, r->frames[i].cx, r->frames[i].cy, r->frames[i].w,
                    r->frames[i].h, r->frames[i].angle);
    if (log && getenv("SHEET_TRUTH")) /* every true box (to draw over a dumped sheet) */
        for (int i = 0; i < s.nframes; i++)
            fprintf(log, "    %s seed %u truth %d strip %d: %.4f,%.4f %.4fx%.4f %+.4f\n", keys[l], seed, s.truth[i].no,
                    s.truth[i].strip, s.truth[i].cx, s.truth[i].cy, s.truth[i].w, s.truth[i].h, s.truth[i].angle);
    free(r);
    sheetgen_free(&s);
    return 0;
}

int sheetsweep_run(unsigned mask, unsigned seed0, int n, int max_edge, const char *const *photos, int nphotos,
                   sheetsweep *sw, FILE *log, int verbose, err *e)
{
    for (int k = 0; k < n; k++)
        for (int l = 0; l < SWEEP_LAYOUTS; l++) {
            if (!(mask & (1u << l)))
                continue;
            int rc = sheetsweep_one((sheetsweep_layout)l, seed0 + (unsigned)k, max_edge, photos, nphotos, sw, log,
                                    verbose, e);
            if (rc)
                return rc;
        }
    return 0;
}

sheetsweep_row sheetsweep_total(const sheetsweep *sw, unsigned mask)
{
    sheetsweep_row t = { 0 };
    for (int l = 0; l < SWEEP_LAYOUTS; l++) {
        if (!(mask & (1u << l)))
            continue;
        const sheetsweep_row *r = &sw->row[l];
        t.sheets += r->sheets, t.frames += r->frames, t.found += r->found, t.extra += r->extra;
        t.not_split += r->not_split, t.sheets_short += r->sheets_short, t.iou_sum += r->iou_sum;
    }
    return t;
}

static void print_row(FILE *out, const char *name, const sheetsweep_row *r)
{
    fprintf(out, "| %-27s | %6d | %6d / %-6d (%6.2f %%) | %9d | %11d | %5d | %.3f |\n", name, r->sheets, r->found,
            r->frames, r->frames ? 100.0 * r->found / r->frames : 0, r->not_split, r->sheets_short, r->extra,
            r->found ? r->iou_sum / r->found : 0);
}

void sheetsweep_print(const sheetsweep *sw, FILE *out)
{
    fprintf(out, "| %-27s | %6s | %-26s | %9s | %11s | %5s | %s |\n", "layout", "sheets", "frames found (IoU >= 0.9)",
            "not split", "frame lost", "extra", "mean IoU");
    fprintf(out, "|---|---|---|---|---|---|---|\n");
    for (int l = 0; l < SWEEP_LAYOUTS; l++)
        if (sw->row[l].sheets)
            print_row(out, names[l], &sw->row[l]);
    sheetsweep_row t = sheetsweep_total(sw, ~0u);
    print_row(out, "all", &t);
    fprintf(out, "detection: %.3f CPU-s per sheet\n", t.sheets ? sw->detect_s / t.sheets : 0);
}
