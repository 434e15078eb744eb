#!/usr/bin/env bash
# bench-detect-process.sh BUILD [COPIES] — issue 17's whole-process figure:
# `facetag detect -j 2` on the six face-api demo photos x COPIES (default 5:
# 30 images) against the reference (face-api 1.7.15 on tfjs-wasm, `node run.mjs
# --threads 2 --warmup 0 --runs 1`) on the same files, each one process from
# start to exit (model loading included). Prints wall and CPU seconds (user +
# sys of the process and its children, bash's `time`) and the ratio
# reference / facetag of each; the CPU ratio is the fair one on a shared
# machine. The goal: >= 8x on a 2-core AVX2-only CPU. Run it AVX2-emulated with
# FACETAG_BENCH_ENV="LD_PRELOAD=BUILD/libfacetag_xnnpack_avx2.so ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1"
# (scripts/bench.sh does, on a CPU with AVX-512). The reference needs
# scripts/setup-reference.sh BUILD first; without it only facetag is timed.
set -euo pipefail
BUILD=$(cd "${1:?usage: scripts/bench-detect-process.sh BUILD [COPIES]}" && pwd)
COPIES=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODELS=${FACETAG_MODELS:-$ROOT/models/face-api/model}
DEMO=$MODELS/../demo
ls "$DEMO"/*.jpg >/dev/null 2>&1 || { echo "bench-detect-process: no demo photos in $DEMO" >&2; exit 1; }
# shellcheck source=scripts/cpu-line.sh
. "$ROOT/scripts/cpu-line.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for c in $(seq 1 "$COPIES"); do
  for f in "$DEMO"/*.jpg; do cp "$f" "$T/c${c}_$(basename "$f")"; done
done
n=$(ls "$T"/*.jpg | wc -l)
# One process from start to exit; prints "wall CPU" seconds (CPU = user + sys,
# the process and its children).
run() {
  local TIMEFORMAT='%R %U %S' t
  # shellcheck disable=SC2086
  t=$( { time env ${FACETAG_BENCH_ENV:-} "$@" >"$T/out" 2>"$T/err"; } 2>&1 ) ||
    { echo "bench-detect-process: $1 failed: $(tail -3 "$T/err")" >&2; return 1; }
  awk '{ printf "%s %.2f", $1, $2 + $3 }' <<<"$t"
}
ft=$(run "$BUILD/facetag" --models "$MODELS" -j 2 detect "$T"/*.jpg)
faces=$(grep -o '"score"' "$T/out" | wc -l)
cpu_line
echo "whole-process detect, $n images (demo x $COPIES), ${FACETAG_BENCH_ENV:-native CPU}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %8s %6s\n' "" "wall s" "CPU s" "faces"
printf '%-44s %8s %8s %6s\n' "facetag detect -j 2" $ft "$faces"
REF=$BUILD/faceapi-ref
if [ -f "$REF/run.mjs" ] && [ -d "$REF/node_modules" ]; then
  rt=$(cd "$REF" && run node run.mjs --backend wasm --threads 2 --warmup 0 --runs 1 --no-chain-check \
    --out "$T/ref.json" "$T"/*.jpg)
  printf '%-44s %8s %8s\n' "reference (node run.mjs, wasm, 2 threads)" $rt
  awk -v f="$ft" -v r="$rt" 'BEGIN { split(f, a, " "); split(r, b, " ");
    printf "ratio reference / facetag: wall %.1fx, CPU %.1fx (goal >= 8x on a 2-core AVX2-only CPU)\n",
      b[1] / a[1], b[2] / a[2] }'
else
  echo "(no reference in $REF: scripts/setup-reference.sh $BUILD)"
fi
