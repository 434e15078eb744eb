/* cmd_store.c — `facetag store init` (make the S3 buckets, versioned) and
 * `facetag store copy --from URL --to URL [--verify]` (move an archive's
 * objects between a folder and S3, either way). */
#include "cli/cli.h"
#include "store/catalog_objver.h"
#include "store/datadir.h"
#include "store/objstore.h"
#include "store/objstore_copy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "Usage: facetag store init [--store URL]\n"
                            "       facetag store copy --from URL --to URL [--verify]\n"
                            "       facetag store get BUCKET/KEY [--model VERSION | --version ID]\n"
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
                            "  get    writes one object of the data folder's store to stdout: the current\n"
                            "         one, or the one the analysis with model VERSION wrote (kept by S3\n"
                            "         versioning when a later analysis replaced it), or version ID\n"
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
    err e = { 0 };
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
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "verify", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
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
    err e = { 0 };
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

static int store_get(const cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, NULL, 'm' },
        { "version", required_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    const char *model = NULL, *version = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'm')
            model = optarg;
        else if (c == 'v')
            version = optarg;
        else if (c == ':')
            return cli_usage_error(&cmd_store, "option '%s' needs a value", argv[optind - 1]);
        else
            return cli_usage_error(&cmd_store, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind + 1 != argc)
        return cli_usage_error(&cmd_store, "store get needs one BUCKET/KEY");
    if (model && version)
        return cli_usage_error(&cmd_store, "--model and --version exclude each other");
    const char *bk = argv[optind], *slash = strchr(bk, '/');
    objstore_bucket b = BUCKET_COUNT;
    for (int i = 0; slash && i < BUCKET_COUNT; i++) {
        const char *name = objstore_bucket_name((objstore_bucket)i);
        if (strlen(name) == (size_t)(slash - bk) && strncmp(bk, name, (size_t)(slash - bk)) == 0)
            b = (objstore_bucket)i;
    }
    if (b == BUCKET_COUNT)
        return cli_usage_error(&cmd_store,
                               "'%s' is not BUCKET/KEY with a bucket of incoming, processed, faces, "
                               "annotations",
                               bk);
    const char *key = slash + 1;
    err e = { 0 };
    objstore *s = NULL;
    catalog *cat = NULL;
    if (datadir_open(g->data_dir, 0, &s, model ? &cat : NULL, &e) != 0) {
        fprintf(stderr, "facetag store get: %s\n", e.msg);
        return EXIT_USAGE;
    }
    char vid[OBJSTORE_VERSION_MAX] = "";
    int rc = 0;
    if (model) {
        rc = catalog_objver_get(cat, objstore_bucket_name(b), key, model, vid, sizeof vid, &e);
        if (rc == 0)
            rc = err_set(&e, ERR_NOTFOUND, "no version of %s recorded for the analysis with model %s", bk, model);
        rc = rc < 0 ? rc : 0;
    } else if (version) {
        snprintf(vid, sizeof vid, "%s", version);
    }
    void *data = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = objstore_get_version(s, b, key, vid, &data, &len, &e);
    if (rc == 0 && fwrite(data, 1, len, stdout) != len)
        rc = err_set(&e, ERR_IO, "cannot write to stdout");
    free(data);
    objstore_close(s);
    catalog_close(cat);
    if (rc) {
        fprintf(stderr, "facetag store get: %s\n", e.msg);
        return rc == ERR_NOTFOUND ? EXIT_SOME_FAILED : EXIT_USAGE;
    }
    return EXIT_OK;
}

static int run_store(const cli_globals *g, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_store, "store needs a subcommand: init or copy");
    if (strcmp(argv[1], "init") == 0)
        return store_init(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "copy") == 0)
        return store_copy(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "get") == 0)
        return store_get(g, argc - 1, argv + 1);
    return cli_usage_error(&cmd_store, "unknown store subcommand '%s' (init, copy, get)", argv[1]);
}

const cli_command cmd_store = {
    .name = "store",
    .summary = "object store: init S3 buckets, copy between a folder and S3, get a version",
    .usage = usage,
    .run = run_store,
};
