#!/usr/bin/env bash
# ingest_sheet.sh — contact sheets become their frames at ingest: generated
# sheets (bench_sheet --make: a 35 mm positive print of 2 strips and a scan of
# one strip of negatives) are split into photos of their own with the sheet as
# parent and their place on it (checked against the generator's truth), the
# sheet is kept; ordinary photos beside them are not split; --sheets off
# splits nothing; a second run changes nothing; kill -9 during the ingest of
# sheets and a re-run give the same catalog as one clean run. The kills come
# from the run itself (FACETAG_TEST_KILL_AT=K, core/testhook.h: right after its
# Kth object write, before the catalog transaction), so each lands mid-run on
# any machine: this input makes 34 object writes (originals, the 4 photos' and
# 18 frames' processed JPEGs); the kills come at the 2nd, 17th and 33rd, under
# ASan (FACETAG_SANITIZE=1) at the 17th only.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"
MAKE=$(dirname "$BIN")/bench_sheet
# fontconfig's caches (edge print text) are never freed: not ours to report
export LSAN_OPTIONS=suppressions=${FACETAG_SRC:-$(dirname "$0")/../..}/tests/unit/lsan-fontconfig.supp
[ -x "$MAKE" ] || { echo "ingest_sheet: $MAKE missing (build bench_sheet)"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
GP=$SHARED/data/group-photos
mkdir -p "$T/in"
"$MAKE" --make "$T/in/sheet_a.jpg" --strips 2 --per-strip 6 --angle 2.5 --px-per-mm 10 --margin --seed 3 \
  "$GP"/dlib-faces/*.jpg > "$T/truth_a.jsonl" || fail "bench_sheet --make failed"
"$MAKE" --make "$T/in/strip_b.jpg" --strips 1 --per-strip 6 --angle -1.8 --px-per-mm 12 --negative --sepia --seed 4 \
  "$GP"/modern-groups/*.jpg > "$T/truth_b.jsonl" || fail "bench_sheet --make failed"
cp "$GP/modern-groups/faceapi_bbt2.jpg" "$GP/solvay-1927/1280px-Solvay_conference_1927.png" "$T/in/"
DB=$T/data/catalog.sqlite
q() { sqlite3 "$DB" "$1"; }
id_a=$(sha256sum "$T/in/sheet_a.jpg" | cut -c1-16)
id_b=$(sha256sum "$T/in/strip_b.jpg" | cut -c1-16)

out=$("$BIN" --data "$T/data" ingest --json -j 2 "$T/in") || fail "ingest failed: $out"
[ "$out" = '{"ingested":4,"duplicates":0,"failed":0,"unchanged":0,"sheets":2,"frames":18}' ] || fail "ingest: $out"
[ "$(q 'SELECT count(*) FROM photos')" -eq 22 ] || fail "want 4 photos + 18 frames"
[ "$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$id_a' AND kind = 'sheet'")" -eq 12 ] || fail "sheet a: 12 frames"
[ "$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$id_b' AND negative = 1")" -eq 6 ] || fail "strip b: 6 negative frames"
[ "$(q "SELECT count(*) FROM photos p JOIN photo_frames f USING (photo_id) WHERE p.parent_id = f.parent_id")" -eq 18 ] ||
  fail "each frame's photo has the sheet as parent"
[ "$(q "SELECT count(*) FROM photo_frames WHERE parent_id NOT IN ('$id_a', '$id_b')")" -eq 0 ] || fail "an ordinary photo was split"
# the JSON export says where each frame was cut from (a frame has no path of its own)
"$BIN" --data "$T/data" export json --out "$T/export.json" || fail "export json"
[ "$(jq --arg a "$id_a" '[.photos[] | select(.frame_of.photo_id == $a and .frame_of.kind == "sheet"
                             and (.frame_of.paths[0] | endswith("/sheet_a.jpg")))] | length' "$T/export.json")" -eq 12 ] ||
  fail "export json: sheet a's 12 frames with frame_of"
[ "$(jq '[.photos[] | select(.frame_of) | .frame_of.frame] | sort | unique | length' "$T/export.json")" -eq 12 ] ||
  fail "export json: frame numbers 1-12"
[ "$(jq '[.photos[] | select((.paths | length) > 0 and .frame_of)] | length' "$T/export.json")" -eq 0 ] ||
  fail "export json: a photo with a path of its own has frame_of"
# the editable annotation file of a frame names the file it was cut from, and which frame
"$BIN" --data "$T/data" export annotations "$T/ann" >/dev/null || fail "export annotations"
[ "$(jq -s --arg a "$id_a" '[.[] | select(.frame_of.photo_id == $a and .frame_of.kind == "sheet"
                             and (.file | endswith("/sheet_a.jpg")))] | length' "$T"/ann/*.json)" -eq 12 ] ||
  fail "annotation files: sheet a's 12 frames with their file and frame_of"
[ "$(jq -s '[.[] | select(.file == null)] | length' "$T"/ann/*.json)" -eq 0 ] || fail "annotation files: a file is null"
# every frame where the generator put it (the sheets are smaller than --max-edge: same pixels)
check_truth() { # truth.jsonl parent_id
  while read -r line; do
    n=$(jq -r .frame <<<"$line"); cx=$(jq -r .cx <<<"$line"); cy=$(jq -r .cy <<<"$line")
    w=$(jq -r .w <<<"$line"); h=$(jq -r .h <<<"$line")
    got=$(q "SELECT abs(cx - $cx) < 4 AND abs(cy - $cy) < 4 AND abs(w - $w) < 0.04 * $w AND abs(h - $h) < 0.04 * $h
             FROM photo_frames WHERE parent_id = '$2' AND frame_no = $n")
    [ "$got" = 1 ] || fail "frame $n of $2: $(q "SELECT cx, cy, w, h FROM photo_frames WHERE parent_id = '$2' AND frame_no = $n") vs truth $cx $cy $w $h"
  done < "$1"
}
check_truth "$T/truth_a.jsonl" "$id_a"
check_truth "$T/truth_b.jsonl" "$id_b"
for f in $(q 'SELECT photo_id FROM photo_frames'); do
  [ -s "$T/data/objects/processed/$f.jpg" ] || fail "processed/$f.jpg missing"
done
# the negative strip's frames come out positive: mean brightness of a frame near the photo's, not inverted
fr=$(q "SELECT photo_id FROM photo_frames WHERE parent_id = '$id_b' AND frame_no = 1")
src=$(jq -r .photo "$T/truth_b.jsonl" | head -1)
a=$(vips avg "$T/data/objects/processed/$fr.jpg"); b=$(vips avg "$src")
awk -v a="$a" -v b="$b" 'BEGIN { exit !(a - b < 45 && b - a < 45) }' || fail "negative frame mean $a vs photo $b"

out=$("$BIN" --data "$T/data" ingest --json "$T/in") || fail "second run failed"
[ "$out" = '{"ingested":0,"duplicates":0,"failed":0,"unchanged":4}' ] || fail "second run: $out"

out=$("$BIN" --data "$T/off" ingest --json --sheets off "$T/in") || fail "--sheets off failed"
[ "$out" = '{"ingested":4,"duplicates":0,"failed":0,"unchanged":0}' ] || fail "--sheets off: $out"
"$BIN" --data "$T/off" ingest --sheets sometimes "$T/in" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --sheets must be a usage error"

# kill -9 while sheets are being cut, then the same command again
want=$(q 'SELECT photo_id, parent_id, width, height FROM photos ORDER BY photo_id' | md5sum)
wantf=$(q 'SELECT * FROM photo_frames ORDER BY photo_id' | md5sum)
kills="2 17 33"
[ "${FACETAG_SANITIZE:-0}" = 1 ] && kills=17
for at in $kills; do
  rm -rf "$T/k"
  FACETAG_TEST_KILL_AT=$at "$BIN" --data "$T/k" ingest --no-progress -j 2 "$T/in" >/dev/null 2>&1
  rc=$?
  [ $rc -eq 137 ] || fail "the run told to kill itself at object write $at ended with exit $rc"
  "$BIN" --data "$T/k" ingest --no-progress "$T/in" >/dev/null 2>&1 || fail "re-run after kill at write $at failed"
  [ "$(sqlite3 "$T/k/catalog.sqlite" 'SELECT photo_id, parent_id, width, height FROM photos ORDER BY photo_id' | md5sum)" = "$want" ] ||
    fail "photos after kill at write $at differ from a clean run"
  [ "$(sqlite3 "$T/k/catalog.sqlite" 'SELECT * FROM photo_frames ORDER BY photo_id' | md5sum)" = "$wantf" ] ||
    fail "frames after kill at write $at differ from a clean run"
  [ "$(ls "$T/k/objects/processed" | wc -l)" -eq 22 ] || fail "processed/ after kill at write $at: $(ls "$T/k/objects/processed" | wc -l) objects"
done
echo "ingest_sheet: ok"
