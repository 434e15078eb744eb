#!/usr/bin/env bash
# demo.sh BIN — what `make demo` shows: the sample photos of the face-api
# package, a contact sheet and a short video made of them ingested into demo-data/ and analysed, then `facetag status`. Idempotent: a second
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

# The sample photos laid out as a small captioned archive (tests/data/demo-archive:
# folders, album.txt, captions; see its README.md).
LAYOUT=$ROOT/tests/data/demo-archive
ARCHIVE=$DATA/archive
mkdir -p "$ARCHIVE"
(cd "$LAYOUT" && find . -name '*.txt' ! -name layout.txt -print0) |
  while IFS= read -r -d '' f; do mkdir -p "$ARCHIVE/$(dirname "$f")"; cp -p "$LAYOUT/$f" "$ARCHIVE/$f"; done
while read -r name folder; do
  case "$name" in ''|'#'*) continue ;; esac
  mkdir -p "$ARCHIVE/$folder"
  [ -f "$ARCHIVE/$folder/$name" ] || cp -p "$DEMO/$name" "$ARCHIVE/$folder/$name"
done <"$LAYOUT/layout.txt"

# A contact sheet in the archive too: the sample photos as a strip of 35 mm
# film printed on paper, slightly turned (bench_sheet --make, tests/unit/sheetgen.c);
# ingest cuts it into its frames, each a photo of its own.
MAKE_SHEET=$(dirname "$BIN")/bench_sheet
[ -x "$MAKE_SHEET" ] || { echo "demo: $MAKE_SHEET is missing (the build makes it: make build)" >&2; exit 1; }
mkdir -p "$ARCHIVE/contact_sheets"
[ -s "$ARCHIVE/contact_sheets/contact_sheet.jpg" ] ||
  "$MAKE_SHEET" --make "$ARCHIVE/contact_sheets/contact_sheet.jpg" --strips 1 --per-strip 6 --angle 1.5 \
    --px-per-mm 14 --sepia --margin --seed 7 "${photos[@]}" >/dev/null ||
  { echo "demo: the contact sheet could not be made" >&2; exit 1; }

# A short video too: four of the sample photos filmed one after another (cuts
# and a cross-fade, with noise and H.264 compression; ffmpeg's CLI,
# tests/integration/lib/video_fixtures.bash); ingest keeps one frame per scene,
# each a photo with its time in the video ("rehearsal.mp4 @ 00:02" in the viewer).
if command -v ffmpeg >/dev/null; then
  . "$ROOT/tests/integration/lib/video_fixtures.bash"
  mkdir -p "$ARCHIVE/video"
  [ -s "$ARCHIVE/video/rehearsal.mp4" ] ||
    vx_scenes "$ARCHIVE/video/rehearsal.mp4" 960 540 "$DEMO/sample1.jpg" "$DEMO/sample2.jpg" "$DEMO/sample3.jpg" \
      "$DEMO/sample4.jpg"
fi

echo "== facetag ingest: ${#photos[@]} sample photos, laid out as a captioned archive in $ARCHIVE, a contact sheet and a short video of them"
"$BIN" --data "$DATA" ingest "$ARCHIVE"
echo
echo "== facetag analyze: faces, landmarks, descriptors, age/gender, expressions"
"$BIN" --data "$DATA" analyze
echo
echo "== facetag cluster: faces into persons (average linkage on cosine distance; people's decisions always hold)"
"$BIN" --data "$DATA" cluster
echo
echo "== facetag annotate: dates, places, events and names from folders, album and captions"
"$BIN" --data "$DATA" annotate
echo
echo "== facetag people"
"$BIN" --data "$DATA" people
echo
echo "== what the archive says, per photo (facetag export json)"
"$BIN" --data "$DATA" export json | jq -r --arg root "$ARCHIVE/" '
  .events as $ev | .photos[] | select((.paths // []) | all(startswith($root))) |
  "\(if (.paths | length) > 0 then (.paths[-1] | ltrimstr($root))
     else (.frame_of | "\(.paths[-1] | ltrimstr($root)), frame \(.frame)\(if .time_ms then " @ \(.time_ms / 1000 | floor) s" else "" end)") end)\n    date: \(if .date then "\(.date.value) (\(.date.precision), from \(.date.source)\(if .date.inferred then ", inferred" else "" end))" else "none (no evidence)" end)" +
  "   place: \(.place.name // "-")   event: \(.event_id as $id | ($ev[] | select(.id == $id) | .name) // "-")\n    names, left to right: \([.faces | sort_by(.box[0])[] | .name // "?"] | join(", "))"'

echo
# Real people who recur, in an archive made from faces-dev (scripts/demo-people.sh).
"$ROOT/scripts/demo-people.sh" "$BIN" "$DATA"

echo
echo "== facetag status"
"$BIN" --data "$DATA" status
echo
echo "== facetag timeline: the archive in time order (the UI's Timeline and Graph views browse it)"
# Hundreds of lines, one per photo: the demo shows the first dates and events
# and says where the whole of it is.
"$BIN" --data "$DATA" timeline >"$DATA/timeline.txt"
awk '/^    / { photos++; next }
     /^Undated:/ { undated = $0; next }
     { entries++; if (entries <= 12) print }
     END { if (entries > 12) printf "  ... %d more dates and events\n", entries - 12
           if (undated != "") print undated
           printf "  %d dated entries, %d photo lines in all: %s\n", entries, photos, FILENAME }' "$DATA/timeline.txt"
echo "  (the same: facetag --data $DATA timeline; one person's: timeline --person ID)"
echo
echo "== facetag export cypher: the graph for Neo4j (cypher-shell -f $DATA/archive.cypher)"
"$BIN" --data "$DATA" export cypher --out "$DATA/archive.cypher"

# Last step, in the foreground until Ctrl-C: the review UI on the demo data.
# FACETAG_DEMO_SERVE=0 stops before it (scripted runs); FACETAG_DEMO_PORT picks the port.
if [ "${FACETAG_DEMO_SERVE:-1}" != 0 ]; then
  PORT=${FACETAG_DEMO_PORT:-8001}
  echo
  echo "== facetag serve: open http://127.0.0.1:$PORT/ in a browser (Ctrl-C stops)"
  exec "$BIN" --data "$DATA" serve --port "$PORT"
fi
