# serve.bash — shared by the review server's integration tests (sourced): start
# `facetag serve` on a free loopback port, talk to it with curl, stop it.
# Needs BIN (the facetag binary); sets SERVE_PID, SERVE_PORT, SERVE_URL.

fail() { echo "FAIL: $*" >&2; exit 1; }
unset FACETAG_TOKEN # a token from the caller's environment would turn auth on
. "$(dirname "${BASH_SOURCE[0]}")/store.bash"

# serve_start DATA [serve options...] — waits until the server listens (its
# first stdout line names the port); fails the test if it does not start.
serve_start() {
  local data=$1; shift
  SERVE_LOG=$(mktemp)
  "$BIN" --data "$data" serve --port 0 "$@" >"$SERVE_LOG" 2>&1 &
  SERVE_PID=$!
  local i
  for i in $(seq 1 2400); do   # up to 2 min: an ASan build on a loaded 2-core machine starts slowly
    SERVE_PORT=$(sed -n 's|^facetag serve: listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$SERVE_LOG")
    [ -n "$SERVE_PORT" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || fail "serve did not start: $(cat "$SERVE_LOG")"
    sleep 0.05
  done
  [ -n "$SERVE_PORT" ] || fail "serve did not print its port: $(cat "$SERVE_LOG")"
  SERVE_URL=http://127.0.0.1:$SERVE_PORT
}

# serve_stop — SIGTERM, then waits; fails when the server does not exit cleanly
# (an ASan build reports leaks and errors through the exit status).
serve_stop() {
  [ -n "${SERVE_PID:-}" ] || return 0
  kill -TERM "$SERVE_PID" 2>/dev/null
  local rc=0
  wait "$SERVE_PID" || rc=$?
  SERVE_PID=
  [ "$rc" -eq 0 ] || fail "serve exited with status $rc: $(tail -20 "$SERVE_LOG")"
  rm -f "$SERVE_LOG"
}

# hc ARGS... — curl without any proxy, body to stdout, "\n<status>" appended.
hc() { curl --noproxy '*' -sS -w '\n%{http_code}' "$@"; }
# status ARGS... — just the HTTP status.
status() { curl --noproxy '*' -sS -o /dev/null -w '%{http_code}' "$@"; }
# body ARGS... — just the body.
body() { curl --noproxy '*' -sS "$@"; }
# expect CODE DESC ARGS... — the request's status must be CODE.
expect() {
  local want=$1 desc=$2; shift 2
  local got; got=$(status "$@")
  [ "$got" = "$want" ] || fail "$desc: want HTTP $want, got $got"
}
