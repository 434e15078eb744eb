#!/usr/bin/env bash
# detect_cli.sh — `facetag detect`: one JSON line per image in the issue's
# shape; --compat faceapi gives the reference's faces on a golden JPEG and a
# parity PNG; an EXIF-rotated copy is reported in the upright image's pixels;
# unreadable files get a line on stderr naming them while the others go on
# (exit 1); -j 2 prints what -j 1 prints, in argument order; no data folder
# is created.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"
command -v node > /dev/null || fail "node not found (scripts/setup-deps.sh installs it)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
REF=$SHARED/reference/faceapi-ref
JPG=$SHARED/data/group-photos/dlib-faces/2007_007763.jpg
PNG=$REF/parity/2008_002470.png

# compat: the golden faces of a JPEG (jpeg-js pixels) and of a parity PNG
"$BIN" detect --compat faceapi "$JPG" "$PNG" > compat.jsonl 2> compat.err
rc=$?
[ $rc -eq 0 ] || { cat compat.err; fail "detect --compat exited $rc"; }
[ "$(wc -l < compat.jsonl)" -eq 2 ] || fail "want 2 JSON lines, got $(wc -l < compat.jsonl)"
node - compat.jsonl "$REF/golden-groups.json" "$REF/parity/golden-parity.json" << 'EOF' || fail "compat output differs from the goldens"
const fs = require('fs');
const [file, gGroups, gParity] = process.argv.slice(2);
const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map(JSON.parse);
const goldens = [JSON.parse(fs.readFileSync(gGroups)), JSON.parse(fs.readFileSync(gParity))];
const base = (p) => p.split('/').pop();
const iou = (a, b) => {
  const w = Math.min(a[0] + a[2], b.x + b.width) - Math.max(a[0], b.x);
  const h = Math.min(a[1] + a[3], b.y + b.height) - Math.max(a[1], b.y);
  return w <= 0 || h <= 0 ? 0 : w * h / (a[2] * a[3] + b.width * b.height - w * h);
};
const keys = ['file', 'width', 'height', 'faces'];
const fkeys = ['box', 'score', 'landmarks', 'points68', 'embedding', 'confidence', 'age', 'gender',
               'gender_probability', 'expressions'];
let bad = 0;
lines.forEach((l, i) => {
  if (JSON.stringify(Object.keys(l)) !== JSON.stringify(keys)) { console.error('keys', Object.keys(l)); bad++; }
  const g = goldens[i].images.find((im) => base(im.path) === base(l.file));
  if (!g) { console.error('no golden for', l.file); bad++; return; }
  if (l.width !== g.width || l.height !== g.height) { console.error('size', l.file); bad++; }
  if (l.faces.length !== g.faces.length) { console.error(l.file, l.faces.length, 'faces, golden', g.faces.length); bad++; return; }
  l.faces.forEach((f, k) => {
    const gf = g.faces[k];
    if (JSON.stringify(Object.keys(f)) !== JSON.stringify(fkeys)) { console.error('face keys', Object.keys(f)); bad++; }
    const d = Math.sqrt(f.embedding.reduce((s, v, j) => s + (v - gf.descriptor[j]) ** 2, 0));
    const lm = Math.max(...f.points68.map((p, j) => Math.hypot(p[0] - gf.landmarks[j][0], p[1] - gf.landmarks[j][1])));
    const top = (e) => Object.entries(e).sort((a, b) => b[1] - a[1])[0][0];
    const ok = iou(f.box, gf.box) >= 0.99 && Math.abs(f.score - gf.score) <= 1e-3 && d <= 1e-3 && lm <= 0.1 &&
      Math.abs(f.age - gf.age) <= 0.1 && f.gender === gf.gender && top(f.expressions) === top(gf.expressions) &&
      f.points68.length === 68 && f.embedding.length === 128 && f.confidence === f.score &&
      Object.keys(f.landmarks).join() === 'left_eye,right_eye,nose,mouth_left,mouth_right';
    if (!ok) { console.error(l.file, 'face', k, 'differs: descriptor', d, 'landmarks', lm); bad++; }
  });
});
process.exit(bad ? 1 : 0);
EOF

# default mode: an EXIF orientation 6 copy (pixels stored sideways) is reported
# in the upright image's pixels, with the upright copy's faces
vips rot "$JPG" "$T/side.jpg[strip,Q=95]" d270 || fail "vips rot"
fx_exif_jpeg "$T/side.jpg" "$T/exif6.jpg"
"$BIN" detect "$JPG" "$T/exif6.jpg" > default.jsonl 2> default.err || { cat default.err; fail "detect (default) failed"; }
node - default.jsonl << 'EOF' || fail "the EXIF-rotated copy is not reported upright"
const fs = require('fs');
const [up, ex] = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const iou = (a, b) => {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w <= 0 || h <= 0 ? 0 : w * h / (a[2] * a[3] + b[2] * b[3] - w * h);
};
let bad = 0;
if (ex.width !== up.width || ex.height !== up.height) { console.error('size', ex.width, ex.height); bad++; }
if (up.faces.length < 5) { console.error('upright: only', up.faces.length, 'faces'); bad++; }
let matched = 0;
for (const f of up.faces)
  if (ex.faces.some((g) => iou(f.box, g.box) > 0.8 && Math.hypot(f.landmarks.nose[0] - g.landmarks.nose[0],
                                                                   f.landmarks.nose[1] - g.landmarks.nose[1]) < 3))
    matched++;
if (matched < up.faces.length - 1) { console.error('matched', matched, 'of', up.faces.length); bad++; }
console.log(`exif 6 copy: ${ex.faces.length} faces, ${matched} of the upright ${up.faces.length} at the same place`);
process.exit(bad ? 1 : 0);
EOF

# bad inputs: each named on stderr, the good image still printed, exit 1
printf 'not a photo\n' > "$T/text.jpg"
head -c 3000 "$JPG" > "$T/cut.jpg"
for mode in "--compat faceapi" ""; do
  # shellcheck disable=SC2086
  "$BIN" detect $mode "$T/text.jpg" "$JPG" "$T/missing.png" "$T/cut.jpg" > mixed.jsonl 2> mixed.err
  rc=$?
  [ $rc -eq 1 ] || fail "bad inputs ($mode): exit $rc, want 1"
  [ "$(wc -l < mixed.jsonl)" -eq 1 ] && grep -q '2007_007763.jpg' mixed.jsonl || fail "the good image was not printed ($mode)"
  for f in text.jpg missing.png cut.jpg; do
    grep -q "$f" mixed.err || { cat mixed.err; fail "no error line naming $f ($mode)"; }
  done
  [ "$(wc -l < mixed.err)" -eq 3 ] || { cat mixed.err; fail "want one error line per bad file ($mode)"; }
done

# two workers (-j 2, a runner each): the same lines in argument order, the bad
# file's error in its place, as one worker gives
"$BIN" -j 1 detect "$JPG" "$PNG" "$T/text.jpg" "$JPG" > one.jsonl 2> one.err
rc1=$?
"$BIN" -j 2 detect "$JPG" "$PNG" "$T/text.jpg" "$JPG" > two.jsonl 2> two.err
rc2=$?
[ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] || fail "-j 1 / -j 2 with a bad file: exit $rc1 / $rc2, want 1"
[ "$(wc -l < two.jsonl)" -eq 3 ] || fail "-j 2: want 3 JSON lines, got $(wc -l < two.jsonl)"
cmp -s one.jsonl two.jsonl || fail "-j 2 printed other lines or another order than -j 1"
grep -q text.jpg two.err || fail "-j 2: no error line naming text.jpg"

# usage errors
"$BIN" detect --detector yolo "$JPG" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--detector yolo: want exit 2"
"$BIN" detect --min-score 1.5 "$JPG" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--min-score 1.5: want exit 2"
"$BIN" detect > /dev/null 2>&1; [ $? -eq 2 ] || fail "no IMG: want exit 2"
[ ! -e "$T/facetag-data" ] || fail "detect created a data folder"
echo "ok: compat matches the goldens, EXIF orientation applied, bad files reported"
