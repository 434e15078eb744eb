#!/usr/bin/env bash
# integration_on_s3.sh — the important integration tests again with every data
# folder's objects in S3 on the test gateway (FACETAG_TEST_STORE, see
# tests/integration/lib/store.bash): ingest with kill -9, analyze with kill -9,
# cluster (people_demo), the review server (serve_analyzed), duplicates.
set -uo pipefail
: "${FACETAG_BIN:?}" "${FACETAG_RGW_ENV:?FACETAG_RGW_ENV not set (the rgw fixture)}"
export FACETAG_TEST_STORE=$FACETAG_RGW_ENV
dir=$(cd "$(dirname "$0")/../integration" && pwd)
failed=0 passed=0
for t in ingest_duplicates ingest_kill analyze_kill people_demo serve_analyzed; do
  start=$(date +%s)
  if bash "$dir/$t.sh" > "${TMPDIR:-/tmp}/facetag-s3-$t.$$.log" 2>&1; then
    passed=$((passed + 1)); echo "ok on S3: $t ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); echo "FAILED on S3: $t"; tail -30 "${TMPDIR:-/tmp}/facetag-s3-$t.$$.log"
  fi
  rm -f "${TMPDIR:-/tmp}/facetag-s3-$t.$$.log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
