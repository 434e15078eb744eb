#!/usr/bin/env bash
# facetag-s3.sh — stands in for the facetag binary when the integration tests
# run against S3 (FACETAG_TEST_STORE, see store.bash): the data folder named by
# --data (or $FACETAG_DATA) gets four buckets of its own on the test gateway,
# named after its absolute path, made by `facetag store init` the first time;
# ingest records the store in DATA/store.url and every later command finds it
# there. exec keeps the pid, so the tests' kill -9 hits facetag itself.
set -u
real=${FACETAG_REAL_BIN:?FACETAG_REAL_BIN not set}
data=${FACETAG_DATA:-facetag-data}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --data) data=${args[i + 1]:-} ;;
    --data=*) data=${args[i]#--data=} ;;
    --) break ;;
  esac
done
if [ ! -f "$data/store.url" ]; then
  prefix=it-$(realpath -m "$data" | sha256sum | cut -c1-20)
  url="s3://$prefix?endpoint=$RGW_ENDPOINT"
  "$real" --store "$url" store init > /dev/null || exit 2
  export FACETAG_STORE=$url
fi
exec "$real" "$@"
