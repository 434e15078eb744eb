#!/usr/bin/env bash
# browser_sheet.sh — a contact sheet in the review UI (headless Chromium,
# tests/browser/sheet.mjs) against a real `facetag serve`: a generated sheet
# (bench_sheet --make: two 35 mm strips of 6, turned 2.5 degrees) is ingested
# and split; on the sheet's page every frame is outlined where it lies, a
# click on a frame opens the frame's photo and its caption leads back.
# Nothing is skipped: without chromium or playwright-core the test fails.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib/serve.bash"
MAKE=$(dirname "$BIN")/bench_sheet
export LSAN_OPTIONS=suppressions=$SRC/tests/unit/lsan-fontconfig.supp
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing: the browser tests need Debian's chromium package (make deps installs it)"
command -v node >/dev/null 2>&1 || fail "node is missing: the browser tests need Node.js (make deps)"
[ -f "$SRC/tests/browser/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core is not installed in $SRC/tests/browser: run make deps (npm ci there)"
[ -x "$MAKE" ] || fail "$MAKE missing (build bench_sheet)"

T=$(mktemp -d)
trap '[ -n "${SERVE_PID:-}" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/in"
"$MAKE" --make "$T/in/sheet.jpg" --strips 2 --per-strip 6 --angle 2.5 --px-per-mm 10 --margin --seed 3 \
  "$SHARED"/data/group-photos/dlib-faces/*.jpg >"$T/truth.jsonl" || fail "bench_sheet --make failed"
out=$("$BIN" --data "$T/data" ingest --json "$T/in") || fail "ingest failed: $out"
[ "$out" = '{"ingested":1,"duplicates":0,"failed":0,"unchanged":0,"sheets":1,"frames":12}' ] || fail "ingest: $out"
id=$(sha256sum "$T/in/sheet.jpg" | cut -c1-16)

TOKEN=browser-sheet-token-$$-0123456789
serve_start "$T/data" --token "$TOKEN"
(cd "$SRC/tests/browser" && node sheet.mjs "$SERVE_URL" "$TOKEN" "$id") ||
  fail "the browser steps failed; server log: $(tail -20 "$SERVE_LOG")"
serve_stop
echo "browser_sheet: ok"
