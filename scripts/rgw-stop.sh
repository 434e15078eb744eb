#!/usr/bin/env bash
# rgw-stop.sh — stops what scripts/rgw-start.sh DIR started, by the pids it
# wrote, and removes DIR.   --gateway: stop only radosgw (kill -9, as a crash
# would), keep the cluster and DIR, so rgw-start.sh --gateway can bring it back.
set -uo pipefail
gateway_only=0
if [ "${1:-}" = "--gateway" ]; then gateway_only=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--gateway] DIR" >&2; exit 2; }
dir=$1
[ -d "$dir/run" ] || exit 0

stop_pidfile() { # stop_pidfile FILE SIGNAL
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  [ -n "$pid" ] || return 0
  kill "-$2" "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
  local i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$1"
}

if [ "$gateway_only" = 1 ]; then
  stop_pidfile "$dir/run/radosgw.pid" KILL
  exit 0
fi
stop_pidfile "$dir/run/radosgw.pid" TERM
stop_pidfile "$dir/run/osd.0.pid" TERM
stop_pidfile "$dir/run/mon.a.pid" TERM
rm -rf "$dir"
