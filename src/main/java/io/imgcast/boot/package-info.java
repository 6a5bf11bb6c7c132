/**
 * Network boot: a blank machine boots into imgcast over the network and does what the server's
 * host entry says.
 *
 * <p>Vocabulary:
 * <ul>
 * <li><b>boot files</b>: {@code vmlinuz} and {@code initrd.img}, the kernel and initramfs of the
 *     boot environment ({@code imgcast boot build}), served over plain HTTP from the boot dir;
 * <li><b>iPXE script</b>: what a machine's iPXE gets at {@code /boot.ipxe?mac=}: boot the boot
 *     files with the kernel line that names the server, its fingerprint and the MAC, or
 *     {@code exit} (the firmware goes on to the local disk) — {@link IpxeScript};
 * <li><b>kernel line</b>: {@code imgcast.server=URL imgcast.fp=HEX imgcast.mac=MAC}: public
 *     facts only; a secret (a capture token) is handed out over TLS, never here;
 * <li><b>dnsmasq</b>: Debian's DHCP and TFTP server, run as serve's child ({@link Dnsmasq}):
 *     proxy-DHCP beside the site's server, or a full range on an isolated network; TFTP hands
 *     PXE ROMs {@code undionly.kpxe} (BIOS) or {@code ipxe.efi} (UEFI), which chain to the script;
 * <li><b>boot client</b>: {@code imgcast boot client} in the booted environment: asks the
 *     assignment and receives, captures or shows the menu ({@link BootClient}, {@link ClientMenu});
 * <li><b>capture upload</b>: a captured image's chunks sent into the server's store, which checks
 *     every chunk's hash itself ({@link CaptureUpload}).
 * </ul>
 */
package io.imgcast.boot;
