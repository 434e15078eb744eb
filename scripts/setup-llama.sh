#!/usr/bin/env bash
# Builds llama.cpp's llama-server once per machine, and a tiny GGUF model with
# random weights, for the LLM tests (tests/integration/llm_server.sh).
#
# Source: the npm package node-llama-cpp@3.22.1 ships llama.cpp's source as a git
# bundle (llama/gitRelease.bundle); we clone that bundle and build only the
# llama-server target, CPU only. Nothing of llama.cpp is committed here.
#
# Cache (outside the clone, kept across clones): $FACETAG_LLAMA_CACHE, default
# /var/cache/facetag/llama when writable, else ~/.cache/facetag/llama. After a
# successful run it holds:
#   bin/llama-server     the server
#   tiny.gguf            a llama-architecture model, random weights, small vocab
#   VERSION              the stamp (package version + model generator hash)
# A second run with the same stamp does nothing (about 0.1 s).
# The build takes about 12 minutes on 2 cores (-j2); it is done in a temporary
# directory and moved into place only when complete, so an interrupted run
# (kill -9) leaves no half-built cache and simply starts over.
#
# Usage: scripts/setup-llama.sh            build if needed, print the cache dir
#        scripts/setup-llama.sh --print    print the cache dir, build nothing
set -euo pipefail

NLC_VERSION=3.22.1
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/make-tiny-gguf.py"

cache=${FACETAG_LLAMA_CACHE:-}
if [ -z "$cache" ]; then
  if mkdir -p /var/cache/facetag 2>/dev/null && [ -w /var/cache/facetag ]; then
    cache=/var/cache/facetag/llama
  else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/facetag/llama
  fi
fi
if [ "${1:-}" = "--print" ]; then echo "$cache"; exit 0; fi

stamp="node-llama-cpp@$NLC_VERSION model:$(sha256sum "$gen" | cut -c1-16)"
if [ -x "$cache/bin/llama-server" ] && [ -f "$cache/tiny.gguf" ] &&
   [ "$(cat "$cache/VERSION" 2>/dev/null)" = "$stamp" ]; then
  echo "$cache"; exit 0
fi

# Debian packages this needs (the model generator uses numpy and llama.cpp's
# own gguf-py; /usr/bin/python3 so that Debian's numpy is the one found).
need=()
for p in git cmake build-essential python3-numpy npm; do
  [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-llama: installing Debian packages: ${need[*]}" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}" >&2
fi

mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9   # two set-ups at once (release + asan tests) build once
if [ -x "$cache/bin/llama-server" ] && [ -f "$cache/tiny.gguf" ] &&
   [ "$(cat "$cache/VERSION" 2>/dev/null)" = "$stamp" ]; then
  echo "$cache"; exit 0
fi

work=$(mktemp -d "$(dirname "$cache")/llama-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)

src="$cache.src"   # the clone is kept: a model-only change needs no rebuild
if [ ! -d "$src/.git" ] || [ "$(cat "$src/.facetag-version" 2>/dev/null)" != "$NLC_VERSION" ]; then
  echo "setup-llama: fetching node-llama-cpp@$NLC_VERSION (llama.cpp source bundle)" >&2
  (cd "$work" && npm pack --silent "node-llama-cpp@$NLC_VERSION" >/dev/null)
  tar -xzf "$work/node-llama-cpp-$NLC_VERSION.tgz" -C "$work" package/llama/gitRelease.bundle
  rm -rf "$src"
  git clone -q "$work/package/llama/gitRelease.bundle" "$work/src"
  echo "$NLC_VERSION" > "$work/src/.facetag-version"
  mv "$work/src" "$src"
  rm -f "$work/node-llama-cpp-$NLC_VERSION.tgz"; rm -rf "$work/package"
fi

if [ ! -x "$cache/bin/llama-server" ] || [ "$(cat "$cache/bin/.facetag-version" 2>/dev/null)" != "$NLC_VERSION" ]; then
  echo "setup-llama: building llama-server (CPU only, -j2; about 12 minutes, once per machine)" >&2
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
        -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
        -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_OPENMP=OFF \
        >"$work/cmake.log" 2>&1 || { tail -30 "$work/cmake.log" >&2; exit 1; }
  cmake --build "$work/build" --target llama-server -j2 >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; exit 1; }
  mkdir -p "$work/bin"
  cp "$work/build/bin/llama-server" "$work/bin/"
  echo "$NLC_VERSION" > "$work/bin/.facetag-version"
  rm -rf "$cache/bin.old"; [ -d "$cache/bin" ] && mv "$cache/bin" "$cache/bin.old"
  mkdir -p "$cache"; mv "$work/bin" "$cache/bin"; rm -rf "$cache/bin.old"
  echo "setup-llama: llama-server built in $(( $(date +%s) - t0 )) s" >&2
fi

PYTHONPATH="$src/gguf-py" /usr/bin/python3 "$gen" "$work/tiny.gguf" >&2
mv "$work/tiny.gguf" "$cache/tiny.gguf"
echo "$stamp" > "$cache/VERSION"
echo "$cache"
