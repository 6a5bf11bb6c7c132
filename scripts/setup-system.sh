#!/usr/bin/env bash
# Installs the Debian packages imgcast's tests, lab and benchmarks need. Idempotent.
set -euo pipefail
pkgs=(e2fsprogs fdisk attr iproute2 nftables zstd curl libisal2 libssl3 udpcast uftp wimtools debootstrap casync partclone dosfstools ntfs-3g xfsprogs mtools)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-system: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! ls -d /usr/lib/jvm/*25* >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  echo "setup-system: no JDK 25 under /usr/lib/jvm; installing Debian's openjdk-25 if available"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-25-jdk-headless >/dev/null || true
fi
