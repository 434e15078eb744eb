#!/usr/bin/env bash
# analyze_kill.sh — `facetag analyze`: kill -9 at many moments of a run, then
# run it again: the face rows, the analysis runs and every object in faces/ and
# annotations/ must be exactly those of an uninterrupted run (no face row twice,
# every photo done). A corrupted processed image fails with a reason naming it
# while the batch goes on (exit 1), and is retried by the next run. The
# annotation JSON has the faces the catalog has.
# Most kills come from the run itself: FACETAG_TEST_KILL_AT=K (core/testhook.h)
# makes it SIGKILL itself right after its Kth object write, between a photo's
# objects and its catalog transaction, so every such kill lands mid-run however
# fast or loaded the machine is; one kill comes from outside at a moment timed
# from the uninterrupted run, wherever that falls.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"
command -v node > /dev/null || fail "node not found (scripts/setup-deps.sh installs it)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IN=$T/in
mkdir -p "$IN"
n=3   # group photos (plus a sideways scan and a tight crop): every kill lands mid-run whatever their number
i=0
while IFS= read -r f; do
  [ $i -ge $n ] && break
  cp "$f" "$IN/p$i.${f##*.}"; i=$((i + 1))
done < <(find "$SHARED/data/group-photos/dlib-faces" -type f -name '*.jpg' | LC_ALL=C sort)
cp "$SHARED/data/faces-dev/ORL_s01/orl_01.png" "$IN/tight.png"   # a face that fills the frame
vips rot "$IN/p0.jpg" "$IN/sideways.jpg[strip]" d90 || fail "vips rot"   # a scan on its side

# (no contact sheet among them: --sheets off spares the sheet finder's look at
# each photo in every data folder; what is ingested is the same)
ingest() { "$BIN" --data "$1" ingest --sheets off --no-progress "$IN" > /dev/null 2>&1 || fail "ingest into $1"; }
analyze() { "$BIN" --data "$1" analyze -j 2 --no-progress > "$1.out" 2> "$1.err"; }
dump() {
  sqlite3 "$1/catalog.sqlite" "SELECT 'face', photo_id, face_no, model_version, round(box_x, 3), round(box_y, 3),
                                      round(box_w, 3), round(box_h, 3), round(score, 6), hex(embedding), source,
                                      ifnull(person_id, '')
                               FROM faces ORDER BY photo_id, model_version, face_no;
                               SELECT 'run', photo_id, model_version, status, faces, ifnull(error, '')
                               FROM analysis_runs ORDER BY photo_id, model_version;
                               SELECT 'photo', photo_id, status FROM photos ORDER BY photo_id;"
  (cd "$(objects "$1")" && find faces annotations -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# the uninterrupted run
ingest "$T/ref"
t0=$(date +%s%N)
analyze "$T/ref" || { cat "$T/ref.err"; fail "reference run failed"; }
ref_s=$(awk "BEGIN{print ($(date +%s%N) - $t0) / 1e9}")   # the kill from outside lands at half of it
dump "$T/ref" > "$T/ref.dump"
photos=$(sqlite3 "$T/ref/catalog.sqlite" 'SELECT count(*) FROM photos')
done_=$(sqlite3 "$T/ref/catalog.sqlite" "SELECT count(*) FROM analysis_runs WHERE status = 'done'")
faces=$(sqlite3 "$T/ref/catalog.sqlite" 'SELECT count(*) FROM faces')
[ "$done_" -eq "$photos" ] && [ "$photos" -eq $((n + 2)) ] || fail "reference: $done_ of $photos photos done"
[ "$faces" -ge $((n + 2)) ] || fail "reference: only $faces faces in $photos photos"
grep -q "analyze: $photos photos analysed, $faces faces, 0 already done, 0 failed" "$T/ref.out" ||
  { cat "$T/ref.out"; fail "summary line"; }

# what was found: the sideways scan comes back upright with p0's faces, the
# tight crop has its face, the annotation JSON matches the catalog
node - "$T/ref" "$(objects "$T/ref")" << 'EOF' || fail "annotations do not match the catalog"
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const d = process.argv[2], objs = process.argv[3];
const rows = execFileSync('sqlite3', ['-json', path.join(d, 'catalog.sqlite'),
  "SELECT f.photo_id, f.face_no, f.box_x, f.box_w, f.score, s.path FROM faces f JOIN photo_sources s USING (photo_id) ORDER BY 1, 2"]).toString();
const faces = rows.trim() ? JSON.parse(rows) : [];
const byPhoto = {};
for (const f of faces) (byPhoto[f.photo_id] ||= []).push(f);
let bad = 0;
const ann = {};
for (const file of fs.readdirSync(path.join(objs, 'annotations'))) {
  const a = JSON.parse(fs.readFileSync(path.join(objs, 'annotations', file)));
  ann[path.basename(a.file)] = a;
  const want = byPhoto[a.photo_id] || [];
  if (a.faces.length !== want.length) { console.error(a.photo_id, a.faces.length, 'faces, catalog', want.length); bad++; }
  for (const k of ['photo_id', 'file', 'width', 'height', 'model', 'rotation', 'faces'])
    if (!(k in a)) { console.error(a.photo_id, 'no', k); bad++; }
  a.faces.forEach((f, i) => {
    const c = want[i];
    if (!c || f.face_no !== i || Math.abs(f.box[0] - c.box_x) > 1e-3 || Math.abs(f.score - c.score) > 1e-6) {
      console.error(a.photo_id, 'face', i, 'differs from the catalog'); bad++;
    }
    for (const k of ['box', 'score', 'landmarks', 'points68', 'embedding', 'confidence', 'age', 'gender',
                     'gender_probability', 'expression', 'expressions', 'crop'])
      if (!(k in f)) { console.error(a.photo_id, 'face', i, 'no', k); bad++; }
    if (!fs.existsSync(path.join(objs, 'faces', f.crop))) { console.error('no crop', f.crop); bad++; }
  });
}
const up = ann['p0.jpg'], side = ann['sideways.jpg'], tight = ann['tight.png'];
if (!up || !side || !tight) { console.error('annotations missing'); process.exit(1); }
if (side.rotation !== 270) { console.error('sideways scan: rotation', side.rotation, 'want 270'); bad++; }
if (side.width !== up.height || side.faces.length !== up.faces.length) { console.error('sideways scan: faces', side.faces.length, 'upright', up.faces.length); bad++; }
if (tight.faces.length !== 1) { console.error('tight crop:', tight.faces.length, 'faces'); bad++; }
process.exit(bad ? 1 : 0);
EOF

kill_then_rerun() { # NAME HOW...: each HOW is at:K (the run kills itself at its Kth object write) or after:SECONDS
  local name=$1 d=$T/k-$1 pid how rc
  shift
  ingest "$d"
  for how in "$@"; do
    if [ "${how%%:*}" = at ]; then
      FACETAG_TEST_KILL_AT=${how#at:} "$BIN" --data "$d" analyze -j 2 --no-progress > /dev/null 2>&1
      rc=$?
      [ $rc -eq 137 ] || fail "$name: the run told to kill itself at object write ${how#at:} ended with exit $rc"
    else
      "$BIN" --data "$d" analyze -j 2 --no-progress > /dev/null 2>&1 &
      pid=$!
      sleep "${how#after:}"
      kill -9 $pid 2>/dev/null
      wait $pid 2>/dev/null
    fi
  done
  analyze "$d" || { cat "$d.err"; fail "$name: the re-run failed"; }
  dump "$d" > "$T/$name.dump"
  diff "$T/ref.dump" "$T/$name.dump" > "$T/$name.diff" || { head -20 "$T/$name.diff"; fail "$name: differs from the uninterrupted run"; }
  [ ! -d "$d/objects" ] || [ -z "$(find "$d/objects" -type f -name '.*')" ] || fail "$name: temp files left after the re-run"
}
# A photo writes its face crops, then its annotation, then commits: a run makes
# at least one write per photo it has still to do (faces + photos in all), and
# a run killed at its Kth write has committed fewer than K photos. With the
# n + 2 = 5 photos here every K below lands inside its run: the first right
# after one object, nothing committed; one at write number <faces> of
# <faces + photos>; three in a row, each in the run after the one before
# (at most 1 + 2 photos committed before the third, which has 2 or more left).
# Under ASan (FACETAG_SANITIZE=1) only the first and the repeated kills: the
# resume code is the same after every kill, and the optimised build runs all
# four here and again on S3 (s3/on_s3_analyze_kill).
kill_then_rerun first at:1
[ "${FACETAG_SANITIZE:-0}" = 1 ] || kill_then_rerun middle at:$faces
kill_then_rerun repeated at:2 at:3 at:2
# From outside, at half the uninterrupted run's time: anywhere, also inside a
# catalog transaction or a model load.
[ "${FACETAG_SANITIZE:-0}" = 1 ] || kill_then_rerun outside after:"$(awk "BEGIN{print 0.5 * $ref_s}")"

# a re-run of a finished data folder changes nothing
analyze "$T/ref" || fail "re-run of a finished folder"
grep -q "analyze: 0 photos analysed, 0 faces, $photos already done, 0 failed" "$T/ref.out" || { cat "$T/ref.out"; fail "re-run summary"; }
dump "$T/ref" | diff "$T/ref.dump" - > /dev/null || fail "a re-run of a finished analyze changed the data"

# a corrupted processed image: a reason naming it, the others analysed, exit 1
d=$T/bad
ingest "$d"
victim=$(sqlite3 "$d/catalog.sqlite" 'SELECT photo_id FROM photos ORDER BY photo_id LIMIT 1 OFFSET 2')
f=$(objects "$d")/processed/$victim.jpg
head -c $(($(stat -c %s "$f") / 3)) "$f" > "$T/cut.jpg" && objects_put "$d" "processed/$victim.jpg" "$T/cut.jpg"
analyze "$d"
rc=$?
[ $rc -eq 1 ] || { cat "$d.err"; fail "corrupted image: exit $rc, want 1"; }
grep -q "photo $victim: processed/$victim.jpg: " "$d.err" || { cat "$d.err"; fail "no reason line naming processed/$victim.jpg"; }
[ "$(wc -l < "$d.err")" -eq 1 ] || { cat "$d.err"; fail "want exactly one reason line"; }
grep -q "analyze: $((photos - 1)) photos analysed, .* 0 already done, 1 failed" "$d.out" || { cat "$d.out"; fail "summary with the failure"; }
[ "$(sqlite3 "$d/catalog.sqlite" "SELECT status FROM analysis_runs WHERE photo_id = '$victim'")" = failed ] || fail "no failed run row"
[ -n "$(sqlite3 "$d/catalog.sqlite" "SELECT error FROM analysis_runs WHERE photo_id = '$victim'")" ] || fail "failed run without a reason"
[ "$(sqlite3 "$d/catalog.sqlite" "SELECT count(*) FROM faces WHERE photo_id = '$victim'")" -eq 0 ] || fail "faces for a failed photo"
analyze "$d"
[ $? -eq 1 ] && grep -q "analyze: 0 photos analysed, 0 faces, $((photos - 1)) already done, 1 failed" "$d.out" ||
  { cat "$d.out"; fail "the failed photo is retried, the done ones are not"; }

# usage and a folder without data
"$BIN" --data "$T/none" analyze > /dev/null 2>&1; [ $? -eq 2 ] || fail "no data folder: want exit 2"
[ ! -e "$T/none" ] || fail "analyze created a data folder"
"$BIN" --data "$T/ref" analyze extra > /dev/null 2>&1; [ $? -eq 2 ] || fail "an argument: want exit 2"
if [ "${FACETAG_SANITIZE:-0}" = 1 ]; then kills="4 kills, all"; else kills="6 kills, 5 of them"; fi
echo "ok: $kills mid-run by the run itself; every re-run matched the uninterrupted run; a corrupted photo failed alone"
