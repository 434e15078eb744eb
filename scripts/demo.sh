#!/usr/bin/env bash
# demo.sh BIN — what `make demo` shows: the sample photos of the face-api
# package ingested into demo-data/ and analysed, then `facetag status`. Idempotent: a second
# run finds the photos "unchanged". Later stages add their steps here; the
# last one serves the review UI on http://127.0.0.1:8001 until Ctrl-C.
set -euo pipefail
BIN=${1:?usage: scripts/demo.sh path/to/facetag}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$ROOT/models/face-api/demo
DATA=${FACETAG_DEMO_DATA:-$ROOT/demo-data}
shopt -s nullglob
photos=("$DEMO"/*.jpg)
[ ${#photos[@]} -gt 0 ] || { echo "demo: no sample photos in $DEMO; run 'make models' first" >&2; exit 2; }

echo "== facetag ingest: ${#photos[@]} sample photos from $DEMO into $DATA"
"$BIN" --data "$DATA" ingest "${photos[@]}"
echo
echo "== facetag analyze: faces, landmarks, descriptors, age/gender, expressions"
"$BIN" --data "$DATA" analyze
echo
echo "== facetag cluster: faces into persons (HDBSCAN; people's decisions always hold)"
"$BIN" --data "$DATA" cluster
echo
echo "== facetag people"
"$BIN" --data "$DATA" people
echo
echo "== facetag status"
"$BIN" --data "$DATA" status

# Last step, in the foreground until Ctrl-C: the review UI on the demo data.
# FACETAG_DEMO_SERVE=0 stops before it (scripted runs); FACETAG_DEMO_PORT picks the port.
if [ "${FACETAG_DEMO_SERVE:-1}" != 0 ]; then
  PORT=${FACETAG_DEMO_PORT:-8001}
  echo
  echo "== facetag serve: open http://127.0.0.1:$PORT/ in a browser (Ctrl-C stops)"
  exec "$BIN" --data "$DATA" serve --port "$PORT"
fi
