/* export_json.h — the whole catalog as one JSON document, the shape
 * ../shared/data/archive/score_archive.py reads and `facetag export json` and
 * GET /api/export.json serve:
 *   {"photos": [{"photo_id", "paths": [...], "width", "height",
 *                "date": {"value", "precision", "source", "inferred"} | null,
 *                "timestamp_source", "place": {"id", "name", "country", "lat", "lon"} | null,
 *                "event_id", "caption",
 *                "faces": [{"face_id", "face_no", "box": [x, y, w, h], "score",
 *                           "person_id", "name", "name_status", "suggestions":
 *                           [{"name", "confidence", "source", "evidence", "status"}]}]}],
 *    "persons": [{"id", "name", "name_status", "faces", "photos", "suggestions"}],
 *    "events": [{"id", "name", "date", "place_id", "place", "photos"}],
 *    "places": [{"id", "name", "country", "lat", "lon", "geonames_id", "source"}]}
 * A face's name is the name people gave its person (name_status "confirmed"),
 * else its person's best open suggestion, else its own (faces of no person;
 * "suggested"), else null ("unnamed"); within one photo no name is given to
 * two faces (the weaker takes its next suggestion). */
#ifndef FACETAG_EXPORT_EXPORT_JSON_H
#define FACETAG_EXPORT_EXPORT_JSON_H

#include "core/error.h"
#include "store/catalog.h"

#include <jansson.h>

/* *out: a new reference the caller decrefs. */
int export_json_build(catalog *c, json_t **out, err *e);

#endif
