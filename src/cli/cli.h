/* cli.h — what every subcommand gets from main: the global options, already
 * taken out of argv wherever they stood, and the subcommand's own arguments. */
#ifndef FACETAG_CLI_CLI_H
#define FACETAG_CLI_CLI_H

/* Exit statuses of every subcommand. */
enum { EXIT_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2 };

typedef struct cli_globals {
    const char *data_dir;   /* --data, $FACETAG_DATA, ./facetag-data */
    int data_set;           /* --data was given on the command line */
    const char *models_dir; /* --models, $FACETAG_MODELS, the built-in default */
    int threads;            /* -j N; default: all cores */
    int json;               /* --json */
} cli_globals;

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `facetag --help` */
    const char *usage;   /* full help text for `facetag CMD --help` */
    /* argv[0] is the command name; getopt state is reset before the call. */
    int (*run)(const cli_globals *g, int argc, char **argv);
} cli_command;

/* Prints "facetag CMD: usage error: ..." and the usage line to stderr; returns EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Subcommands, one file each (cli/cmd_NAME.c), listed in main.c. */
extern const cli_command cmd_ingest;
extern const cli_command cmd_status;
extern const cli_command cmd_cluster;
extern const cli_command cmd_people;
extern const cli_command cmd_eval;
extern const cli_command cmd_serve;
extern const cli_command cmd_detect;
extern const cli_command cmd_analyze;
extern const cli_command cmd_annotate;
extern const cli_command cmd_ocr;
extern const cli_command cmd_flip;
extern const cli_command cmd_timeline;
extern const cli_command cmd_export;
extern const cli_command cmd_import;
extern const cli_command cmd_check;
extern const cli_command cmd_store;
extern const cli_command cmd_run;

#endif
