/* cmd_serve.c — `facetag serve`: the review UI and REST API (review/server.h)
 * until SIGINT or SIGTERM. */
#include "cli/cli.h"
#include "review/server.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "Usage: facetag serve [--bind ADDR] [--port N] [--token T]\n"
                            "Serves the review UI and the REST API (docs/api.md) for the data folder until\n"
                            "interrupted (Ctrl-C).\n"
                            "  --bind ADDR   address to listen on (default 127.0.0.1); any address that is not\n"
                            "                loopback needs a token\n"
                            "  --port N      TCP port (default 8001; 0 = any free port, printed at start)\n"
                            "  --token T     require T on every request (Authorization: Bearer T, or open\n"
                            "                /?token=T once in the browser); default $FACETAG_TOKEN, which is\n"
                            "                better: other users can read a command line; at least 16 characters\n"
                            "Prints \"facetag serve: listening on http://ADDR:PORT/\" once it accepts requests.\n";

static int run_serve(const cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "bind", required_argument, NULL, 'b' },
        { "port", required_argument, NULL, 'p' },
        { "token", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    review_options opt = {
        .data_dir = g->data_dir,
        .models_dir = g->models_dir,
        .bind = REVIEW_DEFAULT_BIND,
        .port = REVIEW_DEFAULT_PORT,
        .token = getenv("FACETAG_TOKEN"),
        .threads = review_default_threads(g->threads),
    };
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            opt.bind = optarg;
            break;
        case 'p': {
            char *end;
            long p = strtol(optarg, &end, 10);
            if (!*optarg || *end || p < 0 || p > 65535)
                return cli_usage_error(&cmd_serve, "--port takes a number from 0 to 65535, not '%s'", optarg);
            opt.port = (int)p;
            break;
        }
        case 't':
            opt.token = optarg;
            break;
        default:
            return cli_usage_error(&cmd_serve, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_serve, "unexpected argument '%s'", argv[optind]);

    /* Block the stop signals before the server's threads start, so they inherit
     * the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    /* this very binary analyses photos flipped from the UI again
       (review/reanalyse.h) */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        opt.exe = exe;
    } else {
        fprintf(stderr, "facetag serve: cannot find its own binary (/proc/self/exe): photos flipped in the UI "
                        "wait for `facetag flip ID` to be analysed again\n");
    }

    err e = { 0 };
    review_server *s = review_server_start(&opt, &e);
    if (!s) {
        fprintf(stderr, "facetag serve: %s\n", e.msg);
        return EXIT_USAGE;
    }
    int port = review_server_port(s);
    bool v6 = strchr(opt.bind, ':') != NULL && opt.bind[0] != '[';
    printf("facetag serve: listening on http://%s%s%s:%d/%s\n", v6 ? "[" : "",
           strcmp(opt.bind, "localhost") == 0 ? "127.0.0.1" : opt.bind, v6 ? "]" : "", port,
           opt.token && *opt.token ? " (token required: open /?token=T once)" : "");
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "facetag serve: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    review_server_stop(s);
    return EXIT_OK;
}

const cli_command cmd_serve = {
    .name = "serve",
    .summary = "review UI and REST API on http://127.0.0.1:8001",
    .usage = usage,
    .run = run_serve,
};
