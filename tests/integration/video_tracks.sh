#!/usr/bin/env bash
# video_tracks.sh — faces of one person in consecutive frames of a video are
# one track: one review item, one decision, one person. The video (made here
# with ffmpeg from faces-dev stills, lib/video_fixtures.bash): person A on
# screen for 8 s while the camera zooms slowly (a frame every second at
# --video-interval 1), a cut to B for 2 s, a cut back to A for 2 s. Checked:
# A's frames of the first scene are one track, the two other scenes' faces
# are not linked (a cut ends a track); the review queue lists the track once;
# rejecting its face rejects the track's every face; the cluster stage keeps
# a track in one person.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
[ -d "${FACETAG_MODELS:-}" ] || { echo "video_tracks: FACETAG_MODELS not set"; exit 1; }
. "$(dirname "$0")/lib/serve.bash"
. "$(dirname "$0")/lib/video_fixtures.bash"
command -v ffmpeg >/dev/null || fail "ffmpeg (the CLI) is missing: scripts/setup-deps.sh installs it"

T=$(mktemp -d)
trap 'serve_stop; rm -rf "$T"' EXIT
F=$SHARED/data/faces-dev
A=$F/Amanda_Bynes/lfw_01.jpg B=$F/Abdullah/lfw_01.jpg
vx_zoom "$T/a1.mp4" 320 240 "$A" 8 || fail "ffmpeg: a1"
vx_still "$T/b.mp4" 320 240 "$B" 2 || fail "ffmpeg: b"
vx_still "$T/a2.mp4" 320 240 "$F/Amanda_Bynes/lfw_02.jpg" 2 || fail "ffmpeg: a2"
printf "file '%s'\n" "$T/a1.mp4" "$T/b.mp4" "$T/a2.mp4" > "$T/list.txt"
mkdir -p "$T/in"
ffmpeg -v error -y -f concat -safe 0 -i "$T/list.txt" -c copy "$T/in/stage.mp4" || fail "ffmpeg: concat"

D=$T/data
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
"$BIN" --data "$D" ingest --no-progress --video-interval 1 "$T/in" > /dev/null || fail "ingest"
"$BIN" --data "$D" analyze -j 2 --no-progress > "$T/analyze.out" 2>&1 || fail "analyze: $(tail -3 "$T/analyze.out")"
V=$(sha256sum "$T/in/stage.mp4" | cut -c1-16)
frames=$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$V'")
scenes=$(q "SELECT count(DISTINCT scene) FROM photo_frames WHERE parent_id = '$V'")
faces1=$(q "SELECT count(*) FROM faces f JOIN photo_frames fr USING (photo_id) WHERE fr.parent_id = '$V' AND fr.scene = 1")
frames1=$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$V' AND scene = 1")
tracks=$(q "SELECT count(DISTINCT track_id) FROM face_tracks WHERE video_id = '$V'")
tracked=$(q "SELECT count(*) FROM face_tracks WHERE video_id = '$V'")
faces=$(q "SELECT count(*) FROM faces f JOIN photo_frames fr USING (photo_id) WHERE fr.parent_id = '$V'")
echo "stage.mp4: $frames frames in $scenes scenes; scene 1: $frames1 frames, $faces1 faces; $tracks tracks holding $tracked of $faces faces"
grep -q "analyze: 1 videos: $tracked of their $faces faces in $tracks tracks" "$T/analyze.out" || fail "analyze summary: $(cat "$T/analyze.out")"
[ "$scenes" = 3 ] || fail "want 3 scenes, got $scenes"
[ "$frames1" -ge 6 ] || fail "scene 1 (8 s, --video-interval 1) kept only $frames1 frames"
[ "$faces1" = "$frames1" ] || fail "one face per frame of scene 1 expected: $faces1 faces in $frames1 frames"
[ "$tracks" = 1 ] && [ "$tracked" = "$faces1" ] || fail "scene 1's $faces1 faces should be one track: $tracks tracks, $tracked faces"
[ "$(q "SELECT count(*) FROM face_tracks t JOIN faces f ON f.id = t.face_id JOIN photo_frames fr USING (photo_id) WHERE fr.scene <> 1")" = 0 ] ||
  fail "a face across a cut is in the track"
head=$(q "SELECT DISTINCT track_id FROM face_tracks")
[ "$(q "SELECT fr.frame_no FROM faces f JOIN photo_frames fr USING (photo_id) WHERE f.id = $head")" = 1 ] ||
  fail "a track is named by its first face (in time)"
# a second analyze changes no track
before=$(q 'SELECT * FROM face_tracks ORDER BY face_id')
"$BIN" --data "$D" analyze --no-progress > /dev/null 2>&1 || fail "second analyze"
[ "$(q 'SELECT * FROM face_tracks ORDER BY face_id')" = "$before" ] || fail "a second analyze changed the tracks"

# the cluster stage keeps the track in one person
"$BIN" --data "$D" cluster > /dev/null || fail "cluster"
[ "$(q "SELECT count(DISTINCT ifnull(f.person_id, -f.id)) FROM face_tracks t JOIN faces f ON f.id = t.face_id")" = 1 ] ||
  fail "the track's faces went to several persons: $(q "SELECT group_concat(ifnull(f.person_id, 'none')) FROM face_tracks t JOIN faces f ON f.id = t.face_id")"

# the review: the track is one item of the queue
serve_start "$D"
pending=$(body "$SERVE_URL/pending")
items=$(jq "[.[] | select(.photo_id as \$p | \"$(q "SELECT group_concat(photo_id) FROM photo_frames WHERE parent_id = '$V'")\" | contains(\$p))] | length" <<<"$pending")
# frames with a face in no track, plus one per track
loose=$(q "SELECT count(DISTINCT f.photo_id) FROM faces f JOIN photo_frames fr USING (photo_id)
           WHERE fr.parent_id = '$V' AND f.id NOT IN (SELECT face_id FROM face_tracks)")
want=$((loose + tracks))
echo "review items for the video: $items (frames with faces: $(q "SELECT count(DISTINCT photo_id) FROM faces f JOIN photo_frames fr USING (photo_id) WHERE fr.parent_id = '$V'"); $tracked faces in $tracks tracks)"
[ "$items" = "$want" ] || fail "the queue lists $items of the video's frames, want $want: $pending"
hp=$(q "SELECT photo_id FROM faces WHERE id = $head")
photo=$(body "$SERVE_URL/api/photos/$hp")
[ "$(jq ".faces[] | select(.face_id == $head) | .track.faces" <<<"$photo")" = "$tracked" ] || fail "the face does not say its track: $photo"
[ "$(jq -r '.frame_of.file' <<<"$photo")" = "$T/in/stage.mp4" ] || fail "a frame names its video's file: $photo"
[ "$(jq -r '.frame_of.time_ms' <<<"$photo")" = 0 ] || fail "the first frame's time: $photo"
# a frame has no file of its own: it is listed by its video's name and time,
# in the photo, the lists and the CSV export
[ "$(jq -r .title <<<"$photo")" = "stage.mp4 @ 00:00" ] || fail "the first frame's title: $photo"
late=$(q "SELECT photo_id || ' ' || time_ms FROM photo_frames WHERE parent_id = '$V' ORDER BY frame_no DESC LIMIT 1")
lid=${late% *} lms=${late#* }
lname=$(printf 'stage.mp4 @ %02d:%02d' $((lms / 1000 / 60)) $((lms / 1000 % 60)))
[ "$(body "$SERVE_URL/api/photos?limit=100" | jq -r --arg p "$lid" '.photos[] | select(.photo_id == $p) | .title')" = "$lname" ] ||
  fail "the last frame ($lms ms) is not listed as '$lname': $(body "$SERVE_URL/api/photos?limit=100")"
[ "$(jq -r --arg p "$hp" '.[] | select(.photo_id == $p) | "\(.title) \(.frame_of.parent_id)"' <<<"$pending")" = "stage.mp4 @ 00:00 $V" ] ||
  fail "the queue's entry of the track: $pending"
body "$SERVE_URL/api/export.csv" | grep -qF "$hp,$T/in/stage.mp4 @ 00:00,0," || fail "export.csv: the frame's file: $(body "$SERVE_URL/api/export.csv" | head -3)"
# one decision on the track's face is the decision on the track
out=$(body -X POST -H 'Content-Type: application/json' -d '{}' "$SERVE_URL/api/faces/$head/reject")
[ "$(jq -r .status <<<"$out")" = rejected ] || fail "reject: $out"
[ "$(q "SELECT count(*) FROM face_tracks t JOIN faces f ON f.id = t.face_id WHERE f.status = 'rejected'")" = "$tracked" ] ||
  fail "rejecting the track's face rejected only $(q "SELECT count(*) FROM face_tracks t JOIN faces f ON f.id = t.face_id WHERE f.status = 'rejected'") of its $tracked faces"
pending=$(body "$SERVE_URL/pending")
items=$(jq "[.[] | select(.photo_id as \$p | \"$(q "SELECT group_concat(photo_id) FROM photo_frames WHERE parent_id = '$V'")\" | contains(\$p))] | length" <<<"$pending")
[ "$items" = "$loose" ] || fail "after the decision the queue lists $items frames, want $loose"
serve_stop
echo "video_tracks: ok"
