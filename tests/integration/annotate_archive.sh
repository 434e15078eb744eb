#!/usr/bin/env bash
# annotate_archive.sh — issue 11's score floor on a small captioned archive:
# ../shared/data/archive/make_archive.py turns a subset of faces-dev (every 26th
# identity, ~80 photos, in both builds; every 12th, ~170 photos, with
# FACETAG_ARCHIVE_FULL=1, which `make check-full` sets) into an archive of
# folders, albums and German/English captions with a truth file; facetag
# ingests, analyses, clusters and annotates it, exports JSON, and
# score_archive.py must give at least the floors below (the full faces-dev
# archive is in `make bench` / docs/annotate-quality.md). Then: a second
# annotate changes nothing, --full gives the same export, and an annotate
# killed with SIGKILL and run again gives the same export too.
set -euo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
fail() { echo "FAIL: $*" >&2; exit 1; }
SET=$SHARED/data/faces-dev
ARCH=$SHARED/data/archive
[ -d "$SET" ] && [ -f "$ARCH/make_archive.py" ] || fail "$SET or $ARCH missing"
command -v python3 >/dev/null || fail "python3 not found"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
step=26
[ "${FACETAG_ARCHIVE_FULL:-0}" = 1 ] && step=12
mkdir "$T/ids"
i=0
for d in "$SET"/*/; do
    [ $((i % step)) -eq 0 ] && ln -s "$d" "$T/ids/$(basename "$d")"
    i=$((i + 1))
done
python3 "$ARCH/make_archive.py" "$T/ids" "$T/archive" --seed 11 >"$T/make.log" || fail "make_archive: $(cat "$T/make.log")"
cat "$T/make.log"

D=$T/data
"$BIN" --data "$D" ingest "$T/archive" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
"$BIN" --data "$D" -j 2 analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"
"$BIN" --data "$D" cluster >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
"$BIN" --data "$D" annotate --json >"$T/ann.json" 2>"$T/err" || fail "annotate: $(tail -3 "$T/err")"
echo "annotate: $(cat "$T/ann.json")"
"$BIN" --data "$D" export json --out "$T/export.json" || fail "export json"
python3 "$ARCH/score_archive.py" "$T/export.json" "$T/archive" --json >"$T/score.json" || fail "score_archive"
echo "score: $(cat "$T/score.json")"
python3 - "$T/score.json" <<'PY' || fail "below the floor"
import json, sys
s = json.load(open(sys.argv[1]))
floors = [("naming_accuracy", s["naming_accuracy"], ">=", 0.75),
          ("named_wrong_share", s["named_wrong_share"], "<=", 0.08),
          ("date_month_accuracy", s["date_month_accuracy"], ">=", 0.93),
          ("invented_dates", s["invented_dates"], "<=", 0),
          ("place_accuracy", s["place_accuracy"], ">=", 0.95),
          ("event_bcubed_f", s["event_bcubed"]["f"], ">=", 0.95)]
bad = [f for f in floors if not (f[1] >= f[3] if f[2] == ">=" else f[1] <= f[3])]
for name, v, op, floor in floors:
    print(f"  {name:22s} {v}  (floor {op} {floor})")
sys.exit(1 if bad else 0)
PY

# the demo's summaries (scripts/demo-people.sh) read this export: a line per
# person, the rules' top name on it; a line per event, each event once
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
jq -r --arg root "$T/archive/" -f "$SRC/scripts/demo-people.jq" "$T/export.json" >"$T/people.txt" ||
    fail "demo-people.jq"
jq -r --arg root "$T/archive/" -f "$SRC/scripts/demo-events.jq" "$T/export.json" >"$T/events.txt" ||
    fail "demo-events.jq"
head -3 "$T/people.txt" "$T/events.txt"
want=$(jq '[.photos[] | .faces[].person_id // empty] | unique | length' "$T/export.json")
[ "$(wc -l <"$T/people.txt")" = "$want" ] || fail "demo-people.jq: $(wc -l <"$T/people.txt") lines for $want persons"
while read -r id name; do
    grep -q "^Person $id ([0-9]* photos): probably $name (" "$T/people.txt" || fail "person $id ($name) not so in: $(cat "$T/people.txt")"
done < <(jq -r '.persons[] | select(.name_status == "suggested") | "\(.id) \(.name)"' "$T/export.json")
want=$(jq '[.photos[] | .event_id // empty] | unique | length' "$T/export.json")
[ "$(wc -l <"$T/events.txt")" = "$want" ] || fail "demo-events.jq: $(wc -l <"$T/events.txt") lines for $want events"

# idempotent and incremental: nothing changed, nothing done
"$BIN" --data "$D" annotate >"$T/again.txt" || fail "annotate again"
grep -q "nothing changed" "$T/again.txt" || fail "a second annotate did work: $(cat "$T/again.txt")"
"$BIN" --data "$D" annotate --full >/dev/null || fail "annotate --full"
"$BIN" --data "$D" export json --out "$T/export2.json" || fail "export json again"
cmp -s "$T/export.json" "$T/export2.json" || fail "annotate --full changed the export"
# kill-safe: SIGKILL at some point of a full run, then run again
for delay in 0.05 0.2 0.5; do
    "$BIN" --data "$D" annotate --full >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
"$BIN" --data "$D" annotate --full >/dev/null || fail "annotate after kill"
"$BIN" --data "$D" export json --out "$T/export3.json" || fail "export json after kill"
cmp -s "$T/export.json" "$T/export3.json" || fail "annotate after a kill gave another export"
echo "annotate_archive: ok"
