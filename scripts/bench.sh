#!/usr/bin/env bash
# bench.sh BUILD — `make bench`: runs every benchmark program bench_* of the
# build folder in turn; each prints its own table. bench_analyze runs the
# JavaScript reference too: setup-reference.sh installs it in BUILD/faceapi-ref.
# Then scripts/bench-s3.sh: the same data folder on S3 vs the directory.
set -uo pipefail
BUILD=${1:?usage: scripts/bench.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export FACETAG_SHARED=${FACETAG_SHARED:-$ROOT/../shared}
export FACETAG_MODELS=${FACETAG_MODELS:-$ROOT/models/face-api/model}
"$ROOT/scripts/setup-reference.sh" "$BUILD" >/dev/null ||
  echo "bench: the reference could not be set up; bench_analyze measures facetag only" >&2
rc=0
for b in "$BUILD"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || rc=1
  echo
done
echo "== bench-s3 (object store: directory vs S3 on a throw-away Ceph RGW)"
"$ROOT/scripts/bench-s3.sh" "$BUILD" || rc=1
exit $rc
