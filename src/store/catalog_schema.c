/* catalog_schema.c — the catalog's schema, designed once for every stage, and
 * its migrations by PRAGMA user_version.
 *
 * migrations[i] takes a catalog from version i to i + 1 and runs in one
 * transaction together with the user_version bump, so a crash leaves either the
 * old schema or the new one. Never edit a migration that has shipped; add one.
 *
 * Conventions: STRICT tables; times are UTC ISO 8601 text ("2026-11-22T05:35:06Z");
 * JSON columns are TEXT checked with json_valid; boxes are in pixels of the
 * processed image (x, y = top-left corner). */
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stdio.h>

#define NOW "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"

static const char migration_1[] =
    /* One row per photo: a file, or one page of a multi-page file. */
    "CREATE TABLE photos ("
    "  photo_id TEXT PRIMARY KEY CHECK (length(photo_id) = 16),"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  parent_id TEXT CHECK (parent_id IS NULL OR length(parent_id) = 16)," /* the multi-page file */
    "  page INTEGER NOT NULL DEFAULT 0 CHECK (page >= 0),"
    "  format TEXT NOT NULL,"
    "  incoming_key TEXT NOT NULL,"
    "  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
    "  width INTEGER NOT NULL CHECK (width >= 0),"
    "  height INTEGER NOT NULL CHECK (height >= 0),"
    "  orig_width INTEGER NOT NULL CHECK (orig_width >= 0),"
    "  orig_height INTEGER NOT NULL CHECK (orig_height >= 0),"
    "  orientation INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),"
    "  taken_at TEXT,"
    "  taken_at_source TEXT,"
    "  camera_make TEXT,"
    "  camera_model TEXT,"
    "  sidecar TEXT CHECK (sidecar IS NULL OR json_valid(sidecar)),"
    "  status TEXT NOT NULL DEFAULT 'ingested' CHECK (status IN ('ingested', 'analyzed', 'failed')),"
    "  error TEXT,"
    "  ingested_at TEXT NOT NULL DEFAULT " NOW ","
    "  updated_at TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "CREATE INDEX photos_sha256 ON photos(sha256);"
    "CREATE INDEX photos_parent ON photos(parent_id) WHERE parent_id IS NOT NULL;"
    "CREATE INDEX photos_taken_at ON photos(taken_at);"
    "CREATE INDEX photos_status ON photos(status);"

    /* Every path a photo was found under; the same bytes under two paths is one
     * photo with two rows here. size + mtime let a re-run skip unchanged files. */
    "CREATE TABLE photo_sources ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL UNIQUE,"
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  size INTEGER NOT NULL,"
    "  mtime_ns INTEGER NOT NULL,"
    "  first_seen TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "CREATE INDEX photo_sources_photo ON photo_sources(photo_id);"

    /* Inputs that could not be ingested, with the reason shown to the user. */
    "CREATE TABLE ingest_failures ("
    "  path TEXT PRIMARY KEY,"
    "  reason TEXT NOT NULL,"
    "  at TEXT NOT NULL DEFAULT " NOW ") STRICT;"

    /* Persons are clusters of faces; id is the cluster_id of the graph. */
    "CREATE TABLE persons ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT,"
    "  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  updated_at TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "CREATE INDEX persons_name ON persons(name) WHERE name IS NOT NULL;"

    /* One detected (or hand-drawn) face per row, per analysis model version. */
    "CREATE TABLE faces ("
    "  id INTEGER PRIMARY KEY,"
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  face_no INTEGER NOT NULL CHECK (face_no >= 0),"
    "  model_version TEXT NOT NULL,"
    "  box_x REAL NOT NULL,"
    "  box_y REAL NOT NULL,"
    "  box_w REAL NOT NULL CHECK (box_w > 0),"
    "  box_h REAL NOT NULL CHECK (box_h > 0),"
    "  score REAL,"
    "  landmarks TEXT CHECK (landmarks IS NULL OR json_valid(landmarks)),"
    "  points68 TEXT CHECK (points68 IS NULL OR json_valid(points68)),"
    "  embedding BLOB CHECK (embedding IS NULL OR length(embedding) = 512)," /* 128 float32, little-endian */
    "  age REAL,"
    "  gender TEXT CHECK (gender IS NULL OR gender IN ('male', 'female')),"
    "  gender_probability REAL CHECK (gender_probability IS NULL OR gender_probability BETWEEN 0 AND 1),"
    "  expressions TEXT CHECK (expressions IS NULL OR json_valid(expressions)),"
    "  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,"
    "  source TEXT NOT NULL DEFAULT 'detector' CHECK (source IN ('detector', 'manual')),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  UNIQUE (photo_id, model_version, face_no)"
    ") STRICT;"
    "CREATE INDEX faces_person ON faces(person_id);"
    "CREATE INDEX faces_model ON faces(model_version);"

    /* Name suggestions for a person from captions/metadata (rules or an LLM). */
    "CREATE TABLE person_suggestions ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  label TEXT NOT NULL,"
    "  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),"
    "  source TEXT NOT NULL," /* 'rules', 'llm', ... */
    "  evidence TEXT CHECK (evidence IS NULL OR json_valid(evidence)),"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  UNIQUE (person_id, label, source)"
    ") STRICT;"

    /* The audit log of every human decision. Append-only: triggers refuse UPDATE
     * and DELETE. Decisions are kept against (photo_id, box), and face_id and
     * person_id are plain numbers, not foreign keys, so the log outlives a
     * re-analysis that replaces faces and a merge that removes a person. */
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at TEXT NOT NULL DEFAULT " NOW ","
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL," /* 'confirm', 'rename', 'merge', 'split', 'reject', 'draw', ... */
    "  photo_id TEXT,"
    "  box TEXT CHECK (box IS NULL OR json_valid(box)),"
    "  face_id INTEGER,"
    "  person_id INTEGER,"
    "  before TEXT CHECK (before IS NULL OR json_valid(before)),"
    "  after TEXT CHECK (after IS NULL OR json_valid(after))"
    ") STRICT;"
    "CREATE INDEX decisions_photo ON decisions(photo_id);"
    "CREATE INDEX decisions_person ON decisions(person_id);"
    "CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN"
    "  SELECT RAISE(ABORT, 'decisions is an append-only log: a decision cannot be changed');"
    "END;"
    "CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions BEGIN"
    "  SELECT RAISE(ABORT, 'decisions is an append-only log: a decision cannot be deleted');"
    "END;"

    "CREATE TABLE places ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE"
    ") STRICT;"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  year INTEGER,"
    "  location_id INTEGER REFERENCES places(id) ON DELETE SET NULL"
    ") STRICT;"
    "CREATE UNIQUE INDEX events_name_year ON events(name, ifnull(year, 0));"
    "CREATE INDEX events_year ON events(year);"
    "CREATE TABLE years ("
    "  value INTEGER PRIMARY KEY CHECK (value BETWEEN 1000 AND 9999)"
    ") STRICT;"

    /* The graph's relations between nodes (Foto, Person, Cluster, Event,
     * Location, Year), ids as text; the same relation is stored once. */
    "CREATE TABLE edges ("
    "  id INTEGER PRIMARY KEY,"
    "  src_type TEXT NOT NULL CHECK (src_type <> ''),"
    "  src_id TEXT NOT NULL,"
    "  rel TEXT NOT NULL CHECK (rel <> ''),"
    "  dst_type TEXT NOT NULL CHECK (dst_type <> ''),"
    "  dst_id TEXT NOT NULL,"
    "  props TEXT CHECK (props IS NULL OR json_valid(props)),"
    "  UNIQUE (src_type, src_id, rel, dst_type, dst_id)"
    ") STRICT;"
    "CREATE INDEX edges_dst ON edges(dst_type, dst_id, rel);"
    "CREATE INDEX edges_rel ON edges(rel);"

    /* One row per photo and analysis model version: what analyze did, so a
     * re-run does only the missing work. */
    "CREATE TABLE analysis_runs ("
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  model_version TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('done', 'failed')),"
    "  faces INTEGER NOT NULL DEFAULT 0 CHECK (faces >= 0),"
    "  error TEXT,"
    "  at TEXT NOT NULL DEFAULT " NOW ","
    "  PRIMARY KEY (photo_id, model_version)"
    ") STRICT;"
    "CREATE INDEX analysis_runs_model ON analysis_runs(model_version, status);";

/* Version 2 (people stage): a face's review status, kept in step with the
 * decision log by people/persons.c; the record of each clustering run, and
 * which run last placed each face (NULL = never clustered: the incremental
 * path's "new" faces); the decision log by face. */
static const char migration_2[] =
    "ALTER TABLE faces ADD COLUMN status TEXT NOT NULL DEFAULT 'unreviewed'"
    "  CHECK (status IN ('unreviewed', 'confirmed', 'rejected'));"
    "CREATE TABLE cluster_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL DEFAULT " NOW ","
    "  model_version TEXT NOT NULL,"
    "  algo TEXT NOT NULL,"
    "  params TEXT CHECK (params IS NULL OR json_valid(params)),"
    "  full INTEGER NOT NULL CHECK (full IN (0, 1)),"
    "  faces INTEGER NOT NULL CHECK (faces >= 0),"       /* faces placed by this run */
    "  assigned INTEGER NOT NULL CHECK (assigned >= 0)," /* of them, put into a person */
    "  persons INTEGER NOT NULL CHECK (persons >= 0),"   /* persons with faces afterwards */
    "  seconds REAL NOT NULL CHECK (seconds >= 0)"
    ") STRICT;"
    "ALTER TABLE faces ADD COLUMN cluster_run INTEGER REFERENCES cluster_runs(id) ON DELETE SET NULL;"
    "CREATE INDEX faces_photo_model ON faces(photo_id, model_version);"
    "CREATE INDEX faces_unclustered ON faces(model_version) WHERE cluster_run IS NULL;"
    "CREATE INDEX decisions_face ON decisions(face_id);";

/* Version 3: person ids are never reused. Without AUTOINCREMENT a new person
 * took the id of the highest one deleted (merged away, emptied), so a
 * bookmarked or exported "Person 17" silently became someone else and old
 * decision-log rows pointed at the wrong person. SQLite cannot add
 * AUTOINCREMENT to a table, so persons is rebuilt (SQLite's table-rebuild
 * procedure; catalog_schema_migrate turns foreign keys off around it and checks
 * them before the commit) with every row, id and index kept. The sequence
 * starts above every person id the decision log has seen, including persons
 * merged away, so none of those comes back either. */
static const char migration_3[] =
    "CREATE TABLE persons_new ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT,"
    "  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  updated_at TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "INSERT INTO persons_new (id, name, hidden, created_at, updated_at) "
    "  SELECT id, name, hidden, created_at, updated_at FROM persons;"
    "DROP TABLE persons;"
    "ALTER TABLE persons_new RENAME TO persons;"
    "CREATE INDEX persons_name ON persons(name) WHERE name IS NOT NULL;"
    "DELETE FROM sqlite_sequence WHERE name = 'persons';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'persons', coalesce(max(v), 0) FROM ("
    "  SELECT max(id) AS v FROM persons"
    "  UNION ALL SELECT max(person_id) FROM decisions"
    "  UNION ALL SELECT max(j.value) FROM decisions d, json_tree(d.before) j"
    "    WHERE j.type = 'integer' AND (j.key = 'person_id' OR j.path = '$.persons')"
    "  UNION ALL SELECT max(j.value) FROM decisions d, json_tree(d.after) j"
    "    WHERE j.type = 'integer' AND (j.key = 'person_id' OR j.path = '$.persons'));"
    /* The persons list (review/view_persons.c) reads person, photo, version,
     * face_no, status and score of every assigned face. From the table that
     * means reading every face row, each with its descriptor and 68 landmarks
     * in overflow pages (the first /api/persons after a change took 180-450 ms
     * on 20,000 faces); this index answers it alone. It leads with person_id,
     * so it also serves everything faces_person did. */
    "DROP INDEX faces_person;"
    "CREATE INDEX faces_person_cover ON faces(person_id, photo_id, model_version, face_no, status, score);";

/* Version 4 (annotate, graph): what the archive's own words say of each photo.
 * A photo's date is a value with its precision ("1977" year, "1977-02" month,
 * "1977-02-14" day; "197" never: a decade is stored as its first year with
 * precision 'decade'), where it came from (exif, filename, folder, album,
 * caption, ocr, llm, human, or 'event' when inferred from the photo's event)
 * and whether it was inferred rather than read. Places carry their gazetteer
 * facts; events their date and place. photo_annotations has one row per photo
 * that annotate has looked at; evidence is a JSON array of
 * {"kind", "source", "text"} naming where each fact was read. Rows written by
 * people (source 'human') are never overwritten by annotate. */
static const char migration_4[] =
    "ALTER TABLE places ADD COLUMN lat REAL;"
    "ALTER TABLE places ADD COLUMN lon REAL;"
    "ALTER TABLE places ADD COLUMN country TEXT;"
    "ALTER TABLE places ADD COLUMN geonames_id INTEGER;"
    "ALTER TABLE places ADD COLUMN source TEXT;"
    "ALTER TABLE events ADD COLUMN date_value TEXT;"
    "ALTER TABLE events ADD COLUMN date_precision TEXT"
    "  CHECK (date_precision IS NULL OR date_precision IN ('day', 'month', 'season', 'year', 'decade'));"
    "ALTER TABLE events ADD COLUMN source TEXT;"
    "CREATE TABLE photo_annotations ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  date_value TEXT,"
    "  date_precision TEXT"
    "    CHECK (date_precision IS NULL OR date_precision IN ('day', 'month', 'season', 'year', 'decade')),"
    "  date_source TEXT,"
    "  date_inferred INTEGER NOT NULL DEFAULT 0 CHECK (date_inferred IN (0, 1)),"
    "  place_id INTEGER REFERENCES places(id) ON DELETE SET NULL,"
    "  place_source TEXT,"
    "  event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,"
    "  evidence TEXT CHECK (evidence IS NULL OR json_valid(evidence)),"
    "  updated_at TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "CREATE INDEX photo_annotations_event ON photo_annotations(event_id) WHERE event_id IS NOT NULL;"
    "CREATE INDEX photo_annotations_place ON photo_annotations(place_id) WHERE place_id IS NOT NULL;"
    "CREATE INDEX photo_annotations_date ON photo_annotations(date_value) WHERE date_value IS NOT NULL;";

/* Version 5 (annotate/llm): answers of a language model, by the SHA-256 of
 * the request that produced them (model, messages, schema), so a re-run sends
 * nothing. answer is the model's JSON, kept only after it passed validation. */
static const char migration_5[] = "CREATE TABLE llm_cache ("
                                  "  key TEXT PRIMARY KEY CHECK (length(key) = 64),"
                                  "  model TEXT NOT NULL,"
                                  "  answer TEXT NOT NULL CHECK (json_valid(answer)),"
                                  "  created_at TEXT NOT NULL DEFAULT " NOW ") STRICT;";

/* Version 6: object_versions (store/catalog_objver.h): the S3 version id of each
 * face crop and annotation an analysis wrote, per model version, so a
 * re-analysis keeps the old objects reachable in the versioned buckets. */
static const char migration_6[] = "CREATE TABLE object_versions ("
                                  "  bucket TEXT NOT NULL,"
                                  "  key TEXT NOT NULL,"
                                  "  model_version TEXT NOT NULL,"
                                  "  version_id TEXT NOT NULL,"
                                  "  created_at TEXT NOT NULL DEFAULT " NOW ","
                                  "  PRIMARY KEY (bucket, key, model_version)"
                                  ") STRICT;";

/* Version 7 (annotate): events get a stable key (the folder or session they
 * were read from) so an event keeps its id from run to run; each annotate run
 * records a fingerprint of its inputs so an unchanged catalog is not read
 * again; faces that belong to no person get their own name suggestions from
 * their photo's caption (face_suggestions, same shape as person_suggestions). */
static const char migration_7[] =
    "ALTER TABLE events ADD COLUMN key TEXT;"
    "CREATE UNIQUE INDEX events_key ON events(key) WHERE key IS NOT NULL;"
    "CREATE TABLE annotate_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL DEFAULT " NOW ","
    "  fingerprint TEXT NOT NULL,"
    "  full INTEGER NOT NULL CHECK (full IN (0, 1)),"
    "  photos INTEGER NOT NULL CHECK (photos >= 0),"
    "  dated INTEGER NOT NULL CHECK (dated >= 0),"
    "  placed INTEGER NOT NULL CHECK (placed >= 0),"
    "  events INTEGER NOT NULL CHECK (events >= 0),"
    "  suggestions INTEGER NOT NULL CHECK (suggestions >= 0),"
    "  seconds REAL NOT NULL CHECK (seconds >= 0)"
    ") STRICT;"
    "CREATE TABLE face_suggestions ("
    "  id INTEGER PRIMARY KEY,"
    "  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,"
    "  label TEXT NOT NULL,"
    "  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),"
    "  source TEXT NOT NULL,"
    "  evidence TEXT CHECK (evidence IS NULL OR json_valid(evidence)),"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  UNIQUE (face_id, label, source)"
    ") STRICT;";

/* Version 8: photos that are frames of another (catalog_frames.h) — a frame
 * cut from a contact sheet (its place on the sheet: a rotated rectangle in
 * the sheet's processed pixels) or a frame kept from a video (its time). The
 * parent (sheet or video) stays a photo to look at but is not analysed: its
 * faces are its frames' faces. */
static const char migration_8[] =
    "CREATE TABLE photo_frames ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  parent_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('sheet', 'video')),"
    "  frame_no INTEGER NOT NULL CHECK (frame_no >= 1),"
    "  strip INTEGER NOT NULL DEFAULT 0 CHECK (strip >= 0),"
    "  cx REAL NOT NULL DEFAULT 0, cy REAL NOT NULL DEFAULT 0,"
    "  w REAL NOT NULL DEFAULT 0 CHECK (w >= 0), h REAL NOT NULL DEFAULT 0 CHECK (h >= 0),"
    "  angle REAL NOT NULL DEFAULT 0,"
    "  negative INTEGER NOT NULL DEFAULT 0 CHECK (negative IN (0, 1)),"
    "  time_ms INTEGER CHECK (time_ms IS NULL OR time_ms >= 0),"
    "  UNIQUE (parent_id, frame_no)"
    ") STRICT;"
    "CREATE INDEX photo_frames_parent ON photo_frames(parent_id);";

/* Version 9 (ocr, catalog_ocr.h): text read from the photos.
 * photo_backs: a photo that is the back of a print (a note, a stamp), paired
 * with its front by name (front_path = the front's path without extension) or
 * by the back's sidecar (front_path = the front's file path); front_id once
 * found. A back is never analysed for faces.
 * photo_ocr: one row per photo the OCR stage has read, with what it was read
 * with (an unchanged engine skips it next time), and for fronts the text
 * scores of the image and of its mirror image: mirrored = 1 when text in the
 * photo reads mirrored (a print scanned mirror-wise).
 * photo_texts: the texts read, each with Tesseract's confidence (0..100) and
 * its box in the processed pixels (a back's text lies on the back).
 * photo_flips: photos people flipped left-right (their processed image is the
 * mirror image of the original's). */
static const char migration_9[] =
    "CREATE TABLE photo_backs ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  front_path TEXT NOT NULL,"
    "  paired_by TEXT NOT NULL CHECK (paired_by IN ('name', 'sidecar')),"
    "  front_id TEXT REFERENCES photos(photo_id) ON DELETE SET NULL"
    ") STRICT;"
    "CREATE INDEX photo_backs_front ON photo_backs(front_id) WHERE front_id IS NOT NULL;"
    "CREATE TABLE photo_ocr ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  engine TEXT NOT NULL,"
    "  seconds REAL NOT NULL CHECK (seconds >= 0),"
    "  score REAL,"
    "  score_flipped REAL,"
    "  mirrored INTEGER NOT NULL DEFAULT 0 CHECK (mirrored IN (0, 1)),"
    "  error TEXT,"
    "  at TEXT NOT NULL DEFAULT " NOW ") STRICT;"
    "CREATE TABLE photo_texts ("
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  n INTEGER NOT NULL CHECK (n >= 0),"
    "  region TEXT NOT NULL CHECK (region IN ('back', 'front', 'margin')),"
    "  text TEXT NOT NULL,"
    "  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
    "  x REAL NOT NULL DEFAULT 0, y REAL NOT NULL DEFAULT 0, w REAL NOT NULL DEFAULT 0, h REAL NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (photo_id, n)"
    ") STRICT;"
    "CREATE TABLE photo_flips ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  actor TEXT NOT NULL,"
    "  at TEXT NOT NULL DEFAULT " NOW ") STRICT;";

/* Version 10 (import of annotation files, annotate's review): a photo's event
 * can be set by people like its date and place (event_source 'human', kept by
 * every later annotate run). */
static const char migration_10[] = "ALTER TABLE photo_annotations ADD COLUMN event_source TEXT;";

/* Version 11: video (catalog_frames.h, catalog_tracks.h). A kept video frame
 * says which scene it belongs to; faces of one person in consecutive frames
 * of one scene are one track (track_id = the id of the track's first face),
 * so the review shows them as one item and the clustering keeps them
 * together. A track row goes with its face. */
static const char migration_11[] =
    "ALTER TABLE photo_frames ADD COLUMN scene INTEGER NOT NULL DEFAULT 0 CHECK (scene >= 0);"
    "CREATE TABLE face_tracks ("
    "  face_id INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,"
    "  track_id INTEGER NOT NULL,"
    "  video_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE"
    ") STRICT;"
    "CREATE INDEX face_tracks_track ON face_tracks(track_id);"
    "CREATE INDEX face_tracks_video ON face_tracks(video_id);";

/* Version 12 (graph): timeline_photos, each photo's place in time kept by
 * triggers, so the timeline and the graph's dates are an indexed range read
 * instead of a join and sort of every photo per request. A photo's date is its
 * annotation's (annotate, or a person), else EXIF taken_at (precision day),
 * else its event's date (source 'event'); none of these: undated (key NULL),
 * never a date by guess. key is the date it sorts under: its event's date, else
 * the earliest date among the event's photos, else its own. ev_ord orders a
 * key's photos: by event (the event's id), photos of no event last. Every
 * writer of photos, photo_annotations and events keeps it current by these
 * triggers; docs/decisions/timeline-table.md. */
#define TL_COLS "photo_id, date, precision, date_source, event_id, place_id, ev_date, ev_precision, ev_ord"
#define TL_SELECT                                                                                                      \
    "SELECT p.photo_id,"                                                                                               \
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_value WHEN p.taken_at IS NOT NULL THEN p.taken_at"               \
    "       WHEN e.date_value IS NOT NULL THEN e.date_value WHEN e.year IS NOT NULL THEN CAST(e.year AS TEXT) END,"    \
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_precision WHEN p.taken_at IS NOT NULL THEN 'day'"                \
    "       WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END,"              \
    "  CASE WHEN a.date_value IS NOT NULL THEN a.date_source"                                                          \
    "       WHEN p.taken_at IS NOT NULL THEN coalesce(p.taken_at_source, 'exif')"                                      \
    "       WHEN coalesce(e.date_value, e.year) IS NOT NULL THEN 'event' END,"                                         \
    "  a.event_id, a.place_id, coalesce(e.date_value, CAST(e.year AS TEXT)),"                                          \
    "  CASE WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END,"              \
    "  coalesce(a.event_id, 9223372036854775807)"                                                                      \
    "  FROM photos p LEFT JOIN photo_annotations a ON a.photo_id = p.photo_id LEFT JOIN events e ON e.id = a.event_id"
/* Re-reads the rows of the photos that match cond (over p, a). */
#define TL_REFRESH(del_cond, cond)                                                                                     \
    "DELETE FROM timeline_photos WHERE " del_cond ";"                                                                  \
    "INSERT INTO timeline_photos (" TL_COLS ") " TL_SELECT " WHERE " cond ";"
/* The photographers named in the evidence of the annotation rows of src. */
#define PG_SELECT(src)                                                                                                 \
    "SELECT a.photo_id, json_extract(j.value, '$.text') FROM " src " a, json_each(a.evidence) j"                       \
    " WHERE a.evidence IS NOT NULL AND json_valid(a.evidence) AND json_type(a.evidence) = 'array'"                     \
    " AND json_extract(j.value, '$.kind') = 'photographer' AND json_type(j.value, '$.text') = 'text'"
#define PG_REFRESH(row)                                                                                                \
    "DELETE FROM photo_photographers WHERE photo_id = OLD.photo_id;"                                                   \
    "INSERT OR IGNORE INTO photo_photographers (photo_id, name) SELECT " row                                           \
    ".photo_id, json_extract(j.value, '$.text')"                                                                       \
    " FROM json_each(" row ".evidence) j WHERE " row ".evidence IS NOT NULL AND json_type(" row ".evidence) = 'array'" \
    " AND json_extract(j.value, '$.kind') = 'photographer' AND json_type(j.value, '$.text') = 'text';"
/* Recomputes key for the rows that match cond. */
#define TL_REKEY(cond)                                                                                                 \
    "UPDATE timeline_photos SET key = CASE WHEN event_id IS NULL THEN date ELSE coalesce(ev_date,"                     \
    "  (SELECT min(t.date) FROM timeline_photos t WHERE t.event_id = timeline_photos.event_id)) END WHERE " cond ";"
/* clang-format 14 would break these SQL literals into pieces */
/* clang-format off */
static const char migration_12[] =
    "CREATE TABLE timeline_photos ("
    "  photo_id TEXT PRIMARY KEY,"
    "  key TEXT,"
    "  ev_ord INTEGER NOT NULL,"
    "  date TEXT, precision TEXT, date_source TEXT,"
    "  event_id INTEGER, place_id INTEGER,"
    "  ev_date TEXT, ev_precision TEXT"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX timeline_order ON timeline_photos(key, ev_ord, date, photo_id);"
    "CREATE INDEX timeline_event ON timeline_photos(event_id) WHERE event_id IS NOT NULL;"
    "CREATE INDEX timeline_date ON timeline_photos(date) WHERE date IS NOT NULL;"
    /* Who took a photo, as annotate read it ("Foto: NAME" in its caption:
     * evidence items of kind "photographer"), kept with the annotation so a
     * person's or an event's photographers are an indexed lookup. */
    "CREATE TABLE photo_photographers ("
    "  photo_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  PRIMARY KEY (photo_id, name)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX photo_photographers_name ON photo_photographers(name);"
    "INSERT OR IGNORE INTO photo_photographers (photo_id, name) " PG_SELECT("photo_annotations") ";"
    "INSERT INTO timeline_photos (" TL_COLS ") " TL_SELECT ";"
    TL_REKEY("1")
    "CREATE TRIGGER timeline_photo_insert AFTER INSERT ON photos BEGIN "
    TL_REFRESH("photo_id = NEW.photo_id", "p.photo_id = NEW.photo_id")
    TL_REKEY("photo_id = NEW.photo_id")
    "END;"
    "CREATE TRIGGER timeline_photo_date AFTER UPDATE OF taken_at, taken_at_source ON photos BEGIN "
    TL_REFRESH("photo_id = NEW.photo_id", "p.photo_id = NEW.photo_id")
    TL_REKEY("photo_id = NEW.photo_id OR event_id = (SELECT event_id FROM photo_annotations WHERE photo_id = "
             "NEW.photo_id)")
    "END;"
    "CREATE TRIGGER timeline_photo_delete AFTER DELETE ON photos BEGIN "
    "DELETE FROM timeline_photos WHERE photo_id = OLD.photo_id;"
    TL_REKEY("event_id = (SELECT event_id FROM photo_annotations WHERE photo_id = OLD.photo_id)")
    "END;"
    "CREATE TRIGGER photographers_insert AFTER INSERT ON photo_annotations BEGIN "
    "INSERT OR IGNORE INTO photo_photographers (photo_id, name) SELECT NEW.photo_id, json_extract(j.value, '$.text')"
    " FROM json_each(NEW.evidence) j WHERE NEW.evidence IS NOT NULL AND json_type(NEW.evidence) = 'array'"
    " AND json_extract(j.value, '$.kind') = 'photographer' AND json_type(j.value, '$.text') = 'text';"
    "END;"
    "CREATE TRIGGER photographers_update AFTER UPDATE OF evidence, photo_id ON photo_annotations BEGIN "
    PG_REFRESH("NEW")
    "END;"
    "CREATE TRIGGER photographers_delete AFTER DELETE ON photo_annotations BEGIN "
    "DELETE FROM photo_photographers WHERE photo_id = OLD.photo_id;"
    "END;"
    "CREATE TRIGGER timeline_annotation_insert AFTER INSERT ON photo_annotations BEGIN "
    TL_REFRESH("photo_id = NEW.photo_id", "p.photo_id = NEW.photo_id")
    TL_REKEY("photo_id = NEW.photo_id OR event_id = NEW.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_update AFTER UPDATE ON photo_annotations BEGIN "
    TL_REFRESH("photo_id IN (OLD.photo_id, NEW.photo_id)", "p.photo_id IN (OLD.photo_id, NEW.photo_id)")
    TL_REKEY("photo_id IN (OLD.photo_id, NEW.photo_id) OR event_id = NEW.event_id OR event_id = OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_delete AFTER DELETE ON photo_annotations BEGIN "
    TL_REFRESH("photo_id = OLD.photo_id", "p.photo_id = OLD.photo_id")
    TL_REKEY("photo_id = OLD.photo_id OR event_id = OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_event_date AFTER UPDATE OF date_value, date_precision, year ON events BEGIN "
    TL_REFRESH("event_id = NEW.id", "a.event_id = NEW.id")
    TL_REKEY("event_id = NEW.id")
    "END;";
/* clang-format on */
/* (A deleted event: photo_annotations.event_id is set NULL by its foreign key,
 * which fires timeline_annotation_update.) */

/* Version 13: face regions other tools wrote into a photo's XMP (MWG, Microsoft
 * Photo; catalog_xmp.h), read at ingest in processed-image pixels, waiting
 * until the photo is analysed to become people's decisions; then what each
 * became (a detected face named, a face drawn, or why neither). */
static const char migration_13[] =
    "CREATE TABLE xmp_regions ("
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  region_no INTEGER NOT NULL CHECK (region_no >= 0),"
    "  name TEXT,"
    "  x REAL NOT NULL, y REAL NOT NULL,"
    "  w REAL NOT NULL CHECK (w > 0), h REAL NOT NULL CHECK (h > 0),"
    "  kind TEXT NOT NULL CHECK (kind IN ('mwg', 'mp')),"
    "  origin TEXT NOT NULL CHECK (origin IN ('embedded', 'sidecar')),"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'matched', 'drawn', 'failed')),"
    "  face_id INTEGER REFERENCES faces(id) ON DELETE SET NULL,"
    "  reason TEXT,"
    "  PRIMARY KEY (photo_id, region_no)"
    ") STRICT;"
    "CREATE INDEX xmp_regions_pending ON xmp_regions(photo_id) WHERE status = 'pending';";

/* Version 14 (catalog_ocr.h, flips): the SHA-256 of the flipped processed
 * image, written before the image is, so that a flip killed half-way is
 * finished by the next attempt and never done twice. */
static const char migration_14[] = "ALTER TABLE photo_flips ADD COLUMN processed_sha256 TEXT;";

/* Version 15 (catalog_decide.h): an event people renamed keeps its name
 * through annotate runs (name_source 'human'; NULL: named by its source). */
static const char migration_15[] = "ALTER TABLE events ADD COLUMN name_source TEXT;";

/* Version 16 (catalog_decide.h): a name people rejected for a person, kept
 * with the faces the person had then (plain numbers, like the decision log's),
 * so that it still holds when clustering gives those faces another person id
 * or mixes them with others (annotate, catalog_ann_each_name_rejection). */
/* clang-format 14 would break these SQL literals and macros into pieces */
/* clang-format off */
static const char migration_16[] =
    "CREATE TABLE name_rejections ("
    "  id INTEGER PRIMARY KEY,"
    "  label TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL," /* the person it was made on, then */
    "  at TEXT NOT NULL DEFAULT " NOW
    ") STRICT;"
    "CREATE INDEX name_rejections_label ON name_rejections(label);"
    "CREATE TABLE name_rejection_faces ("
    "  rejection_id INTEGER NOT NULL REFERENCES name_rejections(id) ON DELETE CASCADE,"
    "  face_id INTEGER NOT NULL,"
    "  PRIMARY KEY (rejection_id, face_id)"
    ") STRICT, WITHOUT ROWID;";

/* Version 17 (catalog_annotate.h, annotate/parsecache.h): annotate's parse of
 * each photo, keyed by the hash of what it was read from (path, sidecars,
 * camera date, OCR text) and of the archive-wide context of the reading, so
 * an incremental run reads only the photos whose texts changed.
 * annotate_inputs counts every change of a photo's sidecar or camera date and
 * of the texts OCR read, for annotate's fingerprint: a text replaced by one of
 * the same length, within the second of the last run, is a change too. */
#define ANN_INPUT_CHANGED " BEGIN UPDATE annotate_inputs SET changes = changes + 1; END;"
static const char migration_17[] =
    "CREATE TABLE photo_parse ("
    "  photo_id TEXT PRIMARY KEY REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  inputs TEXT NOT NULL,"
    "  context TEXT NOT NULL,"
    "  parse TEXT NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE annotate_inputs ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  changes INTEGER NOT NULL"
    ") STRICT;"
    "INSERT INTO annotate_inputs (id, changes) VALUES (1, 0);"
    "CREATE TRIGGER annotate_inputs_photo AFTER UPDATE OF sidecar, taken_at, taken_at_source ON photos "
    "  WHEN OLD.sidecar IS NOT NEW.sidecar OR OLD.taken_at IS NOT NEW.taken_at "
    "  OR OLD.taken_at_source IS NOT NEW.taken_at_source" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_text_insert AFTER INSERT ON photo_texts" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_text_delete AFTER DELETE ON photo_texts" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_text_update AFTER UPDATE ON photo_texts" ANN_INPUT_CHANGED;

/* Version 18 (graph at scale): what the graph view and the timeline read per
 * request, kept by triggers instead of recomputed from every face.
 * photo_persons: the persons who appear in a photo, a row per (photo, person)
 * with at least one face of the photo's current analysis (its last 'done'
 * run) that is assigned to a person not hidden and not rejected: the
 * APPEARS_IN relation as CATALOG_CURRENT_FACE defines it, clustered by photo
 * and indexed by person, so a node's neighbours are a range read instead of a
 * look-up of each face's analysis run; age is the estimated age of the
 * person's best face there (highest score, then lowest face id), what the
 * timeline shows. Refreshed per photo whenever one of its faces or analysis
 * runs changes, per person when hidden changes.
 * timeline_counts: how many timeline_photos sort under each year (the year
 * their key names), year -1 counting the undated ones, so the list of years
 * is a read of some 100 rows, not a count over every photo. Indexes for the
 * other per-node reads: an event's place's events, a place's photos (on
 * timeline_photos, which holds each photo's event and place by photo id), a
 * photo's file name, and the timeline's order with precision (timeline_runs,
 * in place of schema 12's timeline_order: a key's photos of one precision
 * together, and every column a year's page counts, so it is counted from the
 * index alone).
 * docs/decisions/graph-stored-adjacency.md. */
#define PP_OF(photos)                                                                                                  \
    "INSERT OR IGNORE INTO photo_persons (photo_id, person_id, age) SELECT f.photo_id, f.person_id,"                   \
    " (SELECT g.age FROM faces g WHERE g.photo_id = f.photo_id AND g.person_id = f.person_id"                          \
    "  AND g.model_version = f.model_version AND g.status <> 'rejected' ORDER BY coalesce(g.score, 0) DESC, g.id"      \
    "  LIMIT 1) FROM faces f JOIN persons p ON p.id = f.person_id AND p.hidden = 0"                                    \
    " WHERE f.photo_id IN (" photos ") AND f.status <> 'rejected' AND f.model_version ="                               \
    " (SELECT cur.model_version FROM analysis_runs cur WHERE cur.photo_id = f.photo_id AND cur.status = 'done'"        \
    "  ORDER BY cur.rowid DESC LIMIT 1);"
#define PP_REFRESH(photos) "DELETE FROM photo_persons WHERE photo_id IN (" photos ");" PP_OF(photos)
/* photo_persons' triggers on faces, and those on other tables that read faces
 * (created by this migration; migration 19 rebuilds faces and makes them again). */
#define PP_FACE_TRIGGERS                                                                                               \
    "CREATE TRIGGER photo_persons_face_insert AFTER INSERT ON faces BEGIN " PP_REFRESH("NEW.photo_id") "END;"          \
    "CREATE TRIGGER photo_persons_face_delete AFTER DELETE ON faces BEGIN " PP_REFRESH("OLD.photo_id") "END;"          \
    "CREATE TRIGGER photo_persons_face_update"                                                                         \
    " AFTER UPDATE OF photo_id, person_id, status, model_version, age, score ON faces"                                 \
    " WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.person_id IS NOT NEW.person_id"                                    \
    "  OR (OLD.status = 'rejected') <> (NEW.status = 'rejected') OR OLD.model_version IS NOT NEW.model_version"       \
    "  OR OLD.age IS NOT NEW.age OR OLD.score IS NOT NEW.score"                                                        \
    " BEGIN " PP_REFRESH("OLD.photo_id, NEW.photo_id") "END;"
#define PP_FACE_READING_TRIGGERS                                                                                       \
    "CREATE TRIGGER photo_persons_run_insert AFTER INSERT ON analysis_runs BEGIN " PP_REFRESH("NEW.photo_id") "END;"   \
    "CREATE TRIGGER photo_persons_run_update AFTER UPDATE ON analysis_runs BEGIN "                                     \
    PP_REFRESH("OLD.photo_id, NEW.photo_id") "END;"                                                                    \
    "CREATE TRIGGER photo_persons_run_delete AFTER DELETE ON analysis_runs BEGIN " PP_REFRESH("OLD.photo_id") "END;"   \
    "CREATE TRIGGER photo_persons_person_hidden AFTER UPDATE OF hidden ON persons WHEN OLD.hidden IS NOT NEW.hidden"   \
    " BEGIN " PP_REFRESH("SELECT photo_id FROM faces WHERE person_id = NEW.id") "END;"
#define TC_YEAR(key) "coalesce(CAST(substr(" key ", 1, 4) AS INTEGER), -1)"
#define TC_ADD(key)                                                                                                    \
    "INSERT INTO timeline_counts (year, photos) VALUES (" TC_YEAR(key) ", 1)"                                          \
    " ON CONFLICT (year) DO UPDATE SET photos = photos + 1;"
#define TC_SUB(key)                                                                                                    \
    "UPDATE timeline_counts SET photos = photos - 1 WHERE year = " TC_YEAR(key) ";"                                    \
    "DELETE FROM timeline_counts WHERE year = " TC_YEAR(key) " AND photos <= 0;"
static const char migration_18[] =
    "CREATE TABLE photo_persons ("
    "  photo_id TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL,"
    "  age REAL,"
    "  PRIMARY KEY (photo_id, person_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX photo_persons_person ON photo_persons(person_id, photo_id);"
    "WITH cur AS MATERIALIZED (SELECT photo_id, model_version FROM (SELECT photo_id, model_version,"
    "   row_number() OVER (PARTITION BY photo_id ORDER BY rowid DESC) AS rn FROM analysis_runs"
    "   WHERE status = 'done') WHERE rn = 1)"
    " INSERT OR IGNORE INTO photo_persons (photo_id, person_id, age) SELECT photo_id, person_id, age FROM ("
    "  SELECT f.photo_id, f.person_id, f.age, row_number() OVER (PARTITION BY f.photo_id, f.person_id"
    "   ORDER BY coalesce(f.score, 0) DESC, f.id) AS rn FROM faces f"
    "  JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version"
    "  JOIN persons p ON p.id = f.person_id AND p.hidden = 0 WHERE f.status <> 'rejected') WHERE rn = 1;"
    PP_FACE_TRIGGERS
    PP_FACE_READING_TRIGGERS
    "CREATE TRIGGER photo_persons_person_delete AFTER DELETE ON persons BEGIN "
    "DELETE FROM photo_persons WHERE person_id = OLD.id; END;"
    "CREATE INDEX events_location ON events(location_id) WHERE location_id IS NOT NULL;"
    "CREATE INDEX timeline_place ON timeline_photos(place_id) WHERE place_id IS NOT NULL;"
    "CREATE INDEX photo_sources_photo_path ON photo_sources(photo_id, path);"
    "CREATE INDEX timeline_runs ON timeline_photos(key, ev_ord, date, precision, photo_id, place_id);"
    "DROP INDEX timeline_order;"
    "CREATE TABLE timeline_counts ("
    "  year INTEGER PRIMARY KEY,"
    "  photos INTEGER NOT NULL CHECK (photos >= 0)"
    ") STRICT;"
    "INSERT INTO timeline_counts (year, photos) SELECT " TC_YEAR("key") ", count(*) FROM timeline_photos GROUP BY 1;"
    "CREATE TRIGGER timeline_counts_insert AFTER INSERT ON timeline_photos BEGIN " TC_ADD("NEW.key") "END;"
    "CREATE TRIGGER timeline_counts_delete AFTER DELETE ON timeline_photos BEGIN " TC_SUB("OLD.key") "END;"
    "CREATE TRIGGER timeline_counts_update AFTER UPDATE OF key ON timeline_photos"
    " WHEN OLD.key IS NOT NEW.key BEGIN " TC_SUB("OLD.key") TC_ADD("NEW.key") "END;";

/* Version 19: face ids are never reused. Without AUTOINCREMENT a face inserted
 * after the newest faces were deleted (the last photo analysed again, after a
 * flip or with --force; a photo removed) took their ids, and what names faces
 * by plain number then named the new face: a 'reject' or 'confirm' row of the
 * decision log (people_store.h replays them by face id, the review's
 * suggestions skip persons a face was rejected from), a name rejection's faces
 * (name_rejection_faces), a video track (face_tracks.track_id: its first
 * face's id), an annotation file's face_id. faces is rebuilt as persons was in
 * version 3: every row and id, its indexes, and photo_persons' triggers (those
 * on faces go with the table; those on analysis_runs and persons that read
 * faces are dropped first and made again, since renaming the new table checks
 * every trigger). The sequence starts above every face id the catalog still
 * names anywhere, so none of the faces deleted before the migration comes
 * back either. docs/decisions/2026-12-07-face-ids-never-reused.md. */
#define FACE_COLS                                                                                                      \
    "id, photo_id, face_no, model_version, box_x, box_y, box_w, box_h, score, landmarks, points68, embedding, age,"    \
    " gender, gender_probability, expressions, person_id, source, created_at, status, cluster_run"
static const char migration_19[] =
    "DROP TRIGGER photo_persons_run_insert;"
    "DROP TRIGGER photo_persons_run_update;"
    "DROP TRIGGER photo_persons_run_delete;"
    "DROP TRIGGER photo_persons_person_hidden;"
    "CREATE TABLE faces_new ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  photo_id TEXT NOT NULL REFERENCES photos(photo_id) ON DELETE CASCADE,"
    "  face_no INTEGER NOT NULL CHECK (face_no >= 0),"
    "  model_version TEXT NOT NULL,"
    "  box_x REAL NOT NULL,"
    "  box_y REAL NOT NULL,"
    "  box_w REAL NOT NULL CHECK (box_w > 0),"
    "  box_h REAL NOT NULL CHECK (box_h > 0),"
    "  score REAL,"
    "  landmarks TEXT CHECK (landmarks IS NULL OR json_valid(landmarks)),"
    "  points68 TEXT CHECK (points68 IS NULL OR json_valid(points68)),"
    "  embedding BLOB CHECK (embedding IS NULL OR length(embedding) = 512),"
    "  age REAL,"
    "  gender TEXT CHECK (gender IS NULL OR gender IN ('male', 'female')),"
    "  gender_probability REAL CHECK (gender_probability IS NULL OR gender_probability BETWEEN 0 AND 1),"
    "  expressions TEXT CHECK (expressions IS NULL OR json_valid(expressions)),"
    "  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,"
    "  source TEXT NOT NULL DEFAULT 'detector' CHECK (source IN ('detector', 'manual')),"
    "  created_at TEXT NOT NULL DEFAULT " NOW ","
    "  status TEXT NOT NULL DEFAULT 'unreviewed' CHECK (status IN ('unreviewed', 'confirmed', 'rejected')),"
    "  cluster_run INTEGER REFERENCES cluster_runs(id) ON DELETE SET NULL,"
    "  UNIQUE (photo_id, model_version, face_no)"
    ") STRICT;"
    "INSERT INTO faces_new (" FACE_COLS ") SELECT " FACE_COLS " FROM faces;"
    "DROP TABLE faces;"
    "ALTER TABLE faces_new RENAME TO faces;"
    "CREATE INDEX faces_model ON faces(model_version);"
    "CREATE INDEX faces_photo_model ON faces(photo_id, model_version);"
    "CREATE INDEX faces_unclustered ON faces(model_version) WHERE cluster_run IS NULL;"
    "CREATE INDEX faces_person_cover ON faces(person_id, photo_id, model_version, face_no, status, score);"
    PP_FACE_TRIGGERS
    PP_FACE_READING_TRIGGERS
    "DELETE FROM sqlite_sequence WHERE name = 'faces';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'faces', coalesce(max(v), 0) FROM ("
    "  SELECT max(id) AS v FROM faces"
    "  UNION ALL SELECT max(face_id) FROM decisions"
    "  UNION ALL SELECT max(j.value) FROM decisions d, json_tree(d.before) j"
    "    WHERE j.type = 'integer' AND (j.key = 'face_id' OR j.path = '$.faces')"
    "  UNION ALL SELECT max(j.value) FROM decisions d, json_tree(d.after) j"
    "    WHERE j.type = 'integer' AND (j.key = 'face_id' OR j.path = '$.faces')"
    "  UNION ALL SELECT max(face_id) FROM name_rejection_faces"
    "  UNION ALL SELECT max(track_id) FROM face_tracks"
    "  UNION ALL SELECT max(face_id) FROM face_tracks"
    "  UNION ALL SELECT max(face_id) FROM face_suggestions"
    "  UNION ALL SELECT max(face_id) FROM xmp_regions);";

/* clang-format on */

/* Version 20: schema 12's timeline triggers write only what changes, so a
 * full annotate of 100,000 photos costs 5.6 CPU-s instead of 16.8
 * (bench_annotate; docs/decisions/timeline-table.md):
 * - a photo's row is upserted with its columns compared (TL_UPSERT), not
 *   deleted and inserted again, so an unchanged row is not written and
 *   timeline_counts moves only when a key does;
 * - an event's rows are re-keyed only where the key changes (TL_REKEY_CHANGED):
 *   a photo added to an event of 8 wrote all 8 rows and their index entries;
 * - an annotation's update re-reads the timeline only when a column the
 *   timeline reads changed (not for new evidence), and the photographers
 *   only when the evidence names one.
 * The rows are the same as schema 12's triggers make (test_graph's drift). */
#define TL_UPSERT(cond)                                                                                                \
    "INSERT INTO timeline_photos (" TL_COLS ") " TL_SELECT " WHERE " cond                                              \
    " ON CONFLICT (photo_id) DO UPDATE SET date = excluded.date, precision = excluded.precision,"                      \
    " date_source = excluded.date_source, event_id = excluded.event_id, place_id = excluded.place_id,"                 \
    " ev_date = excluded.ev_date, ev_precision = excluded.ev_precision, ev_ord = excluded.ev_ord"                      \
    " WHERE date IS NOT excluded.date OR precision IS NOT excluded.precision"                                          \
    " OR date_source IS NOT excluded.date_source OR event_id IS NOT excluded.event_id"                                 \
    " OR place_id IS NOT excluded.place_id OR ev_date IS NOT excluded.ev_date"                                         \
    " OR ev_precision IS NOT excluded.ev_precision OR ev_ord IS NOT excluded.ev_ord;"
#define TL_KEY_OF                                                                                                      \
    "CASE WHEN event_id IS NULL THEN date ELSE coalesce(ev_date,"                                                      \
    "  (SELECT min(t.date) FROM timeline_photos t WHERE t.event_id = timeline_photos.event_id)) END"
#define TL_REKEY_CHANGED(cond)                                                                                         \
    "UPDATE timeline_photos SET key = " TL_KEY_OF " WHERE (" cond ") AND key IS NOT " TL_KEY_OF ";"
#define TL_READ_COLUMNS "photo_id, date_value, date_precision, date_source, event_id, place_id"
/* clang-format off */
static const char migration_20[] =
    "DROP TRIGGER timeline_annotation_insert;"
    "DROP TRIGGER timeline_annotation_update;"
    "DROP TRIGGER timeline_annotation_delete;"
    "DROP TRIGGER timeline_photo_insert;"
    "DROP TRIGGER timeline_photo_date;"
    "DROP TRIGGER timeline_event_date;"
    "DROP TRIGGER photographers_insert;"
    "DROP TRIGGER photographers_update;"
    "CREATE TRIGGER timeline_photo_insert AFTER INSERT ON photos BEGIN "
    TL_UPSERT("p.photo_id = NEW.photo_id")
    TL_REKEY_CHANGED("photo_id = NEW.photo_id")
    "END;"
    "CREATE TRIGGER timeline_photo_date AFTER UPDATE OF taken_at, taken_at_source ON photos BEGIN "
    TL_UPSERT("p.photo_id = NEW.photo_id")
    TL_REKEY_CHANGED("photo_id = NEW.photo_id OR event_id = (SELECT event_id FROM photo_annotations WHERE photo_id = "
                     "NEW.photo_id)")
    "END;"
    "CREATE TRIGGER timeline_annotation_insert AFTER INSERT ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id = NEW.photo_id")
    TL_REKEY_CHANGED("photo_id = NEW.photo_id OR event_id = NEW.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_update AFTER UPDATE OF " TL_READ_COLUMNS " ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id IN (OLD.photo_id, NEW.photo_id)")
    TL_REKEY_CHANGED("photo_id IN (OLD.photo_id, NEW.photo_id) OR event_id = NEW.event_id OR event_id = OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_delete AFTER DELETE ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id = OLD.photo_id")
    TL_REKEY_CHANGED("photo_id = OLD.photo_id OR event_id = OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_event_date AFTER UPDATE OF date_value, date_precision, year ON events BEGIN "
    TL_UPSERT("a.event_id = NEW.id")
    TL_REKEY_CHANGED("event_id = NEW.id")
    "END;"
    "CREATE TRIGGER photographers_insert AFTER INSERT ON photo_annotations"
    " WHEN instr(NEW.evidence, '\"photographer\"') > 0 BEGIN "
    "INSERT OR IGNORE INTO photo_photographers (photo_id, name) SELECT NEW.photo_id, json_extract(j.value, '$.text')"
    " FROM json_each(NEW.evidence) j WHERE NEW.evidence IS NOT NULL AND json_type(NEW.evidence) = 'array'"
    " AND json_extract(j.value, '$.kind') = 'photographer' AND json_type(j.value, '$.text') = 'text';"
    "END;"
    "CREATE TRIGGER photographers_update AFTER UPDATE OF evidence, photo_id ON photo_annotations"
    " WHEN OLD.evidence IS NOT NEW.evidence OR OLD.photo_id IS NOT NEW.photo_id BEGIN "
    PG_REFRESH("NEW")
    "END;";
/* clang-format on */
/* Version 21: an event's photos re-keyed by one key computed once per
 * statement (TL_REKEY_EVENT), not by a correlated min() per row: schema 20
 * still read every photo of the event once per photo of it, for each photo
 * written (k^2 per photo, k^3 per event). bench_annotate's events of 40
 * photos made that 7 of a full run's 14.8 CPU-s. Same rows (test_graph). */
#define TL_EVENT_KEY(ev)                                                                                               \
    "coalesce((SELECT max(t.ev_date) FROM timeline_photos t WHERE t.event_id = " ev "),"                               \
    " (SELECT min(t.date) FROM timeline_photos t WHERE t.event_id = " ev "))"
#define TL_REKEY_EVENT(ev)                                                                                             \
    "UPDATE timeline_photos SET key = " TL_EVENT_KEY(ev) " WHERE event_id = " ev " AND key IS NOT " TL_EVENT_KEY(ev) ";"
/* clang-format off */
static const char migration_21[] =
    "DROP TRIGGER timeline_annotation_insert;"
    "DROP TRIGGER timeline_annotation_update;"
    "DROP TRIGGER timeline_annotation_delete;"
    "DROP TRIGGER timeline_photo_date;"
    "DROP TRIGGER timeline_event_date;"
    "CREATE TRIGGER timeline_photo_date AFTER UPDATE OF taken_at, taken_at_source ON photos BEGIN "
    TL_UPSERT("p.photo_id = NEW.photo_id")
    TL_REKEY_CHANGED("photo_id = NEW.photo_id")
    TL_REKEY_EVENT("(SELECT event_id FROM photo_annotations WHERE photo_id = NEW.photo_id)")
    "END;"
    "CREATE TRIGGER timeline_annotation_insert AFTER INSERT ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id = NEW.photo_id")
    TL_REKEY_CHANGED("photo_id = NEW.photo_id")
    TL_REKEY_EVENT("NEW.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_update AFTER UPDATE OF " TL_READ_COLUMNS " ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id IN (OLD.photo_id, NEW.photo_id)")
    TL_REKEY_CHANGED("photo_id IN (OLD.photo_id, NEW.photo_id)")
    TL_REKEY_EVENT("NEW.event_id")
    TL_REKEY_EVENT("OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_annotation_delete AFTER DELETE ON photo_annotations BEGIN "
    TL_UPSERT("p.photo_id = OLD.photo_id")
    TL_REKEY_CHANGED("photo_id = OLD.photo_id")
    TL_REKEY_EVENT("OLD.event_id")
    "END;"
    "CREATE TRIGGER timeline_event_date AFTER UPDATE OF date_value, date_precision, year ON events BEGIN "
    TL_UPSERT("a.event_id = NEW.id")
    TL_REKEY_EVENT("NEW.id")
    "END;";
/* clang-format on */
/* Version 22: a deleted photo's event re-keyed, set-based. Schema 12's
 * timeline_photo_delete found the event through photo_annotations, but the
 * foreign key's cascade deletes the annotation before a photo's AFTER DELETE
 * trigger runs, so it re-keyed nothing; and the cascade's
 * timeline_annotation_delete re-keyed the event while the photo's timeline
 * row was still there. An undated event whose earliest photo was deleted
 * kept sorting under that photo's date (test_graph). Now the event comes
 * from the photo's own timeline row, and its other rows take one key
 * computed once per statement without that row (as schema 21's
 * TL_REKEY_EVENT), before the row goes. The migration first re-keys the
 * events such deletes left behind, one key per event. */
#define TL_DELETED_EVENT "(SELECT event_id FROM timeline_photos WHERE photo_id = OLD.photo_id)"
#define TL_EVENT_KEY_WITHOUT_OLD                                                                                       \
    "coalesce((SELECT max(t.ev_date) FROM timeline_photos t WHERE t.event_id = " TL_DELETED_EVENT                      \
    " AND t.photo_id <> OLD.photo_id),"                                                                                \
    " (SELECT min(t.date) FROM timeline_photos t WHERE t.event_id = " TL_DELETED_EVENT                                 \
    " AND t.photo_id <> OLD.photo_id))"
/* clang-format off */
static const char migration_22[] =
    "UPDATE timeline_photos SET key = k.key FROM"
    " (SELECT event_id, coalesce(max(ev_date), min(date)) AS key FROM timeline_photos"
    "  WHERE event_id IS NOT NULL GROUP BY event_id) k"
    " WHERE timeline_photos.event_id = k.event_id AND timeline_photos.key IS NOT k.key;"
    "DROP TRIGGER timeline_photo_delete;"
    "CREATE TRIGGER timeline_photo_delete AFTER DELETE ON photos BEGIN "
    "UPDATE timeline_photos SET key = " TL_EVENT_KEY_WITHOUT_OLD
    " WHERE event_id = " TL_DELETED_EVENT " AND photo_id <> OLD.photo_id AND key IS NOT " TL_EVENT_KEY_WITHOUT_OLD ";"
    "DELETE FROM timeline_photos WHERE photo_id = OLD.photo_id;"
    "END;";
/* clang-format on */

/* Version 23: an event's timeline entry (its photos in timeline order, with
 * every column the entry shows) read from one index, in order: through
 * timeline_event each photo's row was looked up and the rows sorted, 68 us of
 * an entry's 225 (bench_graph --direct). timeline_event stays: a node's
 * neighbours read an event's photos in its order (photo id). */
static const char migration_23[] =
    "CREATE INDEX timeline_event_entry ON timeline_photos(event_id, key, ev_ord, date, precision, photo_id,"
    " date_source, place_id, ev_date, ev_precision) WHERE event_id IS NOT NULL;";

/* Version 24: annotate_inputs (version 17) also counts the changes annotate's
 * fingerprint saw only through counts and maxima, which a delete and an
 * insert within one second cancel (catalog_ann_fingerprint): photos ingested
 * or deleted; source paths added, removed, or moved to another photo (the
 * file now holds other bytes: no count or id changes); a face's photo, box,
 * person or status (clustering swaps persons without a decision); analysis
 * runs (which faces are a photo's current ones); a back paired with a front.
 * A migration that rebuilds one of these tables must make its triggers again. */
#define ANN_FACE_READ_CHANGED                                                                                          \
    "OLD.photo_id IS NOT NEW.photo_id OR OLD.model_version IS NOT NEW.model_version OR OLD.box_x IS NOT NEW.box_x"     \
    " OR OLD.box_y IS NOT NEW.box_y OR OLD.box_w IS NOT NEW.box_w OR OLD.box_h IS NOT NEW.box_h"                       \
    " OR OLD.person_id IS NOT NEW.person_id OR OLD.status IS NOT NEW.status"
static const char migration_24[] =
    "CREATE TRIGGER annotate_inputs_photo_insert AFTER INSERT ON photos" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_photo_delete AFTER DELETE ON photos" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_source_insert AFTER INSERT ON photo_sources" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_source_delete AFTER DELETE ON photo_sources" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_source_update AFTER UPDATE OF path, photo_id ON photo_sources"
    "  WHEN OLD.path IS NOT NEW.path OR OLD.photo_id IS NOT NEW.photo_id" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_face_update AFTER UPDATE OF photo_id, model_version, box_x, box_y, box_w, box_h,"
    "  person_id, status ON faces WHEN " ANN_FACE_READ_CHANGED ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_run_insert AFTER INSERT ON analysis_runs" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_run_delete AFTER DELETE ON analysis_runs" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_run_update AFTER UPDATE OF photo_id, model_version, status ON analysis_runs"
    "  WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.model_version IS NOT NEW.model_version"
    "  OR OLD.status IS NOT NEW.status" ANN_INPUT_CHANGED
    "CREATE TRIGGER annotate_inputs_back_update AFTER UPDATE OF front_id ON photo_backs"
    "  WHEN OLD.front_id IS NOT NEW.front_id" ANN_INPUT_CHANGED;

/* Version 25: the runs of a year's page stored (timeline_run_heads). A year's
 * page (catalog_graph_timeline_runs) read every timeline_photos row of the
 * year from timeline_runs, some 1,150 index rows for some 140 runs, and a
 * statement per run for its event and its place. A run is a key's photos of
 * one event (ev_ord), or a key's photos of no event at one precision (prec:
 * that precision, '' for none; '' for an event's run): one row here, in the
 * order of the runs, with its first photo in timeline order (date, precision,
 * photo id: what the page shows of it) and how many photos it has. Kept by
 * triggers on timeline_photos: a count moved by one per row, the first photo
 * read again from timeline_runs with one seek. Undated photos (key NULL) have
 * no run. docs/decisions/2026-12-07-graph-answers-cpu-2.md. */
/* clang-format off */
#define TR_MAX "9223372036854775807"
#define TR_PREC(r) "(CASE WHEN " r ".ev_ord = " TR_MAX " THEN coalesce(" r ".precision, '') ELSE '' END)"
#define TR_ROW(r) "key = " r ".key AND ev_ord = " r ".ev_ord AND prec = " TR_PREC(r)
/* The run of row r takes its first photo again (an event's: its first in
 * (date, precision, photo_id); no event's: date is the key, so its first of
 * the precision by photo id). */
#define TR_FIRST(r)                                                                                                    \
    "UPDATE timeline_run_heads SET (photo_id, date, precision, place_id) = (SELECT t.photo_id, t.date, t.precision,"   \
    "  t.place_id FROM timeline_photos t INDEXED BY timeline_runs WHERE t.key = " r ".key"                             \
    "  AND t.ev_ord = " r ".ev_ord ORDER BY t.date, t.precision, t.photo_id LIMIT 1)"                                  \
    " WHERE " TR_ROW(r) " AND " r ".ev_ord <> " TR_MAX ";"                                                             \
    "UPDATE timeline_run_heads SET (photo_id, date, precision, place_id) = (SELECT t.photo_id, t.date, t.precision,"   \
    "  t.place_id FROM timeline_photos t INDEXED BY timeline_runs WHERE t.key = " r ".key"                             \
    "  AND t.ev_ord = " r ".ev_ord AND t.date = " r ".key AND t.precision IS nullif(" TR_PREC(r) ", '')"               \
    "  ORDER BY t.photo_id LIMIT 1)"                                                                                   \
    " WHERE " TR_ROW(r) " AND " r ".ev_ord = " TR_MAX ";"
#define TR_ADD(r)                                                                                                      \
    "INSERT INTO timeline_run_heads (key, ev_ord, prec, photos, photo_id, date, precision, place_id)"                  \
    " SELECT " r ".key, " r ".ev_ord, " TR_PREC(r) ", 1, " r ".photo_id, " r ".date, " r ".precision, " r ".place_id"  \
    " WHERE " r ".key IS NOT NULL ON CONFLICT (key, ev_ord, prec) DO UPDATE SET photos = photos + 1;"                  \
    TR_FIRST(r)
#define TR_SUB(r)                                                                                                      \
    "UPDATE timeline_run_heads SET photos = photos - 1 WHERE " TR_ROW(r) ";"                                           \
    "DELETE FROM timeline_run_heads WHERE " TR_ROW(r) " AND photos = 0;"                                               \
    TR_FIRST(r)
/* The runs computed from scratch over timeline_photos (the migration). */
#define TR_FROM_SCRATCH                                                                                                \
    "SELECT key, ev_ord, prec, photos, photo_id, date, precision, place_id FROM ("                                     \
    " SELECT key, ev_ord, " TR_PREC("t") " AS prec, count(*) OVER w AS photos,"                                        \
    "  row_number() OVER (w ORDER BY date, precision, photo_id) AS rn, photo_id, date, precision, place_id"            \
    " FROM timeline_photos t WHERE key IS NOT NULL WINDOW w AS (PARTITION BY key, ev_ord, " TR_PREC("t") "))"        \
    " WHERE rn = 1"
/* clang-format off */
static const char migration_25[] =
    "CREATE TABLE timeline_run_heads ("
    "  key TEXT NOT NULL,"
    "  ev_ord INTEGER NOT NULL,"
    "  prec TEXT NOT NULL,"
    "  photos INTEGER NOT NULL CHECK (photos >= 0),"
    "  photo_id TEXT, date TEXT, precision TEXT, place_id INTEGER,"
    "  PRIMARY KEY (key, ev_ord, prec)"
    ") STRICT, WITHOUT ROWID;"
    "INSERT INTO timeline_run_heads (key, ev_ord, prec, photos, photo_id, date, precision, place_id) "
    TR_FROM_SCRATCH ";"
    "CREATE TRIGGER timeline_run_heads_insert AFTER INSERT ON timeline_photos WHEN NEW.key IS NOT NULL BEGIN "
    TR_ADD("NEW")
    "END;"
    "CREATE TRIGGER timeline_run_heads_delete AFTER DELETE ON timeline_photos WHEN OLD.key IS NOT NULL BEGIN "
    TR_SUB("OLD")
    "END;"
    "CREATE TRIGGER timeline_run_heads_update AFTER UPDATE OF key, ev_ord, date, precision, photo_id, place_id"
    " ON timeline_photos WHEN OLD.key IS NOT NEW.key OR OLD.ev_ord IS NOT NEW.ev_ord OR OLD.date IS NOT NEW.date"
    " OR OLD.precision IS NOT NEW.precision OR OLD.photo_id IS NOT NEW.photo_id OR OLD.place_id IS NOT NEW.place_id"
    " BEGIN "
    TR_SUB("OLD")
    TR_ADD("NEW")
    "END;";
/* clang-format on */

/* Version 26 (catalog_frame_turn.h): a contact sheet's frames turned upright
 * after analysis, by the sheet's vote. turn: the clockwise degrees the stored
 * frame was turned since ingest cut it (0: never; the frame's angle, w and h
 * already describe the turned picture); turn_sha256: the SHA-256 of the
 * turned processed image while it is still to be written (recorded in the
 * transaction that turns the frame, cleared once the image is written), so a
 * run killed in between finishes the turn and never turns an image twice. */
static const char migration_26[] =
    "ALTER TABLE photo_frames ADD COLUMN turn INTEGER NOT NULL DEFAULT 0 CHECK (turn IN (0, 90, 180, 270));"
    "ALTER TABLE photo_frames ADD COLUMN turn_sha256 TEXT CHECK (turn_sha256 IS NULL OR length(turn_sha256) = 64);"
    "CREATE INDEX photo_frames_turn_pending ON photo_frames(photo_id) WHERE turn_sha256 IS NOT NULL;";

static const char *const migrations[CATALOG_SCHEMA_LATEST] = {
    migration_1,  migration_2,  migration_3,  migration_4,  migration_5,  migration_6,  migration_7,
    migration_8,  migration_9,  migration_10, migration_11, migration_12, migration_13, migration_14,
    migration_15, migration_16, migration_17, migration_18, migration_19, migration_20, migration_21,
    migration_22, migration_23, migration_24, migration_25, migration_26
};

int catalog_schema_read_version(sqlite3 *db, const char *path, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return catalog_db_error(db, path, "read schema version", e);
    int rc = sqlite3_step(st);
    int v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    if (rc != SQLITE_ROW)
        v = catalog_db_error(db, path, "read schema version", e);
    sqlite3_finalize(st);
    return v;
}

static int exec(sqlite3 *db, const char *path, const char *sql, const char *what, err *e)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return catalog_db_error(db, path, what, e);
    return 0;
}

/* ERR_CONFLICT naming the first row that breaks a foreign key. */
static int foreign_key_check(sqlite3 *db, const char *path, const char *what, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return catalog_db_error(db, path, what, e);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW)
        rc = err_set(e, ERR_CONFLICT, "%s: %s: row %lld of %s refers to a missing row of %s", path, what,
                     (long long)sqlite3_column_int64(st, 1), (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 2));
    else if (step != SQLITE_DONE)
        rc = catalog_db_error(db, path, what, e);
    sqlite3_finalize(st);
    return rc;
}

/* Brings db from its version up to target, one transaction per migration. */
static int migrate_steps(sqlite3 *db, const char *path, int target, err *e)
{
    int v = catalog_schema_read_version(db, path, e);
    while (v >= 0 && v < target) {
        /* BEGIN IMMEDIATE takes the write lock first, so of two processes opening
         * a fresh catalog at once one migrates and the other then sees it done. */
        int rc = exec(db, path, "BEGIN IMMEDIATE", "begin schema migration", e);
        if (rc)
            return rc;
        v = catalog_schema_read_version(db, path, e);
        if (v >= 0 && v < target) {
            char what[64], bump[64];
            snprintf(what, sizeof what, "schema migration %d -> %d", v, v + 1);
            snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
            rc = exec(db, path, migrations[v], what, e);
            if (rc == 0)
                rc = foreign_key_check(db, path, what, e);
            if (rc == 0)
                rc = exec(db, path, bump, what, e);
            if (rc == 0)
                v++;
        }
        if (v < 0)
            rc = e ? e->code : ERR_DB;
        if (rc) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        rc = exec(db, path, "COMMIT", "commit schema migration", e);
        if (rc) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    if (v < 0)
        return v;
    if (v > CATALOG_SCHEMA_LATEST)
        return err_set(e, ERR_FORMAT,
                       "%s: catalog schema version %d is newer than this facetag understands (%d); "
                       "use a newer facetag",
                       path, v, CATALOG_SCHEMA_LATEST);
    return 0;
}

/* Foreign keys are off while migrating: a migration may rebuild a table (new
 * table, copy, drop, rename), and with them on, dropping the old table would
 * delete or null the rows that refer to it. The pragma is a no-op inside a
 * transaction, so it is switched around the transactions, and PRAGMA
 * foreign_key_check inside each one stands in for it. */
int catalog_schema_migrate_to(sqlite3 *db, const char *path, int target, err *e)
{
    if (target < 0 || target > CATALOG_SCHEMA_LATEST)
        return err_set(e, ERR_INTERNAL, "%s: no schema version %d", path, target);
    int fk = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        fk = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int rc = exec(db, path, "PRAGMA foreign_keys = OFF", "schema migration: turn foreign keys off", e);
    if (rc == 0)
        rc = migrate_steps(db, path, target, e);
    if (fk) {
        err ignored = { 0 };
        int r = exec(db, path, "PRAGMA foreign_keys = ON", "schema migration: turn foreign keys on", rc ? &ignored : e);
        if (rc == 0)
            rc = r;
    }
    return rc;
}

int catalog_schema_migrate(sqlite3 *db, const char *path, err *e)
{
    return catalog_schema_migrate_to(db, path, CATALOG_SCHEMA_LATEST, e);
}
