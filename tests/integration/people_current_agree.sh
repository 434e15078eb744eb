#!/usr/bin/env bash
# people_current_agree.sh — issue 10: `facetag people` and GET /api/persons
# count the same faces while an archive is half re-analysed. Two photos are
# analysed with the default model, clustered, re-analysed with another model
# version (--compat faceapi) and clustered again; two more photos are then
# ingested and analysed with the default model only, and clustered. So the
# catalog holds two model versions, some photos re-analysed and some not, and
# persons over faces of both. Every person's face and photo counts, and the
# set of persons with a current face, must be equal in both; and they must be
# the counts of each photo's current analysis (its newest 'done' run), checked
# with sqlite3 against the catalog file.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
. "$(dirname "$0")/lib/serve.bash"
command -v jq >/dev/null || fail "jq is missing (make deps)"
command -v sqlite3 >/dev/null || fail "sqlite3 is missing (make deps)"

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
D=$T/data
GP=$SHARED/data/group-photos/modern-groups
ft() { "$BIN" --data "$D" --models "$MODELS" -j 2 "$@"; }
q() { sqlite3 "$D/catalog.sqlite" "$1"; }

ft ingest "$GP/faceapi_bbt2.jpg" "$GP/faceapi_bbt3.jpg" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
ft analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"
ft cluster --min-cluster-size 2 >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
ft analyze --compat faceapi >/dev/null 2>"$T/err" || fail "analyze --compat: $(tail -3 "$T/err")"
ft cluster --min-cluster-size 2 >/dev/null 2>"$T/err" || fail "cluster v2: $(tail -3 "$T/err")"
ft ingest "$GP/faceapi_bbt4.jpg" "$GP/faceapi_bbt5.jpg" >/dev/null 2>"$T/err" || fail "ingest 2: $(tail -3 "$T/err")"
ft analyze >/dev/null 2>"$T/err" || fail "analyze 2: $(tail -3 "$T/err")"
ft cluster --min-cluster-size 2 >/dev/null 2>"$T/err" || fail "cluster 3: $(tail -3 "$T/err")"

versions=$(q "SELECT count(DISTINCT model_version) FROM analysis_runs WHERE status = 'done'")
[ "$versions" -eq 2 ] || fail "want two model versions in the catalog, got $versions"
reanalysed=$(q "SELECT count(*) FROM (SELECT photo_id FROM analysis_runs WHERE status = 'done' GROUP BY photo_id HAVING count(*) = 2)")
[ "$reanalysed" -eq 2 ] || fail "want two photos re-analysed, got $reanalysed"
[ "$(q 'SELECT count(*) FROM photos')" -eq 4 ] || fail "want 4 photos"
noncurrent=$(q "SELECT count(*) FROM faces f WHERE f.model_version <> (SELECT model_version FROM analysis_runs a WHERE a.photo_id = f.photo_id AND a.status = 'done' ORDER BY a.rowid DESC LIMIT 1) AND f.person_id IS NOT NULL")
[ "$noncurrent" -gt 0 ] || fail "the fixture should leave persons on faces of a replaced analysis"

# The truth, straight from the file: person -> faces, photos over current faces.
q "WITH cur AS (SELECT photo_id, model_version FROM (SELECT photo_id, model_version, row_number() OVER (PARTITION BY photo_id ORDER BY rowid DESC) rn FROM analysis_runs WHERE status = 'done') WHERE rn = 1)
   SELECT f.person_id || ' ' || count(*) || ' ' || count(DISTINCT f.photo_id) FROM faces f JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version
   WHERE f.person_id IS NOT NULL GROUP BY f.person_id ORDER BY f.person_id" >"$T/truth"
[ -s "$T/truth" ] || fail "no person has a current face"
total=$(q "WITH cur AS (SELECT photo_id, model_version FROM (SELECT photo_id, model_version, row_number() OVER (PARTITION BY photo_id ORDER BY rowid DESC) rn FROM analysis_runs WHERE status = 'done') WHERE rn = 1)
   SELECT count(*) FROM faces f JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version")

ft people --json >"$T/people.json" 2>"$T/err" || fail "people: $(tail -3 "$T/err")"
jq -r '.persons[] | "\(.cluster_id) \(.faces_in_cluster) \(.photos)"' "$T/people.json" | sort -n >"$T/cli"
[ "$(jq .faces "$T/people.json")" -eq "$total" ] || fail "facetag people counts $(jq .faces "$T/people.json") faces, the current analyses hold $total"

serve_start "$D"
body "$SERVE_URL/api/persons" >"$T/api.json"
serve_stop
jq -r '.[] | select(.faces > 0) | "\(.person_id) \(.faces) \(.photos)"' "$T/api.json" | sort -n >"$T/api"

diff "$T/truth" "$T/cli" >"$T/d1" || fail "facetag people differs from the current analyses (truth < > cli): $(cat "$T/d1")"
diff "$T/truth" "$T/api" >"$T/d2" || fail "/api/persons differs from the current analyses (truth < > api): $(cat "$T/d2")"
echo "people_current_agree: $(wc -l <"$T/truth") persons, $total current faces, both agree"
