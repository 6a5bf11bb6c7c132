#!/usr/bin/env bash
# Network boot of blank virtual machines, end to end, in a lab of its own (network namespaces made
# by lab/lab.sh; nothing touches the host's interfaces):
#
#   1. imgcast boot build (cached), and two bootable disk images made without mounting anything
#      (lab/make-test-disk.sh: syslinux for BIOS, GRUB for UEFI, each OS printing its marker);
#   2. both captured into a store; three hosts added (MAC, image, group, then=reboot); the server
#      (imgcast serve --boot --dhcp-range, dnsmasq bound to the lab interface only) and a session;
#   3. three QEMU machines with blank disks on taps of the lab's bridge: one UEFI (OVMF) whose
#      virtio NIC has no option ROM, so that OVMF's own PXE fetches ipxe.efi over TFTP, and two
#      BIOS (SeaBIOS, the NIC's iPXE ROM); each boots imgcast's boot environment from the server,
#      receives its image in the one multicast session and reboots (QEMU runs with -no-reboot, so
#      the reboot ends the first run: that is the firmware "going on to the disk");
#   4. each disk is compared with its image (cmp), then each machine boots from its own disk and
#      its OS prints its marker on the serial console; QEMU is killed once the marker is seen.
#
# Prints one line per machine, "MACHINE IMAGE MARKER", and exits 0 only when every machine booted
# its own image. Every wait is bounded; namespaces, taps, QEMU and the server go in a trap, also on
# failure. Needs root and scripts/setup-system.sh --boot.
#
#   bash lab/bare-metal-test.sh [--keep] [--accel auto|kvm|tcg] [--proxy-dhcp]
#
# --proxy-dhcp: the site case instead. A second dnsmasq in the lab (namespace r1) is the site's
# DHCP server, handing out 10.77.1.160-180 and nothing about booting; imgcast serve --boot runs
# without --dhcp-range, so its dnsmasq answers as a proxy-DHCP server only. One BIOS machine
# (bios2, image-b) must get its address from the site's server and still boot, receive and print
# its marker.
# --keep leaves the work directory (serial logs, server log, disks) and prints its path.
# IMGCAST_BOOT_CACHE: the boot build's cache (default /var/cache/imgcast/boot).
set -euo pipefail
PROG=bare-metal-test
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
die() { echo "$PROG: $*" >&2; exit 1; }
log() { printf '%s: [%5.1fs] %s\n' "$PROG" "$(elapsed)" "$*" >&2; }
start_ns=$(date +%s%N)
elapsed() { awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

keep=0 accel=auto proxy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --proxy-dhcp) proxy=1; shift ;;
    --accel) accel=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$accel" =~ ^(auto|kvm|tcg)$ ]] || die "--accel must be auto, kvm or tcg"
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, taps)"
missing=()
for c in qemu-system-x86_64 dnsmasq busybox cpio syslinux mcopy mkfs.fat sfdisk grub-mkstandalone ip nft cmp; do
  command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || [ -x "/sbin/$c" ] || missing+=("$c")
done
for f in /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_VARS.fd /usr/lib/ipxe/ipxe.efi /usr/lib/ipxe/undionly.kpxe; do
  [ -f "$f" ] || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: run scripts/setup-system.sh --boot"

imgcast="$repo/imgcast"
lab="bm$(( $$ % 100000 ))"
work="$(mktemp -d -t imgcast-bm.XXXXXX)"
server_pid=
declare -A qemu_pid=()

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM HUP
  for p in "${qemu_pid[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  # lab.sh down kills what still runs in the namespaces (QEMU, dnsmasq) and deletes them with their taps
  bash lab/lab.sh down "$lab" >/dev/null 2>&1 || true
  if [ "$keep" = 1 ] || [ "$rc" -ne 0 ]; then
    echo "$PROG: logs and disks kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- 1. boot environment and disk images ----
log "boot environment (imgcast boot build)"
"$imgcast" boot build --out "$work/boot" --cache "${IMGCAST_BOOT_CACHE:-/var/cache/imgcast/boot}" >"$work/boot-build.log" 2>&1 \
  || { cat "$work/boot-build.log" >&2; die "imgcast boot build failed"; }
grep -E '^total' "$work/boot-build.log" | sed "s/^/$PROG: /" >&2
for img in image-a image-b; do
  bash lab/make-test-disk.sh "$img" "$work/$img.img" "$work/boot/vmlinuz" 40 2>>"$work/disks.log" || { cat "$work/disks.log" >&2; die "make-test-disk $img failed"; }
done

# KVM when it works (probe: a tiny guest must print its marker within 20 s), else TCG.
kvm_ok() {
  [ -w /dev/kvm ] || return 1
  cp "$work/image-a.img" "$work/probe.img"
  timeout 20 qemu-system-x86_64 -accel kvm -m 256 -display none -monitor none -serial "file:$work/probe.log" -nic none \
    -drive "file=$work/probe.img,format=raw" >/dev/null 2>&1 &
  local p=$! i
  for i in $(seq 1 40); do
    if grep -qa IMGCAST-MARKER "$work/probe.log" 2>/dev/null; then kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; rm -f "$work/probe.img"; return 0; fi
    kill -0 "$p" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; rm -f "$work/probe.img"
  return 1
}
if [ "$accel" = auto ]; then
  if kvm_ok; then accel=kvm; else accel=tcg; fi
fi
log "QEMU accelerator: $accel"

# ---- 2. store, hosts, lab, server ----
store="$work/store" state="$work/state"
for img in image-a image-b; do
  "$imgcast" capture "$work/$img.img" --name "$img" --store "$store" >>"$work/capture.log" 2>&1 || { cat "$work/capture.log" >&2; die "capture $img failed"; }
done
# machine: firmware, MAC, image
machines=(uefi1 bios2 bios3)
[ "$proxy" = 0 ] || machines=(bios2)
declare -A fw=([uefi1]=uefi [bios2]=bios [bios3]=bios)
declare -A mac=([uefi1]=52:54:00:b0:00:01 [bios2]=52:54:00:b0:00:02 [bios3]=52:54:00:b0:00:03)
declare -A image=([uefi1]=image-a [bios2]=image-b [bios3]=image-a)
"$imgcast" groups add room --image image-a --expect ${#machines[@]} --wait 600 --state "$state" >/dev/null
for m in "${machines[@]}"; do
  "$imgcast" hosts add --mac "${mac[$m]}" --name "$m" --image "${image[$m]}" --group room --then reboot --state "$state" >/dev/null
done

bash lab/lab.sh up "$lab" --receivers "$proxy" >/dev/null
sw="$lab-sw" sns="$lab-s" sip=10.77.1.1
log "lab $lab: server $sip in namespace $sns, bridge br1 in $sw"
dhcp=(--dhcp-range 10.77.1.100,10.77.1.150)
if [ "$proxy" = 1 ]; then
  # the site's DHCP server: addresses only, bound to the lab interface of its own namespace
  ip netns exec "$lab-r1" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=eth0 --bind-interfaces \
    --dhcp-range=10.77.1.160,10.77.1.180,255.255.255.0,1h --dhcp-leasefile="$work/site.leases" --pid-file= \
    --log-dhcp --log-facility="$work/site-dhcp.log" &
  dhcp=()
  log "site DHCP server (dnsmasq) in $lab-r1: 10.77.1.160-180; imgcast's dnsmasq is proxy-DHCP"
fi
# The rate: emulated machines (TCG on a shared host) drop most of a faster stream.
# The control port gives a client 10 s for its TLS handshake and request; a cold JVM in an emulated
# machine on a loaded host can take longer, so the lab's server allows 60 s.
IMGCAST_JAVA_OPTS="-Dsun.net.httpserver.maxReqTime=60 ${IMGCAST_JAVA_OPTS:-}" \
  ip netns exec "$sns" "$imgcast" serve --store "$store" --state "$state" --interface eth0 --listen "$sip:8470" --rate "${IMGCAST_BM_RATE:-16Mbit}" \
  --boot --boot-dir "$work/boot" --boot-listen "$sip:8480" ${dhcp[@]+"${dhcp[@]}"} >"$work/server.log" 2>&1 &
server_pid=$!
for i in $(seq 1 300); do
  [ -s "$state/server.url" ] && grep -q 'fingerprint' "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "imgcast serve exited"; }
  sleep 0.2
done
[ -s "$state/server.url" ] || { cat "$work/server.log" >&2; die "imgcast serve did not come up within 60 s"; }
# inside the server's namespace: the server's address exists only there
ip netns exec "$sns" "$imgcast" sessions start room --state "$state" >>"$work/sessions.log" 2>&1 || { cat "$work/sessions.log" >&2; die "sessions start failed"; }
log "server up; session for group room started"

# ---- 3. the machines: first run, from the network ----
qemu_args() { # MACHINE PHASE(net|disk)
  local m=$1 phase=$2 a
  a=(-accel "$accel" -machine q35 -m 1536 -smp 1 -display none -monitor none -serial "file:$work/$m.$phase.log")
  if [ "${fw[$m]}" = uefi ]; then
    a+=(-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd" -drive "if=pflash,format=raw,file=$work/$m.vars.fd")
    a+=(-drive "if=none,id=d0,file=$work/$m.disk,format=raw" -device "virtio-blk-pci,drive=d0,bootindex=2")
    # no option ROM: OVMF's own virtio-net driver and PXE, which fetch ipxe.efi over TFTP
    [ "$phase" = net ] && a+=(-netdev "tap,id=n0,ifname=t-$m,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=${mac[$m]},romfile=,bootindex=1")
  else
    a+=(-drive "if=none,id=d0,file=$work/$m.disk,format=raw" -device "ide-hd,drive=d0,bus=ide.0,bootindex=2")
    [ "$phase" = net ] && a+=(-netdev "tap,id=n0,ifname=t-$m,script=no,downscript=no" -device "e1000,netdev=n0,mac=${mac[$m]},bootindex=1")
  fi
  [ "$phase" = disk ] && a+=(-nic none)
  [ "$phase" = net ] && a+=(-no-reboot)
  printf '%s\n' "${a[@]}"
}
run_qemu() { # MACHINE PHASE
  local -a a
  mapfile -t a < <(qemu_args "$1" "$2")
  : >"$work/$1.$2.log"
  ip netns exec "$sw" qemu-system-x86_64 "${a[@]}" >"$work/$1.$2.qemu.log" 2>&1 &
  qemu_pid[$1]=$!
  disown "$!" # no "Killed" line when the run is ended on purpose
}
for m in "${machines[@]}"; do
  truncate -s 40M "$work/$m.disk"
  cp /usr/share/OVMF/OVMF_VARS.fd "$work/$m.vars.fd"
  ip -n "$sw" tuntap add dev "t-$m" mode tap
  ip -n "$sw" link set "t-$m" master br1 up
done
declare -A t_on=() t_client=() t_done=() t_marker=() result=()
for m in "${machines[@]}"; do run_qemu "$m" net; t_on[$m]=$(elapsed); done
log "powered on ${machines[*]} (network boot)"

# Bounded wait: every first run ends (the client reboots: QEMU exits), or fails (the boot
# environment's rescue shell, or QEMU exits without the client having succeeded).
deadline=$(( $(date +%s) + ${IMGCAST_BM_TIMEOUT:-900} ))
pending=("${machines[@]}")
while [ ${#pending[@]} -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
  left=()
  for m in "${pending[@]}"; do
    l="$work/$m.net.log"
    [ -z "${t_client[$m]:-}" ] && grep -qa 'starting imgcast boot client' "$l" && t_client[$m]=$(elapsed) && log "$m: boot client started"
    if grep -qa 'the machine stays up for inspection' "$l"; then
      kill -KILL "${qemu_pid[$m]}" 2>/dev/null || true
      result[$m]="failed in the boot environment: $(grep -a 'imgcast-boot:' "$l" | tail -n 2 | head -n 1 | tr -d '\r')"
      log "$m: ${result[$m]}"
    elif ! kill -0 "${qemu_pid[$m]}" 2>/dev/null; then
      # the client reboots when done (then=reboot), which ends QEMU (-no-reboot)
      if [ -n "${t_client[$m]:-}" ]; then t_done[$m]=$(elapsed); log "$m: rebooted after the client"
      else result[$m]="QEMU ended before the client finished (see $m.net.log)"; log "$m: ${result[$m]}"; fi
    else
      left+=("$m")
    fi
  done
  pending=(${left[@]+"${left[@]}"})
  [ ${#pending[@]} -eq 0 ] || sleep 0.5
done
for m in ${pending[@]+"${pending[@]}"}; do
  kill -KILL "${qemu_pid[$m]}" 2>/dev/null || true
  result[$m]="no result within the time limit (see $m.net.log)"
  log "$m: ${result[$m]}"
done
for m in "${machines[@]}"; do wait "${qemu_pid[$m]}" 2>/dev/null || true; unset "qemu_pid[$m]"; done

# ---- 4. the disks against their images; then each machine boots its own disk ----
for m in "${machines[@]}"; do
  [ -z "${result[$m]:-}" ] || continue
  if ! cmp -s "$work/$m.disk" "$work/${image[$m]}.img"; then
    result[$m]="disk differs from ${image[$m]}: $(cmp "$work/$m.disk" "$work/${image[$m]}.img" 2>&1 | head -n 1)"
    log "$m: ${result[$m]}"
  fi
done
pending=()
for m in "${machines[@]}"; do
  [ -z "${result[$m]:-}" ] || continue
  run_qemu "$m" disk
  pending+=("$m")
done
[ ${#pending[@]} -eq 0 ] || log "booting ${pending[*]} from their disks"
deadline=$(( $(date +%s) + 240 ))
while [ ${#pending[@]} -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
  left=()
  for m in "${pending[@]}"; do
    mk="$(grep -a -o 'IMGCAST-MARKER [A-Za-z0-9._-]*' "$work/$m.disk.log" 2>/dev/null | head -n 1 || true)"
    if [ -n "$mk" ]; then
      # never wait for power-off: it may hang under KVM
      kill -KILL "${qemu_pid[$m]}" 2>/dev/null || true
      t_marker[$m]=$(elapsed)
      result[$m]="ok ${mk#IMGCAST-MARKER }"
    elif ! kill -0 "${qemu_pid[$m]}" 2>/dev/null; then
      result[$m]="no marker: the disk did not boot (see $m.disk.log)"
    else
      left+=("$m")
    fi
  done
  pending=(${left[@]+"${left[@]}"})
  [ ${#pending[@]} -eq 0 ] || sleep 0.5
done
for m in ${pending[@]+"${pending[@]}"}; do kill -KILL "${qemu_pid[$m]}" 2>/dev/null || true; result[$m]="no marker within 240 s"; done

# ---- result ----
ok=1
if [ "$proxy" = 1 ]; then
  for m in "${machines[@]}"; do
    a="$(grep -a -o 'imgcast-boot: eth0: [0-9.]*' "$work/$m.net.log" | head -n 1 | awk '{print $3}')"
    if [[ "$a" =~ ^10\.77\.1\.(1[6-7][0-9]|180)$ ]]; then
      log "$m: address $a from the site's DHCP server; boot from imgcast's proxy-DHCP"
    else
      ok=0
      log "$m: address '${a:-none}' is not from the site's DHCP server (10.77.1.160-180)"
    fi
  done
fi
printf '%-8s %-8s %s\n' MACHINE IMAGE MARKER
for m in "${machines[@]}"; do
  r="${result[$m]:-no result}"
  if [ "${r%% *}" = ok ] && [ "${r#ok }" = "${image[$m]}" ]; then
    printf '%-8s %-8s %s\n' "$m" "${image[$m]}" "${r#ok }"
  else
    ok=0
    printf '%-8s %-8s FAILED: %s\n' "$m" "${image[$m]}" "$r"
  fi
done
for m in "${machines[@]}"; do
  awk -v m="$m" -v f="${fw[$m]}" -v on="${t_on[$m]}" -v c="${t_client[$m]:-}" -v d="${t_done[$m]:-}" -v k="${t_marker[$m]:-}" \
    'function rel(x) { return x == "" ? "-" : sprintf("%.1fs", x - on) }
     BEGIN { printf "timing %s (%s): client %s, image received %s, marker %s after power-on\n", m, f, rel(c), rel(d), rel(k) }' >&2
done
log "accelerator $accel; whole run $(elapsed) s"
[ "$ok" = 1 ] || { echo "$PROG: FAILED (serial logs: $work/*.log)" >&2; exit 1; }
