#!/usr/bin/env bash
# browser.sh — the review UI in headless Chromium (Debian's chromium, driven by
# playwright-core from tests/browser, both installed by `make deps`) against a
# real `facetag serve` over a real catalog: the six demo photos and five photos
# of one cast are ingested, analysed and clustered; then, through the page,
# a photo is reviewed (a face named, a face rejected), a box drawn for a missed
# face, a person named, two persons merged and the CSV exported; the server is
# killed (-9), started again, and every change must still be there, in the page
# and through the API; then two persons are merged by hand and the person page
# must offer to split them again, and the split, accepted with one click, must
# hold through `facetag cluster --full`; merged again, the offer is rejected
# with "Keep as one", which holds through `facetag cluster --full` too and
# silences `facetag check` (tests/browser/review.mjs holds the browser steps).
# Nothing is skipped: without chromium or playwright-core the test fails.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib/serve.bash"

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing: the browser tests need Debian's chromium package (make deps installs it)"
command -v node >/dev/null 2>&1 || fail "node is missing: the browser tests need Node.js (make deps)"
[ -f "$SRC/tests/browser/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core is not installed in $SRC/tests/browser: run make deps (npm ci there)"

T=$(mktemp -d)
trap '[ -n "${SERVE_PID:-}" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
D=$T/data
# the demo photos from a copy, one with a caption that looks like HTML (a
# sidecar .txt): the page must show it as text
mkdir -p "$T/in"
cp "$MODELS"/../demo/*.jpg "$T/in/" || fail "no demo photos in $MODELS/../demo"
printf '%s\n' 'Probe <img src=x onerror="document.title=1"> & <b>Februar</b> 1977' >"$T/in/sample2.txt"
photos=("$T"/in/*.jpg "$SHARED"/data/group-photos/modern-groups/faceapi_bbt[1-5].jpg)
[ ${#photos[@]} -eq 11 ] || fail "want 6 demo photos and 5 group photos, found ${#photos[@]}: ${photos[*]}"
# no contact sheets among them: --sheets off spares the sheet finder's look at
# every photo (half this test's CPU time under ASan; browser_sheet and
# ingest_sheet test it)
"$BIN" --data "$D" ingest --sheets off -j 2 "${photos[@]}" >"$T/ingest.log" 2>&1 || fail "ingest: $(tail -5 "$T/ingest.log")"
"$BIN" --data "$D" analyze -j 2 >"$T/analyze.log" 2>&1 || fail "analyze: $(tail -5 "$T/analyze.log")"
"$BIN" --data "$D" cluster >"$T/cluster.log" 2>&1 || fail "cluster: $(tail -5 "$T/cluster.log")"

TOKEN=browser-test-token-$$-0123456789
# a failed step's screenshot is kept beside the test's output (the temporary
# folder goes at exit)
run() {
    (cd "$SRC/tests/browser" && node review.mjs "$1" "$SERVE_URL" "$TOKEN" "$T/state.json") && return
    cp "$T/state.json.$1.png" "$PWD/browser-failed-$1.png" 2>/dev/null
    fail "the browser steps ($1) failed (screenshot: $PWD/browser-failed-$1.png); server log: $(tail -20 "$SERVE_LOG")"
}

serve_start "$D" --token "$TOKEN"
run edit
# a crash, not a polite stop: what was answered must be on disk already
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
serve_start "$D" --token "$TOKEN"
run verify
# the doubt: two persons merged by hand, the page offers the split, one click.
# The cast's persons share photos (a merge of those is refused), so photos of
# two more people arrive first (faces-dev), clustered incrementally
serve_stop
more=()
for who in Tony_Blair Venus_Williams; do
    more+=($(find "$SHARED/data/faces-dev/$who" -type f -name '*.jpg' | sort | head -5))
done
[ ${#more[@]} -eq 10 ] || fail "want 5 faces-dev photos each of Tony_Blair and Venus_Williams, found ${#more[@]}"
"$BIN" --data "$D" ingest --sheets off -j 2 "${more[@]}" >"$T/ingest2.log" 2>&1 || fail "ingest: $(tail -5 "$T/ingest2.log")"
"$BIN" --data "$D" analyze -j 2 >"$T/analyze2.log" 2>&1 || fail "analyze: $(tail -5 "$T/analyze2.log")"
"$BIN" --data "$D" cluster >"$T/cluster1.log" 2>&1 || fail "cluster: $(tail -5 "$T/cluster1.log")"
serve_start "$D" --token "$TOKEN"
run doubt
serve_stop
# the split made there is a decision: a full re-cluster keeps it
"$BIN" --data "$D" cluster --full >"$T/cluster2.log" 2>&1 || fail "cluster --full: $(tail -5 "$T/cluster2.log")"
read -r kept split kept_faces split_faces < <(node -e '
  const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).doubt;
  console.log(d.kept, d.split, d.keptFaces.join(","), d.splitFaces.join(","));' "$T/state.json") ||
  fail "no doubt state in $T/state.json"
persons_of() { sqlite3 "$D/catalog.sqlite" "SELECT group_concat(DISTINCT ifnull(person_id, 0)) FROM faces WHERE id IN ($1)"; }
[ "$(persons_of "$split_faces")" = "$split" ] || fail "after cluster --full the split faces are in $(persons_of "$split_faces"), want $split"
[ "$(persons_of "$kept_faces")" = "$kept" ] || fail "after cluster --full the kept faces are in $(persons_of "$kept_faces"), want $kept"
# the offer rejected ("Keep as one") is a decision too: merged again, kept as
# one through the page, a full re-cluster keeps them one person
serve_start "$D" --token "$TOKEN"
run keep
serve_stop
"$BIN" --data "$D" cluster --full >"$T/cluster3.log" 2>&1 || fail "cluster --full: $(tail -5 "$T/cluster3.log")"
read -r one all_faces < <(node -e '
  const k = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).keep;
  console.log(k.person, k.faces.join(","));' "$T/state.json") || fail "no keep state in $T/state.json"
[ "$(persons_of "$all_faces")" = "$one" ] || fail "after cluster --full the faces kept as one are in $(persons_of "$all_faces"), want $one"
# and `facetag check` lists no wrong merge for it (the same test as the page's offer)
"$BIN" --data "$D" check --json >"$T/check.json" 2>"$T/check.err" || fail "check: $(cat "$T/check.err")"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const bad = r.checks.filter((c) => c.kind === "spread" && c.person_id === +process.argv[2]);
  if (bad.length) throw new Error("check still lists person " + process.argv[2] + ": " + JSON.stringify(bad));' "$T/check.json" "$one" ||
  fail "facetag check lists the person kept as one"
echo "browser: ok"
