#!/usr/bin/env bash
# bad_store.sh — a store facetag cannot use is one clear error and exit 2, for
# every command: wrong credentials, buckets nobody made, a bad URL, a data
# folder whose recorded store differs from --store.
set -uo pipefail
BIN=${FACETAG_BIN:?}
SHARED=${FACETAG_SHARED:?}
. "${FACETAG_RGW_ENV:?FACETAG_RGW_ENV not set (the rgw fixture)}"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_SESSION_TOKEN AWS_PROFILE FACETAG_STORE
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
IMG=$SHARED/data/group-photos/modern-groups/faceapi_bbt2.jpg
URL="s3://bad-$$-$RANDOM?endpoint=$RGW_ENDPOINT"

# one_error WHAT PATTERN CMD... — exit 2, exactly one line on stderr matching PATTERN
one_error() {
  local what=$1 pat=$2; shift 2
  "$@" > "$T/out" 2> "$T/err"
  local rc=$?
  [ $rc -eq 2 ] || { cat "$T/err"; fail "$what: exit $rc, want 2"; }
  [ "$(wc -l < "$T/err")" -eq 1 ] || { cat "$T/err"; fail "$what: want exactly one error line"; }
  grep -q -- "$pat" "$T/err" || { cat "$T/err"; fail "$what: the error does not say '$pat'"; }
}

# buckets nobody made
one_error "missing bucket" "bad-.*-incoming does not exist.*store init" "$BIN" --data "$T/d" --store "$URL" ingest "$IMG"
[ ! -e "$T/d/store.url" ] || fail "a failed ingest recorded the store"
"$BIN" --store "$URL" store init > /dev/null || fail "store init"
"$BIN" --store "$URL" store init > /dev/null || fail "store init twice"
"$BIN" --data "$T/d" --store "$URL" ingest "$IMG" > /dev/null 2>&1 || fail "ingest after store init"
[ "$(cat "$T/d/store.url")" = "$URL" ] || fail "ingest did not record the store"

# wrong credentials, for the commands that open the objects
for cmd in ingest analyze serve; do
  args=("$cmd"); [ "$cmd" = ingest ] && args+=("$IMG"); [ "$cmd" = serve ] && args+=(--port 0)
  AWS_SECRET_ACCESS_KEY=wrong-secret one_error "wrong secret, $cmd" "access denied.*AWS_SECRET_ACCESS_KEY" \
    "$BIN" --data "$T/d" "${args[@]}"
done
AWS_ACCESS_KEY_ID=NOSUCHKEY one_error "unknown key id" "access denied" "$BIN" --data "$T/d" analyze
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE=$T/none HOME=$T \
  bash -c '"$0" --data "$1" analyze' "$BIN" "$T/d" > /dev/null 2> "$T/err"
[ $? -eq 2 ] && grep -q "no S3 credentials" "$T/err" || { cat "$T/err"; fail "no credentials: want exit 2 and a clear error"; }

# bad URLs and a store that is not the data folder's
one_error "bad prefix" "bucket prefix 'BAD'" "$BIN" --data "$T/e" --store "s3://BAD?endpoint=$RGW_ENDPOINT" ingest "$IMG"
one_error "unknown option" "unknown option 'bogus'" "$BIN" --data "$T/e" --store "s3://okname?bogus=1" ingest "$IMG"
one_error "other store" "keeps its objects in" "$BIN" --data "$T/d" --store "s3://other-$$?endpoint=$RGW_ENDPOINT" analyze
# nobody listening: a clear connection error after the retries, not a hang
one_error "no gateway" "127.0.0.1:1" "$BIN" --data "$T/f" --store "s3://okname?endpoint=http://127.0.0.1:1&retries=1" ingest "$IMG"
echo "bad_store: ok"
