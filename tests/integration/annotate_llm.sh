#!/usr/bin/env bash
# annotate_llm.sh — `facetag annotate --llm URL --llm-model NAME` wired to the
# naming stage (annotate/llm_advisor.h), against tests/unit/data/llm_fake_server.py,
# a real python3 http.server on loopback (fast and deterministic; the client
# itself is tested against llama.cpp's llama-server in test_llm_server). A small
# captioned archive (make_archive.py on every 40th faces-dev identity) is
# annotated by the rules alone; then:
#  - a server whose answers are malformed: one error line, exit 0, and the export
#    is the rules' export;
#  - a server that answers a name found nowhere in the evidence: every answer is
#    flagged and nothing applied (the export is the rules' export again);
#  - the same again with that server stopped: every answer from the catalog's
#    cache, no error.
set -euo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
SRC=${FACETAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
SET=$SHARED/data/faces-dev
ARCH=$SHARED/data/archive
[ -d "$SET" ] && [ -f "$ARCH/make_archive.py" ] || fail "$SET or $ARCH missing"

T=$(mktemp -d)
FAKE=
trap '[ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null; rm -rf "$T"' EXIT
mkdir "$T/ids"
i=0
for d in "$SET"/*/; do
    [ $((i % 40)) -eq 0 ] && ln -s "$d" "$T/ids/$(basename "$d")"
    i=$((i + 1))
done
python3 "$ARCH/make_archive.py" "$T/ids" "$T/archive" --seed 5 >"$T/make.log" || fail "make_archive: $(cat "$T/make.log")"
D=$T/data
"$BIN" --data "$D" ingest "$T/archive" >/dev/null 2>"$T/err" || fail "ingest: $(tail -3 "$T/err")"
"$BIN" --data "$D" -j 2 analyze >/dev/null 2>"$T/err" || fail "analyze: $(tail -3 "$T/err")"
"$BIN" --data "$D" cluster >/dev/null 2>"$T/err" || fail "cluster: $(tail -3 "$T/err")"
"$BIN" --data "$D" annotate --full >/dev/null 2>"$T/err" || fail "annotate: $(tail -3 "$T/err")"
"$BIN" --data "$D" export json --out "$T/rules.json" || fail "export json"

"$BIN" --data "$D" annotate --llm http://127.0.0.1:9 >/dev/null 2>"$T/err" && fail "--llm without --llm-model accepted"
grep -q "go together" "$T/err" || fail "--llm alone: $(cat "$T/err")"

# port 0: the server binds a free port itself and names it (no other process
# can take it between a choice and the bind)
python3 "$SRC/tests/unit/data/llm_fake_server.py" 0 >"$T/fake.log" 2>&1 &
FAKE=$!
PORT=
for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^ready on port \([0-9][0-9]*\)$/\1/p' "$T/fake.log")
    [ -n "$PORT" ] && break
    kill -0 "$FAKE" 2>/dev/null || fail "the fake server exited: $(cat "$T/fake.log")"
    sleep 0.1
done
[ -n "$PORT" ] || fail "the fake server named no port in 30 s: $(cat "$T/fake.log")"

# malformed answers: one line, the rules stand
"$BIN" --data "$D" annotate --full --llm "http://127.0.0.1:$PORT/malformed" --llm-model m1 >/dev/null 2>"$T/err" ||
    fail "annotate --llm (malformed) failed: $(tail -3 "$T/err")"
[ "$(grep -c 'malformed answer' "$T/err")" = 1 ] || fail "want one error line: $(cat "$T/err")"
grep -q "0 answered" "$T/err" || fail "malformed: $(cat "$T/err")"
"$BIN" --data "$D" export json --out "$T/x.json"
cmp -s "$T/rules.json" "$T/x.json" || fail "malformed answers changed the export"

# a name nowhere in the evidence: flagged, never applied
"$BIN" --data "$D" annotate --full --llm "http://127.0.0.1:$PORT/flaky" --llm-model m2 >/dev/null 2>"$T/err" ||
    fail "annotate --llm (flaky) failed: $(tail -3 "$T/err")"
line=$(grep "annotate: llm" "$T/err") || fail "no llm summary: $(cat "$T/err")"
asked=$(sed -n 's/.*asked about \([0-9]*\) persons.*/\1/p' <<<"$line")
answered=$(sed -n 's/.*: \([0-9]*\) answered.*/\1/p' <<<"$line")
flagged=$(sed -n 's/.* \([0-9]*\) flagged.*/\1/p' <<<"$line")
[ "${asked:-0}" -ge 1 ] && [ "$answered" = "$asked" ] && [ "$flagged" = "$asked" ] || fail "flagging: $line"
"$BIN" --data "$D" export json --out "$T/x.json"
cmp -s "$T/rules.json" "$T/x.json" || fail "a flagged name changed the export"

# server stopped: the same questions come from the cache
kill "$FAKE"; wait "$FAKE" 2>/dev/null || true; FAKE=
"$BIN" --data "$D" annotate --full --llm "http://127.0.0.1:$PORT/flaky" --llm-model m2 >/dev/null 2>"$T/err" ||
    fail "annotate --llm (cached) failed: $(tail -3 "$T/err")"
grep -q "($asked from its cache)" "$T/err" || fail "cache: $(cat "$T/err")"
grep -q "cannot connect" "$T/err" && fail "asked the stopped server: $(cat "$T/err")"
echo "ok: annotate --llm: $asked persons asked; malformed -> rules stand; invented name flagged; re-run from the cache"
