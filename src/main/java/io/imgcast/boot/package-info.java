/**
 * Network boot: a blank machine boots into imgcast over the network and does what the server's
 * host entry says.
 *
 * <p>Vocabulary:
 * <ul>
 * <li><b>boot files</b>: {@code vmlinuz} and {@code initrd.img}, the kernel and initramfs of the
 *     boot environment ({@code imgcast boot build}), served over plain HTTP from the boot dir;
 * <li><b>boot environment</b>: what the boot files hold, run from RAM: Debian's kernel, the kernel
 *     <b>modules</b> of common NICs and disk controllers with the <b>firmware</b> they name,
 *     busybox, the glibc the Java runtime links, and imgcast as the Debian package installs it;
 *     its {@code /init} brings up the network and runs the boot client;
 * <li><b>build</b>: {@link BootBuild} makes the boot files from Debian packages fetched with
 *     {@code apt-get download}; the <b>build cache</b> ({@link BootCache}) keeps the packages and
 *     each finished build under the <b>key</b> of its inputs, so a second build with the same
 *     inputs only copies; the initramfs is a {@code newc} cpio archive ({@link CpioWriter}),
 *     zstd-compressed; {@link KernelModules} picks the modules and their load order;
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
