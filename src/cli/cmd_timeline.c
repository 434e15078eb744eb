/* cmd_timeline.c — `facetag timeline`: the archive's chronology (graph/timeline.h). */
#include "cli/cli.h"
#include "graph/timeline.h"
#include "store/datadir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag timeline [--json] [--person ID] [--from YEAR] [--to YEAR]\n"
    "The archive in time order: each event with its photos under the event's date,\n"
    "other photos by their own date, at the precision it is known (day, month,\n"
    "season, year, decade), with the people in each photo and their estimated age.\n"
    "Undated photos are listed apart, never placed by guess.\n"
    "  --person ID  only photos person ID appears in, with when they were first and\n"
    "               last seen, their events and places\n"
    "  --from/--to  only dates in these years\n"
    "--json prints {\"timeline\": [{\"date\": \"1977-02\", \"precision\": \"month\",\n"
    "\"event\": \"...\", \"photos\": [...]}], \"undated\": [...], ...} (docs/api.md, /api/timeline).\n"
    "Exit status: 0 ok, 2 usage or data folder error.";

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void print_people(json_t *people, bool with_age)
{
    size_t i;
    json_t *p;
    json_array_foreach(people, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        if (name)
            printf("%s%s", i ? ", " : " — ", name);
        else
            printf("%sPerson %lld", i ? ", " : " — ", (long long)json_integer_value(json_object_get(p, "id")));
        json_t *age = json_object_get(p, "age");
        if (with_age && json_is_number(age))
            printf(" (~%.0f)", json_number_value(age));
    }
}

static void print_text(json_t *t)
{
    json_t *person = json_object_get(t, "person");
    if (person) {
        const char *name = json_string_value(json_object_get(person, "name"));
        printf("%s (person %lld): %lld photos, %lld dated", name ? name : "Unnamed",
               (long long)json_integer_value(json_object_get(person, "id")),
               (long long)json_integer_value(json_object_get(person, "photos")),
               (long long)json_integer_value(json_object_get(person, "dated_photos")));
        const char *first = json_string_value(json_object_get(person, "first_seen"));
        const char *last = json_string_value(json_object_get(person, "last_seen"));
        if (first)
            printf("; first seen %s, last seen %s", first, last);
        printf("\n");
    }
    size_t i, k;
    json_t *en, *ph;
    json_array_foreach(json_object_get(t, "timeline"), i, en)
    {
        const char *ev = json_string_value(json_object_get(en, "event"));
        const char *place = json_string_value(json_object_get(en, "place"));
        long long n = json_integer_value(json_object_get(en, "photo_count"));
        printf("%-10s %-7s %s%s%s  (%lld photo%s)\n", json_string_value(json_object_get(en, "date")),
               json_string_value(json_object_get(en, "precision")), ev ? ev : "", place ? " @ " : "",
               place ? place : "", n, n == 1 ? "" : "s");
        json_array_foreach(json_object_get(en, "photos"), k, ph)
        {
            printf("    %s %s", json_string_value(json_object_get(ph, "id")),
                   json_string_value(json_object_get(ph, "date")));
            print_people(json_object_get(ph, "people"), person != NULL);
            printf("\n");
        }
    }
    long long undated = json_integer_value(json_object_get(t, "undated_count"));
    if (undated) {
        printf("Undated: %lld photo%s\n", undated, undated == 1 ? "" : "s");
        json_array_foreach(json_object_get(t, "undated"), k, ph)
        {
            printf("    %s", json_string_value(json_object_get(ph, "id")));
            print_people(json_object_get(ph, "people"), false);
            printf("\n");
        }
    }
}

static int run_timeline(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "person", required_argument, NULL, 'p' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    timeline_options o = { .with_undated = true };
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (parse_long(optarg, 1, 999999999999999L, &v))
                return cli_usage_error(&cmd_timeline, "--person takes a person id, not '%s'", optarg);
            o.person_id = v;
            break;
        case 'f':
        case 't':
            if (parse_long(optarg, 1000, 9999, &v))
                return cli_usage_error(&cmd_timeline, "--%s takes a four-digit year, not '%s'",
                                       c == 'f' ? "from" : "to", optarg);
            *(c == 'f' ? &o.from_year : &o.to_year) = (int)v;
            break;
        default:
            return cli_usage_error(&cmd_timeline, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_timeline, "unexpected argument '%s'", argv[optind]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag timeline: %s\n", e.msg);
        return EXIT_USAGE;
    }
    json_t *t;
    int rc = timeline_build(cat, &o, &t, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag timeline: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (g->json) {
        if (json_dumpf(t, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
            rc = -1;
        putchar('\n');
    } else {
        print_text(t);
    }
    json_decref(t);
    return fflush(stdout) == 0 && rc == 0 ? EXIT_OK : EXIT_USAGE;
}

const cli_command cmd_timeline = {
    .name = "timeline",
    .summary = "the archive in time order: events, dates, people (--person ID)",
    .usage = usage,
    .run = run_timeline,
};
