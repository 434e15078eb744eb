# store.bash — the object store under the integration tests (sourced by the
# other lib files after BIN is set). By default each data folder keeps its
# objects in DATA/objects. With FACETAG_TEST_STORE=ENVFILE (the env file of a
# gateway started by scripts/rgw-start.sh) every data folder keeps them in
# S3 buckets of its own on that gateway: BIN becomes lib/facetag-s3.sh.
if [ -n "${FACETAG_TEST_STORE:-}" ]; then
  [ -f "$FACETAG_TEST_STORE" ] || { echo "FAIL: FACETAG_TEST_STORE=$FACETAG_TEST_STORE: no gateway env file" >&2; exit 1; }
  # shellcheck disable=SC1090
  . "$FACETAG_TEST_STORE"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY RGW_ENDPOINT
  unset AWS_SESSION_TOKEN AWS_PROFILE FACETAG_STORE
  export FACETAG_REAL_BIN=$BIN
  BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/facetag-s3.sh
fi

# objects DATA — prints a local folder holding DATA's objects: DATA/objects, or,
# when they live in S3, a fresh copy of them (made by `facetag store copy`,
# which checks every object's SHA-256 on the way).
objects() {
  if [ -f "$1/store.url" ]; then
    local m="$1.objects-copy"
    rm -rf "$m"
    "${FACETAG_REAL_BIN:-$BIN}" store copy --from "$(cat "$1/store.url")" --to "$m" > /dev/null ||
      { echo "FAIL: cannot copy the objects of $1 out of S3" >&2; exit 1; }
    echo "$m"
  else
    echo "$1/objects"
  fi
}

# objects_put DATA BUCKET/KEY FILE — replaces one object of DATA behind facetag's
# back (to damage it on purpose): the file itself, or through a copy into S3.
objects_put() {
  if [ -f "$1/store.url" ]; then
    local m; m=$(objects "$1")
    cp "$3" "$m/$2"
    "${FACETAG_REAL_BIN:-$BIN}" store copy --from "$m" --to "$(cat "$1/store.url")" > /dev/null ||
      { echo "FAIL: cannot put $2 into S3" >&2; exit 1; }
  else
    cp "$3" "$1/objects/$2"
  fi
}
