#!/usr/bin/env bash
# bench-s3.sh BUILD — the object store on S3 against the directory, in one run
# (part of `make bench`): a throw-away Ceph RGW on loopback (scripts/rgw-start.sh),
# then for each store a fresh data folder: ingest + analyze of group-photos,
# ingest + analyze of faces-dev (many small objects), and the review server's /image and
# /face_crop latency (S3 behind the backend's read cache, revalidated by ETag).
# Prints a table and the S3/directory ratio of each row. Timings are wall time
# on whatever else the machine is doing.
set -uo pipefail
BUILD=${1:?usage: scripts/bench-s3.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$BUILD" && pwd)/facetag
SHARED=${FACETAG_SHARED:-$ROOT/../shared}
J=${BENCH_J:-2}
T=$(mktemp -d)
trap '"$ROOT/scripts/rgw-stop.sh" "$T/rgw"; rm -rf "$T"' EXIT
RGW_QUIET=1 "$ROOT/scripts/rgw-start.sh" "$T/rgw" || { echo "bench-s3: no gateway (see $T/rgw/log)" >&2; exit 1; }
. "$T/rgw/env"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset FACETAG_STORE AWS_SESSION_TOKEN AWS_PROFILE

now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
declare -A R

# latency PREFIX URLS_FILE — p50 and p95 in ms of one keep-alive connection
latency() {
  sed 's|.*|url = "&"\noutput = "/dev/null"|' "$2" > "$2.cfg"
  curl --noproxy '*' -s -K "$2.cfg" -w '%{time_total}\n' | sort -n |
    awk -v p="$1" '{v[NR] = $1 * 1000} END {printf "%s_p50=%.2f %s_p95=%.2f\n", p, v[int(NR * 0.5) + 1], p, v[int(NR * 0.95)]}'
}

for store in dir s3; do
  D=$T/$store
  args=()
  if [ "$store" = s3 ]; then
    url="s3://bench-$$?endpoint=$RGW_ENDPOINT"
    "$BIN" --store "$url" store init > /dev/null || exit 1
    args=(--store "$url")
  fi
  t0=$(now); "$BIN" --data "$D" "${args[@]}" ingest -j "$J" --no-progress "$SHARED/data/group-photos" > /dev/null 2>&1; t1=$(now)
  "$BIN" --data "$D" -j "$J" analyze --no-progress > /dev/null 2>&1 || { echo "bench-s3: analyze on $store failed" >&2; exit 1; }
  t2=$(now)
  R[$store,ingest_gp]=$(secs "$t0" "$t1"); R[$store,analyze_gp]=$(secs "$t1" "$t2")
  F=$T/$store-fd
  [ "$store" = s3 ] && { url2="s3://benchfd-$$?endpoint=$RGW_ENDPOINT"; "$BIN" --store "$url2" store init > /dev/null; args=(--store "$url2"); }
  t0=$(now); "$BIN" --data "$F" "${args[@]}" ingest -j "$J" --no-progress "$SHARED/data/faces-dev" > /dev/null 2>&1; t1=$(now)
  "$BIN" --data "$F" -j "$J" analyze --no-progress > /dev/null 2>&1 || { echo "bench-s3: analyze of faces-dev on $store failed" >&2; exit 1; }
  t2=$(now)
  R[$store,ingest_fd]=$(secs "$t0" "$t1"); R[$store,analyze_fd]=$(secs "$t1" "$t2")

  "$BIN" --data "$D" serve --port 0 > "$T/serve.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's|^facetag serve: listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$T/serve.log")
    [ -n "$port" ] && break; sleep 0.1
  done
  base=http://127.0.0.1:$port
  sqlite3 "$D/catalog.sqlite" "SELECT DISTINCT photo_id FROM faces ORDER BY 1" | sed "s|^|$base/image/|" > "$T/img.urls"
  sqlite3 "$D/catalog.sqlite" "SELECT photo_id || '/' || face_no FROM faces ORDER BY 1 LIMIT 200" | sed "s|^|$base/face_crop/|" > "$T/crop.urls"
  for r in 1 2 3; do cat "$T/img.urls"; done > "$T/img3.urls"
  for r in 1 2 3; do cat "$T/crop.urls"; done > "$T/crop3.urls"
  eval "$(latency image "$T/img3.urls") $(latency crop "$T/crop3.urls")"
  R[$store,image_p50]=$image_p50; R[$store,image_p95]=$image_p95
  R[$store,crop_p50]=$crop_p50; R[$store,crop_p95]=$crop_p95
  kill -TERM $pid; wait $pid 2> /dev/null
done

photos=$(sqlite3 "$T/dir/catalog.sqlite" "SELECT count(*) FROM photos")
faces=$(sqlite3 "$T/dir/catalog.sqlite" "SELECT count(*) FROM faces")
fd=$(sqlite3 "$T/dir-fd/catalog.sqlite" "SELECT count(*) FROM photos")
printf '%-44s %10s %10s %8s\n' "object store: directory vs S3 (Ceph RGW, loopback)" directory S3 "S3/dir"
row() { printf '%-44s %10s %10s %8s\n' "$1" "${R[dir,$2]}" "${R[s3,$2]}" "$(awk "BEGIN{printf \"%.2f\", ${R[s3,$2]} / (${R[dir,$2]} > 0 ? ${R[dir,$2]} : 1e-9)}")"; }
row "ingest group-photos ($photos photos), s" ingest_gp
row "analyze group-photos ($faces faces), s" analyze_gp
row "ingest faces-dev ($fd photos), s" ingest_fd
row "analyze faces-dev, s" analyze_fd
row "GET /image p50, ms" image_p50
row "GET /image p95, ms" image_p95
row "GET /face_crop p50, ms" crop_p50
row "GET /face_crop p95, ms" crop_p95
echo "(-j $J; /image and /face_crop: 3 passes over every photo and 200 crops on one keep-alive connection)"
