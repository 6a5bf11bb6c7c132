package io.imgcast.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Debian's dnsmasq as serve's child process: its command line ({@link #commandLine}, pure), and
 * the process itself: started, its log lines passed on, its death noticed ({@link #failure}),
 * and stopped with serve. It answers DHCP on one interface only ({@code --bind-interfaces
 * --interface=IF}), no DNS ({@code --port=0}), reads no configuration file, and serves by TFTP
 * the two iPXE builds of Debian's {@code ipxe} package. PXE ROMs get {@code undionly.kpxe}
 * (BIOS) or {@code ipxe.efi} (UEFI); iPXE (DHCP option 175) gets the script's URL.
 *
 * <p>Two modes: a full range ({@code --dhcp-range=START,END}) on an isolated network, or, without
 * a range, proxy-DHCP ({@code --dhcp-range=NET,proxy}) beside the site's DHCP server, which keeps
 * handing out the addresses.
 */
public final class Dnsmasq implements AutoCloseable {
    /** Where Debian's {@code dnsmasq-base} puts the binary. */
    public static final Path BINARY = Path.of("/usr/sbin/dnsmasq");
    /** Where Debian's {@code ipxe} package puts {@code undionly.kpxe} and {@code ipxe.efi}. */
    public static final Path IPXE_DIR = Path.of("/usr/lib/ipxe");
    public static final String BIOS_FILE = "undionly.kpxe";
    public static final String UEFI_FILE = "ipxe.efi";
    /** Log lines kept to explain a death. */
    private static final int KEEP_LINES = 20;

    /**
     * What dnsmasq is told: the interface, its IPv4 address and prefix length, the range (both
     * null: proxy-DHCP), the TFTP root, the URL iPXE chains to, and the lease file.
     */
    public record Config(Path binary, String iface, Inet4Address address, int prefix, Inet4Address rangeStart, Inet4Address rangeEnd,
                         Path tftpDir, String scriptUrl, Path leaseFile) {
        public Config {
            if (iface == null || iface.isEmpty() || iface.chars().anyMatch(ch -> ch <= ' ' || ch == ',' || ch == '/')) {
                throw new IllegalArgumentException("'" + iface + "' is not an interface name");
            }
            if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("the interface's prefix /" + prefix + " is not one DHCP can serve");
            if ((rangeStart == null) != (rangeEnd == null)) throw new IllegalArgumentException("a range needs both its start and its end");
            if (rangeStart != null) {
                if (!sameNet(rangeStart, address, prefix) || !sameNet(rangeEnd, address, prefix)) {
                    throw new IllegalArgumentException("the range " + rangeStart.getHostAddress() + "-" + rangeEnd.getHostAddress()
                            + " is not inside " + iface + "'s network " + network(address, prefix).getHostAddress() + "/" + prefix);
                }
                if (Integer.compareUnsigned(toInt(rangeStart), toInt(rangeEnd)) > 0) {
                    throw new IllegalArgumentException("the range's start " + rangeStart.getHostAddress() + " is after its end " + rangeEnd.getHostAddress());
                }
                if (Integer.compareUnsigned(toInt(rangeStart), toInt(address)) <= 0 && Integer.compareUnsigned(toInt(address), toInt(rangeEnd)) <= 0) {
                    throw new IllegalArgumentException("the range " + rangeStart.getHostAddress() + "-" + rangeEnd.getHostAddress()
                            + " holds the server's own address " + address.getHostAddress());
                }
            }
            if (scriptUrl.chars().anyMatch(ch -> ch <= ' ' || ch == ',')) throw new IllegalArgumentException("script URL '" + scriptUrl + "' has a space or comma");
        }

        public boolean proxy() {
            return rangeStart == null;
        }
    }

    /** Parses {@code --dhcp-range START,END} into its two IPv4 addresses. */
    public static Inet4Address[] parseRange(String text) {
        String[] p = text.split(",", -1);
        if (p.length != 2) throw new IllegalArgumentException("--dhcp-range must be START,END (two IPv4 addresses), not '" + text + "'");
        return new Inet4Address[] {ipv4(p[0].trim()), ipv4(p[1].trim())};
    }

    static Inet4Address ipv4(String s) {
        if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        try {
            if (InetAddress.getByName(s) instanceof Inet4Address a) return a;
        } catch (UnknownHostException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
    }

    static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static boolean sameNet(Inet4Address a, Inet4Address b, int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (toInt(a) & mask) == (toInt(b) & mask);
    }

    static Inet4Address network(Inet4Address a, int prefix) {
        int n = toInt(a) & (-1 << (32 - prefix));
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** dnsmasq's command line for {@code c}. */
    public static List<String> commandLine(Config c) {
        List<String> cmd = new ArrayList<>(List.of(c.binary().toString(),
                "--keep-in-foreground", "--log-facility=-", "--log-dhcp",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
                "--port=0", "--bind-interfaces", "--interface=" + c.iface(),
                "--dhcp-leasefile=" + c.leaseFile(),
                "--enable-tftp", "--tftp-root=" + c.tftpDir(),
                "--dhcp-match=set:ipxe,175",
                "--dhcp-match=set:efi64,option:client-arch,7",
                "--dhcp-match=set:efi64,option:client-arch,9"));
        if (c.proxy()) {
            cmd.add("--dhcp-range=" + network(c.address(), c.prefix()).getHostAddress() + ",proxy");
            // a PXE ROM gets a PXE menu of one item (the file to fetch by TFTP); iPXE, which asks again, a menu
            // of one item naming the script's URL. QEMU's iPXE ROM (lab/bare-metal-test.sh --proxy-dhcp) fetches
            // the script only so: given the URL as the proxy offer's boot file alone, it kept asking DHCP.
            cmd.add("--pxe-service=tag:!ipxe,x86PC,imgcast," + BIOS_FILE);
            cmd.add("--pxe-service=tag:!ipxe,X86-64_EFI,imgcast," + UEFI_FILE);
            cmd.add("--pxe-service=tag:!ipxe,BC_EFI,imgcast," + UEFI_FILE);
            cmd.add("--dhcp-boot=tag:ipxe," + c.scriptUrl());
            cmd.add("--pxe-service=tag:ipxe,x86PC,imgcast," + c.scriptUrl());
            cmd.add("--pxe-service=tag:ipxe,X86-64_EFI,imgcast," + c.scriptUrl());
        } else {
            cmd.add("--dhcp-range=" + c.rangeStart().getHostAddress() + "," + c.rangeEnd().getHostAddress() + "," + netmask(c.prefix()) + ",1h");
            cmd.add("--dhcp-authoritative");
            cmd.add("--dhcp-boot=tag:ipxe," + c.scriptUrl());
            cmd.add("--dhcp-boot=tag:!ipxe,tag:efi64," + UEFI_FILE);
            cmd.add("--dhcp-boot=tag:!ipxe,tag:!efi64," + BIOS_FILE);
        }
        return cmd;
    }

    static String netmask(int prefix) {
        int m = -1 << (32 - prefix);
        return (m >>> 24) + "." + (m >>> 16 & 0xff) + "." + (m >>> 8 & 0xff) + "." + (m & 0xff);
    }

    /**
     * What is missing before dnsmasq can start: its binary, the TFTP files; null when nothing.
     * The words name the Debian packages.
     */
    public static String missing(Config c) {
        if (!Files.isExecutable(c.binary())) return c.binary() + " is missing: install Debian's dnsmasq-base (apt-get install dnsmasq-base)";
        for (String f : List.of(BIOS_FILE, UEFI_FILE)) {
            if (!Files.isRegularFile(c.tftpDir().resolve(f))) {
                return c.tftpDir().resolve(f) + " is missing: install Debian's ipxe (apt-get install ipxe), or give --tftp-dir DIR holding "
                        + BIOS_FILE + " and " + UEFI_FILE;
            }
        }
        return null;
    }

    private final Process process;
    private final Thread reader;
    private final Deque<String> last = new ArrayDeque<>();
    private volatile boolean stopping;

    private Dnsmasq(Process process, Consumer<String> log) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("imgcast-dnsmasq-log").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > KEEP_LINES) last.removeFirst();
                    }
                    log.accept("dnsmasq: " + line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    /** Starts dnsmasq for {@code c}, its output (stdout and stderr) line by line to {@code log}. */
    public static Dnsmasq start(Config c, Consumer<String> log) throws IOException {
        String problem = missing(c);
        if (problem != null) throw new IOException(problem);
        Files.createDirectories(c.leaseFile().toAbsolutePath().getParent());
        Process p = new ProcessBuilder(commandLine(c)).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new Dnsmasq(p, log);
    }

    /** Why dnsmasq is gone, with its last lines; null while it runs or after {@link #close} stopped it. */
    public String failure() {
        if (process.isAlive() || stopping) return null;
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail;
        synchronized (last) {
            tail = String.join(" | ", last);
        }
        return "dnsmasq exited with status " + process.exitValue() + (tail.isEmpty() ? "" : ": " + tail);
    }

    public long pid() {
        return process.pid();
    }

    /** Stops dnsmasq: SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
