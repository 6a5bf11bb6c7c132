#!/usr/bin/env bash
# Builds and caches the store-benchmark corpus OUTSIDE the repository.
#
#   bench/corpus.sh            build trees a, b, c (skips trees already complete)
#   bench/corpus.sh volumes    also build ext4 volume images of trees a and b
#   bench/corpus.sh info       print sizes and file counts of what is cached
#
# Cache dir: ${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}
#   debs/           .debs downloaded by debootstrap, shared by all trees and runs
#   trees/a|b|c/    the root trees;  trees/N.done marks a finished tree
#   volumes/a.ext4, volumes/b.ext4;  volumes/N.done marks a finished image
#
# Trees (Debian bookworm, debootstrap, must run as root):
#   a  --variant=minbase
#   b  --variant=minbase --include=openssh-server,python3,curl
#   c  --variant=buildd
# As an image build would, each tree then loses its downloaded .debs and apt lists.
#
# Environment: IMGCAST_BENCH_MIRROR (default: the mirror this machine's apt sources use for the
#              suite, from /etc/apt/sources.list and /etc/apt/sources.list.d/*.list or *.sources),
#              IMGCAST_BENCH_SUITE (default bookworm), APT_ETC (default /etc/apt: where the sources are).
set -euo pipefail

CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"
SUITE="${IMGCAST_BENCH_SUITE:-bookworm}"
MIRROR="${IMGCAST_BENCH_MIRROR:-}"
TREES=(a b c)

log() { printf '[corpus %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

tree_args() {
  case "$1" in
    a) echo "--variant=minbase" ;;
    b) echo "--variant=minbase --include=openssh-server,python3,curl" ;;
    c) echo "--variant=buildd" ;;
    *) die "unknown tree $1" ;;
  esac
}

# Unmount anything debootstrap left mounted below a directory (proc, sys, ...).
umount_below() {
  local dir m
  dir="$(readlink -f "$1")"
  # deepest first
  awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# The mirror the machine's apt sources use for suite $1: the URI of the first enabled "deb" source
# that lists exactly that suite, in one-line files (sources.list, *.list: "deb [opts] URI SUITE
# COMPONENTS...") or deb822 files (*.sources: stanzas of Types, URIs, Suites, Enabled). Prints
# nothing when there is none.
apt_mirror() {
  local suite=$1 f files=()
  local etc="${APT_ETC:-/etc/apt}"
  [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
  for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  for f in ${files[@]+"${files[@]}"}; do
    case "$f" in
      *.sources)
        awk -v suite="$suite" '
          function flush() {
            if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" && (" " suites " ") ~ (" " suite " ") && uris != "") {
              split(uris, u, " "); print u[1]; found = 1; exit
            }
            types = ""; uris = ""; suites = ""; enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          /^[ \t]/ { next }   # continuation lines (Signed-By blocks)
          { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
            if (key == "types") types = $0; else if (key == "uris") uris = $0
            else if (key == "suites") suites = $0; else if (key == "enabled") enabled = $0 }
          END { if (!found) flush() }' "$f" ;;
      *)
        awk -v suite="$suite" '
          $1 != "deb" { next }
          { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } }
          $(i + 1) == suite { print $i; exit }' "$f" ;;
    esac | head -n 1 | grep . && return 0
  done
  return 0
}

[ -n "$MIRROR" ] || MIRROR="$(apt_mirror "$SUITE")"

CURRENT_TMP=""
cleanup() {
  if [ -n "$CURRENT_TMP" ] && [ -e "$CURRENT_TMP" ]; then
    log "cleaning up unfinished $CURRENT_TMP"
    umount_below "$CURRENT_TMP"
    rm -rf --one-file-system "$CURRENT_TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_tree() {
  local n="$1" dest="$CACHE/trees/$1" tmp="$CACHE/trees/$1.tmp" args
  if [ -f "$CACHE/trees/$n.done" ] && [ -d "$dest" ]; then
    log "tree $n: complete, skipping"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "debootstrap must run as root"
  command -v debootstrap >/dev/null || die "debootstrap not installed (apt-get install debootstrap)"
  rm -f "$CACHE/trees/$n.done"
  if [ -e "$tmp" ]; then umount_below "$tmp"; rm -rf --one-file-system "$tmp"; fi
  if [ -e "$dest" ]; then umount_below "$dest"; rm -rf --one-file-system "$dest"; fi
  [ -n "$MIRROR" ] || die "no Debian mirror for $SUITE in the apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/): set IMGCAST_BENCH_MIRROR"
  args="$(tree_args "$n")"
  CURRENT_TMP="$tmp"
  log "tree $n: debootstrap $args $SUITE ($MIRROR)"
  local t0=$SECONDS
  # shellcheck disable=SC2086
  if ! debootstrap $args --cache-dir="$CACHE/debs" "$SUITE" "$tmp" "$MIRROR" \
       >"$CACHE/logs/debootstrap-$n.log" 2>&1; then
    log "tree $n: debootstrap FAILED; last lines of $CACHE/logs/debootstrap-$n.log:"
    tail -n 25 "$CACHE/logs/debootstrap-$n.log" >&2
    if [ -f "$tmp/debootstrap/debootstrap.log" ]; then
      log "tree $n: last lines of $tmp/debootstrap/debootstrap.log:"
      tail -n 25 "$tmp/debootstrap/debootstrap.log" >&2
      cp "$tmp/debootstrap/debootstrap.log" "$CACHE/logs/debootstrap-$n.inner.log" || true
    fi
    exit 1
  fi
  umount_below "$tmp"
  # What an image build does before shipping: drop downloaded packages and apt lists.
  find "$tmp/var/cache/apt/archives" -maxdepth 2 -name '*.deb' -delete 2>/dev/null || true
  rm -rf "$tmp/var/cache/apt/archives/partial/"* "$tmp/var/cache/apt/"*.bin
  rm -rf "$tmp/var/lib/apt/lists/"*
  mv "$tmp" "$dest"
  CURRENT_TMP=""
  touch "$CACHE/trees/$n.done"
  log "tree $n: done in $((SECONDS - t0))s"
}

# Image size: tree bytes * 1.3 rounded up to whole MiB, at least 256 MiB.
volume_size_mib() {
  local bytes mib
  bytes="$(du -sb "$1" | cut -f1)"
  mib=$(( (bytes * 13 / 10 + 1048575) / 1048576 ))
  [ "$mib" -ge 256 ] || mib=256
  echo "$mib"
}

build_volume() {
  local n="$1" tree="$CACHE/trees/$1" img="$CACHE/volumes/$1.ext4" tmp="$CACHE/volumes/$1.ext4.tmp" mib
  [ -f "$CACHE/trees/$n.done" ] || die "tree $n is not built"
  if [ -f "$CACHE/volumes/$n.done" ] && [ -f "$img" ] && [ "$CACHE/volumes/$n.done" -nt "$CACHE/trees/$n.done" ]; then
    log "volume $n: complete, skipping"
    return 0
  fi
  rm -f "$CACHE/volumes/$n.done" "$img"
  mib="$(volume_size_mib "$tree")"
  CURRENT_TMP="$tmp"
  log "volume $n: mkfs.ext4 -q -d $tree -F $img ${mib}M"
  mkfs.ext4 -q -d "$tree" -F "$tmp" "${mib}M"
  mv "$tmp" "$img"
  CURRENT_TMP=""
  touch "$CACHE/volumes/$n.done"
}

info() {
  local n d
  printf '%-8s %14s %10s %10s  %s\n' item bytes files entries path
  for n in "${TREES[@]}"; do
    d="$CACHE/trees/$n"
    if [ -f "$CACHE/trees/$n.done" ]; then
      printf '%-8s %14s %10s %10s  %s\n' "tree-$n" "$(du -sb "$d" | cut -f1)" \
        "$(find "$d" -xdev -type f | wc -l)" "$(find "$d" -xdev | wc -l)" "$d"
    else
      printf '%-8s %14s %10s %10s  %s\n' "tree-$n" - - - "(not built)"
    fi
  done
  for n in a b; do
    if [ -f "$CACHE/volumes/$n.done" ]; then
      printf '%-8s %14s %10s %10s  %s\n' "vol-$n" "$(stat -c %s "$CACHE/volumes/$n.ext4")" - - "$CACHE/volumes/$n.ext4"
    fi
  done
  if [ -d "$CACHE/debs" ]; then
    printf 'deb cache: %s .debs, %s bytes in %s\n' "$(find "$CACHE/debs" -name '*.deb' | wc -l)" \
      "$(du -sb "$CACHE/debs" | cut -f1)" "$CACHE/debs"
  fi
}

main() {
  local mode="${1:-trees}"
  case "$mode" in
    trees|volumes|info) ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) die "usage: $0 [trees|volumes|info]" ;;
  esac
  mkdir -p "$CACHE/trees" "$CACHE/debs" "$CACHE/logs" "$CACHE/volumes"
  if [ "$mode" != info ]; then
    # One builder at a time (bounded wait for another one to finish).
    exec 9>"$CACHE/.lock"
    flock -w 3600 9 || die "another corpus.sh holds $CACHE/.lock"
    for n in "${TREES[@]}"; do build_tree "$n"; done
    if [ "$mode" = volumes ]; then
      for n in a b; do build_volume "$n"; done
    fi
  fi
  info
}

main "$@"
