/* cmd_export.c — `facetag export cypher|neo4j-csv|json`: the archive's graph
 * for Neo4j (graph/graph_export.h), or the whole catalog as one JSON document
 * (export/export_json.h, the shape score_archive.py and /api/export.json share). */
#include "annfile/annfile_io.h"
#include "cli/cli.h"
#include "core/fsutil.h"
#include "export/export_json.h"
#include "export/export_xmp.h"
#include "graph/graph_export.h"
#include "store/datadir.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] = "Usage: facetag export cypher [--out FILE] [--batch N]\n"
                            "       facetag export neo4j-csv DIR\n"
                            "       facetag export json [--out FILE]\n"
                            "       facetag export annotations DIR\n"
                            "       facetag export xmp [--confirmed-only] --sidecars DIR | --in-place FILE|DIR...\n"
                            "The archive as a graph for Neo4j: photos (Foto), persons and their clusters,\n"
                            "events, places (Location) and years, with APPEARS_IN, TAKEN_AT, PART_OF,\n"
                            "LOCATED_IN, SAME_AS, PERFORMED_AT, IN_YEAR and NEXT (docs/graph.md).\n"
                            "  cypher     a cypher-shell script (default to standard output): constraints,\n"
                            "             the Foto.timestamp index, then parameterised MERGE in batches of N\n"
                            "             rows (default 1000); running it twice gives the same graph:\n"
                            "             cypher-shell -u neo4j -p ... -f FILE\n"
                            "  neo4j-csv  CSV files for 'neo4j-admin database import full' into DIR (created\n"
                            "             if needed), with the command line in DIR/IMPORT.txt\n"
                            "  json       every photo with its source paths, date (value, precision, source,\n"
                            "             inferred), place and event, its faces with box, person, name (the\n"
                            "             name people gave, else the best suggestion of 'facetag annotate'),\n"
                            "             name status and suggestions with their evidence; and the persons,\n"
                            "             events and places (default to standard output; a file is written\n"
                            "             whole or not at all)\n"
                            "  annotations  one editable file per photo, DIR/{photo_id}.json: its date, place,\n"
                            "             event and faces with cluster_id, person {label, confidence, source}\n"
                            "             and suggestions; edit and apply with 'facetag import DIR'\n"
                            "  xmp        the names people gave, as standard XMP face regions (MWG regions,\n"
                            "             also as Microsoft Photo regions; dc:subject and digiKam People/NAME\n"
                            "             tags; docs/xmp.md), for digiKam, Lightroom, darktable, exiftool...:\n"
                            "             every face of a named person but rejected ones; with\n"
                            "             --confirmed-only only the faces people confirmed\n"
                            "             --sidecars DIR  one NAME.EXT.xmp per photo with named faces in DIR,\n"
                            "                             NAME.EXT the file the photo was ingested from\n"
                            "             --in-place F..  YOUR OWN COPIES of archive photos (files, folders\n"
                            "                             recursively) get the regions embedded, each file\n"
                            "                             replaced atomically; a file is matched by its bytes\n"
                            "                             or by the facetag:PhotoID an earlier export wrote;\n"
                            "                             the data folder's originals are never written\n"
                            "A summary (nodes, relations, lines) of cypher and neo4j-csv goes to standard error.\n"
                            "Exit status: 0 ok, 1 some XMP files failed, 2 usage, data folder or output error.";

static int export_cypher(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "batch", required_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 },
    };
    const char *out_path = NULL;
    int batch = GRAPH_EXPORT_BATCH, c;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == 'o') {
            out_path = optarg;
        } else if (c == 'b') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 100000)
                return cli_usage_error(&cmd_export, "--batch takes a number from 1 to 100000, not '%s'", optarg);
            batch = (int)v;
        } else {
            return cli_usage_error(&cmd_export, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_export, "unexpected argument '%s'", argv[optind]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    /* To a file: written as FILE.tmp and renamed when complete, so a killed
     * export never leaves half a script under the name. */
    char tmp[4096];
    FILE *out = stdout;
    if (out_path) {
        if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", out_path) >= sizeof tmp) {
            catalog_close(cat);
            return cli_usage_error(&cmd_export, "--out path too long");
        }
        out = fopen(tmp, "w");
        if (!out) {
            fprintf(stderr, "facetag export: %s: cannot create: %s\n", tmp, strerror(errno));
            catalog_close(cat);
            return EXIT_USAGE;
        }
    }
    static char buf[1 << 16];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    graph_export_stats st;
    int rc = graph_export_cypher(cat, out, out_path ? tmp : "standard output", batch, &st, &e);
    catalog_close(cat);
    if (out_path) {
        if (fclose(out) != 0 && rc == 0)
            rc = err_set(&e, ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        if (rc == 0 && rename(tmp, out_path) != 0)
            rc = err_set(&e, ERR_IO, "%s: cannot rename to %s: %s", tmp, out_path, strerror(errno));
        if (rc)
            remove(tmp);
    }
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "facetag export: %lld nodes, %lld relations, %lld statements, %lld lines%s%s\n",
            (long long)st.nodes, (long long)st.relations, (long long)st.statements, (long long)st.lines,
            out_path ? " to " : "", out_path ? out_path : "");
    return EXIT_OK;
}

static int export_csv(const cli_globals *g, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error(&cmd_export, "neo4j-csv takes one folder");
    const char *dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "facetag export: %s: cannot create: %s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    graph_export_stats st;
    int rc = graph_export_csv(cat, dir, &st, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "facetag export: %lld nodes, %lld relations in %s (import: see %s/IMPORT.txt)\n",
            (long long)st.nodes, (long long)st.relations, dir, dir);
    return EXIT_OK;
}

static int export_json(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = { { "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
    const char *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else
            return cli_usage_error(&cmd_export, "unknown option");
    }
    if (optind < argc)
        return cli_usage_error(&cmd_export, "unexpected argument '%s'", argv[optind]);
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    json_t *doc = NULL;
    int rc = export_json_build(cat, &doc, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "facetag export: out of memory\n");
        return EXIT_USAGE;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* over the NUL: written as len + 1 bytes, never read as a string again */
    if (!out) {
        bool ok = fwrite(text, 1, len + 1, stdout) == len + 1 && fflush(stdout) == 0;
        free(text);
        if (!ok) {
            fprintf(stderr, "facetag export: writing to standard output failed\n");
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    rc = fsutil_write_atomic(out, text, len + 1, &e);
    free(text);
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int export_annotations(const cli_globals *g, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error(&cmd_export, "annotations takes one folder");
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    annfile_view *v = NULL;
    int rc = annfile_view_load(cat, &v, &e);
    catalog_close(cat);
    size_t n = 0;
    if (rc == 0)
        rc = annfile_write_dir(v, argv[1], &n, &e);
    annfile_view_free(v);
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "facetag export: %zu annotation files in %s\n", n, argv[1]);
    return EXIT_OK;
}

static int export_xmp(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "sidecars", required_argument, NULL, 's' },
        { "in-place", no_argument, NULL, 'i' },
        { "confirmed-only", no_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int in_place = 0, confirmed_only = 0, c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 's')
            dir = optarg;
        else if (c == 'c')
            confirmed_only = 1;
        else if (c == 'i')
            in_place = 1;
        else
            return cli_usage_error(&cmd_export, "unknown option");
    }
    if (!!dir == in_place)
        return cli_usage_error(&cmd_export, "xmp needs exactly one of --sidecars DIR and --in-place FILE...");
    if (dir && optind < argc)
        return cli_usage_error(&cmd_export, "unexpected argument '%s'", argv[optind]);
    if (in_place && optind >= argc)
        return cli_usage_error(&cmd_export, "--in-place needs the files or folders of your copies");
    err e = { 0 };
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    export_xmp_summary s;
    int rc = dir ? export_xmp_sidecars(cat, dir, confirmed_only, stderr, &s, &e)
                 : export_xmp_in_place(cat, g->data_dir, argv + optind, argc - optind, confirmed_only, stderr, &s, &e);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag export: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "facetag export: %lld regions of %lld photos in %lld files, %lld skipped, %lld failed\n",
            (long long)s.regions, (long long)s.photos, (long long)s.files, (long long)s.skipped, (long long)s.failed);
    return s.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

static int run_export(const cli_globals *g, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_export, "say what to export: cypher, neo4j-csv, json or annotations");
    if (strcmp(argv[1], "cypher") == 0)
        return export_cypher(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "neo4j-csv") == 0)
        return export_csv(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "json") == 0)
        return export_json(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "annotations") == 0)
        return export_annotations(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "xmp") == 0)
        return export_xmp(g, argc - 1, argv + 1);
    return cli_usage_error(&cmd_export, "unknown export '%s' (cypher, neo4j-csv, json, annotations, xmp)", argv[1]);
}

const cli_command cmd_export = {
    .name = "export",
    .summary = "the archive's graph for Neo4j (Cypher script or neo4j-admin CSV), the catalog as JSON, XMP regions",
    .usage = usage,
    .run = run_export,
};
