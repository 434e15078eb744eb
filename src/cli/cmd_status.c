/* cmd_status.c — `facetag status`: how far each stage got, and every input that
 * failed with its reason. Reads the catalog only; never creates a data folder. */
#include "cli/cli.h"
#include "store/catalog.h"
#include "store/datadir.h"

#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage[] =
    "Usage: facetag status [--json]\n"
    "Counts per stage (photos, source paths, failed, analysed, faces, persons, named,\n"
    "unassigned faces, decisions, events, places, years), then every input that failed\n"
    "to ingest with its reason. --json prints one object:\n"
    "  {\"photos\":N,\"sources\":N,\"failed\":N,...,\"failures\":[{\"path\":...,\"reason\":...,\"at\":...}]}\n";

static int print_failure(const char *path, const char *reason, const char *at, void *ud)
{
    (void)at;
    (void)ud;
    printf("  %s: %s\n", path, reason);
    return 0;
}

/* JSON strings must be UTF-8; file names need not be. Invalid bytes become U+FFFD. */
static json_t *json_text(const char *s)
{
    if (!s)
        return json_null();
    if (g_utf8_validate(s, -1, NULL))
        return json_string(s);
    char *valid = g_utf8_make_valid(s, -1);
    json_t *j = json_string(valid);
    g_free(valid);
    return j;
}

static int add_failure(const char *path, const char *reason, const char *at, void *ud)
{
    json_t *f = json_object();
    if (!f)
        return 1;
    json_object_set_new(f, "path", json_text(path));
    json_object_set_new(f, "reason", json_text(reason));
    json_object_set_new(f, "at", json_text(at));
    return json_array_append_new(ud, f) != 0;
}

typedef struct count_field {
    const char *json_key, *label;
    int64_t value;
} count_field;

static int run_status(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error(&cmd_status, "unexpected argument '%s'", argv[1]);
    err e = { 0 };
    catalog *cat = NULL;
    int rc = datadir_open(g->data_dir, 0, NULL, &cat, &e);
    if (rc) {
        fprintf(stderr, "facetag status: %s\n", e.msg);
        return EXIT_USAGE;
    }
    catalog_counts n;
    if (catalog_counts_get(cat, &n, &e) != 0) {
        fprintf(stderr, "facetag status: %s\n", e.msg);
        catalog_close(cat);
        return EXIT_USAGE;
    }
    const count_field fields[] = {
        { "photos", "photos", n.photos },
        { "sources", "source paths", n.sources },
        { "failed", "failed", n.failed },
        { "analyzed", "analysed", n.analyzed },
        { "faces", "faces", n.faces },
        { "persons", "persons", n.persons },
        { "named_persons", "named persons", n.named_persons },
        { "unassigned_faces", "unassigned faces", n.unassigned_faces },
        { "decisions", "decisions", n.decisions },
        { "events", "events", n.events },
        { "places", "places", n.places },
        { "years", "years", n.years },
    };
    const size_t nfields = sizeof fields / sizeof *fields;

    if (g->json) {
        json_t *out = json_object(), *failures = json_array();
        if (!out || !failures) {
            json_decref(out);
            json_decref(failures);
            catalog_close(cat);
            fprintf(stderr, "facetag status: out of memory\n");
            return EXIT_USAGE;
        }
        for (size_t i = 0; i < nfields; i++)
            json_object_set_new(out, fields[i].json_key, json_integer(fields[i].value));
        rc = catalog_failure_list(cat, add_failure, failures, &e);
        json_object_set_new(out, "failures", failures);
        if (rc == 0) {
            char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (text) {
                puts(text);
                free(text);
            } else {
                rc = err_set(&e, ERR_NOMEM, "cannot format the status as JSON");
            }
        }
        json_decref(out);
    } else {
        printf("facetag data at %s\n", g->data_dir);
        for (size_t i = 0; i < nfields; i++)
            printf("  %-17s %lld\n", fields[i].label, (long long)fields[i].value);
        if (n.failed > 0)
            printf("Failed inputs (%lld):\n", (long long)n.failed);
        rc = catalog_failure_list(cat, print_failure, NULL, &e);
    }
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag status: %s\n", e.msg);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

const cli_command cmd_status = {
    .name = "status",
    .summary = "counts per stage and the inputs that failed, with reasons",
    .usage = usage,
    .run = run_status,
};
