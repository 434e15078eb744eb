#!/usr/bin/env bash
# ocr_backs.sh — backs of prints through the binary: test cards (bench_ocr
# --save: notes on yellowed paper) named as backs of photos (X_back.jpg), one
# paired by its sidecar {"back_of": ...}, one whose front is missing. Ingest
# marks them as backs and pairs them (a clear line for the one with no front);
# `facetag ocr` reads them; a second run reads nothing; `facetag annotate`
# gives the front the date written on its back, with source ocr and
# Tesseract's confidence; kill -9 during ocr and a re-run end where a clean
# run ends; the fronts are read too and not flagged as mirrored.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MAKE=$(dirname "$BIN")/bench_ocr
export LSAN_OPTIONS=suppressions=${FACETAG_SRC:-$(dirname "$0")/../..}/tests/unit/lsan-ocr.supp
BIN_=$BIN
. "$(dirname "$0")/lib/serve.bash"
BIN=$BIN_
[ -x "$MAKE" ] || fail "$MAKE missing (build bench_ocr)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
GP=$SHARED/data/group-photos/dlib-faces
"$MAKE" --cards 3 --save "$T/cards" --no-read > /dev/null || fail "bench_ocr --save failed"
mkdir -p "$T/in/box" "$T/in/s"
"$MAKE" --cards 1 --mirrored --save "$T/mcards" --no-read > /dev/null || fail "bench_ocr --save --mirrored failed"
cp "$GP/2008_001009.jpg" "$T/in/IMG_0001.jpg"
cp "$T/cards/card_000.jpg" "$T/in/IMG_0001_back.jpg"          # Courier: "Omas 70. Geburtstag ... Pfingsten 1968"
cp "$T/cards/card_001.jpg" "$T/in/box/Oma-verso.jpg"          # no front beside it
cp "$T/cards/card_002.jpg" "$T/in/s/scan_0002.jpg"            # paired by its sidecar
echo '{"back_of": "scan_0001.jpg"}' > "$T/in/s/scan_0002.json"
cp "$GP/2008_002079.jpg" "$T/in/s/scan_0001.jpg"
DB=$T/data/catalog.sqlite
q() { sqlite3 "$DB" "$1"; }
id() { sha256sum "$1" | cut -c1-16; }
front=$(id "$T/in/IMG_0001.jpg"); back=$(id "$T/in/IMG_0001_back.jpg")
orphan=$(id "$T/in/box/Oma-verso.jpg"); sback=$(id "$T/in/s/scan_0002.jpg"); sfront=$(id "$T/in/s/scan_0001.jpg")

out=$("$BIN" --data "$T/data" ingest --json --no-progress "$T/in" 2> "$T/ingest.err") || fail "ingest: $out $(cat "$T/ingest.err")"
[ "$out" = '{"ingested":5,"duplicates":0,"failed":0,"unchanged":0,"backs":3,"backs_paired":2,"backs_unpaired":1}' ] ||
  fail "ingest: $out"
grep -q "back of a print $orphan: no front $T/in/box/Oma\.\* beside it" "$T/ingest.err" ||
  fail "no clear reason for the back with no front: $(cat "$T/ingest.err")"
[ "$(q "SELECT front_id FROM photo_backs WHERE photo_id = '$back'")" = "$front" ] || fail "X_back not paired with X"
[ "$(q "SELECT front_id || paired_by FROM photo_backs WHERE photo_id = '$sback'")" = "${sfront}sidecar" ] ||
  fail "the sidecar's back_of not paired"
[ "$(q "SELECT ifnull(front_id, 'none') FROM photo_backs WHERE photo_id = '$orphan'")" = none ] || fail "orphan paired"
[ "$(q 'SELECT count(*) FROM photos')" -eq 5 ] || fail "every file is a photo (nothing lost)"

# kill -9 while reading, then the same command again
"$BIN" --data "$T/data" ocr --backs-only --no-progress -j 1 > /dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
out=$("$BIN" --data "$T/data" ocr --backs-only --json --no-progress 2> "$T/ocr.err") || fail "ocr: $out $(cat "$T/ocr.err")"
[ "$(q 'SELECT count(*) FROM photo_ocr')" -eq 3 ] || fail "after the kill and a re-run: 3 backs read ($out)"
[ "$(q 'SELECT count(*) FROM photo_texts')" -eq 3 ] || fail "3 texts"
[ "$(q "SELECT count(*) FROM photo_texts WHERE region <> 'back'")" -eq 0 ] || fail "a back's text is region back"
q "SELECT text FROM photo_texts WHERE photo_id = '$back'" | grep -q "Pfingsten 1968" || fail "back text: $(q "SELECT text FROM photo_texts WHERE photo_id = '$back'")"
q "SELECT text FROM photo_texts WHERE photo_id = '$back'" | grep -q "Krüger" || fail "umlaut lost"
out=$("$BIN" --data "$T/data" ocr --backs-only --json --no-progress 2>&1) || fail "ocr again: $out"
echo "$out" | grep -q '"backs":0,"fronts":0' || fail "a second run read again: $out"

out=$("$BIN" --data "$T/data" annotate --json 2>&1) || fail "annotate: $out"
[ "$(q "SELECT date_value || '|' || date_source FROM photo_annotations WHERE photo_id = '$front'")" = "1968|ocr" ] ||
  fail "the front's date from its back: $(q "SELECT date_value, date_source, evidence FROM photo_annotations WHERE photo_id = '$front'")"
q "SELECT evidence FROM photo_annotations WHERE photo_id = '$front'" | jq -e 'map(select(.source == "ocr" and .kind == "caption" and .confidence > 50)) | length == 1' > /dev/null ||
  fail "caption evidence with source ocr and confidence: $(q "SELECT evidence FROM photo_annotations WHERE photo_id = '$front'")"

# fronts: read, nothing flagged as mirrored in these group photos
out=$("$BIN" --data "$T/data" ocr --json --no-progress 2>&1) || fail "ocr fronts: $out"
echo "$out" | grep -q '"backs":0,"fronts":2' || fail "fronts: $out"
[ "$(q 'SELECT count(*) FROM photo_ocr WHERE mirrored = 1')" -eq 0 ] || fail "a group photo flagged as mirrored"
# a print with a caption, scanned mirror-wise: flagged, a check, its text read the right way round
mkdir -p "$T/in2" && cp "$T/mcards/card_000.jpg" "$T/in2/caption_print.jpg"
mirrored=$(id "$T/in2/caption_print.jpg")
"$BIN" --data "$T/data" ingest --no-progress "$T/in2" > /dev/null 2>&1 || fail "ingest of the mirrored print"
out=$("$BIN" --data "$T/data" ocr --json --no-progress 2>&1) || fail "ocr mirrored: $out"
echo "$out" | grep -q '"fronts":1,"texts":1,"mirrored":1' || fail "the mirrored print: $out"
[ "$(q "SELECT mirrored FROM photo_ocr WHERE photo_id = '$mirrored'")" = 1 ] || fail "not flagged"
q "SELECT text FROM photo_texts WHERE photo_id = '$mirrored'" | grep -q "Geburtstag" ||
  fail "its text, read mirrored: $(q "SELECT text FROM photo_texts WHERE photo_id = '$mirrored'")"
out=$("$BIN" --data "$T/data" check --json 2>&1) || fail "check: $out"
echo "$out" | jq -e --arg m "$mirrored" '.checks | map(select(.kind == "mirrored" and .photo_id == $m and .action == "flip")) | length == 1' > /dev/null ||
  fail "check lists the mirrored scan: $out"

# the review API: the front shows its back's text, the back its front, the orphan its reason
serve_start "$T/data"
trap 'serve_stop; rm -rf "$T"' EXIT
body=$(hc "$SERVE_URL/api/photos/$front" | sed '$d')
echo "$body" | jq -e --arg b "$back" '.texts | map(select(.region == "back" and .read_on == $b and .confidence > 50 and (.text | contains("Pfingsten 1968")))) | length == 1' > /dev/null ||
  fail "GET front: its back's text: $body"
echo "$body" | jq -e --arg b "$back" '.backs == [$b] and .ocr.mirrored == false' > /dev/null || fail "GET front: backs, ocr: $body"
body=$(hc "$SERVE_URL/api/photos/$back" | sed '$d')
echo "$body" | jq -e --arg f "$front" '.back_of.front_id == $f and (.faces | length) == 0' > /dev/null || fail "GET back: $body"
body=$(hc "$SERVE_URL/api/photos/$orphan" | sed '$d')
echo "$body" | jq -e '.back_of.no_front | test("no front .*/box/Oma\\.\\* beside it")' > /dev/null || fail "GET orphan: $body"
body=$(hc "$SERVE_URL/api/checks" | sed '$d')
echo "$body" | jq -e --arg m "$mirrored" '.checks | map(select(.kind == "mirrored") | .photo_id) == [$m]' > /dev/null || fail "checks: $body"
body=$(hc "$SERVE_URL/api/photos/$mirrored" | sed '$d')
echo "$body" | jq -e '.ocr.mirrored == true and (.texts | length) == 1' > /dev/null || fail "GET mirrored: $body"
hc "$SERVE_URL/ui/phototext.js" | grep -q "photoTextPanel" || fail "the UI module phototext.js is not served"
serve_stop
echo "ocr_backs: ok"
