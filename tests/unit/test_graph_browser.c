/* test_graph_browser.c — the timeline and graph views in headless Chromium
 * (Debian's chromium driven by playwright-core, tests/browser/graph.mjs)
 * against a real review server on loopback. Ten real photos (the demo photos
 * and group photos of shared/data) are ingested; persons, events, places and
 * dates with hostile names come from graph_fixture.h. The browser drives both
 * views with mouse and keys, opens an event and a place page, and fails on any
 * page error or console error (a CSP violation among them) or on markup that
 * a name injected. FACETAG_SCREENSHOTS=DIR keeps a screenshot of each view. */
#include "graph_fixture.h"
#include "ingest/ingest.h"
#include "review/server.h"
#include "store/datadir.h"
#include "store/objstore.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    const char *models = getenv("FACETAG_MODELS"), *shared = test_shared_dir(), *src = getenv("FACETAG_SRC");
    const char *chromium = getenv("CHROMIUM") ? getenv("CHROMIUM") : "/usr/bin/chromium";
    CHECK_MSG(models && shared && src, "FACETAG_MODELS, FACETAG_SHARED and FACETAG_SRC must be set");
    CHECK_MSG(access(chromium, X_OK) == 0, "%s is missing: the browser tests need Debian's chromium (make deps)",
              chromium);
    if (!models || !shared || !src || access(chromium, X_OK) != 0)
        return test_main_end();
    static const char *const names[GF_PHOTOS] = { "sample1.jpg",      "sample2.jpg",      "sample3.jpg",
                                                  "sample4.jpg",      "sample5.jpg",      "sample6.jpg",
                                                  "faceapi_bbt1.jpg", "faceapi_bbt2.jpg", "faceapi_bbt3.jpg",
                                                  "faceapi_bbt4.jpg" };
    char paths[GF_PHOTOS][1024];
    char *argv[GF_PHOTOS];
    for (int i = 0; i < GF_PHOTOS; i++) {
        if (i < 6)
            snprintf(paths[i], sizeof paths[i], "%s/../demo/%s", models, names[i]);
        else
            snprintf(paths[i], sizeof paths[i], "%s/data/group-photos/modern-groups/%s", shared, names[i]);
        argv[i] = paths[i];
    }
    const char *dir = test_tmpdir("graph-browser");
    err e = { 0 };
    ingest_options io = { .data_dir = dir,
                          .threads = 2,
                          .limits = { .max_edge = 1600, .max_pixels = 400000000 },
                          .progress = 0,
                          .messages = stderr };
    ingest_summary sum;
    int rc = ingest_run(&io, argv, GF_PHOTOS, &sum, &e);
    CHECK_MSG(rc == 0 && sum.photos == GF_PHOTOS, "ingest: %s", e.msg);
    catalog *c = NULL;
    objstore *objs = NULL;
    if (rc == 0)
        rc = datadir_open(dir, 0, &objs, &c, &e);
    graph_fixture f;
    memset(&f, 0, sizeof f);
    if (rc == 0) {
        char *ids = test_query_text(
            c, "SELECT group_concat(photo_id, ',') FROM (SELECT photo_id FROM photos ORDER BY photo_id)");
        for (int i = 0; ids && i < GF_PHOTOS; i++)
            memcpy(f.photo[i], ids + i * (PHOTO_ID_LEN + 1), PHOTO_ID_LEN);
        free(ids);
        rc = graph_fixture_build_on(c, &f, &e);
        CHECK_MSG(rc == 0, "fixture: %s", e.msg);
    }
    /* The fixture's faces are their photos' current analysis, so the person
     * pages show their crops: the photo itself stands in for each. */
    char *faces = rc == 0 ? test_query_text(c, "SELECT group_concat(photo_id || '/' || face_no, ',') FROM faces"
                                               " WHERE model_version = 'test-model'")
                          : NULL;
    for (char *tok = faces ? strtok(faces, ",") : NULL; tok && rc == 0; tok = strtok(NULL, ",")) {
        char src_key[64], crop_key[64];
        snprintf(src_key, sizeof src_key, "%.16s.jpg", tok);
        snprintf(crop_key, sizeof crop_key, "%s.jpg", tok);
        void *data = NULL;
        size_t len = 0;
        rc = objstore_get(objs, BUCKET_PROCESSED, src_key, &data, &len, &e);
        if (rc == 0)
            rc = objstore_put(objs, BUCKET_FACES, crop_key, data, len, &e);
        free(data);
        CHECK_MSG(rc == 0, "crop %s: %s", crop_key, e.msg);
    }
    free(faces);
    objstore_close(objs);
    catalog_close(c);
    review_server *s = NULL;
    if (rc == 0) {
        review_options o = { .data_dir = dir, .models_dir = models, .port = 0, .threads = 4 };
        s = review_server_start(&o, &e);
        CHECK_MSG(s != NULL, "%s", e.msg);
    }
    if (s) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cd '%s/tests/browser' && node graph.mjs http://127.0.0.1:%d/ %lld %lld %lld '%s'",
                 src, review_server_port(s), (long long)f.person[0], (long long)f.karneval, (long long)f.hostile_place,
                 f.photo[0]);
        int status = system(cmd);
        CHECK_MSG(status == 0, "the browser steps failed (status %d): %s", status, cmd);
        review_server_stop(s);
    }
    test_rmtree(dir);
    return test_main_end();
}
