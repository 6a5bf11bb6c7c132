#!/usr/bin/env bash
# Swarm benchmark: one real server (imgcast serve) streaming one tree image to N simulated
# machines in the namespace lab (lab/lab.sh). The machines' state runs in a few harness processes
# (io.imgcast.swarm.SwarmHarness, one per receiver namespace): each machine joins over the real
# HTTP control API, takes the real multicast datagrams through its own independent loss, posts
# real feedback and says done. Not part of the test suite. Needs root, iproute2, nftables, jq, curl.
#
#   bash bench/swarm.sh --machines N [--loss PCT] [--procs P] [--size MIB] [--rate BITS]
#                       [--period-ms MS] [--limit SECONDS] [--keep]
#
#   --machines N   simulated machines (default 10)
#   --loss PCT     each machine's own independent loss in % (default 1)
#   --procs P      harness processes, one per receiver namespace (default 2)
#   --size MIB     image size: random (incompressible) files (default 16)
#   --rate BITS    serve --rate (default 20Mbit: what the harness fans out to 500 machines per
#                  process on a shared 2-core machine without overrunning its sockets)
#   --period-ms MS each machine's feedback period (default 100, the receiver's own)
#   --limit S      bound for the session (default 600)
#
# Prints progress to stderr and, last, one JSON line: machines, loss_pct, wire_ratio (bytes the
# server's streams sent over the image's stored bytes), server_cpu_seconds (the serve process:
# control plane and senders), seconds (first join to the last machine's done), verified (every
# machine done, every chunk decoded and checked by id in each harness, sampled machines decoding
# under their own loss), feedback_requests, feedback_per_second, load_average.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$here")"
machines=10 loss=1 procs=2 size=16 rate=20Mbit period=100 limit=600 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --machines) machines=${2:?}; shift 2 ;;
    --loss) loss=${2:?}; shift 2 ;;
    --procs) procs=${2:?}; shift 2 ;;
    --size) size=${2:?}; shift 2 ;;
    --rate) rate=${2:?}; shift 2 ;;
    --period-ms) period=${2:?}; shift 2 ;;
    --limit) limit=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "swarm.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$machines" =~ ^[0-9]+$ && "$machines" -ge 1 && "$machines" -le 1024 ]] || { echo "swarm.sh: --machines 1..1024" >&2; exit 2; }
[[ "$procs" =~ ^[0-9]+$ && "$procs" -ge 1 && "$procs" -le 8 ]] || { echo "swarm.sh: --procs 1..8" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "swarm.sh: must run as root (network namespaces)" >&2; exit 2; }
for c in ip nft jq curl; do command -v $c >/dev/null || { echo "swarm.sh: $c not found" >&2; exit 2; }; done

lab="sw$$"
work="$(mktemp -d /tmp/imgcast-swarm.XXXXXX)"
server_pid=""
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  bash "$repo/lab/lab.sh" down "$lab" >/dev/null 2>&1 || true
  [ "$keep" = 1 ] && echo "swarm.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP  # so that the EXIT trap tears the lab down when stopped

log() { echo "swarm.sh: $*" >&2; }
imgcast="$repo/imgcast"
"$imgcast" --version >/dev/null
( cd "$repo" && source scripts/jdk.sh && mvn -o -B -q test-compile >/dev/null )
source "$repo/scripts/jdk.sh"
cp="$repo/target/test-classes:$repo/target/classes:$repo/target/lib/*"

# the image: random files (incompressible, so the store holds what the wire carries)
log "making a ${size} MiB tree"
mkdir -p "$work/tree"
files=$(( size * 4 ))
for i in $(seq 1 "$files"); do head -c $(( 256 * 1024 )) /dev/urandom > "$work/tree/f$i"; done
"$imgcast" capture "$work/tree" --name swarm --store "$work/store" -q
stored=$("$imgcast" list --store "$work/store" --json | jq '[.. | objects | select(.name? == "swarm") | (.stored_bytes // .unique_bytes // .stored // empty)] | first')
[ -n "$stored" ] && [ "$stored" != null ] || { log "cannot read the image's stored size"; "$imgcast" list --store "$work/store" --json >&2; exit 1; }

bash "$repo/lab/lab.sh" up "$lab" --receivers "$procs" >/dev/null
# source addresses: the server admits 32 machines per address
per=$(( (machines + procs - 1) / procs ))
naddr=$(( (per + 31) / 32 ))
declare -a sources
for p in $(seq 1 "$procs"); do
  list=""
  for a in $(seq 1 "$naddr"); do
    addr="10.77.1.$(( 100 + (p - 1) * naddr + a ))"
    ip -n "$lab-r$p" addr add "$addr/32" dev eth0
    list="${list:+$list,}$addr"
  done
  sources[$p]="$list"
done

log "serving $machines machines at $rate ($(( size )) MiB, $stored stored bytes), loss ${loss}% each"
ip netns exec "$lab-s" "$imgcast" serve --interface eth0 --store "$work/store" --insecure-http --listen 10.77.1.1:8470 \
  --rate "$rate" --min-machines "$machines" --wait "$limit" --machine-timeout 60 > "$work/serve.log" 2>&1 &
server_pid=$!
for i in $(seq 1 100); do
  ip netns exec "$lab-r1" curl -s -o /dev/null http://10.77.1.1:8470/api/v1/status && break
  sleep 0.3
done

t0=$(date +%s.%N)
left=$machines
for p in $(seq 1 "$procs"); do
  n=$(( left < per ? left : per ))
  left=$(( left - n ))
  [ "$n" -gt 0 ] || continue
  ip netns exec "$lab-r$p" "$JAVA_HOME/bin/java" -Xmx3g -cp "$cp" io.imgcast.swarm.SwarmHarness \
    --server http://10.77.1.1:8470/ --image swarm --machines "$n" --loss "$(awk -v l="$loss" 'BEGIN{print l/100}')" \
    --name "p$p" --interface eth0 --sources "${sources[$p]}" --period-ms "$period" --limit "$limit" \
    > "$work/harness-$p.json" 2> "$work/harness-$p.log" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
t1=$(date +%s.%N)
status=$(ip netns exec "$lab-r1" curl -s http://10.77.1.1:8470/api/v1/status || echo '{}')
echo "$status" > "$work/status.json"
tck=$(getconf CLK_TCK)
cpu=0
for pid in $server_pid $(pgrep -P "$server_pid" || true); do
  [ -r "/proc/$pid/stat" ] || continue
  c=$(awk -v t="$tck" '{ sub(/^.*\) /, ""); print ($12 + $13) / t }' "/proc/$pid/stat")
  cpu=$(awk -v a="$cpu" -v b="$c" 'BEGIN { print a + b }')
done
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

wire=$(echo "$status" | jq '[.streams[]?.bytes] | add // 0')
done_n=0 verified=true requests=0
for p in $(seq 1 "$procs"); do
  f="$work/harness-$p.json"
  line=$(tail -n 1 "$f" 2>/dev/null || true)
  if [ -z "$line" ]; then verified=false; log "harness $p printed nothing:"; tail -n 20 "$work/harness-$p.log" >&2; continue; fi
  log "harness $p: $line"
  done_n=$(( done_n + $(echo "$line" | jq .done) ))
  requests=$(( requests + $(echo "$line" | jq .feedback_requests) ))
  [ "$(echo "$line" | jq .verified)" = true ] || verified=false
done
[ "$done_n" -eq "$machines" ] || verified=false
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
jq -cn --argjson machines "$machines" --argjson loss "$loss" --argjson wire "$wire" --argjson stored "$stored" \
  --argjson cpu "$cpu" --argjson secs "$secs" --argjson verified "$verified" --argjson requests "$requests" \
  --argjson done "$done_n" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg rate "$rate" \
  '{machines: $machines, loss_pct: $loss, wire_ratio: (if $stored > 0 then ($wire / $stored * 1000 | round / 1000) else null end),
    wire_bytes: $wire, stored_bytes: $stored, server_cpu_seconds: $cpu, seconds: $secs,
    server_cores: (if $secs > 0 then ($cpu / $secs * 100 | round / 100) else null end),
    feedback_requests: $requests, feedback_per_second: (if $secs > 0 then ($requests / $secs | round) else null end),
    done: $done, verified: $verified, rate: $rate, load_average: $load}'
