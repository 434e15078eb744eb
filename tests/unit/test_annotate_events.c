/* test_annotate_events.c — events and people's word on them (issue 11), on a
 * small real catalog (SQLite file), through the annotation file as people
 * edit it (annfile: export view, JSON edited, parse, apply):
 *  - an event renamed in a photo's file is renamed for all its photos, and
 *    the name holds through incremental and --full annotate runs; the file
 *    imported twice changes nothing; an older file that still has the name
 *    people renamed it away from does not rename it back; a name another
 *    event of that year has is refused, naming that event, nothing applied;
 *  - no empty event: a photo moved by hand out of an event whose only photo
 *    it was ("Unsortiert") leaves no event behind, at once and after annotate
 *    runs (also --full), and no stored event is without photos. */
#include "annfile/annfile.h"
#include "annfile/annfile_io.h"
#include "annotate_fixture.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nphotos;

static void photo(catalog *c, const char *path, const char *caption)
{
    char *side = annotate_fixture_caption(caption);
    annotate_fixture_photo(c, ++nphotos, path, side);
    free(side);
}

/* Photo n's annotation file as the export writes it (caller decrefs). */
static json_t *file_of(catalog *c, int n)
{
    annfile_view *v = NULL;
    err e = { 0 };
    CHECK_MSG(annfile_view_load(c, &v, &e) == 0, "view: %s", e.msg);
    char id[17];
    snprintf(id, sizeof id, "%016x", n);
    json_t *f = v ? annfile_build(v, id) : NULL;
    annfile_view_free(v);
    CHECK(f != NULL);
    return f;
}

/* Imports f as people's edit; the number of changes, or -1 with e set. */
static int import(catalog *c, json_t *f, err *e)
{
    char *text = json_dumps(f, JSON_INDENT(2));
    annfile_doc d;
    int rc = annfile_parse(text, strlen(text), "edit.json", &d, e);
    free(text);
    if (rc)
        return -1;
    annfile_view *v = NULL;
    annfile_result r = { 0 };
    rc = annfile_view_load(c, &v, e);
    if (rc == 0)
        rc = annfile_apply(c, v, &d, "edit.json", "test", false, NULL, &r, e);
    annfile_view_free(v);
    annfile_doc_free(&d);
    return rc ? -1 : (int)r.changes;
}

static int64_t empty_events(catalog *c)
{
    return test_query_int(c, "SELECT count(*) FROM events e WHERE NOT EXISTS "
                             "(SELECT 1 FROM photo_annotations a WHERE a.event_id = e.id)");
}

int main(void)
{
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-events", dir, sizeof dir);
    if (!c)
        return test_main_end();
    err e = { 0 };
    photo(c, "/a/1977/1977-02 Probe Nelken, Wuppertal/IMG_001_001.jpg", "Anna Weber bei der Probe"); /* 1 */
    photo(c, "/a/1977/1977-02 Probe Nelken, Wuppertal/IMG_001_002.jpg", NULL);                       /* 2 */
    photo(c, "/a/1977/1977-05 Gastspiel, Paris/IMG_002_001.jpg", NULL);                              /* 3 */
    photo(c, "/a/Unsortiert/IMG_0042.jpg", NULL);                                                    /* 4 */
    annotate_fixture_run(c, false);
    annotate_fixture_event_is(c, 1, "Probe Nelken");
    annotate_fixture_event_is(c, 2, "Probe Nelken");
    annotate_fixture_event_is(c, 3, "Gastspiel");
    annotate_fixture_event_is(c, 4, "Unsortiert");
    CHECK(empty_events(c) == 0);
    json_t *stale = file_of(c, 2); /* written before the rename */

    /* the event renamed in photo 1's file: renamed for photo 2 too */
    json_t *f = file_of(c, 1);
    json_t *ev = json_object_get(f, "event");
    CHECK(json_is_integer(json_object_get(ev, "id")));
    json_object_set_new(ev, "name", json_string("Generalprobe Nelken"));
    int n = import(c, f, &e);
    CHECK_MSG(n == 1, "rename: %d changes (%s)", n, e.msg);
    annotate_fixture_event_is(c, 1, "Generalprobe Nelken");
    annotate_fixture_event_is(c, 2, "Generalprobe Nelken");
    CHECK(test_query_int(c, "SELECT count(*) FROM decisions WHERE action = 'event_name' AND "
                            "json_extract(after, '$.name') = 'Generalprobe Nelken'") == 1);
    /* idempotent; an older file of another photo of the event does not rename it back */
    CHECK(import(c, f, &e) == 0);
    n = import(c, stale, &e);
    CHECK_MSG(n == 0, "the older file: %d changes (%s)", n, e.msg);
    annotate_fixture_event_is(c, 2, "Generalprobe Nelken");
    /* kept by annotate */
    annotate_fixture_run(c, false);
    annotate_fixture_event_is(c, 1, "Generalprobe Nelken");
    annotate_fixture_run(c, true);
    annotate_fixture_event_is(c, 2, "Generalprobe Nelken");
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Probe Nelken'") == 0);

    /* the name another event of 1977 has: refused, naming it; nothing of the file applied */
    json_t *g = file_of(c, 2);
    json_object_set_new(json_object_get(g, "event"), "name", json_string("Gastspiel"));
    json_object_set_new(g, "date", json_string("1977-02-03"));
    memset(&e, 0, sizeof e);
    CHECK(import(c, g, &e) < 0);
    CHECK_MSG(strstr(e.msg, "edit.json: event.name") && strstr(e.msg, "called 'Gastspiel' already"), "message: %s",
              e.msg);
    annotate_fixture_event_is(c, 2, "Generalprobe Nelken");
    CHECK(test_query_int(c, "SELECT count(*) FROM photo_annotations WHERE date_source = 'human'") == 0);
    json_decref(g);

    /* no empty event: the only photo of "Unsortiert" moved by hand */
    g = file_of(c, 4);
    json_object_set_new(g, "event", json_pack("{s:s}", "name", "Premiere Paris"));
    n = import(c, g, &e);
    CHECK_MSG(n == 1, "move: %d changes (%s)", n, e.msg);
    annotate_fixture_event_is(c, 4, "Premiere Paris");
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Unsortiert'") == 0);
    CHECK(empty_events(c) == 0);
    annotate_fixture_run(c, false);
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Unsortiert'") == 0);
    annotate_fixture_run(c, true);
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Unsortiert'") == 0);
    annotate_fixture_event_is(c, 4, "Premiere Paris");
    CHECK(empty_events(c) == 0);
    /* moved again: the event people made, left empty, goes too */
    json_decref(g);
    g = file_of(c, 4);
    json_object_set_new(g, "event", json_pack("{s:s}", "name", "Probe Paris"));
    CHECK(import(c, g, &e) == 1);
    CHECK(test_query_int(c, "SELECT count(*) FROM events WHERE name = 'Premiere Paris'") == 0);
    CHECK(empty_events(c) == 0);
    annotate_fixture_event_is(c, 1, "Generalprobe Nelken");
    json_decref(g);
    json_decref(f);
    json_decref(stale);
    annotate_fixture_close(c, dir);
    return test_main_end();
}
