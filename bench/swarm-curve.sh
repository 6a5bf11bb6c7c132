#!/usr/bin/env bash
# Runs bench/swarm.sh at 10, 100 and 1,000 machines (or the counts given) and draws the curves
# of server CPU, feedback requests per second and wire ratio against machines into a PNG
# (gnuplot-nox). Not part of the test suite; needs what bench/swarm.sh needs, and gnuplot.
#
#   bash bench/swarm-curve.sh [--out docs/swarm-curves.png] [--tsv FILE] [COUNT...] [-- SWARM OPTIONS]
#   bash bench/swarm-curve.sh --plot-only FILE.tsv [--out PNG]   # draw recorded figures again
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
out="$here/../docs/swarm-curves.png" tsv="" plot_only="" counts=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?}; shift 2 ;;
    --tsv) tsv=${2:?}; shift 2 ;;
    --plot-only) plot_only=${2:?}; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) counts+=("$1"); shift ;;
  esac
done
command -v gnuplot >/dev/null || { echo "swarm-curve.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
if [ -z "$plot_only" ]; then
  [ ${#counts[@]} -gt 0 ] || counts=(10 100 1000)
  tsv=${tsv:-$(mktemp /tmp/swarm-curve.XXXXXX.tsv)}
  printf 'machines\tserver_cores\tfeedback_per_second\twire_ratio\tseconds\tverified\tload\n' > "$tsv"
  for n in "${counts[@]}"; do
    line=$(bash "$here/swarm.sh" --machines "$n" ${extra[@]+"${extra[@]}"} | tail -n 1)
    echo "$line"
    echo "$line" | jq -r '[.machines, .server_cores, .feedback_per_second, .wire_ratio, .seconds, .verified, .load_average] | @tsv' >> "$tsv"
  done
  plot_only=$tsv
fi
gnuplot <<GP
set terminal pngcairo size 900,600 noenhanced
set output "$out"
set multiplot layout 3,1 title "imgcast swarm: one server, simulated machines at 1% loss each (bench/swarm.sh)"
set logscale x
set xlabel "machines"
set grid
set key off
set xtics (10, 100, 1000)
set ylabel "server CPU (cores)"
plot "$plot_only" using 1:2 skip 1 with linespoints pt 7
set ylabel "feedback / s"
plot "$plot_only" using 1:3 skip 1 with linespoints pt 7
set ylabel "wire / image"
plot "$plot_only" using 1:4 skip 1 with linespoints pt 7
unset multiplot
GP
echo "swarm-curve.sh: wrote $out from $plot_only" >&2
