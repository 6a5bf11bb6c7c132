package io.imgcast.testutil;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Guards of tests that need root or tools from Debian packages. The rule: as root, a missing
 * tool is a failure that names the package and the command that installs it (the README's test
 * command installs everything as root, so a missing tool there is a defect of the setup, not a
 * reason to pass quietly); without root, such a test is skipped, and {@link SkipSummary} counts
 * the skips and their reasons at the end of the run.
 *
 * <p>Skip reasons start with one of the fixed {@code REASON_*} prefixes, so that the summary can
 * group them.
 */
public final class Needs {
    private Needs() {}

    /** Prefix of the skip reason of a test that needs root. */
    public static final String REASON_ROOT = "needs root";
    /** Prefix of the skip reason of a test whose tools are missing on a machine where we are not root. */
    public static final String REASON_TOOLS = "not root, and tools are missing";

    /** How to install what a test needs. */
    public static final String SETUP = "run 'sudo scripts/setup-system.sh' (the README's test command does it when run as root)";

    /** Debian package of each external command the tests call (keep in step with scripts/setup-system.sh). */
    static final Map<String, String> PACKAGE_OF = Map.ofEntries(
            Map.entry("setfattr", "attr"), Map.entry("getfattr", "attr"),
            Map.entry("setcap", "libcap2-bin"), Map.entry("getcap", "libcap2-bin"),
            Map.entry("sfdisk", "fdisk"),
            Map.entry("mkfs.ext4", "e2fsprogs"), Map.entry("e2fsck", "e2fsprogs"), Map.entry("dumpe2fs", "e2fsprogs"),
            Map.entry("losetup", "mount"), Map.entry("mount", "mount"), Map.entry("umount", "mount"),
            Map.entry("ip", "iproute2"), Map.entry("tc", "iproute2"),
            Map.entry("nft", "nftables"),
            Map.entry("sysctl", "procps"),
            Map.entry("curl", "curl"),
            Map.entry("zstd", "zstd"),
            Map.entry("cmp", "diffutils"), Map.entry("script", "bsdutils"), Map.entry("kill", "procps"),
            Map.entry("udp-sender", "udpcast"), Map.entry("udp-receiver", "udpcast"),
            Map.entry("chromium", "chromium"), Map.entry("chromedriver", "chromium-driver"),
            Map.entry("cpio", "cpio"), Map.entry("qemu-system-x86_64", "qemu-system-x86"), Map.entry("dnsmasq", "dnsmasq-base"),
            Map.entry("mcopy", "mtools"), Map.entry("syslinux", "syslinux"), Map.entry("grub-mkstandalone", "grub-efi-amd64-bin"),
            Map.entry("dpkg-deb", "dpkg"), Map.entry("apt-get", "apt"), Map.entry("busybox", "busybox-static"));

    private static final boolean ROOT = readRoot();

    /** True when the effective user id is 0. */
    public static boolean isRoot() {
        return ROOT;
    }

    /** Skips the calling test (or class) unless we are root; {@code what} says why root is needed. */
    public static void root(String what) {
        Assumptions.assumeTrue(ROOT, () -> REASON_ROOT + " (" + what + "): run the tests as root");
    }

    /**
     * Checks that each command is on the PATH (or in /usr/sbin, /sbin): as root a missing one fails
     * the test with the package to install; without root the test is skipped.
     */
    public static void tools(String... commands) {
        List<String> missing = new ArrayList<>();
        for (String c : commands) if (find(c) == null) missing.add(c);
        if (!missing.isEmpty()) missing(missing);
    }

    /** A command a test tried to run was not found: fails as root, skips otherwise (see the class comment). */
    public static void missing(List<String> commands) {
        Map<String, String> byPackage = new LinkedHashMap<>();
        for (String c : commands) byPackage.merge(PACKAGE_OF.getOrDefault(c, "?"), c, (a, b) -> a + ", " + b);
        StringBuilder msg = new StringBuilder();
        byPackage.forEach((pkg, cmds) -> {
            if (!msg.isEmpty()) msg.append("; ");
            msg.append("missing ").append(cmds).append(pkg.equals("?") ? "" : " (Debian package " + pkg + ")");
        });
        msg.append(": ").append(SETUP);
        if (ROOT) Assertions.fail(msg.toString());
        Assumptions.abort(REASON_TOOLS + ": " + msg);
    }

    /** A native library a test needs (e.g. ISA-L): fails as root when absent, skips otherwise. */
    public static void library(boolean available, String pkg, String detail) {
        if (available) return;
        String msg = "missing the library of Debian package " + pkg + " (" + detail + "): " + SETUP;
        if (ROOT) Assertions.fail(msg);
        Assumptions.abort(REASON_TOOLS + ": " + msg);
    }

    /** The network lab: root, ip, tc, nft, sysctl (lab/lab.sh), curl (tests poll the server's status). */
    public static void lab() {
        root("network namespaces for the lab");
        tools("ip", "tc", "nft", "sysctl", "curl");
    }

    /** The executable {@code command} on the PATH or in the sbin directories, or null. */
    public static Path find(String command) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, command);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p;
        }
        return null;
    }

    private static boolean readRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
