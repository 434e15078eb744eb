#!/usr/bin/env bash
# run_flow.sh — `facetag run`: the six demo photos through ingest, analyze,
# cluster, annotate and the graph in one command, each stage announced with its summary;
# a second run does no new work (every file unchanged, every photo already
# analysed, nothing clustered); a third one serves the UI and its timeline and
# graph API until SIGTERM. Also the cypher export of the result passes Neo4j's
# parser (tests/cypher) and `facetag timeline --json` lists the photos.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib/serve.bash"

T=$(mktemp -d)
trap '[ -n "${SERVE_PID:-}" ] && kill -9 "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/in"
cp "$MODELS"/../demo/*.jpg "$T/in/" || fail "no demo photos in $MODELS/../demo"
D=$T/data

# --sheets and --video-interval go to the ingest stage: a value it refuses
# stops the flow there (exit 2, ingest's reason), before any other stage.
for opt in "--sheets sideways" "--video-interval -3"; do
  rc=0
  # shellcheck disable=SC2086
  "$BIN" --data "$T/refused" run --no-serve $opt "$T/in" >"$T/refused.log" 2>&1 || rc=$?
  [ "$rc" = 2 ] || fail "run $opt: exit $rc, not 2: $(cat "$T/refused.log")"
  grep -qF -- "${opt%% *}" "$T/refused.log" && grep -qF -- "'${opt#* }'" "$T/refused.log" ||
    fail "run $opt: the reason does not name the option and its value: $(cat "$T/refused.log")"
  ! grep -qF 'facetag run: [2/7]' "$T/refused.log" || fail "run $opt went on past ingest: $(cat "$T/refused.log")"
done
"$BIN" --data "$T/refused" run --no-serve --sheets off --sheets auto "$T/in" >"$T/refused.log" 2>&1 &&
  fail "run with --sheets twice was accepted"

"$BIN" --data "$D" run --no-serve -j 2 "$T/in" >"$T/run1.log" 2>&1 || fail "first run: $(tail -20 "$T/run1.log")"
for s in "[1/7] ingest" "[2/7] analyze" "[3/7] cluster" "[4/7] ocr" "[5/7] annotate" "[6/7] graph"; do
  grep -qF "facetag run: $s" "$T/run1.log" || fail "first run did not announce $s: $(cat "$T/run1.log")"
done
grep -q '^ingest: 6 ingested' "$T/run1.log" || fail "first run did not ingest 6: $(cat "$T/run1.log")"
grep -q '^analyze: 6 photos analysed' "$T/run1.log" || fail "first run did not analyse 6: $(cat "$T/run1.log")"
grep -q '^graph: [1-9][0-9]* nodes' "$T/run1.log" || fail "no graph summary: $(cat "$T/run1.log")"

"$BIN" --data "$D" run --no-serve -j 2 "$T/in" >"$T/run2.log" 2>&1 || fail "second run: $(tail -20 "$T/run2.log")"
grep -q '^ingest: 0 ingested (0 photos), 0 duplicates, 6 unchanged' "$T/run2.log" || fail "re-run ingested again: $(cat "$T/run2.log")"
grep -q '^analyze: 0 photos analysed, 0 faces, 6 already done' "$T/run2.log" || fail "re-run analysed again: $(cat "$T/run2.log")"
grep -q 'incremental .*: 0 placed' "$T/run2.log" || fail "re-run clustered again: $(cat "$T/run2.log")"

"$BIN" --data "$D" export cypher --out "$T/demo.cypher" 2>"$T/export.log" || fail "export: $(cat "$T/export.log")"
(cd "$SRC/tests/cypher" && node check_export.mjs "$T/demo.cypher") >"$T/check.log" 2>&1 ||
  fail "the demo's Cypher does not pass Neo4j's parser: $(cat "$T/check.log")"
echo "run_flow: demo export $(wc -l <"$T/demo.cypher") lines: $(cat "$T/check.log")"
"$BIN" --data "$D" timeline --json >"$T/timeline.json" || fail "timeline failed"
n=$(jq '[.timeline[].photo_count] + [.undated_count] | add' "$T/timeline.json")
[ "$n" = 6 ] || fail "the timeline lists $n photos, not 6: $(cat "$T/timeline.json")"

# serving: `run` ends in `serve`
SERVE_LOG=$T/serve.log
"$BIN" --data "$D" run -j 2 --port 0 "$T/in" >"$SERVE_LOG" 2>&1 &
SERVE_PID=$!
for i in $(seq 1 2400); do   # up to 2 min (ASan, loaded machine): the loop ends as soon as it serves
  SERVE_PORT=$(sed -n 's|^facetag serve: listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$SERVE_LOG")
  [ -n "$SERVE_PORT" ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || fail "run did not start serving: $(cat "$SERVE_LOG")"
  sleep 0.05
done
[ -n "$SERVE_PORT" ] || fail "run did not print the port: $(cat "$SERVE_LOG")"
grep -qF 'facetag run: [7/7] serve' "$SERVE_LOG" || fail "no serve stage announced"
body=$(curl --noproxy '*' -sS "http://127.0.0.1:$SERVE_PORT/api/timeline") || fail "no answer from /api/timeline"
echo "$body" | jq -e '.timeline and (.undated_count >= 0)' >/dev/null || fail "/api/timeline: $body"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?; SERVE_PID=
[ "$rc" -eq 0 ] || fail "run (serving) exited with $rc: $(tail -20 "$SERVE_LOG")"
echo "run_flow: ok"
