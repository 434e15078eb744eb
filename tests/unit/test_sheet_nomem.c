/* test_sheet_nomem.c — the contact-sheet finder when memory runs out: each
 * allocation sheet_detect_grey makes fails in turn, through link-time
 * wrappers (-Wl,--wrap=malloc,calloc,realloc: only facetag's own code, linked
 * statically, calls them; libvips and glib, shared libraries, are not
 * touched). Every run must then end in ERR_NOMEM or give the whole result,
 * every frame box the same — never "not a sheet" (a sheet ingested whole,
 * with no error) or a layout found without a step that failed. The finder
 * allocates the same buffers for each of its 16 readings, so of the
 * allocations made from one place in the code (its return address) the
 * first and the last fail (under sanitizers the first), each in a run of its
 * own. Inputs: a generated
 * sheet (real group photos laid out as 120 film) and an ordinary group
 * photo, as grey images. */
#include "testutil.h"

#include "media/image.h"
#include "media/sheet.h"
#include "sheetgen.h"

#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1 /* the first allocation of each place only */
#else
#define SANITIZED 0
#endif

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__wrap_calloc(size_t k, size_t n);

#define MAX_ALLOCS 4096
static long alloc_calls, alloc_fail_at; /* fail_at 0: none fails */
static int counting;                    /* only sheet_detect_grey's allocations */
static void *alloc_site[MAX_ALLOCS];    /* where each allocation of a run was made */

static int fail_now(void *site)
{
    if (!counting)
        return 0;
    if (alloc_calls < MAX_ALLOCS)
        alloc_site[alloc_calls] = site;
    return ++alloc_calls == alloc_fail_at;
}
void *__wrap_realloc(void *p, size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_realloc(p, n);
}
void *__wrap_malloc(size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_calloc(k, n);
}

static int detect(const uint8_t *g, int w, int h, sheet_result *r, err *e)
{
    alloc_calls = 0;
    counting = 1;
    int rc = sheet_detect_grey(g, w, h, SHEET_AUTO, r, e);
    counting = 0;
    return rc;
}

/* The whole result, then the first and the last allocation from each place
 * failing, each in a run of its own. */
static void check_input(const char *what, const uint8_t *g, int w, int h, int want_frames)
{
    sheet_result *whole = malloc(sizeof *whole), *r = malloc(sizeof *r);
    err e = { 0 };
    alloc_fail_at = 0;
    CHECK_MSG(detect(g, w, h, whole, &e) == 0, "%s: %s", what, e.msg);
    long total = alloc_calls;
    CHECK_MSG(total < MAX_ALLOCS, "%s: %ld allocations", what, total);
    CHECK_MSG(want_frames ? whole->nframes > 0 : whole->nframes == 0, "%s: %d frames (%s)", what, whole->nframes,
              whole->why);
    static void *site[MAX_ALLOCS];
    memcpy(site, alloc_site, sizeof site);
    int nomem = 0, sites = 0;
    for (long k = 1; k <= total + 1; k++) {
        if (k <= total && total < MAX_ALLOCS) {
            int first = 1, last = 1;
            for (long j = 0; j < total && (first || last); j++)
                if (site[j] == site[k - 1] && j != k - 1)
                    first &= j > k - 1, last &= j < k - 1;
            if (!first && (!last || SANITIZED))
                continue;
            sites += first;
        }
        alloc_fail_at = k;
        e = (err){ 0 };
        int rc = detect(g, w, h, r, &e);
        alloc_fail_at = 0;
        if (k > total) { /* none failed: the same result */
            CHECK_MSG(rc == 0 && sheetgen_same_result(r, whole), "%s: no allocation failed, a different result", what);
            continue;
        }
        CHECK_MSG(rc == ERR_NOMEM, "%s: allocation %ld of %ld failed, rc %d (%d frames: %s)", what, k, total, rc,
                  r->nframes, r->why);
        CHECK_MSG(rc != ERR_NOMEM || r->nframes == 0, "%s: ERR_NOMEM with %d frames", what, r->nframes);
        nomem += rc == ERR_NOMEM;
    }
    printf("%s: %d frames; %ld allocations from %d places, %s of each failed: %d x ERR_NOMEM\n", what, whole->nframes,
           total, sites, SANITIZED ? "the first" : "the first and the last", nomem);
    free(whole), free(r);
}

int main(void)
{
    err e;
    if (image_init("test_sheet_nomem", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    char **photos;
    int nphotos;
    if (sheetgen_group_photos(&photos, &nphotos) != 0) {
        printf("skipped: no shared/ data for the sheet and the photo\n");
        return test_main_end();
    }
    CHECK_MSG(nphotos > 0, "no photos under the shared data's group-photos");
    if (nphotos == 0)
        return test_main_end();
    /* a small sheet: two strips of three 120 frames, turned a little */
    sheetgen_spec sp = {
        .film = 120, .strips = 2, .per_strip = 3, .px_per_mm = 3, .angle = 1.4, .noise = 5, .seed = 1
    };
    sheetgen_sheet s;
    int rc = sheetgen_make(&sp, (const char *const *)photos, nphotos, 0, &s, &e);
    CHECK_MSG(rc == 0, "sheetgen: %s", e.msg);
    if (rc == 0) {
        uint8_t *g = sheetgen_grey(s.rgb, s.width, s.height);
        CHECK(g != NULL);
        if (g)
            check_input("generated sheet", g, s.width, s.height, 1);
        free(g);
        sheetgen_free(&s);
    }
    /* an ordinary photo, as grey at most 400 px (every layout reading runs) */
    VipsImage *im = NULL, *bw = NULL, *u8 = NULL;
    if (vips_thumbnail(photos[0], &im, 400, NULL) == 0 &&
        vips_colourspace(im, &bw, VIPS_INTERPRETATION_B_W, NULL) == 0 && vips_cast_uchar(bw, &u8, NULL) == 0) {
        size_t len = 0;
        uint8_t *px = vips_image_write_to_memory(u8, &len);
        CHECK(px != NULL && u8->Bands == 1);
        if (px && u8->Bands == 1)
            check_input(photos[0], px, u8->Xsize, u8->Ysize, 0);
        g_free(px);
    } else {
        CHECK_MSG(0, "%s: %s", photos[0], vips_error_buffer());
    }
    if (u8)
        g_object_unref(u8);
    if (bw)
        g_object_unref(bw);
    if (im)
        g_object_unref(im);
    sheetgen_list_free(photos, nphotos);
    return test_main_end();
}
