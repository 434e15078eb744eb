/* catalog_internal.h — shared by the files of the SQLite catalog backend
 * (catalog_sqlite.c: connection, transactions, photos; catalog_schema.c: schema
 * and migrations; catalog_faces.c, persons.c, people_store.c, catalog_query.c,
 * ...: one topic each). Not for use outside src/store/, except by white-box
 * tests and benches under tests/ and bench/ that build fixtures with raw SQL. */
#ifndef FACETAG_STORE_CATALOG_INTERNAL_H
#define FACETAG_STORE_CATALOG_INTERNAL_H

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;
struct catalog;

/* The schema version this build writes and reads (PRAGMA user_version). */
#define CATALOG_SCHEMA_LATEST 26

/* Brings the schema at db up to CATALOG_SCHEMA_LATEST, one transaction per
 * migration, safe against another process migrating at the same time. A catalog
 * newer than this build is refused (ERR_FORMAT). path is for messages. */
int catalog_schema_migrate(struct sqlite3 *db, const char *path, err *e);

/* The same, up to version target only (<= CATALOG_SCHEMA_LATEST): for tests
 * that need a catalog as an older facetag left it. */
int catalog_schema_migrate_to(struct sqlite3 *db, const char *path, int target, err *e);

/* Reads PRAGMA user_version; <0 with e set on error. */
int catalog_schema_read_version(struct sqlite3 *db, const char *path, err *e);

/* Process-wide SQLite settings that must come before SQLite starts (once;
 * later calls do nothing): every opening of a connection calls it first. */
void catalog_sqlite_setup(void);

/* Fills e with "PATH: WHAT: sqlite message" and an errcode that fits the SQLite
 * error (constraint checks ERR_INVALID, uniqueness/foreign keys/triggers
 * ERR_CONFLICT, not a database ERR_FORMAT, a lock held past the busy timeout
 * ERR_BUSY, else ERR_DB); returns the code. */
int catalog_db_error(struct sqlite3 *db, const char *path, const char *what, err *e);

/* The one error mapping for a catalog handle: catalog_db_error on its connection
 * and path. Every SQLite failure in src/store goes through here, so a lock held
 * past the busy timeout is ERR_BUSY everywhere (the review answers 503). */
int catalog_error(struct catalog *c, const char *what, err *e);

/* The connection of c, owned by c. Only for src/store (and test fixtures). */
struct sqlite3 *catalog_sqlite(struct catalog *c);

/* Prepares sql on c's connection; NULL with e set (catalog_error) on failure.
 * Caller finalizes. */
struct sqlite3_stmt *catalog_prepare(struct catalog *c, const char *sql, const char *what, err *e);

/* The same, with a photo's parameters bound (copied): photo_id as ?1 and
 * model_version as ?2, each left NULL when NULL. The one way src/store reads
 * a photo's rows. */
struct sqlite3_stmt *catalog_prepare_photo(struct catalog *c, const char *sql, const char *photo_id,
                                           const char *model_version, const char *what, err *e);

/* The same for a statement run again and again (a per-node query of the graph
 * view): kept prepared on c's connection, keyed by the ADDRESS of sql, which
 * must therefore be a string constant (static storage, one text per address).
 * Reset and unbound when returned; hand it back with catalog_cached_done (never
 * finalize it). A nested use of the same text gets a statement of its own. */
struct sqlite3_stmt *catalog_prepare_cached(struct catalog *c, const char *sql, const char *what, err *e);
/* Resets st (so it holds no read snapshot) and keeps it for the next call;
 * finalizes one that is not kept. NULL is ignored. */
void catalog_cached_done(struct catalog *c, struct sqlite3_stmt *st);

/* A change of several statements inside one function: its own transaction
 * (BEGIN IMMEDIATE, which takes the write lock before the first read so a
 * concurrent writer makes it wait, never fail) when the caller has none open,
 * else a savepoint inside the caller's, so both a call alone and a batch inside
 * catalog_begin/commit are all-or-nothing and a failed call undoes only itself.
 * The one helper for this; every multi-statement write in src/store uses it. */
typedef struct catalog_tx {
    int own; /* 1: its own transaction; 0: a savepoint in the caller's */
} catalog_tx;
/* Opens the transaction or savepoint; what names the change for messages. */
int catalog_tx_begin(struct catalog *c, catalog_tx *tx, const char *what, err *e);
/* rc == 0: commits (or releases the savepoint) and returns 0 or the commit's
 * error; rc != 0: rolls back (to the savepoint) and returns rc. */
int catalog_tx_end(struct catalog *c, catalog_tx *tx, int rc, const char *what, err *e);

/* A stored face descriptor (faces.embedding: FACE_DESCRIPTOR_DIM float32,
 * little-endian whatever the host) into floats. `in` holds
 * FACE_DESCRIPTOR_DIM * 4 bytes; the caller checks the length. */
void catalog_embedding_decode(const unsigned char *in, float *out);

#endif
