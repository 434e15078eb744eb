/* cmd_run.c — `facetag run DIR...`: the whole flow in one command — ingest,
 * analyze, cluster, ocr (backs of prints), annotate, the graph, then the review UI — each stage with its own
 * progress and summary. Every stage does only new work, so a re-run of the same
 * folders costs a walk over the files and a few queries. */
#include "cli/cli.h"
#include "graph/graph_model.h"
#include "store/datadir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "Usage: facetag run [--no-serve] [--ocr-fronts] [--sheets MODE] [--video-interval S]\n"
                            "                   [--bind ADDR] [--port N] [--token T] DIR...\n"
                            "Runs the whole flow on the photos in DIR (files and folders, recursively):\n"
                            "  1. ingest   new and changed files only\n"
                            "  2. analyze  faces of photos not yet analysed with the current model\n"
                            "  3. cluster  new faces into persons (people's decisions always hold)\n"
                            "  4. ocr      the backs of prints not yet read (Tesseract; about a second each)\n"
                            "  5. annotate dates, places, events, name suggestions from the archive's words\n"
                            "  6. graph    the archive as a graph, read from the catalog (nothing to build)\n"
                            "  7. serve    the review UI with the timeline and graph views, until Ctrl-C\n"
                            "  --no-serve   stop after step 6\n"
                            "  --ocr-fronts step 4 reads the fronts too: text in photos, mount captions, mirrored\n"
                            "               scans (one to three seconds per photo; the same as 'facetag ocr')\n"
                            "  --sheets, --video-interval   as for 'facetag ingest' (step 1)\n"
                            "  --bind, --port, --token   as for 'facetag serve'\n"
                            "Exit status: 0 ok, 1 some inputs failed (all others processed), 2 usage or\n"
                            "configuration error (the flow stops at the stage that had it).";

/* Runs one subcommand as main would, with a heading; returns its status. */
static int stage(const cli_globals *g, int n, int total, const cli_command *cmd, int argc, char **argv)
{
    fprintf(stderr, "facetag run: [%d/%d] %s\n", n, total, cmd->name);
    fflush(stderr);
    optind = 0; /* full getopt reset, as main does */
    return cmd->run(g, argc, argv);
}

static int graph_stage(const cli_globals *g)
{
    fprintf(stderr, "facetag run: [6/7] graph\n");
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag run: %s\n", e.msg);
        return EXIT_USAGE;
    }
    int64_t nodes, relations;
    int rc = graph_model_count(cat, &nodes, &relations, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag run: graph: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "graph: %lld nodes, %lld relations (read from the catalog; 'facetag export cypher' for Neo4j)\n",
            (long long)nodes, (long long)relations);
    return EXIT_OK;
}

static int run_run(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-serve", no_argument, NULL, 'n' },
        { "ocr-fronts", no_argument, NULL, 'o' },
        { "bind", required_argument, NULL, 'b' },
        { "port", required_argument, NULL, 'p' },
        { "token", required_argument, NULL, 't' },
        { "sheets", required_argument, NULL, 's' },
        { "video-interval", required_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int serve = 1, fronts = 0, c;
    char *serve_argv[8] = { "serve" };
    int serve_argc = 1;
    char *sheets = NULL, *interval = NULL; /* passed on to ingest */
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            serve = 0;
            break;
        case 'o':
            fronts = 1;
            break;
        case 'b':
            serve_argv[serve_argc++] = "--bind", serve_argv[serve_argc++] = optarg;
            break;
        case 'p':
            serve_argv[serve_argc++] = "--port", serve_argv[serve_argc++] = optarg;
            break;
        case 't':
            serve_argv[serve_argc++] = "--token", serve_argv[serve_argc++] = optarg;
            break;
        case 's':
        case 'v': {
            char **slot = c == 's' ? &sheets : &interval;
            if (*slot)
                return cli_usage_error(&cmd_run, "an option was given twice");
            *slot = optarg;
            break;
        }
        default:
            return cli_usage_error(&cmd_run, "unknown option");
        }
        if (serve_argc > 7)
            return cli_usage_error(&cmd_run, "an option was given twice");
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_run, "say which folders or files to run on");
    int npaths = argc - optind;
    char *ingest_opts[4];
    int ningest_opts = 0;
    if (sheets)
        ingest_opts[ningest_opts++] = "--sheets", ingest_opts[ningest_opts++] = sheets;
    if (interval)
        ingest_opts[ningest_opts++] = "--video-interval", ingest_opts[ningest_opts++] = interval;
    char **ingest_argv = calloc((size_t)(npaths + ningest_opts) + 2, sizeof *ingest_argv);
    if (!ingest_argv)
        return EXIT_USAGE;
    ingest_argv[0] = "ingest";
    for (int i = 0; i < ningest_opts; i++)
        ingest_argv[i + 1] = ingest_opts[i];
    for (int i = 0; i < npaths; i++)
        ingest_argv[ningest_opts + i + 1] = argv[optind + i];
    int worst = EXIT_OK;
    int rc = stage(g, 1, 7, &cmd_ingest, npaths + ningest_opts + 1, ingest_argv);
    free(ingest_argv);
    char *analyze_argv[] = { "analyze", NULL };
    char *cluster_argv[] = { "cluster", NULL };
    char *annotate_argv[] = { "annotate", NULL };
    char *ocr_argv[] = { "ocr", fronts ? NULL : "--backs-only", NULL };
    if (rc != EXIT_USAGE) {
        worst = rc > worst ? rc : worst;
        rc = stage(g, 2, 7, &cmd_analyze, 1, analyze_argv);
    }
    if (rc != EXIT_USAGE) {
        worst = rc > worst ? rc : worst;
        rc = stage(g, 3, 7, &cmd_cluster, 1, cluster_argv);
    }
    if (rc != EXIT_USAGE) {
        worst = rc > worst ? rc : worst;
        rc = stage(g, 4, 7, &cmd_ocr, fronts ? 1 : 2, ocr_argv);
    }
    if (rc != EXIT_USAGE) {
        worst = rc > worst ? rc : worst;
        rc = stage(g, 5, 7, &cmd_annotate, 1, annotate_argv);
    }
    if (rc != EXIT_USAGE) {
        worst = rc > worst ? rc : worst;
        rc = graph_stage(g);
    }
    if (rc == EXIT_USAGE) {
        fprintf(stderr, "facetag run: stopped at the stage above\n");
        return EXIT_USAGE;
    }
    if (!serve)
        return worst;
    rc = stage(g, 7, 7, &cmd_serve, serve_argc, serve_argv);
    return rc ? rc : worst;
}

const cli_command cmd_run = {
    .name = "run",
    .summary = "ingest + analyze + cluster + ocr + annotate + graph, then serve the UI",
    .usage = usage,
    .run = run_run,
};
