#!/usr/bin/env bash
# Installs the Debian packages that imgcast's build, tests, demo, network lab and benchmarks call.
# Idempotent, and silent and fast (one dpkg-query) when everything is installed.
#
#   scripts/setup-system.sh            all of the groups below
#   scripts/setup-system.sh --lab      only what the network lab and the demo need
#   scripts/setup-system.sh --build    only what building needs
#   scripts/setup-system.sh --boot     only what the network-boot lab (lab/bare-metal-test.sh) needs
#   scripts/setup-system.sh --check    install nothing: name what is missing, exit 1 if anything is
#   scripts/setup-system.sh --list     print the packages of all groups, one a line
#
# Which command comes from which package (keep in step with src/test/java/io/imgcast/testutil/Needs.java):
#   build       mvn = maven (only when no mvn is on the PATH)
#   tests       setfattr, getfattr = attr; setcap, getcap = libcap2-bin; mkfs.ext4, e2fsck,
#               dumpe2fs = e2fsprogs; sfdisk = fdisk; losetup, mount = mount; cmp, diff = diffutils;
#               flock = util-linux; chromium, chromedriver = chromium, chromium-driver (the console's
#               browser test, driven headless by Selenium)
#   lab, demo   ip, tc = iproute2; nft = nftables; sysctl = procps; curl (the tests poll the
#               server's status)
#   runtime     libisal2 (ISA-L: erasure code) and libssl3 (OpenSSL: SHA-256), used when present
#   boot        qemu-system-x86_64 = qemu-system-x86; OVMF_CODE.fd = ovmf; undionly.kpxe, ipxe.efi =
#               ipxe; dnsmasq = dnsmasq-base; busybox = busybox-static; cpio; syslinux, mbr.bin =
#               syslinux, syslinux-common; mcopy = mtools; grub-mkstandalone's x86_64-efi modules =
#               grub-efi-amd64-bin; apt-get download and dpkg-deb (imgcast boot build) are on every
#               Debian system
#   benchmarks  udp-sender, udp-receiver = udpcast; jq; wimlib-imagex = wimtools; casync;
#               debootstrap; python3 (reports); zstd (udpcast piped as Clonezilla runs it);
#               time (/usr/bin/time: CPU per process); gnuplot = gnuplot-nox (plots); curl (bench/swarm.sh)
#
# What it installs is added to /var/lib/imgcast-setup/installed, so that scripts/prove-fresh.sh
# can tell what this script brought from what the machine had before.
set -euo pipefail

lab_pkgs=(iproute2 nftables procps curl)
test_pkgs=(attr libcap2-bin e2fsprogs fdisk mount diffutils util-linux partclone dosfstools ntfs-3g xfsprogs mtools chromium chromium-driver)
# network boot (serve --boot and its lab test): dnsmasq, the iPXE builds it hands out, busybox's DHCP and TFTP clients
test_pkgs+=(dnsmasq-base ipxe busybox-static)
runtime_pkgs=(libisal2 libssl3)
boot_pkgs=(qemu-system-x86 ovmf ipxe dnsmasq-base busybox-static cpio syslinux syslinux-common grub-efi-amd64-bin)
bench_pkgs=(udpcast jq wimtools casync debootstrap python3 zstd time gnuplot-nox curl)
build_pkgs=()
command -v mvn >/dev/null 2>&1 || build_pkgs+=(maven)
record=/var/lib/imgcast-setup/installed

mode=all
case "${1:-}" in
  "") ;;
  --lab) mode=lab ;;
  --build) mode=build ;;
  --boot) mode=boot ;;
  --check) mode=check ;;
  --list) mode=list ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup-system: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac

case "$mode" in
  lab) pkgs=("${lab_pkgs[@]}") ;;
  build) pkgs=(${build_pkgs[@]+"${build_pkgs[@]}"}) ;;
  boot) pkgs=("${lab_pkgs[@]}" "${boot_pkgs[@]}" mtools) ;;
  *) pkgs=(${build_pkgs[@]+"${build_pkgs[@]}"} "${test_pkgs[@]}" "${lab_pkgs[@]}" "${boot_pkgs[@]}" "${runtime_pkgs[@]}" "${bench_pkgs[@]}") ;;
esac
if [ "$mode" = list ]; then
  printf '%s\n' maven "${test_pkgs[@]}" "${lab_pkgs[@]}" "${boot_pkgs[@]}" "${runtime_pkgs[@]}" "${bench_pkgs[@]}"
  exit 0
fi

missing=()
if [ ${#pkgs[@]} -gt 0 ]; then
  # one query for all: "name status" lines; packages never seen by dpkg are absent from the output
  installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null | awk '$NF == "installed" { print $1 }' || true)"
  for p in "${pkgs[@]}"; do grep -qx "$p" <<<"$installed" || missing+=("$p"); done
fi

jdk_missing=0
if [ "$mode" != lab ] && [ "$mode" != boot ]; then
  # the JDK rule of scripts/jdk.sh and ./imgcast: a JDK 25 or newer
  source "$(dirname "$0")/jdk.sh"
  { [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; } || jdk_missing=1
fi

if [ "$mode" = check ]; then
  [ ${#missing[@]} -eq 0 ] && [ "$jdk_missing" = 0 ] && exit 0
  [ ${#missing[@]} -eq 0 ] || echo "setup-system: missing Debian packages: ${missing[*]}"
  [ "$jdk_missing" = 0 ] || echo "setup-system: no JDK 25 or newer (set JAVA_HOME, or install one under /usr/lib/jvm)"
  exit 1
fi

[ ${#missing[@]} -gt 0 ] || [ "$jdk_missing" = 1 ] || exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "setup-system: missing ${missing[*]}; run this script as root: su -c '$0'" >&2
    exit 1
  fi
fi

log="$(mktemp -t imgcast-setup.XXXXXX)"
trap 'rm -f "$log"' EXIT
apt_install() {
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
    echo "setup-system: apt-get install $* failed:" >&2
    tail -n 15 "$log" >&2
    return 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-system: installing ${missing[*]}"
  if ! "${sudo_cmd[@]}" apt-get update -q >>"$log" 2>&1; then
    echo "setup-system: apt-get update failed:" >&2
    tail -n 15 "$log" >&2
    exit 1
  fi
  apt_install "${missing[@]}" || exit 1
  "${sudo_cmd[@]}" mkdir -p "$(dirname "$record")"
  { [ -f "$record" ] && cat "$record"; printf '%s\n' "${missing[@]}"; } | sort -u | "${sudo_cmd[@]}" tee "$record.tmp" >/dev/null
  "${sudo_cmd[@]}" mv "$record.tmp" "$record"
fi

if [ "$jdk_missing" = 1 ]; then
  echo "setup-system: no JDK 25 or newer found; trying Debian's openjdk-25-jdk-headless"
  apt_install openjdk-25-jdk-headless \
    || echo "setup-system: install a JDK 25 or newer yourself (under /usr/lib/jvm, or set JAVA_HOME)" >&2
fi
