/* cmd_eval.c — `facetag eval DIR`: a folder-per-identity set ingested and
 * analysed into a throw-away data folder (or --data), clustered in full, and
 * scored over all its images (cluster/score.h, people/eval_set.h). */
#include "analyze/analyze.h"
#include "cli/cli.h"
#include "cli/cluster_opts.h"
#include "cluster/score.h"
#include "ingest/ingest.h"
#include "people/eval_set.h"
#include "people/people_stage.h"
#include "store/datadir.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: facetag eval DIR [options]\n"
    "Scores clustering on a folder-per-identity set (one folder per person, the folder\n"
    "name is the identity): ingests and analyses DIR's identity folders into a throw-away\n"
    "data folder (or the one given with --data, kept and reused), clusters all faces\n"
    "(--full), and scores over all images of the set. Where an image has several faces\n"
    "the largest is scored; an image without a face, and a face left unassigned, each\n"
    "count as a cluster of their own (a missed face costs recall).\n"
    "Scores: pairwise precision/recall/F1, BCubed precision/recall/F, adjusted Rand index,\n"
    "NMI, persons found vs identities, share of faces unassigned, images without a face.\n"
    "Options:\n" CLUSTER_OPTS_HELP "  --assignments FILE        write file,identity,cluster CSV (cluster -1: none)\n"
    "  --json                    print {\"identities\",\"images\",\"no_face\",\"clusters\",\"noise_fraction\",\n"
    "                            \"pairwise\":{\"precision\",\"recall\",\"f1\"},\"bcubed\":{\"precision\",\n"
    "                            \"recall\",\"f\"},\"ari\",\"nmi\",\"mixed_persons\",\"split_identities\"}\n"
    "Exit status: 0 scored, 2 usage, set, data folder, model or clustering error.";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int ingest_set(const cli_globals *g, const char *data, const eval_set *s, err *e)
{
    char **dirs = calloc(s->nidentities, sizeof *dirs);
    if (!dirs)
        return err_set(e, ERR_NOMEM, "eval: out of memory");
    int rc = 0;
    for (size_t i = 0; i < s->nidentities && rc == 0; i++)
        if (!(dirs[i] = eval_set_identity_dir(s, i)))
            rc = err_set(e, ERR_NOMEM, "eval: out of memory");
    ingest_summary is;
    ingest_options io = { .data_dir = data,
                          .threads = g->threads,
                          .limits = { .max_edge = 4096, .max_pixels = 400000000 },
                          .progress = -1,
                          .messages = stderr };
    if (rc == 0)
        rc = ingest_run(&io, dirs, (int)s->nidentities, &is, e);
    if (rc == 0)
        fprintf(stderr, "eval: ingest: %lld photos new, %lld unchanged, %lld failed (%.1f s)\n", (long long)is.photos,
                (long long)is.unchanged, (long long)is.failed, is.seconds);
    for (size_t i = 0; i < s->nidentities; i++)
        free(dirs[i]);
    free(dirs);
    return rc;
}

static int analyze_set(const cli_globals *g, const char *data, err *e)
{
    analyze_options ao = { .data_dir = data,
                           .models_dir = g->models_dir,
                           .threads = g->threads,
                           .pipeline = pipeline_default_options(),
                           .progress = -1,
                           .messages = stderr };
    analyze_summary as;
    int rc = analyze_run(&ao, &as, e);
    if (rc == 0)
        fprintf(stderr, "eval: analyze: %lld photos, %lld faces, %lld already done, %lld failed (%.1f s)\n",
                (long long)as.analyzed, (long long)as.faces, (long long)as.skipped, (long long)as.failed, as.seconds);
    return rc;
}

/* The person of each image's face (-1: none or no face). */
static int predictions(catalog *c, const eval_set *s, int32_t *pred, size_t *no_face, size_t *unassigned, err *e)
{
    *no_face = *unassigned = 0;
    for (size_t i = 0; i < s->n; i++) {
        pred[i] = -1;
        if (!s->face_id[i]) {
            (*no_face)++;
            continue;
        }
        int64_t person = 0;
        int found = catalog_face_person(c, s->face_id[i], &person, e);
        if (found < 0)
            return found;
        if (found && person > 0)
            pred[i] = (int32_t)person;
        else
            (*unassigned)++;
    }
    return 0;
}

static int write_assignments(const char *path, const eval_set *s, const int32_t *pred, err *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "file,identity,cluster\n");
    for (size_t i = 0; i < s->n; i++) {
        /* RFC 4180: quote a field holding a comma or quote */
        const char *fields[2] = { s->files[i], s->identities[s->truth[i]] };
        for (int k = 0; k < 2; k++) {
            if (strpbrk(fields[k], ",\"\n")) {
                fputc('"', f);
                for (const char *p = fields[k]; *p; p++) {
                    if (*p == '"')
                        fputc('"', f);
                    fputc(*p, f);
                }
                fputc('"', f);
            } else {
                fputs(fields[k], f);
            }
            fputc(',', f);
        }
        fprintf(f, "%d\n", pred[i]);
    }
    if (fclose(f) != 0)
        return err_set(e, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

static void print_scores(const cli_globals *g, const eval_set *s, const score_result *r, size_t no_face,
                         size_t unassigned)
{
    size_t with_face = s->n - no_face;
    double noise_fraction = with_face ? (double)unassigned / (double)with_face : 0;
    if (g->json) {
        json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:f,s:{s:f,s:f,s:f},s:{s:f,s:f,s:f},s:f,s:f,s:I,s:I}", "identities",
                              (json_int_t)s->nidentities, "images", (json_int_t)s->n, "no_face", (json_int_t)no_face,
                              "clusters", (json_int_t)r->clusters, "noise_fraction", noise_fraction, "pairwise",
                              "precision", r->pairwise_precision, "recall", r->pairwise_recall, "f1", r->pairwise_f1,
                              "bcubed", "precision", r->bcubed_precision, "recall", r->bcubed_recall, "f", r->bcubed_f,
                              "ari", r->ari, "nmi", r->nmi, "mixed_persons", (json_int_t)r->mixed_persons,
                              "split_identities", (json_int_t)r->split_identities);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (text)
            puts(text);
        free(text);
        return;
    }
    printf("eval %s: %zu identities, %zu images, %zu without a face\n", s->root, s->nidentities, s->n, no_face);
    printf("  persons found     %zu (identities %zu)\n", r->clusters, s->nidentities);
    printf("  unassigned faces  %zu (%.1f%% of the faces found)\n", unassigned, 100 * noise_fraction);
    printf("  pairwise          precision %.4f  recall %.4f  F1 %.4f\n", r->pairwise_precision, r->pairwise_recall,
           r->pairwise_f1);
    printf("  BCubed            precision %.4f  recall %.4f  F %.4f\n", r->bcubed_precision, r->bcubed_recall,
           r->bcubed_f);
    printf("  ARI %.4f  NMI %.4f\n", r->ari, r->nmi);
    printf("  mixed persons     %zu (persons with >= %d images of each of two identities)\n", r->mixed_persons,
           SCORE_MIN_BLOCK);
    printf("  split identities  %zu (identities in more than 2 persons with >= %d images each)\n", r->split_identities,
           SCORE_MIN_BLOCK);
}

static int run_eval(const cli_globals *g, int argc, char **argv)
{
    cluster_opts_tune_blas();
    people_stage_options o;
    people_stage_options_default(&o);
    o.threads = g->threads;
    o.full = true;
    cluster_opts co;
    cluster_opts_init(&co);
    enum { OPT_ASSIGNMENTS = 1000 };
    struct option longopts[CLUSTER_OPTS_MAX + 2];
    size_t nl = cluster_opts_longopts(longopts);
    longopts[nl++] = (struct option){ "assignments", required_argument, NULL, OPT_ASSIGNMENTS };
    longopts[nl] = (struct option){ NULL, 0, NULL, 0 };
    const char *assignments = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (c == OPT_ASSIGNMENTS) {
            assignments = optarg;
            continue;
        }
        if (c == ':')
            return cli_usage_error(&cmd_eval, "option '%s' needs a value", argv[optind - 1]);
        const char *msg = cluster_opts_take(&co, c, optarg);
        if (msg)
            return cli_usage_error(&cmd_eval, "%s", msg);
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_eval, "no DIR (a folder with one folder per identity)");
    if (optind + 1 < argc)
        return cli_usage_error(&cmd_eval, "unexpected argument '%s'", argv[optind + 1]);
    const char *msg = cluster_opts_finish(&co, &o.params, &o.metric);
    if (msg)
        return cli_usage_error(&cmd_eval, "%s", msg);

    err e = { 0 };
    eval_set s;
    if (eval_set_scan(argv[optind], &s, &e) != 0) {
        fprintf(stderr, "facetag eval: %s\n", e.msg);
        return EXIT_USAGE;
    }
    char tmp[512] = "";
    const char *data = g->data_set ? g->data_dir : NULL;
    if (!data) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/facetag-eval-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmp)) {
            fprintf(stderr, "facetag eval: cannot make a folder under %s: %s\n", base && *base ? base : "/tmp",
                    strerror(errno));
            eval_set_free(&s);
            return EXIT_USAGE;
        }
        data = tmp;
    }
    catalog *cat = NULL;
    people_stage_summary sum;
    int rc = ingest_set(g, data, &s, &e);
    if (rc == 0)
        rc = analyze_set(g, data, &e);
    if (rc == 0)
        rc = datadir_open(data, 0, NULL, &cat, &e);
    if (rc == 0)
        rc = people_stage_run(cat, &o, &sum, &e);
    if (rc == 0)
        rc = eval_set_match(&s, cat, sum.model_version, &e);
    int32_t *pred = rc == 0 ? malloc(s.n * sizeof *pred) : NULL;
    if (rc == 0 && !pred)
        rc = err_set(&e, ERR_NOMEM, "eval: out of memory");
    size_t no_face = 0, unassigned = 0;
    if (rc == 0)
        rc = predictions(cat, &s, pred, &no_face, &unassigned, &e);
    score_result r;
    if (rc == 0)
        rc = score_partition(s.truth, pred, s.n, &r, &e);
    if (rc == 0 && assignments)
        rc = write_assignments(assignments, &s, pred, &e);
    if (rc == 0) {
        fprintf(stderr, "eval: cluster: %s, %zu faces, %zu persons, %.2f s\n", cluster_algo_name(o.params.algo),
                sum.faces, sum.persons, sum.seconds);
        print_scores(g, &s, &r, no_face, unassigned);
    }
    catalog_close(cat);
    free(pred);
    eval_set_free(&s);
    if (tmp[0])
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc) {
        fprintf(stderr, "facetag eval: %s\n", e.msg);
        return EXIT_USAGE;
    }
    fflush(stdout);
    return EXIT_OK;
}

const cli_command cmd_eval = {
    .name = "eval",
    .summary = "score clustering against a folder-per-identity set (BCubed, pairwise, ARI, NMI)",
    .usage = usage,
    .run = run_eval,
};
