#!/usr/bin/env bash
# Proves that the README's two commands work on a fresh machine, and records the evidence.
#
#   sudo scripts/prove-fresh.sh [--dry-run] [--keep]
#
# 1. purges the Debian packages that scripts/setup-system.sh installs: only those, and of those
#    only what apt can remove without taking any other package with it (never a JDK, git, or
#    maven unless setup-system.sh recorded installing it; never an essential or required package);
#    then the dependencies that only they had pulled in;
# 2. moves ~/.m2 aside (an empty local Maven repository; put back at the end, whatever happens),
#    and the network boot build's cache (/var/cache/imgcast/boot) likewise;
# 3. clones the current commit of this repository into a temporary directory;
# 4. runs the README's two commands there, as root: 'sudo ./imgcast demo', 'sudo bash scripts/test.sh';
# 5. writes docs/FRESH-MACHINE.md of this repository: date, commit, machine, what was purged, and
#    the first and last lines of each command's output (full logs stay in the temp directory
#    with --keep).
#
# It changes the machine (packages) and takes ~/.m2 away while it runs: do not run it while
# anything else builds or tests on this machine. --dry-run changes nothing: it prints what would
# be purged and kept (apt's simulation) and the steps.
set -euo pipefail

dry=0
keep=0
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "prove-fresh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)"
commit="$(git -C "$repo" rev-parse HEAD)"
say() { echo "prove-fresh: $*" >&2; }

if [ "$dry" = 0 ] && [ "$(id -u)" -ne 0 ]; then
  say "must run as root (it purges packages, and the README's commands run as root)"
  exit 2
fi
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  say "note: uncommitted changes are not part of the proof (it clones commit ${commit:0:12})"
fi

# ---- 1. which packages to purge --------------------------------------------------------------

mapfile -t listed < <(bash "$repo/scripts/setup-system.sh" --list)
record=/var/lib/imgcast-setup/installed
installed_by_setup=""
[ -f "$record" ] && installed_by_setup="$(cat "$record")"

# dpkg's view of each listed package: "name status essential priority"
declare -A status essential priority
while read -r name st ess prio; do
  status[$name]=$st
  essential[$name]=$ess
  priority[$name]=$prio
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev} ${Essential} ${Priority}\n' "${listed[@]}" 2>/dev/null \
         | awk '{ print $1, $2, ($3 == "" ? "no" : $3), ($4 == "" ? "optional" : $4) }')

candidates=()
kept=()
for p in "${listed[@]}"; do
  [ "${status[$p]:-}" = ii ] || continue
  if [[ "$p" =~ ^(openjdk-.*|temurin-.*|.*-jdk(-headless)?|.*-jre(-headless)?|git|git-man)$ ]]; then
    kept+=("$p (never purged)"); continue
  fi
  if [ "$p" = maven ] && ! grep -qx maven <<<"$installed_by_setup"; then
    kept+=("maven (not installed by setup-system.sh)"); continue
  fi
  if [ "${essential[$p]}" = yes ] || [ "${priority[$p]}" = required ]; then
    kept+=("$p (part of every Debian system)"); continue
  fi
  candidates+=("$p")
done

# What 'apt-get purge' would remove ("Purg NAME ..." lines of its simulation); fails when apt
# cannot work it out (it would break other packages).
simulate_purge() {
  local out
  out="$(apt-get -s purge "$@" 2>&1)" || return 1
  awk '$1 == "Purg" { print $2 }' <<<"$out" | sed 's/:.*//' | sort -u
}
autoremovable() { apt-get -s autoremove 2>/dev/null | awk '$1 == "Remv" { print $2 }' | sed 's/:.*//' | sort -u; }

# a candidate whose purge would take a package outside the candidates with it stays
purge=()
for p in ${candidates[@]+"${candidates[@]}"}; do
  if ! removed="$(simulate_purge "$p")"; then
    kept+=("$p (apt cannot remove it without breaking other packages)")
    continue
  fi
  others="$(grep -vxF -f <(printf '%s\n' "${candidates[@]}") <<<"$removed" | grep . | head -n 3 | tr '\n' ' ' || true)"
  if [ -n "$others" ]; then kept+=("$p (other packages need it: ${others% })"); else purge+=("$p"); fi
done
if [ ${#purge[@]} -gt 0 ]; then
  removed="$(simulate_purge "${purge[@]}")" || { say "refusing: apt cannot purge ${purge[*]} together"; exit 1; }
  others="$(grep -vxF -f <(printf '%s\n' "${purge[@]}") <<<"$removed" | grep . | tr '\n' ' ' || true)"
  if [ -n "$others" ]; then
    say "refusing: purging ${purge[*]} would also remove $others"
    exit 1
  fi
fi
auto_before="$(autoremovable)"

say "commit ${commit:0:12} of $repo"
say "would purge: ${purge[*]:-(nothing)}"
for k in ${kept[@]+"${kept[@]}"}; do say "keeps $k"; done
if [ "$dry" = 1 ]; then
  say "would purge also what only those packages had pulled in (apt-get autoremove, minus what was autoremovable before)"
  say "would move $HOME/.m2 aside, clone ${commit:0:12} into a temporary directory, run there as root:"
  say "  sudo ./imgcast demo; sudo bash scripts/test.sh"
  say "and write $repo/docs/FRESH-MACHINE.md (dry run: nothing changed)"
  exit 0
fi

work="$(mktemp -d -t imgcast-fresh.XXXXXX)"
m2="$HOME/.m2"
m2_aside=""
bootcache=/var/cache/imgcast/boot
bootcache_aside=""
restore() {
  if [ -n "$bootcache_aside" ]; then
    rm -rf "$bootcache"
    mv "$bootcache_aside" "$bootcache"
    say "put $bootcache back"
  fi
  if [ -n "$m2_aside" ]; then
    rm -rf "$m2"
    mv "$m2_aside" "$m2"
    say "put $m2 back"
  fi
  if [ "$keep" = 0 ]; then rm -rf "$work"; else say "kept $work"; fi
}
trap restore EXIT

if [ ${#purge[@]} -gt 0 ]; then
  say "purging ${purge[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${purge[@]}" >"$work/purge.log" 2>&1 \
    || { tail -n 20 "$work/purge.log" >&2; exit 1; }
  # the dependencies only they had pulled in (not what was autoremovable before)
  mapfile -t orphans < <(comm -13 <(printf '%s\n' "$auto_before") <(autoremovable))
  if [ ${#orphans[@]} -gt 0 ] && [ -n "${orphans[0]}" ]; then
    say "purging their dependencies ${orphans[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${orphans[@]}" >>"$work/purge.log" 2>&1 \
      || { tail -n 20 "$work/purge.log" >&2; exit 1; }
  fi
fi

# ---- 2.-4. empty ~/.m2, fresh clone, the README's two commands -------------------------------

if [ -e "$m2" ]; then
  m2_aside="$m2.prove-fresh.$$"
  mv "$m2" "$m2_aside"
  say "moved $m2 aside to $m2_aside"
fi
if [ -e "$bootcache" ]; then
  bootcache_aside="$bootcache.prove-fresh.$$"
  mv "$bootcache" "$bootcache_aside"
  say "moved $bootcache aside to $bootcache_aside"
fi

git clone -q "$repo" "$work/imgcast"
git -C "$work/imgcast" checkout -q --detach "$commit"

# run NAME COMMAND...: output to $work/NAME.log, exit code and seconds to $work/NAME.rc / .secs
run() {
  local name=$1 t0=$SECONDS rc=0
  shift
  say "running in the clone: $*"
  (cd "$work/imgcast" && "$@") >"$work/$name.log" 2>&1 </dev/null || rc=$?
  echo "$rc" >"$work/$name.rc"
  echo $((SECONDS - t0)) >"$work/$name.secs"
  say "$* exited $rc after $((SECONDS - t0)) s"
}
as_root=()
command -v sudo >/dev/null 2>&1 && as_root=(sudo)
run demo ${as_root[@]+"${as_root[@]}"} ./imgcast demo
run test ${as_root[@]+"${as_root[@]}"} bash scripts/test.sh

# ---- 5. the record ----------------------------------------------------------------------------

section() {  # section NAME TITLE
  local name=$1 title=$2 log="$work/$1.log" lines
  lines=$(wc -l <"$log")
  echo "## \`$title\`: exit $(cat "$work/$name.rc"), $(cat "$work/$name.secs") s, $lines lines of output"
  echo
  echo "First lines:"
  echo
  echo '```'
  head -n 12 "$log" | sed 's/\x1b\[[0-9;]*m//g'
  echo '```'
  echo
  echo "Last lines:"
  echo
  echo '```'
  tail -n 25 "$log" | sed 's/\x1b\[[0-9;]*m//g'
  echo '```'
  echo
}
mkdir -p "$repo/docs"
{
  echo "# The README's two commands on a fresh machine"
  echo
  echo "Recorded by \`scripts/prove-fresh.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`${commit:0:12}\`"
  echo "($(git -C "$repo" log -1 --format=%s "$commit")), on $(. /etc/os-release && echo "$PRETTY_NAME"),"
  echo "kernel $(uname -r), $(nproc) CPUs."
  echo
  echo "Made fresh before the run: purged the Debian packages \`scripts/setup-system.sh\` installs"
  echo "(${purge[*]:-none}) and the dependencies only they had pulled in; kept: ${kept[*]:-none}."
  echo "\`~/.m2\` and the boot build's cache were moved aside (an empty local Maven repository), and the commit was cloned afresh."
  echo "Both commands ran in the clone as root, one after the other."
  echo
  section demo "sudo ./imgcast demo"
  section test "sudo bash scripts/test.sh"
} >"$repo/docs/FRESH-MACHINE.md"
say "wrote $repo/docs/FRESH-MACHINE.md"
[ "$(cat "$work/demo.rc")" = 0 ] && [ "$(cat "$work/test.rc")" = 0 ]
