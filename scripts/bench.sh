#!/usr/bin/env bash
# bench.sh BUILD — `make bench`: runs every benchmark program bench_* of the
# build folder in turn; each prints its own table. bench_analyze runs the
# JavaScript reference too: setup-reference.sh installs it in BUILD/faceapi-ref;
# it runs once more with an AVX2-only CPU emulated.
# Then scripts/bench-detect-process.sh (whole-process `facetag detect` on 30
# demo images against the reference; emulated AVX2 too), scripts/bench-facesdev.sh
# (all of faces-dev analysed: CPU and two-core wall time against issue 17's
# 5 minutes, faces found, BCubed F; emulated AVX2 too), scripts/bench-s3.sh:
# the same data folder on S3 vs the directory, and scripts/bench-llm.sh: naming
# by the rules vs the rules + an LLM (llama-server).
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
echo "== whole-process facetag detect against the reference (this CPU)"
"$ROOT/scripts/bench-detect-process.sh" "$BUILD" || rc=1
echo
echo "== faces-dev, all 2,155 photos analysed (this CPU)"
"$ROOT/scripts/bench-facesdev.sh" "$BUILD" || rc=1
echo
# An AVX2-only CPU (e.g. a Zen 3) emulated on this one: oneDNN limited by its
# own switch, XNNPACK by the bench/avx2 shim (its AVX-512 flags cleared), bf16
# off; the default precision is then what such a CPU gets (fp32 on oneDNN, the
# detector in mixed int8: docs/decisions/2026-12-07-int8-detector.md).
# Skipped when this CPU has no AVX-512 to hide (it is AVX2-only already).
if [ -f "$BUILD/libfacetag_xnnpack_avx2.so" ] && grep -qw avx512f /proc/cpuinfo; then
  echo "== bench_analyze, an AVX2-only CPU emulated (ONEDNN_MAX_CPU_ISA=AVX2, XNNPACK shim, FACETAG_NO_BF16=1)"
  LD_PRELOAD="$BUILD/libfacetag_xnnpack_avx2.so" ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1 \
    "$BUILD/bench_analyze" || rc=1
  echo
  echo "== whole-process facetag detect against the reference, the same AVX2-only CPU emulated"
  FACETAG_BENCH_ENV="LD_PRELOAD=$BUILD/libfacetag_xnnpack_avx2.so ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1" \
    "$ROOT/scripts/bench-detect-process.sh" "$BUILD" || rc=1
  echo
  echo "== faces-dev, all 2,155 photos analysed, the same AVX2-only CPU emulated"
  FACETAG_BENCH_ENV="LD_PRELOAD=$BUILD/libfacetag_xnnpack_avx2.so ONEDNN_MAX_CPU_ISA=AVX2 FACETAG_NO_BF16=1" \
    "$ROOT/scripts/bench-facesdev.sh" "$BUILD" || rc=1
  echo
fi
echo "== bench-s3 (object store: directory vs S3 on a throw-away Ceph RGW)"
"$ROOT/scripts/bench-s3.sh" "$BUILD" || rc=1
echo
echo "== bench-llm (issue 11: rules vs rules + an LLM behind llama-server on the demo's people archive; FACETAG_LLM_GGUF picks the model)"
"$ROOT/scripts/bench-llm.sh" "$BUILD" || rc=1
exit $rc
