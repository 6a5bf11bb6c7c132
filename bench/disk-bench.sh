#!/usr/bin/env bash
# Disk benchmark: file-system-aware volume capture, partclone + zstd (what Clonezilla stores and
# sends) against imgcast, in the same run, on volumes whose free space holds stale data, as a
# disk in service does. Not part of the test suite. Needs root (partclone), partclone, zstd,
# e2fsprogs, dosfstools, mtools, ntfs-3g (scripts/setup-system.sh installs them).
#
#   bench/disk-bench.sh [--size SIZE] [--tree DIR] [--runs N] [--quick] [--imgcast PATH] [--work DIR] [--keep]
#
#   --size SIZE     ext4 volume size for truncate(1): 768M, 2G ... (default 768M); the FAT EFI
#                   partition is 512M and the NTFS volume the ext4 size (--quick: 128M each)
#   --tree DIR      files to put in the volumes (default: $CACHE/trees/c of bench/corpus.sh, else /usr)
#   --runs N        runs per figure; medians are reported (default 3)
#   --quick         validation: --size 128M --runs 1, small trees
#   --imgcast PATH  imgcast launcher (default: the repository's ./imgcast)
#   --work DIR      work directory (default: a new one under /var/tmp; removed unless --keep)
#
# What is measured, per volume:
#   ext4:  mke2fs -E nodiscard -d TREE over stale data (the tar stream of TREE written over the
#          whole file first, so free blocks hold old file content);
#   fat:   an EFI system partition: mkfs.vfat -F 32 over stale data, up to 40 MiB of TREE's files
#          copied in with mcopy;
#   ntfs:  mkntfs -Q over stale data, up to 2000 of TREE's files copied in with ntfscp.
#   partclone: capture `partclone.FS -c -s VOL -o - | zstd -3 -T0 > FILE` (stored size = FILE);
#              apply `zstd -dc FILE | partclone.FS -r -s - -O BLANK`.
#   imgcast:   capture `imgcast capture VOL --name N --store S --json` into a new store
#              (stored size = the store's growth); apply `imgcast apply N BLANK --fresh`.
#   BLANK is a new sparse file 4x the volume's size (a blank disk). Times are wall clock,
#   page cache dropped before each capture and apply. Also reported: BLANK's allocated bytes.
set -euo pipefail

CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE=768M; RUNS=3; QUICK=0; KEEP=0; TREE=""; IMGCAST="$ROOT/imgcast"; WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --tree) TREE="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --imgcast) IMGCAST="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
FAT_SIZE=512M
if [ "$QUICK" = 1 ]; then SIZE=128M; FAT_SIZE=128M; RUNS=1; fi
[ "$(id -u)" = 0 ] || { echo "disk-bench: needs root" >&2; exit 1; }
for t in partclone.ext4 partclone.vfat partclone.ntfs zstd mke2fs mkfs.vfat mcopy mkntfs ntfscp; do
  command -v "$t" >/dev/null || { echo "disk-bench: $t missing (scripts/setup-system.sh)" >&2; exit 1; }
done
if [ -z "$TREE" ]; then
  if [ -d "$CACHE/trees/c" ] && [ -f "$CACHE/trees/c.done" ]; then TREE="$CACHE/trees/c"; else TREE=/usr; fi
  [ "$QUICK" = 1 ] && TREE=/usr/share/doc
fi
[ -n "$WORK" ] || WORK="$(mktemp -d /var/tmp/disk-bench.XXXXXX)"
mkdir -p "$WORK"
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
log() { printf '[disk-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
alloc() { echo $(( $(stat -c %b "$1") * 512 )); }

stale() {  # stale FILE SIZE: FILE of SIZE bytes whose every block holds old file content
  rm -f "$1"; truncate -s "$2" "$1"
  local bytes; bytes=$(stat -c %s "$1")
  # the tree's tar stream, repeated (bounded) until head has enough; a tar cut off by head ends the loop
  { for _ in $(seq 64); do tar -C "$TREE" -cf - . 2>/dev/null || break; done; } | head -c "$bytes" \
    | dd of="$1" conv=notrunc bs=1M status=none iflag=fullblock || true
}

make_ext4() {
  stale "$WORK/ext4.img" "$SIZE"
  mke2fs -q -F -t ext4 -E nodiscard,root_owner=0:0 -d "$TREE" "$WORK/ext4.img" \
    || { log "the tree does not fit in $SIZE: use --size or --tree"; exit 1; }
}

make_fat() {
  stale "$WORK/fat.img" "$FAT_SIZE"
  mkfs.vfat -F 32 -n EFI "$WORK/fat.img" >/dev/null
  mkdir -p "$WORK/fatfiles"
  local n=0 total=0 f s
  while IFS= read -r -d '' f; do
    s=$(stat -c %s "$f"); [ $((total + s)) -gt $((40 * 1024 * 1024)) ] && break
    cp "$f" "$WORK/fatfiles/f$n.bin"; n=$((n + 1)); total=$((total + s))
  done < <(find "$TREE" -type f -size +1k -print0 2>/dev/null)
  mmd -i "$WORK/fat.img" ::/EFI ::/EFI/debian
  mcopy -i "$WORK/fat.img" "$WORK"/fatfiles/* ::/EFI/debian/
  rm -rf "$WORK/fatfiles"
}

make_ntfs() {
  stale "$WORK/ntfs.img" "$SIZE"
  mkntfs -q -F -Q "$WORK/ntfs.img" >/dev/null 2>&1
  local n=0 f
  while IFS= read -r -d '' f; do
    [ $n -ge 2000 ] && break
    ntfscp -f "$WORK/ntfs.img" "$f" "f$n.bin" >/dev/null 2>&1 || true
    n=$((n + 1))
  done < <(find "$TREE" -type f -size +1k -print0 2>/dev/null)
}

declare -A R
bench_one() {  # bench_one NAME PARTCLONE_FS
  local v="$WORK/$1.img" fs="$2" vsize i t0 t1
  vsize=$(stat -c %s "$v")
  local pc_cap=() pc_app=() ic_cap=() ic_app=() pc_size=0 ic_size=0 pc_alloc=0 ic_alloc=0
  for ((i = 1; i <= RUNS; i++)); do
    rm -f "$WORK/pc.zst" "$WORK/blank"; drop
    t0=$(now); "partclone.$fs" -c -q -s "$v" -o - -L "$WORK/pc.log" 2>/dev/null | zstd -3 -T0 -q -o "$WORK/pc.zst"; t1=$(now)
    pc_cap+=("$(secs "$t0" "$t1")"); pc_size=$(stat -c %s "$WORK/pc.zst")
    truncate -s $((4 * vsize)) "$WORK/blank"; drop
    t0=$(now); zstd -dc -q "$WORK/pc.zst" | "partclone.$fs" -r -q -s - -O "$WORK/blank" -L "$WORK/pc.log" >/dev/null 2>&1; t1=$(now)
    pc_app+=("$(secs "$t0" "$t1")"); pc_alloc=$(alloc "$WORK/blank")

    rm -rf "$WORK/store" "$WORK/blank"; drop
    t0=$(now); "$IMGCAST" capture "$v" --name "$1" --store "$WORK/store" --json -q > "$WORK/cap.json" 2>/dev/null; t1=$(now)
    ic_cap+=("$(secs "$t0" "$t1")"); ic_size=$(grep -o '"added_bytes" *: *[0-9]*' "$WORK/cap.json" | grep -o '[0-9]*$')
    truncate -s $((4 * vsize)) "$WORK/blank"; drop
    t0=$(now); "$IMGCAST" apply "$1" "$WORK/blank" --fresh --store "$WORK/store" -q >/dev/null 2>&1; t1=$(now)
    ic_app+=("$(secs "$t0" "$t1")"); ic_alloc=$(alloc "$WORK/blank")
    log "$1 run $i: partclone+zstd ${pc_cap[-1]} s / ${pc_app[-1]} s, $(mb "$pc_size") MB; imgcast ${ic_cap[-1]} s / ${ic_app[-1]} s, $(mb "$ic_size") MB"
  done
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(mb "$vsize")" \
    "$(mb "$pc_size")" "$(mb "$ic_size")" \
    "$(echo "${pc_cap[*]}" | median)" "$(echo "${ic_cap[*]}" | median)" \
    "$(echo "${pc_app[*]}" | median)" "$(echo "${ic_app[*]}" | median)" \
    "$(mb "$pc_alloc")" "$(mb "$ic_alloc")"
}

log "tree $TREE, ext4/ntfs $SIZE, fat $FAT_SIZE, $RUNS run(s), work $WORK"
make_ext4; make_fat; make_ntfs
echo "disk-bench $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, tree $TREE, medians of $RUNS run(s); sizes in MB (10^6), times in s"
echo
echo '| volume | size | stored partclone+zstd | stored imgcast | capture partclone+zstd | capture imgcast | apply partclone | apply imgcast --fresh | allocated partclone | allocated imgcast |'
echo '|---|---|---|---|---|---|---|---|---|---|'
bench_one ext4 ext4
bench_one fat vfat
bench_one ntfs ntfs
