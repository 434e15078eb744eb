/* cmd_people.c — `facetag people`: every person with faces of the current
 * model version, biggest first, and the count of faces in no person. */
#include "cli/cli.h"
#include "people/people_list.h"
#include "store/datadir.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage[] =
    "Usage: facetag people [--json]\n"
    "Lists the persons found by 'facetag cluster' (current model version), biggest first:\n"
    "  Person 17 appears in 14 photos (23 faces)\n"
    "  Pina Bausch (person 5) appears in 9 photos (9 faces)\n"
    "then the count of faces that fit no one (unassigned). Hidden persons are left out.\n"
    "--json prints {\"model_version\":..., \"persons\":[{\"cluster_id\":17, \"faces_in_cluster\":23,\n"
    "\"photos\":14, \"name\":null, \"suggested\":[]}, ...], \"unassigned_faces\":N, \"faces\":N}\n"
    "(suggested: open name suggestions, best first).\n"
    "Exit status: 0 ok, 2 usage or data folder error.";

static int print_json(const people_list *l)
{
    json_t *out = json_object(), *persons = json_array();
    if (!out || !persons) {
        json_decref(out);
        json_decref(persons);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        const people_entry *p = &l->persons[i];
        if (p->hidden)
            continue;
        json_t *sug = json_array();
        for (size_t k = 0; sug && k < p->nsuggested; k++)
            json_array_append_new(sug, json_string(p->suggested[k]));
        json_t *o = json_pack("{s:I,s:I,s:I,s:o,s:o}", "cluster_id", (json_int_t)p->id, "faces_in_cluster",
                              (json_int_t)p->faces, "photos", (json_int_t)p->photos, "name",
                              p->name ? json_string(p->name) : json_null(), "suggested", sug ? sug : json_array());
        if (!o || json_array_append_new(persons, o)) {
            json_decref(out);
            json_decref(persons);
            return -1;
        }
    }
    json_object_set_new(out, "model_version", json_string(l->model_version));
    json_object_set_new(out, "persons", persons);
    json_object_set_new(out, "unassigned_faces", json_integer(l->unassigned));
    json_object_set_new(out, "faces", json_integer(l->faces));
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!text)
        return -1;
    puts(text);
    free(text);
    return 0;
}

static void print_text(const people_list *l)
{
    size_t shown = 0, named = 0, hidden = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->persons[i].hidden)
            hidden++;
        else
            named += l->persons[i].name != NULL;
    }
    shown = l->n - hidden;
    if (l->faces == 0) {
        printf("No analysed faces yet; run 'facetag analyze', then 'facetag cluster'.\n");
        return;
    }
    printf("%zu persons (%zu named, %zu unnamed) among %lld faces:\n", shown, named, shown - named,
           (long long)l->faces);
    for (size_t i = 0; i < l->n; i++) {
        const people_entry *p = &l->persons[i];
        if (p->hidden)
            continue;
        if (p->name)
            printf("  %s (person %lld) appears in %lld photo%s (%lld face%s)", p->name, (long long)p->id,
                   (long long)p->photos, p->photos == 1 ? "" : "s", (long long)p->faces, p->faces == 1 ? "" : "s");
        else
            printf("  Person %lld appears in %lld photo%s (%lld face%s)", (long long)p->id, (long long)p->photos,
                   p->photos == 1 ? "" : "s", (long long)p->faces, p->faces == 1 ? "" : "s");
        for (size_t k = 0; k < p->nsuggested; k++)
            printf("%s%s", k ? ", " : "; maybe ", p->suggested[k]);
        putchar('\n');
    }
    printf("%lld face%s unassigned (fit no one).\n", (long long)l->unassigned, l->unassigned == 1 ? "" : "s");
    if (hidden)
        printf("%zu hidden person%s not shown.\n", hidden, hidden == 1 ? "" : "s");
}

static int run_people(const cli_globals *g, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error(&cmd_people, "unexpected argument '%s'", argv[1]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag people: %s\n", e.msg);
        return EXIT_USAGE;
    }
    people_list l;
    int rc = people_list_load(cat, NULL, &l, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag people: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (g->json) {
        rc = print_json(&l);
        if (rc)
            fprintf(stderr, "facetag people: out of memory\n");
    } else {
        print_text(&l);
    }
    people_list_free(&l);
    fflush(stdout);
    return rc ? EXIT_USAGE : EXIT_OK;
}

const cli_command cmd_people = {
    .name = "people",
    .summary = "list the persons: \"Person 17 appears in 14 photos (23 faces)\", and unassigned faces",
    .usage = usage,
    .run = run_people,
};
