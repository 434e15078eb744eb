#!/usr/bin/env bash
# demo-people.sh BIN DATA — the part of `make demo` that shows facetag naming
# people who recur in an archive, from the archive's own words (issue 11).
#
# The photos: real photos of real people who recur, from faces-dev
# ($FACETAG_SHARED/data/faces-dev, default ../shared beside the clone; see
# docs/demo-archive.md for what they are and their terms: project-internal use
# only, so they are read from there and never committed). Chosen by a rule, not
# by name: of the identities with at least 18 photos, every third in name order
# (11 people, about 216 photos).
#
# The archive: ../shared/data/archive/make_archive.py lays them out as a real
# archive would be (year/session folders, boxes with album.txt, an unsorted
# folder, German and English captions that name the people shown, sometimes
# someone who is not in the photo, and the photographer), with a truth file
# beside it. facetag sees only the photos and their sidecars.
#
# Then: ingest, analyze, cluster, annotate into DATA (the demo's catalog), a
# line per person (who, named in how many captions, when, at how many events,
# where), and score_archive.py's score of the export against the truth.
# Idempotent: the archive is made once (same seed, same archive); a second run
# finds everything unchanged. Exit 0 with a note when faces-dev is not there.
set -euo pipefail
BIN=${1:?usage: scripts/demo-people.sh path/to/facetag DATA}
DATA=${2:?usage: scripts/demo-people.sh path/to/facetag DATA}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${FACETAG_SHARED:-$ROOT/../shared}
SET=$SHARED/data/faces-dev
GEN=$SHARED/data/archive
PA=$DATA/archive-people
SEED=${FACETAG_DEMO_SEED:-1977}

if [ ! -d "$SET" ] || [ ! -f "$GEN/make_archive.py" ] || [ ! -f "$GEN/score_archive.py" ]; then
  echo "== people who recur: skipped ($SET and $GEN/make_archive.py are needed: the shared data beside the clone)"
  exit 0
fi
command -v python3 >/dev/null || { echo "demo: python3 is needed for the people archive" >&2; exit 1; }

if [ ! -f "$PA.truth.json" ]; then
  rm -rf "$PA" "$PA.ids"
  mkdir -p "$PA.ids"
  i=0
  for d in "$SET"/*/; do
    n=$(find "$d" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l)
    [ "$n" -ge 18 ] || continue
    [ $((i % 3)) -eq 0 ] && ln -s "$d" "$PA.ids/$(basename "$d")"
    i=$((i + 1))
  done
  # copies, not hard links: nothing the demo does may touch the shared set
  python3 "$GEN/make_archive.py" "$PA.ids" "$PA.tmp" --seed "$SEED" --copy --truth "$PA.tmp.truth.json" >/dev/null
  rm -rf "$PA.ids"
  mv "$PA.tmp" "$PA"
  mv "$PA.tmp.truth.json" "$PA.truth.json"   # last: its presence says the archive is whole
fi

echo "== people who recur: $(find "$PA" -type f \( -name '*.jpg' -o -name '*.png' \) | wc -l) photos of real people laid out as a captioned archive in $PA"
echo "   (folders by year and session, boxes with album.txt, captions in German and English; docs/demo-archive.md)"
"$BIN" --data "$DATA" ingest "$PA"
"$BIN" --data "$DATA" analyze
"$BIN" --data "$DATA" cluster
# With FACETAG_DEMO_LLM_URL and FACETAG_DEMO_LLM_MODEL set (any OpenAI-compatible
# server: llama-server, Ollama, vLLM ...), annotate asks that model too.
llm=()
how="rules, no LLM"
if [ -n "${FACETAG_DEMO_LLM_URL:-}" ]; then
  llm=(--full --llm "$FACETAG_DEMO_LLM_URL" --llm-model "${FACETAG_DEMO_LLM_MODEL:?FACETAG_DEMO_LLM_MODEL must name the model}")
  how="rules + $FACETAG_DEMO_LLM_MODEL at $FACETAG_DEMO_LLM_URL"
fi
"$BIN" --data "$DATA" annotate "${llm[@]}"
echo
"$BIN" --data "$DATA" export json --out "$DATA/export.json" >/dev/null

echo "== who they are, from the archive's own words ($how)"
jq -r --arg root "$PA/" -f "$ROOT/scripts/demo-people.jq" "$DATA/export.json"
echo
echo "== the events it found (a folder, an album, a session; date and place from the folders, albums and captions)"
jq -r --arg root "$PA/" -f "$ROOT/scripts/demo-events.jq" "$DATA/export.json"
echo
echo "== how right that is: score_archive.py against the archive's truth file (never shown to facetag)"
python3 "$GEN/score_archive.py" "$DATA/export.json" "$PA" --truth "$PA.truth.json" |
  grep -E '^(photos|naming_accuracy |named_wrong_share|date_month_accuracy|invented_dates|place_accuracy|event_bcubed)'
