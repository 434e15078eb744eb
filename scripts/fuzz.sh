#!/usr/bin/env bash
# fuzz.sh — `make fuzz`: builds every fuzz target of tests/fuzz as a libFuzzer
# binary (clang-14, ASan+UBSan, every library instrumented for coverage) in its
# own build folder, then runs each for a bounded time and prints, per target,
# the executions, the coverage (edges) and features libFuzzer reached, and the
# corpus size. A crash, leak or hang is kept under BUILD/fuzz-artifacts/ and
# fails the run (after every target has had its turn).
#   scripts/fuzz.sh [BUILD] [SECONDS]   (defaults: build-fuzz, 60)
#   FUZZ_TARGETS="xmp s3_xml" limits the run to those targets.
# The corpus grows across runs in BUILD/fuzz-corpus/NAME (seeded from
# tests/fuzz/corpus/NAME, which is never written).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-fuzz}
secs=${2:-60}
case $build in /*) ;; *) build=$root/$build ;; esac
[[ $secs =~ ^[0-9]+$ && $secs -ge 1 ]] || { echo "fuzz: SECONDS must be a whole number >= 1, not '$secs'" >&2; exit 2; }
CC=${FUZZ_CC:-clang-14} CXX=${FUZZ_CXX:-clang++-14}
command -v "$CC" >/dev/null || { echo "fuzz: $CC is missing (make deps installs clang-14)" >&2; exit 2; }

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -ra targets <<<"$FUZZ_TARGETS"
else
  for f in "$root"/tests/fuzz/fuzz_*.c; do
    n=$(basename "$f" .c); n=${n#fuzz_}
    [ "$n" = replay ] || targets+=("$n")
  done
fi
CC=$CC CXX=$CXX cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFACETAG_FUZZ=ON -DFACETAG_SANITIZE=ON >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -30 "$build/fuzz-build.log" >&2; echo "fuzz: the build failed (log: $build/fuzz-build.log)" >&2; exit 1; }

mkdir -p "$build/fuzz-artifacts"
failed=0
printf '%-16s %12s %8s %8s %8s  %s\n' target executions cov ft corpus result
for t in "${targets[@]}"; do
  seeds=$root/tests/fuzz/corpus/$t
  work=$build/fuzz-corpus/$t
  log=$build/fuzz-$t.log
  mkdir -p "$work"
  rc=0
  # detect_leaks: a leak per input is a bug too; -timeout: an input taking 10 s is a hang
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$t-" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|deadly signal' "$log" || echo see log) — $log"
    failed=1
  fi
  printf '%-16s %12s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
exit $failed
