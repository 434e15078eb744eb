#!/usr/bin/env bash
# annotate_import.sh — issue 11 part 7: the editable annotation files, round
# trip. The demo archive (tests/data/demo-archive: the six sample photos in
# folders with captions) is ingested, analysed, clustered and annotated;
# `facetag export annotations` writes one {photo_id}.json per photo; jq edits a
# face's name, a date, a place and an event and rejects a suggestion;
# `facetag import --check` changes nothing; `facetag import` applies the edits,
# which then show in `facetag export json`, in /api/export.json of a real
# `facetag serve`, and in the annotation files written again; a second import
# changes nothing; the edits hold through `facetag annotate --full`. Bad files
# (an unknown photo, a box that matches no face, a wrong type, broken JSON, an
# error after other edits) fail with the file and field named and nothing of
# that file applied; a kill -9 during an import and a re-run end where an
# uninterrupted import ends.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib/serve.bash"
command -v jq >/dev/null || fail "jq not found (make deps installs it)"

T=$(mktemp -d)
trap '[ -n "${SERVE_PID:-}" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
A=$T/archive
LAYOUT=$SRC/tests/data/demo-archive
(cd "$LAYOUT" && find . -name '*.txt' ! -name layout.txt) | while read -r f; do
    mkdir -p "$A/$(dirname "$f")" && cp "$LAYOUT/$f" "$A/$f"
done
# under the sanitizers (10x slower analysis) three of the six photos: the
# group with a "v.l.n.r." caption, and the two of a dated folder
keep=.
[ "${FACETAG_SANITIZE:-0}" = 1 ] && keep='sample[125]'
while read -r name folder; do
    case "$name" in '' | '#'*) continue ;; esac
    [[ $name =~ $keep ]] || continue
    mkdir -p "$A/$folder" && cp "$MODELS/../demo/$name" "$A/$folder/$name" || fail "no demo photo $name"
done <"$LAYOUT/layout.txt"
find "$A" -name 'sample*.txt' | while read -r t; do [ -f "${t%.txt}.jpg" ] || rm "$t"; done
NPHOTOS=$(find "$A" -name '*.jpg' | wc -l)

D=$T/data
"$BIN" --data "$D" ingest "$A" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
"$BIN" --data "$D" -j 2 analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"
"$BIN" --data "$D" cluster >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
"$BIN" --data "$D" annotate >/dev/null 2>"$T/err" || fail "annotate: $(tail -3 "$T/err")"
"$BIN" --data "$D" export json --out "$T/before.json" || fail "export json"
"$BIN" --data "$D" export annotations "$T/ann" 2>"$T/err" || fail "export annotations: $(cat "$T/err")"
n=$(ls "$T/ann" | wc -l)
[ "$n" -eq "$NPHOTOS" ] || fail "want $NPHOTOS annotation files, got $n"

# the captioned photo with the most faces (the "v.l.n.r." group)
P=$(jq -r '[.photos[] | select(.caption != null)] | max_by(.faces | length) | .photo_id' "$T/before.json")
F=$T/ann/$P.json
[ -f "$F" ] || fail "no annotation file for photo $P"
jq -e '.faces | length >= 3' "$F" >/dev/null || fail "photo $P: want >= 3 faces in $F"
jq -e '.faces[1].suggestions | length >= 1' "$F" >/dev/null || fail "face 1 of $P has no suggestion to reject"
FACE0=$(jq '.faces[0].face_id' "$F")
FACE1=$(jq '.faces[1].face_id' "$F")
REJ=$(jq -r '.faces[1].suggestions[0].name' "$F")
# the edits a person makes, with jq
jq '.faces[0].person.label = "Ada Überall"
    | .faces[1].suggestions[0].status = "rejected"
    | .date = {"value": "1986-06", "precision": "month"}
    | .place = {"name": "Porto"}
    | .event = {"name": "Premiere in Porto"}' "$F" >"$T/edit.json" || fail "jq edit"
mkdir "$T/edits" && cp "$T/edit.json" "$T/edits/$P.json"

# --check: says what would change, changes nothing
"$BIN" --data "$D" import --check "$T/edits" >"$T/check.txt" 2>"$T/err" || fail "import --check: $(cat "$T/err")"
grep -q "5 changes (--check" "$T/err" || fail "import --check should count 5 changes: $(cat "$T/err")"
"$BIN" --data "$D" export json --out "$T/after-check.json" || fail "export json"
cmp -s "$T/before.json" "$T/after-check.json" || fail "import --check changed the catalog"

# the import
"$BIN" --data "$D" --json import "$T/edits" >"$T/imp.json" 2>"$T/err" || fail "import: $(cat "$T/err")"
jq -e '.files == 1 and .applied == 1 and .failed == 0 and .changes == 5' "$T/imp.json" >/dev/null ||
    fail "import: $(cat "$T/imp.json")"

# check_export FILE WHAT — the edits as the export shows them
check_export() {
    jq -e --arg p "$P" --argjson f0 "$FACE0" --argjson f1 "$FACE1" --arg rej "$REJ" '
      .events as $ev | .photos[] | select(.photo_id == $p) |
      (.date.value == "1986-06" and .date.precision == "month" and .date.source == "human") and
      (.place.name == "Porto") and
      (.event_id as $id | [$ev[] | select(.id == $id) | .name] == ["Premiere in Porto"]) and
      ([.faces[] | select(.face_id == $f0) | .name, .name_status] == ["Ada Überall", "confirmed"]) and
      ([.faces[] | select(.face_id == $f1) | .suggestions[] | select(.name == $rej)] == [])' "$1" >/dev/null ||
        fail "$2 does not show the edits: $(jq -c --arg p "$P" '.photos[] | select(.photo_id == $p) | {date, place, event_id, faces: [.faces[] | {face_id, name, name_status, s: [.suggestions[].name]}]}' "$1")"
}
"$BIN" --data "$D" export json --out "$T/after.json" || fail "export json"
check_export "$T/after.json" "facetag export json"
# the other photos did not change
jq --arg p "$P" '[.photos[] | select(.photo_id != $p)]' "$T/before.json" >"$T/o1" &&
    jq --arg p "$P" '[.photos[] | select(.photo_id != $p)]' "$T/after.json" >"$T/o2" &&
    cmp -s "$T/o1" "$T/o2" || fail "the import changed other photos"
n=$(jq -r '.photos | length' "$T/after.json")
[ "$n" -eq "$NPHOTOS" ] || fail "photos lost: $n"

# through the API of a real server
serve_start "$D"
body "$SERVE_URL/api/export.json" >"$T/api.json" || fail "GET /api/export.json"
check_export "$T/api.json" "GET /api/export.json"
serve_stop

# written again, the annotation file carries the edits
"$BIN" --data "$D" export annotations "$T/ann2" 2>/dev/null || fail "export annotations again"
jq -e --argjson f0 "$FACE0" '(.date.value == "1986-06") and (.date.source == "human") and (.place.name == "Porto")
    and (.event.name == "Premiere in Porto")
    and ([.faces[] | select(.face_id == $f0) | .person.label, .person.source] == ["Ada Überall", "confirmed"])' \
    "$T/ann2/$P.json" >/dev/null || fail "the annotation file written again lacks the edits: $(cat "$T/ann2/$P.json")"

# idempotent: the same edits again, and the new files, change nothing
"$BIN" --data "$D" --json import "$T/edits" "$T/ann2" >"$T/imp2.json" 2>"$T/err" || fail "import again: $(cat "$T/err")"
jq -e --argjson n "$((NPHOTOS + 1))" '.changes == 0 and .failed == 0 and .files == $n' "$T/imp2.json" >/dev/null ||
    fail "a second import changed something: $(cat "$T/imp2.json")"

# people's decisions hold through annotate --full
"$BIN" --data "$D" annotate --full >/dev/null 2>"$T/err" || fail "annotate --full: $(cat "$T/err")"
"$BIN" --data "$D" export json --out "$T/after-full.json" || fail "export json"
check_export "$T/after-full.json" "the export after annotate --full"

# bad files: the file and the field named, nothing of the file applied
G=$T/ann2/$P.json
bad() { # bad NAME WANT-IN-MESSAGE JQ-FILTER
    jq "$3" "$G" >"$T/$1.json" || fail "jq $3"
    "$BIN" --data "$D" export json --out "$T/b1.json"
    "$BIN" --data "$D" import "$T/$1.json" >/dev/null 2>"$T/err"
    local rc=$?
    [ "$rc" -eq 1 ] || fail "$1: want exit 1, got $rc: $(cat "$T/err")"
    grep -qF "$1.json: $2" "$T/err" || fail "$1: want '$1.json: $2' in: $(cat "$T/err")"
    "$BIN" --data "$D" export json --out "$T/b2.json"
    cmp -s "$T/b1.json" "$T/b2.json" || fail "$1: something of a failed file was applied"
}
bad unknown_photo "photo_id: no photo 0123456789abcdef" '.photo_id = "0123456789abcdef"'
bad box "faces[0].box: does not match" '.faces[0].box = [0, 0, 5, 5]'
bad box_only "faces[0].box: matches no face" '.faces[0] |= (del(.face_id) | .box = [0, 0, 5, 5])'
bad no_face "faces[0].face_id: photo $P has no face 99999" '.faces[0].face_id = 99999'
bad wrong_type "date: want an object" '.date = 1977'
bad not_a_date "date.value: '1977-13'" '.date = {"value": "1977-13", "precision": "month"}'
bad label_type "faces[0].person.label: want a string" '.faces[0].person.label = 7'
# an error after edits that would apply: the date and place of this file stay as they were
bad late_error "event.id:" '.date = "1990" | .place = "Lima" | .event = {"id": 99999}'
printf '{"photo_id": "%s",\n  "date": }\n' "$P" >"$T/broken.json"
"$BIN" --data "$D" import "$T/broken.json" 2>"$T/err" && fail "broken JSON imported"
grep -qF "broken.json: line 2, column" "$T/err" || fail "broken JSON: want the line in: $(cat "$T/err")"

# kill -9 during an import, then again: the same end as one whole import
jq '.date = "1991" | .place = "Lima" | .faces[0].person.label = "Bea Zweifel"' "$G" >"$T/edits/$P.json"
cp -r "$D" "$T/ref"
"$BIN" --data "$T/ref" import "$T/edits" >/dev/null 2>&1 || fail "reference import"
"$BIN" --data "$T/ref" export json --out "$T/ref.json"
for delay in 0.02 0.1 0.3; do
    "$BIN" --data "$D" import "$T/edits" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
"$BIN" --data "$D" import "$T/edits" >/dev/null 2>"$T/err" || fail "import after kill: $(cat "$T/err")"
"$BIN" --data "$D" export json --out "$T/killed.json"
cmp -s "$T/ref.json" "$T/killed.json" || fail "import after kill -9 differs from a whole import"
echo "annotate_import: ok"
