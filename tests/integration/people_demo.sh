#!/usr/bin/env bash
# people_demo.sh — issue 4's demo complaint, end to end: the six demo photos
# (models/face-api/demo/sample1-6.jpg, six groups of different women) must not
# make persons of strangers. Plain HDBSCAN (--algo hdbscan --max-distance 0)
# made "Person 3 appears in 6 photos" of six different women; with the default
# (average linkage cut at cosine 0.077, persons of 3 faces or more) every face
# stays unassigned. (A pair 0.44 apart, sample1 face 2 and sample3
# face 2, may well be one woman; two faces are below the minimum person size.)
set -euo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/lib/store.bash"   # FACETAG_TEST_STORE: the objects in S3
DEMO=$(dirname "$MODELS")/demo
photos=("$DEMO"/sample*.jpg)
[ "${#photos[@]}" = 6 ] || fail "$DEMO: want the six demo photos, found ${#photos[@]} (scripts/fetch-models.sh)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$T/data
# (no contact sheet among them: --sheets off spares the sheet finder's look at
# each photo; what is ingested is the same)
"$BIN" --data "$D" ingest --sheets off "${photos[@]}" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
"$BIN" --data "$D" analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"

"$BIN" --data "$D" cluster --full --algo hdbscan --max-distance 0 >/dev/null 2>"$T/err" || fail "cluster off: $(tail -3 "$T/err")"
echo "HDBSCAN without the guard: $("$BIN" --data "$D" people --json)"

"$BIN" --data "$D" cluster --full >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
out=$("$BIN" --data "$D" people --json)
echo "default: $out"
faces=$(sed -n 's/.*"faces":\([0-9]*\).*/\1/p' <<<"$out")
[ "${faces:-0}" -ge 15 ] || fail "only ${faces:-0} faces found in the demo photos"
grep -q '"persons":\[\]' <<<"$out" || fail "strangers made persons: $out"
grep -q "\"unassigned_faces\":$faces[,}]" <<<"$out" || fail "not every face unassigned: $out"
echo "people_demo: ok"
