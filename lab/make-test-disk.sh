#!/usr/bin/env bash
# Makes a small bootable disk image for the network-boot test, without mounting anything: an MBR
# disk whose one FAT partition (active, type EF) holds syslinux for BIOS (installed through mtools)
# and GRUB standalone as EFI/BOOT/BOOTX64.EFI for UEFI, both booting Debian's kernel with a tiny
# busybox initramfs whose init prints "IMGCAST-MARKER NAME" on the serial console, then powers off.
#
#   bash lab/make-test-disk.sh NAME OUT.img VMLINUZ [SIZE_MIB]     (default 40 MiB)
#
# Needs busybox-static, cpio, syslinux + syslinux-common, mtools, dosfstools, fdisk,
# grub-efi-amd64-bin (scripts/setup-system.sh --boot).
set -euo pipefail
die() { echo "make-test-disk: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: make-test-disk.sh NAME OUT.img VMLINUZ [SIZE_MIB]"
name=$1 out=$2 vmlinuz=$3 size_mib=${4:-40}
[[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "bad NAME '$name'"
[ -f "$vmlinuz" ] || die "no kernel $vmlinuz"
for c in busybox cpio syslinux mcopy mkfs.fat sfdisk grub-mkstandalone; do
  command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || [ -x "/sbin/$c" ] || die "missing $c: run scripts/setup-system.sh --boot"
done
bb=/bin/busybox
[ -x "$bb" ] || bb="$(command -v busybox)"
tmp="$(mktemp -d -t imgcast-disk.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# The tiny OS: busybox and an init that prints the marker (several times: a line may be cut by the
# console's start-up) and powers off.
mkdir -p "$tmp/root/bin" "$tmp/root/proc" "$tmp/root/dev"
cp "$bb" "$tmp/root/bin/busybox"
ln -s busybox "$tmp/root/bin/sh"
cat >"$tmp/root/init" <<INIT
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
for i in 1 2 3; do echo "IMGCAST-MARKER $name"; /bin/busybox sleep 1; done
/bin/busybox poweroff -f
INIT
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible 2>/dev/null || find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
  | gzip -9n >"$tmp/initrd.img"
echo "$name" >"$tmp/marker"

# The FAT partition, starting at 1 MiB (sector 2048, recorded as the BPB's hidden sectors).
part_mib=$((size_mib - 1))
mkfs.fat -F 16 -n IMGCAST -h 2048 -i 12345678 -C "$tmp/part.img" $((part_mib * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp/part.img" ::/syslinux ::/EFI ::/EFI/BOOT
cat >"$tmp/syslinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT os
PROMPT 0
TIMEOUT 1
LABEL os
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=ttyS0,115200 quiet panic=5
CFG
cat >"$tmp/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_output serial console
set timeout=0
insmod part_msdos
insmod fat
if search --no-floppy --file /marker-$name --set=root; then echo "found $name"; else set root=(hd0,msdos1); fi
echo "booting $name from \$root"
linux /vmlinuz console=ttyS0,115200 quiet panic=5
initrd /initrd.img
boot
CFG
grub-mkstandalone -O x86_64-efi -o "$tmp/BOOTX64.EFI" --locales= --fonts= --themes= \
  --install-modules="memdisk tar part_msdos fat search search_fs_file linux normal serial terminal echo test configfile boot" \
  --modules="part_msdos fat search_fs_file serial" "boot/grub/grub.cfg=$tmp/grub.cfg"
mcopy -i "$tmp/part.img" "$vmlinuz" ::/vmlinuz
mcopy -i "$tmp/part.img" "$tmp/initrd.img" ::/initrd.img
mcopy -i "$tmp/part.img" "$tmp/marker" "::/marker-$name"
mcopy -i "$tmp/part.img" "$tmp/syslinux.cfg" ::/syslinux/syslinux.cfg
mcopy -i "$tmp/part.img" "$tmp/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
syslinux --install --directory /syslinux "$tmp/part.img"

# The disk: MBR boot code, one active partition of type EF, the partition's bytes.
truncate -s "${size_mib}M" "$tmp/disk.img"
printf 'label: dos\nlabel-id: 0x%08x\nstart=2048, type=ef, bootable\n' "$(cksum <<<"$name" | cut -d' ' -f1)" | sfdisk -q "$tmp/disk.img" >/dev/null
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$tmp/disk.img" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/part.img" of="$tmp/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
mv "$tmp/disk.img" "$out"
echo "make-test-disk: $out ($size_mib MiB, image $name)" >&2
