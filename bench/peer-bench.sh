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
#   --settle SECONDS  pause between starting receivers and the sender (default 0.5 for
#                     udpcast, 2 + N/2 for imgcast, whose receivers are JVMs)
#   --rate BITS       imgcast send --rate (default: none given, imgcast's default)
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
repo="$(cd "$here/.." && pwd)"
CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"
LABSH="$repo/lab/lab.sh"

RUNS=""; SIZE=""; RECEIVERS=""; LOSSES=""; QUICK=0
RATE=""; UDP_RATE=""; LAB_RATE=""; LIMIT=""; SETTLE=""; IMGCAST=""
LABNAME="pb$$"; LABNAME="${LABNAME:0:8}"; KEEP=0

log() { printf '[peer-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2:?}"; shift 2 ;;
    --size) SIZE="${2:?}"; shift 2 ;;
    --receivers) RECEIVERS="${2:?}"; shift 2 ;;
    --loss) LOSSES="${2:?}"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --imgcast) IMGCAST="${2:?}"; shift 2 ;;
    --limit) LIMIT="${2:?}"; shift 2 ;;
    --name) LABNAME="${2:?}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --settle) SETTLE="${2:?}"; shift 2 ;;
    --rate) RATE="${2:?}"; shift 2 ;;
    --udp-rate) UDP_RATE="${2:?}"; shift 2 ;;
    --lab-rate) LAB_RATE="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
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
SIZE_BYTES=$(numfmt --from=iec "${SIZE%B}" 2>/dev/null) || die "bad --size '$SIZE'"
SIZE_MIB=$((SIZE_BYTES / 1048576))
[ "$SIZE_MIB" -ge 16 ] || die "--size must be at least 16M"
[ -n "$LIMIT" ] || LIMIT=$((120 + SIZE_MIB / 2))
[[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "--limit must be a positive integer (seconds)"
[ -z "$SETTLE" ] || [[ "$SETTLE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad --settle '$SETTLE'"
[[ "$LABNAME" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "bad lab name '$LABNAME'"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for t in udp-sender udp-receiver mkfs.ext4 dumpe2fs jq cmp tar timeout ip nft numfmt flock; do
  command -v "$t" >/dev/null || die "$t not found (scripts/setup-system.sh installs what is needed)"
done
[ -x "$LABSH" ] || die "$LABSH not found"

# Multicast groups and ports (inside the lab only). udpcast: pinned below. imgcast: the
# defaults of send/receive --from-peer (announce group 239.77.0.254:9099, send's data group
# and control port), which differ from udpcast's.
UDP_RDV=239.77.3.1
UDP_DATA=239.77.3.2
UDP_PORTBASE=9100
RECV_TIMEOUT=60      # imgcast receive --timeout
MASTER_WAIT=60       # imgcast send --wait

# ---------------------------------------------------------------- work dirs, cleanup
mkdir -p "$CACHE/cast" "$CACHE/peer-results" "$CACHE/work"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$CACHE/peer-results/$STAMP-$$"
mkdir -p "$RESULTS"
WORK="$(mktemp -d "$CACHE/work/peer.XXXXXX")"
TGT_ROOT="$(mktemp -d /dev/shm/peer-bench.XXXXXX)"
RAW="$RESULTS/samples.tsv"   # n loss run tool ok secs wire rtx kdrops note load1
printf 'n\tloss\trun\ttool\tok\tsecs\twire\trtx\tkdrops\tnote\tload1\n' >"$RAW"
META="$RESULTS/meta.env"     # figures for the report (sizes)
: >"$META"
LAB_UP=0
BG_PIDS=()
REPORTED=0

cleanup() {
  local rc=$?
  set +e
  trap - INT TERM HUP
  if [ "$LAB_UP" = 1 ]; then
    log "tearing down lab $LABNAME"
    "$LABSH" down "$LABNAME" >/dev/null 2>&1
  fi
  local p
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ "$REPORTED" = 0 ] && [ "$(wc -l <"$RAW")" -gt 1 ]; then
    log "interrupted (exit $rc): report of what was measured so far"
    report
  fi
  rm -rf --one-file-system "$TGT_ROOT"
  if [ "$KEEP" = 1 ]; then log "work dir kept: $WORK"; else rm -rf --one-file-system "$WORK"; fi
  if ip netns list 2>/dev/null | grep -q "^$LABNAME-"; then log "WARNING: namespaces of $LABNAME still present"; fi
  log "results in $RESULTS"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
oneline() { printf '%s' "$1" | tr '\t\n' '  '; }   # oneline TEXT: for one TSV field

# bg_run TAG NETNS CMD...: runs CMD in NETNS under timeout, in the background; writes
# RUN_DIR/TAG.out .err .rc .end (end = wall clock at exit). Sets LAST_PID.
bg_run() {
  local tag=$1 ns=$2; shift 2
  (
    rc=0
    ip netns exec "$ns" timeout -k 5 "$LIMIT" "$@" </dev/null >"$RUN_DIR/$tag.out" 2>"$RUN_DIR/$tag.err" || rc=$?
    now >"$RUN_DIR/$tag.end"
    echo "$rc" >"$RUN_DIR/$tag.rc"
  ) &
  LAST_PID=$!
  BG_PIDS+=("$LAST_PID")
}

# waits for a background job; every job is bounded by its own timeout
join_pid() { wait "$1" 2>/dev/null || true; }

# join_or_stop PID SECONDS NETNS: waits up to SECONDS, then TERM/KILL the processes left
# in NETNS (a namespace of this lab, so only ours). Returns 1 when it had to stop them.
join_or_stop() {
  local pid=$1 secs=$2 ns=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { join_pid "$pid"; return 0; }
    sleep 0.1
  done
  local pids; pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true
  sleep 3
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  join_pid "$pid"
  return 1
}

tx_bytes() { ip netns exec "$LABNAME-${1:-s}" cat /sys/class/net/eth0/statistics/tx_bytes; }

rtx_bytes() {  # sum of eth0 tx_bytes over receivers r1..rN
  local n=$1 i sum=0 v
  for ((i = 1; i <= n; i++)); do v=$(tx_bytes "r$i"); sum=$((sum + v)); done
  echo "$sum"
}

rcvbuf_one() {  # UDP RcvbufErrors of receiver rI's namespace
  ip netns exec "$LABNAME-r$1" awk '/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}

rcvbuf_each() {  # rcvbuf_each N: RcvbufErrors of r1..rN on one line
  local i
  for ((i = 1; i <= $1; i++)); do rcvbuf_one "$i"; done | paste -sd' '
}

sum_words() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$1"; }

max_end() {  # max_end TAG...: latest .end among the tags
  local t
  for t in "$@"; do cat "$RUN_DIR/$t.end" 2>/dev/null || echo 0; done | sort -g | tail -n1
}

# json_last FILE: the last JSON object printed to FILE, compact ("" when none)
json_last() {
  jq -c -s 'map(objects) | last // empty' "$1" 2>/dev/null \
    || { grep '^{' "$1" 2>/dev/null | tail -n 1 | jq -c . 2>/dev/null; } || true
}

lab_up() {  # lab_up N
  "$LABSH" down "$LABNAME" >/dev/null 2>&1 || true
  local args=(up "$LABNAME" --receivers "$1")
  [ -z "$LAB_RATE" ] || args+=(--rate "$LAB_RATE")
  LAB_UP=1
  "$LABSH" "${args[@]}" >"$WORK/lab-up.log" 2>&1 || { cat "$WORK/lab-up.log" >&2; die "lab.sh up failed"; }
}

lab_down() { "$LABSH" down "$LABNAME" >/dev/null 2>&1 || true; LAB_UP=0; }

set_loss() {  # set_loss N PCT: loss at r1..rN
  local i
  for ((i = 1; i <= $1; i++)); do "$LABSH" loss "$LABNAME" "r$i" "$2"; done
}

# The measured sample: one line in RAW.
sample() {  # n loss run tool ok secs wire rtx kdrops note  (+ the load before the run)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$RUN_LOAD" >>"$RAW"
}

# new_run_dir LABEL: per-measurement log dir; kept in RESULTS when the run failed
new_run_dir() { RUN_DIR="$WORK/runs/$1"; rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"; RUN_LOAD=$(cut -d' ' -f1 /proc/loadavg); }
keep_logs() { mkdir -p "$RESULTS/failed"; cp -r "$RUN_DIR" "$RESULTS/failed/" 2>/dev/null || true; }

# ---------------------------------------------------------------- imgcast build snapshot
# Others may rebuild target/ while we run: we run a private copy of one build.
if [ -z "$IMGCAST" ]; then
  log "building/checking imgcast (./imgcast --version)"
  "$repo/imgcast" --version >&2 || die "imgcast does not build/run"
  snap="$WORK/imgcast"
  mkdir -p "$snap/target"
  cp "$repo/imgcast" "$snap/imgcast"
  cp "$repo"/target/imgcast-*.jar "$snap/target/"
  cp -r "$repo/target/lib" "$snap/target/lib"
  # what the launcher uses at start-up: the unpacked JNI libraries, and the sources (mtimes kept,
  # so the copy is not rebuilt) that it trains the snapshot's own AOT cache on
  [ -d "$repo/target/native" ] && cp -r "$repo/target/native" "$snap/target/native"
  cp -rp "$repo/src" "$snap/src"; cp -p "$repo/pom.xml" "$snap/pom.xml"
  IMGCAST="$snap/imgcast"
  "$IMGCAST" --version >/dev/null || die "the copied imgcast build does not run (a concurrent rebuild?); rerun"
  JAR_SHA=$(sha256sum "$snap"/target/imgcast-*.jar | awk '{ print substr($1, 1, 12) }' | head -n1)
  IMGCAST_REPO="$repo"
else
  [ -x "$IMGCAST" ] || die "--imgcast $IMGCAST is not executable"
  IMGCAST="$(readlink -f "$IMGCAST")"
  "$IMGCAST" --version >/dev/null || die "$IMGCAST --version failed"
  IMGCAST_REPO="$(dirname "$IMGCAST")"
  JAR_SHA=$(sha256sum "$IMGCAST_REPO"/target/imgcast-*.jar 2>/dev/null | awk '{ print substr($1, 1, 12) }' | head -n1)
  JAR_SHA="${JAR_SHA:-?} (launcher $IMGCAST)"
fi
IMGCAST_VERSION=$("$IMGCAST" --version 2>/dev/null | head -n1)
GIT_REV=$(git -C "$IMGCAST_REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
GIT_DIRTY=$(git -C "$IMGCAST_REPO" status --porcelain -- src pom.xml 2>/dev/null | wc -l)

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

# subset_tree SRC DEST BUDGET_BYTES: copy (not hard-link: the cached trees' ctimes stay
# untouched) the first files of SRC in sorted order up to BUDGET bytes
subset_tree() {
  local src=$1 dest=$2 budget=$3
  rm -rf "$dest"; mkdir -p "$dest"
  (cd "$src" && find . -type f -printf '%s\t%P\n' | LC_ALL=C sort -t$'\t' -k2 \
     | awk -F'\t' -v b="$budget" '!stop { s += $1; if (s > b) stop = 1; else print $2 }') >"$dest.list"
  tar -C "$src" --no-recursion -cf - -T "$dest.list" | tar -C "$dest" -xpf -
  rm -f "$dest.list"
}

# the volume: VOL (path), VOL_DESC, VOL_USED (bytes in allocated blocks)
prepare_volume() {
  local src label tree_bytes
  if [ -d "$CACHE/trees/c" ] && [ -f "$CACHE/trees/c.done" ]; then src="$CACHE/trees/c"; label=c
  else src=/usr; label=usr; log "tree c missing ($CACHE/trees/c, bench/corpus.sh): the volume is made from /usr"; fi
  VOL="$CACHE/cast/vol-$label-$SIZE_MIB.ext4"
  if [ ! -f "$VOL.done" ]; then
    tree_bytes=$(du -sb "$src" | cut -f1)
    rm -f "$VOL" "$VOL.tmp"
    local from=$src
    if [ "$tree_bytes" -gt $((SIZE_BYTES * 85 / 100)) ]; then
      from="$CACHE/cast/subset-$label-$SIZE_MIB"
      log "volume: $src ($(mib "$tree_bytes") MiB) does not fit $SIZE_MIB MiB; using a subset of ~60%"
      subset_tree "$src" "$from" $((SIZE_BYTES * 60 / 100))
    fi
    log "volume: mkfs.ext4 -q -d $from $VOL $SIZE_MIB MiB"
    mkfs.ext4 -q -d "$from" -F "$VOL.tmp" "${SIZE_MIB}M" >/dev/null \
      || die "mkfs.ext4 -d $from failed (tree too big for $SIZE_MIB MiB?)"
    [ "$from" = "$src" ] || { echo "subset of $src" >"$VOL.src"; rm -rf "$from"; }
    [ "$from" != "$src" ] || echo "$src" >"$VOL.src"
    mv "$VOL.tmp" "$VOL"; touch "$VOL.done"
  fi
  VOL_DESC="ext4 made by mkfs.ext4 -d from $(cat "$VOL.src" 2>/dev/null || echo "$src")"
  local used
  read -r used VOL_USED < <(dumpe2fs -h "$VOL" 2>/dev/null | awk -F: '
    /^Block count/ { b = $2 } /^Free blocks/ { f = $2 } /^Block size/ { s = $2 }
    END { if (b) printf "%.0f %.0f\n", (b - f) * 100 / b, (b - f) * s; else print "? 0" }')
  VOL_DESC="$VOL_DESC, ${used:-?}% of blocks in use"
}

# ---------------------------------------------------------------- one measurement per tool
# udpcast: the raw file to r1..rN.
run_udpcast() {  # N LOSS RUN
  local n=$1 loss=$2 run=$3 i
  new_run_dir "udpcast-n$n-l$loss-$run"
  local tgt="$TGT_ROOT/udpcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local lossflags=(); [ "$loss" = 0 ] || lossflags=(--min-wait 2 --rexmit-hello-interval 100)
  local rateflags=(); [ -z "$UDP_RATE" ] || rateflags=(--max-bitrate "$UDP_RATE")
  local pids=() tags=() kd0 rtx0
  kd0=$(sum_words "$(rcvbuf_each "$n")"); rtx0=$(rtx_bytes "$n")
  for ((i = 1; i <= n; i++)); do
    bg_run "r$i" "$LABNAME-r$i" udp-receiver --interface eth0 --portbase $UDP_PORTBASE \
      --mcast-rdv-address $UDP_RDV --nokbd --start-timeout 60 --file "$tgt/r$i.img"
    pids+=("$LAST_PID"); tags+=("r$i")
  done
  sleep "${SETTLE:-0.5}"
  local tx0 t0; tx0=$(tx_bytes); t0=$(now)
  bg_run s "$LABNAME-s" udp-sender --interface eth0 --portbase $UDP_PORTBASE --file "$VOL" \
    --half-duplex --nopointopoint --mcast-data-address $UDP_DATA --mcast-rdv-address $UDP_RDV \
    --min-receivers "$n" --max-wait 30 --nokbd "${lossflags[@]}" "${rateflags[@]}"
  local spid=$LAST_PID
  for i in "${pids[@]}"; do join_pid "$i"; done
  local secs; secs=$(fsub "$(max_end "${tags[@]}")" "$t0")
  local note=""
  join_or_stop "$spid" 30 "$LABNAME-s" || note+="udp-sender still running 30 s after the receivers, stopped; "
  local tx1 kd1 rtx1; tx1=$(tx_bytes); kd1=$(sum_words "$(rcvbuf_each "$n")"); rtx1=$(rtx_bytes "$n")
  local ok=1 rc
  rc=$(cat "$RUN_DIR/s.rc" 2>/dev/null || echo '?'); [ "$rc" = 0 ] || note+="udp-sender exit $rc; "
  for ((i = 1; i <= n; i++)); do
    rc=$(cat "$RUN_DIR/r$i.rc" 2>/dev/null || echo '?')
    if ! cmp -s "$VOL" "$tgt/r$i.img"; then ok=0; note+="r$i copy differs/missing (exit $rc); "
    elif [ "$rc" != 0 ]; then note+="r$i exit $rc but copy identical; "; fi
  done
  rm -rf "$tgt"
  sample "$n" "$loss" "$run" udpcast "$ok" "$secs" $((tx1 - tx0)) $((rtx1 - rtx0)) $((kd1 - kd0)) "$(oneline "${note%; }")"
  [ "$ok" = 1 ] || keep_logs
  log "  udpcast  n=$n loss=$loss% run $run: $([ $ok = 1 ] && echo verified || echo FAILED) ${secs}s wire $(mib $((tx1 - tx0))) MiB kdrops $((kd1 - kd0)) ${note:+($note)}"
}

# imgcast_check I: receiver's exit code and JSON; prints a note when not ok
imgcast_check() {
  local i=$1 rc js
  rc=$(cat "$RUN_DIR/r$i.rc" 2>/dev/null || echo '?')
  js=$(json_last "$RUN_DIR/r$i.out")
  if [ "$rc" != 0 ] || [ "$(jq -r '.ok' <<<"$js" 2>/dev/null)" != true ]; then
    echo "r$i exit $rc: $(jq -r '.error // empty' <<<"$js" 2>/dev/null || true) $(grep -v '^\s*$' "$RUN_DIR/r$i.err" 2>/dev/null | tail -n 2 | tr '\n' ' ')"
    return 1
  fi
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
  local -a a0 a1; read -r -a a0 <<<"$b0"; read -r -a a1 <<<"$b1"
  for ((i = 1; i <= n; i++)); do
    js=$(json_last "$RUN_DIR/r$i.out")
    [ -z "$js" ] || jq -c --arg run "$label" --arg r "r$i" --argjson nsd "$(( ${a1[i - 1]:-0} - ${a0[i - 1]:-0} ))" \
      '{run: $run, receiver: $r, ns_rcvbuf_errors: $nsd} + .' <<<"$js" 2>/dev/null || true
  done >>"$RESULTS/imgcast-receivers.jsonl"
  local kd=$(( $(sum_words "$b1") - $(sum_words "$b0") ))
  sample "$n" "$loss" "$run" imgcast "$ok" "$secs" $((tx1 - tx0)) $((rtx1 - rtx0)) "$kd" "$(oneline "${note%; }")"
  [ "$ok" = 1 ] && [ -z "$note" ] || keep_logs
  log "  imgcast  n=$n loss=$loss% run $run: $([ $ok = 1 ] && echo verified || echo FAILED) ${secs}s wire $(mib $((tx1 - tx0))) MiB kdrops $kd ${note:+($note)}"
}

# ---------------------------------------------------------------- report
report() {
  REPORTED=1
  # shellcheck disable=SC1090
  . "$META"
  {
    echo "# imgcast send (peer-to-peer) vs udp-sender --file ($(date '+%Y-%m-%d %H:%M'))"
    echo
    echo "$IMGCAST_VERSION, repo $GIT_REV ($GIT_DIRTY uncommitted files in src/, pom.xml), jar sha256 $JAR_SHA;"
    echo "udpcast $(dpkg-query -W -f '${Version}' udpcast 2>/dev/null || echo '?');"
    echo "kernel $(uname -r), $(nproc) cores; runs per figure: $RUNS (medians of verified runs);"
    echo "imgcast send --rate ${RATE:-default}; udpcast --max-bitrate ${UDP_RATE:-none}; lab link rate ${LAB_RATE:-unlimited (veth)};"
    echo "load average at start ${LOAD0:-?}, at end $(cut -d' ' -f1-3 /proc/loadavg); other labs present at start: ${OTHER_LABS:-none}."
    echo "Times: sender start to last receiver exit (imgcast: the master reads and hashes the raw image itself; no store, no capture)."
    echo "Wire: the server's eth0 tx_bytes. Receivers' tx: sum of the receivers' eth0 tx_bytes. kdrops: UDP receive-buffer overflows at the receivers (sum)."
    echo
  } >"$RESULTS/report.md"
  awk -F'\t' -v raw="${VOL_RAW:-0}" -v used="${VOL_USED_B:-0}" -v voldesc="${VOL_DESC_M:-}" '
    function med(s,   a, n, i, j, t) {
      n = split(s, a, " "); if (n == 0) return ""
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function f1(x) { return x == "" ? "–" : sprintf("%.1f", x) }
    function mb(x) { return x == "" ? "–" : sprintf("%.1f", x / 1048576) }
    function rat(a, b) { return (a == "" || b == "" || b == 0) ? "–" : sprintf("%.2f", a / b) }
    function xr(w) { return (w == "" || raw == 0) ? "" : sprintf(" (%.2fx)", w / raw) }
    NR == 1 { next }
    {
      k = $1 SUBSEP $2 SUBSEP $4
      cnt[k]++
      if ($11 != "") { if (lmin == "" || $11 + 0 < lmin) lmin = $11 + 0; if (lmax == "" || $11 + 0 > lmax) lmax = $11 + 0 }
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
      if (lmin != "") printf "\n1-min load average before the samples: %s to %s.\n", lmin, lmax
      if (nn) { printf "\nFailures and notes:\n\n"; for (x = 1; x <= nn; x++) printf "- %s\n", notes[x] }
    }' "$RAW" >>"$RESULTS/report.md"
  {
    echo
    echo "Raw samples (with the 1-min load average before each): $RAW; imgcast JSON summaries: $RESULTS/imgcast-master.jsonl, $RESULTS/imgcast-receivers.jsonl; logs of failed runs: $RESULTS/failed/."
  } >>"$RESULTS/report.md"
  cat "$RESULTS/report.md"
}

# ---------------------------------------------------------------- main
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
OTHER_LABS=$("$LABSH" list 2>/dev/null | paste -sd' ' || true)
echo "LOAD0='$LOAD0'; OTHER_LABS='$OTHER_LABS'" >>"$META"
[ -z "$OTHER_LABS" ] || log "note: other labs are running on this machine ($OTHER_LABS): timings may be disturbed"
log "lab $LABNAME, results in $RESULTS, receivers write to $TGT_ROOT, process limit ${LIMIT}s"

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

for n in $RECEIVERS; do
  lab_up "$n"
  for loss in $LOSSES; do
    set_loss "$n" "$loss"
    for ((run = 1; run <= RUNS; run++)); do
      log "$n receivers, loss $loss%, run $run/$RUNS"
      if [ $((run % 2)) = 1 ]; then run_udpcast "$n" "$loss" "$run"; run_imgcast "$n" "$loss" "$run"
      else run_imgcast "$n" "$loss" "$run"; run_udpcast "$n" "$loss" "$run"; fi
    done
  done
  lab_down
done

report
