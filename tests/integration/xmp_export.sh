#!/usr/bin/env bash
# xmp_export.sh — `facetag export xmp` read back by an independent reader:
# real photos (one as taken, two stored sideways with EXIF orientation 6 and
# 8) ingested, analysed, their faces named through the review API; the
# sidecars and the in-place copies are then read by exiftool, and every name
# and area must match the named boxes within 0.5 % of the box
# (lib/xmp_check.py turns the boxes back to stored pixels with its own
# arithmetic). Also: originals in incoming/ never change, a second in-place run
# replaces rather than adds, a rename takes the old name out of the keywords,
# files that are no archive photo are skipped with a reason.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:?FACETAG_SRC not set}
. "$(dirname "$0")/lib/serve.bash"
for t in jq exiftool vips python3; do command -v $t >/dev/null || fail "$t is missing (make deps)"; done

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
D=$T/data
ft() { "$BIN" --data "$D" --models "$MODELS" "$@"; }
json() { body -H 'Content-Type: application/json' "$@"; }
DL=$SHARED/data/group-photos/dlib-faces
mkdir -p "$T/in"
cp "$DL/2008_002506.jpg" "$T/in/upright.jpg"
chmod u+w "$T/in/upright.jpg"
# stored sideways, shown upright: pixels turned, the EXIF orientation turns them back
vips rot "$DL/2009_004587.jpg" "$T/in/rot8.jpg" d90 || fail "vips rot"
exiftool -q -overwrite_original -n -Orientation=8 "$T/in/rot8.jpg" || fail "exiftool orientation 8"
vips rot "$DL/2008_002470.jpg" "$T/in/rot6.jpg" d270 || fail "vips rot"
exiftool -q -overwrite_original -n -Orientation=6 "$T/in/rot6.jpg" || fail "exiftool orientation 6"

ft ingest "$T/in" >/dev/null 2>&1 || fail "ingest: $(ft ingest "$T/in" 2>&1 | tail -3)"
ft -j 2 analyze --no-progress >/dev/null 2>&1 || fail "analyze"
INCOMING_SUM=$(cd "$D" && find . -path '*incoming*' -type f -exec sha256sum {} + | sort)
[ -n "$INCOMING_SUM" ] || fail "no originals found under $D"

# ---- name every face through the API ------------------------------------------
serve_start "$D"
for id in $(body "$SERVE_URL/pending" | jq -r '.[].photo_id'); do
  k=0
  for f in $(body "$SERVE_URL/api/photos/$id" | jq '.faces[].face_id'); do
    out=$(json -d "{\"photo_id\":\"$id\",\"face_id\":$f,\"label\":\"Person ${id:0:4} Nr. $k Müller\",\"accepted\":true}" \
      "$SERVE_URL/annotate")
    [ "$(jq -r .status <<<"$out")" = confirmed ] || fail "naming face $f: $out"
    k=$((k + 1))
  done
done
ft export json --out "$T/export.json" || fail "export json"
NAMED=$(jq '[.photos[].faces[] | select(.name_status == "confirmed")] | length' "$T/export.json")
[ "$NAMED" -ge 6 ] || fail "expected at least 6 named faces, got $NAMED"

# which photo is which file, and its orientation
: >"$T/map.side"
: >"$T/map.mine"
for f in upright:1 rot8:8 rot6:6; do
  name=${f%%:*} o=${f##*:}
  sha=$(sha256sum "$T/in/$name.jpg" | cut -c1-16)
  echo "$sha $T/xmp/$name.jpg.xmp $o" >>"$T/map.side"
  echo "$sha $T/mine/$name.jpg $o" >>"$T/map.mine"
done

# ---- sidecars ------------------------------------------------------------------
ft export xmp --sidecars "$T/xmp" 2>"$T/err" || fail "export xmp --sidecars: $(cat "$T/err")"
grep -q "$NAMED regions of 3 photos in 3 files" "$T/err" || fail "summary: $(cat "$T/err")"
# a sidecar has no pixels: its stored size comes from the image beside it
for f in upright rot8 rot6; do
  exiftool -q -j -struct -RegionInfo -ImageWidth -ImageHeight "$T/xmp/$f.jpg.xmp" "$T/in/$f.jpg" |
    jq --arg x "$T/xmp/$f.jpg.xmp" '[.[0] + {ImageWidth: .[1].ImageWidth, ImageHeight: .[1].ImageHeight, SourceFile: $x}]'
done | jq -s add >"$T/side.json"
python3 "$SRC/tests/integration/lib/xmp_check.py" "$T/export.json" "$T/side.json" "$T/map.side" ||
  fail "sidecars do not match the named faces"
[ "$(exiftool -s3 -Orientation -n "$T/xmp/rot6.jpg.xmp")" = 6 ] || fail "the sidecar should carry tiff:Orientation 6"
exiftool -s3 -Subject "$T/xmp/upright.jpg.xmp" | grep -q 'Müller' || fail "dc:subject lacks the names"
exiftool -s3 -TagsList "$T/xmp/upright.jpg.xmp" | grep -q 'People/Person' || fail "digiKam:TagsList lacks People/NAME"
exiftool -s3 -RegionPersonDisplayName "$T/xmp/upright.jpg.xmp" | grep -q 'Müller' || fail "no MP regions"

# ---- in place: the user's own copies --------------------------------------------
mkdir -p "$T/mine"
cp "$T/in/"*.jpg "$T/mine/"
echo "not a photo" >"$T/mine/notes.txt"
cp "$SHARED/data/group-photos/dlib-faces/2008_001009.jpg" "$T/mine/stranger.jpg" # never ingested
cp "$T/in/rot8.jpg" "$T/mine/readonly.jpg" && chmod a-w "$T/mine/readonly.jpg"
chmod u+w "$T/mine/"*.jpg 2>/dev/null; chmod a-w "$T/mine/readonly.jpg"
ft export xmp --in-place "$T/mine" 2>"$T/err" || fail "export xmp --in-place: $(cat "$T/err")"
grep -q "notes.txt: not a photo of this archive" "$T/err" || fail "a text file should be skipped with its reason: $(cat "$T/err")"
grep -q "stranger.jpg: not a photo of this archive" "$T/err" || fail "a foreign photo should be skipped: $(cat "$T/err")"
grep -q "readonly.jpg: read-only: not written" "$T/err" || fail "a read-only copy should be left alone: $(cat "$T/err")"
grep -q "$NAMED regions of 3 photos in 3 files, 3 skipped, 0 failed" "$T/err" || fail "summary: $(cat "$T/err")"
check_mine() {
  exiftool -q -j -struct -RegionInfo -ImageWidth -ImageHeight "$T/mine/upright.jpg" "$T/mine/rot8.jpg" "$T/mine/rot6.jpg" >"$T/mine.json"
  python3 "$SRC/tests/integration/lib/xmp_check.py" "$T/export.json" "$T/mine.json" "$T/map.mine" ||
    fail "in-place copies do not match the named faces ($1)"
}
check_mine "first run"
[ "$(exiftool -s3 -n -Orientation "$T/mine/rot6.jpg")" = 6 ] || fail "the copy lost its EXIF orientation"
[ "$(vipsheader -f width "$T/mine/rot6.jpg")" = "$(vipsheader -f width "$T/in/rot6.jpg")" ] || fail "pixels changed"
ls -a "$T/mine" | grep -q facetag-tmp && fail "a temporary copy was left behind"

# a second run finds the changed copies by their facetag:PhotoID and replaces, never adds
ft export xmp --in-place "$T/mine" 2>"$T/err" || fail "second in-place run: $(cat "$T/err")"
grep -q "$NAMED regions of 3 photos in 3 files" "$T/err" || fail "second run summary: $(cat "$T/err")"
check_mine "second run"
n=$(exiftool -j -Subject "$T/mine/upright.jpg" | jq '.[0].Subject | if type == "array" then length else 1 end')
[ "$n" -eq "$(jq '[.photos[] | select(.paths[0] | endswith("upright.jpg")) | .faces[] | select(.name_status == "confirmed")] | length' "$T/export.json")" ] ||
  fail "keywords were added twice: $n"

# a rename takes the old name out of the keywords
id=$(head -1 "$T/map.mine" | cut -d' ' -f1)
pid=$(body "$SERVE_URL/api/photos/$id" | jq '.faces[0].person_id')
old=$(body "$SERVE_URL/api/persons/$pid" | jq -r '.name')
expect 200 "rename" -H 'Content-Type: application/json' -d '{"name":"Renamed Person"}' "$SERVE_URL/api/persons/$pid/rename"
serve_stop
ft export xmp --in-place "$T/mine/upright.jpg" 2>"$T/err" || fail "in-place after the rename: $(cat "$T/err")"
subj=$(exiftool -s3 -Subject "$T/mine/upright.jpg")
grep -q "Renamed Person" <<<"$subj" || fail "the new name is not a keyword: $subj"
grep -qF "$old" <<<"$subj" && fail "the old name '$old' stayed a keyword: $subj"

# ---- the data folder is never written ----------------------------------------------
ft export xmp --in-place "$D" 2>"$T/err"
grep -q "inside the data folder" "$T/err" || fail "the data folder should be refused: $(cat "$T/err")"
[ "$(cd "$D" && find . -path '*incoming*' -type f -exec sha256sum {} + | sort)" = "$INCOMING_SUM" ] ||
  fail "an original in incoming/ changed"
ft export xmp 2>/dev/null && fail "xmp without --sidecars or --in-place should be a usage error"
echo "xmp_export: ok"
