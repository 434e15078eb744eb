/* cmd_cluster.c — `facetag cluster`: options, then the cluster stage (people/
 * people_stage.h), then one summary line (or the JSON summary). */
#include "cli/cli.h"
#include "cli/cluster_opts.h"
#include "people/people_stage.h"
#include "store/datadir.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "Usage: facetag cluster [options]\n"
                            "Groups the analysed faces (current model version) into persons. The first run of a\n"
                            "model version clusters everything; later runs put each new face into the person of\n"
                            "its nearest face when it lies within --assign-threshold and cluster only the rest;\n"
                            "--full recomputes everything. People's decisions always hold: confirmed faces stay,\n"
                            "rejected faces never return, names, merges and splits stay, two faces of one photo\n"
                            "are never one person, and persons keep their ids (matched by shared faces).\n"
                            "Decisions made on faces of an earlier model version carry over to the new faces\n"
                            "of the same photo whose box overlaps by IoU >= 0.5.\n"
                            "Options:\n" CLUSTER_OPTS_HELP
                            "  --full                    recompute every person (still under people's decisions)\n"
                            "  --assign-threshold D      incremental: join the nearest face's person within D\n"
                            "                            (default 0.45 Euclidean, 0.05 cosine)\n"
                            "  --json                    print the summary as one JSON object\n"
                            "Exit status: 0 done, 2 usage, data folder or clustering error.";

static int run_cluster(const cli_globals *g, int argc, char **argv)
{
    cluster_opts_tune_blas();
    people_stage_options o;
    people_stage_options_default(&o);
    o.threads = g->threads;
    cluster_opts co;
    cluster_opts_init(&co);
    enum { OPT_FULL = 1000, OPT_ASSIGN };
    struct option longopts[CLUSTER_OPTS_MAX + 3];
    size_t nl = cluster_opts_longopts(longopts);
    longopts[nl++] = (struct option){ "full", no_argument, NULL, OPT_FULL };
    longopts[nl++] = (struct option){ "assign-threshold", required_argument, NULL, OPT_ASSIGN };
    longopts[nl] = (struct option){ NULL, 0, NULL, 0 };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == OPT_FULL) {
            o.full = true;
            continue;
        }
        if (c == OPT_ASSIGN) {
            char *end;
            o.assign_threshold = strtod(optarg, &end);
            if (end == optarg || *end || !(o.assign_threshold >= 0))
                return cli_usage_error(&cmd_cluster, "--assign-threshold takes a distance >= 0, not '%s'", optarg);
            continue;
        }
        if (c == ':')
            return cli_usage_error(&cmd_cluster, "option '%s' needs a value", argv[optind - 1]);
        const char *msg = cluster_opts_take(&co, c, optarg);
        if (msg)
            return cli_usage_error(&cmd_cluster, "%s", msg);
    }
    if (optind < argc)
        return cli_usage_error(&cmd_cluster, "unexpected argument '%s'", argv[optind]);
    const char *msg = cluster_opts_finish(&co, &o.params, &o.metric);
    if (msg)
        return cli_usage_error(&cmd_cluster, "%s", msg);

    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag cluster: %s\n", e.msg);
        return EXIT_USAGE;
    }
    people_stage_summary s;
    int rc = people_stage_run(cat, &o, &s, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag cluster: %s\n", e.msg);
        return EXIT_USAGE;
    }
    FILE *human = g->json ? stderr : stdout;
    if (s.faces == 0)
        fprintf(human, "cluster: no analysed faces yet; run 'facetag analyze' first\n");
    else
        fprintf(human,
                "cluster: %zu faces (%s), %s %s: %zu placed (%zu joined a person directly, %zu clustered); "
                "%zu persons (%zu new, %zu removed), %zu faces unassigned; %zu carried over from another "
                "model version;%s %.2f s\n",
                s.faces, s.model_version, s.full ? "full" : "incremental", cluster_algo_name(o.params.algo), s.placed,
                s.assigned_nearest, s.clustered, s.persons, s.new_persons, s.deleted_persons, s.unassigned,
                s.carried_over, s.approximate ? " approximate neighbours (FAISS HNSW);" : "", s.seconds);
    if (g->json) {
        json_t *j = json_pack(
            "{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:f}", "model_version", s.model_version, "algo",
            cluster_algo_name(o.params.algo), "full", s.full, "faces", (json_int_t)s.faces, "placed",
            (json_int_t)s.placed, "assigned_nearest", (json_int_t)s.assigned_nearest, "clustered",
            (json_int_t)s.clustered, "carried_over", (json_int_t)s.carried_over, "persons", (json_int_t)s.persons,
            "new_persons", (json_int_t)s.new_persons, "deleted_persons", (json_int_t)s.deleted_persons, "unassigned",
            (json_int_t)s.unassigned, "neighbors", s.approximate ? "faiss" : "exact", "seconds", s.seconds);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (!text) {
            fprintf(stderr, "facetag cluster: out of memory\n");
            return EXIT_USAGE;
        }
        puts(text);
        free(text);
    }
    fflush(stdout);
    return EXIT_OK;
}

const cli_command cmd_cluster = {
    .name = "cluster",
    .summary = "group analysed faces into persons (average linkage, HDBSCAN, DBSCAN) under people's decisions",
    .usage = usage,
    .run = run_cluster,
};
