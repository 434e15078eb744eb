/* cmd_flip.c — `facetag flip PHOTO_ID...`: prints scanned mirror-wise flipped
 * back (analyze/analyze_flip.h), then `facetag analyze` reads them again. */
#include "analyze/analyze_flip.h"
#include "cli/cli.h"
#include "media/decode.h"
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
    "decisions (names, confirmed and rejected faces) go to the new faces over the same spots. Its\n"
    "text is read again by the next `facetag ocr`. A photo flipped before is left as it is; a flip\n"
    "that was killed is finished by the next one.\n"
    "Options:\n"
    "  --no-analyze   flip only; the next `facetag analyze` reads the photos again\n"
    "Exit status: 0 done, 1 some photos could not be flipped, 2 usage or data folder error.";

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
    int failed = 0, flipped = 0;
    for (int i = optind; i < argc; i++) {
        int rc = analyze_flip(store, cat, argv[i], "cli", &e);
        if (rc < 0) {
            fprintf(stderr, "facetag flip: %s\n", e.msg);
            failed++;
        } else {
            flipped += rc;
            printf("flip: %s %s\n", argv[i], rc ? "flipped" : "was flipped already");
        }
    }
    catalog_close(cat);
    objstore_close(store);
    fflush(stdout);
    int rc = EXIT_OK;
    if (analyze && flipped) {
        char *analyze_argv[] = { "analyze", NULL };
        optind = 0;
        rc = cmd_analyze.run(g, 1, analyze_argv);
    }
    return rc == EXIT_USAGE ? rc : failed ? EXIT_SOME_FAILED : rc;
}

const cli_command cmd_flip = {
    .name = "flip",
    .summary = "flip prints scanned mirror-wise back, and analyse them again",
    .usage = usage,
    .run = run_flip,
};
