#!/usr/bin/env bash
# store_copy.sh — `facetag store copy`: an analysed data folder's objects to S3
# and back, every object by SHA-256; killed half-way and run again it finishes;
# a second run copies nothing; --verify recopies an object whose bytes differ;
# the catalog then works with the objects in S3 (serve sends the crops).
set -uo pipefail
BIN=${FACETAG_BIN:?}
SHARED=${FACETAG_SHARED:?}
. "${FACETAG_RGW_ENV:?FACETAG_RGW_ENV not set (the rgw fixture)}"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_SESSION_TOKEN AWS_PROFILE FACETAG_STORE
. "$(dirname "$0")/../integration/lib/serve.bash"
T=$(mktemp -d)
trap 'serve_stop > /dev/null 2>&1; rm -rf "$T"' EXIT
GP=$SHARED/data/group-photos/modern-groups
D=$T/data
"$BIN" --data "$D" ingest "$GP/faceapi_bbt2.jpg" "$GP/faceapi_bbt3.jpg" "$GP/facerec_two_people.jpg" > /dev/null || fail "ingest"
"$BIN" --data "$D" -j 2 analyze > /dev/null 2>&1 || fail "analyze"
# a large original too: it goes up as a multipart upload
vips resize "$GP/faceapi_bbt2.jpg" "$T/big.tif" 2.5 || fail "vips"
"$BIN" --data "$D" ingest "$T/big.tif" > /dev/null || fail "ingest big"
n=$(cd "$D/objects" && find incoming processed faces annotations -type f | wc -l)
[ "$n" -ge 10 ] || fail "only $n objects to copy"
sums() { (cd "$1" && find incoming processed faces annotations -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
sums "$D/objects" > "$T/src.sums"

URL="s3://copy-$$-$RANDOM?endpoint=$RGW_ENDPOINT"
"$BIN" --store "$URL" store init > /dev/null || fail "store init"
# killed half-way (slow: each object pauses), then run again
"$BIN" store copy --from "$D/objects" --to "$URL" > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
out=$("$BIN" --json store copy --from "$D/objects" --to "$URL") || fail "copy to S3: $out"
[ "$(jq '.copied + .skipped' <<<"$out")" -eq "$n" ] && [ "$(jq .failed <<<"$out")" -eq 0 ] || fail "copy to S3: $out"
out=$("$BIN" --json store copy --from "$D/objects" --to "$URL") || fail "second copy"
[ "$(jq .copied <<<"$out")" -eq 0 ] && [ "$(jq .skipped <<<"$out")" -eq "$n" ] || fail "a second copy copied again: $out"

# back into a new folder: the same bytes
out=$("$BIN" --json store copy --from "$URL" --to "$T/back" --verify) || fail "copy from S3: $out"
[ "$(jq .copied <<<"$out")" -eq "$n" ] && [ "$(jq .verified <<<"$out")" -eq "$n" ] || fail "copy from S3: $out"
sums "$T/back" | diff "$T/src.sums" - > /dev/null || fail "the round trip changed objects"

# a damaged copy of the same size: --verify finds it and copies it again
f=$(cd "$T/back" && ls annotations | head -1)
tr 'a-z' 'b-za' < "$T/back/annotations/$f" > "$T/x" && cat "$T/x" > "$T/back/annotations/$f"
"$BIN" store copy --from "$URL" --to "$T/back" > /dev/null || fail "copy without verify"
cmp -s "$T/back/annotations/$f" "$D/objects/annotations/$f" && fail "without --verify a same-size object is trusted (test setup)"
out=$("$BIN" --json store copy --from "$URL" --to "$T/back" --verify) || fail "verify: $out"
[ "$(jq .copied <<<"$out")" -eq 1 ] || fail "--verify should recopy the damaged object: $out"
sums "$T/back" | diff "$T/src.sums" - > /dev/null || fail "--verify did not repair the copy"

# the catalog with its objects in S3: serve sends the crops from there
cp "$D/catalog.sqlite" "$T/cat.sqlite"
mkdir -p "$T/d2" && cp "$D/catalog.sqlite" "$T/d2/" && echo "$URL" > "$T/d2/store.url"
serve_start "$T/d2"
id=$(sqlite3 "$D/catalog.sqlite" "SELECT photo_id FROM faces ORDER BY 1 LIMIT 1")
body "$SERVE_URL/face_crop/$id/0" > "$T/crop.jpg"
cmp -s "$T/crop.jpg" "$D/objects/faces/$id/0.jpg" || fail "the crop from S3 differs"
body "$SERVE_URL/image/$id" > "$T/img.jpg"
cmp -s "$T/img.jpg" "$D/objects/processed/$id.jpg" || fail "the image from S3 differs"
serve_stop

# usage
"$BIN" store copy --from "$D/objects" > /dev/null 2>&1; [ $? -eq 2 ] || fail "no --to: want exit 2"
"$BIN" store copy --from "s3://nobucket-$$?endpoint=$RGW_ENDPOINT" --to "$T/z" > /dev/null 2>&1; [ $? -eq 2 ] || fail "missing bucket: want exit 2"
echo "store_copy: ok ($n objects)"
