#!/usr/bin/env bash
# ingest_duplicates.sh — identity is the content: the same bytes under several
# paths (copies, a hard link, a symbolic link, in one run or in two) are one
# photo with every path recorded; a file whose bytes change moves its path to
# the new photo; a touched file with the same bytes is "unchanged".
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
GP=$SHARED/data/group-photos
A=$GP/modern-groups/faceapi_bbt2.jpg
B=$GP/modern-groups/faceapi_bbt3.jpg
mkdir -p "$T/in/x" "$T/in/y" "$T/later"
cp "$A" "$T/in/x/one.jpg"
cp "$A" "$T/in/y/same-bytes-other-name.jpg"
ln "$T/in/x/one.jpg" "$T/in/y/hardlink.jpg"
ln -s ../x/one.jpg "$T/in/y/symlink.jpg"
cp "$B" "$T/in/x/other.jpg"
DB=$T/data/catalog.sqlite
q() { sqlite3 "$DB" "$1"; }
id_a=$(sha256sum "$A" | cut -c1-16)

out=$("$BIN" --data "$T/data" ingest --json -j 2 "$T/in") || fail "first run failed: $out"
[ "$out" = '{"ingested":2,"duplicates":3,"failed":0,"unchanged":0}' ] || fail "first run: $out"
[ "$(q 'SELECT count(*) FROM photos')" -eq 2 ] || fail "want 2 photos"
paths=$(q "SELECT group_concat(path, '|') FROM (SELECT path FROM photo_sources WHERE photo_id = '$id_a' ORDER BY path)")
want="$T/in/x/one.jpg|$T/in/y/hardlink.jpg|$T/in/y/same-bytes-other-name.jpg|$T/in/y/symlink.jpg"
[ "$paths" = "$want" ] || fail "paths of photo $id_a: $paths"
[ "$(ls "$(objects "$T/data")/incoming")" = "$(printf '%s.jpg\n' $(sha256sum "$A" "$B" | cut -c1-16) | sort)" ] ||
  fail "incoming/ should hold each original once"

# the same bytes found later under yet another path: a duplicate, not a new photo
cp "$A" "$T/later/again.jpg"
out=$("$BIN" --data "$T/data" ingest --json "$T/later" "$T/in") || fail "second run failed"
[ "$out" = '{"ingested":0,"duplicates":1,"failed":0,"unchanged":5}' ] || fail "second run: $out"
[ "$(q "SELECT count(*) FROM photo_sources WHERE photo_id = '$id_a'")" -eq 5 ] || fail "want 5 paths for $id_a"

# touched, same bytes: unchanged (the new mtime is recorded)
touch -d '2001-01-01 00:00:00' "$T/in/x/other.jpg"
out=$("$BIN" --data "$T/data" ingest --json "$T/in/x/other.jpg") || fail "touch run failed"
[ "$out" = '{"ingested":0,"duplicates":0,"failed":0,"unchanged":1}' ] || fail "touched file: $out"
[ "$(q "SELECT mtime_ns FROM photo_sources WHERE path = '$T/in/x/other.jpg'")" = 978307200000000000 ] ||
  fail "the new mtime should be recorded"

# new bytes at a known path: a new photo, and the path moves to it
cp "$B" "$T/in/y/same-bytes-other-name.jpg"
out=$("$BIN" --data "$T/data" ingest --json "$T/in/y/same-bytes-other-name.jpg") || fail "changed run failed"
[ "$out" = '{"ingested":0,"duplicates":1,"failed":0,"unchanged":0}' ] || fail "changed file: $out"
[ "$(q "SELECT photo_id FROM photo_sources WHERE path = '$T/in/y/same-bytes-other-name.jpg'")" = "$(sha256sum "$B" | cut -c1-16)" ] ||
  fail "the changed path should now point at the other photo"
[ "$(q 'SELECT count(*) FROM photos')" -eq 2 ] || fail "still 2 photos"
echo "ok: one photo per content, every path recorded"
