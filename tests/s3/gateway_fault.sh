#!/usr/bin/env bash
# gateway_fault.sh — the S3 gateway dies (kill -9 of radosgw) in the middle of
# an ingest that is uploading originals, one of them a multipart upload; the
# run reports the failed files (exit 1) and never a half-written object; the
# gateway comes back and the same command again finishes: catalog and objects
# exactly those of an uninterrupted run into a folder. Starts a gateway of its
# own (about 20 s), since it stops and restarts it.
set -uo pipefail
BIN=${FACETAG_BIN:?}
SHARED=${FACETAG_SHARED:?}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/lib/ingest_fixtures.bash"
T=$(mktemp -d)
RGW=$T/rgw
trap '"$SRC/scripts/rgw-stop.sh" "$RGW"; rm -rf "$T"' EXIT
RGW_QUIET=1 "$SRC/scripts/rgw-start.sh" "$RGW" || fail "cannot start a gateway (see $RGW/log)"
. "$RGW/env"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_SESSION_TOKEN AWS_PROFILE FACETAG_STORE

IN=$T/in
mkdir -p "$IN"
i=0
while IFS= read -r f; do
  [ $i -ge 10 ] && break
  cp "$f" "$IN/p$i.${f##*.}"; i=$((i + 1))
done < <(find "$SHARED/data/group-photos" -type f -name '*.jpg' | LC_ALL=C sort)
vips resize "$SHARED/data/group-photos/modern-groups/faceapi_bbt1.jpg" "$IN/0-big.tif" 2 || fail "vips"  # ~12 MB: 2 parts

# --sheets off in every run: none of these photos is a contact sheet, and for
# such a photo the sheet finder writes nothing, so every object write (and the
# 20th, where the run stops) is the default's; the finder was most of the CPU
ING=(ingest --sheets off -j 2 --no-progress)
ingest() { "$BIN" --data "$1" "${ING[@]}" "$IN" > "$1.out" 2> "$1.err"; }
ingest "$T/ref" || { cat "$T/ref.err"; fail "reference run into a folder"; }
fx_dump "$T/ref" > "$T/ref.dump"

URL="s3://fault-$$?endpoint=$RGW_ENDPOINT&retries=2&timeout=5"
"$BIN" --store "$URL" store init > /dev/null || fail "store init"
D=$T/s3
# the run stops itself at its 20th object write or chunk of an original
# (FACETAG_TEST_STOP_AT, core/testhook.h): part-way, by its own progress and
# not by a clock. A whole run makes 68 such calls, no file more than 20, and
# at most 2 files are in hand at once, so files are still to be stored: the
# big TIFF's multipart upload, or the next ones. The gateway dies while the
# run stands still; then it goes on.
FACETAG_TEST_STOP_AT=20 "$BIN" --data "$D" --store "$URL" "${ING[@]}" "$IN" > "$D.out" 2> "$D.err" &
pid=$!
state() { sed 's/.*) //' "/proc/$pid/stat" 2> /dev/null | cut -d' ' -f1; } # R, S, T (stopped), Z, "" (gone)
while :; do
  case "$(state)" in T | Z | "") break ;; esac
  sleep 0.05
done
if [ "$(state)" != T ]; then
  wait $pid
  rc=$?
  cat "$D.err"
  fail "the run ended (exit $rc) without reaching its 20th object write"
fi
echo "stopped at its 20th object write with $(sqlite3 "$D/catalog.sqlite" 'SELECT count(*) FROM photos' 2> /dev/null || echo 0) photos in the catalog"
"$SRC/scripts/rgw-stop.sh" --gateway "$RGW"
kill -CONT $pid
wait $pid
rc=$?
[ $rc -eq 1 ] || { cat "$D.err"; fail "the run during the outage: exit $rc, want 1 (some files failed)"; }
grep -q "cannot store" "$D.err" || { cat "$D.err"; fail "no failure names the object store"; }
echo "during the outage: $(grep -c . "$D.err") files failed, e.g.: $(head -1 "$D.err")"

RGW_QUIET=1 "$SRC/scripts/rgw-start.sh" --gateway "$RGW" || fail "gateway restart"
# nothing half-written is visible: every original hashes to its name, every
# processed image is a whole JPEG
O=$(objects "$D")
for f in "$O"/incoming/*; do
  [ -e "$f" ] || continue
  b=$(basename "$f")
  [ "$(sha256sum "$f" | cut -c1-16)" = "${b%%.*}" ] || fail "half-written original $b after the outage"
done
for f in "$O"/processed/*; do
  [ -e "$f" ] || continue
  [ "$(od -An -tx1 -j $(($(stat -c %s "$f") - 2)) "$f" | tr -d ' ')" = ffd9 ] || fail "half-written $(basename "$f")"
done

# the same command again finishes the work: the result of an uninterrupted run
"$BIN" --data "$D" "${ING[@]}" "$IN" > "$D.out" 2> "$D.err" || { cat "$D.err"; fail "the re-run"; }
fx_dump "$D" > "$T/s3.dump"
diff "$T/ref.dump" "$T/s3.dump" > "$T/diff" || { head -20 "$T/diff"; fail "after the outage and a re-run the data differ from the uninterrupted run"; }
echo "gateway_fault: ok"
