#!/usr/bin/env bash
# setup-reference.sh [BUILD_DIR] — the JavaScript reference (face-api 1.7.15 on
# tfjs 4.22.0, $FACETAG_SHARED/reference/faceapi-ref) ready to run in
# BUILD_DIR/faceapi-ref (default build/faceapi-ref): the harness files copied
# (the shared folder is read-only) and its pinned npm dependencies installed
# with `npm ci` from the npm registry. Quick when nothing changed (the lock file
# is compared with the installed one). Prints the folder on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SHARED=${FACETAG_SHARED:-$ROOT/../shared}
SRC=$SHARED/reference/faceapi-ref
DST=$BUILD/faceapi-ref
[ -f "$SRC/run.mjs" ] || { echo "setup-reference: $SRC/run.mjs missing (set FACETAG_SHARED)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "setup-reference: npm missing: run make deps" >&2; exit 1; }
mkdir -p "$DST"
# The harness itself (not its goldens, which stay where they are).
for f in run.mjs wasm-threads-node.cjs package.json package-lock.json; do
  cmp -s "$SRC/$f" "$DST/$f" 2>/dev/null || install -m 0644 "$SRC/$f" "$DST/$f"
done
if ! cmp -s "$DST/package-lock.json" "$DST/node_modules/.facetag-lock" 2>/dev/null; then
  echo "setup-reference: npm ci in $DST" >&2
  (cd "$DST" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$DST/package-lock.json" "$DST/node_modules/.facetag-lock"
fi
echo "$DST"
