#!/usr/bin/env bash
# vendor-web.sh — refreshes the JavaScript libraries of the UI's timeline and
# graph views: installs web-vendor/ exactly as its package-lock.json pins them
# (npm ci checks each package's sha512 integrity), copies the built files the
# UI loads into web/ui/vendor/ and records their SHA-256 in
# web-vendor/vendor.sha256. The build (cmake/embed_assets.cmake) embeds
# web/ui/vendor/ into the binary and refuses files whose SHA-256 differs, so the
# UI works offline and runs only the reviewed bytes.
# Run after changing a version in web-vendor/package.json (npm install there
# first to update the lock); commit web/ui/vendor/ and vendor.sha256.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/web-vendor"
npm ci --no-audit --no-fund --loglevel=error
out="$root/web/ui/vendor"
mkdir -p "$out"
# vis-timeline: its peer build bundled with vis-data and moment (the standalone
# build injects a <style> element, which the UI's Content-Security-Policy refuses)
npx --no-install esbuild vis-timeline-entry.mjs --bundle --format=esm --minify --legal-comments=eof \
  --log-level=warning --outfile="$out/vis-timeline.bundle.mjs"
# source in node_modules -> name under web/ui/vendor
files=(
  "cytoscape/dist/cytoscape.esm.min.mjs cytoscape.esm.min.mjs"
  "vis-timeline/styles/vis-timeline-graph2d.min.css vis-timeline-graph2d.min.css"
)
(cd "$out" && sha256sum vis-timeline.bundle.mjs) > vendor.sha256.new
for f in "${files[@]}"; do
  set -- $f
  cp "node_modules/$1" "$out/$2"
  (cd "$out" && sha256sum "$2") >> vendor.sha256.new
done
mv vendor.sha256.new vendor.sha256
cat vendor.sha256
