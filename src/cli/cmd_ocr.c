/* cmd_ocr.c — `facetag ocr`: the OCR stage (ocr/ocr_stage.h), then one
 * summary line (or the JSON summary). */
#include "cli/cli.h"
#include "ocr/ocr_stage.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag ocr [--backs-only] [--langs L] [--no-progress] [--json]\n"
    "Reads the text on photos with Tesseract: the backs of prints (files named like IMG_1_back.jpg,\n"
    "IMG_1-verso.jpg, IMG_1_Rückseite.jpg, or with a sidecar {\"back_of\": ...}; see `facetag\n"
    "ingest --back-names`), whose notes become caption evidence of their front for `facetag\n"
    "annotate` (source ocr, with Tesseract's confidence); and text in the fronts -- mount captions\n"
    "and sheet margins in the outer band, signs and captions inside -- where Tesseract is sure of\n"
    "it. A front whose text reads better mirrored is flagged as scanned mirror-wise (`facetag\n"
    "check`). Backs are never analysed for faces. A photo read before with the same engine is not\n"
    "read again; it can be killed at any moment. Tesseract takes about a second per photo.\n"
    "Options:\n"
    "  --backs-only   read only the backs of prints (no text in photos, no mirror check)\n"
    "  --langs L      Tesseract languages (default deu+eng)\n"
    "  --no-progress  no progress bar, even on a terminal\n"
    "  --json         print the summary as one JSON object\n"
    "Exit status: 0 done, 1 some photos could not be read, 2 usage, data folder or language data error.";

static int run_ocr(const cli_globals *g, int argc, char **argv)
{
    ocr_options o = {
        .data_dir = g->data_dir, .threads = g->threads, .fronts = true, .progress = -1, .messages = stderr
    };
    enum { OPT_BACKS = 1000, OPT_LANGS, OPT_NOPROG };
    static const struct option longopts[] = { { "backs-only", no_argument, NULL, OPT_BACKS },
                                              { "langs", required_argument, NULL, OPT_LANGS },
                                              { "no-progress", no_argument, NULL, OPT_NOPROG },
                                              { NULL, 0, NULL, 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == OPT_BACKS)
            o.fronts = false;
        else if (c == OPT_LANGS)
            o.langs = optarg;
        else if (c == OPT_NOPROG)
            o.progress = 0;
        else if (c == ':')
            return cli_usage_error(&cmd_ocr, "'%s' needs a value", argv[optind - 1]);
        else
            return cli_usage_error(&cmd_ocr, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error(&cmd_ocr, "unexpected argument '%s'", argv[optind]);
    ocr_summary s;
    err e = { 0 };
    if (ocr_run(&o, &s, &e) != 0) {
        fprintf(stderr, "facetag ocr: %s\n", e.msg);
        return EXIT_USAGE;
    }
    FILE *human = g->json ? stderr : stdout;
    fprintf(human, "ocr: %lld backs and %lld fronts read, %lld texts kept, %lld mirrored scans, %lld failed; %.1f s\n",
            (long long)s.backs, (long long)s.fronts, (long long)s.texts, (long long)s.mirrored, (long long)s.failed,
            s.seconds);
    if (g->json)
        printf("{\"backs\":%lld,\"fronts\":%lld,\"texts\":%lld,\"mirrored\":%lld,\"failed\":%lld,\"seconds\":%.3f}\n",
               (long long)s.backs, (long long)s.fronts, (long long)s.texts, (long long)s.mirrored, (long long)s.failed,
               s.seconds);
    fflush(stdout);
    return s.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

const cli_command cmd_ocr = {
    .name = "ocr",
    .summary = "read the backs of prints and text in photos (Tesseract); flag mirrored scans",
    .usage = usage,
    .run = run_ocr,
};
