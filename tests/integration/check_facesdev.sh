#!/usr/bin/env bash
# check_facesdev.sh — the wrong-merge check (`facetag check`, issue 11 part 5)
# on real faces, analysed faces-dev photos clustered; then three wrong merges
# are made by hand (all faces of one person moved into another of a different
# identity, as a mistaken merge in the UI would) and the check must flag at
# least 2 of the 3 merged persons and at most 1 of the persons left pure (the
# fast floor; bench_checks / scripts/check-full.sh measure all of faces-dev).
# Also: the check changes nothing in the catalog, its text and --json agree,
# and `facetag serve` answers GET /api/checks with the same JSON.
#
# The photos: in `make test` a copy of the test cache test_people_matrix fills
# (CTest fixture faces_cache: 20 faces-dev identities of >= 8 images, all their
# images, and the six demo photos, already analysed by the optimised build), so
# nothing is analysed here and the check runs on 233 faces-dev photos in both
# builds. Without a usable cache (the script run alone, or a cache analysed by
# two model versions): the first 8 identity folders with >= 8 images, 8 images
# each (64 images, ~15 CPU-seconds to analyse). Persons are scored by the
# faces-dev folder most of their faces come from; the demo photos' faces take
# no part.
set -euo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
source "$(dirname "$0")/lib/serve.bash"
command -v sqlite3 >/dev/null || fail "sqlite3 not found (scripts/setup-deps.sh installs it)"
command -v jq >/dev/null || fail "jq not found (scripts/setup-deps.sh installs it)"
SET=$SHARED/data/faces-dev
[ -d "$SET" ] || fail "$SET missing"

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
D=$T/data
cache=${FACETAG_TEST_CACHE:-}/people-matrix
if [ -n "${FACETAG_TEST_CACHE:-}" ] && [ -f "$cache/catalog.sqlite" ] &&
    [ "$(sqlite3 "$cache/catalog.sqlite" 'SELECT count(DISTINCT model_version) FROM analysis_runs')" = 1 ]; then
    cp -r "$cache" "$D" || fail "cannot copy the test cache $cache"
    from='%/faces-dev/%' # the faces-dev photos among the cached ones
    n=$(sqlite3 "$D/catalog.sqlite" "SELECT path FROM photo_sources WHERE path LIKE '%/faces-dev/%'" |
        awk -F/ '{ print $(NF - 1) }' | sort -u | wc -l)
    echo "from the test cache: $n identities analysed already"
else
    want=8
    from="$T/set/%"
    mkdir "$T/set"
    n=0
    for d in "$SET"/*/; do
        [ "$(find "$d" -maxdepth 1 -type f -iname '*.jpg' | wc -l)" -ge 8 ] || continue
        id=$(basename "$d")
        mkdir "$T/set/$id"
        find "$d" -maxdepth 1 -type f -iname '*.jpg' | sort | head -8 | while read -r f; do cp "$f" "$T/set/$id/"; done
        n=$((n + 1))
        [ "$n" -ge "$want" ] && break
    done
    "$BIN" --data "$D" -j 2 ingest "$T/set" >"$T/ingest.log" 2>&1 || fail "ingest: $(tail -3 "$T/ingest.log")"
    "$BIN" --data "$D" -j 2 analyze >"$T/analyze.log" 2>&1 || fail "analyze: $(tail -3 "$T/analyze.log")"
fi
"$BIN" --data "$D" cluster >"$T/cluster.log" 2>&1 || fail "cluster: $(tail -3 "$T/cluster.log")"

# The persons of >= 3 faces with the identity (folder) most of their faces come from.
q() { sqlite3 -batch -noheader "$D/catalog.sqlite" "$@"; }
q "SELECT f.person_id, s.path FROM faces f JOIN photo_sources s USING (photo_id)
   WHERE f.person_id IS NOT NULL AND s.path LIKE '$from'" |
    awk -F'|' '{ n = split($2, p, "/"); print $1 "|" p[n-1] }' | sort | uniq -c |
    awk '{ split($2, a, "|"); if ($1 > best[a[1]]) { best[a[1]] = $1; who[a[1]] = a[2] } }
         END { for (p in best) if (best[p] >= 3) print p, who[p] }' | sort -n >"$T/persons.txt"
np=$(wc -l <"$T/persons.txt")
[ "$np" -ge 6 ] || fail "only $np persons of >= 3 faces after clustering: $(cat "$T/cluster.log")"

# Three wrong merges, each of two persons of different identities; the persons
# in no pair stay pure.
awk '{ id[NR] = $2; p[NR] = $1 } END {
        pairs = 0
        for (i = 1; i <= NR && pairs < 3; i++) {
            if (used[i]) continue
            for (j = i + 1; j <= NR; j++) if (!used[j] && id[j] != id[i]) break
            if (j > NR) continue
            used[i] = used[j] = 1; pairs++; print "pair", p[i], p[j]
        }
        for (i = 1; i <= NR; i++) if (!used[i]) print "pure", p[i] }' "$T/persons.txt" >"$T/plan.txt"
merged=()
while read -r a b; do
    q "UPDATE faces SET person_id = $a WHERE person_id = $b; DELETE FROM persons WHERE id = $b;"
    merged+=("$a")
done < <(awk '$1 == "pair" { print $2, $3 }' "$T/plan.txt")
[ "${#merged[@]}" -eq 3 ] || fail "could not pair 3 persons of different identities: $(cat "$T/persons.txt")"
pure=$(awk '$1 == "pure" { print $2 }' "$T/plan.txt")

before=$(q "SELECT group_concat(id || ':' || ifnull(person_id, '-') || ':' || status) FROM faces; SELECT count(*) FROM decisions")
"$BIN" --data "$D" check --json >"$T/check.json" 2>"$T/check.err" || fail "check --json: $(cat "$T/check.err")"
"$BIN" --data "$D" check >"$T/check.txt" 2>>"$T/check.err" || fail "check: $(cat "$T/check.err")"
after=$(q "SELECT group_concat(id || ':' || ifnull(person_id, '-') || ':' || status) FROM faces; SELECT count(*) FROM decisions")
[ "$before" = "$after" ] || fail "facetag check changed the catalog"

flagged=$(jq -r '.checks[] | select(.kind == "spread") | .person_id' "$T/check.json" | sort -n)
hits=0
for a in "${merged[@]}"; do grep -qx "$a" <<<"$flagged" && hits=$((hits + 1)); done
false_alarms=0
for p in $pure; do grep -qx "$p" <<<"$flagged" && false_alarms=$((false_alarms + 1)); done
npure=$(wc -w <<<"$pure")
echo "check: $hits of 3 wrong merges flagged, $false_alarms of $npure pure persons flagged ($n identities)"
[ "$hits" -ge 2 ] || fail "only $hits of the 3 wrong merges flagged: $(cat "$T/check.txt")"
[ "$false_alarms" -le 1 ] || fail "$false_alarms pure persons flagged: $(cat "$T/check.txt")"
# the faces that do not fit are those of one of the two identities
for a in "${merged[@]}"; do
    grep -qx "$a" <<<"$flagged" || continue
    jq -e --argjson p "$a" '.checks[] | select(.kind == "spread" and .person_id == $p) |
        .faces | length >= 3' "$T/check.json" >/dev/null || fail "person $a: fewer than 3 faces listed"
done
# text and JSON agree
nj=$(jq '.checks | length' "$T/check.json")
grep -q "finding" "$T/check.txt" || fail "check text: $(cat "$T/check.txt")"
[ "$(grep -c '^  \[' "$T/check.txt")" = "$nj" ] || fail "check text lists another number of findings than --json ($nj)"

# the review server's /api/checks answers the same
serve_start "$D"
body "$SERVE_URL/api/checks" | jq -S . >"$T/api.json" || fail "GET /api/checks is not JSON"
jq -S . "$T/check.json" | diff - "$T/api.json" >/dev/null || fail "GET /api/checks differs from facetag check --json"
serve_stop
echo "ok: facetag check and GET /api/checks"
