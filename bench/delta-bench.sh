#!/usr/bin/env bash
# Delta re-imaging: one machine whose target holds tree a receives tree b (bench/corpus.sh's
# trees, one store) at LOSS% loss. Prints the wire over b's new data (its stored bytes that a
# does not have: `imgcast info b`'s unique_stored_bytes); target: at most 1.2. Needs root,
# iproute2, nftables, jq.
#
#   bash bench/delta-bench.sh [--loss PCT] [--runs N] [--from a] [--to b]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$here")"
CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"
loss=1 runs=1 from=a to=b
while [ $# -gt 0 ]; do
  case "$1" in
    --loss) loss=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --from) from=${2:?}; shift 2 ;;
    --to) to=${2:?}; shift 2 ;;
    *) echo "delta-bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "delta-bench.sh: must run as root" >&2; exit 2; }
imgcast="$repo/imgcast"
lab="dl$$"
work="$(mktemp -d /tmp/imgcast-delta.XXXXXX)"
# diff -r cannot compare device nodes, fifos and sockets (it says they differ): those lines aside
same_tree() {
  local d
  d=$(diff -rq --no-dereference "$1" "$2" 2>&1 | grep -Ev 'is a (character special file|block special file|fifo|socket) while file .* is a (character special file|block special file|fifo|socket)$' || true)
  [ -z "$d" ] || { echo "differs: $(echo "$d" | head -n 3)" >&2; return 1; }
}
cleanup() { jobs -p | xargs -r kill 2>/dev/null || true; wait 2>/dev/null || true
  bash "$repo/lab/lab.sh" down "$lab" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 143' INT TERM HUP  # so that the EXIT trap tears the lab down when stopped
for t in "$from" "$to"; do "$imgcast" capture "$CACHE/trees/$t" --name "$t" --store "$work/store" -q; done
new=$("$imgcast" info "$to" --json --store "$work/store" | jq '.unique_stored_bytes')
bash "$repo/lab/lab.sh" up "$lab" --receivers 1 >/dev/null
tx() { ip netns exec "$lab-s" cat /sys/class/net/eth0/statistics/tx_bytes; }
session() {  # IMAGE -> wire bytes; receiver JSON in $work/r.json
  ip netns exec "$lab-r1" "$imgcast" receive --server "https://10.77.1.1:8470/" --image "$1" --target "$work/target" \
    --interface eth0 --machine r1 --json --timeout 60 >"$work/r.json" 2>"$work/r.err" &
  local rp=$!
  sleep 2
  local t0; t0=$(tx)
  ip netns exec "$lab-s" "$imgcast" serve --store "$work/store" --interface eth0 --listen 10.77.1.1:8470 \
    --min-machines 1 --wait 30 --exit-after-idle 2 >"$work/s.out" 2>&1 &
  local sp=$!
  wait "$rp"; wait "$sp" || true
  echo $(( $(tx) - t0 ))
}
for run in $(seq 1 "$runs"); do
  rm -rf "$work/target"
  bash "$repo/lab/lab.sh" loss "$lab" r1 0 >/dev/null
  session "$from" >/dev/null
  bash "$repo/lab/lab.sh" loss "$lab" r1 "$loss" >/dev/null
  wire=$(session "$to")
  ok=$(jq -r '.ok' "$work/r.json")
  same_tree "$CACHE/trees/$to" "$work/target" || ok=false
  echo "delta run $run/$runs: $from -> $to at $loss% loss: wire $wire bytes, new data $new bytes, ratio $(awk -v w="$wire" -v n="$new" 'BEGIN { printf "%.3f", w / n }'), ok $ok, $(jq -c '{received_chunks, reused_chunks, loss, error}' "$work/r.json" 2>/dev/null), load $(cut -d' ' -f1 /proc/loadavg)"
done
