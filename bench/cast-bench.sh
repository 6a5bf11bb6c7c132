#!/usr/bin/env bash
# Deployment benchmark: imgcast against udpcast in the namespace lab (lab/lab.sh), both
# tools in the same lab and the same run. Not part of the test suite. Needs root, udpcast,
# iproute2, nftables, e2fsprogs, jq (scripts/setup-system.sh installs them).
#
#   bench/cast-bench.sh [--runs N] [--size SIZE] [--receivers "1 4 8"] [--loss "0 1 5"]
#                       [--part 1|2|all] [--quick] [options below]
#
#   --runs N          runs per figure; medians are reported (default 3)
#   --size SIZE       part 1 volume size, as for mkfs.ext4: 512M, 1G ... (default 512M)
#   --receivers LIST  part 1 receiver counts (default "1 4 8")
#   --loss LIST       part 1 random loss in % at every receiver (default "0 1 5")
#   --part P          1, 2, 3 or all (default all: 2, 1, then 3)
#   --quick           validation: --size 64M --receivers "1 2" --loss "0 5" --runs 1, and
#                     part 2 on small related trees (etc, usr/bin, usr/sbin of a, b, c);
#                     options given explicitly win
#   --per-image K     part 2 receivers per image (default 2, so 6 in all)
#   --loss2 LIST      part 2 loss in % (default "0")
#   --rate BITS       imgcast serve --rate in bits/s (default 950Mbit, imgcast's default)
#   --udp-rate BITS   udp-sender --max-bitrate (default: none, udpcast's default)
#   --lab-rate RATE   lab.sh up --rate (tbf on every link, e.g. 1gbit; default: none)
#   --limit SECONDS   bound for every tool process (default 120 s + 0.5 s per MiB)
#   --settle SECONDS  pause between starting receivers and the sender (default 0.5 for
#                     udpcast, 2 + N/2 for imgcast, whose receivers are JVMs)
#   --targets DIR     where receivers write (default: a fresh dir in /dev/shm, a tmpfs)
#   --imgcast PATH    imgcast launcher (default: a private copy of the repository's build)
#   --name NAME       lab name (default cb<pid>)
#   --keep            keep the work dir (stores, logs of every run)
#   --only TOOL       run only imgcast or only udpcast (quick experiments; no ratios)
#   --data3 LIST      part 3 data: random, ext4 or both (default "random ext4")
#   --receivers3 LIST part 3 receiver counts (default "1 8")
#   --loss3 LIST      part 3 loss in % (default "0 5")
#   --tools3 LIST     part 3 tools, in turn (default: udpcast, udpcast-zstd, imgcast,
#                     imgcast-enc, and imgcast-before with --before); udpcast-zstd runs on
#                     ext4 only, udpcast (raw) on random only unless named here
#   --before PATH     an older imgcast launcher (e.g. a build of main) measured as
#                     imgcast-before in part 3, for before/after figures
#
# What is measured:
#   Part 1: one ext4 volume image of SIZE, made with mkfs.ext4 -q -d TREE from
#     $CACHE/trees/c (a Debian buildd tree; /usr when absent; a subset of it when it does
#     not fit), cached in $CACHE/cast. udpcast sends the raw file (udp-sender --file, the
#     bytes as they are); imgcast captures it once per invocation (untimed) and serves it
#     from the store. N receivers, loss P% at each (independent, nftables in the lab).
#   Part 3 (transport, issue 21): CPU per GiB and throughput on SIZE of random bytes
#     (incompressible: nothing to compress or skip; $CACHE/cast/random-SIZE.bin) and on the
#     ext4 volume of part 1. Tools alternate, their order rotating each run: udpcast
#     (the raw file), udpcast-zstd (udpcast piped through zstd -3 -T0 / zstd -dc, as
#     Clonezilla runs it), imgcast (authentication on: a tag on every datagram),
#     imgcast-enc (serve --encrypt) and imgcast-before (--before). CPU: user + system of
#     every process (/usr/bin/time -f "%U %S", JVM start-up and pipes included) per GiB of
#     data delivered to each receiver; medians of the verified runs and the worst.
#   Part 2: trees a, b, c of $CACHE/trees (bench/corpus.sh) to K receivers each.
#     imgcast: the three captured as tree images into one store, one serve session for
#     all 3K receivers. udpcast: each tree as an uncompressed tar (cached), three
#     sessions one after another, each to its K receivers; times are summed.
#   Time: from starting the sender (udp-sender / imgcast serve, JVM start included) to
#     the exit of the last receiver (imgcast's includes its read-back check). Receivers
#     start first (settle pause, untimed). Wire: tx_bytes of NAME-s eth0 before the
#     sender starts and after it exited (everything the server sent: data, repairs,
#     control). kdrops: UDP receive-buffer overflows summed over the receivers' namespaces.
#   Verified: udpcast copies with cmp (exit codes are not enough); imgcast: exit 0, JSON
#     ok, and cmp (volumes) or diff -r plus a type/mode/owner/size/mtime/link listing
#     (trees). Medians over the verified runs only; failed runs are counted and listed.
#   udpcast flags (see /work/shared/LAB-NOTES.md): --half-duplex --nopointopoint, pinned
#     --mcast-data-address/--mcast-rdv-address, --min-receivers N --max-wait 30, and under
#     loss --min-wait 2 --rexmit-hello-interval 100 (which makes udpcast wait >= 2 s
#     after the first receiver connected: it is in udpcast's times under loss).
#   imgcast: serve --rate RATE --min-machines N --wait 30 --exit-after-idle 2; receive
#     --json --timeout 60.
# Markdown tables go to stdout (and RESULTS/report.md); progress to stderr. Raw samples,
# logs of failed runs and the report stay in $CACHE/cast-results/<time>/.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
BENCH=cast
# shellcheck source=bench/lib.sh
. "$here/lib.sh"   # also sets repo, CACHE, LABSH

RUNS=""; SIZE=""; RECEIVERS=""; LOSSES=""; PART=all; QUICK=0; PER_IMAGE=2; LOSSES2=""
RATE=950Mbit; UDP_RATE=""; LAB_RATE=""; LIMIT=""; SETTLE=""; TARGETS=""; IMGCAST=""
LABNAME="cb$$"; LABNAME="${LABNAME:0:8}"; KEEP=0
DATA3="random ext4"; RECEIVERS3="1 8"; LOSSES3="0 5"; TOOLS3=""; TOOLS3_GIVEN=""; BEFORE=""

while [ $# -gt 0 ]; do
  if common_option "$@"; then shift "$OPT_SHIFT"; continue; fi   # the options of lib.sh
  case "$1" in
    --part) PART="${2:?}"; shift 2 ;;
    --per-image) PER_IMAGE="${2:?}"; shift 2 ;;
    --loss2) LOSSES2="${2:?}"; shift 2 ;;
    --targets) TARGETS="${2:?}"; shift 2 ;;
    --data3) DATA3="${2:?}"; shift 2 ;;
    --receivers3) RECEIVERS3="${2:?}"; shift 2 ;;
    --loss3) LOSSES3="${2:?}"; shift 2 ;;
    --tools3) TOOLS3="${2:?}"; TOOLS3_GIVEN=1; shift 2 ;;
    --before) BEFORE="${2:?}"; shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  : "${RUNS:=1}" "${SIZE:=64M}" "${RECEIVERS:=1 2}" "${LOSSES:=0 5}" "${LOSSES2:=0}"
else
  : "${RUNS:=3}" "${SIZE:=512M}" "${RECEIVERS:=1 4 8}" "${LOSSES:=0 1 5}" "${LOSSES2:=0}"
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ "$PER_IMAGE" =~ ^[1-9][0-9]*$ ]] || die "--per-image must be a positive integer"
case "$PART" in 1|2|3|all) ;; *) die "--part must be 1, 2, 3 or all" ;; esac
for d in $DATA3; do case "$d" in random|ext4) ;; *) die "--data3 takes random and/or ext4" ;; esac; done
for n in $RECEIVERS3; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "bad receiver count '$n'"; done
for l in $LOSSES3; do [[ "$l" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad loss '$l'"; done
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || die "--before: $BEFORE is not an executable launcher"
[ -n "$TOOLS3" ] || TOOLS3="udpcast udpcast-zstd imgcast imgcast-enc${BEFORE:+ imgcast-before}"
for t in $TOOLS3; do case "$t" in udpcast|udpcast-zstd|imgcast|imgcast-enc|imgcast-before) ;; *) die "unknown --tools3 tool '$t'" ;; esac; done
case " $TOOLS3 " in *" imgcast-before "*) [ -n "$BEFORE" ] || die "imgcast-before needs --before PATH" ;; esac
for n in $RECEIVERS; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "bad receiver count '$n'"; done
for l in $LOSSES $LOSSES2; do [[ "$l" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad loss '$l'"; done
parse_size
[[ "$LABNAME" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "bad lab name '$LABNAME'"

need_tools udp-sender udp-receiver mkfs.ext4 jq cmp diff tar timeout ip nft numfmt flock zstd /usr/bin/time

# Multicast groups and ports (inside the lab only). udpcast: UDP_RDV, UDP_DATA, UDP_PORTBASE
# of lib.sh. imgcast: its defaults 239.77.0.1:9000 (+1 for stream 1) and HTTP 8470 on the server.
SERVER_IP=10.77.1.1
SERVER_URL="https://$SERVER_IP:8470/"   # TLS; receivers trust the key on first use

# ---------------------------------------------------------------- work dirs, cleanup
# RESULTS, WORK, TGT_ROOT (--targets or /dev/shm), RAW, META; the traps (cleanup of lib.sh)
bench_init part n loss run tool ok secs wire kdrops note load1 cpu_s cpu_r

# ---------------------------------------------------------------- helpers
# Type, mode, owner, size of files, mtime, link count of files, symlink target: sorted.
tree_listing() {
  (cd "$1" && find . -printf '%P\t%y\t%m\t%U\t%G\t%n\t%s\t%T@\t%l\n') \
    | awk -F'\t' 'BEGIN { OFS = "\t" } $2 != "f" { $7 = "-" } $2 == "d" { $6 = "-" } $1 == "" { $8 = "-" } { print }' \
    | LC_ALL=C sort
}

# tree_same SRC DST: 0 when contents and the listing above agree; prints differences.
tree_same() {
  local d
  d=$(diff -rq --no-dereference "$1" "$2" 2>&1 \
      | grep -vE '^File .* is a (character special file|block special file|fifo|socket) while file .* is a (character special file|block special file|fifo|socket)$' || true)
  if [ -n "$d" ]; then echo "content: $(head -n 3 <<<"$d" | tr '\n' ';')"; return 1; fi
  d=$(diff <(tree_listing "$1") <(tree_listing "$2") || true)
  if [ -n "$d" ]; then echo "metadata: $(head -n 4 <<<"$d" | tr '\n' ';')"; return 1; fi
  return 0
}

# ---------------------------------------------------------------- imgcast build snapshot
# Others may rebuild target/ while we run: we run a private copy of one build.
if [ -z "$IMGCAST" ]; then
  imgcast_snapshot
else
  JAR_SHA="(external launcher $IMGCAST)"
fi
imgcast_describe "$repo"

# ---------------------------------------------------------------- inputs (cached)
exec 8>"$CACHE/cast/.lock"   # held while building cached inputs

# part 1 volume: prepare_volume of lib.sh (VOL, VOL_DESC)

# part 2 trees: TREE_a.. and TAR_a..
prepare_trees() {
  local t
  for t in a b c; do
    [ -f "$CACHE/trees/$t.done" ] && [ -d "$CACHE/trees/$t" ] \
      || die "tree $t missing in $CACHE/trees (run bench/corpus.sh first)"
  done
  local prefix=tree
  if [ "$QUICK" = 1 ]; then
    prefix=quick
    for t in a b c; do
      local q="$CACHE/cast/quick-$t"
      if [ ! -f "$q.done" ]; then
        log "quick tree $t: etc, usr/bin, usr/sbin of tree $t"
        rm -rf "$q"; mkdir -p "$q"
        tar -C "$CACHE/trees/$t" -cf - etc usr/bin usr/sbin | tar -C "$q" -xpf -
        touch "$q.done"
      fi
    done
  fi
  for t in a b c; do
    if [ "$QUICK" = 1 ]; then declare -g "TREE_$t=$CACHE/cast/quick-$t"; else declare -g "TREE_$t=$CACHE/trees/$t"; fi
    local tree_var="TREE_$t" tarf="$CACHE/cast/$prefix-$t.tar"
    if [ ! -f "$tarf.done" ]; then
      log "tar of ${!tree_var} -> $tarf"
      tar --numeric-owner --xattrs --acls -C "${!tree_var}" -cf "$tarf.tmp" .
      mv "$tarf.tmp" "$tarf"; touch "$tarf.done"
    fi
    declare -g "TAR_$t=$tarf"
  done
}

# ---------------------------------------------------------------- one measurement per tool
# Part 1, udpcast: the raw file to r1..rN (udpcast_volume of lib.sh); kdrops from the
# sender's start.
p1_udpcast() {  # N LOSS RUN
  local n=$1 loss=$2 run=$3
  new_run_dir "p1-udpcast-n$n-l$loss-$run"
  udpcast_volume "$n" "$loss"
  sample 1 "$n" "$loss" "$run" udpcast "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_KD_SEND" "${UDP_NOTE%; }"
  [ "$UDP_OK" = 1 ] || keep_logs
  log_run udpcast "$n" "$loss" "$run" "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_KD_SEND" "$UDP_NOTE"
}

# imgcast_session STORE SPEC...   SPEC = i:image:target; IMG_BIN (default IMGCAST) and
# SERVE_EXTRA (more serve options) when set
# Sets SESS_SECS, SESS_NOTE, SESS_FAILED_RECEIVERS; receivers' logs in RUN_DIR/r$i.*
imgcast_session() {
  local store=$1; shift
  local n=$# spec i img target pids=() tags=()
  for spec in "$@"; do
    IFS=: read -r i img target <<<"$spec"
    bg_run "r$i" "$LABNAME-r$i" "${IMG_BIN:-$IMGCAST}" receive --server "$SERVER_URL" --image "$img" \
      --target "$target" --interface eth0 --machine "r$i" --json --timeout 60
    pids+=("$LAST_PID"); tags+=("r$i")
  done
  sleep "${SETTLE:-$(awk -v n="$n" 'BEGIN { print 2 + n / 2 }')}"
  SESS_T0=$(now)
  bg_run s "$LABNAME-s" "${IMG_BIN:-$IMGCAST}" serve --store "$store" --interface eth0 --listen "$SERVER_IP:8470" \
    --rate "$RATE" --min-machines "$n" --wait 30 --exit-after-idle 2 ${SERVE_EXTRA[@]+"${SERVE_EXTRA[@]}"}
  local spid=$LAST_PID
  for i in "${pids[@]}"; do join_pid "$i"; done
  SESS_SECS=$(fsub "$(max_end "${tags[@]}")" "$SESS_T0")
  SESS_NOTE=""
  join_or_stop "$spid" 30 "$LABNAME-s" || SESS_NOTE+="server still running 30 s after the last receiver, stopped; "
  local rc; rc=$(cat "$RUN_DIR/s.rc" 2>/dev/null || echo '?')
  [ "$rc" = 0 ] || SESS_NOTE+="serve exit $rc: $(tail -n 2 "$RUN_DIR/s.err" 2>/dev/null | tr '\n' ' '); "
  grep -q "all machines finished" "$RUN_DIR/s.out" 2>/dev/null || SESS_NOTE+="server did not report all machines finished; "
}

p1_imgcast() {  # N LOSS RUN
  local n=$1 loss=$2 run=$3 i
  new_run_dir "p1-imgcast-n$n-l$loss-$run"
  local tgt="$TGT_ROOT/imgcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local specs=()
  for ((i = 1; i <= n; i++)); do specs+=("$i:vol:$tgt/r$i.img"); done
  local kd0 tx0 kd1 tx1
  RCVBUF0=$(rcvbuf_each "$n"); kd0=$(sum_words "$RCVBUF0"); tx0=$(tx_bytes)
  imgcast_session "$STORE1" "${specs[@]}"
  tx1=$(tx_bytes); RCVBUF1=$(rcvbuf_each "$n"); kd1=$(sum_words "$RCVBUF1")
  local ok=1 note=$SESS_NOTE bad
  for ((i = 1; i <= n; i++)); do
    if ! bad=$(imgcast_check "$i"); then ok=0; note+="$bad; "
    elif ! cmp -s "$VOL" "$tgt/r$i.img"; then ok=0; note+="r$i exit 0 but copy DIFFERS; "; fi
  done
  rm -rf "$tgt"
  save_receiver_json "p1-n$n-l$loss-$run" "$RCVBUF0" "$RCVBUF1" $(seq 1 "$n")
  sample 1 "$n" "$loss" "$run" imgcast "$ok" "$SESS_SECS" $((tx1 - tx0)) $((kd1 - kd0)) "${note%; }"
  [ "$ok" = 1 ] && [ -z "$note" ] || keep_logs
  log_run imgcast "$n" "$loss" "$run" "$ok" "$SESS_SECS" $((tx1 - tx0)) $((kd1 - kd0)) "$note"
}

# Part 2, udpcast: three sessions one after another, tar of a to r1..rK, b to rK+1.., c ..
p2_udpcast() {  # LOSS RUN
  local loss=$1 run=$2 k=$PER_IMAGE
  new_run_dir "p2-udpcast-l$loss-$run"
  local tgt="$TGT_ROOT/udpcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local lossflags=(); [ "$loss" = 0 ] || lossflags=(--min-wait 2 --rexmit-hello-interval 100)
  local rateflags=(); [ -z "$UDP_RATE" ] || rateflags=(--max-bitrate "$UDP_RATE")
  local n=$((3 * k)) kd0 tx0 total=0 note="" ok=1 g t i j rc
  kd0=$(rcvbuf_errors "$n"); tx0=$(tx_bytes)
  g=0
  for t in a b c; do
    local tarv="TAR_$t" pids=() tags=() t0 secs spid
    for ((j = 1; j <= k; j++)); do
      i=$((g * k + j))
      bg_run "r$i" "$LABNAME-r$i" udp-receiver --interface eth0 --portbase $UDP_PORTBASE \
        --mcast-rdv-address $UDP_RDV --nokbd --start-timeout 60 --file "$tgt/r$i.tar"
      pids+=("$LAST_PID"); tags+=("r$i")
    done
    sleep "${SETTLE:-0.5}"
    t0=$(now)
    bg_run "s-$t" "$LABNAME-s" udp-sender --interface eth0 --portbase $UDP_PORTBASE --file "${!tarv}" \
      --half-duplex --nopointopoint --mcast-data-address $UDP_DATA --mcast-rdv-address $UDP_RDV \
      --min-receivers "$k" --max-wait 30 --nokbd "${lossflags[@]}" "${rateflags[@]}"
    spid=$LAST_PID
    for i in "${pids[@]}"; do join_pid "$i"; done
    secs=$(fsub "$(max_end "${tags[@]}")" "$t0")
    total=$(awk -v a="$total" -v b="$secs" 'BEGIN { printf "%.3f", a + b }')
    join_or_stop "$spid" 30 "$LABNAME-s" || note+="udp-sender ($t) still running 30 s after its receivers, stopped; "
    rc=$(cat "$RUN_DIR/s-$t.rc" 2>/dev/null || echo '?'); [ "$rc" = 0 ] || note+="udp-sender ($t) exit $rc; "
    for ((j = 1; j <= k; j++)); do
      i=$((g * k + j))
      rc=$(cat "$RUN_DIR/r$i.rc" 2>/dev/null || echo '?')
      if ! cmp -s "${!tarv}" "$tgt/r$i.tar"; then ok=0; note+="r$i ($t) copy differs/missing (exit $rc); "
      elif [ "$rc" != 0 ]; then note+="r$i exit $rc but copy identical; "; fi
      rm -f "$tgt/r$i.tar"
    done
    g=$((g + 1))
  done
  local tx1 kd1; tx1=$(tx_bytes); kd1=$(rcvbuf_errors "$n")
  rm -rf "$tgt"
  sample 2 "$n" "$loss" "$run" udpcast "$ok" "$total" $((tx1 - tx0)) $((kd1 - kd0)) "${note%; }"
  [ "$ok" = 1 ] || keep_logs
  log "  udpcast  part 2 loss=$loss% run $run: $([ $ok = 1 ] && echo verified || echo FAILED) ${total}s wire $(mib $((tx1 - tx0))) MiB ${note:+($note)}"
}

p2_imgcast() {  # LOSS RUN
  local loss=$1 run=$2 k=$PER_IMAGE
  new_run_dir "p2-imgcast-l$loss-$run"
  local tgt="$TGT_ROOT/imgcast"; rm -rf "$tgt"; mkdir -p "$tgt"
  local n=$((3 * k)) specs=() g=0 t j i
  for t in a b c; do
    for ((j = 1; j <= k; j++)); do i=$((g * k + j)); specs+=("$i:$t:$tgt/r$i"); done
    g=$((g + 1))
  done
  local kd0 tx0 kd1 tx1
  RCVBUF0=$(rcvbuf_each "$n"); kd0=$(sum_words "$RCVBUF0"); tx0=$(tx_bytes)
  imgcast_session "$STORE2" "${specs[@]}"
  tx1=$(tx_bytes); RCVBUF1=$(rcvbuf_each "$n"); kd1=$(sum_words "$RCVBUF1")
  local ok=1 note=$SESS_NOTE bad treev
  g=0
  for t in a b c; do
    treev="TREE_$t"
    for ((j = 1; j <= k; j++)); do
      i=$((g * k + j))
      if ! bad=$(imgcast_check "$i"); then ok=0; note+="$bad; "
      elif ! bad=$(tree_same "${!treev}" "$tgt/r$i"); then ok=0; note+="r$i ($t) exit 0 but tree differs: $bad; "; fi
      rm -rf "$tgt/r$i"
    done
    g=$((g + 1))
  done
  rm -rf "$tgt"
  save_receiver_json "p2-l$loss-$run" "$RCVBUF0" "$RCVBUF1" $(seq 1 "$n")
  sample 2 "$n" "$loss" "$run" imgcast "$ok" "$SESS_SECS" $((tx1 - tx0)) $((kd1 - kd0)) "${note%; }"
  [ "$ok" = 1 ] && [ -z "$note" ] || keep_logs
  log "  imgcast  part 2 loss=$loss% run $run: $([ $ok = 1 ] && echo verified || echo FAILED) ${SESS_SECS}s wire $(mib $((tx1 - tx0))) MiB ${note:+($note)}"
}

# Part 3: one tool, one run. DATA3_FILE is what every receiver gets; DATA3_STORE its capture.
p3_run() {  # DATA N LOSS RUN TOOL
  local data=$1 n=$2 loss=$3 run=$4 tool=$5 i
  new_run_dir "p3-$data-$tool-n$n-l$loss-$run"
  case "$tool" in
    udpcast|udpcast-zstd)
      UDP_ZSTD=0; [ "$tool" = udpcast ] || UDP_ZSTD=1
      VOL="$DATA3_FILE" udpcast_volume "$n" "$loss"
      UDP_ZSTD=0
      sample "3-$data" "$n" "$loss" "$run" "$tool" "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_KD_SEND" "${UDP_NOTE%; }"
      [ "$UDP_OK" = 1 ] || keep_logs
      log_run "$tool" "$n" "$loss" "$run" "$UDP_OK" "$UDP_SECS" "$UDP_WIRE" "$UDP_KD_SEND" "$UDP_NOTE" ;;
    imgcast*)
      IMG_BIN=$IMGCAST; SERVE_EXTRA=()
      [ "$tool" != imgcast-before ] || IMG_BIN=$BEFORE
      [ "$tool" != imgcast-enc ] || SERVE_EXTRA=(--encrypt)
      local tgt="$TGT_ROOT/imgcast"; rm -rf "$tgt"; mkdir -p "$tgt"
      local specs=()
      for ((i = 1; i <= n; i++)); do specs+=("$i:d3:$tgt/r$i.img"); done
      local kd0 tx0 kd1 tx1
      RCVBUF0=$(rcvbuf_each "$n"); kd0=$(sum_words "$RCVBUF0"); tx0=$(tx_bytes)
      imgcast_session "$DATA3_STORE" "${specs[@]}"
      tx1=$(tx_bytes); RCVBUF1=$(rcvbuf_each "$n"); kd1=$(sum_words "$RCVBUF1")
      IMG_BIN=""; SERVE_EXTRA=()
      local ok=1 note=$SESS_NOTE bad
      for ((i = 1; i <= n; i++)); do
        if ! bad=$(imgcast_check "$i"); then ok=0; note+="$bad; "
        elif ! cmp -s "$DATA3_FILE" "$tgt/r$i.img"; then ok=0; note+="r$i exit 0 but copy DIFFERS; "; fi
      done
      rm -rf "$tgt"
      save_receiver_json "p3-$data-$tool-n$n-l$loss-$run" "$RCVBUF0" "$RCVBUF1" $(seq 1 "$n")
      sample "3-$data" "$n" "$loss" "$run" "$tool" "$ok" "$SESS_SECS" $((tx1 - tx0)) $((kd1 - kd0)) "${note%; }"
      [ "$ok" = 1 ] && [ -z "$note" ] || keep_logs
      log_run "$tool" "$n" "$loss" "$run" "$ok" "$SESS_SECS" $((tx1 - tx0)) $((kd1 - kd0)) "$note" ;;
  esac
}

# The tools of part 3 for DATA: raw udpcast on random data, udpcast-zstd on ext4 (compressing
# random bytes gains nothing), unless --tools3 names them
p3_tools() {
  local data=$1 t out=""
  for t in $TOOLS3; do
    if [ -z "$TOOLS3_GIVEN" ]; then
      [ "$t" = udpcast ] && [ "$data" != random ] && continue
      [ "$t" = udpcast-zstd ] && [ "$data" != ext4 ] && continue
    fi
    out+="$t "
  done
  echo "$out"
}

# runs of part 3 for DATA: every receiver count and loss, RUNS runs, the tools' order rotating
p3_matrix() {
  local data=$1 n loss run k tools
  read -r -a tools <<<"$(p3_tools "$data")"
  for n in $RECEIVERS3; do
    lab_up "$n"
    for loss in $LOSSES3; do
      set_loss "$n" "$loss"
      for ((run = 1; run <= RUNS; run++)); do
        log "part 3 ($data): $n receivers, loss $loss%, run $run/$RUNS"
        for ((k = 0; k < ${#tools[@]}; k++)); do
          p3_run "$data" "$n" "$loss" "$run" "${tools[$(((k + run - 1) % ${#tools[@]}))]}"
        done
      done
    done
    lab_down
  done
}

# DATA3_FILE and DATA3_STORE for random or ext4 (the file made once, cached; captured per invocation)
p3_data() {
  local data=$1
  if [ "$data" = random ]; then
    DATA3_FILE="$CACHE/cast/random-$SIZE_MIB.bin"
    if [ ! -f "$DATA3_FILE.done" ]; then
      log "part 3: $SIZE_MIB MiB of random bytes -> $DATA3_FILE"
      head -c "$SIZE_BYTES" /dev/urandom >"$DATA3_FILE.tmp" && mv "$DATA3_FILE.tmp" "$DATA3_FILE" && touch "$DATA3_FILE.done"
    fi
  else
    prepare_volume
    DATA3_FILE=$VOL
  fi
  DATA3_STORE="$WORK/store-3-$data"
  rm -rf "$DATA3_STORE"
  log "part 3: capturing $DATA3_FILE (untimed)"
  "$IMGCAST" capture "$DATA3_FILE" --name d3 --store "$DATA3_STORE" --json -q >"$WORK/capture-3-$data.json" \
    || die "imgcast capture of $DATA3_FILE failed"
  "$IMGCAST" list --json --store "$DATA3_STORE" >"$WORK/list3-$data.json"
  local raw stored zst
  raw=$(stat -c %s "$DATA3_FILE"); stored=$(jq '.pack_bytes' "$WORK/list3-$data.json")
  zst=$(zstd -3 -T0 -c "$DATA3_FILE" | wc -c)
  echo "P3_RAW_$data=$raw; P3_STORED_$data=$stored; P3_ZSTD_$data=$zst" >>"$META"
  cat "$DATA3_FILE" >/dev/null; find "$DATA3_STORE" -type f -exec cat {} + >/dev/null
  log "part 3 ($data): raw $(mib "$raw") MiB, imgcast stored $(mib "$stored") MiB, zstd -3 $(mib "$zst") MiB"
}

# ---------------------------------------------------------------- report
report() {
  report_begin "imgcast vs udpcast" \
    "imgcast --rate $RATE; udpcast --max-bitrate ${UDP_RATE:-none}; lab link rate ${LAB_RATE:-unlimited (veth)};" \
    "Times: sender start to last receiver exit. Wire: the server's eth0 tx_bytes. kdrops: UDP receive-buffer overflows at the receivers (sum)."
  awk -F'\t' -v raw1="${P1_RAW:-0}" -v stored1="${P1_STORED:-0}" -v union="${P2_UNION:-0}" \
      -v tars="${P2_TARS:-0}" -v imgs="${P2_IMAGES:-0}" -v voldesc="${P1_DESC:-}" -v p2desc="${P2_DESC:-}" "$REPORT_AWK"'
    NR == 1 || $1 ~ /^3-/ { next }
    {
      k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5
      cnt[k]++
      load1($11)
      if ($6 == 1) { okc[k]++; secs[k] = secs[k] " " $7; wire[k] = wire[k] " " $8; kd[k] = kd[k] " " $9 }
      cfg = $1 SUBSEP $2 SUBSEP $3
      if (!(cfg in seen)) { seen[cfg] = 1; order[++nc] = cfg }
      if ($6 != 1 || $10 != "") notes[++nn] = "part " $1 ", " $2 " receivers, " $3 "% loss, run " $4 ", " $5 ": " ($6 == 1 ? "verified; " : "FAILED; ") $10
    }
    END {
      for (p = 1; p <= 2; p++) {
        any = 0
        for (x = 1; x <= nc; x++) { split(order[x], c, SUBSEP); if (c[1] == p) any = 1 }
        if (!any) continue
        if (p == 1) {
          printf "## Part 1: one volume image to N receivers\n\n"
          printf "Image: %s; raw %.1f MiB (what udpcast sends), stored by imgcast (compressed, holes skipped) %.1f MiB.\n\n", voldesc, raw1 / 1048576, stored1 / 1048576
          printf "| receivers | loss | udpcast s | imgcast s | time imgcast/udpcast | udpcast wire MiB (x raw) | imgcast wire MiB (x raw / x stored) | wire imgcast/udpcast | kdrops u / i | verified u / i |\n"
          printf "|---|---|---|---|---|---|---|---|---|---|\n"
        } else {
          printf "\n## Part 2: three related tree images, %s\n\n", p2desc
          printf "Dedup union (imgcast store pack bytes) %.1f MiB; sum of the three images %.1f MiB (imgcast) / tars %.1f MiB (udpcast).\n\n", union / 1048576, imgs / 1048576, tars / 1048576
          printf "| receivers | loss | udpcast s (3 sessions) | imgcast s (1 session) | time imgcast/udpcast | udpcast wire MiB (x tars) | imgcast wire MiB (x union / x sum of images) | wire imgcast/udpcast | kdrops u / i | verified u / i |\n"
          printf "|---|---|---|---|---|---|---|---|---|---|\n"
        }
        for (x = 1; x <= nc; x++) {
          split(order[x], c, SUBSEP); if (c[1] != p) continue
          u = order[x] SUBSEP "udpcast"; i = order[x] SUBSEP "imgcast"
          us = med(secs[u]); is = med(secs[i]); uw = med(wire[u]); iw = med(wire[i])
          base = (p == 1) ? raw1 : tars
          uwx = (uw == "" || base == 0) ? "" : sprintf(" (%.2fx)", uw / base)
          if (p == 1) iwx = (iw == "") ? "" : sprintf(" (%.2fx / %.2fx)", iw / raw1, (stored1 ? iw / stored1 : 0))
          else iwx = (iw == "") ? "" : sprintf(" (%.2fx / %.2fx)", (union ? iw / union : 0), (imgs ? iw / imgs : 0))
          printf "| %s | %s%% | %s | %s | %s | %s%s | %s%s | %s | %s / %s | %d/%d / %d/%d |\n", c[2], c[3], f1(us), f1(is), rat(is, us),
            mb(uw), uwx, mb(iw), iwx, rat(iw, uw), (kd[u] == "" ? "–" : med(kd[u])), (kd[i] == "" ? "–" : med(kd[i])),
            okc[u], cnt[u], okc[i], cnt[i]
        }
      }
      footer(" (2 cores)")
    }' "$RAW" >>"$RESULTS/report.md"
  report3
  report_end "imgcast receivers' JSON summaries: $RESULTS/imgcast-receivers.jsonl; part 3's medians: $RESULTS/part3.tsv"
}

# Part 3's tables (appended to RESULTS/report.md) and RESULTS/part3.tsv (the medians, for
# bench/plot-cpu.sh)
report3() {
  grep -q $'^3-' "$RAW" || return 0
  awk -F'\t' -v tsv="$RESULTS/part3.tsv" \
      -v rr="${P3_RAW_random:-0}" -v rs="${P3_STORED_random:-0}" -v rz="${P3_ZSTD_random:-0}" \
      -v er="${P3_RAW_ext4:-0}" -v es="${P3_STORED_ext4:-0}" -v ez="${P3_ZSTD_ext4:-0}" "$REPORT_AWK"'
    function worst(s,   a, n, i, m) { n = split(s, a, " "); if (!n) return ""; m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
    NR == 1 { next }
    $1 ~ /^3-/ {
      data = substr($1, 3); k = data SUBSEP $2 SUBSEP $3 SUBSEP $5
      cnt[k]++; load1($11)
      gib = (data == "random" ? rr : er) / 1073741824
      if ($6 == 1) {
        okc[k]++; secs[k] = secs[k] " " $7; wire[k] = wire[k] " " $8; kd[k] = kd[k] " " $9
        if (gib > 0) { cs[k] = cs[k] " " ($12 / gib); cr[k] = cr[k] " " ($13 / $2 / gib) }
      }
      if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
      if ($6 != 1 || $10 != "") notes[++nn] = data ", " $2 " receivers, " $3 "% loss, run " $4 ", " $5 ": " ($6 == 1 ? "verified; " : "FAILED; ") $10
    }
    END {
      printf "data\treceivers\tloss\ttool\truns\tsecs\tsecs_worst\tsender_cpu_per_gib\treceiver_cpu_per_gib\treceiver_cpu_per_gib_worst\n" > tsv
      for (d = 1; d <= 2; d++) {
        data = (d == 1) ? "random" : "ext4"; raw = (d == 1) ? rr : er; st = (d == 1) ? rs : es; zs = (d == 1) ? rz : ez
        any = 0; for (x = 1; x <= nk; x++) { split(order[x], c, SUBSEP); if (c[1] == data) any = 1 }
        if (!any) continue
        printf "\n## Part 3: transport CPU and throughput, %s data\n\n", data
        printf "Data: %.1f MiB raw; stored by imgcast %.1f MiB; zstd -3 %.1f MiB. CPU: user + system seconds per GiB delivered to each receiver (a sender: per GiB sent once), medians of the verified runs, the worst in brackets.\n\n", raw / 1048576, st / 1048576, zs / 1048576
        printf "| receivers | loss | tool | verified | time s (worst) | goodput Mbit/s | wire MiB (x raw / x stored) | sender CPU s/GiB (worst) | each receiver CPU s/GiB (worst) | kdrops | time vs udpcast | receiver CPU vs udpcast |\n"
        printf "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for (x = 1; x <= nk; x++) {
          split(order[x], c, SUBSEP); if (c[1] != data) continue
          base = c[1] SUBSEP c[2] SUBSEP c[3] SUBSEP (data == "random" ? "udpcast" : "udpcast-zstd")
          k = order[x]
          t = med(secs[k]); w = med(wire[k]); s1 = med(cs[k]); r1 = med(cr[k])
          bt = med(secs[base]); br = med(cr[base])
          gp = (t == "" || t == 0) ? "–" : sprintf("%.0f", raw * 8 / t / 1e6)
          wx = (w == "") ? "" : sprintf(" (%.2fx / %.2fx)", w / raw, (st ? w / st : 0))
          printf "| %s | %s%% | %s | %d/%d | %s (%s) | %s | %s%s | %s (%s) | %s (%s) | %s | %s | %s |\n", c[2], c[3], c[4], okc[k], cnt[k],
            f1(t), f1(worst(secs[k])), gp, mb(w), wx, (s1 == "" ? "–" : sprintf("%.2f", s1)), (cs[k] == "" ? "–" : sprintf("%.2f", worst(cs[k]))),
            (r1 == "" ? "–" : sprintf("%.2f", r1)), (cr[k] == "" ? "–" : sprintf("%.2f", worst(cr[k]))), (kd[k] == "" ? "–" : med(kd[k])),
            (k == base ? "1" : rat(t, bt)), (k == base ? "1" : rat(r1, br))
          printf "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", data, c[2], c[3], c[4], okc[k], t, worst(secs[k]), s1, r1, worst(cr[k]) > tsv
        }
      }
      footer(" (2 cores)")
    }' "$RAW" >>"$RESULTS/report.md"
}


# ---------------------------------------------------------------- main
bench_start

# --- part 2
if [ "$PART" = 2 ] || [ "$PART" = all ]; then
  flock -w 1800 8 || die "lock"
  prepare_trees
  flock -u 8
  STORE2="$WORK/store-trees"
  log "part 2: capturing trees a, b, c into one store (untimed)"
  for t in a b c; do
    treev="TREE_$t"
    "$IMGCAST" capture "${!treev}" --name "$t" --store "$STORE2" --json -q >"$WORK/capture-$t.json" \
      || die "imgcast capture of ${!treev} failed"
  done
  "$IMGCAST" list --json --store "$STORE2" >"$WORK/list2.json"
  P2_UNION=$(jq '.pack_bytes' "$WORK/list2.json")
  P2_IMAGES=$(jq '[.images[].bytes] | add' "$WORK/list2.json")
  P2_TARS=$(( $(stat -c %s "$TAR_a") + $(stat -c %s "$TAR_b") + $(stat -c %s "$TAR_c") ))
  P2_DESC="$PER_IMAGE receivers per image ($( [ "$QUICK" = 1 ] && echo "quick: etc, usr/bin, usr/sbin of trees a, b, c" || echo "trees a, b, c of bench/corpus.sh"))"
  { echo "P2_UNION=$P2_UNION; P2_IMAGES=$P2_IMAGES; P2_TARS=$P2_TARS"; echo "P2_DESC='$P2_DESC'"; } >>"$META"
  log "part 2: union $(mib "$P2_UNION") MiB, images $(mib "$P2_IMAGES") MiB, tars $(mib "$P2_TARS") MiB"
  cat "$TAR_a" "$TAR_b" "$TAR_c" >/dev/null; find "$STORE2" -type f -exec cat {} + >/dev/null  # warm the page cache
  lab_up $((3 * PER_IMAGE))
  for loss in $LOSSES2; do
    set_loss $((3 * PER_IMAGE)) "$loss"
    for ((run = 1; run <= RUNS; run++)); do
      log "part 2: loss $loss%, run $run/$RUNS"
      run_pair p2_udpcast p2_imgcast "$loss" "$run"
    done
  done
  lab_down
fi

# --- part 1
if [ "$PART" = 1 ] || [ "$PART" = all ]; then
  flock -w 1800 8 || die "lock"
  prepare_volume
  flock -u 8
  STORE1="$WORK/store-vol"
  log "part 1: capturing $VOL (untimed)"
  "$IMGCAST" capture "$VOL" --name vol --store "$STORE1" --json -q >"$WORK/capture-vol.json" || die "imgcast capture of $VOL failed"
  "$IMGCAST" list --json --store "$STORE1" >"$WORK/list1.json"
  P1_RAW=$(stat -c %s "$VOL")
  P1_STORED=$(jq '.pack_bytes' "$WORK/list1.json")
  { echo "P1_RAW=$P1_RAW; P1_STORED=$P1_STORED"; echo "P1_DESC='$VOL_DESC'"; } >>"$META"
  log "part 1: raw $(mib "$P1_RAW") MiB, stored $(mib "$P1_STORED") MiB ($VOL_DESC)"
  cat "$VOL" >/dev/null; find "$STORE1" -type f -exec cat {} + >/dev/null
  run_matrix "part 1: " p1_udpcast p1_imgcast
fi

# --- part 3
if [ "$PART" = 3 ] || [ "$PART" = all ]; then
  for d in $DATA3; do
    flock -w 1800 8 || die "lock"
    p3_data "$d"
    flock -u 8
    p3_matrix "$d"
  done
fi

{ [ "$PART" = all ] && [ "$QUICK" = 0 ] && bash "$here/mixed-bench.sh" --runs 5; } || true  # mixed images, one session: wire ratio per run
report
