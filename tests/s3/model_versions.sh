#!/usr/bin/env bash
# model_versions.sh — versioning by model: a photo analysed with the default
# model and again with --compat faceapi (another model version) keeps both
# analyses' annotations and crops reachable in the versioned S3 buckets; the
# catalog says which object version belongs to which analysis.
set -uo pipefail
BIN=${FACETAG_BIN:?}
SHARED=${FACETAG_SHARED:?}
. "${FACETAG_RGW_ENV:?FACETAG_RGW_ENV not set (the rgw fixture)}"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_SESSION_TOKEN AWS_PROFILE FACETAG_STORE
command -v jq > /dev/null || { echo "FAIL: jq missing" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
URL="s3://ver-$$-$RANDOM?endpoint=$RGW_ENDPOINT"
D=$T/d
"$BIN" --store "$URL" store init > /dev/null || fail "store init"
"$BIN" --data "$D" --store "$URL" ingest "$SHARED/data/group-photos/modern-groups/facerec_two_people.jpg" > /dev/null || fail ingest
"$BIN" --data "$D" -j 2 analyze > /dev/null 2>&1 || fail "analyze"
"$BIN" --data "$D" -j 2 analyze --compat faceapi > /dev/null 2>&1 || fail "analyze --compat faceapi"
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
id=$(q "SELECT photo_id FROM photos")
models=$(q "SELECT count(DISTINCT model_version) FROM analysis_runs WHERE status = 'done'")
[ "$models" -eq 2 ] || fail "want two analyses, got $models"
[ "$(q "SELECT count(DISTINCT version_id) FROM object_versions WHERE bucket = 'annotations' AND key = '$id.json'")" -eq 2 ] ||
  fail "want two recorded versions of annotations/$id.json: $(q 'SELECT * FROM object_versions')"
# each analysis's annotation names its own model, the current one the last
while IFS= read -r m; do
  "$BIN" --data "$D" store get "annotations/$id.json" --model "$m" > "$T/a.json" || fail "store get --model $m"
  [ "$(jq -r .model "$T/a.json")" = "$m" ] || fail "the annotation kept for $m names $(jq -r .model "$T/a.json")"
  n=$(q "SELECT count(*) FROM faces WHERE model_version = '$m'")
  [ "$(jq '.faces | length' "$T/a.json")" -eq "$n" ] || fail "the annotation kept for $m has not its $n faces"
  # its crops too
  for ((k = 0; k < n; k++)); do
    "$BIN" --data "$D" store get "faces/$id/$k.jpg" --model "$m" > "$T/c.jpg" || fail "crop $k of $m"
    [ "$(vipsheader -f width "$T/c.jpg" 2> /dev/null)" -gt 0 ] || fail "crop $k of $m is not an image"
  done
done < <(q "SELECT DISTINCT model_version FROM analysis_runs")
last=$(q "SELECT model_version FROM analysis_runs ORDER BY rowid DESC LIMIT 1")
"$BIN" --data "$D" store get "annotations/$id.json" | jq -e --arg m "$last" '.model == $m' > /dev/null ||
  fail "the current annotation is not the last analysis's"
"$BIN" --data "$D" store get "annotations/$id.json" --model nosuch > /dev/null 2>&1; [ $? -eq 1 ] || fail "unknown model: want exit 1"
echo "model_versions: ok"
