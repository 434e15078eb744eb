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

ingest() { "$BIN" --data "$1" ingest -j 2 --no-progress "$IN" > "$1.out" 2> "$1.err"; }
ingest "$T/ref" || { cat "$T/ref.err"; fail "reference run into a folder"; }
fx_dump "$T/ref" > "$T/ref.dump"

URL="s3://fault-$$?endpoint=$RGW_ENDPOINT&retries=2&timeout=5"
"$BIN" --store "$URL" store init > /dev/null || fail "store init"
D=$T/s3
# each chunk of an original pauses 300 ms: the run lasts seconds; the gateway
# dies once the first photo is in the catalog (uploads under way, most to come)
FACETAG_TEST_SLOW_MS=300 "$BIN" --data "$D" --store "$URL" ingest -j 2 --no-progress "$IN" > "$D.out" 2> "$D.err" &
pid=$!
for _ in $(seq 1 1200); do
  kill -0 $pid 2> /dev/null || break
  [ -f "$D/catalog.sqlite" ] && [ "$(sqlite3 "$D/catalog.sqlite" 'SELECT count(*) FROM photos' 2> /dev/null || echo 0)" -ge 1 ] && break
  sleep 0.1
done
kill -0 $pid 2> /dev/null || { cat "$D.err"; fail "the run ended before the gateway could be stopped"; }
"$SRC/scripts/rgw-stop.sh" --gateway "$RGW"
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
"$BIN" --data "$D" ingest -j 2 --no-progress "$IN" > "$D.out" 2> "$D.err" || { cat "$D.err"; fail "the re-run"; }
fx_dump "$D" > "$T/s3.dump"
diff "$T/ref.dump" "$T/s3.dump" > "$T/diff" || { head -20 "$T/diff"; fail "after the outage and a re-run the data differ from the uninterrupted run"; }
echo "gateway_fault: ok"
