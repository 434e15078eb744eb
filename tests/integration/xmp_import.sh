#!/usr/bin/env bash
# xmp_import.sh — face regions other tools wrote become people's decisions.
# exiftool (the other tool) writes MWG and Microsoft Photo regions into real
# group photos: embedded in one as taken, embedded (MP) in one stored sideways
# with EXIF orientation 6, in a sidecar (MWG) of one stored sideways with
# orientation 8 — each region in the stored pixels, placed by
# lib/xmp_regions.py's own arithmetic on faces found in the upright original.
# After ingest + analyze every named region must sit, named and confirmed, on
# a face overlapping its box (IoU >= 0.5); a region where no face is becomes a
# drawn face; bad input (broken XMP, XMP over 2 MiB, a region outside the
# image, a pet) gives a reason each and loses nothing; a second analyze adds
# no decision; export xmp gives the same names back to exiftool.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
MODELS=${FACETAG_MODELS:?FACETAG_MODELS not set}
SRC=${FACETAG_SRC:?FACETAG_SRC not set}
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in jq exiftool vips python3 sqlite3; do command -v $t >/dev/null || fail "$t is missing (make deps)"; done
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
D=$T/data
ft() { "$BIN" --data "$D" --models "$MODELS" "$@"; }
q() { sqlite3 "$D/catalog.sqlite" "$1"; }
GEN=$SRC/tests/integration/lib/xmp_regions.py
DL=$SHARED/data/group-photos/dlib-faces
mkdir -p "$T/in" "$T/up"
cp "$DL/2008_002506.jpg" "$T/up/a.jpg"
cp "$DL/2009_004587.jpg" "$T/up/b.jpg"
cp "$DL/2008_002470.jpg" "$T/up/c.jpg"
chmod u+w "$T/up/"*.jpg

# The faces the "other tool" tagged: found in the upright originals, each box
# shrunk to 90 % around its centre (another tool draws its own boxes).
"$BIN" --models "$MODELS" detect "$T/up/a.jpg" "$T/up/b.jpg" "$T/up/c.jpg" >"$T/detect.jsonl" || fail "detect"
specs() { # FILE PREFIX -> "NAME:x,y,w,h" per face, largest first
  jq -r --arg f "$1" --arg p "$2" 'select(.file == $f) | .faces | sort_by(-.box[2]) | to_entries[] |
    .value.box as $b | "\($p) \(.key + 1) Ä:\($b[0] + $b[2] * 0.05),\($b[1] + $b[3] * 0.05),\($b[2] * 0.9),\($b[3] * 0.9)"' \
    "$T/detect.jsonl"
}
dims() { jq -r --arg f "$1" 'select(.file == $f) | "\(.width) \(.height)"' "$T/detect.jsonl"; }
mapfile -t A < <(specs "$T/up/a.jpg" "Anna")
mapfile -t B < <(specs "$T/up/b.jpg" "Bernd")
mapfile -t C < <(specs "$T/up/c.jpg" "Clara")
[ ${#A[@]} -ge 3 ] && [ ${#B[@]} -ge 2 ] && [ ${#C[@]} -ge 4 ] || fail "the detector should find 3, 2 and 4+ faces: ${#A[@]} ${#B[@]} ${#C[@]}"

# a: as taken, MWG embedded; plus a region on the sky (no face: drawn), one
# outside the image and a pet (both left out with a reason)
cp "$T/up/a.jpg" "$T/in/a.jpg"
read -r W H < <(dims "$T/up/a.jpg")
exiftool -q -overwrite_original "$(python3 "$GEN" mwg 1 "$W" "$H" "${A[@]}" "Drawn Person:20,10,40,40" \
  "Far Away@raw:1.4,0.2,0.1,0.1" "Rex#Pet:300,250,60,60")" "$T/in/a.jpg" || fail "exiftool a"
# b: stored sideways (pixels turned 90° clockwise, orientation 8 turns them back)... as MP regions
vips rot "$T/up/b.jpg" "$T/in/b.jpg" d90 || fail "vips b"
read -r W H < <(dims "$T/up/b.jpg")
exiftool -q -overwrite_original -n -Orientation=8 "$(python3 "$GEN" mp 8 "$W" "$H" "${B[@]}")" "$T/in/b.jpg" ||
  fail "exiftool b"
# c: stored sideways with orientation 6, MWG regions in a sidecar c.xmp
vips rot "$T/up/c.jpg" "$T/in/c.jpg" d270 || fail "vips c"
exiftool -q -overwrite_original -n -Orientation=6 "$T/in/c.jpg" || fail "exiftool c"
read -r W H < <(dims "$T/up/c.jpg")
exiftool -q -o "$T/in/c.xmp" "$(python3 "$GEN" mwg 6 "$W" "$H" "${C[@]}")" || fail "exiftool c.xmp"
# bad input: a broken sidecar, a sidecar over 2 MiB — their photos must still come in
cp "$DL/2008_001009.jpg" "$T/in/broken.jpg"
head -c 300 "$T/in/c.xmp" >"$T/in/broken.xmp"
cp "$DL/2007_007763.jpg" "$T/in/huge.jpg"
{ head -c 200 "$T/in/c.xmp"; head -c 2200000 /dev/zero | tr '\0' ' '; } >"$T/in/huge.xmp"
# the regions in the stored frame really are sideways (exiftool reads them back as written)
exiftool -s3 -RegionAppliedToDimensionsW "$T/in/c.xmp" | grep -qx "$H" || fail "c.xmp should apply to the sideways pixels"

# ---- ingest: reasons, nothing lost --------------------------------------------------
ft ingest --no-progress "$T/in" >"$T/ingest.out" 2>"$T/ingest.err" || fail "ingest: $(cat "$T/ingest.err")"
[ "$(q 'SELECT count(*) FROM photos')" -eq 5 ] || fail "every photo should be ingested: $(cat "$T/ingest.err")"
grep -q "broken.jpg: XMP: sidecar broken.xmp: not well-formed XMP" "$T/ingest.err" || fail "broken XMP: $(cat "$T/ingest.err")"
grep -q "huge.jpg: XMP: sidecar huge.xmp: larger than 2 MiB, not read" "$T/ingest.err" || fail "huge XMP: $(cat "$T/ingest.err")"
grep -q "a.jpg: XMP: embedded XMP: .*region [0-9]* ('Far Away'): outside the image" "$T/ingest.err" ||
  fail "region outside the image: $(cat "$T/ingest.err")"
grep -q "a.jpg: XMP: .*('Rex'): type 'Pet', not a face" "$T/ingest.err" || fail "pet region: $(cat "$T/ingest.err")"
want=$(( ${#A[@]} + 1 + ${#B[@]} + ${#C[@]} ))
[ "$(q "SELECT count(*) FROM xmp_regions WHERE status = 'pending'")" -eq "$want" ] ||
  fail "want $want pending regions, got $(q 'SELECT count(*) FROM xmp_regions')"
[ "$(q "SELECT group_concat(DISTINCT kind || '/' || origin) FROM (SELECT * FROM xmp_regions ORDER BY kind, origin)")" = "mp/embedded,mwg/embedded,mwg/sidecar" ] ||
  fail "kinds/origins: $(q "SELECT DISTINCT kind, origin FROM xmp_regions")"

# ---- analyze: the regions become decisions -----------------------------------------------
ft -j 2 analyze --no-progress >"$T/analyze.out" 2>"$T/analyze.err" || fail "analyze: $(cat "$T/analyze.err")"
grep -q "XMP face regions of 3 photos: $((want - 1)) named a detected face, 1 drawn, 0 failed" "$T/analyze.out" ||
  fail "analyze summary: $(cat "$T/analyze.out" "$T/analyze.err")"
ft export json --out "$T/export.json" || fail "export json"
EXPORT=$T/export.json
# every named region on a face of its photo that overlaps it, named, confirmed
check() { # FILE ORIENTATION-FREE SPECS...: boxes are in upright pixels = processed pixels (no shrink at this size)
  local file=$1; shift
  python3 - "$EXPORT" "$file" "$@" <<'PY' || fail "imported names on $file"
import json, sys
doc = json.load(open(sys.argv[1]))
p = [p for p in doc["photos"] if any(x.endswith("/" + sys.argv[2]) for x in p["paths"])][0]
def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    return i / (a[2] * a[3] + b[2] * b[3] - i)
worst = 1.0
for spec in sys.argv[3:]:
    name, nums = spec.rsplit(":", 1)
    box = list(map(float, nums.split(",")))
    faces = [f for f in p["faces"] if f.get("name") == name]
    if len(faces) != 1 or faces[0]["name_status"] != "confirmed":
        sys.exit(f"{sys.argv[2]}: {name!r} on {len(faces)} faces")
    worst = min(worst, iou(faces[0]["box"], box))
    if iou(faces[0]["box"], box) < 0.5:
        sys.exit(f"{sys.argv[2]}: {name!r} on box {faces[0]['box']}, region {box}")
print(f"{sys.argv[2]}: {len(sys.argv) - 3} names on their faces, lowest IoU {worst:.3f}")
PY
}
check a.jpg "${A[@]}" "Drawn Person:20,10,40,40"
check b.jpg "${B[@]}"
check c.jpg "${C[@]}"
[ "$(q "SELECT source FROM faces f JOIN persons p ON p.id = f.person_id WHERE p.name = 'Drawn Person'")" = manual ] ||
  fail "the region without a face should be a drawn face"
[ "$(q "SELECT count(*) FROM decisions WHERE actor = 'xmp' AND action = 'confirm'")" -eq "$want" ] ||
  fail "want $want confirm decisions by xmp: $(q "SELECT action, count(*) FROM decisions GROUP BY action")"
[ "$(q "SELECT count(*) FROM xmp_regions WHERE status = 'pending'")" -eq 0 ] || fail "regions left pending"

# ---- again: nothing applied twice; clustering keeps the names ----------------------------
before=$(q "SELECT count(*) FROM decisions")
ft analyze --no-progress >"$T/analyze2.out" 2>&1 || fail "second analyze"
grep -q "XMP face regions" "$T/analyze2.out" && fail "regions applied twice: $(cat "$T/analyze2.out")"
[ "$(q "SELECT count(*) FROM decisions")" -eq "$before" ] || fail "a second analyze added decisions"
named="SELECT f.id, p.name FROM faces f JOIN persons p ON p.id = f.person_id WHERE f.status = 'confirmed' ORDER BY f.id"
kept=$(q "$named")
[ "$(wc -l <<<"$kept")" -eq "$want" ] || fail "want $want confirmed faces: $kept"
ft cluster >/dev/null 2>&1 || fail "cluster"
[ "$(q "$named")" = "$kept" ] || fail "clustering changed the imported names: $(diff <(echo "$kept") <(q "$named"))"

# ---- and back out: exiftool reads the same names from export xmp --------------------------
ft export xmp --confirmed-only --sidecars "$T/xmp" 2>/dev/null || fail "export xmp"
got=$(exiftool -q -j -RegionName "$T/xmp/"*.xmp | jq -r '.[].RegionName | if type == "array" then .[] else . end' | sort)
exp=$(printf '%s\n' "${A[@]}" "Drawn Person:" "${B[@]}" "${C[@]}" | sed 's/:.*//' | sort)
[ "$got" = "$exp" ] || fail "exported names differ: $(diff <(echo "$got") <(echo "$exp"))"

# ---- regions another tool writes later: read again on re-ingest, nothing twice -----------
# broken.jpg's sidecar is repaired with a region on its largest face (the image
# is untouched); huge.jpg loses its sidecar and exiftool writes a region into
# the file itself (its bytes change, its pixels do not: the same photo). The
# sidecar of c.jpg and the embedded regions of a.jpg, read again, add nothing.
photos=$(q 'SELECT count(*) FROM photos')
later() { # FILE NAME -> "NAME:x,y,w,h", the largest face of FILE's photo shrunk to 90 %, and "W H"
  local id; id=$(q "SELECT photo_id FROM photo_sources WHERE path LIKE '%/$1'")
  q "SELECT '$2:' || (box_x + box_w * 0.05) || ',' || (box_y + box_h * 0.05) || ',' || (box_w * 0.9) || ',' ||
       (box_h * 0.9) FROM faces WHERE photo_id = '$id' AND source = 'detector' ORDER BY box_w * box_h DESC LIMIT 1"
}
size() { q "SELECT width || ' ' || height FROM photos p JOIN photo_sources s USING (photo_id) WHERE s.path LIKE '%/$1'"; }
BL=$(later broken.jpg "Berta Später"); HL=$(later huge.jpg "Hugo Später")
[ -n "$BL" ] && [ -n "$HL" ] || fail "broken.jpg and huge.jpg should have faces: '$BL' '$HL'"
huge_id=$(q "SELECT photo_id FROM photo_sources WHERE path LIKE '%/huge.jpg'")
rm "$T/in/broken.xmp" "$T/in/huge.xmp"
read -r W H < <(size broken.jpg)
exiftool -q -o "$T/in/broken.xmp" "$(python3 "$GEN" mwg 1 "$W" "$H" "$BL")" || fail "exiftool broken.xmp"
read -r W H < <(size huge.jpg)
exiftool -q -overwrite_original "$(python3 "$GEN" mwg 1 "$W" "$H" "$HL")" "$T/in/huge.jpg" || fail "exiftool huge.jpg"
ft ingest --no-progress "$T/in" >"$T/ingest2.out" 2>"$T/ingest2.err" || fail "re-ingest: $(cat "$T/ingest2.err")"
grep -q "ingest: 1 files had only their metadata rewritten (the same photos); 2 face regions new" "$T/ingest2.out" ||
  fail "re-ingest: $(cat "$T/ingest2.out" "$T/ingest2.err")"
[ "$(q 'SELECT count(*) FROM photos')" -eq "$photos" ] || fail "re-ingest added photos"
[ "$(q "SELECT photo_id FROM photo_sources WHERE path LIKE '%/huge.jpg'")" = "$huge_id" ] ||
  fail "huge.jpg moved to another photo"
[ "$(q "SELECT count(*) FROM xmp_regions WHERE status = 'pending'")" -eq 2 ] || fail "want 2 pending regions"
ft -j 2 analyze --no-progress >"$T/analyze3.out" 2>"$T/analyze3.err" || fail "analyze: $(cat "$T/analyze3.err")"
grep -q "XMP face regions of 2 photos: 2 named a detected face, 0 drawn, 0 failed" "$T/analyze3.out" ||
  fail "analyze after re-ingest: $(cat "$T/analyze3.out" "$T/analyze3.err")"
ft export json --out "$T/export2.json" || fail "export json"
EXPORT=$T/export2.json
check broken.jpg "$BL"
check huge.jpg "$HL"
# once more: the same files, nothing new
regions=$(q 'SELECT count(*) FROM xmp_regions')
ft ingest --no-progress "$T/in" >"$T/ingest3.out" 2>&1 || fail "third ingest: $(cat "$T/ingest3.out")"
grep -q "face regions new" "$T/ingest3.out" && fail "regions read twice: $(cat "$T/ingest3.out")"
[ "$(q 'SELECT count(*) FROM xmp_regions')" -eq "$regions" ] || fail "a third ingest added regions"
[ "$(q 'SELECT count(*) FROM photos')" -eq "$photos" ] || fail "a third ingest added photos"
echo "xmp_import: ok ($want regions; 2 written later, read on re-ingest)"
