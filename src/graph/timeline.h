/* timeline.h — the archive's chronology: photos grouped into entries in time
 * order (an event's photos together under the event's date; other photos by
 * their own date at its precision), each with the people in it and their
 * estimated age; undated photos listed apart, never placed by guess.
 *
 * The answer:
 * {"timeline": [{"id": "event:3" | "date:1977-02:month", "date": "1977-02", "precision": "month", "event": "…" | null,
 *                "event_id": 3 | null, "place": "…" | null, "place_id": …,
 *                "photo_count": N, "photos": [{"id", "date", "precision",
 *                "date_source", "people": [{"id", "name", "age"}]}]}],
 *  "undated": [{"id", "people"}], "undated_count": N, "truncated": bool,
 *  "person": {"id", "name", "first_seen", "last_seen", "photos", "dated_photos",
 *             "events": [{"id", "name", "date"}], "places": [{"id", "name"}]}  (with person_id)}
 * "truncated" is true when max_entries cut the list; the person's "events"
 * and "places" are those of the entries listed (in their order). */
#ifndef FACETAG_GRAPH_TIMELINE_H
#define FACETAG_GRAPH_TIMELINE_H

#include "core/error.h"
#include "store/catalog.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct timeline_options {
    int64_t person_id;      /* > 0: only photos this person appears in, plus "person" */
    int from_year, to_year; /* 0 = open */
    bool with_undated;
    size_t max_entries; /* 0 = no limit */
    size_t max_photos;  /* per entry (and undated); 0 = no limit; photo_count still counts all */
    bool counts_only;   /* no photo lists (entries with their photo_count only) */
    const char *entry;  /* NULL, or one entry only, by its "id" (event:ID, date:DATE:PRECISION) */
} timeline_options;

/* Splits an entry id: *event_id > 0 for "event:ID", else date (size >= 11)
 * and *precision (static) for "date:DATE:PRECISION". ERR_INVALID otherwise. */
int timeline_parse_entry(const char *entry, int64_t *event_id, char *date, size_t size, const char **precision, err *e);

/* The answer as JSON text (malloc'd, *len set; caller frees), written as the
 * photos or runs are read, without a JSON tree: what the API sends.
 * ERR_NOTFOUND when person_id names no (visible) person. */
int timeline_text(catalog *c, const timeline_options *o, char **out, size_t *len, err *e);

/* The same answer as a jansson tree (caller json_decref's *out), for the
 * command line and tests: timeline_text read back. */
int timeline_build(catalog *c, const timeline_options *o, json_t **out, err *e);

#endif
