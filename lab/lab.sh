#!/usr/bin/env bash
# imgcast network lab: network namespaces joined by a bridge, for multicast tests.
#
# Everything lives in network namespaces this script creates; nothing is added to,
# or sent on, the root namespace. See lab/README.md.
#
#   lab.sh up NAME [--receivers N] [--segments 1|2] [--receivers2 M] [--rate RATE]
#                  [--loss PCT] [--loss-of HOST=PCT]... [--route] [--json]
#   lab.sh down NAME
#   lab.sh info NAME [--json]
#   lab.sh exec NAME HOST -- CMD...
#   lab.sh loss NAME HOST PCT
#   lab.sh stats NAME HOST [--json]
#   lab.sh list
#
# HOST is s (server), r1..rN (segment 1 receivers), relay, b1..bM (segment 2
# receivers) or sw (the switch namespace).
set -euo pipefail

PROG=lab.sh
NFT_TABLE=imgcast_lab
SUBNET_PREFIX=10.77          # segment S is 10.77.S.0/24
MAX_RECEIVERS=200

die() { echo "$PROG: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  command -v ip >/dev/null || die "iproute2 (ip) not found"
  command -v nft >/dev/null || die "nftables (nft) not found"
  command -v tc >/dev/null || die "tc not found"
}

check_name() {
  [[ "$1" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "NAME must be 1-8 chars [a-z0-9], starting with a letter (got '$1')"
}

# Namespace of a host ("sw", "s", "r3", "relay", "b2"; a full namespace name is accepted too).
ns_of() {
  local name=$1 host=$2
  case "$host" in
    "$name"-*) host=${host#"$name"-} ;;
  esac
  [[ "$host" =~ ^(sw|s|relay|r[0-9]+|b[0-9]+)$ ]] || die "unknown host '$host' (use s, rN, relay, bN or sw)"
  echo "$name-$host"
}

all_netns() { ip netns list 2>/dev/null | awk '{print $1}'; }

# The lab's namespaces that exist, in a stable order: s, relay, r1.., b1.., sw.
lab_namespaces() {
  local name=$1 list p
  list=$(all_netns)
  if grep -qx "$name-s" <<<"$list"; then echo "$name-s"; fi
  if grep -qx "$name-relay" <<<"$list"; then echo "$name-relay"; fi
  for p in r b; do
    grep -xE "$name-$p[0-9]+" <<<"$list" | sed "s/^$name-$p//" | sort -n | sed "s/^/$name-$p/" || true
  done
  if grep -qx "$name-sw" <<<"$list"; then echo "$name-sw"; fi
  return 0
}

host_namespaces() { lab_namespaces "$1" | grep -vx "$1-sw" || true; }

ns_exists() { all_netns | grep -qx "$1"; }

pct_to_bp() {  # percent (0..100, decimals ok) -> basis points (0..10000)
  [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad loss percentage '$1'"
  awk -v p="$1" 'BEGIN { bp = int(p * 100 + 0.5); if (bp > 10000) exit 1; print bp }' || die "loss over 100%: '$1'"
}

bp_to_pct() { awk -v b="$1" 'BEGIN { printf "%g", b / 100 }'; }

rate_to_bps() {
  [[ "$1" =~ ^([0-9]+(\.[0-9]+)?)(bit|kbit|mbit|gbit)$ ]] || die "bad rate '$1' (e.g. 100mbit, 1gbit)"
  awk -v n="${BASH_REMATCH[1]}" -v u="${BASH_REMATCH[3]}" 'BEGIN {
    m = (u == "bit") ? 1 : (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : 1e9; printf "%d", n * m }'
}

# tbf on egress of one interface. Burst: 4 ms worth of bytes, at least 16 KiB.
apply_rate() {
  local ns=$1 dev=$2 rate=$3 bps burst
  bps=$(rate_to_bps "$rate")
  burst=$(awk -v b="$bps" 'BEGIN { x = int(b / 8 * 0.004); if (x < 16384) x = 16384; print x }')
  ip -n "$ns" link set "$dev" txqueuelen 10000
  tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency 50ms
}

nft_init() {  # table with counters in a host namespace; loss rule added by nft_set_loss
  ip netns exec "$1" nft -f - <<NFT
table inet $NFT_TABLE {
  counter seen {}
  counter dropped {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
  }
}
NFT
}

nft_set_loss() {  # atomically replace the loss rule; bp = basis points
  local ns=$1 bp=$2
  {
    echo "flush chain inet $NFT_TABLE pre"
    echo "add rule inet $NFT_TABLE pre counter name seen"
    if [ "$bp" -ge 10000 ]; then echo "add rule inet $NFT_TABLE pre counter name dropped drop"
    elif [ "$bp" -gt 0 ]; then echo "add rule inet $NFT_TABLE pre numgen random mod 10000 < $bp counter name dropped drop"; fi
  } | ip netns exec "$ns" nft -f -
}

nft_get_loss_bp() {
  ip netns exec "$1" nft list chain inet "$NFT_TABLE" pre 2>/dev/null | awk '
    /mod 10000 < [0-9]+/ { for (i = 1; i < NF; i++) if ($i == "<") { print $(i + 1); found = 1; exit } }
    / drop$/ { print 10000; found = 1; exit }
    END { if (!found) print 0 }'
}

nft_counter() {  # prints "packets bytes" of a named counter
  ip netns exec "$1" nft list counter inet "$NFT_TABLE" "$2" 2>/dev/null \
    | sed -n 's/.*packets \([0-9]*\) bytes \([0-9]*\).*/\1 \2/p' | head -n1 | grep . || echo "0 0"
}

sysctl_ns() { ip netns exec "$1" sysctl -q -w "${@:2}" >/dev/null; }

new_ns() {
  local ns=$1
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  sysctl_ns "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# Connect host namespace $ns to bridge $br (in $sw) as interface $dev, address $addr/24.
attach() {
  local sw=$1 br=$2 port=$3 ns=$4 dev=$5 addr=$6
  ip -n "$sw" link add "$port" type veth peer name "$dev" netns "$ns"
  ip -n "$sw" link set "$port" master "$br"
  ip -n "$sw" link set "$port" up
  ip -n "$ns" addr add "$addr/24" brd + dev "$dev"
  ip -n "$ns" link set "$dev" up
  # Segment GSO packets at the host's device, as a NIC does on the wire: a veth would carry a
  # 64 KiB UDP_SEGMENT send whole through the bridge, and the loss rules would drop all of its
  # datagrams at once instead of each with its own chance.
  ip -n "$ns" link set "$dev" gso_max_segs 1
  sysctl_ns "$ns" "net.ipv4.conf.$dev.rp_filter=0"
}

cmd_up() {
  local name=${1:-}; [ -n "$name" ] || usage; shift
  check_name "$name"
  local receivers=1 segments=1 receivers2=0 rate="" loss=0 json=0 route=0
  local -A loss_of=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --receivers) receivers=${2:?}; shift 2 ;;
      --segments) segments=${2:?}; shift 2 ;;
      --receivers2) receivers2=${2:?}; shift 2 ;;
      --rate) rate=${2:?}; shift 2 ;;
      --loss) loss=${2:?}; shift 2 ;;
      --loss-of) [[ "${2:-}" == *=* ]] || die "--loss-of wants HOST=PCT"
                 loss_of[${2%%=*}]=${2#*=}; shift 2 ;;
      --route) route=1; shift ;;
      --json) json=1; shift ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  [[ "$receivers" =~ ^[0-9]+$ && "$receivers" -le $MAX_RECEIVERS ]] || die "--receivers must be 0..$MAX_RECEIVERS"
  [[ "$receivers2" =~ ^[0-9]+$ && "$receivers2" -le $MAX_RECEIVERS ]] || die "--receivers2 must be 0..$MAX_RECEIVERS"
  [[ "$segments" == 1 || "$segments" == 2 ]] || die "--segments must be 1 or 2"
  [ "$segments" -eq 2 ] || [ "$receivers2" -eq 0 ] || die "--receivers2 needs --segments 2"
  [ -z "$rate" ] || rate_to_bps "$rate" >/dev/null
  local default_bp; default_bp=$(pct_to_bp "$loss")
  local h
  for h in "${!loss_of[@]}"; do
    pct_to_bp "${loss_of[$h]}" >/dev/null
    case "$h" in
      s) ;;
      relay) [ "$segments" -eq 2 ] || die "--loss-of $h: no relay without --segments 2" ;;
      r[0-9]*) [[ "$h" =~ ^r([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "$receivers" ] || die "--loss-of $h: no such host" ;;
      b[0-9]*) [[ "$h" =~ ^b([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "$receivers2" ] || die "--loss-of $h: no such host" ;;
      *) die "--loss-of $h: no such host" ;;
    esac
  done

  if [ -n "$(lab_namespaces "$name")" ]; then
    die "lab '$name' already exists (lab.sh down $name first)"
  fi

  # From here on, any failure (or signal) removes what was created.
  UP_NAME=$name UP_DONE=0
  trap 'exit 130' INT TERM HUP
  trap 'rc=$?; if [ "$UP_DONE" -eq 0 ]; then echo "$PROG: up failed (exit $rc), removing lab $UP_NAME" >&2; cmd_down "$UP_NAME" >/dev/null 2>&1 || true; fi' EXIT

  local sw="$name-sw"
  new_ns "$sw"
  # br_netfilter is built in with bridge-nf-call-iptables=1: switch it off here.
  local k
  for k in iptables ip6tables arptables; do
    if [ -e "/proc/sys/net/bridge/bridge-nf-call-$k" ]; then sysctl_ns "$sw" "net.bridge.bridge-nf-call-$k=0"; fi
  done
  local seg
  for seg in $(seq 1 "$segments"); do
    ip -n "$sw" link add "br$seg" type bridge mcast_snooping 0 stp_state 0
    ip -n "$sw" link set "br$seg" up
  done

  # hosts: "host segment:dev:addr [segment:dev:addr]"
  local -a hosts=("s 1:eth0:$SUBNET_PREFIX.1.1")
  [ "$segments" -ne 2 ] || hosts+=("relay 1:eth0:$SUBNET_PREFIX.1.2 2:eth1:$SUBNET_PREFIX.2.2")
  local i
  for i in $(seq 1 "$receivers"); do hosts+=("r$i 1:eth0:$SUBNET_PREFIX.1.$((10 + i))"); done
  for i in $(seq 1 "$receivers2"); do hosts+=("b$i 2:eth0:$SUBNET_PREFIX.2.$((10 + i))"); done

  local entry host rest ns leg lseg dev addr first port
  for entry in "${hosts[@]}"; do
    read -r host rest <<<"$entry"
    ns="$name-$host"
    new_ns "$ns"
    first=1
    for leg in $rest; do
      IFS=: read -r lseg dev addr <<<"$leg"
      port="p-$host"; if [ "$host" = relay ]; then port="p-relay$lseg"; fi
      attach "$sw" "br$lseg" "$port" "$ns" "$dev" "$addr"
      if [ $first -eq 1 ]; then
        ip -n "$ns" route add 224.0.0.0/4 dev "$dev"
        first=0
      else
        ip -n "$ns" route add 224.0.0.0/4 dev "$dev" metric 100
      fi
      if [ -n "$rate" ]; then
        apply_rate "$ns" "$dev" "$rate"
        apply_rate "$sw" "$port" "$rate"
      fi
    done
    nft_init "$ns"
    local bp=0
    if [[ "$host" == r* || "$host" == b* ]]; then bp=$default_bp; fi
    if [ -n "${loss_of[$host]:-}" ]; then bp=$(pct_to_bp "${loss_of[$host]}"); fi
    nft_set_loss "$ns" "$bp"
  done

  if [ "$route" -eq 1 ] && [ "$segments" -eq 2 ]; then
    sysctl_ns "$name-relay" net.ipv4.ip_forward=1
    ip -n "$name-s" route add "$SUBNET_PREFIX.2.0/24" via "$SUBNET_PREFIX.1.2"
    for i in $(seq 1 "$receivers"); do ip -n "$name-r$i" route add "$SUBNET_PREFIX.2.0/24" via "$SUBNET_PREFIX.1.2"; done
    for i in $(seq 1 "$receivers2"); do ip -n "$name-b$i" route add "$SUBNET_PREFIX.1.0/24" via "$SUBNET_PREFIX.2.2"; done
  fi
  UP_DONE=1
  trap - INT TERM HUP

  if [ "$json" -eq 1 ]; then cmd_info "$name" --json; else cmd_info "$name"; fi
}

# Kill what still runs in a namespace (TERM, then KILL after up to 3 s), then delete it.
remove_ns() {
  local ns=$1 pids i
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 30); do
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      [ -z "$pids" ] && break
      sleep 0.1
    done
    if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
  fi
  ip netns del "$ns" 2>/dev/null || true
}

cmd_down() {
  local name=${1:-}; [ -n "$name" ] || usage
  check_name "$name"
  local ns
  # hosts first, the switch (bridges) last
  for ns in $(host_namespaces "$name"); do remove_ns "$ns"; done
  if ns_exists "$name-sw"; then remove_ns "$name-sw"; fi
  local left; left=$(lab_namespaces "$name")
  [ -z "$left" ] || echo "$PROG: warning: still present: $left" >&2
  return 0
}

# One line per interface: HOST NETNS IFACE ADDR/PREFIX SEGMENT LOSS_PCT RATE
iface_rows() {
  local name=$1 ns host line dev addr seg bp rate
  for ns in $(host_namespaces "$name"); do
    host=${ns#"$name"-}
    bp=$(nft_get_loss_bp "$ns")
    ip -n "$ns" -o -4 addr show scope global | while read -r line; do
      dev=$(awk '{print $2}' <<<"$line")
      addr=$(awk '{print $4}' <<<"$line")
      seg=$(cut -d. -f3 <<<"$addr")
      rate=$(tc -n "$ns" qdisc show dev "$dev" root 2>/dev/null | sed -n 's/.* tbf .*rate \([^ ]*\).*/\1/p')
      echo "$host $ns $dev $addr $seg $(bp_to_pct "$bp") ${rate:--}"
    done
  done
}

cmd_info() {
  local name=${1:-}; [ -n "$name" ] || usage; shift
  check_name "$name"
  ns_exists "$name-sw" || die "no lab '$name'"
  local rows; rows=$(iface_rows "$name")
  if [ "${1:-}" = --json ]; then
    local bridges
    bridges=$(ip -n "$name-sw" -o link show type bridge | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)
    printf '{"name":"%s","switch":{"netns":"%s","bridges":[%s]},"hosts":[' "$name" "$name-sw" \
      "$(sed 's/.*/"&"/' <<<"$bridges" | paste -sd,)"
    awk '
      { if ($1 != prev) { if (NR > 1) printf "]},"; printf "{\"host\":\"%s\",\"netns\":\"%s\",\"loss_pct\":%s,\"ifaces\":[", $1, $2, $6; prev = $1; n = 0 }
        split($4, a, "/")
        printf "%s{\"iface\":\"%s\",\"addr\":\"%s\",\"prefix\":%s,\"segment\":%s,\"rate\":%s}", (n++ ? "," : ""), $3, a[1], a[2], $5, ($7 == "-" ? "null" : "\"" $7 "\"") }
      END { if (NR > 0) printf "]}" }' <<<"$rows"
    printf ']}\n'
  else
    echo "# host netns iface addr segment loss_pct rate"
    echo "$rows"
  fi
}

cmd_exec() {
  local name=${1:-} host=${2:-}; [ -n "$name" ] && [ -n "$host" ] || usage
  check_name "$name"; shift 2
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "exec: no command"
  local ns; ns=$(ns_of "$name" "$host")
  ns_exists "$ns" || die "no namespace $ns"
  exec ip netns exec "$ns" "$@"
}

cmd_loss() {
  local name=${1:-} host=${2:-} pct=${3:-}; [ -n "$pct" ] || usage
  check_name "$name"
  local ns bp; ns=$(ns_of "$name" "$host"); bp=$(pct_to_bp "$pct")
  ns_exists "$ns" || die "no namespace $ns"
  [ "$ns" != "$name-sw" ] || die "loss applies to hosts, not the switch"
  nft_set_loss "$ns" "$bp"
}

# Interface counters of a host (for bytes on the sender's wire), the nft counters
# (packets seen / dropped by the loss rule) and UDP receive-buffer drops (kernel).
cmd_stats() {
  local name=${1:-} host=${2:-}; [ -n "$host" ] || usage
  check_name "$name"
  local ns; ns=$(ns_of "$name" "$host")
  ns_exists "$ns" || die "no namespace $ns"
  local json=0; if [ "${3:-}" = --json ]; then json=1; fi
  local dev rows="" s seen dropped udp
  for dev in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -vx lo); do
    s=$(ip netns exec "$ns" sh -c "cd /sys/class/net/$dev/statistics && echo \$(cat rx_bytes) \$(cat rx_packets) \$(cat tx_bytes) \$(cat tx_packets) \$(cat rx_dropped) \$(cat tx_dropped)")
    rows+="$dev $s"$'\n'
  done
  seen=$(nft_counter "$ns" seen); dropped=$(nft_counter "$ns" dropped)
  udp=$(ip netns exec "$ns" awk '/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 } else print $col["InErrors"], $col["RcvbufErrors"] }' /proc/net/snmp)
  if [ $json -eq 1 ]; then
    printf '{"host":"%s","netns":"%s","ifaces":[' "${ns#"$name"-}" "$ns"
    printf '%s' "$rows" | awk 'NF { printf "%s{\"iface\":\"%s\",\"rx_bytes\":%s,\"rx_packets\":%s,\"tx_bytes\":%s,\"tx_packets\":%s,\"rx_dropped\":%s,\"tx_dropped\":%s}", (n++ ? "," : ""), $1, $2, $3, $4, $5, $6, $7 }'
    read -r a b <<<"$seen"; read -r c d <<<"$dropped"; read -r e f <<<"$udp"
    printf '],"nft_seen_packets":%s,"nft_seen_bytes":%s,"nft_dropped_packets":%s,"nft_dropped_bytes":%s,"udp_in_errors":%s,"udp_rcvbuf_errors":%s}\n' "$a" "$b" "$c" "$d" "$e" "$f"
  else
    printf '%s' "$rows" | awk 'NF { printf "iface %s rx_bytes %s rx_packets %s tx_bytes %s tx_packets %s rx_dropped %s tx_dropped %s\n", $1, $2, $3, $4, $5, $6, $7 }'
    echo "nft seen_packets $(cut -d' ' -f1 <<<"$seen") seen_bytes $(cut -d' ' -f2 <<<"$seen") dropped_packets $(cut -d' ' -f1 <<<"$dropped") dropped_bytes $(cut -d' ' -f2 <<<"$dropped")"
    echo "udp in_errors $(cut -d' ' -f1 <<<"$udp") rcvbuf_errors $(cut -d' ' -f2 <<<"$udp")"
  fi
}

cmd_list() {  # names of labs (by their switch namespace)
  all_netns | sed -n 's/^\([a-z][a-z0-9]\{0,7\}\)-sw$/\1/p'
}

main() {
  local cmd=${1:-}; [ -n "$cmd" ] || usage; shift
  case "$cmd" in
    up) need_root; cmd_up "$@" ;;
    down) need_root; cmd_down "$@" ;;
    info) need_root; cmd_info "$@" ;;
    exec) need_root; cmd_exec "$@" ;;
    loss) need_root; cmd_loss "$@" ;;
    stats) need_root; cmd_stats "$@" ;;
    list) cmd_list ;;
    -h|--help|help) usage ;;
    *) die "unknown command '$cmd'" ;;
  esac
}

main "$@"
