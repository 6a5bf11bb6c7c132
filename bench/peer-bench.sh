#!/usr/bin/env bash
# Peer-to-peer deployment benchmark: `imgcast send` (master reads the raw image itself, no
# store, no capture) against `udp-sender --file`, both in the namespace lab (lab/lab.sh), in
# the same lab and the same run. Not part of the test suite. Needs root, udpcast, iproute2,
# nftables, e2fsprogs, jq (scripts/setup-system.sh installs them).
#
#   bench/peer-bench.sh [--runs N] [--size SIZE] [--receivers "1 4 8"] [--loss "0 5"]
#                       [--quick] [options below]
#
#   --runs N          runs per figure; medians are reported (default 3)
#   --size SIZE       volume size, as for mkfs.ext4: 512M, 1G ... (default 1G)
#   --receivers LIST  receiver counts (default "1 4 8")
#   --loss LIST       random loss in % at every receiver (default "0 5")
#   --quick           validation: --size 64M --receivers "1 2" --loss "0 5" --runs 1;
#                     options given explicitly win
#   --imgcast PATH    imgcast launcher (default: a private copy of the repository's build)
#   --limit SECONDS   bound for every tool process (default 120 s + 0.5 s per MiB)
#   --name NAME       lab name (default pb<pid>)
#   --keep            keep the work dir (logs of every run)
#   --only TOOL       run only imgcast or only udpcast (quick experiments; no ratios)
#   --settle SECONDS  pause between starting receivers and the sender (default 0.5 for
#                     udpcast, 2 + N/2 for imgcast, whose receivers are JVMs)
#   --rate BITS       imgcast send --rate in bits/s, e.g. 950Mbit (default: none given, imgcast's default)
#   --udp-rate BITS   udp-sender --max-bitrate (default: none, udpcast's default)
#   --lab-rate RATE   lab.sh up --rate (tbf on every link, e.g. 1gbit; default: none)
#
# What is measured:
#   One ext4 volume image of SIZE, made with mkfs.ext4 -q -d TREE from $CACHE/trees/c (a
#   Debian buildd tree of bench/corpus.sh; /usr when absent; a subset of it when it does not
#   fit), cached in $CACHE/cast (the same file bench/cast-bench.sh uses for that size).
#   N receivers, loss P% at each (independent, nftables in the lab), writing to fresh files
#   in /dev/shm.
#   udpcast: udp-sender --file VOLUME (the raw bytes) with --half-duplex --nopointopoint,
#     pinned --mcast-data-address/--mcast-rdv-address, --min-receivers N --max-wait 30, and
#     under loss --min-wait 2 --rexmit-hello-interval 100 (see /work/shared/LAB-NOTES.md);
#     receivers: udp-receiver --file.
#   imgcast: receivers `imgcast receive --from-peer --target FILE --interface eth0 --json
#     --timeout 60` (plus --machine rI when this build's receive has it: the lab's
#     namespaces share one host name), then the master `imgcast send VOLUME --interface eth0
#     --min-receivers N --wait 60 --json` in the server namespace. The master reads and
#     hashes the raw image itself: that is part of imgcast's time.
#   Time: from starting the sender (udp-sender / imgcast send, JVM start included) to the
#     exit of the last receiver. Receivers start first (settle pause, untimed).
#   Wire: tx_bytes of NAME-s eth0 before the sender starts and after it exited (data,
#     repairs, announcements, control). Receivers' tx: the sum of the receivers' eth0
#     tx_bytes over the run (answers, NAKs, and anything receivers send each other).
#   kdrops: UDP receive-buffer overflows (RcvbufErrors) summed over the receivers' namespaces.
#   Verified: every copy compared with cmp against the volume (exit codes are not enough);
#     imgcast receivers must also exit 0 with JSON "ok": true. The master's exit code and
#     JSON are checked and reported as notes. Medians over verified runs only; failed runs
#     are counted and listed.
# Markdown tables go to stdout (and RESULTS/report.md); progress to stderr. Raw samples,
# JSON summaries, logs of failed runs and the report stay in $CACHE/peer-results/<time>/.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
BENCH=peer
# shellcheck source=bench/lib.sh
. "$here/lib.sh"   # also sets repo, CACHE, LABSH

RUNS=""; SIZE=""; RECEIVERS=""; LOSSES=""; QUICK=0
RATE=""; UDP_RATE=""; LAB_RATE=""; LIMIT=""; SETTLE=""; IMGCAST=""
LABNAME="pb$$"; LABNAME="${LABNAME:0:8}"; KEEP=0
TARGETS=""   # no --targets here: receivers write to /dev/shm (bench_init)

while [ $# -gt 0 ]; do
  if common_option "$@"; then shift "$OPT_SHIFT"; continue; fi   # the options of lib.sh
  usage >&2; die "unknown argument: $1"
done
if [ "$QUICK" = 1 ]; then
  : "${RUNS:=1}" "${SIZE:=64M}" "${RECEIVERS:=1 2}" "${LOSSES:=0 5}"
else
  : "${RUNS:=3}" "${SIZE:=1G}" "${RECEIVERS:=1 4 8}" "${LOSSES:=0 5}"
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
for n in $RECEIVERS; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "bad receiver count '$n'"; done
for l in $LOSSES; do [[ "$l" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad loss '$l'"; done
[ -n "$RECEIVERS" ] && [ -n "$LOSSES" ] || die "--receivers and --loss must not be empty"
parse_size
[[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "--limit must be a positive integer (seconds)"
[ -z "$SETTLE" ] || [[ "$SETTLE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad --settle '$SETTLE'"
[[ "$LABNAME" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "bad lab name '$LABNAME'"

need_tools udp-sender udp-receiver mkfs.ext4 dumpe2fs jq cmp tar timeout ip nft numfmt flock

# Multicast groups and ports (inside the lab only). udpcast: pinned in lib.sh (UDP_RDV,
# UDP_DATA, UDP_PORTBASE). imgcast: the defaults of send/receive --from-peer (announce group
# 239.77.0.254:9099, send's data group and control port), which differ from udpcast's.
RECV_TIMEOUT=60      # imgcast receive --timeout
MASTER_WAIT=60       # imgcast send --wait

# ---------------------------------------------------------------- work dirs, cleanup
# RESULTS, WORK, TGT_ROOT (/dev/shm), RAW, META; the traps (cleanup of lib.sh)
bench_init n loss run tool ok secs wire rtx kdrops note load1 cpu_s cpu_r

# ---------------------------------------------------------------- helpers
oneline() { printf '%s' "$1" | tr '\t\n' '  '; }   # oneline TEXT: for one TSV field

# ---------------------------------------------------------------- imgcast build snapshot
# Others may rebuild target/ while we run: we run a private copy of one build.
if [ -z "$IMGCAST" ]; then
  imgcast_snapshot
  IMGCAST_REPO="$repo"
else
  [ -x "$IMGCAST" ] || die "--imgcast $IMGCAST is not executable"
  IMGCAST="$(readlink -f "$IMGCAST")"
  "$IMGCAST" --version >/dev/null || die "$IMGCAST --version failed"
  IMGCAST_REPO="$(dirname "$IMGCAST")"
  JAR_SHA=$(sha256sum "$IMGCAST_REPO"/target/imgcast-*.jar 2>/dev/null | awk '{ print substr($1, 1, 12) }' | head -n1)
  JAR_SHA="${JAR_SHA:-?} (launcher $IMGCAST)"
fi
imgcast_describe "$IMGCAST_REPO"

# The peer-to-peer CLI this benchmark needs. Without it the imgcast runs fail (and are
# reported as failed); the udpcast half still runs.
HAVE_PEER=1
if ! "$IMGCAST" send --help >/dev/null 2>&1; then
  HAVE_PEER=0; log "WARNING: $IMGCAST has no 'send' command: every imgcast run will fail"
fi
RECV_HELP=$("$IMGCAST" receive --help 2>&1 || true)
if ! grep -q -- '--from-peer' <<<"$RECV_HELP"; then
  HAVE_PEER=0; log "WARNING: $IMGCAST receive has no --from-peer: every imgcast run will fail"
fi
# all lab namespaces share one UTS namespace (one host name): name receivers when possible
RECV_MACHINE=0; grep -q -- '--machine' <<<"$RECV_HELP" && RECV_MACHINE=1

# ---------------------------------------------------------------- input (cached)
exec 8>"$CACHE/cast/.lock"   # held while building cached inputs (shared with cast-bench)

# the volume: prepare_volume of lib.sh (VOL, VOL_DESC, VOL_USED)

# ---------------------------------------------------------------- one measurement per tool
# udpcast: the raw file to r1..rN (udpcast_volume of lib.sh); kdrops and receivers' tx from
# before the receivers started.
run_udpcast() {  # N LOSS RUN
  local n=$1 loss=$2 run=$3
  new_run_dir "udpcast-n$n-l$loss-$run"
  udpcast_volume "$n" "$loss"
  sample "$n" "$loss" "$run" udpcast "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_RTX" "$UDP_KD" "$(oneline "${UDP_NOTE%; }")"
  [ "$UDP_OK" = 1 ] || keep_logs
  log_run udpcast "$n" "$loss" "$run" "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_KD" "$UDP_NOTE"
}

# master_check N: the master's exit code and JSON summary; prints a note when not ok
master_check() {
  local n=$1 rc js got bad
  rc=$(cat "$RUN_DIR/s.rc" 2>/dev/null || echo '?')
  js=$(json_last "$RUN_DIR/s.out")
  if [ "$rc" != 0 ]; then
    echo "send exit $rc: $( (jq -r '[.receivers[]? | select(.error != null) | "\(.machine): \(.state) \(.error)"] | join(", ")' <<<"$js" 2>/dev/null || true) | head -c 300) $(grep -v '^\s*$' "$RUN_DIR/s.err" 2>/dev/null | tail -n 2 | tr '\n' ' ')"
    return 1
  fi
  if [ -z "$js" ]; then echo "send exit 0 but no JSON summary on stdout"; return 1; fi
  if [ "$(jq -r '.ok' <<<"$js")" != true ]; then echo "send exit 0 but JSON ok=$(jq -r '.ok' <<<"$js")"; return 1; fi
  got=$(jq -r '.receivers | length' <<<"$js" 2>/dev/null || echo '?')
  [ "$got" = "$n" ] || { echo "send summary lists $got receivers, not $n"; return 1; }
  bad=$(jq -r '[.receivers[] | select(.error != null)] | length' <<<"$js" 2>/dev/null || echo '?')
  [ "$bad" = 0 ] || { echo "send summary: $bad receivers with an error"; return 1; }
}

# imgcast: N peer receivers, then the master reading the raw volume.
run_imgcast() {  # N LOSS RUN
  local n=$1 loss=$2 run=$3 i
  new_run_dir "imgcast-n$n-l$loss-$run"
  local tgt="$TGT_ROOT/imgcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local rateflags=(); [ -z "$RATE" ] || rateflags=(--rate "$RATE")
  local pids=() tags=() b0 rtx0 mflags
  b0=$(rcvbuf_each "$n"); rtx0=$(rtx_bytes "$n")
  for ((i = 1; i <= n; i++)); do
    mflags=(); [ "$RECV_MACHINE" = 0 ] || mflags=(--machine "r$i")
    bg_run "r$i" "$LABNAME-r$i" "$IMGCAST" receive --from-peer --target "$tgt/r$i.img" --interface eth0 \
      "${mflags[@]}" --timeout "$RECV_TIMEOUT" --json
    pids+=("$LAST_PID"); tags+=("r$i")
  done
  sleep "${SETTLE:-$(awk -v n="$n" 'BEGIN { print 2 + n / 2 }')}"
  local tx0 t0; tx0=$(tx_bytes); t0=$(now)
  bg_run s "$LABNAME-s" "$IMGCAST" send "$VOL" --interface eth0 --min-receivers "$n" --wait "$MASTER_WAIT" \
    "${rateflags[@]}" --json
  local spid=$LAST_PID
  for i in "${pids[@]}"; do join_pid "$i"; done
  local secs; secs=$(fsub "$(max_end "${tags[@]}")" "$t0")
  local note="" bad
  join_or_stop "$spid" 30 "$LABNAME-s" || note+="send still running 30 s after the last receiver, stopped; "
  local tx1 b1 rtx1; tx1=$(tx_bytes); b1=$(rcvbuf_each "$n"); rtx1=$(rtx_bytes "$n")
  bad=$(master_check "$n") || note+="$bad; "
  local ok=1
  for ((i = 1; i <= n; i++)); do
    if ! bad=$(imgcast_check "$i"); then ok=0; note+="$bad; "
    elif ! cmp -s "$VOL" "$tgt/r$i.img"; then ok=0; note+="r$i exit 0 but copy DIFFERS ($(cmp "$VOL" "$tgt/r$i.img" 2>&1 | head -n1)); "; fi
  done
  rm -rf "$tgt"
  # JSON summaries: master (one line per run) and receivers (+ namespace RcvbufErrors)
  local label="n$n-l$loss-$run" js
  js=$(json_last "$RUN_DIR/s.out")
  [ -z "$js" ] || jq -c --arg run "$label" '{run: $run} + .' <<<"$js" >>"$RESULTS/imgcast-master.jsonl" 2>/dev/null || true
  save_receiver_json "$label" "$b0" "$b1" $(seq 1 "$n")
  local kd=$(( $(sum_words "$b1") - $(sum_words "$b0") ))
  sample "$n" "$loss" "$run" imgcast "$ok" "$secs" $((tx1 - tx0)) $((rtx1 - rtx0)) "$kd" "$(oneline "${note%; }")"
  [ "$ok" = 1 ] && [ -z "$note" ] || keep_logs
  log_run imgcast "$n" "$loss" "$run" "$ok" "$secs" $((tx1 - tx0)) "$kd" "$note"
}

# ---------------------------------------------------------------- report
report() {
  report_begin "imgcast send (peer-to-peer) vs udp-sender --file" \
    "imgcast send --rate ${RATE:-default}; udpcast --max-bitrate ${UDP_RATE:-none}; lab link rate ${LAB_RATE:-unlimited (veth)};" \
    "Times: sender start to last receiver exit (imgcast: the master reads and hashes the raw image itself; no store, no capture)." \
    "Wire: the server's eth0 tx_bytes. Receivers' tx: sum of the receivers' eth0 tx_bytes. kdrops: UDP receive-buffer overflows at the receivers (sum)."
  awk -F'\t' -v raw="${VOL_RAW:-0}" -v used="${VOL_USED_B:-0}" -v voldesc="${VOL_DESC_M:-}" "$REPORT_AWK"'
    function xr(w) { return (w == "" || raw == 0) ? "" : sprintf(" (%.2fx)", w / raw) }
    NR == 1 { next }
    {
      k = $1 SUBSEP $2 SUBSEP $4
      cnt[k]++
      load1($11)
      if ($5 == 1) { okc[k]++; secs[k] = secs[k] " " $6; wire[k] = wire[k] " " $7; rtx[k] = rtx[k] " " $8; kd[k] = kd[k] " " $9 }
      cfg = $1 SUBSEP $2
      if (!(cfg in seen)) { seen[cfg] = 1; order[++nc] = cfg }
      if ($5 != 1 || $10 != "") notes[++nn] = $1 " receivers, " $2 "% loss, run " $3 ", " $4 ": " ($5 == 1 ? "verified; " : "FAILED; ") $10
    }
    END {
      printf "## One volume image to N receivers: imgcast send vs udp-sender --file\n\n"
      printf "Image: %s; raw %.1f MiB (what both senders read), %.1f MiB in allocated blocks.\n", voldesc, raw / 1048576, used / 1048576
      printf "Throughput ratio = udpcast s / imgcast s (> 1: imgcast faster). Wire ratio = imgcast / udpcast (< 1: imgcast sent less).\n\n"
      printf "| receivers | loss | udpcast s | imgcast s | throughput ratio | udpcast wire MiB (x raw) | imgcast wire MiB (x raw) | wire ratio | receivers tx MiB u / i | kdrops u / i | verified u / i |\n"
      printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
      for (x = 1; x <= nc; x++) {
        split(order[x], c, SUBSEP)
        u = order[x] SUBSEP "udpcast"; i = order[x] SUBSEP "imgcast"
        us = med(secs[u]); is = med(secs[i]); uw = med(wire[u]); iw = med(wire[i])
        printf "| %s | %s%% | %s | %s | %s | %s%s | %s%s | %s | %s / %s | %s / %s | %d/%d / %d/%d |\n", c[1], c[2], f1(us), f1(is), rat(us, is),
          mb(uw), xr(uw), mb(iw), xr(iw), rat(iw, uw), mb(med(rtx[u])), mb(med(rtx[i])),
          (kd[u] == "" ? "–" : med(kd[u])), (kd[i] == "" ? "–" : med(kd[i])),
          okc[u], cnt[u], okc[i], cnt[i]
      }
      footer("")
    }' "$RAW" >>"$RESULTS/report.md"
  report_end "imgcast JSON summaries: $RESULTS/imgcast-master.jsonl, $RESULTS/imgcast-receivers.jsonl"
}

# ---------------------------------------------------------------- main
bench_start

flock -w 1800 8 || die "lock on $CACHE/cast/.lock"
prepare_volume
flock -u 8
VOL_RAW=$(stat -c %s "$VOL")
{ echo "VOL_RAW=$VOL_RAW; VOL_USED_B=$VOL_USED"; echo "VOL_DESC_M='$VOL_DESC'"; } >>"$META"
avail=$(df -B1 --output=avail "$TGT_ROOT" | tail -n1)
need=0; for n in $RECEIVERS; do [ "$n" -le "$need" ] || need=$n; done
[ "$avail" -gt $((need * VOL_RAW + VOL_RAW)) ] || die "$(dirname "$TGT_ROOT") has $(mib "$avail") MiB free; $need copies of $(mib "$VOL_RAW") MiB need more"
log "volume $VOL: raw $(mib "$VOL_RAW") MiB, $(mib "$VOL_USED") MiB allocated ($VOL_DESC)"
[ "$HAVE_PEER" = 1 ] || log "imgcast has no peer-to-peer mode here: only the udpcast figures will be valid"
cat "$VOL" >/dev/null   # warm the page cache: both senders read it from memory

run_matrix "" run_udpcast run_imgcast

report
