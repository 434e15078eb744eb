#!/usr/bin/env bash
# ocr_flip.sh — the flip of a print scanned mirror-wise, through the review
# API and the binary: a group photo analysed, one face named and one rejected
# by people; POST /api/photos/{id}/flip mirrors the working image (the
# original in incoming/ untouched) and the face boxes, a second flip changes
# nothing; the server analyses and reads the flipped photo again by itself
# (review/reanalyse.h, no command run): the named and the rejected face keep
# their decisions on the new faces over the same spots, and its text is read.
# A flip killed between its record and the image (the image put back as it
# was) is finished by `facetag flip`, never done twice; a flip whose
# re-analysis never ran (or whose child was killed -9) is done by the next
# start of the server.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
. "$(dirname "$0")/lib/serve.bash"
command -v jq > /dev/null || fail "jq is missing (make deps)"

T=$(mktemp -d)
trap 'serve_stop > /dev/null 2>&1; rm -rf "$T"' EXIT
D=$T/data
ft() { "$BIN" --data "$D" --models "$MODELS" "$@"; }
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
get() { hc "$SERVE_URL$1"; }
post() { hc -X POST -H 'Content-Type: application/json' -d "$2" "$SERVE_URL$1"; }
ok() { local r; r=$("$@"); [ "$(tail -1 <<< "$r")" = 200 ] || fail "$* -> $r"; sed '$d' <<< "$r"; }

cp "$SHARED/data/group-photos/modern-groups/faceapi_bbt2.jpg" "$T/bbt2.jpg"
cp "$SHARED/data/group-photos/dlib-faces/2008_001009.jpg" "$T/second.jpg"
ft ingest --no-progress "$T/bbt2.jpg" "$T/second.jpg" > /dev/null || fail "ingest"
ft -j 2 analyze > /dev/null 2>&1 || fail "analyze"
ft cluster > /dev/null 2>&1 || fail "cluster"
id=$(sha256sum "$T/bbt2.jpg" | cut -c1-16)
id2=$(sha256sum "$T/second.jpg" | cut -c1-16)
W=$(q "SELECT width FROM photos WHERE photo_id = '$id'")
n=$(q "SELECT count(*) FROM faces WHERE photo_id = '$id'")
[ "$n" -ge 2 ] || fail "want >= 2 faces, got $n"
A=$(q "SELECT id FROM faces WHERE photo_id = '$id' ORDER BY score DESC LIMIT 1")
B=$(q "SELECT id FROM faces WHERE photo_id = '$id' ORDER BY score DESC LIMIT 1 OFFSET 1")
boxA=$(q "SELECT box_x || ' ' || box_y || ' ' || box_w || ' ' || box_h FROM faces WHERE id = $A")
boxB=$(q "SELECT box_x || ' ' || box_y || ' ' || box_w || ' ' || box_h FROM faces WHERE id = $B")

serve_start "$D"
ok post /annotate "{\"photo_id\":\"$id\",\"face_id\":$A,\"label\":\"Anna Spiegel\",\"accepted\":true}" > /dev/null
ok post /annotate "{\"photo_id\":\"$id\",\"face_id\":$B,\"label\":\"Bernd Spiegel\",\"accepted\":true}" > /dev/null
ok post "/api/faces/$B/reject" '{}' > /dev/null
# two decisions on spots where the detector finds no face, before the flip: a
# face drawn by hand and named (Dora), and a detector face people confirmed
# (Clara; drawn, then made a detector face as if the detector had found it
# once: a marginal face it may lose after the flip). Both must stay.
okc() { local r; r=$("$@"); [ "$(tail -1 <<< "$r")" = 201 ] || fail "$* -> $r"; sed '$d' <<< "$r"; }
okc post "/api/photos/$id/faces" '{"box":[20,380,60,70],"name":"Dora Spiegel"}' > /dev/null
C=$(okc post "/api/photos/$id/faces" '{"box":[560,380,60,70],"name":"Clara Spiegel"}' | jq -r .id)
q "UPDATE faces SET source = 'detector' WHERE id = $C"
orig_in=$(sha256sum "$D"/objects/incoming/"$id".* 2> /dev/null | cut -c1-64)
before=$(sha256sum "$D/objects/processed/$id.jpg" | cut -c1-64)
r=$(ok post "/api/photos/$id/flip" '{}')
jq -e '.flipped_now == true and .ocr.flipped == true and (.reanalysis == "queued" or .reanalysis == "running")' \
  <<< "$r" > /dev/null || fail "flip: $r"
after=$(sha256sum "$D/objects/processed/$id.jpg" | cut -c1-64)
[ "$before" != "$after" ] || fail "the working image did not change"
[ "$(q "SELECT processed_sha256 FROM photo_flips WHERE photo_id = '$id'")" = "$after" ] || fail "recorded sha"
[ "$(sha256sum "$D"/objects/incoming/"$id".* 2> /dev/null | cut -c1-64)" = "$orig_in" ] || fail "the original changed"
# mirrored boxes (x -> W - x - w)
read -r ax ay aw ah <<< "$boxA"
mx=$(q "SELECT box_x FROM faces WHERE id = $A")
awk -v m="$mx" -v w="$W" -v x="$ax" -v bw="$aw" 'BEGIN { d = m - (w - x - bw); exit !(d < 0.01 && d > -0.01) }' ||
  fail "box of face A not mirrored: $mx, want $W - $ax - $aw"
# the processed image is the mirror image of what it was (JPEG again: close, not equal)
r=$(ok post "/api/photos/$id/flip" '{}')
jq -e '.flipped_now == false' <<< "$r" > /dev/null || fail "a second flip did something: $r"
[ "$(sha256sum "$D/objects/processed/$id.jpg" | cut -c1-64)" = "$after" ] || fail "a second flip changed the image"
# the server analyses and reads it again by itself; 600 s is a guard against a hang, not a speed test
wait_reanalysed() {
  local st i
  for i in $(seq 1 1200); do
    st=$(ok get "/api/photos/$1/reanalysis")
    case $(jq -r .state <<< "$st") in
      done) return 0 ;;
      failed) fail "re-analysis of $1 failed: $st; server log: $(tail -5 "$SERVE_LOG")" ;;
    esac
    sleep 0.5
  done
  fail "re-analysis of $1 did not finish: $st"
}
wait_reanalysed "$id"
st=$(ok get "/api/photos/$id/reanalysis")
jq -e '.flipped == true and .pending == false' <<< "$st" > /dev/null || fail "still pending after done: $st"
[ "$(q "SELECT count(*) FROM photo_ocr WHERE photo_id = '$id'")" -eq 1 ] || fail "the text was not read again"
jq -e '.ocr.flipped == true and .ocr.mirrored == false' <<< "$(ok get "/api/photos/$id")" > /dev/null ||
  fail "after the re-analysis: $(ok get "/api/photos/$id")"
# the decided faces the detector did not find again are kept as drawn faces with their decisions, mirrored
for who in "Dora Spiegel|595" "Clara Spiegel|55"; do
  kept=$(q "SELECT f.source || '|' || f.status || '|' || round(f.box_x) FROM faces f JOIN persons p ON p.id = f.person_id
            WHERE f.photo_id = '$id' AND p.name = '${who%|*}'")
  [ "$kept" = "manual|confirmed|${who#*|}.0" ] || fail "${who%|*}: want a kept drawn face at x ${who#*|}, got '$kept'"
done
dup=$(q "SELECT count(*) FROM (SELECT face_no FROM faces WHERE photo_id = '$id' GROUP BY model_version, face_no
         HAVING count(*) > 1)")
[ "$dup" -eq 0 ] || fail "face numbers twice"
while read -r no; do
  [ -s "$D/objects/faces/$id/$no.jpg" ] || fail "no crop for face $no"
done < <(q "SELECT face_no FROM faces WHERE photo_id = '$id'")
jq -e '[.faces[] | select(.source == "manual")] | length == 2' "$D/objects/annotations/$id.json" > /dev/null ||
  fail "the annotation does not list the two kept faces as drawn"
ok get "/api/photos/$id2/reanalysis" | jq -e '.state == "none" and .flipped == false' > /dev/null ||
  fail "a photo never flipped: $(ok get "/api/photos/$id2/reanalysis")"
serve_stop
[ "$(q "SELECT count(*) FROM analysis_runs WHERE photo_id = '$id' AND status = 'done'")" -ge 1 ] || fail "not analysed again"
m=$(q "SELECT count(*) FROM faces WHERE photo_id = '$id'")
# the detector may find a marginal face on one side only: the two decided ones must be there
[ "$m" -ge 2 ] || fail "faces after the flip: $m, before $n"
echo "ocr_flip: $n faces before the flip, $m after"
# the new face over A's mirrored spot is named and confirmed; the one over B's is rejected
named=$(q "SELECT f.status || '|' || p.name FROM faces f JOIN persons p ON p.id = f.person_id
           WHERE f.photo_id = '$id' AND p.name = 'Anna Spiegel'")
[ "$named" = "confirmed|Anna Spiegel" ] || fail "the named face lost its decision: '$named'"
read -r bx by bw bh <<< "$boxB"
rej=$(q "SELECT count(*) FROM faces WHERE photo_id = '$id' AND status = 'rejected'
         AND abs(box_x - ($W - $bx - $bw)) < $bw / 2 AND abs(box_y - $by) < $bh / 2")
[ "$rej" -eq 1 ] || fail "the rejected face lost its decision: B was $boxB in $W px; now $(q "SELECT id, box_x, box_y, box_w, box_h, ifnull(person_id, '-'), status FROM faces WHERE photo_id = '$id'")"
fx=$(q "SELECT f.box_x FROM faces f JOIN persons p ON p.id = f.person_id WHERE p.name = 'Anna Spiegel'")
awk -v f="$fx" -v w="$W" -v x="$ax" -v bw="$aw" 'BEGIN { d = f - (w - x - bw); exit !(d < bw / 2 && d > -bw / 2) }' ||
  fail "the named face is not over A's mirrored spot: $fx"

# a flip killed after its record, before the image: finished by the next one, not done twice
p2=$D/objects/processed/$id2.jpg
cp "$p2" "$T/p2.orig"
out=$(ft flip --no-analyze "$id2") || fail "flip: $out"
flipped=$(sha256sum "$p2" | cut -c1-64)
cp "$T/p2.orig" "$p2" # as if killed before the image was written
out=$(ft flip --no-analyze "$id2") || fail "flip again: $out"
grep -q "$id2 flipped" <<< "$out" || fail "the half-done flip was not finished: $out"
[ "$(sha256sum "$p2" | cut -c1-64)" = "$flipped" ] || fail "finished flip: not the flipped image"
out=$(ft flip --no-analyze "$id2") || fail "flip a third time: $out"
grep -q "was flipped already" <<< "$out" || fail "flipped twice: $out"
[ "$(sha256sum "$p2" | cut -c1-64)" = "$flipped" ] || fail "the image changed on a third flip"
ft flip --no-analyze 0123456789abcdef > /dev/null 2>&1 && fail "flip of a photo that does not exist succeeded"

# the second photo is flipped but not analysed again (as if the server had
# been killed before its child ran): the next start of the server does it.
# A child killed -9 while it runs (slowed by the analyze test hook so that it
# is still running; when it has finished already there is nothing to kill)
# leaves the photo pending, and the start after that finishes it.
[ "$(q "SELECT count(*) FROM analysis_runs WHERE photo_id = '$id2' AND status = 'done'")" -eq 0 ] ||
  fail "flip --no-analyze analysed"
FACETAG_TEST_SLOW_MS=300 serve_start "$D"
for i in $(seq 1 1200); do
  child=$(pgrep -P "$SERVE_PID" | head -1)
  [ -n "$child" ] && break
  [ "$(ok get "/api/photos/$id2/reanalysis" | jq -r .state)" = done ] && break
  sleep 0.05
done
if [ -n "$child" ]; then
  kill -9 "$child" 2> /dev/null && echo "ocr_flip: killed the re-analysis child $child"
  for i in $(seq 1 1200); do
    s2=$(ok get "/api/photos/$id2/reanalysis" | jq -r .state)
    [ "$s2" = failed ] || [ "$s2" = done ] && break
    sleep 0.1
  done
fi
serve_stop
serve_start "$D"
wait_reanalysed "$id2"
serve_stop
[ "$(q "SELECT count(*) FROM analysis_runs WHERE photo_id = '$id2' AND status = 'done'")" -eq 1 ] ||
  fail "the second photo was not analysed again"
[ "$(q "SELECT count(*) FROM photo_ocr WHERE photo_id = '$id2'")" -eq 1 ] || fail "the second photo was not read"
dup=$(q "SELECT count(*) FROM (SELECT face_no FROM faces WHERE photo_id = '$id2' GROUP BY model_version, face_no
         HAVING count(*) > 1)")
[ "$dup" -eq 0 ] || fail "face numbers twice after the killed re-analysis"
echo "ocr_flip: ok"
