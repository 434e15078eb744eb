/* cmd_check.c — `facetag check`: the consistency checks of annotate/checks.h,
 * listed with the action that resolves each. Reads only. */
#include "annotate/checks.h"
#include "cli/cli.h"
#include "store/datadir.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag check [--json] [--age-tolerance YEARS]\n"
    "Checks the persons for what looks wrong, and changes nothing:\n"
    "  spread          a person that looks like two (a likely wrong merge): the faces the\n"
    "                  person page offers to split off, by the same test; resolve by splitting\n"
    "                  them off, or by confirming faces on both sides (keep as one)\n"
    "  twice_in_photo  one person twice in one photo; resolve by rejecting the wrong face\n"
    "  age_vs_date     estimated ages that contradict the photos' dates (60 in 1975, 25 in\n"
    "                  1985); resolve by rejecting the face or fixing the date\n"
    "  same_name       one name given or suggested for two persons; resolve by merging\n"
    "and an estimated birth year per person from dated photos.\n"
    "--age-tolerance Y     years a face's birth year (date - age) may lie from the person's\n"
    "                      median (default 20)\n"
    "--json prints {\"checks\":[{\"kind\",\"action\",\"person_id\",\"faces\":[...],\"text\",...}],\n"
    "\"birth_years\":[{\"person_id\",\"year\",\"low\",\"high\",\"dated_faces\"}], ...}.\n"
    "Exit status: 0 ok (whether or not something was found), 2 usage or data folder error.";

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int run_check(const cli_globals *g, int argc, char **argv)
{
    check_options o;
    checks_options_default(&o);
    static const struct option longopts[] = {
        { "age-tolerance", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == 'a' && parse_double(optarg, 1, 200, &o.age_tolerance) == 0)
            continue;
        if (ch == 'a')
            return cli_usage_error(&cmd_check, "--age-tolerance takes years from 1 to 200, not '%s'", optarg);
        return cli_usage_error(&cmd_check, "unknown option");
    }
    if (optind < argc)
        return cli_usage_error(&cmd_check, "unexpected argument '%s'", argv[optind]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag check: %s\n", e.msg);
        return EXIT_USAGE;
    }
    check_report r;
    int rc = checks_run(cat, &o, &r, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag check: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (g->json) {
        json_t *j = checks_report_json(&r);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (!text) {
            checks_report_free(&r);
            fprintf(stderr, "facetag check: out of memory\n");
            return EXIT_USAGE;
        }
        puts(text);
        free(text);
    } else {
        if (r.faces == 0)
            printf("No persons yet; run 'facetag cluster' first.\n");
        else
            printf("Checked %zu persons (%zu faces): %zu finding%s.\n", r.persons, r.faces, r.n, r.n == 1 ? "" : "s");
        for (size_t i = 0; i < r.n; i++) {
            const check_item *it = &r.items[i];
            printf("  [%s] %s\n", check_kind_name(it->kind), it->text);
            if (it->nfaces) {
                printf("      faces:");
                for (size_t k = 0; k < it->nfaces && k < 12; k++)
                    printf(" %lld", (long long)it->faces[k].id);
                if (it->nfaces > 12)
                    printf(" ... (%zu in all)", it->nfaces);
                putchar('\n');
            }
        }
        if (r.nbirths) {
            printf("Estimated birth years (median of photo year - estimated age):\n");
            for (size_t i = 0; i < r.nbirths; i++)
                printf("  Person %lld: born about %d (%d-%d, from %zu dated face%s)\n",
                       (long long)r.births[i].person_id, r.births[i].year, r.births[i].low, r.births[i].high,
                       r.births[i].dated, r.births[i].dated == 1 ? "" : "s");
        }
    }
    checks_report_free(&r);
    fflush(stdout);
    return EXIT_OK;
}

const cli_command cmd_check = {
    .name = "check",
    .summary = "list what looks wrong: wrong merges, one person twice in a photo, ages vs dates, one name twice",
    .usage = usage,
    .run = run_check,
};
