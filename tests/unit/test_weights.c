/* test_weights.c — the tfjs weight loader: uint8 dequantisation in double then
 * float32, raw float32 at unaligned offsets, skipped entries, and every failure
 * (missing manifest, bad JSON, missing tensor, wrong shape, short shard) with a
 * message naming model, tensor and shapes; then the real SSD manifest. */
#include "nn/weights.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* A manifest with: q [2,3] uint8 (min -1, scale 0.1), k int32 scalar (skipped by
 * the table), f [3] raw float32 at byte offset 7. */
static const char *MANIFEST =
    "[{\"paths\":[\"toy.bin\"],\"weights\":["
    "{\"name\":\"a/q\",\"shape\":[2,3],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint8\",\"min\":-1.0,"
    "\"scale\":0.1}},"
    "{\"name\":\"a/k\",\"shape\":[],\"dtype\":\"int32\",\"quantization\":{\"dtype\":\"uint8\",\"min\":0,"
    "\"scale\":1}},"
    "{\"name\":\"a/f\",\"shape\":[3],\"dtype\":\"float32\"}]}]";

static void make_toy(const char *dir, size_t shard_len)
{
    write_file(dir, "toy-weights_manifest.json", MANIFEST, strlen(MANIFEST));
    unsigned char bin[19];
    const unsigned char q[6] = { 0, 1, 10, 20, 200, 255 };
    memcpy(bin, q, 6);
    bin[6] = 7;
    const float f[3] = { 1.5f, -2.25f, 3.0e-8f };
    memcpy(bin + 7, f, 12);
    write_file(dir, "toy.bin", bin, shard_len);
}

static void test_toy(void)
{
    const char *tmp = test_tmpdir("weights");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tmp);
    make_toy(dir, 19);
    const weights_spec table[] = { { "a/f", 1, { 3 } }, { "a/q", 2, { 2, 3 } } };
    weights *w = NULL;
    err e = { 0 };
    CHECK_MSG(weights_load(dir, "toy", table, 2, &w, &e) == 0, "%s", e.msg);
    if (w) {
        CHECK(weights_count(w) == 2);
        CHECK(strcmp(weights_model(w), "toy") == 0);
        const wtensor *q = weights_get(w, "a/q"), *f = weights_at(w, 0);
        CHECK(q == weights_at(w, 1) && q->count == 6 && q->ndim == 2 && q->shape[1] == 3);
        const unsigned char qs[6] = { 0, 1, 10, 20, 200, 255 };
        for (int i = 0; i < 6; i++)
            CHECK(q->data[i] == (float)((double)qs[i] * 0.1 + -1.0));
        CHECK(f->data[0] == 1.5f && f->data[1] == -2.25f && f->data[2] == 3.0e-8f);
        CHECK(weights_get(w, "a/k") == NULL);
        weights_release(w, 1);
        CHECK(weights_at(w, 1)->data == NULL && weights_at(w, 1)->count == 6 && weights_at(w, 0)->data != NULL);
        weights_release(w, 1); /* twice is harmless */
        weights_release(w, 9); /* out of range is ignored */
        weights_free(w);
    }
    /* Wrong shape in the table: message names model, tensor, expected and found. */
    const weights_spec bad_shape[] = { { "a/q", 2, { 3, 2 } } };
    CHECK(weights_load(dir, "toy", bad_shape, 1, &w, &e) == ERR_MODEL && w == NULL);
    CHECK_MSG(strcmp(e.msg, "toy: a/q expects [3,2], file has [2,3]") == 0, "%s", e.msg);
    const weights_spec bad_rank[] = { { "a/f", 2, { 3, 1 } } };
    CHECK(weights_load(dir, "toy", bad_rank, 1, &w, &e) == ERR_MODEL);
    CHECK_MSG(strcmp(e.msg, "toy: a/f expects [3,1], file has [3]") == 0, "%s", e.msg);
    const weights_spec missing[] = { { "a/zz", 1, { 4 } } };
    CHECK(weights_load(dir, "toy", missing, 1, &w, &e) == ERR_MODEL);
    CHECK_MSG(strstr(e.msg, "toy: a/zz expects [4]") != NULL, "%s", e.msg);
    /* Truncated shard. */
    make_toy(dir, 18);
    CHECK(weights_load(dir, "toy", table, 2, &w, &e) == ERR_FORMAT);
    CHECK_MSG(strstr(e.msg, "18") && strstr(e.msg, "19"), "%s", e.msg);
    /* Missing shard file. */
    char path[4200];
    snprintf(path, sizeof path, "%s/toy.bin", dir);
    remove(path);
    CHECK(weights_load(dir, "toy", table, 2, &w, &e) == ERR_IO);
    CHECK_MSG(strstr(e.msg, "toy.bin") != NULL, "%s", e.msg);
    /* Missing manifest. */
    CHECK(weights_load(dir, "nomodel", table, 2, &w, &e) == ERR_IO);
    CHECK_MSG(strstr(e.msg, "nomodel-weights_manifest.json") && strstr(e.msg, "make models"), "%s", e.msg);
    /* Not JSON / not an array / unsupported dtype. */
    write_file(dir, "bad-weights_manifest.json", "[{", 2);
    CHECK(weights_load(dir, "bad", table, 2, &w, &e) == ERR_FORMAT);
    write_file(dir, "obj-weights_manifest.json", "{}", 2);
    CHECK(weights_load(dir, "obj", table, 2, &w, &e) == ERR_FORMAT);
    const char *f16 = "[{\"paths\":[\"x.bin\"],\"weights\":[{\"name\":\"h\",\"shape\":[1],\"dtype\":\"float16\"}]}]";
    write_file(dir, "f16-weights_manifest.json", f16, strlen(f16));
    CHECK(weights_load(dir, "f16", table, 2, &w, &e) == ERR_FORMAT);
    CHECK_MSG(strstr(e.msg, "float16") != NULL, "%s", e.msg);
    test_rmtree(dir);
}

static void test_shape_str(void)
{
    char buf[32];
    int s[4] = { 3, 3, 32, 16 };
    CHECK(strcmp(weights_shape_str(4, s, buf, sizeof buf), "[3,3,32,16]") == 0);
    CHECK(strcmp(weights_shape_str(0, s, buf, sizeof buf), "[]") == 0);
    char tiny[4];
    weights_shape_str(4, s, tiny, sizeof tiny);
    CHECK(strlen(tiny) < sizeof tiny);
}

/* The real SSD weights: value ranges from NOTES appendix A, unaligned priors. */
static void test_real_ssd(const char *models)
{
    const weights_spec table[] = {
        { "MobilenetV1/Conv2d_0_pointwise/weights", 4, { 3, 3, 3, 32 } },
        { "Output/extra_dim", 3, { 1, 5118, 4 } },
    };
    weights *w = NULL;
    err e = { 0 };
    CHECK_MSG(weights_load(models, "ssd_mobilenetv1_model", table, 2, &w, &e) == 0, "%s", e.msg);
    if (!w)
        return;
    const wtensor *c0 = weights_at(w, 0), *pr = weights_at(w, 1);
    float lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < c0->count; i++)
        lo = fminf(lo, c0->data[i]), hi = fmaxf(hi, c0->data[i]);
    CHECK_MSG(fabsf(lo - -5.015f) < 1e-3f && fabsf(hi - 5.054f) < 1e-3f, "range %g..%g", lo, hi);
    /* Anchor 0 = [-0.034, -0.034, 0.066, 0.066]. */
    CHECK_MSG(fabsf(pr->data[0] + 0.034f) < 1e-3f && fabsf(pr->data[2] - 0.066f) < 1e-3f, "%g %g", pr->data[0],
              pr->data[2]);
    weights_free(w);
}

int main(void)
{
    test_shape_str();
    test_toy();
    const char *models = getenv("FACETAG_MODELS");
    struct stat st;
    if (!models || stat(models, &st) != 0)
        printf("skipped: models (%s) absent: real-manifest checks not run\n", models ? models : "unset");
    else
        test_real_ssd(models);
    return test_main_end();
}
