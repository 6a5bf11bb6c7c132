# Shared code of the namespace-lab benchmarks bench/cast-bench.sh and bench/peer-bench.sh.
# Sourced, not run: it sets repo, CACHE, LABSH and a few constants and defines functions; it
# runs nothing by itself.
#
#   here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
#   BENCH=cast; . "$here/lib.sh"
#
# What it provides:
#   repo, CACHE, LABSH                    set when sourced: the repository (lib.sh's ..), the
#                                         cache ($IMGCAST_BENCH_CACHE, default
#                                         /var/cache/imgcast-bench), lab/lab.sh
#   log MSG, die MSG, usage               progress to stderr as "[BENCH-bench hh:mm:ss]";
#                                         usage prints the script's header comment
#   common_option ARG...                  the options both scripts have (see there)
#   parse_size                            SIZE -> SIZE_BYTES, SIZE_MIB (>= 16); LIMIT's default
#   need_tools TOOL...                    root, the tools, lab/lab.sh; dies when one is missing
#   bench_init COLUMN...                  RESULTS, WORK, TGT_ROOT, RAW (samples.tsv, its header:
#                                         the COLUMNs), META; the EXIT/INT/TERM/HUP traps
#   cleanup                               the EXIT trap: lab down, background jobs killed, the
#                                         report of what was measured when interrupted, work
#                                         dirs removed
#   bench_start                           LOAD0, OTHER_LABS (into META); the start log lines
#   now, fsub A B, mib BYTES, sum_words   clock, difference, MiB with one decimal, sum of words
#   bg_run TAG NETNS CMD..., join_pid PID, join_or_stop PID SECONDS NETNS, max_end TAG...
#                                         tool processes in the lab, bounded by LIMIT; each
#                                         leaves RUN_DIR/TAG.{out,err,end,rc,cpu} (cpu: user +
#                                         system seconds); cpu_of PREFIX adds them up
#   tx_bytes [HOST], rtx_bytes N          eth0 tx_bytes of HOST (default s), of r1..rN summed
#   rcvbuf_one I, rcvbuf_each N, rcvbuf_errors N
#                                         UDP RcvbufErrors (kernel drops) of receiver namespaces
#   json_last FILE                        the last JSON object in FILE
#   lab_up N, lab_down, set_loss N PCT    the lab LABNAME with receivers r1..rN
#   sample FIELD..., new_run_dir LABEL, keep_logs, log_run ...
#                                         one line of RAW, the run's log dir, the progress line
#   imgcast_snapshot, imgcast_describe DIR
#                                         the private copy of the build; IMGCAST_VERSION, GIT_*
#   subset_tree SRC DEST BUDGET, prepare_volume
#                                         the cached ext4 volume VOL, VOL_DESC, VOL_USED
#   udpcast_volume N LOSS                 one udp-sender --file "$VOL" run to r1..rN, verified
#   imgcast_check I, save_receiver_json LABEL BEFORE AFTER I...
#                                         an imgcast receiver's exit code and JSON summary
#   run_pair UDP_FN IMG_FN ARG... RUN     one run of both tools, udpcast first in odd runs
#   run_matrix MSG_PREFIX UDP_FN IMG_FN   RECEIVERS x LOSSES x RUNS, the tools in turn
#   REPORT_AWK, report_begin TITLE RATES LINE..., report_end WHAT
#                                         median etc. for awk; the first and last lines of
#                                         RESULTS/report.md
#   UDP_RDV, UDP_DATA, UDP_PORTBASE       udpcast's pinned groups and port (inside the lab only)
#
# Variables callers set (before calling what uses them):
#   BENCH     short name: cast or peer (log prefix "cast-bench", $CACHE/cast-results,
#             $CACHE/work/cast.*, /dev/shm/cast-bench.*); before sourcing
#   LABNAME   the lab's name; KEEP (1: keep WORK); TARGETS (where receivers write; empty:
#             a fresh dir in /dev/shm)
#   SIZE, LIMIT (may be empty: parse_size sets the default), SETTLE (may be empty),
#   UDP_RATE (may be empty), LAB_RATE (may be empty), RECEIVERS, LOSSES, RUNS, IMGCAST
#   (empty: imgcast_snapshot), RATE, QUICK: their defaults; common_option sets them from
#   the command line
#   report    a function (the caller's report) that writes RESULTS/report.md and prints it;
#             it should start with report_begin, which sets REPORTED=1
# Set here and used by callers: repo CACHE LABSH OPT_SHIFT SIZE_BYTES SIZE_MIB STAMP RESULTS
# WORK TGT_ROOT RAW META LOAD0 OTHER_LABS RUN_DIR RUN_LOAD LAST_PID BG_PIDS LAB_UP REPORTED
# VOL VOL_DESC VOL_USED IMGCAST JAR_SHA IMGCAST_VERSION GIT_REV GIT_DIRTY UDP_* (see
# udpcast_volume).

lib_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$lib_dir/.." && pwd)"
CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"   # $CACHE/cast: volumes, the lock; $CACHE/trees
LABSH="$repo/lab/lab.sh"

# ---------------------------------------------------------------- messages, options
log() { printf '[%s-bench %(%H:%M:%S)T] %s\n' "$BENCH" -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; }

# common_option ARG...: one of the options both benchmarks have (--runs, --size, --receivers,
# --loss, --quick, --rate, --udp-rate, --lab-rate, --limit, --settle, --imgcast, --name,
# --keep, -h/--help); sets its variable and OPT_SHIFT (the words it took). Returns 1 when
# ARG is not one of them.
common_option() {
  case "$1" in
    --runs) RUNS="${2:?}"; OPT_SHIFT=2 ;;
    --size) SIZE="${2:?}"; OPT_SHIFT=2 ;;
    --receivers) RECEIVERS="${2:?}"; OPT_SHIFT=2 ;;
    --loss) LOSSES="${2:?}"; OPT_SHIFT=2 ;;
    --quick) QUICK=1; OPT_SHIFT=1 ;;
    --rate) RATE="${2:?}"; OPT_SHIFT=2 ;;
    --udp-rate) UDP_RATE="${2:?}"; OPT_SHIFT=2 ;;
    --lab-rate) LAB_RATE="${2:?}"; OPT_SHIFT=2 ;;
    --limit) LIMIT="${2:?}"; OPT_SHIFT=2 ;;
    --settle) SETTLE="${2:?}"; OPT_SHIFT=2 ;;
    --imgcast) IMGCAST="${2:?}"; OPT_SHIFT=2 ;;
    --name) LABNAME="${2:?}"; OPT_SHIFT=2 ;;
    --keep) KEEP=1; OPT_SHIFT=1 ;;
    --only) ONLY="${2:?}"; OPT_SHIFT=2
            case "$ONLY" in imgcast|udpcast) ;; *) die "--only takes imgcast or udpcast" ;; esac ;;
    -h|--help) usage; exit 0 ;;
    *) return 1 ;;
  esac
}

parse_size() {  # SIZE -> SIZE_BYTES, SIZE_MIB; LIMIT defaults to 120 s + 0.5 s per MiB
  SIZE_BYTES=$(numfmt --from=iec "${SIZE%B}" 2>/dev/null) || die "bad --size '$SIZE'"
  SIZE_MIB=$((SIZE_BYTES / 1048576))
  [ "$SIZE_MIB" -ge 16 ] || die "--size must be at least 16M"
  [ -n "$LIMIT" ] || LIMIT=$((120 + SIZE_MIB / 2))
}

need_tools() {  # need_tools TOOL...: root (network namespaces), the tools, lab/lab.sh
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "$t not found (scripts/setup-system.sh installs what is needed)"
  done
  [ -x "$LABSH" ] || die "$LABSH not found"
}

# udpcast's groups and port (inside the lab only), pinned for udp-sender and udp-receiver
UDP_RDV=239.77.3.1
UDP_DATA=239.77.3.2
UDP_PORTBASE=9100

# ---------------------------------------------------------------- work dirs, cleanup
# bench_init COLUMN...: the dirs of one invocation, the samples file RAW with its header
# line (the column names, tab-separated), META, the traps
bench_init() {
  mkdir -p "$CACHE/cast" "$CACHE/$BENCH-results" "$CACHE/work"
  STAMP="$(date +%Y%m%d-%H%M%S)"
  RESULTS="$CACHE/$BENCH-results/$STAMP-$$"
  mkdir -p "$RESULTS"
  WORK="$(mktemp -d "$CACHE/work/$BENCH.XXXXXX")"
  if [ -n "$TARGETS" ]; then mkdir -p "$TARGETS"; TGT_ROOT="$(mktemp -d "$TARGETS/$BENCH-bench.XXXXXX")"
  else TGT_ROOT="$(mktemp -d "/dev/shm/$BENCH-bench.XXXXXX")"; fi
  RAW="$RESULTS/samples.tsv"
  (IFS=$'\t'; printf '%s\n' "$*") >"$RAW"
  META="$RESULTS/meta.env"     # figures for the report (sizes)
  : >"$META"
  LAB_UP=0
  BG_PIDS=()
  REPORTED=0
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP
}

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

# bench_start: the load and the other labs at the start (into META), the first log lines
bench_start() {
  LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
  OTHER_LABS=$("$LABSH" list 2>/dev/null | paste -sd' ' || true)
  echo "LOAD0='$LOAD0'; OTHER_LABS='$OTHER_LABS'" >>"$META"
  [ -z "$OTHER_LABS" ] || log "note: other labs are running on this machine ($OTHER_LABS): timings may be disturbed"
  log "lab $LABNAME, results in $RESULTS, receivers write to $TGT_ROOT, process limit ${LIMIT}s"
}

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
sum_words() { awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$1"; }

# bg_run TAG NETNS CMD...: runs CMD in NETNS under timeout, in the background; writes
# RUN_DIR/TAG.out .err .rc .end (end = wall clock at exit) and .cpu (user + system seconds of
# CMD and the children it waited for, from /usr/bin/time -f "%U %S": "total user system").
# Sets LAST_PID.
bg_run() {
  local tag=$1 ns=$2; shift 2
  (
    rc=0
    ip netns exec "$ns" /usr/bin/time -f '%U %S' -o "$RUN_DIR/$tag.time" timeout -k 5 "$LIMIT" "$@" \
      </dev/null >"$RUN_DIR/$tag.out" 2>"$RUN_DIR/$tag.err" || rc=$?
    now >"$RUN_DIR/$tag.end"
    # the last line: time writes "Command exited with non-zero status N" before it when N > 0
    tail -n 1 "$RUN_DIR/$tag.time" 2>/dev/null \
      | awk '{ printf "%.2f %.2f %.2f\n", $1 + $2, $1, $2 }' >"$RUN_DIR/$tag.cpu" && rm -f "$RUN_DIR/$tag.time"
    echo "$rc" >"$RUN_DIR/$tag.rc"
  ) &
  LAST_PID=$!
  BG_PIDS+=("$LAST_PID")
}

# cpu_of PREFIX: CPU seconds (user + system; the .cpu files hold total, user, system) of all jobs of the current run whose tag starts with PREFIX (s: senders, r: receivers)
cpu_of() {
  cat "$RUN_DIR/$1"*.cpu 2>/dev/null | awk '{ s += $1 } END { printf "%.2f", s }'
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

max_end() {  # max_end TAG...: latest .end among the tags
  local t
  for t in "$@"; do cat "$RUN_DIR/$t.end" 2>/dev/null || echo 0; done | sort -g | tail -n1
}

# ---------------------------------------------------------------- wire bytes, kernel drops
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

rcvbuf_errors() { sum_words "$(rcvbuf_each "$1")"; }  # sum of UDP RcvbufErrors over r1..rN

# json_last FILE: the last JSON object printed to FILE, compact ("" when none)
json_last() {
  jq -c -s 'map(objects) | last // empty' "$1" 2>/dev/null \
    || { grep '^{' "$1" 2>/dev/null | tail -n 1 | jq -c . 2>/dev/null; } || true
}

# ---------------------------------------------------------------- the lab
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

# ---------------------------------------------------------------- samples, run logs
# The measured sample: one line in RAW: the caller's 10 columns (part n loss run tool ok secs
# wire kdrops note), the load before the run, then the CPU seconds (user + system) of the
# run's senders (tags s*) and receivers (tags r*, summed).
sample() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$RUN_LOAD" "$(cpu_of s)" "$(cpu_of r)" >>"$RAW"
}

# new_run_dir LABEL: per-measurement log dir; kept in RESULTS when the run failed
new_run_dir() { RUN_DIR="$WORK/runs/$1"; rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"; RUN_LOAD=$(cut -d' ' -f1 /proc/loadavg); }
keep_logs() { mkdir -p "$RESULTS/failed"; cp -r "$RUN_DIR" "$RESULTS/failed/" 2>/dev/null || true; }

# log_run TOOL N LOSS RUN OK SECS WIRE KDROPS NOTE: the progress line of one measurement
log_run() {
  log "  $1  n=$2 loss=$3% run $4: $([ "$5" = 1 ] && echo verified || echo FAILED) ${6}s wire $(mib "$7") MiB kdrops $8 cpu s/r $(cpu_of s) / $(cpu_of r) ${9:+($9)}"
}

# ---------------------------------------------------------------- imgcast build snapshot
# Others may rebuild target/ while we run: we run a private copy of one build.
# imgcast_snapshot: builds/checks the repository's imgcast, copies it into WORK; sets
# IMGCAST (the copy's launcher) and JAR_SHA.
imgcast_snapshot() {
  log "building/checking imgcast (./imgcast --version)"
  "$repo/imgcast" --version >&2 || die "imgcast does not build/run"
  local snap="$WORK/imgcast"
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
}

# imgcast_describe DIR: IMGCAST_VERSION, and GIT_REV, GIT_DIRTY of the repository DIR
imgcast_describe() {
  IMGCAST_VERSION=$("$IMGCAST" --version 2>/dev/null | head -n1)
  GIT_REV=$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo '?')
  GIT_DIRTY=$(git -C "$1" status --porcelain -- src pom.xml 2>/dev/null | wc -l)
}

# ---------------------------------------------------------------- the volume (cached)
# Callers hold the lock: exec 8>"$CACHE/cast/.lock"; flock -w 1800 8 around prepare_volume.

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

# the volume of SIZE_MIB: VOL (path), VOL_DESC, VOL_USED (bytes in allocated blocks)
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

# ---------------------------------------------------------------- one udpcast measurement
# udpcast_volume N LOSS: in RUN_DIR (new_run_dir first), udp-receiver --file to
# TGT_ROOT/udpcast/rI.img in r1..rN, the settle pause, then udp-sender --file "$VOL"; every
# copy compared with cmp (exit codes are not enough). With UDP_ZSTD=1 both compress as
# Clonezilla does: udp-sender --pipe "zstd -3 -T0 -c", udp-receiver --pipe "zstd -dc" (their
# CPU is in the tools' CPU: udpcast waits for its pipe). Sets
#   UDP_OK       1 when every copy is identical, else 0
#   UDP_SECS     sender start to the last receiver's exit
#   UDP_WIRE     the server's eth0 tx bytes from the sender's start to its exit
#   UDP_RTX      the receivers' eth0 tx bytes, from before they started to the sender's exit
#   UDP_KD       RcvbufErrors at r1..rN from before the receivers started (as peer-bench counts)
#   UDP_KD_SEND  RcvbufErrors at r1..rN from the sender's start (as cast-bench counts)
#   UDP_NOTE     notes, each ending in "; " ("" when none)
udpcast_volume() {
  local n=$1 loss=$2 i
  local tgt="$TGT_ROOT/udpcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local lossflags=(); [ "$loss" = 0 ] || lossflags=(--min-wait 2 --rexmit-hello-interval 100)
  local rateflags=(); [ -z "$UDP_RATE" ] || rateflags=(--max-bitrate "$UDP_RATE")
  local spipe=() rpipe=()
  [ "${UDP_ZSTD:-0}" = 0 ] || { spipe=(--pipe "zstd -3 -T0 -c"); rpipe=(--pipe "zstd -dc"); }
  local pids=() tags=() kd0 kds rtx0
  kd0=$(rcvbuf_errors "$n"); rtx0=$(rtx_bytes "$n")
  for ((i = 1; i <= n; i++)); do
    bg_run "r$i" "$LABNAME-r$i" udp-receiver --interface eth0 --portbase $UDP_PORTBASE \
      --mcast-rdv-address $UDP_RDV --nokbd --start-timeout 60 --file "$tgt/r$i.img" ${rpipe[@]+"${rpipe[@]}"}
    pids+=("$LAST_PID"); tags+=("r$i")
  done
  sleep "${SETTLE:-0.5}"
  local tx0 t0; kds=$(rcvbuf_errors "$n"); tx0=$(tx_bytes); t0=$(now)
  bg_run s "$LABNAME-s" udp-sender --interface eth0 --portbase $UDP_PORTBASE --file "$VOL" \
    --half-duplex --nopointopoint --mcast-data-address $UDP_DATA --mcast-rdv-address $UDP_RDV \
    --min-receivers "$n" --max-wait 30 --nokbd "${lossflags[@]}" "${rateflags[@]}" ${spipe[@]+"${spipe[@]}"}
  local spid=$LAST_PID
  for i in "${pids[@]}"; do join_pid "$i"; done
  UDP_SECS=$(fsub "$(max_end "${tags[@]}")" "$t0")
  UDP_NOTE=""
  join_or_stop "$spid" 30 "$LABNAME-s" || UDP_NOTE+="udp-sender still running 30 s after the receivers, stopped; "
  local tx1 kd1 rtx1; tx1=$(tx_bytes); kd1=$(rcvbuf_errors "$n"); rtx1=$(rtx_bytes "$n")
  UDP_WIRE=$((tx1 - tx0)); UDP_RTX=$((rtx1 - rtx0)); UDP_KD=$((kd1 - kd0)); UDP_KD_SEND=$((kd1 - kds))
  local rc
  UDP_OK=1
  rc=$(cat "$RUN_DIR/s.rc" 2>/dev/null || echo '?'); [ "$rc" = 0 ] || UDP_NOTE+="udp-sender exit $rc; "
  for ((i = 1; i <= n; i++)); do
    rc=$(cat "$RUN_DIR/r$i.rc" 2>/dev/null || echo '?')
    if ! cmp -s "$VOL" "$tgt/r$i.img"; then UDP_OK=0; UDP_NOTE+="r$i copy differs/missing (exit $rc); "
    elif [ "$rc" != 0 ]; then UDP_NOTE+="r$i exit $rc but copy identical; "; fi
  done
  rm -rf "$tgt"
}

# ---------------------------------------------------------------- imgcast receivers
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

# save_receiver_json LABEL BEFORE AFTER I...: appends every imgcast receiver's JSON summary
# (loss, kernel drops, FEC decodes, phases) to RESULTS/imgcast-receivers.jsonl, plus
# ns_rcvbuf_errors: the receiver namespace's UDP RcvbufErrors during the run (BEFORE, AFTER:
# rcvbuf_each before and after)
save_receiver_json() {
  local label=$1 i js; shift
  local -a b0 b1; read -r -a b0 <<<"$1"; read -r -a b1 <<<"$2"; shift 2
  for i in "$@"; do
    js=$(json_last "$RUN_DIR/r$i.out")
    [ -z "$js" ] || jq -c --arg run "$label" --arg r "r$i" --argjson nsd "$(( ${b1[i - 1]:-0} - ${b0[i - 1]:-0} ))" \
      '{run: $run, receiver: $r, ns_rcvbuf_errors: $nsd} + .' <<<"$js" 2>/dev/null || true
  done >>"$RESULTS/imgcast-receivers.jsonl"
}

# ---------------------------------------------------------------- the runs
# run_pair UDP_FN IMG_FN ARG... RUN: one run of both tools, "UDP_FN ARG... RUN" and
# "IMG_FN ARG... RUN", udpcast first in odd runs (only one of them with --only)
run_pair() {
  local ufn=$1 ifn=$2; shift 2
  local run=${!#}
  if [ "${ONLY:-}" = imgcast ]; then "$ifn" "$@"
  elif [ "${ONLY:-}" = udpcast ]; then "$ufn" "$@"
  elif [ $((run % 2)) = 1 ]; then "$ufn" "$@"; "$ifn" "$@"
  else "$ifn" "$@"; "$ufn" "$@"; fi
}

# run_matrix MSG_PREFIX UDP_FN IMG_FN: for every receiver count a lab, for every loss RUNS
# runs of "UDP_FN N LOSS RUN" and "IMG_FN N LOSS RUN" (run_pair)
run_matrix() {
  local prefix=$1 ufn=$2 ifn=$3 n loss run
  for n in $RECEIVERS; do
    lab_up "$n"
    for loss in $LOSSES; do
      set_loss "$n" "$loss"
      for ((run = 1; run <= RUNS; run++)); do
        log "$prefix$n receivers, loss $loss%, run $run/$RUNS"
        run_pair "$ufn" "$ifn" "$n" "$loss" "$run"
      done
    done
    lab_down
  done
}

# ---------------------------------------------------------------- report
# awk functions for the report: med (median of space-separated numbers, "" when none), f1
# (one decimal), mb (bytes as MiB), rat (a / b); f1, mb and rat give "–" for no value.
# load1(V): the range lmin..lmax of the samples' 1-min loads; footer(CORES): that range (CORES
# after it) and the notes notes[1..nn] the caller collected.
# shellcheck disable=SC2016
REPORT_AWK='
    function med(s,   a, n, i, j, t) {
      n = split(s, a, " "); if (n == 0) return ""
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function f1(x) { return x == "" ? "–" : sprintf("%.1f", x) }
    function mb(x) { return x == "" ? "–" : sprintf("%.1f", x / 1048576) }
    function rat(a, b) { return (a == "" || b == "" || b == 0) ? "–" : sprintf("%.2f", a / b) }
    function load1(v) { if (v != "") { if (lmin == "" || v + 0 < lmin) lmin = v + 0; if (lmax == "" || v + 0 > lmax) lmax = v + 0 } }
    function footer(cores,   x) {
      if (lmin != "") printf "\n1-min load average before the samples: %s to %s%s.\n", lmin, lmax, cores
      if (nn) { printf "\nFailures and notes:\n\n"; for (x = 1; x <= nn; x++) printf "- %s\n", notes[x] }
    }'

# report_begin TITLE RATES LINE...: sets REPORTED=1, reads META, writes RESULTS/report.md's
# head: the title, the build and versions, the machine, RATES, the load, each LINE, a blank
report_begin() {
  REPORTED=1
  # shellcheck disable=SC1090
  . "$META"
  local title=$1 rates=$2 line; shift 2
  {
    echo "# $title ($(date '+%Y-%m-%d %H:%M'))"
    echo
    echo "$IMGCAST_VERSION, repo $GIT_REV ($GIT_DIRTY uncommitted files in src/, pom.xml), jar sha256 $JAR_SHA;"
    echo "udpcast $(dpkg-query -W -f '${Version}' udpcast 2>/dev/null || echo '?');"
    echo "kernel $(uname -r), $(nproc) cores; runs per figure: $RUNS (medians of verified runs);"
    echo "$rates"
    echo "load average at start ${LOAD0:-?}, at end $(cut -d' ' -f1-3 /proc/loadavg); other labs present at start: ${OTHER_LABS:-none}."
    for line in "$@"; do echo "$line"; done
    echo
  } >"$RESULTS/report.md"
}

# report_end WHAT: the report's last line (where the raw samples, WHAT and the failed runs'
# logs are), then prints the report
report_end() {
  {
    echo
    echo "Raw samples (with the 1-min load average before each): $RAW; $1; logs of failed runs: $RESULTS/failed/."
  } >>"$RESULTS/report.md"
  cat "$RESULTS/report.md"
}
