/* cmd_import.c — `facetag import FILE|DIR [--check]`: edited annotation files
 * (annfile/annfile.h) applied back as people's decisions, each file all or
 * nothing. */
#include "annfile/annfile_io.h"
#include "cli/cli.h"
#include "core/fsutil.h"
#include "store/datadir.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] = "Usage: facetag import FILE|DIR... [--check] [--actor NAME]\n"
                            "Applies edited annotation files (written by 'facetag export annotations DIR',\n"
                            "one {photo_id}.json per photo) back to the catalog as people's decisions: a\n"
                            "face's person.label (that name), status \"rejected\" (not this person),\n"
                            "cluster_id (move to that person), a suggestion's status (accepted, rejected),\n"
                            "and the photo's date, place and event (set by hand; kept by every later\n"
                            "'facetag annotate'). What the file says as the catalog has it is no change, so\n"
                            "importing twice changes nothing. Each file is checked whole and applied whole\n"
                            "or not at all; an error names the file, the field and why.\n"
                            "A folder: every *.json in it (not recursive), in name order.\n"
                            "  --check        check everything and say what would change; change nothing\n"
                            "  --actor NAME   who decided, for the decision log (default \"import\")\n"
                            "--json prints {\"files\", \"applied\", \"failed\", \"changes\", \"errors\": [...]}.\n"
                            "Exit status: 0 all files applied (or would be), 1 some files failed (the\n"
                            "others applied), 2 usage or data folder error.";

typedef struct files {
    char **v;
    size_t n, cap;
} files;

static int add(files *f, char *path)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        char **v = realloc(f->v, cap * sizeof *v);
        if (!v)
            return -1;
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n++] = path;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of arg: itself, or the *.json of a folder in name order. */
static int collect(const char *arg, files *f)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        fprintf(stderr, "facetag import: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add(f, strdup(arg));
    DIR *d = opendir(arg);
    if (!d) {
        fprintf(stderr, "facetag import: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    size_t first = f->n;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        size_t need = strlen(arg) + l + 2;
        char *p = malloc(need);
        if (!p || add(f, p)) {
            free(p);
            closedir(d);
            return -1;
        }
        snprintf(p, need, "%s/%s", arg, de->d_name);
    }
    closedir(d);
    qsort(f->v + first, f->n - first, sizeof *f->v, cmp);
    return 0;
}

/* Imports one file; 0 applied, else the error is printed (and kept in errors). */
static int import_one(catalog *cat, annfile_view **v, const char *path, const char *actor, bool check, bool quiet,
                      size_t *changes, json_t *errors)
{
    err e = { 0 };
    void *data = NULL;
    size_t len = 0;
    annfile_doc d;
    int rc = fsutil_read_all(path, 64u << 20, &data, &len, &e);
    if (rc == 0)
        rc = annfile_parse(data, len, path, &d, &e);
    free(data);
    char *logtext = NULL;
    size_t loglen = 0;
    FILE *log = rc == 0 ? open_memstream(&logtext, &loglen) : NULL;
    annfile_result r = { 0 };
    if (rc == 0) {
        rc = annfile_apply(cat, *v, &d, path, actor, check, log, &r, &e);
        annfile_doc_free(&d);
    }
    if (log)
        fclose(log);
    if (rc == 0 && r.changes && !check) {
        /* the next file may be of the same photo: it compares with what is now */
        annfile_view *nv = NULL;
        rc = annfile_view_load(cat, &nv, &e);
        if (rc == 0) {
            annfile_view_free(*v);
            *v = nv;
        }
    }
    if (rc == 0) {
        if (!quiet && logtext && *logtext)
            fputs(logtext, stdout);
        *changes += r.changes;
    } else {
        fprintf(stderr, "facetag import: %s\n", e.msg);
        json_array_append_new(errors, json_string(e.msg));
    }
    free(logtext);
    return rc;
}

static int run_import(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "check", no_argument, NULL, 'c' },
        { "actor", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    bool check = false;
    const char *actor = "import";
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == 'c')
            check = true;
        else if (ch == 'a' && *optarg)
            actor = optarg;
        else if (ch == 'a')
            return cli_usage_error(&cmd_import, "--actor takes a name");
        else
            return cli_usage_error(&cmd_import, "unknown option");
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_import, "say which files or folders to import");
    files f = { 0 };
    for (int i = optind; i < argc; i++)
        if (collect(argv[i], &f) != 0) {
            for (size_t k = 0; k < f.n; k++)
                free(f.v[k]);
            free(f.v);
            return EXIT_USAGE;
        }
    err e = { 0 };
    catalog *cat = NULL;
    annfile_view *v = NULL;
    if (datadir_open(g->data_dir, 0, NULL, &cat, &e) != 0 || annfile_view_load(cat, &v, &e) != 0) {
        fprintf(stderr, "facetag import: %s\n", e.msg);
        catalog_close(cat);
        for (size_t k = 0; k < f.n; k++)
            free(f.v[k]);
        free(f.v);
        return EXIT_USAGE;
    }
    size_t failed = 0, changes = 0;
    json_t *errors = json_array();
    for (size_t k = 0; k < f.n; k++)
        failed += import_one(cat, &v, f.v[k], actor, check, g->json, &changes, errors) != 0;
    annfile_view_free(v);
    catalog_close(cat);
    if (g->json) {
        json_t *o =
            json_pack("{s:I,s:I,s:I,s:I,s:b,s:O}", "files", (json_int_t)f.n, "applied", (json_int_t)(f.n - failed),
                      "failed", (json_int_t)failed, "changes", (json_int_t)changes, "check", check, "errors", errors);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(o);
    } else {
        fprintf(stderr, "facetag import: %zu file%s, %zu %s, %zu failed, %zu change%s%s\n", f.n, f.n == 1 ? "" : "s",
                f.n - failed, check ? "checked" : "applied", failed, changes, changes == 1 ? "" : "s",
                check ? " (--check: nothing changed)" : "");
    }
    json_decref(errors);
    for (size_t k = 0; k < f.n; k++)
        free(f.v[k]);
    free(f.v);
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}

const cli_command cmd_import = {
    .name = "import",
    .summary = "apply edited annotation files (facetag export annotations) as people's decisions",
    .usage = usage,
    .run = run_import,
};
