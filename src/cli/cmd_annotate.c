/* cmd_annotate.c — `facetag annotate`: the annotate stage (annotate/annotate.h),
 * then one summary line (or the JSON summary). */
#include "annotate/annotate.h"
#include "annotate/llm.h"
#include "annotate/llm_advisor.h"
#include "cli/cli.h"
#include "store/datadir.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag annotate [--full] [--json] [--llm URL --llm-model NAME]\n"
    "Reads what the archive says about each photo -- every folder level of its path, its caption\n"
    "(.txt/.json/.xmp sidecar), the folder's album.txt/album.json, XMP/IPTC fields, dates in file\n"
    "names, the camera's date -- and writes each photo's date (with its precision and source), place\n"
    "(GeoNames cities, in English and their translations) and event (a folder, an album, a session of\n"
    "shots), and name suggestions for the persons of 'facetag cluster' from the names their photos'\n"
    "captions share (see 'facetag people'). Undated photos get a date only from their own event,\n"
    "marked inferred. Dates and places people set, names people gave and suggestions people rejected\n"
    "are kept. A run with nothing changed since the last does nothing; it can be killed at any moment.\n"
    "Options:\n"
    "  --full    recompute even when nothing changed\n"
    "  --llm URL --llm-model NAME\n"
    "            also ask a language model behind an OpenAI-compatible /v1/chat/completions\n"
    "            server about each person's candidates (key from $FACETAG_LLM_KEY or\n"
    "            $OPENAI_API_KEY); it may raise the confidence of a rules' candidate, never\n"
    "            add a name; answers are cached in the catalog; if the server fails, one\n"
    "            line says why and the rules' result stands\n"
    "  --json    print the summary as one JSON object\n"
    "Exit status: 0 done, 2 usage, data folder or catalog error.";

static int run_annotate(const cli_globals *g, int argc, char **argv)
{
    annotate_options o;
    annotate_options_default(&o);
    enum { OPT_FULL = 1000, OPT_LLM, OPT_LLM_MODEL };
    static const struct option longopts[] = { { "full", no_argument, NULL, OPT_FULL },
                                              { "llm", required_argument, NULL, OPT_LLM },
                                              { "llm-model", required_argument, NULL, OPT_LLM_MODEL },
                                              { NULL, 0, NULL, 0 } };
    const char *llm_url = NULL, *llm_model = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == OPT_FULL)
            o.full = true;
        else if (c == OPT_LLM)
            llm_url = optarg;
        else if (c == OPT_LLM_MODEL)
            llm_model = optarg;
        else if (c == ':')
            return cli_usage_error(&cmd_annotate, "'%s' needs a value", argv[optind - 1]);
        else
            return cli_usage_error(&cmd_annotate, "unknown option '%s'", argv[optind - 1]);
    }
    if ((llm_url != NULL) != (llm_model != NULL))
        return cli_usage_error(&cmd_annotate, "--llm URL and --llm-model NAME go together");
    if (optind < argc)
        return cli_usage_error(&cmd_annotate, "unexpected argument '%s'", argv[optind]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag annotate: %s\n", e.msg);
        return EXIT_USAGE;
    }
    o.progress = stderr;
    llm_client *llm = NULL;
    llm_advisor adv = { .errors = stderr };
    if (llm_url) {
        llm_config cfg = { .url = llm_url, .model = llm_model, .api_key = llm_env_api_key(), .retries = -1 };
        llm = llm_client_new(&cfg, cat, &e);
        if (!llm) {
            catalog_close(cat);
            fprintf(stderr, "facetag annotate: %s\n", e.msg);
            return EXIT_USAGE;
        }
        adv.client = llm;
        o.advisor = llm_advisor_fn;
        o.advisor_ud = &adv;
    }
    annotate_summary s;
    int rc = annotate_run(cat, &o, &s, &e);
    catalog_close(cat);
    if (llm) {
        fprintf(stderr,
                "annotate: llm %s asked about %zu persons (%zu from its cache): %zu answered, %zu names confirmed a "
                "rules' suggestion, %zu flagged (not in the evidence or no candidate: not applied), %zu without "
                "answer (the rules' result stands)\n",
                llm_client_endpoint(llm), adv.asked, adv.cached, adv.answered, adv.applied, adv.flagged, adv.failed);
        llm_client_free(llm);
    }
    if (rc) {
        fprintf(stderr, "facetag annotate: %s\n", e.msg);
        return EXIT_USAGE;
    }
    FILE *human = g->json ? stderr : stdout;
    if (s.unchanged)
        fprintf(human, "annotate: nothing changed since the last run (--full to recompute); %.2f s\n", s.seconds);
    else
        fprintf(human,
                "annotate: %zu photos (%zu captioned): %zu dated (%zu inferred from their event), %zu placed "
                "(%zu place phrases learned from the archive), %zu events; %zu name suggestions for %zu persons and "
                "%zu unassigned faces; %zu photos read, %zu from the parse cache; %.2f s\n",
                s.photos, s.captions, s.dated, s.dated_inferred, s.placed, s.places_learned, s.events, s.suggestions,
                s.persons_suggested, s.faces_suggested, s.parsed, s.parse_cached, s.seconds);
    if (g->json) {
        json_t *j = json_pack(
            "{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "unchanged", s.unchanged, "photos",
            (json_int_t)s.photos, "captioned", (json_int_t)s.captions, "dated", (json_int_t)s.dated, "dated_inferred",
            (json_int_t)s.dated_inferred, "placed", (json_int_t)s.placed, "places_learned",
            (json_int_t)s.places_learned, "events", (json_int_t)s.events, "suggestions", (json_int_t)s.suggestions,
            "persons_suggested", (json_int_t)s.persons_suggested, "faces_suggested", (json_int_t)s.faces_suggested,
            "parsed", (json_int_t)s.parsed, "parse_cached", (json_int_t)s.parse_cached, "seconds", s.seconds);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (!text) {
            fprintf(stderr, "facetag annotate: out of memory\n");
            return EXIT_USAGE;
        }
        puts(text);
        free(text);
    }
    fflush(stdout);
    return EXIT_OK;
}

const cli_command cmd_annotate = {
    .name = "annotate",
    .summary = "dates, places, events and name suggestions from folders, captions and albums",
    .usage = usage,
    .run = run_annotate,
};
