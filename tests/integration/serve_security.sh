#!/usr/bin/env bash
# serve_security.sh — `facetag serve` guards the catalog: loopback by default, a
# non-loopback bind refuses to start without a token and then rejects every
# request without it; path parameters, bodies, hosts and origins are checked
# before anything reaches the store; images and UI assets come with the right
# content types and cache headers.
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/serve.bash"

T=$(mktemp -d)
trap 'serve_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
GP=$SHARED/data/group-photos
"$BIN" --data "$T/data" ingest "$GP/modern-groups/facerec_two_people.jpg" "$GP/modern-groups/faceapi_bbt2.jpg" >/dev/null ||
  fail "ingest failed"
ID=$(sha256sum "$GP/modern-groups/facerec_two_people.jpg" | cut -c1-16)
TOKEN=correct-horse-battery-staple-42

# ---- refusing to start -------------------------------------------------------
out=$("$BIN" --data "$T/none" serve --port 0 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"no facetag data"* ]] || fail "no data folder: rc $rc: $out"
out=$(FACETAG_TOKEN= "$BIN" --data "$T/data" serve --bind 0.0.0.0 --port 0 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"refusing to listen on 0.0.0.0 without a token"* ]] ||
  fail "0.0.0.0 without a token must refuse: rc $rc: $out"
out=$(FACETAG_TOKEN= "$BIN" --data "$T/data" serve --bind :: --port 0 2>&1); rc=$?
[ $rc -eq 2 ] || fail ":: without a token must refuse: rc $rc: $out"
out=$("$BIN" --data "$T/data" serve --bind 0.0.0.0 --port 0 --token short 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"at least 16"* ]] || fail "a short token must be refused: rc $rc: $out"
out=$("$BIN" --data "$T/data" serve --bind example.org --port 0 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"not an IP address"* ]] || fail "a host name must be refused: rc $rc: $out"

# ---- non-loopback with a token: every request needs it -------------------------
serve_start "$T/data" --bind 0.0.0.0 --token "$TOKEN"
expect 401 "no token, API" "$SERVE_URL/healthz"
expect 401 "no token, UI page" "$SERVE_URL/"
expect 401 "no token, crop" "$SERVE_URL/face_crop/$ID/0"
expect 401 "no token, POST" -X POST -H 'Content-Type: application/json' -d '{}' "$SERVE_URL/annotate"
expect 401 "wrong token" -H "Authorization: Bearer ${TOKEN}x" "$SERVE_URL/healthz"
expect 401 "token prefix" -H "Authorization: Bearer ${TOKEN:0:20}" "$SERVE_URL/healthz"
expect 401 "token in the query of an API path" "$SERVE_URL/healthz?token=$TOKEN"
expect 200 "bearer token" -H "Authorization: Bearer $TOKEN" "$SERVE_URL/healthz"
expect 200 "cookie" -b "facetag_token=$TOKEN" "$SERVE_URL/healthz"
expect 200 "bearer, UI page" -H "Authorization: Bearer $TOKEN" "$SERVE_URL/"
hdr=$(curl --noproxy '*' -sS -D - -o /dev/null "$SERVE_URL/?token=$TOKEN")
[[ $hdr == *" 303 "* ]] && [[ $hdr == *"Set-Cookie: facetag_token=$TOKEN; Path=/; HttpOnly; SameSite=Strict"* ]] &&
  [[ $hdr == *"Location: /"* ]] || fail "/?token=T must set the cookie and redirect: $hdr"
expect 401 "/?token=wrong" "$SERVE_URL/?token=nope-nope-nope-nope"
serve_stop

FACETAG_TOKEN=$TOKEN serve_start "$T/data" --bind 0.0.0.0
expect 401 "FACETAG_TOKEN: no token" "$SERVE_URL/healthz"
expect 200 "FACETAG_TOKEN: bearer" -H "Authorization: Bearer $TOKEN" "$SERVE_URL/healthz"
serve_stop

# ---- loopback without a token --------------------------------------------------
serve_start "$T/data"
[ "$(body "$SERVE_URL/healthz")" = '{"ok":true,"photos":2,"faces":0}' ] || fail "healthz: $(body "$SERVE_URL/healthz")"
hdr=$(curl --noproxy '*' -sS -D - -o "$T/index.html" "$SERVE_URL/")
[[ $hdr == *"Content-Type: text/html; charset=utf-8"* ]] && [[ $hdr == *"Content-Security-Policy: default-src 'self'"* ]] &&
  [[ $hdr == *"X-Content-Type-Options: nosniff"* ]] || fail "GET / headers: $hdr"
cmp -s "$T/index.html" "${FACETAG_SRC:-$(dirname "$0")/../..}/web/index.html" || fail "GET / must serve web/index.html"
for f in $(cd "${FACETAG_SRC:-$(dirname "$0")/../..}/web" && find ui -type f 2>/dev/null); do
  body "$SERVE_URL/$f" | cmp -s - "${FACETAG_SRC}/web/$f" || fail "/$f differs from web/$f"
done
expect 404 "unknown UI file" "$SERVE_URL/ui/nope.js"
expect 404 "path traversal below /ui" --path-as-is "$SERVE_URL/ui/../../etc/passwd"
expect 404 "unknown path" "$SERVE_URL/etc/passwd"
expect 405 "wrong method" -X POST "$SERVE_URL/healthz"
expect 403 "foreign Host (DNS rebinding)" -H 'Host: attacker.example:8001' "$SERVE_URL/healthz"
expect 200 "Host localhost" -H "Host: localhost:$SERVE_PORT" "$SERVE_URL/healthz"
expect 403 "foreign Origin on POST" -X POST -H 'Origin: http://attacker.example' -H 'Content-Type: application/json' \
  -d '{}' "$SERVE_URL/annotate"
expect 404 "an encoded path in the photo_id" "$SERVE_URL/image/..%2F..%2Fcatalog.sqlite"
for bad in 0123456789ABCDEF 0123456789abcde 0123456789abcdef0 "0123456789abcde%27"; do
  expect 400 "photo_id '$bad'" "$SERVE_URL/image/$bad"
  expect 400 "photo_id '$bad' in a crop" "$SERVE_URL/face_crop/$bad/0"
done
expect 400 "a NUL in the photo_id" "$SERVE_URL/image/0123456789abcde%00"
expect 400 "face_no -1" "$SERVE_URL/face_crop/$ID/-1"
expect 400 "face_no 01" "$SERVE_URL/face_crop/$ID/01"
expect 400 "face_no x" "$SERVE_URL/face_crop/$ID/x"
expect 404 "unknown photo" "$SERVE_URL/image/0123456789abcdef"
expect 404 "unknown photo, original" "$SERVE_URL/image/0123456789abcdef?original=1"
expect 404 "unknown crop" "$SERVE_URL/face_crop/$ID/7"
expect 400 "original=yes" "$SERVE_URL/image/$ID?original=yes"

# request bodies over 1 MiB: 413, announced or chunked
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big.json"
expect 413 "body over 1 MiB" -X POST -H 'Content-Type: application/json' --data-binary "@$T/big.json" "$SERVE_URL/annotate"
expect 413 "chunked body over 1 MiB" -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
  --data-binary "@$T/big.json" "$SERVE_URL/annotate"

# images: content types, cache headers, ETag revalidation
hdr=$(curl --noproxy '*' -sS -D - -o "$T/p.jpg" "$SERVE_URL/image/$ID")
[[ $hdr == *"Content-Type: image/jpeg"* ]] && [[ $hdr == *"Cache-Control: private, max-age=3600"* ]] ||
  fail "processed image headers: $hdr"
cmp -s "$T/p.jpg" "$T/data/objects/processed/$ID.jpg" || fail "processed image bytes differ"
etag=$(printf '%s' "$hdr" | sed -n 's/^ETag: \(.*\)\r$/\1/p')
[ -n "$etag" ] || fail "no ETag on the image"
expect 304 "If-None-Match" -H "If-None-Match: $etag" "$SERVE_URL/image/$ID"
vips copy "$GP/modern-groups/facerec_two_people.jpg" "$T/orig.png"
"$BIN" --data "$T/data" ingest "$T/orig.png" >/dev/null || fail "ingest png"
PNG=$(sha256sum "$T/orig.png" | cut -c1-16)
hdr=$(curl --noproxy '*' -sS -D - -o "$T/o.png" "$SERVE_URL/image/$PNG?original=1")
[[ $hdr == *"Content-Type: image/png"* ]] && [[ $hdr == *"immutable"* ]] || fail "original PNG headers: $hdr"
cmp -s "$T/o.png" "$T/orig.png" || fail "the original must come back byte for byte"
serve_stop
echo "ok: serve refuses open binds, checks tokens, hosts, origins, parameters and body sizes"
