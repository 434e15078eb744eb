#!/usr/bin/env bash
# serve_analyzed.sh — the REST API over a real analysed catalog: group photos
# ingested, analysed and clustered by the real stages, then reviewed through
# `facetag serve` with curl: the queue, every face and crop, naming, rejecting,
# drawing a missed face, exports; re-clustering keeps every decision; a restarted
# server finds every change.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
. "$(dirname "$0")/lib/serve.bash"
command -v jq >/dev/null || fail "jq is missing (make deps)"

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
D=$T/data
GP=$SHARED/data/group-photos/modern-groups
ft() { "$BIN" --data "$D" --models "$MODELS" "$@"; }
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
json() { body -H 'Content-Type: application/json' "$@"; }

ft ingest "$GP/faceapi_bbt2.jpg" "$GP/faceapi_bbt3.jpg" "$GP/facerec_two_people.jpg" >/dev/null || fail "ingest"
ft -j 2 analyze >/dev/null 2>&1 || fail "analyze: $(ft analyze 2>&1 | tail -3)"
ft cluster >/dev/null || fail "cluster"
FACES=$(q "SELECT count(*) FROM faces")
[ "$FACES" -ge 6 ] || fail "the three photos should give at least 6 faces, got $FACES"

# oneDNN says when it makes a primitive: the server must never (draw.c)
ONEDNN_VERBOSE=1 serve_start "$D"

# ---- the queue and every face -------------------------------------------------
pending=$(body "$SERVE_URL/pending")
[ "$(jq length <<<"$pending")" -eq 3 ] || fail "/pending should list the 3 photos: $pending"
[ "$(jq '[.[].faces] | add' <<<"$pending")" -eq "$FACES" ] || fail "/pending face counts: $pending"
[ "$(jq '[.[].unreviewed] | add' <<<"$pending")" -eq "$FACES" ] || fail "nothing is reviewed yet: $pending"
OBJ=$(objects "$D")
for id in $(jq -r '.[].photo_id' <<<"$pending"); do
  photo=$(body "$SERVE_URL/api/photos/$id")
  n=$(jq '.faces | length' <<<"$photo")
  [ "$n" -eq "$(q "SELECT count(*) FROM faces WHERE photo_id = '$id'")" ] || fail "photo $id: $n faces in the API"
  [ "$(jq -r .width <<<"$photo")" -eq "$(q "SELECT width FROM photos WHERE photo_id = '$id'")" ] || fail "width of $id"
  for no in $(jq '.faces[].face_no' <<<"$photo"); do
    body "$SERVE_URL/face_crop/$id/$no" >"$T/crop.jpg"
    cmp -s "$T/crop.jpg" "$OBJ/faces/$id/$no.jpg" || fail "crop $id/$no differs from the faces bucket"
  done
  jq -e '.faces | all(.box | length == 4) and all(.landmarks.left_eye | length == 2) and
         all(.status == "unreviewed") and all(.source == "detector")' <<<"$photo" >/dev/null ||
    fail "face objects of $id: $photo"
  expect 200 "processed image of $id" "$SERVE_URL/image/$id"
done

# ---- decisions ---------------------------------------------------------------------
A=$(jq -r '.[0].photo_id' <<<"$pending")
photo=$(body "$SERVE_URL/api/photos/$A")
F0=$(jq '.faces[0].face_id' <<<"$photo")
F1=$(jq '.faces[1].face_id' <<<"$photo")
out=$(json -d "{\"photo_id\":\"$A\",\"face_id\":$F0,\"label\":\"Sheldon <b>Cooper</b>\",\"accepted\":true}" \
  "$SERVE_URL/annotate")
[ "$(jq -r .person_name <<<"$out")" = "Sheldon <b>Cooper</b>" ] && [ "$(jq -r .status <<<"$out")" = confirmed ] ||
  fail "annotate: $out"
SHELDON=$(jq .person_id <<<"$out")
# another face of the same photo cannot join Sheldon: one photo shows a person once
expect 409 "two faces of one photo in one person" -H 'Content-Type: application/json' \
  -d "{\"person_id\":$SHELDON}" "$SERVE_URL/api/faces/$F1/confirm"
# confirmed where it is (a new person when clustering left it alone), then rejected from it
out=$(json -d '{}' "$SERVE_URL/api/faces/$F1/confirm")
P1=$(jq .person_id <<<"$out")
[ "$(jq -r .status <<<"$out")" = confirmed ] && [ "$P1" != null ] && [ "$P1" != "$SHELDON" ] || fail "confirm: $out"
out=$(json -X POST "$SERVE_URL/api/faces/$F1/reject")
[ "$(jq -r .status <<<"$out")" = rejected ] && [ "$(jq .person_id <<<"$out")" = null ] || fail "reject: $out"
REJECTED=$F1
[ "$(body "$SERVE_URL/api/persons?q=sheldon" | jq length)" -eq 1 ] || fail "search by name"
out=$(json -d '{"name":"Sheldon Lee Cooper"}' "$SERVE_URL/api/persons/$SHELDON/rename")
[ "$(jq -r .name <<<"$out")" = "Sheldon Lee Cooper" ] || fail "rename: $out"

# a missed face drawn by hand, named
W=$(q "SELECT width FROM photos WHERE photo_id = '$A'")
out=$(json -d "{\"box\":[$((W / 2)),20,60,70],\"name\":\"Drawn Dancer\"}" "$SERVE_URL/api/photos/$A/faces")
jq -e '.source == "manual" and .person_name == "Drawn Dancer" and (.landmarks | type) == "object"' <<<"$out" \
  >/dev/null || fail "draw: $out"
DRAWN=$(jq .face_id <<<"$out")
expect 200 "crop of the drawn face" "$SERVE_URL/face_crop/$A/$(jq .face_no <<<"$out")"
! grep -q onednn_verbose "$SERVE_LOG" ||
  fail "drawing a face started oneDNN in the server's thread (it must stay fp32): $(grep -m3 onednn_verbose "$SERVE_LOG")"

decisions=$(q "SELECT count(*) FROM decisions")
[ "$decisions" -ge 4 ] || fail "decision log: $decisions rows"
[ "$(q "SELECT count(*) FROM decisions WHERE actor <> 'local'")" -eq 0 ] || fail "actor without a token is local"

# ---- exports -------------------------------------------------------------------------
body "$SERVE_URL/api/export.csv" >"$T/before.csv"
[ "$(head -1 "$T/before.csv")" = $'photo_id,file,face_no,x,y,w,h,person_id,name,status\r' ] || fail "CSV header"
[ "$(($(wc -l <"$T/before.csv") - 1))" -eq "$((FACES + 1))" ] || fail "CSV rows: $(wc -l <"$T/before.csv")"
grep -q ",$SHELDON,Sheldon Lee Cooper,confirmed" "$T/before.csv" || fail "CSV lacks the named face"
body "$SERVE_URL/api/export.json" | jq -S . >"$T/before.json"
[ "$(jq '[.photos[].faces | length] | add' "$T/before.json")" -eq "$((FACES + 1))" ] || fail "JSON export faces"

# ---- re-clustering keeps the decisions ----------------------------------------------------
ft cluster >/dev/null || fail "incremental cluster"
ft cluster --full >/dev/null || fail "full cluster"
face=$(body "$SERVE_URL/api/persons/$SHELDON")
jq -e --argjson f "$F0" '.name == "Sheldon Lee Cooper" and any(.faces[]; .face_id == $f and .status == "confirmed")' \
  <<<"$face" >/dev/null || fail "re-clustering undid the naming: $face"
out=$(body "$SERVE_URL/api/photos/$A" | jq --argjson f "$REJECTED" '.faces[] | select(.face_id == $f)')
[ "$(jq -r .status <<<"$out")" = rejected ] && [ "$(jq .person_id <<<"$out")" != "$P1" ] ||
  fail "re-clustering undid the rejection: $out"
[ "$(body "$SERVE_URL/api/photos/$A" | jq --argjson f "$DRAWN" '.faces[] | select(.face_id == $f) | .person_name' -r)" = \
  "Drawn Dancer" ] || fail "re-clustering lost the drawn face's name"
body "$SERVE_URL/api/export.csv" >"$T/clustered.csv"
serve_stop

# ---- restart: everything is still there ------------------------------------------------------
serve_start "$D"
body "$SERVE_URL/api/export.csv" | cmp -s - "$T/clustered.csv" || fail "the CSV changed across a restart"
[ "$(body "$SERVE_URL/api/persons?q=sheldon" | jq -r '.[0].name')" = "Sheldon Lee Cooper" ] || fail "name lost"
[ "$(body "$SERVE_URL/api/decisions?limit=1000" | jq length)" -eq "$(q "SELECT count(*) FROM decisions")" ] ||
  fail "decision log over the API"
serve_stop
echo "ok: an analysed catalog reviewed over HTTP; decisions survive re-clustering and a restart"
