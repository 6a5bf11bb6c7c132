#!/usr/bin/env bash
# The cost of the trust measures, apart from the deployment benchmark (bench/cast-bench.sh, which
# measures whole deployments with them on):
#   1. per datagram: the SipHash-2-4 tag, the receiver's whole check, and AES-128-GCM (--encrypt)
#      of one full symbol datagram, under the launcher's compiler settings (C1 only, as imgcast
#      runs) and under the JDK's default (C2), for comparison;
#   2. the control port: a TLS 1.3 handshake against plain HTTP (curl, a new connection per
#      request: time to the first byte of a status reply), and whole receives of a small tree
#      from `serve` with TLS and tokens against `serve --insecure-http`, in a lab of one receiver.
# Records the load average before and after: on a shared machine the figures are disturbed.
# Needs root (the lab), curl, python3 is not needed. Prints a report (markdown) and keeps it in
# OUT (default: a new directory under /tmp).
#
#   bench/trust-cost.sh [--runs N] [--requests N] [--size MIB] [--seconds S] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
runs=3 requests=20 size=16 seconds=2 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "trust-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "trust-cost.sh: must run as root (the lab)" >&2; exit 2; }
command -v curl >/dev/null || { echo "trust-cost.sh: needs curl" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/trust-cost.XXXXXX)}
mkdir -p "$out"
lab="tc$((RANDOM % 100000))"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  "$repo/lab/lab.sh" down "$lab" >/dev/null 2>&1 || true
  rm -rf "$out/work"
}
trap cleanup EXIT INT TERM
log() { echo "[trust-cost $(date +%H:%M:%S)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print a[int((NR + 1) / 2)]}'; }

cd "$repo"
source scripts/jdk.sh
load0=$(loadavg)
log "load average at start: $load0 ($(nproc) cores)"
mvn -o -B -q test-compile >/dev/null
cp="$repo/target/classes:$repo/target/test-classes"
# the launcher's options (./imgcast): C1 only
launcher_opts=(-XX:+UseParallelGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:CompileThresholdScaling=3)

report="$out/report.md"
{
  echo "# Cost of the trust measures ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD))"
  echo
  echo "Load average at start: $load0 on $(nproc) cores."
  echo
  echo "## Per datagram (µs per full symbol datagram; median and best of 7 rounds)"
  echo
  echo "| measure | launcher (C1) median | best | JDK default (C2) median | best |"
  echo "| --- | --- | --- | --- | --- |"
} >"$report"
log "per-datagram costs, ${seconds}s per measure"
"$JAVA_HOME/bin/java" "${launcher_opts[@]}" -cp "$cp" io.imgcast.cast.DatagramCost "$seconds" >"$out/datagram-c1.tsv"
"$JAVA_HOME/bin/java" -XX:+UseParallelGC -cp "$cp" io.imgcast.cast.DatagramCost "$seconds" >"$out/datagram-c2.tsv"
join -t $'\t' <(grep -v '^#' "$out/datagram-c1.tsv" | sort) <(grep -v '^#' "$out/datagram-c2.tsv" | sort) \
  | awk -F'\t' '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}' >>"$report"

log "control port: lab $lab with one receiver"
mkdir -p "$out/work/src" "$out/logs"
"$repo/lab/lab.sh" up "$lab" --receivers 1 >/dev/null
for i in 1 2 3 4; do head -c $((size * 1024 * 256)) /dev/urandom >"$out/work/src/f$i.bin"; done
"$repo/imgcast" capture "$out/work/src" --name t --store "$out/work/store" -q >/dev/null
ns_s="$lab-s" ns_r="$lab-r1" addr=10.77.1.1

start_server() { # MODE: tls | plain
  local extra=()
  [ "$1" = plain ] && extra=(--insecure-http)
  ip netns exec "$ns_s" "$repo/imgcast" serve --store "$out/work/store" --interface eth0 --listen "$addr:8470" \
    --state "$out/work/state-$1" ${extra[@]+"${extra[@]}"} >"$out/logs/serve-$1.log" 2>&1 &
  server_pid=$!
  local scheme=https; [ "$1" = plain ] && scheme=http
  for _ in $(seq 1 300); do
    ip netns exec "$ns_r" curl -sk -o /dev/null --max-time 2 "$scheme://$addr:8470/api/v1/status" && return 0
    sleep 0.2
  done
  echo "trust-cost.sh: the server did not answer ($1):" >&2; cat "$out/logs/serve-$1.log" >&2; exit 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

declare -A first_byte connect receive_s receive_cpu
for mode in tls plain; do
  scheme=https; [ "$mode" = plain ] && scheme=http
  start_server "$mode"
  log "$mode: $requests status requests, each on a new connection"
  for _ in $(seq 1 "$requests"); do
    ip netns exec "$ns_r" curl -sk -o /dev/null --max-time 10 -w '%{time_connect} %{time_appconnect} %{time_starttransfer}\n' \
      "$scheme://$addr:8470/api/v1/status"
  done >"$out/requests-$mode.txt"
  first_byte[$mode]=$(awk '{print $3 * 1000}' "$out/requests-$mode.txt" | median)
  connect[$mode]=$(awk '{print ($2 > 0 ? $2 : $1) * 1000}' "$out/requests-$mode.txt" | median)
  extra=(); [ "$mode" = plain ] && extra=(--insecure-http)
  for run in $(seq 1 "$runs"); do
    log "$mode: receive $run of $runs"
    rm -rf "$out/work/target"
    ip netns exec "$ns_r" /usr/bin/time -f '%U %S' -o "$out/time-$mode-$run.txt" timeout 120 "$repo/imgcast" receive \
      --server "$scheme://$addr:8470/" --image t --target "$out/work/target" --interface eth0 --machine r1 --json \
      --timeout 60 ${extra[@]+"${extra[@]}"} >"$out/receive-$mode-$run.json" 2>"$out/logs/receive-$mode-$run.err" \
      || { echo "trust-cost.sh: receive failed ($mode, run $run):" >&2; cat "$out/logs/receive-$mode-$run.err" >&2; exit 1; }
  done
  stop_server
  receive_s[$mode]=$(for f in "$out"/receive-$mode-*.json; do sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$f" | tail -1; done | median)
  receive_cpu[$mode]=$(for f in "$out"/time-$mode-*.txt; do tail -1 "$f" | awk '{print $1 + $2}'; done | median)
done
load1=$(loadavg)
{
  echo
  echo "## Control port (medians; one receiver in a namespace lab, loopback-speed veth)"
  echo
  echo "| | TLS and tokens | --insecure-http |"
  echo "| --- | --- | --- |"
  echo "| connection set up (TCP, and TLS 1.3 handshake), ms | ${connect[tls]} | ${connect[plain]} |"
  echo "| first byte of a status reply on a new connection, ms | ${first_byte[tls]} | ${first_byte[plain]} |"
  echo "| receive of a ${size} MiB tree, s (the receiver's own figure) | ${receive_s[tls]} | ${receive_s[plain]} |"
  echo "| receiver CPU (user + system), s | ${receive_cpu[tls]} | ${receive_cpu[plain]} |"
  echo
  echo "Load average at the end: $load1. $runs receives and $requests requests per mode."
} >>"$report"
cat "$report"
log "report: $report"
