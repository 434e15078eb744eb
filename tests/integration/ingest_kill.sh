#!/usr/bin/env bash
# ingest_kill.sh — kill -9 at many moments of an ingest run, then run the same
# command again: the catalog (without timestamps) and the object store (every
# file and its SHA-256) must be exactly those of an uninterrupted run. Right
# after each kill, no visible object may be half-written: every original in
# incoming/ hashes to its name, every processed JPEG is complete.
# Most kills come from the run itself: FACETAG_TEST_KILL_AT=K (core/testhook.h)
# makes it SIGKILL itself right after its Kth object write (or chunk of an
# original copied), before the catalog transaction, so every such kill lands
# mid-run however fast or loaded the machine is; one kill comes from outside at
# a moment timed from the uninterrupted run, wherever that falls.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IN=$T/in
mkdir -p "$IN/a" "$IN/b"
GP=$SHARED/data/group-photos
n=10
[ "${FACETAG_SANITIZE:-0}" = 1 ] && n=6   # ASan is slower; every kill still lands mid-run
[ -n "${FACETAG_TEST_STORE:-}" ] && n=8    # on S3 (the s3/on_s3_* tests) every object goes through the gateway
i=0
while IFS= read -r f; do
  [ $i -ge $n ] && break
  cp "$f" "$IN/$([ $((i % 2)) = 0 ] && echo a || echo b)/p$i.${f##*.}"; i=$((i + 1))
done < <(find "$GP" -type f \( -name '*.jpg' -o -name '*.png' \) | LC_ALL=C sort)
cp "$IN/a/p0.jpg" "$IN/b/dup-of-p0.jpg"                 # a duplicate
SRC=$GP/modern-groups/faceapi_bbt1.jpg
for k in 1 2 3; do fx_crop "$SRC" "$T/pg$k.tif" $((k * 10)) 0 500 300; done
tiffcp "$T/pg1.tif" "$T/pg2.tif" "$T/pg3.tif" "$IN/a/pages.tif" || fail "tiffcp"
# a 12 MB original: copied in 1 MiB chunks, each paused by the slow hook, so
# kills also land in the middle of writing an original
vips resize "$SRC" "$IN/a/0-big.tif" 2 || fail "vips: big TIFF"   # first in the walk
: > "$IN/b/empty.jpg"                                   # failures are part of the result too
printf '%%PDF-1.4\n' > "$IN/b/doc.pdf"
printf 'caption of p2\n' > "$IN/a/p2.txt"

# --sheets off: no photo here is a contact sheet, and for a photo that is none
# the sheet finder only reads its working image (no object write, no catalog
# row), so every write, kill point and result is that of the default; the
# finder was most of this test's CPU (ASan: ~1 CPU-s a group photo). It reads
# ordinary photos in the default ingest of ingest_sheet, analyze's and the
# other ingest tests.
ING=(ingest --sheets off -j 2 --no-progress)
run() { "$BIN" --data "$1" "${ING[@]}" "$IN" > /dev/null 2>&1; }

# the uninterrupted run
t0=$(date +%s%N)
run "$T/ref"
rc=$?
ref_s=$(awk "BEGIN{print ($(date +%s%N) - $t0) / 1e9}")   # the kills land at fractions of it
[ $rc -eq 1 ] || fail "reference run: want exit 1 (two bad files)"
fx_dump "$T/ref" > "$T/ref.dump"
photos=$(sqlite3 "$T/ref/catalog.sqlite" 'SELECT count(*) FROM photos')
[ "$photos" -eq $((n + 4)) ] || fail "reference run: $photos photos, want $((n + 4))"

# every visible object is whole
check_objects() {
  local d f base
  d=$(objects "$1")
  for f in "$d"/incoming/*; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    [ "$(sha256sum "$f" | cut -c1-16)" = "${base%%.*}" ] || fail "$2: half-written original $base after the kill"
  done
  for f in "$d"/processed/*; do
    [ -e "$f" ] || continue
    [ "$(od -An -tx1 -j $(($(stat -c %s "$f") - 2)) "$f" | tr -d ' ')" = ffd9 ] ||
      fail "$2: half-written processed image $(basename "$f") after the kill"
  done
}

kill_then_rerun() { # NAME HOW...: each HOW is at:K (the run kills itself at its Kth object write) or after:SECONDS
  local name=$1 d=$T/k-$1 pid how rc
  shift
  for how in "$@"; do
    if [ "${how%%:*}" = at ]; then
      FACETAG_TEST_KILL_AT=${how#at:} "$BIN" --data "$d" "${ING[@]}" "$IN" > /dev/null 2>&1
      rc=$?
      [ $rc -eq 137 ] || fail "$name: the run told to kill itself at object write ${how#at:} ended with exit $rc"
    else
      "$BIN" --data "$d" "${ING[@]}" "$IN" > /dev/null 2>&1 &
      pid=$!
      sleep "${how#after:}"
      kill -9 $pid 2>/dev/null
      wait $pid 2>/dev/null
    fi
    [ -e "$d/catalog.sqlite" ] || continue
    check_objects "$d" "$name after the kill ($how)"
  done
  run "$d"
  [ $? -eq 1 ] || fail "$name: the re-run should exit 1 like the reference"
  fx_dump "$d" > "$T/$name.dump"
  diff "$T/ref.dump" "$T/$name.dump" > "$T/$name.diff" || { head -40 "$T/$name.diff"; fail "$name: differs from the uninterrupted run"; }
  [ ! -d "$d/objects" ] || [ -z "$(find "$d/objects" -type f -name '.*')" ] || fail "$name: temp files left after the re-run"
}

# Each 1 MiB chunk of the 12 MB original counts as a write, so a run that has
# not stored it yet makes at least 12 writes, and a fresh run at least 12 + n
# (one or more per other photo): every K below lands inside its run, also in
# the four runs in a row, none of which gets as far as storing that original.
# The first kill comes right after one chunk (of the big original or of a
# photo the other worker took), the second once some photos are in.
kill_then_rerun first at:1
kill_then_rerun middle at:$((n + 4))
kill_then_rerun repeated at:3 at:7 at:2 at:5
# From outside, at half the uninterrupted run's time: anywhere, also inside a
# catalog transaction (or after the end on a much faster re-run: then it
# proves only that a finished folder is left alone, and the others stand).
kill_then_rerun outside after:"$(awk "BEGIN{print 0.5 * $ref_s}")"
# re-running a finished data folder changes nothing
run "$T/ref"
fx_dump "$T/ref" | diff "$T/ref.dump" - > /dev/null || fail "a re-run of a finished ingest changed the data"

echo "ok: 7 kills, 6 of them mid-run by the run itself; every re-run matched the uninterrupted run"
