package io.imgcast.boot;

import io.imgcast.state.Mac;

import java.util.regex.Pattern;

/**
 * The iPXE scripts the boot listener hands out: boot the imgcast kernel for a machine with
 * something to do, {@code exit} (boot the local disk) for one without, and the chain that a
 * request without a MAC gets (the DHCP server's boot file name cannot carry iPXE's
 * {@code ${net0/mac}}). The kernel line carries only public facts: the control URL, the server's
 * key fingerprint and the MAC.
 */
public final class IpxeScript {
    private IpxeScript() {}

    /** The console settings on every kernel line: the screen and the first serial port. */
    public static final String CONSOLE = "console=tty0 console=ttyS0,115200";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    /**
     * Where a booted machine finds the server: {@code boot} the plain-HTTP base of the boot files
     * ({@code http://IP:8480}), {@code control} the control API ({@code https://IP:8470}, or
     * {@code http://} with {@code insecure}), {@code fingerprint} the server key's 64 hex digits
     * (null only with {@code insecure}).
     */
    public record Server(String boot, String control, String fingerprint, boolean insecure) {
        public Server {
            boot = strip(boot);
            control = strip(control);
            if (!boot.startsWith("http://")) throw new IllegalArgumentException("the boot files' URL must be plain http://, not " + boot);
            if (insecure != control.startsWith("http://") || !(control.startsWith("http://") || control.startsWith("https://"))) {
                throw new IllegalArgumentException("the control URL " + control + (insecure ? " must be http:// with --insecure-http" : " must be https://"));
            }
            if (fingerprint != null && !FINGERPRINT.matcher(fingerprint).matches()) {
                throw new IllegalArgumentException("the fingerprint must be 64 lower-case hex digits, not '" + fingerprint + "'");
            }
            if (fingerprint == null && !insecure) throw new IllegalArgumentException("a TLS server needs its fingerprint on the kernel line");
            for (String s : new String[] {boot, control}) {
                if (s.chars().anyMatch(ch -> ch <= ' ' || ch == '$' || ch == '"' || ch == '\\' || ch >= 0x7f)) {
                    throw new IllegalArgumentException("URL '" + s + "' has characters that do not belong on a kernel line");
                }
            }
        }

        private static String strip(String url) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
    }

    /** The kernel line for the machine with {@code mac} (the contract with the boot environment's init). */
    public static String kernelLine(Server s, String mac) {
        String m = Mac.normalize(mac);
        StringBuilder sb = new StringBuilder("initrd=initrd.img imgcast.server=").append(s.control());
        if (s.fingerprint() != null) sb.append(" imgcast.fp=").append(s.fingerprint());
        sb.append(" imgcast.mac=").append(m);
        if (s.insecure()) sb.append(" imgcast.insecure=1");
        return sb.append(' ').append(CONSOLE).toString();
    }

    /** Boot the imgcast kernel and initramfs; {@code why} is echoed on the machine's console. */
    public static String boot(Server s, String mac, String why) {
        return "#!ipxe\n"
                + "echo imgcast: " + printable(why) + "\n"
                + "kernel " + s.boot() + "/boot/vmlinuz " + kernelLine(s, mac) + "\n"
                + "initrd " + s.boot() + "/boot/initrd.img\n"
                + "boot\n";
    }

    /** Nothing to do: say why, and leave iPXE so that the firmware boots the next device (the local disk). */
    public static String local(String why) {
        return "#!ipxe\n"
                + "echo imgcast: " + printable(why) + "; booting the local disk\n"
                + "exit\n";
    }

    /** The script for a request that names no MAC: ask again with the MAC of the NIC iPXE booted from. */
    public static String chain(Server s) {
        return "#!ipxe\n"
                + "chain " + s.boot() + "/boot.ipxe?mac=${net0/mac}\n";
    }

    /**
     * {@code text} fit for an iPXE {@code echo}: one line of printable ASCII without iPXE's
     * expansion ({@code $}) or quoting characters, at most 200 characters.
     */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder();
        for (char ch : String.valueOf(text).toCharArray()) {
            if (sb.length() >= 200) break;
            sb.append(ch >= ' ' && ch < 0x7f && ch != '$' && ch != '\\' && ch != '"' && ch != '#' ? ch : '_');
        }
        return sb.toString();
    }
}
