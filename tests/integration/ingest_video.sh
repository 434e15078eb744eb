#!/usr/bin/env bash
# ingest_video.sh — videos become the frames worth looking at. Test videos are
# made here with ffmpeg from faces-dev stills (lib/video_fixtures.bash): cuts
# and a cross-fade between four known photos, with noise and lossy
# compression. Checked: the scenes found (one kept frame per scene, where the
# scene has settled), frames at the interval only when the picture moves (a
# still scene gives one frame), every container and codec we promise (MP4 and
# MOV H.264, MKV, AVI MPEG-4, MPEG-2 program stream, DV), faces found in the
# frames vs in the stills alone, the viewer's time link; truncated, corrupt,
# audio-only and junk "videos" each refused with a reason while the batch
# goes on; a second run changes nothing; kill -9 during video ingests and a
# re-run give the same catalog and objects as one clean run.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"
. "$(dirname "$0")/lib/video_fixtures.bash"
command -v ffmpeg >/dev/null || fail "ffmpeg (the CLI) is missing: scripts/setup-deps.sh installs it"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
F=$SHARED/data/faces-dev
stills=("$F/Abdullah/lfw_01.jpg" "$F/Adam_Sandler/lfw_01.jpg" "$F/Al_Sharpton/lfw_01.jpg" "$F/Alan_Greenspan/lfw_01.jpg")
mkdir -p "$T/in" "$T/stills"
vx_scenes "$T/in/scenes.mp4" 320 240 "${stills[@]}" || fail "ffmpeg: scenes.mp4"
# the same scenes in the other containers and codecs
ffmpeg -v error -y -i "$T/in/scenes.mp4" -c:v copy "$T/in/scenes.mov" || fail "ffmpeg: mov"
ffmpeg -v error -y -i "$T/in/scenes.mp4" -c:v libx264 -crf 32 -preset veryfast "$T/in/scenes.mkv" || fail "ffmpeg: mkv"
ffmpeg -v error -y -i "$T/in/scenes.mp4" -c:v mpeg4 -q:v 6 "$T/in/scenes.avi" || fail "ffmpeg: avi"
ffmpeg -v error -y -i "$T/in/scenes.mp4" -c:v mpeg2video -q:v 6 -f vob "$T/in/scenes.mpg" || fail "ffmpeg: mpeg-2"
ffmpeg -v error -y -i "$T/in/scenes.mp4" -vf scale=720:576,setsar=16/15 -c:v dvvideo -pix_fmt yuv420p -f dv \
  "$T/in/scenes.dv" || fail "ffmpeg: dv"
vx_still "$T/in/still.mp4" 320 240 "$F/Allyson_Felix/lfw_01.jpg" 4 || fail "ffmpeg: still"
vx_zoom "$T/in/zoom.mp4" 320 240 "$F/Amanda_Bynes/lfw_01.jpg" 4 || fail "ffmpeg: zoom"
for i in 0 1 2 3; do cp "${stills[$i]}" "$T/stills/still_$i.jpg"; done

DB=$T/data/catalog.sqlite
q() { sqlite3 "$DB" "$1"; }
vid() { sha256sum "$1" | cut -c1-16; }

out=$("$BIN" --data "$T/data" ingest --json -j 2 --video-interval 1 "$T/in") || fail "ingest failed: $out"
videos=$(jq .videos <<<"$out")
[ "$videos" = 8 ] || fail "ingest: $out"
for ext in mp4 mov mkv avi mpg dv; do
  id=$(vid "$T/in/scenes.$ext")
  fmt=$(q "SELECT format FROM photos WHERE photo_id = '$id'")
  scenes=$(q "SELECT count(DISTINCT scene) FROM photo_frames WHERE parent_id = '$id' AND kind = 'video'")
  frames=$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$id'")
  echo "scenes.$ext ($fmt): $scenes scenes, $frames frames kept"
  [ "$scenes" = 4 ] || fail "scenes.$ext: $scenes scenes found, want 4 ($(q "SELECT group_concat(time_ms || '/' || scene, ' ') FROM photo_frames WHERE parent_id = '$id'"))"
  # still scenes with noise: one frame each although --video-interval 1 (near duplicates skipped)
  [ "$frames" = 4 ] || fail "scenes.$ext: $frames frames kept, want 1 per scene"
  for k in 1 2 3 4; do
    t=$(q "SELECT time_ms FROM photo_frames WHERE parent_id = '$id' AND scene = $k")
    s=${VX_SCENE_STARTS[$((k - 1))]}
    [ "$t" -ge "$s" ] && [ "$t" -lt $((s + 1200)) ] || fail "scenes.$ext: scene $k kept at $t ms, want in [$s, $((s + 1200)))"
  done
  [ "$(q "SELECT count(*) FROM photos p JOIN photo_frames f USING (photo_id) WHERE f.parent_id = '$id' AND p.parent_id = '$id'
          AND p.width = 320 AND p.height = 240")" = 4 ] || [ "$ext" = dv ] || fail "scenes.$ext: frames' photos"
done
[ "$(q "SELECT format FROM photos WHERE photo_id = '$(vid "$T/in/scenes.mov")'")" = mov ] || fail "a QuickTime file is format mov"
# DV is 720x576 with 16:15 pixels: frames come out in display aspect, 768x576
[ "$(q "SELECT width || 'x' || height FROM photos WHERE parent_id = '$(vid "$T/in/scenes.dv")' LIMIT 1")" = 768x576 ] ||
  fail "DV frames not in display aspect: $(q "SELECT width || 'x' || height FROM photos WHERE parent_id = '$(vid "$T/in/scenes.dv")'")"
id=$(vid "$T/in/still.mp4")
[ "$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$id'")" = 1 ] || fail "a 4 s still scene at --video-interval 1 gave more than one frame"
id=$(vid "$T/in/zoom.mp4")
n=$(q "SELECT count(*) FROM photo_frames WHERE parent_id = '$id'")
sc=$(q "SELECT count(DISTINCT scene) FROM photo_frames WHERE parent_id = '$id'")
echo "zoom.mp4: $n frames kept in $sc scenes"
[ "$n" -ge 3 ] && [ "$sc" = 1 ] || fail "a 4 s slow zoom at --video-interval 1: $n frames in $sc scenes, want >= 3 in 1"
# the video itself: its original in incoming/, its first frame as its working image; every frame's image stored
id=$(vid "$T/in/scenes.mp4")
O=$(objects "$T/data")
cmp -s "$O/incoming/$id.mp4" "$T/in/scenes.mp4" || fail "incoming/$id.mp4 is not the video"
[ -s "$O/processed/$id.jpg" ] || fail "the video has no working image"
for f in $(q 'SELECT photo_id FROM photo_frames'); do [ -s "$O/processed/$f.jpg" ] || fail "processed/$f.jpg missing"; done
# the default interval (10 s) keeps the same frames of scenes.mp4
out=$("$BIN" --data "$T/default" ingest --json "$T/in/scenes.mp4") || fail "ingest (default interval): $out"
[ "$(sqlite3 "$T/default/catalog.sqlite" 'SELECT group_concat(scene) FROM (SELECT scene FROM photo_frames ORDER BY frame_no)')" = 1,2,3,4 ] ||
  fail "default interval: $(sqlite3 "$T/default/catalog.sqlite" 'SELECT group_concat(time_ms) FROM (SELECT time_ms FROM photo_frames ORDER BY frame_no)')"

out=$("$BIN" --data "$T/data" ingest --json "$T/in") || fail "second run failed"
[ "$out" = '{"ingested":0,"duplicates":0,"failed":0,"unchanged":8}' ] || fail "second run: $out"

# faces in the frames vs in the same photos alone
if [ -d "${FACETAG_MODELS:-}" ]; then
  "$BIN" --data "$T/data" ingest --no-progress "$T/stills" > /dev/null || fail "ingest stills"
  "$BIN" --data "$T/data" analyze -j 2 --no-progress > "$T/analyze.out" 2>&1 || fail "analyze: $(tail -3 "$T/analyze.out")"
  total_v=0 total_s=0
  for k in 1 2 3 4; do
    sid=$(vid "$T/stills/still_$((k - 1)).jpg")
    s=$(q "SELECT count(*) FROM faces WHERE photo_id = '$sid'")
    for ext in mp4 mkv avi mpg dv; do
      id=$(vid "$T/in/scenes.$ext")
      v=$(q "SELECT count(*) FROM faces WHERE photo_id IN (SELECT photo_id FROM photo_frames WHERE parent_id = '$id' AND scene = $k)")
      total_v=$((total_v + v)) total_s=$((total_s + s))
      [ "$v" = "$s" ] || fail "scene $k of scenes.$ext: $v faces in its frame, $s in the still"
    done
  done
  echo "faces: $total_v in the frames of 5 videos, $total_s in the same stills alone"
  [ "$(q "SELECT count(*) FROM faces f JOIN photos p USING (photo_id) WHERE p.photo_id IN (SELECT parent_id FROM photo_frames)")" = 0 ] ||
    fail "a video itself was analysed"
fi

# bad videos: each one line with its reason, the rest of the batch goes on
mkdir -p "$T/bad"
head -c 20000 "$T/in/scenes.mp4" > "$T/bad/cut.mp4"       # the index (moov) comes last: gone
head -c 16000 "$T/in/scenes.mkv" > "$T/bad/cut.mkv"
head -c 50000 "$T/in/scenes.avi" > "$T/bad/cut.avi"
cp "$T/in/scenes.mkv" "$T/bad/corrupt.mkv"
size=$(stat -c %s "$T/bad/corrupt.mkv")
for off in $(seq 6000 500 $((size - 1500))); do
  head -c 40 /dev/urandom | dd of="$T/bad/corrupt.mkv" bs=1 seek="$off" conv=notrunc status=none
done
ffmpeg -v error -y -f lavfi -i sine=d=1 -c:a aac "$T/bad/sound.m4a" || fail "ffmpeg: audio"
printf 'RIFF\x10\x00\x00\x00AVI LIST and then nothing' > "$T/bad/junk.avi"
cp "$T/in/still.mp4" "$T/bad/good.mp4"
"$BIN" --data "$T/bad-data" ingest --json "$T/bad" > "$T/bad.out" 2> "$T/bad.err"
rc=$?
[ $rc = 1 ] || fail "bad videos: exit $rc, want 1"
[ "$(cat "$T/bad.out")" = '{"ingested":1,"duplicates":0,"failed":6,"unchanged":0,"videos":1,"video_frames":1}' ] ||
  fail "bad videos: $(cat "$T/bad.out")"
want_reason() { grep -q "^$T/bad/$1: .*$2" "$T/bad.err" || fail "$1: want a reason matching '$2', got: $(grep "$1" "$T/bad.err")"; }
want_reason cut.mp4 "not a readable video"
want_reason cut.mkv "truncated video: its frames end at 00:0[0-9] of the 00:08"
want_reason cut.avi "truncated video"
want_reason corrupt.mkv "damaged video"
want_reason sound.m4a "no video stream"
want_reason junk.avi "\\(not a readable video\\|no video stream\\)"
[ "$(sqlite3 "$T/bad-data/catalog.sqlite" 'SELECT count(*) FROM ingest_failures')" = 6 ] || fail "the failures are not recorded"
# nothing of a refused video stays in the store
[ "$(ls "$(objects "$T/bad-data")/processed" | wc -l)" = 2 ] || fail "objects of refused videos left behind: $(ls "$(objects "$T/bad-data")/processed")"

# kill -9 while videos are being sampled (slowed down), then the same command again
rm -rf "$T/ref"
"$BIN" --data "$T/ref" ingest --no-progress -j 2 "$T/in" > /dev/null 2>&1 || fail "reference run"
dump() { fx_dump "$1"; sqlite3 "$1/catalog.sqlite" 'SELECT * FROM photo_frames ORDER BY photo_id'; }
want=$(dump "$T/ref")
for delay in 0.4 1.2 2.5; do
  rm -rf "$T/k"
  FACETAG_TEST_SLOW_MS=150 "$BIN" --data "$T/k" ingest --no-progress -j 2 "$T/in" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  "$BIN" --data "$T/k" ingest --no-progress -j 2 "$T/in" >/dev/null 2>&1 || fail "re-run after kill at ${delay}s failed"
  [ "$(dump "$T/k")" = "$want" ] || fail "after kill at ${delay}s the data differs from a clean run: $(diff <(dump "$T/k") <(echo "$want") | head -5)"
done
echo "ingest_video: ok"
