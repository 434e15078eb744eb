#!/usr/bin/env bash
# browser_names.sh — annotate's name suggestions reviewed in the UI, in
# headless Chromium (Debian's chromium driven by playwright-core from
# tests/browser, both installed by `make deps`) against a real `facetag serve`:
# five group photos of one cast in a dated folder, with captions of our own
# that name three of them (made-up names), are ingested, analysed, clustered and annotated. In the browser
# (tests/browser/names.mjs) the Names page shows the suggestions with the
# caption text they came from, one is accepted with one click, and on a person
# page another is rejected with one click. Then `facetag annotate --full` runs
# again, and both decisions must hold: the accepted name stays the person's,
# the rejected one is not suggested again.
# Nothing is skipped: without chromium or playwright-core the test fails.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib/serve.bash"

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing: the browser tests need Debian's chromium package (make deps installs it)"
command -v node >/dev/null 2>&1 || fail "node is missing: the browser tests need Node.js (make deps)"
[ -f "$SRC/tests/browser/node_modules/playwright-core/package.json" ] ||
    fail "playwright-core is not installed in $SRC/tests/browser: run make deps (npm ci there)"
command -v jq >/dev/null || fail "jq not found (make deps installs it)"

T=$(mktemp -d)
trap '[ -n "${SERVE_PID:-}" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
A=$T/archive
C="$A/1999/1999-05 Probe Serie, Pasadena"
mkdir -p "$C"
for i in 1 2 3 4 5; do
    cp "$SHARED/data/group-photos/modern-groups/faceapi_bbt$i.jpg" "$C/" || fail "no group photo faceapi_bbt$i.jpg"
done
# captions of our own (made-up names): who recurs names a person
echo "Rolf Amsel, Gerd Kranich und Lena Specht bei der Probe. Foto: Ute Lerche" >"$C/faceapi_bbt1.txt"
echo "Rolf Amsel und Lena Specht in der Pause" >"$C/faceapi_bbt2.txt"
echo "Gerd Kranich mit Rolf Amsel. Foto: Ute Lerche" >"$C/faceapi_bbt3.txt"
echo "Lena Specht und Rolf Amsel" >"$C/faceapi_bbt4.txt"
echo "Rolf Amsel, Pasadena, Mai 1999" >"$C/faceapi_bbt5.txt"

D=$T/data
# no contact sheets here: --sheets off spares the sheet finder's look at every
# photo (browser_sheet and ingest_sheet test it)
"$BIN" --data "$D" ingest --sheets off "$A" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
"$BIN" --data "$D" -j 2 analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"
"$BIN" --data "$D" cluster >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
"$BIN" --data "$D" annotate >/dev/null 2>"$T/err" || fail "annotate: $(tail -3 "$T/err")"

serve_start "$D"
(cd "$SRC/tests/browser" && node names.mjs "$SERVE_URL" "Rolf Amsel" "Lena Specht" "$T/state.json") ||
    fail "the browser steps failed; server log: $(tail -20 "$SERVE_LOG")"
serve_stop
ACC=$(jq .accepted "$T/state.json")
REJ=$(jq .rejected "$T/state.json")

# both decisions hold through a full annotate run
"$BIN" --data "$D" annotate --full >/dev/null 2>"$T/err" || fail "annotate --full: $(cat "$T/err")"
"$BIN" --data "$D" export json --out "$T/export.json" || fail "export json"
jq -e --argjson a "$ACC" '.persons[] | select(.id == $a) | .name == "Rolf Amsel" and .name_status == "confirmed"' \
    "$T/export.json" >/dev/null || fail "person $ACC lost its accepted name: $(jq -c --argjson a "$ACC" '.persons[] | select(.id == $a)' "$T/export.json")"
jq -e --argjson r "$REJ" '[.persons[] | select(.id == $r) | .suggestions[] | select(.name == "Lena Specht")] == []' \
    "$T/export.json" >/dev/null || fail "the rejected name came back for person $REJ"
jq -e --argjson r "$REJ" '[.photos[].faces[] | select(.person_id == $r) | .name] | index("Lena Specht") == null' \
    "$T/export.json" >/dev/null || fail "a face of person $REJ is still named Lena Specht"
serve_start "$D"
body "$SERVE_URL/api/suggestions?person=$REJ" >"$T/rej.json"
serve_stop
jq -e '[.suggestions[] | select(.label == "Lena Specht") | .status] == ["rejected"]' "$T/rej.json" >/dev/null ||
    fail "the rejection is not kept: $(cat "$T/rej.json")"
echo "browser_names: ok"
