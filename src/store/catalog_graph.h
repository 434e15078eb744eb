/* catalog_graph.h — the archive as a graph, read from the catalog's own tables.
 *
 * The graph of shared/DESIGN.md ("Graph model") is not stored as edge rows: each
 * node set and relation set below is one query over the tables it comes from
 * (photos, photo_sources, faces, persons, person_suggestions, photo_annotations,
 * events, places, years), so it is current the moment a person is renamed or a
 * date annotated, and a human decision (a rejected face, a hidden person, a date
 * with source 'human') is what the graph shows without a second copy to keep
 * in step. docs/decisions/graph-derived-not-stored.md says why and what it costs.
 *
 * Sets are streamed row by row in a fixed order (one SQLite statement each), so
 * an export of any size holds one row at a time.
 *
 * Also here: the writers of the places, events and photo_annotations rows of
 * schema migration 4 (the contract annotate writes to), the timeline, a node's
 * neighbourhood and co-appearance counts. All functions return 0 or a negative
 * errcode with e filled (catalog.h conventions). */
#ifndef FACETAG_STORE_CATALOG_GRAPH_H
#define FACETAG_STORE_CATALOG_GRAPH_H

#include "store/catalog.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- node and relation sets ---------------------------------------------- */

typedef enum catalog_graph_set {
    /* nodes */
    CATALOG_GRAPH_FOTO,     /* id, path, timestamp, precision, date_source */
    CATALOG_GRAPH_PERSON,   /* cluster_id, name, suggested_labels (list), confidence */
    CATALOG_GRAPH_CLUSTER,  /* id, size */
    CATALOG_GRAPH_EVENT,    /* id, name, year, date, precision, source */
    CATALOG_GRAPH_LOCATION, /* id, name, lat, lon, country, geonames_id, source */
    CATALOG_GRAPH_YEAR,     /* value */
    /* relations: first column the start node's key, second the end node's */
    CATALOG_GRAPH_APPEARS_IN,   /* person, photo, bbox (list x,y,w,h), confidence */
    CATALOG_GRAPH_TAKEN_AT,     /* photo, place */
    CATALOG_GRAPH_PART_OF,      /* photo, event */
    CATALOG_GRAPH_LOCATED_IN,   /* event, place */
    CATALOG_GRAPH_SAME_AS,      /* cluster, person */
    CATALOG_GRAPH_PERFORMED_AT, /* person, event, role (attendee, photographer), photos */
    CATALOG_GRAPH_IN_YEAR,      /* photo, year */
    CATALOG_GRAPH_NEXT_PHOTO,   /* photo, photo, scope ("event:ID"): dated photos of an event in time order */
    CATALOG_GRAPH_NEXT_EVENT,   /* event, event, scope ("archive" or "person:ID") */
    CATALOG_GRAPH_SET_COUNT
} catalog_graph_set;

/* What a column holds. LIST columns are JSON arrays of numbers or strings. */
typedef enum catalog_graph_kind {
    CATALOG_GRAPH_TEXT,
    CATALOG_GRAPH_INT,
    CATALOG_GRAPH_REAL,
    CATALOG_GRAPH_LIST
} catalog_graph_kind;

typedef struct catalog_graph_column {
    const char *name;
    catalog_graph_kind kind;
} catalog_graph_column;

/* The columns of a set (static storage), *n set. */
const catalog_graph_column *catalog_graph_columns(catalog_graph_set set, int *n);

/* One value of a row; valid only during the callback. */
typedef struct catalog_graph_value {
    bool null;
    int64_t i;     /* INT */
    double r;      /* REAL */
    const char *s; /* TEXT, LIST (JSON text): NUL-terminated, len bytes */
    size_t len;
} catalog_graph_value;

/* Calls fn for each row of the set in a fixed order (the start key, then the
 * end key); fn returns non-zero to stop, and that value is returned. */
typedef int (*catalog_graph_row_fn)(const catalog_graph_value *row, int n, void *ud);
int catalog_graph_each(catalog *c, catalog_graph_set set, catalog_graph_row_fn fn, void *ud, err *e);

/* A read transaction (BEGIN DEFERRED plus a first read), so every set of one
 * export comes from the same state of the catalog while writers go on. */
int catalog_graph_read_begin(catalog *c, err *e);
void catalog_graph_read_end(catalog *c);
/* The same for one request's several reads (a neighbourhood, a timeline page):
 * one snapshot and one lock for all of them. true when a read transaction was
 * begun (end it with catalog_graph_read_end); false when one was open already
 * or none could be begun (each read then takes its own). */
bool catalog_graph_read_snapshot(catalog *c);

/* ---- writers of the schema 4 contract (places, events, annotations) ------- */

typedef struct catalog_place {
    int64_t id;       /* set by catalog_graph_place_put */
    const char *name; /* required, unique */
    bool has_coords;
    double lat, lon;
    const char *country; /* NULL = unknown */
    int64_t geonames_id; /* 0 = unknown */
    const char *source;  /* NULL = unknown */
} catalog_place;
/* Inserts the place, or updates the facts of the place with the same name;
 * p->id set. ERR_INVALID for an empty name or lat/lon out of range. */
int catalog_graph_place_put(catalog *c, catalog_place *p, err *e);

typedef struct catalog_event {
    int64_t id;                 /* set by catalog_graph_event_put */
    const char *name;           /* required */
    int year;                   /* 0 = unknown */
    int64_t location_id;        /* 0 = none */
    const char *date_value;     /* "1977", "1977-02", "1977-02-14"; NULL = none */
    const char *date_precision; /* day, month, season, year, decade; NULL with no date */
    const char *source;
} catalog_event;
/* Inserts the event, or updates the one with the same (name, year); e->id set. */
int catalog_graph_event_put(catalog *c, catalog_event *ev, err *e);

typedef struct catalog_annotation {
    const char *photo_id;
    const char *date_value, *date_precision, *date_source; /* NULL = no date */
    bool date_inferred;
    int64_t place_id; /* 0 = none */
    const char *place_source;
    int64_t event_id;     /* 0 = none */
    const char *evidence; /* JSON array text or NULL */
} catalog_annotation;
/* Writes the photo's annotation row (replacing one not written by a person:
 * a row whose date_source or place_source is 'human' is kept and ERR_CONFLICT
 * returned unless a->date_source is 'human' too). */
int catalog_graph_annotation_put(catalog *c, const catalog_annotation *a, err *e);

/* ---- timeline ------------------------------------------------------------- */

/* One photo in time order: its date (the annotation's, else EXIF taken_at),
 * precision ("day" for EXIF), and its event/place when annotated. Strings valid
 * during the callback only; date NULL for undated photos. */
typedef struct catalog_timeline_photo {
    const char *photo_id;
    const char *date, *precision, *date_source;
    int64_t event_id;       /* 0 = none */
    const char *event_name; /* NULL = none */
    const char *event_date, *event_precision;
    int64_t place_id;
    const char *place_name;
} catalog_timeline_photo;
typedef int (*catalog_timeline_fn)(const catalog_timeline_photo *p, void *ud);

/* Which photos of the timeline (the stored, date-ordered timeline_photos of
 * schema 12: an indexed range read, however large the archive). */
typedef struct catalog_timeline_filter {
    int64_t person_id;      /* > 0: only photos where that person appears */
    int from_year, to_year; /* years, 0 = open: bound the dated photos by the date they sort under */
    bool with_undated;      /* then the undated photos */
    /* One entry instead (from/to/with_undated ignored): */
    int64_t event_id;             /* > 0: the dated photos of this event */
    const char *date, *precision; /* date != NULL: the photos of no event dated date at precision */
} catalog_timeline_filter;
/* Dated photos in order (event date or own date, then event, date,
 * precision, photo id), then undated ones by photo id. ERR_INVALID for a date without a valid
 * precision. */
int catalog_graph_timeline(catalog *c, const catalog_timeline_filter *q, catalog_timeline_fn fn, void *ud, err *e);

/* The dated photos of from_year..to_year (0 = open) as the timeline's
 * entries count them, without reading each photo: runs of consecutive photos
 * in timeline order (catalog_graph_timeline's) that are one event's, or of no
 * event with one sort key and precision. fn gets each run's first photo (its
 * photo_id, date, precision, event with its name and date, place with its
 * name; no date_source) and how many photos the run has. Reads a row per
 * run (schema 25's timeline_run_heads, kept by triggers), with its event and
 * place joined. */
typedef int (*catalog_timeline_run_fn)(const catalog_timeline_photo *first, int64_t photos, void *ud);
int catalog_graph_timeline_runs(catalog *c, int from_year, int to_year, catalog_timeline_run_fn fn, void *ud, err *e);

/* The years with dated photos (of person_id's photos when > 0), in order, with
 * how many photos sort under each; *undated the number of undated ones. */
typedef int (*catalog_year_fn)(int year, int64_t photos, void *ud);
int catalog_graph_timeline_years(catalog *c, int64_t person_id, catalog_year_fn fn, void *ud, int64_t *undated, err *e);

/* The people in a photo (persons not hidden, faces not rejected, of its
 * current analysis), with the estimated age of the best face (highest score,
 * then lowest face id); fn per person in person id order. */
typedef int (*catalog_photo_person_fn)(int64_t person_id, const char *name, bool has_age, double age, void *ud);
int catalog_graph_photo_persons(catalog *c, const char *photo_id, catalog_photo_person_fn fn, void *ud, err *e);

/* ---- neighbourhood, events, places, co-appearance ------------------------ */

/* What a node's own row says of its relations, as catalog_graph_node_info
 * read it: a Foto's event and place (PART_OF, TAKEN_AT), an Event's place
 * (LOCATED_IN); 0 = none. known is false for other types or when not read. */
typedef struct catalog_node_links {
    bool known;
    int64_t event_id, place_id;
} catalog_node_links;

/* A node's neighbours over every relation, both directions, at most limit
 * (< 0: no limit), fn per neighbour in a fixed order. Types are the node labels
 * ("Foto", "Person", ...); ids text (photo id, number). Valid during fn only. */
typedef struct catalog_neighbour {
    const char *rel;
    int dir; /* 1 = out, -1 = in */
    const char *type, *id;
    /* The other node's caption when the row carries it (a Person's, as
     * catalog_graph_node_label gives it), NULL when it does not (or the person
     * is hidden): then catalog_graph_node_info has it. */
    const char *label;
    /* facts: the row carries what catalog_graph_node_info would read of the
     * other node (a Foto's or Event's met from a Person): its caption in
     * label (a Foto's file name, an Event's name; NULL read as ""), its year
     * and place (0 = none) and links. false: call catalog_graph_node_info. */
    bool facts;
    int year;
    int64_t place_id;
    catalog_node_links links;
} catalog_neighbour;
typedef int (*catalog_neighbour_fn)(const catalog_neighbour *nb, void *ud);
int catalog_graph_neighbours(catalog *c, const char *type, const char *id, int limit, catalog_neighbour_fn fn, void *ud,
                             err *e);

/* catalog_graph_neighbours, the same rows, with links (from
 * catalog_graph_node_info in the same read snapshot; NULL or not known: read
 * as catalog_graph_neighbours does) taken instead of reading the node's row
 * again: a graph walk reads each photo it expands once, not twice. */
int catalog_graph_neighbours_known(catalog *c, const char *type, const char *id, const catalog_node_links *links,
                                   int limit, catalog_neighbour_fn fn, void *ud, err *e);
/* A node's caption: person name or "Person N", event name, place name, photo
 * path's file name, the year. 1 and buf filled when the node exists, 0 if not. */
int catalog_graph_node_label(catalog *c, const char *type, const char *id, char *buf, size_t size, err *e);

/* A frame of a contact sheet or video (a photo without a file of its own), as
 * catalog_graph_node_info finds it: the caller names it (media/frame_name.h). */
typedef struct catalog_node_frame {
    char kind[8]; /* "sheet" or "video"; "" when the photo is not a frame */
    int frame_no;
    int64_t time_ms; /* a video frame's time, -1 when none */
} catalog_node_frame;

/* The same in one query, with what the graph view filters by: the year (0 =
 * none) and place (0 = none) of a Foto (its date as on the timeline) or an
 * Event; both 0 for other types. year, place_id, frame and links may be
 * NULL. A Foto that is a frame (and has no file of its own) fills *frame, and
 * buf has its parent's file name (or the parent's id) instead of its own.
 * links: what catalog_graph_neighbours_known can take from the same row. */
int catalog_graph_node_info(catalog *c, const char *type, const char *id, char *buf, size_t size, int *year,
                            int64_t *place_id, catalog_node_frame *frame, catalog_node_links *links, err *e);

typedef struct catalog_event_row {
    int64_t id;
    const char *name;
    int year; /* 0 = unknown */
    const char *date, *precision, *source;
    int64_t place_id;
    const char *place_name;
    int64_t photos; /* photos annotated with the event */
} catalog_event_row;
typedef int (*catalog_event_fn)(const catalog_event_row *ev, void *ud);
/* Events in time order (undated last); event_id > 0: that one only (0 rows = none). */
int catalog_graph_events(catalog *c, int64_t event_id, catalog_event_fn fn, void *ud, err *e);

typedef struct catalog_place_row {
    int64_t id;
    const char *name, *country, *source;
    bool has_coords;
    double lat, lon;
    int64_t photos, events;
} catalog_place_row;
typedef int (*catalog_place_fn)(const catalog_place_row *p, void *ud);
/* Places by name; place_id > 0: that one only. */
int catalog_graph_places(catalog *c, int64_t place_id, catalog_place_fn fn, void *ud, err *e);

/* Photos of an event (date order) or of a place (event_id 0): fn(photo_id). */
typedef int (*catalog_photo_id_fn)(const char *photo_id, const char *date, void *ud);
int catalog_graph_event_photos(catalog *c, int64_t event_id, int limit, catalog_photo_id_fn fn, void *ud, err *e);
int catalog_graph_place_photos(catalog *c, int64_t place_id, int limit, catalog_photo_id_fn fn, void *ud, err *e);

/* Who appears with whom: pairs of persons (a < b, not hidden) sharing photos,
 * most shared first, at most limit; person_id > 0 limits to pairs with them. */
typedef int (*catalog_coappear_fn)(int64_t a, const char *name_a, int64_t b, const char *name_b, int64_t photos,
                                   void *ud);
int catalog_graph_coappearance(catalog *c, int64_t person_id, int limit, catalog_coappear_fn fn, void *ud, err *e);

/* A person's first and last dated photo and photo counts: fn once and 1 when
 * the person exists and is not hidden, 0 when not (fn's non-zero stops, and is
 * returned). */
typedef struct catalog_person_span {
    int64_t person_id;
    const char *name;
    const char *first_date, *last_date; /* NULL when no dated photo */
    int64_t photos, dated_photos;
} catalog_person_span;
int catalog_graph_person_span(catalog *c, int64_t person_id, int (*fn)(const catalog_person_span *, void *), void *ud,
                              err *e);

#endif
