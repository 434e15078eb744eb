#!/usr/bin/env bash
# cluster_r_parity.sh — facetag's HDBSCAN gives the same partition as R's
# dbscan::hdbscan (the reference peer) on fixed descriptor sets: adjusted Rand
# index >= 0.99 for minPts 2, 3, 4, 5.
#
# The sets are synthetic and deterministic (bench_cluster gen): identities with
# a per-person centre, spread like real 128-d face descriptors (same person
# ~0.4-0.55 apart, different people ~0.8-1.1), plus 5% lone faces (20% in big30).
# Real faces: faces-dev descriptors analysed by facetag itself (see below),
# exported with `bench_cluster export`. (On all 2,148 faces-dev descriptors of bench_verify
# the ARI was 1.000 for minPts 2-5.)
# The comparison is of plain HDBSCAN: bench_cluster runs it with the distance
# guard off (hdbscan_params.max_distance 0; R has no such guard); the guard
# only removes faces from clusters afterwards (see hdbscan.h, test_cluster.c).
# Needs Debian r-base-core + r-cran-dbscan (scripts/setup-deps.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="$(dirname "${FACETAG_BIN:?FACETAG_BIN not set}")/bench_cluster"
[ -x "$bench" ] || { echo "FAIL: $bench not built (cmake --build builds bench_cluster with facetag)"; exit 1; }
command -v Rscript >/dev/null || { echo "FAIL: Rscript missing; run scripts/setup-deps.sh (r-base-core)"; exit 1; }
Rscript -e 'suppressPackageStartupMessages(library(dbscan))' 2>/dev/null ||
    { echo "FAIL: R package dbscan missing; run scripts/setup-deps.sh (r-cran-dbscan)"; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
# name: generator arguments
sets=("faces60-a:--ids 60 --min 4 --max 20 --seed 1"
      "faces60-b:--ids 60 --min 4 --max 20 --seed 2"
      "faces60-c:--ids 60 --min 4 --max 20 --seed 3"
      "small120:--ids 120 --min 2 --max 8 --seed 4"
      "big30:--ids 30 --min 30 --max 60 --noise 0.2 --seed 5")  # people larger than the kNN lists: exact MST scans
# Under ASan+UBSan one of the three faces60 sets: the other two seeds repeat
# the same code paths, and R's side, most of this test's CPU, is not under the
# sanitizers anyway.
[ "${FACETAG_SANITIZE:-0}" = 1 ] && sets=("${sets[0]}" "${sets[3]}" "${sets[4]}")
for s in "${sets[@]}"; do
    name="${s%%:*}"
    # shellcheck disable=SC2086
    "$bench" gen ${s#*:} > "$tmp/$name.csv"
    for m in 2 3 4 5; do
        "$bench" hdbscan --min-pts "$m" --in "$tmp/$name.csv" > "$tmp/$name.ours$m.txt"
    done
    while read -r m ari cr co nr no; do
        ok=$(awk -v a="$ari" 'BEGIN { print (a >= 0.99) ? 1 : 0 }')
        printf '%-10s minPts %s  ARI %s  clusters R %s / facetag %s  noise R %s / facetag %s  %s\n' \
            "$name" "$m" "$ari" "$cr" "$co" "$nr" "$no" "$([ "$ok" = 1 ] && echo ok || echo FAIL)"
        [ "$ok" = 1 ] || fail=1
    done < <(Rscript "$here/cluster_r_parity.R" "$tmp/$name.csv" "$tmp/$name.ours" 2 3 4 5)
done
compare() { # name csv
    local name=$1 csv=$2 m
    for m in 2 3 4 5; do
        "$bench" hdbscan --min-pts "$m" --in "$csv" > "$tmp/$name.ours$m.txt"
    done
    while read -r m ari cr co nr no; do
        ok=$(awk -v a="$ari" 'BEGIN { print (a >= 0.99) ? 1 : 0 }')
        printf '%-10s minPts %s  ARI %s  clusters R %s / facetag %s  noise R %s / facetag %s  %s\n' \
            "$name" "$m" "$ari" "$cr" "$co" "$nr" "$no" "$([ "$ok" = 1 ] && echo ok || echo FAIL)"
        [ "$ok" = 1 ] || fail=1
    done < <(Rscript "$here/cluster_r_parity.R" "$csv" "$tmp/$name.ours" 2 3 4 5)
}

# Real faces: the descriptors test_people_matrix analysed into the test cache
# (20 faces-dev identities of >= 8 images and the demo photos, through
# facetag's own ingest + analyze; CTest runs that test first, as this test's
# fixture), so the same photos are not analysed twice in one `make test`.
# Without the cache (the test run alone, outside CTest), a faces-dev subset is
# analysed here: every 10th identity folder, every 37th under ASan+UBSan.
cache=${FACETAG_TEST_CACHE:-}/people-matrix
if [ -n "${FACETAG_TEST_CACHE:-}" ] && [ -f "$cache/catalog.sqlite" ]; then
    src="the test cache ($cache)"
    "$bench" export --data "$cache" > "$tmp/facesdev.csv" || { echo "FAIL: export of the cached descriptors"; exit 1; }
else
    set_dir=${FACETAG_SHARED:?FACETAG_SHARED not set}/data/faces-dev
    [ -d "$set_dir" ] || { echo "FAIL: $set_dir missing"; exit 1; }
    step=10
    [ "${FACETAG_SANITIZE:-0}" = 1 ] && step=37
    mkdir "$tmp/fdset"
    i=0
    for d in "$set_dir"/*/; do
        [ $((i % step)) -eq 0 ] && cp -r "$d" "$tmp/fdset/"
        i=$((i + 1))
    done
    src="$(ls "$tmp/fdset" | wc -l) identities analysed here"
    "$FACETAG_BIN" --data "$tmp/fd" -j 2 ingest "$tmp/fdset"/* > /dev/null 2>&1 || { echo "FAIL: ingest of the faces-dev subset"; exit 1; }
    "$FACETAG_BIN" --data "$tmp/fd" -j 2 analyze > /dev/null 2> "$tmp/analyze.err" ||
        { echo "FAIL: analyze of the faces-dev subset: $(tail -3 "$tmp/analyze.err")"; exit 1; }
    "$bench" export --data "$tmp/fd" > "$tmp/facesdev.csv" || { echo "FAIL: export of the descriptors"; exit 1; }
fi
n=$(wc -l < "$tmp/facesdev.csv")
[ "$n" -ge 50 ] || { echo "FAIL: only $n faces from the faces-dev subset"; exit 1; }
echo "faces-dev: $n faces from $src"
compare faces-dev "$tmp/facesdev.csv"

[ "$fail" = 0 ] && echo "R parity: all ARI >= 0.99" || { echo "FAIL: R parity below 0.99"; exit 1; }
