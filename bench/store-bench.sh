#!/usr/bin/env bash
# Store benchmark: imgcast against wimlib (LZX and uncompressed) on the same trees in the
# same run, plus ext4 volume images against casync. Not part of the test suite.
#
#   bench/store-bench.sh [--runs N] [--tools LIST] [--store-only-imgcast] [--json FILE]
#
#   --runs N               runs per figure; medians are reported (default 3)
#   --tools LIST           comma list of wimlib,imgcast,casync (default: all three)
#   --store-only-imgcast   run imgcast only and take the wimlib/casync figures from the last
#                          full run saved in the cache (results/baseline.tsv), for quick
#                          iterations on imgcast's store
#   --json FILE            also write all medians, ratios and raw samples as JSON to FILE
#   --imgcast PATH         imgcast launcher (default: the repository's ./imgcast)
#   --keep-work            keep the work dir (wims, stores) for inspection
#
# The corpus comes from bench/corpus.sh (trees a, b, c and ext4 volumes of a and b) in
# ${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}; this script builds it if missing.
#
# What is measured, per run:
#   wimlib-lzx / wimlib-none: wimlib-imagex capture TREE_a X.wim a --unix-data, then
#     append TREE_b X.wim b, append TREE_c X.wim c (same flags; --compress=none for
#     wimlib-none); then wimlib-imagex apply X.wim N DEST --unix-data for N = 1, 2, 3.
#   imgcast: ./imgcast capture TREE --name N --store S for a, b, c into a store S that is
#     fresh for the run, then ./imgcast apply N DEST --store S for each.
#   volumes: ./imgcast capture IMG --name vol-N --store S2 for both ext4 images into one
#     fresh store; casync make --store=DIR vol-N.caibx IMG for both into one chunk store.
# Times are wall clock of the whole process (JVM start included), via date +%s.%N.
# Stored size is du -sb of the .wim / the store directory / the casync chunk store.
# Stores and .wims are written to disk (the cache's work dir); applies go to a tmpfs.
# Page cache: not dropped. Every input is read once before any timing, so all tools run
# with the same warm cache.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
CACHE="${IMGCAST_BENCH_CACHE:-/var/cache/imgcast-bench}"

RUNS=3
TOOLS="wimlib,imgcast,casync"
STORE_ONLY_IMGCAST=0
JSON_OUT=""
IMGCAST="$repo/imgcast"
KEEP_WORK=0

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,33p' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2:?--runs needs a number}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --tools) TOOLS="${2:?--tools needs a list}"; shift 2 ;;
    --tools=*) TOOLS="${1#*=}"; shift ;;
    --store-only-imgcast) STORE_ONLY_IMGCAST=1; shift ;;
    --json) JSON_OUT="${2:?--json needs a file}"; shift 2 ;;
    --json=*) JSON_OUT="${1#*=}"; shift ;;
    --imgcast) IMGCAST="${2:?--imgcast needs a path}"; shift 2 ;;
    --imgcast=*) IMGCAST="${1#*=}"; shift ;;
    --keep-work) KEEP_WORK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[ "$STORE_ONLY_IMGCAST" = 0 ] || TOOLS="imgcast"
if [ -n "$JSON_OUT" ]; then
  case "$JSON_OUT" in /*) ;; *) JSON_OUT="$PWD/$JSON_OUT" ;; esac
fi

want() { [[ ",$TOOLS," == *",$1,"* ]]; }
for t in ${TOOLS//,/ }; do
  case "$t" in wimlib|imgcast|casync) ;; *) die "unknown tool in --tools: $t" ;; esac
done
command -v python3 >/dev/null || die "python3 is needed for the report"

# ---------------------------------------------------------------- corpus
if [ ! -f "$CACHE/trees/a.done" ] || [ ! -f "$CACHE/trees/b.done" ] || [ ! -f "$CACHE/trees/c.done" ] \
   || [ ! -f "$CACHE/volumes/a.done" ] || [ ! -f "$CACHE/volumes/b.done" ]; then
  log "corpus incomplete, running bench/corpus.sh volumes"
  "$here/corpus.sh" volumes >&2
fi
TREE_a="$CACHE/trees/a"; TREE_b="$CACHE/trees/b"; TREE_c="$CACHE/trees/c"
VOL_a="$CACHE/volumes/a.ext4"; VOL_b="$CACHE/volumes/b.ext4"

# ---------------------------------------------------------------- work dirs and cleanup
mkdir -p "$CACHE/work" "$CACHE/results"
WORK="$(mktemp -d "$CACHE/work/run.XXXXXX")"
RESULTS="$WORK/results.tsv"     # tool <TAB> metric <TAB> run <TAB> value
NOTES="$WORK/notes.txt"         # free-form notes for the report
: >"$RESULTS"; : >"$NOTES"
APPLY_MNT=""
APPLY_ROOT=""

CHILD=""
cleanup() {
  set +e
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    log "stopping $CHILD"
    kill -TERM "$CHILD" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null
  fi
  [ -n "$APPLY_ROOT" ] && [ -d "$APPLY_ROOT" ] && rm -rf --one-file-system "${APPLY_ROOT:?}/"* 2>/dev/null
  if [ -n "$APPLY_MNT" ]; then
    umount "$APPLY_MNT" 2>/dev/null || umount -l "$APPLY_MNT" 2>/dev/null
    rmdir "$APPLY_MNT" 2>/dev/null
  elif [ -n "$APPLY_ROOT" ]; then
    rm -rf --one-file-system "$APPLY_ROOT"
  fi
  if [ "$KEEP_WORK" = 1 ]; then
    log "work dir kept: $WORK"
  else
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Applies go to a tmpfs: our own mount when we are root, else /dev/shm.
if [ "$(id -u)" = 0 ] && mkdir -p /tmp/imgcast-bench-apply \
   && ! mountpoint -q /tmp/imgcast-bench-apply \
   && mount -t tmpfs -o size=12g,mode=0755 imgcast-bench /tmp/imgcast-bench-apply 2>/dev/null; then
  APPLY_MNT=/tmp/imgcast-bench-apply
  APPLY_ROOT="$APPLY_MNT"
else
  APPLY_ROOT="$(mktemp -d /dev/shm/imgcast-bench-apply.XXXXXX)"
fi
[ "$(stat -f -c %T "$APPLY_ROOT")" = tmpfs ] || die "$APPLY_ROOT is not on a tmpfs"
log "work dir $WORK, applies into tmpfs $APPLY_ROOT"

# ---------------------------------------------------------------- helpers
# Samples of a phase are kept aside and only land in RESULTS when the whole phase succeeded,
# so a half-working tool never contributes partial (and flattering) figures.
PENDING="$WORK/pending.tsv"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$PENDING"; }
# phase FUNC ARGS...: runs one benchmark phase; returns its status.
phase() {
  : >"$PENDING"
  if "$@"; then
    cat "$PENDING" >>"$RESULTS"
    return 0
  fi
  return 1
}
note() { printf '%s\n' "$*" >>"$NOTES"; log "$*"; }

# timed LOGFILE CMD...: runs CMD with output to LOGFILE, sets ELAPSED (seconds, wall clock).
ELAPSED=""
timed() {
  local logf="$1" t0 t1 rc=0
  shift
  t0="$(date +%s.%N)"
  # In the background + wait, so that INT/TERM reach our trap at once (which ends the child).
  "$@" >"$logf" 2>&1 </dev/null &
  CHILD=$!
  wait "$CHILD" || rc=$?
  t1="$(date +%s.%N)"
  CHILD=""
  ELAPSED="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  if [ "$rc" != 0 ]; then
    log "FAILED (rc=$rc, ${ELAPSED}s): $*"
    tail -n 15 "$logf" | sed 's/^/    /' >&2
  fi
  return "$rc"
}
size_of() { du -sb "$1" | cut -f1; }
entries() { find "$1" -xdev | wc -l; }

declare -A SRC_ENTRIES
for n in a b c; do
  t="TREE_$n"
  SRC_ENTRIES[$n]="$(entries "${!t}")"
done

# Checks an applied tree against its source by number of entries; sets a note if it differs.
check_apply() {
  local tool="$1" n="$2" dest="$3" got
  if [ ! -d "$dest" ]; then
    note "$tool: apply of $n produced no directory $dest"
    return 1
  fi
  got="$(entries "$dest")"
  if [ "$got" != "${SRC_ENTRIES[$n]}" ]; then
    note "$tool: apply of $n has $got entries, source tree has ${SRC_ENTRIES[$n]}"
    [ "$got" -gt 1 ] || return 1
  fi
  return 0
}

# ---------------------------------------------------------------- warm cache
warm() {
  log "warming the page cache: reading every input once (no tool is timed cold)"
  local d
  for d in "$TREE_a" "$TREE_b" "$TREE_c"; do
    find "$d" -xdev -type f -print0 | xargs -0 -r cat >/dev/null 2>&1 || true
  done
  if want imgcast || want casync; then
    cat "$VOL_a" "$VOL_b" >/dev/null
  fi
}

# ---------------------------------------------------------------- wimlib
bench_wimlib() {   # bench_wimlib TOOLNAME RUN [extra capture flags]
  local tool="$1" r="$2"; shift 2
  local wim="$WORK/$tool.wim" i n dest sum=0
  rm -f "$wim"
  timed "$WORK/$tool-capture-a.log" wimlib-imagex capture "$TREE_a" "$wim" a --unix-data "$@" || return 1
  record "$tool" capture_a "$r" "$ELAPSED"; record "$tool" size_after_a "$r" "$(size_of "$wim")"
  timed "$WORK/$tool-append-b.log" wimlib-imagex append "$TREE_b" "$wim" b --unix-data "$@" || return 1
  record "$tool" capture_b "$r" "$ELAPSED"; record "$tool" size_after_b "$r" "$(size_of "$wim")"
  timed "$WORK/$tool-append-c.log" wimlib-imagex append "$TREE_c" "$wim" c --unix-data "$@" || return 1
  record "$tool" capture_c "$r" "$ELAPSED"; record "$tool" size_after_c "$r" "$(size_of "$wim")"
  sync -f "$wim" 2>/dev/null || true
  i=0
  for n in a b c; do
    i=$((i + 1))
    dest="$APPLY_ROOT/$tool-$n"
    rm -rf --one-file-system "$dest"
    timed "$WORK/$tool-apply-$n.log" wimlib-imagex apply "$wim" "$i" "$dest" --unix-data || return 1
    record "$tool" "apply_$n" "$r" "$ELAPSED"
    check_apply "$tool" "$n" "$dest" || return 1
    rm -rf --one-file-system "$dest"
  done
  rm -f "$wim"
}

# ---------------------------------------------------------------- imgcast
IMGCAST_OK=1
bench_imgcast_trees() {
  local r="$1" store="$WORK/imgcast-store" n t dest sz
  rm -rf "$store"
  for n in a b c; do
    t="TREE_$n"
    timed "$WORK/imgcast-capture-$n.log" "$IMGCAST" capture "${!t}" --name "$n" --store "$store" || return 1
    record imgcast "capture_$n" "$r" "$ELAPSED"
    if [ ! -d "$store" ] || [ -z "$(ls -A "$store" 2>/dev/null)" ]; then
      note "imgcast: capture of $n exited 0 but the store $store is missing or empty (CLI not functional yet?)"
      return 1
    fi
    sz="$(size_of "$store")"
    record imgcast "size_after_$n" "$r" "$sz"
  done
  for n in a b c; do
    dest="$APPLY_ROOT/imgcast-$n"
    rm -rf --one-file-system "$dest"
    timed "$WORK/imgcast-apply-$n.log" "$IMGCAST" apply "$n" "$dest" --store "$store" || return 1
    record imgcast "apply_$n" "$r" "$ELAPSED"
    check_apply imgcast "$n" "$dest" || return 1
    rm -rf --one-file-system "$dest"
  done
  rm -rf "$store"
}

bench_imgcast_volumes() {
  local r="$1" store="$WORK/imgcast-vol-store" n v
  rm -rf "$store"
  for n in a b; do
    v="VOL_$n"
    timed "$WORK/imgcast-vol-$n.log" "$IMGCAST" capture "${!v}" --name "vol-$n" --store "$store" || return 1
    record imgcast-vol "capture_vol_$n" "$r" "$ELAPSED"
    if [ ! -d "$store" ] || [ -z "$(ls -A "$store" 2>/dev/null)" ]; then
      note "imgcast: capture of volume $n exited 0 but the store is missing or empty"
      return 1
    fi
    record imgcast-vol "size_after_vol_$n" "$r" "$(size_of "$store")"
  done
  rm -rf "$store"
}

# ---------------------------------------------------------------- casync
bench_casync() {
  local r="$1" store="$WORK/casync-store" n v
  rm -rf "$store" "$WORK"/casync-*.caibx
  mkdir -p "$store"
  for n in a b; do
    v="VOL_$n"
    timed "$WORK/casync-vol-$n.log" casync make --store="$store" "$WORK/casync-vol-$n.caibx" "${!v}" || return 1
    record casync-vol "capture_vol_$n" "$r" "$ELAPSED"
    record casync-vol "size_after_vol_$n" "$r" "$(size_of "$store")"
  done
  rm -rf "$store" "$WORK"/casync-*.caibx
}

# ---------------------------------------------------------------- preflight
if want wimlib && ! command -v wimlib-imagex >/dev/null; then
  note "wimlib: wimlib-imagex not installed (apt-get install wimtools); skipped"
  TOOLS="${TOOLS//wimlib/}"
fi
if want casync && ! command -v casync >/dev/null; then
  note "casync: not installed (apt-get install casync); skipped"
  TOOLS="${TOOLS//casync/}"
fi
if want imgcast; then
  if [ ! -x "$IMGCAST" ]; then
    note "imgcast: launcher $IMGCAST not found; skipped"
    IMGCAST_OK=0
  else
    # First call may build the jar; keep that out of the timings.
    log "imgcast: warm-up call (builds the jar if stale)"
    if ! timed "$WORK/imgcast-warmup.log" "$IMGCAST" --help; then
      log "imgcast: '$IMGCAST --help' failed; trying the benchmark anyway"
    fi
  fi
fi

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
warm

# ---------------------------------------------------------------- runs
for r in $(seq 1 "$RUNS"); do
  log "=== run $r/$RUNS ==="
  if want wimlib; then
    log "wimlib LZX (default compression)"
    phase bench_wimlib wimlib-lzx "$r" || note "wimlib-lzx: run $r failed; its samples are dropped"
    log "wimlib --compress=none"
    phase bench_wimlib wimlib-none "$r" --compress=none || note "wimlib-none: run $r failed; its samples are dropped"
  fi
  if want imgcast && [ "$IMGCAST_OK" = 1 ]; then
    log "imgcast trees"
    if ! phase bench_imgcast_trees "$r"; then
      note "imgcast: run $r failed on the trees (samples dropped); imgcast skipped for the remaining runs"
      IMGCAST_OK=0
    else
      log "imgcast volumes"
      phase bench_imgcast_volumes "$r" || note "imgcast: run $r failed on the volumes; its samples are dropped"
    fi
  fi
  if want casync; then
    log "casync volumes"
    phase bench_casync "$r" || note "casync: run $r failed; its samples are dropped"
  fi
done

# ---------------------------------------------------------------- report
corpus_info="$WORK/corpus.tsv"
{
  for n in a b c; do
    t="TREE_$n"
    printf 'tree-%s\t%s\t%s\t%s\n' "$n" "$(size_of "${!t}")" "$(find "${!t}" -xdev -type f | wc -l)" "${SRC_ENTRIES[$n]}"
  done
  printf 'vol-a\t%s\t-\t-\n' "$(stat -c %s "$VOL_a")"
  printf 'vol-b\t%s\t-\t-\n' "$(stat -c %s "$VOL_b")"
} >"$corpus_info"

# A full wimlib (+casync) run becomes the baseline for later --store-only-imgcast runs.
BASELINE="$CACHE/results/baseline.tsv"
# Tools measured now replace their old baseline samples; others (say casync after a
# --tools wimlib run) are kept, unless the corpus changed.
if [ "$STORE_ONLY_IMGCAST" = 0 ] && grep -qE '^(wimlib-|casync-)' "$RESULTS"; then
  measured="$(grep -E '^(wimlib-|casync-)' "$RESULTS" | cut -f1 | sort -u | paste -sd'|')"
  {
    if [ -f "$BASELINE" ] && cmp -s "$corpus_info" "$CACHE/results/baseline-corpus.tsv"; then
      grep -vE "^($measured)"$'\t' "$BASELINE" || true
    fi
    grep -E '^(wimlib-|casync-)' "$RESULTS"
  } >"$BASELINE.tmp"
  mv "$BASELINE.tmp" "$BASELINE"
  cp "$corpus_info" "$CACHE/results/baseline-corpus.tsv"
fi
BASELINE_USED=""
if [ "$STORE_ONLY_IMGCAST" = 1 ]; then
  if [ -f "$BASELINE" ] && cmp -s "$corpus_info" "$CACHE/results/baseline-corpus.tsv"; then
    cat "$BASELINE" >>"$RESULTS"
    BASELINE_USED="$BASELINE ($(date -r "$BASELINE" '+%Y-%m-%d %H:%M'))"
    note "wimlib/casync figures taken from the saved baseline $BASELINE_USED, not measured in this run"
  else
    note "no baseline for this corpus in $BASELINE: run once without --store-only-imgcast for ratios"
  fi
fi

cp "$RESULTS" "$CACHE/results/last-samples.tsv"
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RESULTS" "$NOTES" "$corpus_info" "$RUNS" "${JSON_OUT:-}" "$BASELINE_USED" "$CACHE" \
  "$LOAD_START" "$LOAD_END" <<'PY'
import json, statistics, sys, datetime, platform, os
res_f, notes_f, corpus_f, runs, json_out, baseline_used, cache, load_start, load_end = sys.argv[1:10]
samples = {}
for line in open(res_f):
    tool, metric, run, value = line.rstrip("\n").split("\t")
    samples.setdefault(tool, {}).setdefault(metric, []).append(float(value))
med = {t: {m: statistics.median(v) for m, v in ms.items()} for t, ms in samples.items()}
# totals per run, then median of totals
def per_run_total(tool, metrics):
    vals = [samples.get(tool, {}).get(m) for m in metrics]
    if any(v is None for v in vals): return None
    n = min(len(v) for v in vals)
    return statistics.median([sum(v[i] for v in vals) for i in range(n)])
for t in list(samples):
    if t in ("wimlib-lzx", "wimlib-none", "imgcast"):
        for kind in ("capture", "apply"):
            tot = per_run_total(t, [f"{kind}_{n}" for n in "abc"])
            if tot is not None: med[t][f"{kind}_total"] = tot
    if t in ("imgcast-vol", "casync-vol"):
        tot = per_run_total(t, ["capture_vol_a", "capture_vol_b"])
        if tot is not None: med[t]["capture_vol_total"] = tot
corpus = []
for line in open(corpus_f):
    name, b, files, ents = line.rstrip("\n").split("\t")
    corpus.append({"name": name, "bytes": int(b), "files": None if files == "-" else int(files),
                   "entries": None if ents == "-" else int(ents)})
notes = [l.rstrip("\n") for l in open(notes_f) if l.strip()]

def g(t, m): return med.get(t, {}).get(m)
def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b
ratio_keys = [f"capture_{n}" for n in "abc"] + ["capture_total"] + [f"apply_{n}" for n in "abc"] + \
             ["apply_total", "size_after_a", "size_after_b", "size_after_c"]
ratios = {k: ratio(g("imgcast", k), g("wimlib-lzx", k)) for k in ratio_keys}
ratios = {k: v for k, v in ratios.items() if v is not None}
vol_ratio = ratio(g("imgcast-vol", "size_after_vol_b"), g("casync-vol", "size_after_vol_b"))

def fs(v): return "–" if v is None else f"{v:.2f}"
def fb(v):
    if v is None: return "–"
    return f"{v/1048576:.1f} MiB"
def fr(v): return "–" if v is None else f"{v:.2f}×"

out = []
out.append(f"## imgcast store benchmark ({datetime.datetime.now().isoformat(timespec='seconds')})")
out.append("")
out.append(f"Medians of {runs} run(s). Wall clock of whole processes (JVM start included). "
           "Page cache not dropped: every tree and volume image was read once before any timing, "
           "so all tools ran warm. Stored size = `du -sb` of the .wim / store dir / casync chunk store. "
           "Applies go to a tmpfs. Host: " + f"{os.cpu_count()} CPUs, {platform.machine()}; "
           f"load average {load_start} before, {load_end} after (other load skews CPU-bound figures).")
if baseline_used:
    out.append(f"wimlib/casync columns come from the saved baseline {baseline_used}.")
out.append("")
out.append("| corpus | bytes (du -sb) | size | regular files | entries |")
out.append("|---|---:|---:|---:|---:|")
for c in corpus:
    out.append(f"| {c['name']} | {c['bytes']} | {fb(c['bytes'])} | {c['files'] if c['files'] is not None else '–'} | "
               f"{c['entries'] if c['entries'] is not None else '–'} |")
out.append("")
out.append("Trees: a = bookworm minbase, b = a + openssh-server,python3,curl, c = buildd; "
           "captured in order a, b, c into one archive/store (b, c appended).")
out.append("")
out.append("| figure | wimlib LZX | wimlib none | imgcast | imgcast / wimlib-LZX |")
out.append("|---|---:|---:|---:|---:|")
rows = [("capture a (s)", "capture_a", fs), ("append/capture b (s)", "capture_b", fs),
        ("append/capture c (s)", "capture_c", fs), ("capture total (s)", "capture_total", fs),
        ("apply a (s)", "apply_a", fs), ("apply b (s)", "apply_b", fs), ("apply c (s)", "apply_c", fs),
        ("apply total (s)", "apply_total", fs),
        ("stored size after a", "size_after_a", fb), ("stored size after a+b", "size_after_b", fb),
        ("stored size after a+b+c", "size_after_c", fb)]
for label, key, f in rows:
    out.append(f"| {label} | {f(g('wimlib-lzx', key))} | {f(g('wimlib-none', key))} | "
               f"{f(g('imgcast', key))} | {fr(ratios.get(key))} |")
out.append("")
out.append("ext4 volume images (mkfs.ext4 -d of trees a and b), both into one fresh store:")
out.append("")
out.append("| figure | imgcast | casync | imgcast / casync |")
out.append("|---|---:|---:|---:|")
for label, key, f in [("capture vol-a (s)", "capture_vol_a", fs), ("capture vol-b (s)", "capture_vol_b", fs),
                      ("stored size after vol-a", "size_after_vol_a", fb),
                      ("stored size after vol-a+b", "size_after_vol_b", fb)]:
    a, b = g("imgcast-vol", key), g("casync-vol", key)
    out.append(f"| {label} | {f(a)} | {f(b)} | {fr(ratio(a, b))} |")
if notes:
    out.append("")
    out.append("Notes:")
    for n in notes: out.append(f"- {n}")
print("\n".join(out))

doc = {"generated": datetime.datetime.now().isoformat(timespec="seconds"), "runs": int(runs),
       "method": {"time": "wall clock, date +%s.%N around the whole process",
                  "size": "du -sb of .wim / store dir / casync chunk store",
                  "page_cache": "not dropped; all inputs read once before timing (warm for all tools)",
                  "apply_target": "tmpfs"},
       "loadavg": {"before": load_start, "after": load_end},
       "corpus": corpus, "cache_dir": cache, "baseline_used": baseline_used or None,
       "medians": med, "ratios_imgcast_over_wimlib_lzx": ratios,
       "ratio_imgcast_over_casync_volume_size": vol_ratio,
       "samples": samples, "notes": notes}
if json_out:
    with open(json_out, "w") as fh:
        json.dump(doc, fh, indent=2, sort_keys=True)
        fh.write("\n")
with open(os.path.join(cache, "results", "last.json"), "w") as fh:
    json.dump(doc, fh, indent=2, sort_keys=True)
    fh.write("\n")
PY
[ -z "$JSON_OUT" ] || log "JSON written to $JSON_OUT"
