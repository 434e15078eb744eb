/* catalog_internal.h — shared by the two halves of the SQLite catalog backend
 * (catalog_sqlite.c: connection and queries; catalog_schema.c: schema and
 * migrations). Not for use outside src/store/. */
#ifndef FACETAG_STORE_CATALOG_INTERNAL_H
#define FACETAG_STORE_CATALOG_INTERNAL_H

#include "core/error.h"

struct sqlite3;

/* The schema version this build writes and reads (PRAGMA user_version). */
#define CATALOG_SCHEMA_LATEST 4

/* Brings the schema at db up to CATALOG_SCHEMA_LATEST, one transaction per
 * migration, safe against another process migrating at the same time. A catalog
 * newer than this build is refused (ERR_FORMAT). path is for messages. */
int catalog_schema_migrate(struct sqlite3 *db, const char *path, err *e);

/* The same, up to version target only (<= CATALOG_SCHEMA_LATEST): for tests
 * that need a catalog as an older facetag left it. */
int catalog_schema_migrate_to(struct sqlite3 *db, const char *path, int target, err *e);

/* Reads PRAGMA user_version; <0 with e set on error. */
int catalog_schema_read_version(struct sqlite3 *db, const char *path, err *e);

/* Fills e with "PATH: WHAT: sqlite message" and an errcode that fits the SQLite
 * error (constraint checks ERR_INVALID, uniqueness/foreign keys/triggers
 * ERR_CONFLICT, not a database ERR_FORMAT, a lock held past the busy timeout
 * ERR_BUSY, else ERR_DB); returns the code. */
int catalog_db_error(struct sqlite3 *db, const char *path, const char *what, err *e);

#endif
