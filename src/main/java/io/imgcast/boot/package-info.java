/**
 * Network boot of bare machines.
 *
 * <p>Vocabulary. The <em>boot environment</em> is a Linux kernel ({@code vmlinuz}) and an
 * initramfs ({@code initrd.img}) that a machine fetches over the network (PXE, then iPXE) and runs
 * from RAM: Debian's kernel, the kernel <em>modules</em> of common NICs and disk controllers with
 * the <em>firmware</em> they name, busybox, the glibc the Java runtime needs, and imgcast as the
 * Debian package installs it (the jlink <em>runtime</em>, the jars, the launcher). Its
 * {@code /init} brings up the network and runs {@code imgcast boot client}. A <em>build</em>
 * ({@link io.imgcast.boot.BootBuild}) makes both files from Debian packages fetched with
 * {@code apt-get download}; the <em>build cache</em> ({@link io.imgcast.boot.BootCache}) keeps the
 * downloaded packages and each build's result under the <em>key</em> of its inputs, so a second
 * build with the same inputs only copies. The initramfs is a {@code newc} cpio archive
 * ({@link io.imgcast.boot.CpioWriter}) compressed with zstd.
 */
package io.imgcast.boot;
