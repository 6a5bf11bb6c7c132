#!/usr/bin/env bash
# Mixed images in one planned session: trees a, b and c of $CACHE/trees (bench/corpus.sh),
# captured into one store, served to six machines (two per image) in the namespace lab, one
# session (--min-machines 6) per run. Prints each run's wire ratio: the server's eth0 tx bytes
# over the store's pack bytes (the deduplicated union); target: at most 1.1 in every run.
# Needs root, iproute2, nftables, jq. Called by bench/cast-bench.sh; runs alone too.
#
#   bash bench/mixed-bench.sh [--runs N] [--loss PCT] [--rate BITS] [--per-image K]
#
# Output: one line per run ("mixed run I/N: wire W bytes, union U bytes, ratio R, S s,
# verified|FAILED, load L"), then one JSON line with every run's ratio and the load average.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$here")"
CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"
runs=5 loss=0 rate=950Mbit per=2
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --loss) loss=${2:?}; shift 2 ;;
    --rate) rate=${2:?}; shift 2 ;;
    --per-image) per=${2:?}; shift 2 ;;
    *) echo "mixed-bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "mixed-bench.sh: must run as root" >&2; exit 2; }
for t in a b c; do
  [ -f "$CACHE/trees/$t.done" ] || { echo "mixed-bench.sh: tree $t missing in $CACHE/trees (run bench/corpus.sh)" >&2; exit 2; }
done
imgcast="$repo/imgcast"
lab="mx$$"
work="$(mktemp -d /tmp/imgcast-mixed.XXXXXX)"
spid=""
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
  wait 2>/dev/null || true
  bash "$repo/lab/lab.sh" down "$lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP  # so that the EXIT trap tears the lab down when stopped
# diff -r cannot compare device nodes, fifos and sockets (it says they differ): those lines aside
same_tree() {
  local d
  d=$(diff -rq --no-dereference "$1" "$2" 2>&1 | grep -Ev 'is a (character special file|block special file|fifo|socket) while file .* is a (character special file|block special file|fifo|socket)$' || true)
  [ -z "$d" ] || { echo "differs: $(echo "$d" | head -n 3)" >&2; return 1; }
}
log() { echo "mixed-bench.sh: $*" >&2; }

"$imgcast" --version >/dev/null
for t in a b c; do "$imgcast" capture "$CACHE/trees/$t" --name "$t" --store "$work/store" -q; done
union=$("$imgcast" list --json --store "$work/store" | jq '.pack_bytes')
n=$((3 * per))
bash "$repo/lab/lab.sh" up "$lab" --receivers "$n" --loss "$loss" >/dev/null
tx() { ip netns exec "$lab-s" cat /sys/class/net/eth0/statistics/tx_bytes; }
ratios=()
for run in $(seq 1 "$runs"); do
  rm -rf "$work/t"; mkdir -p "$work/t"
  pids=()
  i=0
  for t in a b c; do
    for j in $(seq 1 "$per"); do
      i=$((i + 1))
      ip netns exec "$lab-r$i" "$imgcast" receive --server "https://10.77.1.1:8470/" --image "$t" --target "$work/t/r$i" \
        --interface eth0 --machine "r$i" --json --timeout 60 >"$work/r$i.json" 2>"$work/r$i.err" &
      pids+=($!)
    done
  done
  sleep $((2 + n / 2))
  tx0=$(tx); t0=$(date +%s.%N)
  ip netns exec "$lab-s" "$imgcast" serve --store "$work/store" --interface eth0 --listen 10.77.1.1:8470 --rate "$rate" \
    --min-machines "$n" --wait 30 --exit-after-idle 2 >"$work/s.out" 2>"$work/s.err" &
  spid=$!
  ok=verified
  for p in "${pids[@]}"; do wait "$p" || ok=FAILED; done
  t1=$(date +%s.%N)
  wait "$spid" || true
  spid=""
  tx1=$(tx)
  i=0
  for t in a b c; do
    for j in $(seq 1 "$per"); do
      i=$((i + 1))
      same_tree "$CACHE/trees/$t" "$work/t/r$i" || ok=FAILED
    done
  done
  wire=$((tx1 - tx0))
  ratio=$(awk -v w="$wire" -v u="$union" 'BEGIN { printf "%.3f", w / u }')
  ratios+=("$ratio")
  echo "mixed run $run/$runs: wire $wire bytes, union $union bytes, ratio $ratio, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, $ok, load $(cut -d' ' -f1 /proc/loadavg)"
done
printf '{"mixed_runs":%d,"loss_pct":%s,"union_bytes":%s,"wire_ratios":[%s],"max_ratio":%s,"load_average":"%s"}\n' \
  "$runs" "$loss" "$union" "$(IFS=,; echo "${ratios[*]}")" "$(printf '%s\n' "${ratios[@]}" | sort -g | tail -n 1)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
