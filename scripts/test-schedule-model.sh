#!/usr/bin/env bash
# test-schedule-model.sh — what ctest -j 2's order costs in wall time, without
# the machine's load in the way: a throw-away CMake project whose tests have the
# suite's names and fixtures (faces_cache, rgw) but only `sleep` SCALE times
# each test's seconds, run once without COST and once with COST = its seconds
# (ctest -j then starts the costly ones first); prints both walls and the lower
# bound (the sum over 2). docs/test-time.md, "Scheduling".
#
#   scripts/test-schedule-model.sh TABLE [SCALE]
#
# TABLE: "test-name seconds" lines in ctest -N's order (e.g. from
# scripts/test-cputime.sh's output: awk '{ print $1, $3 + $4 }').
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 TABLE [SCALE]" >&2; exit 2; }
tab=$(realpath "$1") scale=${2:-0.1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for cost in 0 1; do
  p=$T/p$cost
  mkdir -p "$p"
  {
    echo 'cmake_minimum_required(VERSION 3.25)'
    echo 'project(schedule_model NONE)'
    echo 'enable_testing()'
    while read -r name secs; do
      echo "add_test(NAME $name COMMAND sleep $(awk "BEGIN{print $secs * $scale}"))"
      [ "$cost" = 1 ] && echo "set_tests_properties($name PROPERTIES COST $secs)"
      case "$name" in
        unit/test_people_matrix) echo "set_tests_properties($name PROPERTIES FIXTURES_SETUP faces_cache)" ;;
        integration/people_eval | integration/cluster_r_parity | integration/check_facesdev)
          echo "set_tests_properties($name PROPERTIES FIXTURES_REQUIRED faces_cache)" ;;
        s3/rgw-start) echo "set_tests_properties($name PROPERTIES FIXTURES_SETUP rgw)" ;;
        s3/rgw-stop) echo "set_tests_properties($name PROPERTIES FIXTURES_CLEANUP rgw)" ;;
        s3/*) echo "set_tests_properties($name PROPERTIES FIXTURES_REQUIRED rgw)" ;;
      esac
    done < "$tab"
  } > "$p/CMakeLists.txt"
  cmake -S "$p" -B "$p/b" > /dev/null
  t0=$(date +%s.%N)
  (cd "$p/b" && ctest -j 2 > log.txt) || { cat "$p/b/log.txt"; exit 1; }
  echo "$([ "$cost" = 1 ] && echo "with COST   " || echo "without COST") $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"
done
echo "lower bound  $(awk -v s="$scale" '{ t += $2 } END { printf "%.1f", t * s / 2 }' "$tab") s"
