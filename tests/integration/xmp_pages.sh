#!/usr/bin/env bash
# xmp_pages.sh — `facetag export xmp` for files that are not one JPEG photo,
# read back by exiftool: a PNG and a TIFF written in place (their XMP in PNG's
# iTXt and TIFF's IFD0), a two-page TIFF (page 1's faces as regions, page 2's
# names as keywords only: MWG regions have no page) and a generated contact
# sheet (the faces named on its frames become regions of the sheet, in the
# sheet's pixels: lib/xmp_check.py --sheet maps each frame box back onto the
# sheet with its own arithmetic from the frame's place on it).
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:?FACETAG_SRC not set}
. "$(dirname "$0")/lib/serve.bash"
for t in jq exiftool vips vipsheader python3 sqlite3; do command -v $t >/dev/null || fail "$t is missing (make deps)"; done
MAKE=$(dirname "$BIN")/bench_sheet
[ -x "$MAKE" ] || fail "$MAKE missing (build bench_sheet)"
# fontconfig's caches (the sheet's edge print) are never freed: not ours to report
export LSAN_OPTIONS=suppressions=$SRC/tests/unit/lsan-fontconfig.supp

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
D=$T/data
ft() { "$BIN" --data "$D" --models "$MODELS" "$@"; }
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
DL=$SHARED/data/group-photos/dlib-faces
mkdir -p "$T/in"
vips copy "$DL/2008_002506.jpg" "$T/in/group.png" || fail "vips png"
vips copy "$DL/2009_004587.jpg" "$T/in/group.tif" || fail "vips tif"
# two pages of one size
vips crop "$DL/2008_002470.jpg" "$T/p1.png" 0 0 360 332 && vips crop "$DL/2008_001009.jpg" "$T/p2.png" 0 0 360 332 &&
  vips join "$T/p1.png" "$T/p2.png" "$T/both.png" vertical &&
  vips tiffsave "$T/both.png" "$T/in/pages.tif" --page-height 332 || fail "vips pages"
[ "$(vipsheader -f n-pages "$T/in/pages.tif")" = 2 ] || fail "pages.tif should have 2 pages"
"$MAKE" --make "$T/in/sheet.jpg" --strips 1 --per-strip 4 --px-per-mm 12 --angle 1.5 --seed 5 \
  "$DL/2008_002506.jpg" "$DL/2009_004587.jpg" "$DL/2008_002470.jpg" >/dev/null || fail "bench_sheet --make"

ft ingest --no-progress "$T/in" >"$T/ingest.out" 2>&1 || fail "ingest: $(cat "$T/ingest.out")"
ft -j 2 analyze --no-progress >/dev/null 2>&1 || fail "analyze"
[ "$(q "SELECT count(*) FROM photo_frames WHERE kind = 'sheet'")" -eq 4 ] || fail "the sheet should give 4 frames"

# ---- every face named, through the API ----------------------------------------------
serve_start "$D"
for id in $(q "SELECT DISTINCT photo_id FROM faces"); do
  k=0
  for f in $(body "$SERVE_URL/api/photos/$id" | jq '.faces[].face_id'); do
    out=$(body -H 'Content-Type: application/json' \
      -d "{\"photo_id\":\"$id\",\"face_id\":$f,\"label\":\"P ${id:0:6} Nr. $k\",\"accepted\":true}" "$SERVE_URL/annotate")
    [ "$(jq -r .status <<<"$out")" = confirmed ] || fail "naming face $f: $out"
    k=$((k + 1))
  done
done
serve_stop
ft export json --out "$T/export.json" || fail "export json"

sha() { sha256sum "$1" | cut -c1-16; }
png=$(sha "$T/in/group.png") tif=$(sha "$T/in/group.tif") pages=$(sha "$T/in/pages.tif") sheet=$(sha "$T/in/sheet.jpg")
page2=$(q "SELECT photo_id FROM photos WHERE parent_id = '$pages' AND page = 1")
names() { jq -r --arg id "$1" '.photos[] | select(.photo_id == $id) | .faces[] | select(.name_status == "confirmed") | .name' \
  "$T/export.json" | sort; }
[ -n "$(names "$png")" ] && [ -n "$(names "$tif")" ] && [ -n "$(names "$pages")" ] && [ -n "$(names "$page2")" ] ||
  fail "every file should have named faces: png '$(names "$png")' tif '$(names "$tif")' pages '$(names "$pages")' page 2 '$(names "$page2")'"
frame_faces=$(q "SELECT count(*) FROM faces f JOIN photo_frames r USING (photo_id) WHERE r.parent_id = '$sheet'")
[ "$frame_faces" -ge 3 ] || fail "the sheet's frames should have faces: $frame_faces"

# ---- sidecars --------------------------------------------------------------------------
ft export xmp --sidecars "$T/xmp" 2>"$T/err" || fail "export xmp --sidecars: $(cat "$T/err")"
grep -q "in 4 files, 0 skipped, 0 failed" "$T/err" || fail "sidecars: $(cat "$T/err")"
for f in group.png group.tif pages.tif sheet.jpg; do [ -s "$T/xmp/$f.xmp" ] || fail "no sidecar $f.xmp"; done
ls "$T/xmp" | grep -v '^\(group.png\|group.tif\|pages.tif\|sheet.jpg\).xmp$' && fail "sidecars of pages or frames of their own"
# pages.tif: page 1's faces as regions, page 2's names only as keywords
got=$(exiftool -q -j -RegionName "$T/xmp/pages.tif.xmp" | jq -r '.[0].RegionName | if type == "array" then .[] else . end' | sort)
[ "$got" = "$(names "$pages")" ] || fail "pages.tif regions: '$got', want page 1's '$(names "$pages")'"
subj=$(exiftool -q -j -Subject "$T/xmp/pages.tif.xmp" | jq -r '.[0].Subject | if type == "array" then .[] else . end' | sort)
[ "$subj" = "$(printf '%s\n' "$(names "$pages")" "$(names "$page2")" | sort)" ] || fail "pages.tif keywords: $subj"
# the sheet: its frames' faces in its own pixels
exiftool -q -j -struct -RegionInfo -ImageWidth -ImageHeight "$T/xmp/sheet.jpg.xmp" "$T/in/sheet.jpg" |
  jq --arg x "$T/xmp/sheet.jpg.xmp" '[.[0] + {ImageWidth: .[1].ImageWidth, ImageHeight: .[1].ImageHeight, SourceFile: $x}]' \
  >"$T/sheet.json"
q "SELECT r.photo_id, r.cx, r.cy, r.w, r.h, r.angle, p.width, p.height FROM photo_frames r JOIN photos p USING (photo_id)
   WHERE r.parent_id = '$sheet'" >"$T/frames.txt"
echo "$sheet $T/xmp/sheet.jpg.xmp 1" >"$T/map.sheet"
python3 "$SRC/tests/integration/lib/xmp_check.py" "$T/export.json" "$T/sheet.json" "$T/map.sheet" 0.005 "$T/frames.txt" ||
  fail "the sheet's regions do not match its frames' named faces"

# ---- in place: PNG, TIFF, the two pages, the sheet ---------------------------------------
mkdir -p "$T/mine"
cp "$T/in/"* "$T/mine/"
ft export xmp --in-place "$T/mine" 2>"$T/err" || fail "export xmp --in-place: $(cat "$T/err")"
grep -q "in 4 files, 0 skipped, 0 failed" "$T/err" || fail "in-place summary: $(cat "$T/err")"
for f in group.png group.tif; do
  [ "$(vipsheader -f width "$T/mine/$f")" = "$(vipsheader -f width "$T/in/$f")" ] || fail "$f: pixels changed"
done
exiftool -q -j -struct -RegionInfo -ImageWidth -ImageHeight "$T/mine/group.png" "$T/mine/group.tif" >"$T/mine.json"
printf '%s\n' "$png $T/mine/group.png 1" "$tif $T/mine/group.tif 1" >"$T/map.mine"
python3 "$SRC/tests/integration/lib/xmp_check.py" "$T/export.json" "$T/mine.json" "$T/map.mine" ||
  fail "PNG/TIFF written in place do not match the named faces"
[ "$(vipsheader -f n-pages "$T/mine/pages.tif")" = 2 ] || fail "pages.tif lost a page"
got=$(exiftool -q -j -RegionName "$T/mine/pages.tif" | jq -r '.[0].RegionName | if type == "array" then .[] else . end' | sort)
[ "$got" = "$(names "$pages")" ] || fail "pages.tif in place: '$got'"
exiftool -q -j -struct -RegionInfo -ImageWidth -ImageHeight "$T/mine/sheet.jpg" >"$T/sheet2.json"
echo "$sheet $T/mine/sheet.jpg 1" >"$T/map.sheet2"
python3 "$SRC/tests/integration/lib/xmp_check.py" "$T/export.json" "$T/sheet2.json" "$T/map.sheet2" 0.005 "$T/frames.txt" ||
  fail "the sheet written in place does not match"
# a second run finds the changed copies by their facetag:PhotoID and adds nothing
ft export xmp --in-place "$T/mine" 2>"$T/err" || fail "second in-place run: $(cat "$T/err")"
grep -q "in 4 files, 0 skipped, 0 failed" "$T/err" || fail "second run: $(cat "$T/err")"
n=$(exiftool -q -j -Subject "$T/mine/pages.tif" | jq '.[0].Subject | if type == "array" then length else 1 end')
[ "$n" -eq "$(printf '%s\n' "$(names "$pages")" "$(names "$page2")" | sort -u | wc -l)" ] || fail "keywords added twice: $n"
echo "xmp_pages: ok ($(wc -l <"$T/frames.txt") frames, $frame_faces faces on them)"
