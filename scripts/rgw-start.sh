#!/usr/bin/env bash
# rgw-start.sh — a throw-away Ceph cluster with one S3 gateway, for tests and
# benchmarks: one monitor, one memstore OSD (objects live in its memory), and
# radosgw with the beast frontend, all on 127.0.0.1, no systemd; cephx keys for
# every daemon in DIR/keyring (imported by the monitor's mkfs).
#
#   scripts/rgw-start.sh DIR              start everything in DIR (created; must be empty)
#   scripts/rgw-start.sh --gateway DIR    start only radosgw again (after rgw-stop.sh --gateway)
#
# On success DIR/env holds shell assignments for the caller to source:
#   RGW_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
# Stop it with scripts/rgw-stop.sh DIR (kills only the processes this script
# started, by the pids it wrote). Logs: DIR/log/. About 150 MB of memory.
set -euo pipefail

gateway_only=0
if [ "${1:-}" = "--gateway" ]; then gateway_only=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--gateway] DIR" >&2; exit 2; }
dir=$1
for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool ceph; do
  command -v "$t" >/dev/null || { echo "rgw-start: $t is missing (scripts/setup-deps.sh installs radosgw, ceph-mon, ceph-osd)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log() { [ -n "${RGW_QUIET:-}" ] || echo "rgw-start: $*" >&2; }

# radosgw answering on RGW_ENDPOINT: an S3 answer (x-amz-request-id) from the
# process this script started, not from anything else on that port
gateway_up() {
  curl --noproxy '*' -s --max-time 5 -o /dev/null -D - "$RGW_ENDPOINT/" 2>/dev/null | grep -qi '^x-amz-request-id:' &&
    kill -0 "$(cat "$dir/run/radosgw.pid")" 2>/dev/null
}

# start_gateway NEW_PORT_ON_CLASH: starts radosgw on the port in DIR/env. A
# port found free and bound again later can have been taken in between:
# radosgw then exits with EADDRINUSE (98), and a new port is chosen (DIR/ceph.conf
# and DIR/env are rewritten) if NEW_PORT_ON_CLASH is 1, else (a restart, whose
# clients keep the endpoint) the same port is tried again; five attempts.
start_gateway() {
  local attempt i port pid rc
  for attempt in 1 2 3 4 5; do
    # shellcheck disable=SC1091
    . "$dir/env"
    radosgw -c "$dir/ceph.conf" -n client.rgw -f >>"$dir/log/radosgw.out" 2>&1 &
    pid=$!
    echo $pid >"$dir/run/radosgw.pid"
    for i in $(seq 1 300); do
      gateway_up && return 0
      kill -0 $pid 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 $pid 2>/dev/null; then
      echo "rgw-start: radosgw did not answer on $RGW_ENDPOINT within 60 s; see $dir/log" >&2
      exit 1
    fi
    rc=0
    wait $pid || rc=$?
    if [ $rc -ne 98 ]; then
      echo "rgw-start: radosgw died (exit $rc); see $dir/log" >&2; tail -20 "$dir/log/radosgw.out" >&2; exit 1
    fi
    if [ "$1" = 1 ]; then
      port=$(free_port)
      log "port ${RGW_ENDPOINT##*:} was taken; gateway on 127.0.0.1:$port"
      sed -i "s|^rgw frontends = beast endpoint=127\.0\.0\.1:[0-9]*|rgw frontends = beast endpoint=127.0.0.1:$port|" "$dir/ceph.conf"
      sed -i "s|^RGW_ENDPOINT=.*|RGW_ENDPOINT=http://127.0.0.1:$port|" "$dir/env"
    else
      log "port ${RGW_ENDPOINT##*:} is busy; trying it again"
      sleep 2
    fi
  done
  echo "rgw-start: radosgw could not bind a port in 5 attempts; see $dir/log" >&2
  exit 1
}

if [ "$gateway_only" = 1 ]; then
  [ -f "$dir/env" ] || { echo "rgw-start: $dir holds no cluster" >&2; exit 2; }
  start_gateway 0
  exit 0
fi

mkdir -p "$dir"
[ -z "$(ls -A "$dir")" ] || { echo "rgw-start: $dir is not empty" >&2; exit 2; }
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/run" "$dir/log" "$dir/mon/a" "$dir/osd/0"
mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')

write_conf() {
cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
ms bind msgr1 = false
public addr = 127.0.0.1
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/mon/\$id
osd data = $dir/osd/\$id
keyring = $dir/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool delete = true
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon osd down out interval = 0
osd max object name len = 460
osd max object namespace len = 64
debug ms = 0
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/rgw
rgw dns name = localhost
rgw enable usage log = false
rgw thread pool size = 64
CONF
}
write_conf
mkdir -p "$dir/rgw"
conf=(-c "$dir/ceph.conf")

log "monitor on 127.0.0.1:$mon_port"
{
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *'
  ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *'
  ceph-authtool "$dir/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd'
  ceph-authtool "$dir/keyring" --gen-key -n client.rgw --cap mon 'allow rw' --cap osd 'allow rwx'
} >/dev/null
# The monitor's port was found free above and is bound again here: when
# something took it in between, the monitor starts again on a new one.
for attempt in 1 2 3 4 5; do
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon "${conf[@]}" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring" >"$dir/log/mon-mkfs.out" 2>&1
  if ceph-mon "${conf[@]}" -i a >"$dir/log/mon.out" 2>&1 && ceph "${conf[@]}" --connect-timeout 30 -s >/dev/null; then
    break
  fi
  if [ "$attempt" = 5 ] || ! cat "$dir/log/mon.out" "$dir/log/mon.a.log" 2>/dev/null | grep -qi 'address already in use'; then
    echo "rgw-start: the monitor did not start; see $dir/log" >&2; tail -20 "$dir/log/mon.out" >&2; exit 1
  fi
  [ -f "$dir/run/mon.a.pid" ] && { kill -KILL "$(cat "$dir/run/mon.a.pid")" 2>/dev/null || true; rm -f "$dir/run/mon.a.pid"; }
  rm -rf "$dir/mon/a" && mkdir -p "$dir/mon/a"
  mon_port=$(free_port)
  log "that port was taken; monitor on 127.0.0.1:$mon_port"
  write_conf
done

log "memstore OSD"
osd_uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
osd_id=$(ceph "${conf[@]}" osd new "$osd_uuid")
[ "$osd_id" = 0 ] || { echo "rgw-start: expected osd 0, got $osd_id" >&2; exit 1; }
ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1
ceph-osd "${conf[@]}" -i 0 >"$dir/log/osd.out" 2>&1
for i in $(seq 1 150); do
  ceph "${conf[@]}" osd stat 2>/dev/null | grep -q '1 up' && break
  sleep 0.2
done
ceph "${conf[@]}" osd stat | grep -q '1 up' || { echo "rgw-start: the OSD did not come up; see $dir/log" >&2; exit 1; }

log "user and gateway on 127.0.0.1:$rgw_port"
access=$(python3 -c 'import secrets; print("FT" + secrets.token_hex(9).upper())')
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
radosgw-admin "${conf[@]}" user create --uid=facetag --display-name=facetag \
  --access-key="$access" --secret-key="$secret" >"$dir/log/user.out" 2>&1 ||
  { echo "rgw-start: radosgw-admin user create failed" >&2; tail -20 "$dir/log/user.out" >&2; exit 1; }
cat >"$dir/env" <<ENV
RGW_DIR=$dir
RGW_ENDPOINT=http://127.0.0.1:$rgw_port
AWS_ACCESS_KEY_ID=$access
AWS_SECRET_ACCESS_KEY=$secret
ENV
start_gateway 1
log "up: $RGW_ENDPOINT"
