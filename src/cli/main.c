/* main.c — facetag's entry point: global options, then one subcommand. */
#include "cli/cli.h"
#include "core/memtune.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_command *const commands[] = {
    /* one line per subcommand, in the order of the data flow */
    &cmd_run,      &cmd_ingest, &cmd_detect,   &cmd_analyze, &cmd_status, &cmd_cluster,
    &cmd_ocr,      &cmd_flip,   &cmd_annotate, &cmd_people,  &cmd_check,  &cmd_eval,
    &cmd_timeline, &cmd_export, &cmd_import,   &cmd_serve,   &cmd_store,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char global_help[] =
    "Global options (before or after the subcommand):\n"
    "  --data DIR      data folder (default $FACETAG_DATA or ./facetag-data)\n"
    "  --models DIR    model folder (default $FACETAG_MODELS or the built-in one)\n"
    "  --store URL     where the objects are: s3://PREFIX?endpoint=URL&region=R or a\n"
    "                  folder (default $FACETAG_STORE, else what the data folder\n"
    "                  recorded, else DATA/objects)\n"
    "  -j N            worker threads (default: all cores)\n"
    "  --json          machine-readable output\n"
    "  -h, --help      help; `facetag CMD --help` for one command\n"
    "Exit status: 0 ok, 1 some inputs failed (all others processed), 2 usage or configuration error.\n";

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "facetag %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "Try 'facetag %s --help'.\n", cmd->name);
    return EXIT_USAGE;
}

static void print_help(FILE *f)
{
    fprintf(f,
            "facetag %s — find, group and name the people in a photo archive\n\n"
            "Usage: facetag [global options] COMMAND [options] [args]\n\nCommands:\n",
            FACETAG_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\n%s", global_help);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

/* Takes a global option's value from "--opt VALUE" or "--opt=VALUE". Returns the
 * number of argv slots consumed (1 or 2), 0 when argv[i] is not this option, -1
 * when its value is missing. */
static int take_value(char **argv, int argc, int i, const char *opt, const char **out)
{
    size_t n = strlen(opt);
    if (strncmp(argv[i], opt, n) != 0)
        return 0;
    if (argv[i][n] == '=') {
        *out = argv[i] + n + 1;
        return 1;
    }
    if (argv[i][n] != '\0')
        return 0;
    if (i + 1 >= argc)
        return -1;
    *out = argv[i + 1];
    return 2;
}

int main(int argc, char **argv)
{
    memtune_large_buffers();
    cli_globals g = { 0 };
    const char *threads = NULL;
    g.data_dir = getenv("FACETAG_DATA");
    g.models_dir = getenv("FACETAG_MODELS");
    if (!g.data_dir || !*g.data_dir)
        g.data_dir = "facetag-data";
    if (!g.models_dir || !*g.models_dir)
        g.models_dir = FACETAG_DEFAULT_MODELS;

    /* Pull the global options out of argv wherever they stand; "--" ends them. */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_USAGE;
    int nrest = 0, help = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                rest[nrest++] = argv[i++];
            break;
        }
        const char *v = NULL;
        int used;
        if ((used = take_value(argv, argc, i, "--data", &v)) != 0 ||
            (used = take_value(argv, argc, i, "--models", &v)) != 0 ||
            (used = take_value(argv, argc, i, "--store", &v)) != 0) {
            if (used < 0) {
                fprintf(stderr, "facetag: %s needs a value\n", argv[i]);
                free(rest);
                return EXIT_USAGE;
            }
            if (strncmp(argv[i], "--data", 6) == 0)
                g.data_dir = v, g.data_set = 1;
            else if (strncmp(argv[i], "--store", 7) == 0)
                setenv("FACETAG_STORE", v, 1); /* datadir_open reads it; so do child processes */
            else
                g.models_dir = v;
            i += used - 1;
        } else if (strcmp(argv[i], "-j") == 0 || strncmp(argv[i], "-j", 2) == 0 ||
                   strncmp(argv[i], "--threads", 9) == 0) {
            if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--threads") == 0) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "facetag: %s needs a value\n", argv[i]);
                    free(rest);
                    return EXIT_USAGE;
                }
                threads = argv[++i];
            } else if (argv[i][1] == 'j') {
                threads = argv[i] + 2;
            } else if (argv[i][9] == '=') {
                threads = argv[i] + 10;
            } else {
                rest[nrest++] = argv[i];
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            g.json = 1;
        } else if (nrest == 0 && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            help = 1;
        } else if (nrest == 0 && strcmp(argv[i], "--version") == 0) {
            printf("facetag %s\n", FACETAG_VERSION);
            free(rest);
            return EXIT_OK;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (threads) {
        char *end;
        long n = strtol(threads, &end, 10);
        if (*threads == '\0' || *end || n < 1 || n > 1024) {
            fprintf(stderr, "facetag: -j takes a whole number from 1 to 1024, not '%s'\n", threads);
            free(rest);
            return EXIT_USAGE;
        }
        g.threads = (int)n;
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        g.threads = n > 0 ? (int)n : 1;
    }
    if (help || nrest == 0) {
        print_help(help ? stdout : stderr);
        free(rest);
        return help ? EXIT_OK : EXIT_USAGE;
    }
    const cli_command *cmd = find_command(rest[0]);
    if (!cmd) {
        fprintf(stderr, "facetag: unknown command '%s'\n", rest[0]);
        print_help(stderr);
        free(rest);
        return EXIT_USAGE;
    }
    for (int i = 1; i < nrest; i++) {
        if (strcmp(rest[i], "--") == 0)
            break;
        if (strcmp(rest[i], "-h") == 0 || strcmp(rest[i], "--help") == 0) {
            printf("%s\n%s", cmd->usage, global_help);
            free(rest);
            return EXIT_OK;
        }
    }
    optind = 0; /* full getopt reset for the subcommand */
    int rc = cmd->run(&g, nrest, rest);
    free(rest);
    return rc;
}
