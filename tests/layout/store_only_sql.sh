#!/usr/bin/env bash
# store_only_sql.sh SRC_ROOT — the catalog is an interface (issue 10): no file
# under src/ outside src/store may call SQLite (sqlite3_*, <sqlite3.h>) or
# include the store's private header (store/catalog_internal.h). Prints every
# offending line and fails when there is one.
set -uo pipefail
root=${1:-${FACETAG_SRC:?give the source root}}
[ -d "$root/src/store" ] || { echo "store_only_sql: $root/src/store is not a folder" >&2; exit 2; }
hits=$(cd "$root" && grep -rnE 'sqlite3_|<sqlite3\.h>|struct sqlite3\b|store/catalog_internal\.h' src \
       --include='*.c' --include='*.h' --include='*.cpp' | grep -v '^src/store/')
if [ -n "$hits" ]; then
    echo "SQLite used outside src/store (put the statement behind a store function, see store/catalog.h):"
    echo "$hits"
    echo "0 passed, 1 failed"
    exit 1
fi
n=$(cd "$root" && grep -rlE 'sqlite3_' src/store | wc -l)
echo "store_only_sql: no SQLite outside src/store ($n files inside use it)"
exit 0
