#!/usr/bin/env bash
# sheet_faces.sh — the faces of a contact sheet are the faces of its photos
# (the fast floor of bench_sheet's face comparison, issue 13): the six sample
# photos laid out as a sepia print of one 35 mm strip (bench_sheet --make,
# 12 px/mm, turned 1.5 degrees, grain) and as a scan of that strip's negatives
# are ingested and analysed; the faces found in their frames must be within
# 5 % of the faces found in the six photos alone as black-and-white film holds
# them (grey, full size): 2 faces of about 42. That is the floor; the issue's
# 2 % is measured on 300 frames by bench_sheet (docs/sheets.md), where one
# marginal face is not 2.4 % of the count. (With fp32 on oneDNN, the default on
# AVX2-only CPUs, this test counted 40 against 42; with bf16, 40 against 40.) The photos alone in colour are counted too and
# printed, not checked: the face detector finds fewer faces in grey photos
# than in colour ones (20 vs 22 here), a loss no cutting can win back.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MAKE=$(dirname "$BIN")/bench_sheet
export LSAN_OPTIONS=suppressions=$SRC/tests/unit/lsan-fontconfig.supp
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$MAKE" ] || fail "$MAKE missing (build bench_sheet)"
photos=("$MODELS"/../demo/*.jpg)
[ ${#photos[@]} -eq 6 ] || fail "want the 6 demo photos in $MODELS/../demo, found ${#photos[@]}"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/sheets" "$T/alone" "$T/grey"
cp "${photos[@]}" "$T/alone/"
for p in "${photos[@]}"; do
  vips colourspace "$p" "$T/grey/$(basename "$p")" b-w || fail "vips: grey copy of $p"
done
"$MAKE" --make "$T/sheets/print.jpg" --strips 1 --per-strip 6 --angle 1.5 --px-per-mm 12 --sepia --margin \
  --seed 7 "${photos[@]}" >/dev/null || fail "bench_sheet --make failed"
"$MAKE" --make "$T/sheets/negatives.jpg" --strips 1 --per-strip 6 --angle -2.2 --px-per-mm 12 --negative \
  --seed 8 "${photos[@]}" >/dev/null || fail "bench_sheet --make failed"
# the colour run only prints a number: left out under ASan (FACETAG_SANITIZE=1)
runs="sheets grey alone"
[ "${FACETAG_SANITIZE:-0}" = 1 ] && runs="sheets grey"
for d in $runs; do
  "$BIN" --data "$T/d-$d" ingest --no-progress "$T/$d" >"$T/$d.log" 2>&1 || fail "ingest $d: $(tail -3 "$T/$d.log")"
  "$BIN" --data "$T/d-$d" analyze >>"$T/$d.log" 2>&1 || fail "analyze $d: $(tail -3 "$T/$d.log")"
done
q() { sqlite3 "$T/d-$1/catalog.sqlite" "$2"; }
[ "$(q sheets 'SELECT count(*) FROM photo_frames')" -eq 12 ] || fail "want 12 frames from the two strips"
framed=$(q sheets 'SELECT count(*) FROM faces WHERE photo_id IN (SELECT photo_id FROM photo_frames)')
grey=$(q grey 'SELECT count(*) FROM faces')
alone=$([ -d "$T/d-alone" ] && q alone 'SELECT count(*) FROM faces' || echo "?")
[ "$grey" -gt 0 ] || fail "no faces in the photos alone"
echo "sheet_faces: $framed faces in the 12 frames of two strips; the 6 photos alone x2: $((2 * grey)) in grey," \
  "$([ "$alone" = "?" ] && echo "(not run under ASan)" || echo $((2 * alone))) in colour"
# each strip holds the six photos once: its frames' faces against the photos'
awk -v f="$framed" -v a="$((2 * grey))" 'BEGIN { d = (f - a) / a; exit !(d >= -0.05 && d <= 0.05) }' ||
  fail "faces in the frames ($framed) not within 5 % of the grey photos alone twice ($((2 * grey)))"
