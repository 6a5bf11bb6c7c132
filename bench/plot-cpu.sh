#!/usr/bin/env bash
# Plots part 3 of bench/cast-bench.sh: each receiver's CPU seconds (user + system) per GiB
# delivered, per tool (udpcast, udpcast-zstd, imgcast before and after, ...), one group of bars
# per data / receivers / loss. Needs gnuplot (gnuplot-nox; scripts/setup-system.sh --bench).
#
#   bench/plot-cpu.sh RESULTS/part3.tsv OUT.png [TITLE]
set -euo pipefail
tsv=${1:?usage: plot-cpu.sh PART3.TSV OUT.PNG [TITLE]}; out=${2:?usage: plot-cpu.sh PART3.TSV OUT.PNG [TITLE]}
title=${3:-"Receiver CPU per GiB delivered (user + system, medians)"}
command -v gnuplot >/dev/null || { echo "plot-cpu.sh: gnuplot not found (scripts/setup-system.sh --bench installs gnuplot-nox)" >&2; exit 3; }
[ -f "$tsv" ] || { echo "plot-cpu.sh: $tsv not found" >&2; exit 2; }
dat=$(mktemp); trap 'rm -f "$dat"' EXIT
# pivot: one row per "data n=R loss%", one column per tool (in order of first appearance)
awk -F'\t' '
  NR == 1 { next }
  {
    cfg = $1 " n=" $2 " " $3 "%"; if (!(cfg in sc)) { sc[cfg] = 1; cfgs[++nc] = cfg }
    if (!($4 in st)) { st[$4] = 1; tools[++nt] = $4 }
    v[cfg, $4] = ($9 == "" ? "-" : $9)
  }
  END {
    printf "config"; for (t = 1; t <= nt; t++) printf "\t%s", tools[t]; printf "\n"
    for (c = 1; c <= nc; c++) {
      printf "\"%s\"", cfgs[c]
      for (t = 1; t <= nt; t++) printf "\t%s", ((cfgs[c], tools[t]) in v ? v[cfgs[c], tools[t]] : "-")
      printf "\n"
    }
  }' "$tsv" >"$dat"
ncol=$(head -n1 "$dat" | awk -F'\t' '{ print NF }')
gnuplot <<GP
set terminal pngcairo size 1000,560 noenhanced font "sans,10"
set output "$out"
set title "$title"
set datafile separator "\t"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel "CPU seconds per GiB, each receiver"
set grid ytics
set key top left
set yrange [0:*]
plot for [i=2:$ncol] "$dat" using i:xtic(1) title columnheader(i)
GP
echo "plot-cpu.sh: wrote $out" >&2
