#!/usr/bin/env bash
# bench-llm.sh BUILD — part of `make bench` (issue 11): the rules against the
# rules + an LLM, end to end, on the demo's archive of 11 real people who recur
# (scripts/demo-people.sh: 216 faces-dev photos laid out by make_archive.py;
# analysed once into BUILD/bench-llm-data and kept).
#
# The LLM is llama.cpp's llama-server (scripts/setup-llama.sh: built once per
# machine) on loopback, serving $FACETAG_LLM_GGUF, a GGUF model file of your
# choice (a small instruct model: SmolLM2, Qwen2.5, Llama 3.2 ...). Without one
# it serves the set-up's tiny model of random weights (tiny.gguf): no real
# model can be had on this workplace (no registry here ships one:
# docs/decisions/2026-12-07-llm-no-real-model.md), so then the run shows the
# real protocol, schema and validation, and that noise changes nothing: every
# name it answers is flagged and the LLM's score equals the rules'.
#
# Prints score_archive.py's figures for both, the persons whose top name
# differs, and the advisor's summary line. Answers are cached in the catalog by
# prompt hash, so a second run with the same model sends nothing.
set -euo pipefail
BUILD=${1:?usage: scripts/bench-llm.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
BIN=$BUILD/facetag
SHARED=${FACETAG_SHARED:-$ROOT/../shared}
export FACETAG_SHARED=$SHARED
GEN=$SHARED/data/archive
D=${FACETAG_BENCH_LLM_DATA:-$BUILD/bench-llm-data}
[ -f "$GEN/score_archive.py" ] || { echo "bench-llm: $GEN/score_archive.py missing" >&2; exit 1; }

cache=$("$ROOT/scripts/setup-llama.sh")
server=$cache/bin/llama-server
model=${FACETAG_LLM_GGUF:-$cache/tiny.gguf}
[ -f "$model" ] || { echo "bench-llm: no model file $model" >&2; exit 1; }
name=$(basename "$model" .gguf)
# the tiny model has no chat template (the server's fallback then is ChatML,
# which its byte vocabulary cannot start under the Jinja path); a real model
# brings its own template
jinja=--jinja
[ -z "${FACETAG_LLM_GGUF:-}" ] && jinja=--no-jinja

echo "bench-llm: the archive of people who recur, rules only (scripts/demo-people.sh; analysis kept in $D)"
"$ROOT/scripts/demo-people.sh" "$BIN" "$D" >"$D.rules.log" 2>&1 || { cat "$D.rules.log" >&2; exit 1; }
PA=$D/archive-people
"$BIN" --data "$D" annotate --full >/dev/null
"$BIN" --data "$D" export json --out "$D/rules.json" >/dev/null
python3 "$GEN/score_archive.py" "$D/rules.json" "$PA" --json >"$D/rules.score.json"

# --port 0: the server binds a free port itself and logs it
"$server" -m "$model" --host 127.0.0.1 --port 0 -c 16384 -np 2 -t 2 $jinja >"$D.server.log" 2>&1 &
spid=$!
trap 'kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 600); do
  [ -n "$port" ] || port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$D.server.log" | head -1)
  [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 "$spid" 2>/dev/null || { echo "bench-llm: llama-server died: $(tail -3 "$D.server.log")" >&2; exit 1; }
  sleep 0.2
done
echo "bench-llm: llama-server with $model (${FACETAG_LLM_GGUF:+given}${FACETAG_LLM_GGUF:-random weights: no real model here})"
t0=$(date +%s.%N)
"$BIN" --data "$D" annotate --full --llm "http://127.0.0.1:$port" --llm-model "$name" >/dev/null 2>"$D/llm.err" ||
  { cat "$D/llm.err" >&2; exit 1; }
t1=$(date +%s.%N)
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
trap - EXIT
grep 'annotate: llm' "$D/llm.err" || true
"$BIN" --data "$D" export json --out "$D/llm.json" >/dev/null
python3 "$GEN/score_archive.py" "$D/llm.json" "$PA" --json >"$D/llm.score.json"

python3 - "$D/rules.score.json" "$D/llm.score.json" "$D/rules.json" "$D/llm.json" "$PA/" "$t0" "$t1" <<'PY'
import json, sys
r, l = (json.load(open(p)) for p in sys.argv[1:3])
re_, le = (json.load(open(p)) for p in sys.argv[3:5])
root, t0, t1 = sys.argv[5], float(sys.argv[6]), float(sys.argv[7])
print(f"{'':10s} {'naming':>8s} {'nameable':>9s} {'wrong':>7s}")
for k, s in (("rules", r), ("rules+llm", l)):
    print(f"{k:10s} {s['naming_accuracy']:8.4f} {s['naming_accuracy_nameable']:9.4f} {s['named_wrong_share']:7.4f}")
def tops(e):
    return {p["id"]: (p.get("name") or "") for p in e["persons"]}
a, b = tops(re_), tops(le)
changed = [(i, a.get(i, ""), b.get(i, "")) for i in sorted(set(a) | set(b)) if a.get(i, "") != b.get(i, "")]
print(f"persons whose top name the LLM changed: {len(changed)} of {len(b)}")
for i, x, y in changed:
    print(f"  person {i}: {x or '-'} -> {y or '-'}")
print(f"annotate --full --llm: {t1 - t0:.1f} s wall (shared, loaded 2-core machine)")
PY
