#!/usr/bin/env bash
# bench-facesdev.sh BUILD — issue 17's faces-dev goal: all 2,155 photos of
# $FACETAG_SHARED/data/faces-dev ingested into a throw-away data folder, then
# `facetag analyze -j 2` on them, one process from start to exit (models loaded,
# every face's crop, annotation and catalog row written). Prints the analyse
# step's wall and CPU seconds (user + sys, bash's `time`) and CPU / 2, the wall
# time two quiet cores would take (analyze runs a network runner per worker,
# so both cores work); the goal is <= 5 minutes on a 2-core AVX2-only CPU.
# Then the quality of the same analysis: photos with a face found (the 99.7 %
# test_vision_facesdev's full run asserts >= 99.5 % of) and `facetag eval`'s
# BCubed F of the default clustering (people_eval's full run asserts >= 0.90).
# Run it AVX2-emulated with
# FACETAG_BENCH_ENV="LD_PRELOAD=BUILD/libfacetag_xnnpack_avx2.so ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1"
# (scripts/bench.sh does, on a CPU with AVX-512). About 5-7 CPU-minutes each.
set -euo pipefail
BUILD=$(cd "${1:?usage: scripts/bench-facesdev.sh BUILD}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${FACETAG_SHARED:-$ROOT/../shared}
SET=$SHARED/data/faces-dev
MODELS=${FACETAG_MODELS:-$ROOT/models/face-api/model}
[ -d "$SET" ] || { echo "bench-facesdev: $SET missing" >&2; exit 1; }
# shellcheck source=scripts/cpu-line.sh
. "$ROOT/scripts/cpu-line.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The identity folders only (MANIFEST.tsv, SOURCES.md are no photos), named as
# `facetag eval` names them, so its ingest finds them unchanged.
dirs=()
for d in "$SET"/*/; do dirs+=("${d%/}"); done
"$BUILD/facetag" --data "$T/data" --models "$MODELS" ingest --no-progress "${dirs[@]}" >/dev/null 2>"$T/ingest.err" ||
  { echo "bench-facesdev: ingest failed: $(tail -3 "$T/ingest.err")" >&2; exit 1; }
la=$(cut -d' ' -f1-3 /proc/loadavg)
TIMEFORMAT='%R %U %S'
# shellcheck disable=SC2086
t=$( { time env ${FACETAG_BENCH_ENV:-} "$BUILD/facetag" --data "$T/data" --models "$MODELS" -j 2 --json \
  analyze --no-progress >"$T/analyze.json" 2>"$T/analyze.err"; } 2>&1 ) ||
  { echo "bench-facesdev: analyze failed: $(tail -3 "$T/analyze.err")" >&2; exit 1; }
# shellcheck disable=SC2086
env ${FACETAG_BENCH_ENV:-} "$BUILD/facetag" --data "$T/data" --models "$MODELS" -j 2 --json eval "$SET" \
  >"$T/eval.json" 2>"$T/eval.err" || { echo "bench-facesdev: eval failed: $(tail -3 "$T/eval.err")" >&2; exit 1; }
cpu_line
echo "faces-dev whole set, facetag analyze -j 2, ${FACETAG_BENCH_ENV:-native CPU}; load average $la"
python3 - "$T/analyze.json" "$T/eval.json" "$t" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
v = json.load(open(sys.argv[2]))
wall, user, sys_ = (float(x) for x in sys.argv[3].split())
cpu = user + sys_
n, noface = v["images"], v["no_face"]
print(f"photos {a['analyzed']} analysed ({a['failed']} failed), {a['faces']} faces; model {a['model']}")
print(f"analyse: wall {wall:.1f} s, CPU {cpu:.1f} s ({cpu / max(a['analyzed'], 1) * 1e3:.0f} ms per photo); "
      f"two quiet cores: {cpu / 2:.0f} s = {cpu / 120:.2f} min (goal <= 5 min on a 2-core AVX2-only CPU)")
print(f"photos with a face found: {n - noface} of {n} ({100.0 * (n - noface) / n:.2f} %; floor 99.5 %)")
b = v["bcubed"]
print(f"default clustering: BCubed F {b['f']:.4f} (P {b['precision']:.4f}, R {b['recall']:.4f}), "
      f"{v['clusters']} persons for {v['identities']} identities, mixed {v['mixed_persons']}, "
      f"split {v['split_identities']}")
EOF
