/* test_mono_frames — frames of a black-and-white negative are handed over
 * grey however they were exposed (issue 13: faces in the frames of contact
 * sheets within 2 % of the photos alone;
 * docs/decisions/2026-12-08-grey-negative-frames.md). A sepia scan of one
 * strip of negatives, six tight single faces of faces-dev (two frames dark,
 * one washed out; grain, JPEG q85), each frame cut at its true box
 * (sheet_frame_extract):
 *   - every frame comes out grey (R = G = B). Before, the frame was judged
 *     after its levels were stretched, which multiplies the scan's chroma
 *     noise with the picture: 4 of the 6 came out blue, which the detector
 *     reads worst;
 *   - the detector finds a face in at least 2 of them (1 before, native
 *     bf16, emulated int8 and fp32). */
#include "testutil.h"

#include "media/image.h"
#include "media/sheet.h"
#include "sheetgen.h"
#include "vision/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* The sheet as a scan arrives (JPEG q85, as bench_sheet), in memory. */
static VipsImage *scan_of(const sheetgen_sheet *s)
{
    VipsImage *raw =
        vips_image_new_from_memory(s->rgb, (size_t)s->width * s->height * 3, s->width, s->height, 3, VIPS_FORMAT_UCHAR);
    if (!raw)
        return NULL;
    raw->Type = VIPS_INTERPRETATION_sRGB;
    void *jpg = NULL;
    size_t len = 0;
    int bad = vips_jpegsave_buffer(raw, &jpg, &len, "Q", 85, NULL);
    g_object_unref(raw);
    if (bad)
        return NULL;
    VipsImage *in = vips_image_new_from_buffer(jpg, len, "", NULL), *mem = in ? vips_image_copy_memory(in) : NULL;
    if (in)
        g_object_unref(in);
    g_free(jpg);
    return mem;
}

/* Whether every pixel of the frame is grey (R = G = B). */
static int frame_is_grey(VipsImage *cut)
{
    size_t len = 0;
    uint8_t *px = cut->Bands == 3 ? vips_image_write_to_memory(cut, &len) : NULL;
    int grey = px != NULL;
    for (size_t i = 0; px && i + 2 < len; i += 3)
        if (px[i] != px[i + 1] || px[i + 1] != px[i + 2]) {
            grey = 0;
            break;
        }
    g_free(px);
    return grey;
}

int main(int argc, char **argv)
{
    (void)argc;
    err e;
    CHECK(image_init(argv[0], &e) == 0);
    const char *shared = test_shared_dir();
    CHECK_MSG(shared != NULL, "no shared/ data (FACETAG_SHARED)");
    if (!shared)
        return test_main_end();
    const char *md = getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    pipeline_options po = pipeline_default_options();
    po.attributes = false;
    pipeline_models *pm = pipeline_models_load(md, &po, &e);
    pipeline_runner *runner = pm ? pipeline_runner_new(pm, NULL, &e) : NULL;
    CHECK(runner != NULL);
    /* tight faces, as on the sheets whose faces went missing */
    static const char *const names[] = { "Charles_Moose/lfw_11.jpg", "ORL_s13/orl_08.png", "David_Anderson/lfw_03.jpg",
                                         "Fernando_Henrique_Cardoso/lfw_01.jpg" };
    char paths[4][4096];
    const char *photos[4];
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/data/faces-dev/%s", shared, names[i]);
        photos[i] = paths[i];
    }
    {
        const int negative = 1;
        sheetgen_spec sp = { .film = 35,
                             .strips = 1,
                             .per_strip = 6,
                             .px_per_mm = 10,
                             .angle = 1.2,
                             .negative = negative,
                             .sepia = 1,
                             .noise = 7,
                             .seed = 47 };
        sheetgen_sheet s;
        CHECK(sheetgen_make(&sp, photos, 4, 0, &s, &e) == 0);
        VipsImage *scan = scan_of(&s);
        CHECK(scan != NULL);
        int washed = 0, dark = 0, with_face = 0;
        for (int i = 0; scan && i < s.nframes; i++) {
            VipsImage *cut = NULL;
            CHECK(sheet_frame_extract(scan, &s.truth[i], negative, &cut, &e) == 0);
            if (!cut)
                continue;
            const int grey = frame_is_grey(cut);
            washed += s.gamma[i]<1, dark += s.gamma[i]> 1;
            CHECK_MSG(grey, "negative frame %d (exposure gamma %.2f) came out toned", i + 1, s.gamma[i]);
            if (runner) {
                image img = { 0 };
                size_t len = 0;
                img.rgb = vips_image_write_to_memory(cut, &len);
                img.width = cut->Xsize, img.height = cut->Ysize;
                pipeline_result res;
                const int rc = img.rgb ? pipeline_run(runner, &img, &po, &res, &e) : -1;
                CHECK_MSG(rc == 0, "frame %d: %s", i + 1, img.rgb ? e.msg : "no pixels");
                if (rc == 0) {
                    with_face += res.n > 0;
                    pipeline_result_free(&res);
                }
                g_free(img.rgb);
            }
            g_object_unref(cut);
        }
        CHECK(washed > 0 && dark > 0); /* the seed gives both exposure faults */
        printf("negatives: %d of %d frames with a face\n", with_face, s.nframes);
        CHECK(with_face >= 2);
        if (scan)
            g_object_unref(scan);
        sheetgen_free(&s);
    }
    pipeline_runner_free(runner);
    pipeline_models_free(pm);
    return test_main_end();
}
