# demo-events.jq — the events of the archive under $root, from `facetag export
# json` (scripts/demo-people.sh), in time order, each with its date, place,
# photo count and who is in it:
#   1994-11  Matinee Walzer, Essen — Essen — 8 photos: Pete Sampras, Hans Blix
def in_root: (.paths // []) | any(startswith($root));
[.photos[] | select(in_root)] as $photos
| .persons as $persons
| [.events[]
   | . as $e
   | [$photos[] | select(.event_id == $e.id)] as $mine
   | select(($mine | length) > 0)
   | {date: ($e.date.value // "undated"), name: $e.name, place: ($e.place.name // "-"), n: ($mine | length),
      who: ([$mine[] | .faces[] | .name // empty] | group_by(.) | sort_by(-length) | map(.[0]))}]
| sort_by(.date)[]
| "\(.date | . + " " * (9 - length)) \(.name) — \(.place) — \(.n) photos: \(.who | join(", "))"
