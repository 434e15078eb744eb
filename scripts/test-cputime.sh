#!/usr/bin/env bash
# test-cputime.sh — the CPU seconds of every test, one `ctest -R` per test:
# wall, user and system seconds of the whole process tree ctest waits for
# (/usr/bin/time), and ok/FAIL. Daemons a test starts and leaves (the S3
# gateway of the rgw fixture) are not counted. docs/test-time.md explains the
# figures and the AVX2-only emulation.
#
#   scripts/test-cputime.sh BUILD_DIR OUT [VAR=VALUE...]
#
# e.g. an AVX2-only CPU (a Zen 3) emulated on an AVX-512 machine:
#   scripts/test-cputime.sh build /tmp/rel.txt LD_PRELOAD=$PWD/build/libfacetag_xnnpack_avx2.so \
#       ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1
# (ASan build: ASAN_OPTIONS=verify_asan_link_order=0 as well.) Sum a column:
#   awk '{ c += $3 + $4 } END { print c }' /tmp/rel.txt
# ONLY=REGEX (environment) measures only the tests whose names match.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR OUT [VAR=VALUE...]" >&2; exit 2; }
B=$1 OUT=$(realpath -m "$2")
shift 2
cd "$B" || exit 2
: >"$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ctest -N | sed -n 's/^ *Test *#[0-9]*: //p' | grep -E "${ONLY:-.}" | while read -r t; do
  case "$t" in s3/rgw-start | s3/rgw-stop) continue ;; esac # fixtures: run with the tests that need them
  # (stdin from /dev/null: a test reading stdin would eat the list of names)
  env "$@" /usr/bin/time -o "$tmp/time" -f "%e %U %S" ctest -R "^${t//\//\\/}\$" --output-on-failure \
    </dev/null >"$tmp/log" 2>&1
  st=$(grep -q '100% tests passed' "$tmp/log" && echo ok || echo FAIL)
  echo "$t $(tail -1 "$tmp/time") $st" >>"$OUT"
done
