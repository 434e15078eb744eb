#!/usr/bin/env bash
# Fetches the face-api model package from the npm registry, verifies its SHA-256
# and unpacks model/ (weights) and demo/ (sample photos) under models/face-api/.
# Idempotent: does nothing when the unpacked tree is already there and complete.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pkg="@vladmandic/face-api@1.7.15"
tgz_name="vladmandic-face-api-1.7.15.tgz"
want="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
dest="$top/models/face-api"
stamp="$dest/.complete-$want"
[ -f "$stamp" ] && exit 0
cache="$top/.cache"
mkdir -p "$cache"
tgz="$cache/$tgz_name"
have=""
[ -f "$tgz" ] && have=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$have" != "$want" ]; then
  echo "setup: fetching $pkg with npm pack"
  rm -f "$tgz"
  (cd "$cache" && npm pack --silent "$pkg" >/dev/null)
  have=$(sha256sum "$tgz" | cut -d' ' -f1)
fi
if [ "$have" != "$want" ]; then
  echo "setup: $tgz: SHA-256 is $have, expected $want; refusing to use it" >&2
  rm -f "$tgz"
  exit 1
fi
tmp=$(mktemp -d "$top/models/.unpack.XXXXXX" 2>/dev/null || { mkdir -p "$top/models"; mktemp -d "$top/models/.unpack.XXXXXX"; })
tar -xzf "$tgz" -C "$tmp" package/model package/demo
mkdir -p "$tmp/out"
mv "$tmp/package/model" "$tmp/out/model"
mkdir -p "$tmp/out/demo"
mv "$tmp/package/demo/"sample*.jpg "$tmp/out/demo/"
touch "$tmp/out/.complete-$want"
rm -rf "$dest"
mv "$tmp/out" "$dest"
rm -rf "$tmp"
echo "setup: models in $dest"
