#!/usr/bin/env bash
# sheet_faces.sh — the faces of a contact sheet are the faces of its photos
# (the fast floor of bench_sheet's face comparison, issue 13). Six photos —
# two demo photos and four tight single faces of faces-dev — are laid out
# (bench_sheet --make) as a print of one 35 mm strip running top to bottom,
# the sheet turned a quarter clockwise (the pictures' tops to the right:
# against the splitter's guess, media/sheet.h SHEET_VERTICAL_QUARTERS), and
# as a scan of one strip of negatives along x; both are ingested and
# analysed, and so are the six photos alone as black-and-white film holds
# them (grey). Checks:
#   - every frame is handed over landscape, as its picture is (a frame of the
#     vertical strip cut sideways fails);
#   - the vertical strip's frames lie upside down under the guess; the
#     tight faces there (no face in the turned view) are found because the
#     sheet's other frames vote the turn (analyze/sheet_vote.h): at least 3
#     of the 4 (1 of 4 without the vote, on every precision tried);
#   - the vote's turn sticks (analyze/frame_turn.h): the vertical strip's six
#     frames are stored turned (turn 180, once), so every frame with faces
#     has them found upright in the image as stored (annotation rotation 0,
#     none 180), and each stored image has the size its photo row says;
#   - kill -9 between the vote and the storing (FACETAG_TEST_KILL_AT=
#     sheet-turned: the turn recorded, no image written yet) is safe: the
#     next analyze writes the turned images and reads the frames again, and
#     every check here holds after it;
#   - the faces in the 12 frames are within 5 % of the grey photos alone
#     twice (1 face of ~20). The issue's 2 % is measured on 300 frames by
#     bench_sheet (docs/sheets.md).
# The photos alone in colour are counted too and printed, not checked (not
# under ASan).
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MAKE=$(dirname "$BIN")/bench_sheet
export LSAN_OPTIONS=suppressions=$SRC/tests/unit/lsan-fontconfig.supp
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$MAKE" ] || fail "$MAKE missing (build bench_sheet)"
DEV=$SHARED/data/faces-dev
photos=("$MODELS"/../demo/sample1.jpg "$MODELS"/../demo/sample2.jpg "$DEV"/Justin_Timberlake/lfw_03.jpg
  "$DEV"/Larry_Brown/lfw_01.jpg "$DEV"/George_Galloway/lfw_01.jpg "$DEV"/Denzel_Washington/lfw_01.jpg)
for p in "${photos[@]}"; do [ -f "$p" ] || fail "missing photo $p"; done

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/sheets" "$T/alone" "$T/grey"
for p in "${photos[@]}"; do
  n=$(basename "$(dirname "$p")")_$(basename "$p")
  cp "$p" "$T/alone/$n"
  vips colourspace "$p" "$T/grey/$n" b-w || fail "vips: grey copy of $p"
done
"$MAKE" --make "$T/sheets/print.jpg" --strips 1 --per-strip 6 --angle 0.4 --px-per-mm 10 --margin --vertical \
  --turn -1 --seed 7 "${photos[@]}" >/dev/null || fail "bench_sheet --make failed"
"$MAKE" --make "$T/sheets/negatives.jpg" --strips 1 --per-strip 6 --angle -2.2 --px-per-mm 12 --negative \
  --seed 8 "${photos[@]}" >/dev/null || fail "bench_sheet --make failed"
# the colour run only prints a number: left out under ASan (FACETAG_SANITIZE=1)
runs="sheets grey alone"
[ "${FACETAG_SANITIZE:-0}" = 1 ] && runs="sheets grey"
q() { sqlite3 "$T/d-$1/catalog.sqlite" "$2"; }
for d in $runs; do
  "$BIN" --data "$T/d-$d" ingest --no-progress "$T/$d" >"$T/$d.log" 2>&1 || fail "ingest $d: $(tail -3 "$T/$d.log")"
  if [ "$d" = sheets ]; then
    # killed right after the vote's turn is recorded, before any image is turned
    FACETAG_TEST_KILL_AT=sheet-turned "$BIN" --data "$T/d-$d" analyze >>"$T/$d.log" 2>&1
    st=$?
    [ "$st" -eq 137 ] || fail "analyze with FACETAG_TEST_KILL_AT=sheet-turned: exit $st, want 137 (killed)"
    pending=$(q sheets 'SELECT count(*) FROM photo_frames WHERE turn <> 0 AND turn_sha256 IS NOT NULL')
    [ "$pending" -eq 6 ] || fail "after the kill: $pending frames with their turn recorded and not written, want 6"
  fi
  "$BIN" --data "$T/d-$d" analyze >>"$T/$d.log" 2>&1 || fail "analyze $d: $(tail -3 "$T/$d.log")"
done
[ "$(q sheets 'SELECT count(*) FROM photo_frames')" -eq 12 ] || fail "want 12 frames from the two strips"
# the print: the sheet of the vertical strip
print_id=$(q sheets "SELECT p.photo_id FROM photos p JOIN photo_sources s USING (photo_id) WHERE s.path LIKE '%print.jpg'")
[ -n "$print_id" ] || fail "no photo for print.jpg"
sideways=$(q sheets 'SELECT count(*) FROM photo_frames f JOIN photos p USING (photo_id) WHERE p.width <= p.height')
[ "$sideways" -eq 0 ] || fail "$sideways of 12 frames handed over sideways (taller than wide)"
# the vote's turn stored: the print's frames turned once, upright as stored
turned=$(q sheets "SELECT count(*) FROM photo_frames WHERE parent_id = '$print_id' AND turn = 180 AND turn_sha256 IS NULL")
[ "$turned" -eq 6 ] || fail "$turned of the vertical strip's 6 frames stored turned 180 (the sheet's vote)"
up=0
down=0
while IFS='|' read -r id w h; do
  ann=$T/d-sheets/objects/annotations/$id.json
  [ -f "$ann" ] || fail "frame $id: no annotation"
  grep -q '"faces":\[{' "$ann" || continue
  case $(grep -o '"rotation":[0-9]*' "$ann") in
    '"rotation":0') up=$((up + 1)) ;;
    '"rotation":180') down=$((down + 1)) ;;
  esac
  size=$(vipsheader -f width "$T/d-sheets/objects/processed/$id.jpg")x$(vipsheader -f height "$T/d-sheets/objects/processed/$id.jpg")
  [ "$size" = "${w}x$h" ] || fail "frame $id: stored image $size, its photo row says ${w}x$h"
done < <(q sheets "SELECT f.photo_id, p.width, p.height FROM photo_frames f JOIN photos p USING (photo_id)
  WHERE f.parent_id = '$print_id'")
[ "$down" -eq 0 ] && [ "$up" -ge 4 ] ||
  fail "the vertical strip's frames with faces: $up found upright as stored, $down upside down (want >= 4 and 0)"
framed=$(q sheets 'SELECT count(*) FROM faces WHERE photo_id IN (SELECT photo_id FROM photo_frames)')
tight=$(q sheets "SELECT count(DISTINCT photo_id) FROM faces WHERE photo_id IN
  (SELECT photo_id FROM photo_frames WHERE parent_id = '$print_id' AND frame_no BETWEEN 3 AND 6)")
grey=$(q grey 'SELECT count(*) FROM faces')
alone=$([ -d "$T/d-alone" ] && q alone 'SELECT count(*) FROM faces' || echo "?")
[ "$grey" -gt 0 ] || fail "no faces in the photos alone"
echo "sheet_faces: $framed faces in the 12 frames of two strips; the 6 photos alone x2: $((2 * grey)) in grey," \
  "$([ "$alone" = "?" ] && echo "(not run under ASan)" || echo $((2 * alone))) in colour;" \
  "tight faces found in the vertical strip: $tight of 4"
grep -E "turned upright|read again turned" "$T/sheets.log"
[ "$tight" -ge 3 ] || fail "$tight of the 4 tight faces found in the upside-down vertical strip (the sheet's vote)"
# each strip holds the six photos once: its frames' faces against the photos'
awk -v f="$framed" -v a="$((2 * grey))" 'BEGIN { d = (f - a) / a; exit !(d >= -0.05 && d <= 0.05) }' ||
  fail "faces in the frames ($framed) not within 5 % of the grey photos alone twice ($((2 * grey)))"
