# demo-people.jq — one line per person of the archive under $root, from
# `facetag export json` (scripts/demo-people.sh):
#   Person 7 (20 photos): probably Tony Blair (0.56) — named in 6 of its 9 captioned
#   photos; seen 1975–1988 at 5 events in Essen, Paris
# "named in" counts captions holding the name's last word (case-folded).
def in_root: (.paths // []) | any(startswith($root));
def lastword: ascii_downcase | split(" ") | map(select(length > 0)) | last // "";
[.photos[] | select(in_root)] as $photos
| .events as $events
| .persons[]
| . as $p
| [$photos[] | select(any(.faces[]; .person_id == $p.id))] as $mine
| select(($mine | length) > 0)
| ($p.name // "") as $name
| [$mine[] | select(.caption != null)] as $captioned
| [$captioned[] | select($name != "" and (.caption | ascii_downcase | contains($name | lastword)))] as $named
| [$mine[] | .date.value // empty | .[0:4]] as $years
| [$mine[] | .event_id // empty] | unique as $evs
| [$mine[] | .place.name // empty] | unique as $places
| "Person \($p.id) (\($mine | length) photos): "
  + (if $name == "" then "no name in the archive's words"
     elif $p.name_status == "confirmed" then "\($name) (confirmed)"
     else "probably \($name) (\($p.suggestions[0].confidence * 100 | round / 100))"
          + " — named in \($named | length) of its \($captioned | length) captioned photos" end)
  + (if ($years | length) > 0
     then "; seen \($years | min)" + (if ($years | min) != ($years | max) then "–\($years | max)" else "" end)
     else "; undated" end)
  + " at \($evs | length) event\(if ($evs | length) == 1 then "" else "s" end)"
  + (if ($places | length) > 0 then " in \($places | join(", "))" else "" end)
