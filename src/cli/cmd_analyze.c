/* cmd_analyze.c — `facetag analyze`: the vision pipeline on every ingested photo
 * not yet analysed with the current model version, then one summary line (or
 * the JSON summary). */
#include "analyze/analyze.h"
#include "cli/cli.h"
#include "review/xmp_import.h"
#include "store/datadir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag analyze [options]\n"
    "Finds the faces in every ingested photo not yet analysed with the current model\n"
    "version: detection, 5 + 68 landmarks, the 128-d descriptor, age, gender and\n"
    "expression. Writes a crop of each face to faces/, the photo's annotation JSON to\n"
    "annotations/ and the faces to the catalog, one photo at a time, so a run that is\n"
    "killed loses nothing: running it again does only what is missing. A photo that\n"
    "cannot be analysed gets one line with the reason on stderr; the others go on.\n"
    "Options:\n"
    "  -j N                 worker threads, one network runner each (default: all cores)\n"
    "  --detector ssd|tiny  face detector (default ssd)\n"
    "  --min-score F        keep faces scoring above F, 0 < F < 1 (default 0.5)\n"
    "  --compat faceapi     exactly face-api 1.7.15's steps (a separate model version)\n"
    "  --no-progress        no progress bar, even on a terminal\n"
    "  --json               print {\"analyzed\":N,\"skipped\":N,\"failed\":N,\"faces\":N,\"model\":\"...\"}\n"
    "Exit status: 0 all analysed, 1 some photos failed, 2 usage, data folder or model error.";

static int run_analyze(const cli_globals *g, int argc, char **argv)
{
    analyze_options o = { .data_dir = g->data_dir,
                          .models_dir = g->models_dir,
                          .threads = g->threads,
                          .pipeline = pipeline_default_options(),
                          .progress = -1,
                          .messages = stderr };
    static const struct option longopts[] = {
        { "detector", required_argument, NULL, 'd' },
        { "min-score", required_argument, NULL, 's' },
        { "compat", required_argument, NULL, 'c' },
        { "no-progress", no_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (strcmp(optarg, "ssd") == 0)
                o.pipeline.detector = PIPELINE_SSD;
            else if (strcmp(optarg, "tiny") == 0)
                o.pipeline.detector = PIPELINE_TINY;
            else
                return cli_usage_error(&cmd_analyze, "--detector is ssd or tiny, not '%s'", optarg);
            break;
        case 's': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v < 1))
                return cli_usage_error(&cmd_analyze, "--min-score takes a number between 0 and 1, not '%s'", optarg);
            o.pipeline.min_score = v;
            break;
        }
        case 'c':
            if (strcmp(optarg, "faceapi") != 0)
                return cli_usage_error(&cmd_analyze, "--compat knows only 'faceapi', not '%s'", optarg);
            o.pipeline.compat = true;
            break;
        case 'n':
            o.progress = 0;
            break;
        case ':':
            return cli_usage_error(&cmd_analyze, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(&cmd_analyze, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_analyze,
                               "unexpected argument '%s' (analyze takes no paths: it reads the data "
                               "folder; ingest first)",
                               argv[optind]);
    analyze_summary s;
    err e = { 0 };
    if (analyze_run(&o, &s, &e) != 0) {
        fprintf(stderr, "facetag analyze: %s\n", e.msg);
        return EXIT_USAGE;
    }
    const char *model = pipeline_model_version(&o.pipeline);
    FILE *human = g->json ? stderr : stdout;
    /* Face regions other tools wrote into the photos' XMP become decisions now
     * that there are faces to match them with (review/xmp_import.h). */
    objstore *os = NULL;
    catalog *cat = NULL;
    xmp_import_summary xs = { 0 };
    int xrc = datadir_open(o.data_dir, 0, &os, &cat, &e);
    if (xrc == 0)
        xrc = xmp_import_apply(cat, os, o.models_dir, stderr, &xs, &e);
    catalog_close(cat);
    objstore_close(os);
    if (xrc) {
        fprintf(stderr, "facetag analyze: applying XMP face regions: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (xs.photos)
        fprintf(human,
                "analyze: XMP face regions of %lld photos: %lld named a detected face, %lld drawn, %lld failed\n",
                (long long)xs.photos, (long long)xs.matched, (long long)xs.drawn, (long long)xs.failed);
    fprintf(human,
            "analyze: %lld photos analysed, %lld faces, %lld already done, %lld failed; %.1f s (%.2f photos/s); "
            "model %s\n",
            (long long)s.analyzed, (long long)s.faces, (long long)s.skipped, (long long)s.failed, s.seconds,
            s.seconds > 0 ? (double)(s.analyzed + s.failed) / s.seconds : 0.0, model);
    if (s.upright_sheets)
        fprintf(human,
                "analyze: %lld contact sheets turned upright by their faces' vote: %lld frames stored turned and "
                "read again, %lld faces\n",
                (long long)s.upright_sheets, (long long)s.upright_frames, (long long)s.upright_faces);
    if (s.sheet_turned)
        fprintf(human,
                "analyze: %lld frames of contact sheets with no face read again turned as their sheet's other "
                "frames lie: %lld faces\n",
                (long long)s.sheet_turned, (long long)s.sheet_turned_faces);
    if (s.videos)
        fprintf(human, "analyze: %lld videos: %lld of their %lld faces in %lld tracks (one review item each)\n",
                (long long)s.videos, (long long)s.tracked_faces, (long long)s.video_faces, (long long)s.tracks);
    if (g->json)
        printf("{\"analyzed\":%lld,\"skipped\":%lld,\"failed\":%lld,\"faces\":%lld,\"model\":\"%s\"}\n",
               (long long)s.analyzed, (long long)s.skipped, (long long)s.failed, (long long)s.faces, model);
    fflush(stdout);
    return s.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

const cli_command cmd_analyze = {
    .name = "analyze",
    .summary = "faces, landmarks, descriptors and attributes of every ingested photo",
    .usage = usage,
    .run = run_analyze,
};
