/* cmd_flip.c — `facetag flip PHOTO_ID...`: prints scanned mirror-wise flipped
 * back (analyze/analyze_flip.h), then those photos (and only those) analysed
 * and read again: their faces (people's decisions carried over), their text
 * and the XMP regions still pending. The review server runs it in the
 * background after a flip from the UI (review/reanalyse.h). */
#include "analyze/analyze.h"
#include "analyze/analyze_flip.h"
#include "cli/cli.h"
#include "media/decode.h"
#include "ocr/ocr_stage.h"
#include "review/xmp_import.h"
#include "store/datadir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag flip [--no-analyze] PHOTO_ID...\n"
    "Flips each photo left-right: a print scanned mirror-wise (`facetag check` lists the photos\n"
    "whose text reads mirrored). Its working image becomes its mirror image (the original in\n"
    "incoming/ is never touched), its faces' boxes are mirrored, and it is analysed again: people's\n"
    "decisions (names, confirmed and rejected faces) go to the new faces over the same spots, and a\n"
    "named face the detector does not find again stays as a face drawn by hand. Its text is read\n"
    "again (Tesseract). A photo flipped before is not flipped again, but what is left of its\n"
    "analysis and reading is done: a flip or a re-analysis that was killed is finished by the next\n"
    "`facetag flip` of the photo.\n"
    "Options:\n"
    "  --no-analyze   flip only; the next `facetag analyze` and `facetag ocr` read the photos again\n"
    "Exit status: 0 done, 1 some photos could not be flipped, 2 usage or data folder error.";

/* The photos' analysis, their XMP regions still pending, then their text:
 * what is left of it (a photo already done with this model and engine is
 * skipped). Reason lines go to stderr; returns EXIT_*. */
static int reanalyse(const cli_globals *g, const char *const *ids, size_t n)
{
    analyze_options ao = { .data_dir = g->data_dir,
                           .models_dir = g->models_dir,
                           .threads = g->threads,
                           .pipeline = pipeline_default_options(),
                           .progress = 0,
                           .messages = stderr,
                           .only = ids,
                           .n_only = n };
    analyze_summary as;
    err e = { 0 };
    if (analyze_run(&ao, &as, &e) != 0) {
        fprintf(stderr, "facetag flip: analysing again: %s\n", e.msg);
        return EXIT_USAGE;
    }
    int rc = as.failed ? EXIT_SOME_FAILED : EXIT_OK;
    printf("flip: %lld photos analysed again, %lld faces (%lld that people had decided on kept where the detector "
           "did not find them again), %lld failed\n",
           (long long)as.analyzed, (long long)as.faces, (long long)as.kept, (long long)as.failed);
    objstore *os = NULL;
    catalog *cat = NULL;
    xmp_import_summary xs = { 0 };
    int xrc = datadir_open(g->data_dir, 0, &os, &cat, &e);
    if (xrc == 0)
        xrc = xmp_import_apply(cat, os, g->models_dir, stderr, &xs, &e);
    catalog_close(cat);
    objstore_close(os);
    if (xrc) {
        fprintf(stderr, "facetag flip: applying XMP face regions: %s\n", e.msg);
        rc = EXIT_SOME_FAILED;
    }
    ocr_options oo = { .data_dir = g->data_dir,
                       .threads = g->threads,
                       .fronts = true,
                       .progress = 0,
                       .messages = stderr,
                       .only = ids,
                       .n_only = n };
    ocr_summary rs;
    if (ocr_run(&oo, &rs, &e) != 0) {
        /* the faces are done; the text waits for `facetag ocr` */
        fprintf(stderr, "facetag flip: reading the text again: %s\n", e.msg);
        return EXIT_SOME_FAILED;
    }
    printf("flip: %lld photos read again, %lld texts, %lld still read mirrored, %lld failed\n",
           (long long)rs.fronts + rs.backs, (long long)rs.texts, (long long)rs.mirrored, (long long)rs.failed);
    return rc ? rc : rs.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

static int run_flip(const cli_globals *g, int argc, char **argv)
{
    enum { OPT_NO_ANALYZE = 1000 };
    static const struct option longopts[] = { { "no-analyze", no_argument, NULL, OPT_NO_ANALYZE },
                                              { NULL, 0, NULL, 0 } };
    int analyze = 1, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == OPT_NO_ANALYZE)
            analyze = 0;
        else
            return cli_usage_error(&cmd_flip, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_flip, "say which photos to flip (PHOTO_ID...)");
    err e = { 0 };
    if (decode_init(&e) != 0) {
        fprintf(stderr, "facetag flip: %s\n", e.msg);
        return EXIT_USAGE;
    }
    objstore *store = NULL;
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, &store, &cat, &e) != 0) {
        fprintf(stderr, "facetag flip: %s\n", e.msg);
        return EXIT_USAGE;
    }
    const char **ids = calloc((size_t)(argc - optind), sizeof *ids);
    if (!ids) {
        fprintf(stderr, "facetag flip: out of memory\n");
        catalog_close(cat);
        objstore_close(store);
        return EXIT_USAGE;
    }
    size_t n = 0;
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        int rc = analyze_flip(store, cat, argv[i], "cli", &e);
        if (rc < 0) {
            fprintf(stderr, "facetag flip: %s\n", e.msg);
            failed++;
        } else {
            ids[n++] = argv[i];
            printf("flip: %s %s\n", argv[i], rc ? "flipped" : "was flipped already");
        }
    }
    catalog_close(cat);
    objstore_close(store);
    fflush(stdout);
    int rc = analyze && n ? reanalyse(g, ids, n) : EXIT_OK;
    free(ids);
    fflush(stdout);
    return rc == EXIT_USAGE ? rc : failed ? EXIT_SOME_FAILED : rc;
}

const cli_command cmd_flip = {
    .name = "flip",
    .summary = "flip prints scanned mirror-wise back, and analyse and read them again",
    .usage = usage,
    .run = run_flip,
};
