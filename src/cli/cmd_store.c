/* cmd_store.c — `facetag store init` (make the S3 buckets, versioned) and
 * `facetag store copy --from URL --to URL [--verify]` (move an archive's
 * objects between a folder and S3, either way). */
#include "cli/cli.h"
#include "store/objstore.h"
#include "store/objstore_copy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: facetag store init [--store URL]\n"
    "       facetag store copy --from URL --to URL [--verify]\n"
    "A store URL is a folder (the objects/ folder of a data folder, e.g.\n"
    "facetag-data/objects) or s3://PREFIX?endpoint=URL&region=R, whose buckets are\n"
    "PREFIX-incoming, PREFIX-processed, PREFIX-faces and PREFIX-annotations\n"
    "(credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,\n"
    "or ~/.aws/credentials).\n"
    "  init   creates the four buckets of --store (or $FACETAG_STORE) that are\n"
    "         missing, with versioning on, so results of every model stay reachable\n"
    "  copy   copies every object the target lacks, each checked by its SHA-256;\n"
    "         run again after an interruption to finish. --verify also reads every\n"
    "         object back from the target and compares hashes (and recopies one\n"
    "         that differs).\n"
    "Exit status: 0 all copied, 1 some objects failed (named), 2 a store cannot be\n"
    "opened (wrong URL, credentials, missing bucket).\n";

static int store_init(const cli_globals *g, int argc, char **argv)
{
    (void)g;
    if (argc > 1)
        return cli_usage_error(&cmd_store, "store init takes no argument but --store, not '%s'", argv[1]);
    const char *url = getenv("FACETAG_STORE");
    if (!url || !*url)
        return cli_usage_error(&cmd_store, "store init needs --store s3://PREFIX?endpoint=URL (or $FACETAG_STORE)");
    err e = {0};
    objstore *s = objstore_open_url(url, 1, &e);
    if (!s) {
        fprintf(stderr, "facetag store init: %s\n", e.msg);
        return EXIT_USAGE;
    }
    printf("facetag store init: %s ready (%s)\n", url, objstore_backend_name(s));
    objstore_close(s);
    return EXIT_OK;
}

static void print_failure(const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "facetag store copy: %s\n", msg);
}

static int store_copy(const cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"verify", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    const char *from = NULL, *to = NULL;
    int verify = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'f')
            from = optarg;
        else if (c == 't')
            to = optarg;
        else if (c == 'v')
            verify = 1;
        else if (c == ':')
            return cli_usage_error(&cmd_store, "option '%s' needs a value", argv[optind - 1]);
        else
            return cli_usage_error(&cmd_store, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error(&cmd_store, "unexpected argument '%s'", argv[optind]);
    if (!from || !to)
        return cli_usage_error(&cmd_store, "store copy needs --from URL and --to URL");
    if (strcmp(from, to) == 0)
        return cli_usage_error(&cmd_store, "--from and --to are the same store");
    err e = {0};
    objstore *src = objstore_open_url(from, 0, &e);
    if (!src) {
        fprintf(stderr, "facetag store copy: source: %s\n", e.msg);
        return EXIT_USAGE;
    }
    objstore *dst = objstore_open_url(to, 0, &e);
    if (!dst) {
        fprintf(stderr, "facetag store copy: target: %s\n", e.msg);
        objstore_close(src);
        return EXIT_USAGE;
    }
    objstore_copy_stats st;
    int rc = objstore_copy(src, dst, verify, &st, print_failure, NULL, &e);
    objstore_close(src);
    objstore_close(dst);
    if (rc && st.failed == 0) { /* listing the source failed: nothing was judged */
        fprintf(stderr, "facetag store copy: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (g->json)
        printf("{\"copied\":%lld,\"skipped\":%lld,\"verified\":%lld,\"failed\":%lld,\"bytes\":%llu}\n",
               (long long)st.copied, (long long)st.skipped, (long long)st.verified, (long long)st.failed,
               (unsigned long long)st.bytes);
    else
        printf("facetag store copy: %lld copied (%.1f MB), %lld already there, %lld verified by SHA-256, %lld failed\n",
               (long long)st.copied, st.bytes / 1e6, (long long)st.skipped, (long long)st.verified,
               (long long)st.failed);
    return st.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

static int run_store(const cli_globals *g, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_store, "store needs a subcommand: init or copy");
    if (strcmp(argv[1], "init") == 0)
        return store_init(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "copy") == 0)
        return store_copy(g, argc - 1, argv + 1);
    return cli_usage_error(&cmd_store, "unknown store subcommand '%s' (init, copy)", argv[1]);
}

const cli_command cmd_store = {
    .name = "store",
    .summary = "object store: init S3 buckets, copy objects between a folder and S3",
    .usage = usage,
    .run = run_store,
};
