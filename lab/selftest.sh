#!/usr/bin/env bash
# Lab self-check: brings up a lab with 3 receivers, sends a 20 MiB random file with
# udpcast from the server to all receivers and compares the copies, first without
# loss, then with 5% independent loss at every receiver. Tears the lab down on exit.
#   lab/selftest.sh [NAME]        (root; needs udpcast, iproute2, nftables)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="$here/lab.sh"
NAME=${1:-lst$$}; NAME=${NAME:0:8}
RECEIVERS=3
SIZE_MIB=20
RDV=239.77.0.1
DATA=239.77.0.2
LIMIT=120          # seconds, for every udpcast process

for t in udp-sender udp-receiver timeout cmp; do
  command -v "$t" >/dev/null || { echo "selftest: $t not found (scripts/setup-system.sh installs udpcast)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/imgcast-lab-selftest.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$LAB" down "$NAME" || true
  rm -rf "$work"
  if [ $rc -eq 0 ]; then echo "selftest: PASS"; else echo "selftest: FAIL (exit $rc)" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/in.bin"

"$LAB" up "$NAME" --receivers $RECEIVERS >/dev/null
"$LAB" info "$NAME"

tx_bytes() { "$LAB" stats "$NAME" s | awk '$1 == "iface" && $2 == "eth0" { print $8 }'; }

round() {  # round LABEL LOSS_PCT
  local label=$1 loss=$2 i ok=1 t0 t1 tx0 tx1
  for i in $(seq 1 $RECEIVERS); do "$LAB" loss "$NAME" "r$i" "$loss"; rm -f "$work/out$i.bin"; done
  local -a lossflags=()
  [ "$loss" = 0 ] || lossflags=(--min-wait 2 --rexmit-hello-interval 100)
  pids=()
  for i in $(seq 1 $RECEIVERS); do
    "$LAB" exec "$NAME" "r$i" -- timeout -k 5 $LIMIT udp-receiver --interface eth0 \
      --mcast-rdv-address $RDV --nokbd --start-timeout 60 \
      --file "$work/out$i.bin" >"$work/r$i-$label.log" 2>&1 &
    pids+=($!)
  done
  tx0=$(tx_bytes); t0=$(date +%s.%N)
  local src=0
  "$LAB" exec "$NAME" s -- timeout -k 5 $LIMIT udp-sender --interface eth0 --file "$work/in.bin" \
    --half-duplex --nopointopoint --mcast-data-address $DATA --mcast-rdv-address $RDV \
    --min-receivers $RECEIVERS --max-wait 30 --nokbd "${lossflags[@]}" \
    >"$work/s-$label.log" 2>&1 || src=$?
  local rrc=()
  for i in $(seq 1 $RECEIVERS); do
    local r=0; wait "${pids[$((i - 1))]}" || r=$?; rrc+=("$r")
  done
  pids=()
  t1=$(date +%s.%N); tx1=$(tx_bytes)
  for i in $(seq 1 $RECEIVERS); do
    if cmp -s "$work/in.bin" "$work/out$i.bin"; then echo "  r$i: identical (exit ${rrc[$((i - 1))]})"
    else echo "  r$i: DIFFERS or missing (exit ${rrc[$((i - 1))]})"; ok=0; sed 's/^/    r'"$i"': /' "$work/r$i-$label.log" | tail -n 5; fi
  done
  local dropped
  dropped=$(for i in $(seq 1 $RECEIVERS); do "$LAB" stats "$NAME" "r$i" | awk '$1 == "nft" { print $7 }'; done | paste -sd/)
  awk -v l="$label" -v s="$src" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
      -v w="$((tx1 - tx0))" -v f="$((SIZE_MIB * 1024 * 1024))" -v d="$dropped" \
      'BEGIN { printf "round %s: sender exit %s, %.1f s, sender wire %d bytes = %.3fx file, loss-dropped packets per receiver %s\n", l, s, t, w, w / f, d }'
  if [ "$src" -ne 0 ]; then echo "  sender log:"; tail -n 5 "$work/s-$label.log" | sed 's/^/    /'; ok=0; fi
  [ $ok -eq 1 ]
}

echo "selftest: round 1, no loss"
round clean 0
echo "selftest: round 2, 5% loss at each receiver"
round loss5 5
