/* annotate_fixture.c — the annotate tests' small catalog (annotate_fixture.h). */
#include "annotate_fixture.h"

#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

catalog *annotate_fixture_open(const char *tag, char *dir, size_t size)
{
    snprintf(dir, size, "%s", test_tmpdir(tag));
    char path[512];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s: %s", path, e.msg);
    return c;
}

void annotate_fixture_close(catalog *c, const char *dir)
{
    catalog_close(c);
    test_rmtree(dir);
}

void annotate_fixture_photo(catalog *c, int n, const char *path, const char *sidecar)
{
    err e = { 0 };
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%016x", n);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", p.photo_id, p.photo_id, p.photo_id, p.photo_id);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", p.photo_id);
    p.width = p.orig_width = 800;
    p.height = p.orig_height = 600;
    p.orientation = 1;
    p.sidecar = (char *)sidecar;
    CHECK_MSG(catalog_photo_put(c, &p, &e) >= 0, "%s", e.msg);
    if (path)
        CHECK_MSG(catalog_source_add(c, p.photo_id, path, 100, 0, &e) >= 0, "%s", e.msg);
}

int64_t annotate_fixture_face(catalog *c, int n, int64_t person)
{
    err e = { 0 };
    catalog_face f = { 0 };
    snprintf(f.photo_id, sizeof f.photo_id, "%016x", n);
    snprintf(f.model_version, sizeof f.model_version, "m1");
    f.box[0] = 100, f.box[1] = 100, f.box[2] = 200, f.box[3] = 200;
    f.score = 0.9;
    f.person_id = person;
    snprintf(f.source, sizeof f.source, "detector");
    CHECK(catalog_face_put(c, &f, &e) == 0);
    CHECK(catalog_analysis_put(c, f.photo_id, "m1", "done", 1, NULL, &e) == 0);
    return f.id;
}

char *annotate_fixture_caption(const char *caption)
{
    if (!caption)
        return NULL;
    json_t *j = json_pack("{s:s}", "txt", caption);
    char *side = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return side;
}

annotate_summary annotate_fixture_run(catalog *c, bool full)
{
    annotate_options o;
    annotate_options_default(&o);
    o.full = full;
    annotate_summary s = { 0 };
    err e = { 0 };
    CHECK_MSG(annotate_run(c, &o, &s, &e) == 0, "annotate: %s", e.msg);
    return s;
}

char *annotate_fixture_query(catalog *c, const char *fmt, int n)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, n);
    return test_query_text(c, sql);
}

void annotate_fixture_event_is(catalog *c, int n, const char *want)
{
    char *got = annotate_fixture_query(c,
                                       "SELECT e.name FROM photo_annotations a JOIN events e ON e.id = a.event_id "
                                       "WHERE a.photo_id = printf('%%016x', %d)",
                                       n);
    CHECK_MSG(got && strcmp(got, want) == 0, "photo %d: event '%s', want '%s'", n, got ? got : "(none)", want);
    free(got);
}

void annotate_fixture_date_is(catalog *c, int n, const char *want, const char *what)
{
    char *got =
        annotate_fixture_query(c, "SELECT date_value FROM photo_annotations WHERE photo_id = printf('%%016x', %d)", n);
    CHECK_MSG(want ? got && strcmp(got, want) == 0 : got == NULL, "photo %d (%s): date '%s', want '%s'", n, what,
              got ? got : "(none)", want ? want : "(none)");
    free(got);
}
