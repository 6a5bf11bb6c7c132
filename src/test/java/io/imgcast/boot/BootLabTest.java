package io.imgcast.boot;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve --boot --dhcp-range} in the lab's server namespace, and a machine in another
 * namespace doing what a PXE ROM and then iPXE do: DHCP (busybox udhcpc, once as a PXE ROM and
 * once announcing iPXE's option 175), TFTP of {@code undionly.kpxe}, and HTTP of its script. The
 * dnsmasq runs only in the lab's server namespace, bound to its lab interface.
 */
class BootLabTest {
    @TempDir Path dir;

    /** One DHCP exchange on {@code host}: the lease's variables (ip, siaddr, boot_file) as udhcpc's script sees them. */
    private static Map<String, String> dhcp(NetLab lab, String host, Path script, boolean ipxe) {
        List<String> cmd = new java.util.ArrayList<>(List.of("busybox", "udhcpc", "-i", lab.iface(host), "-f", "-q", "-n", "-t", "5", "-T", "2",
                "-s", script.toString()));
        if (ipxe) cmd.addAll(List.of("-x", "0xaf:01"));
        NetLab.ExecResult r = lab.run(host, Duration.ofSeconds(30), cmd.toArray(String[]::new));
        assertTrue(r.ok(), "udhcpc: " + r.stdout() + r.stderr());
        Map<String, String> lease = new LinkedHashMap<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.startsWith("LEASE ")) continue;
            for (String kv : line.substring(6).split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) lease.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        assertFalse(lease.isEmpty(), "no lease: " + r.stdout() + r.stderr());
        return lease;
    }

    private static String curl(NetLab lab, String host, String url) {
        NetLab.ExecResult r = lab.run(host, Duration.ofSeconds(20), "curl", "-sS", "--fail", "--max-time", "15", url);
        assertTrue(r.ok(), "curl " + url + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }

    @Test
    void aMachineGetsAnAddressTheBootLoaderAndItsScript() throws Exception {
        Needs.lab();
        Needs.tools("dnsmasq", "busybox");
        Path tree = dir.resolve("tree");
        TreeGen.plain(tree, 5, 1 << 20);
        Path store = dir.resolve("store");
        Cli.run("capture", tree, "--name", "base", "--store", store).ok();
        Path state = dir.resolve("state");
        Path bootDir = dir.resolve("bootfiles");
        Files.createDirectories(bootDir);
        Files.writeString(bootDir.resolve("vmlinuz"), "not a kernel");
        Files.writeString(bootDir.resolve("initrd.img"), "not an initramfs");
        Path script = dir.resolve("lease.sh");
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE ip=$ip siaddr=$siaddr boot_file=$boot_file\"\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (NetLab lab = NetLab.up(NetLab.uniqueName("boot"), 1, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            String mac = lab.run("r1", Duration.ofSeconds(5), "cat", "/sys/class/net/" + lab.iface("r1") + "/address").stdout().trim();
            Cli.run("hosts", "add", "--mac", mac, "--name", "pc1", "--task", "capture gold", "--state", state).ok();
            String s = lab.address("s");
            String net = s.substring(0, s.lastIndexOf('.'));
            Process server = run.server(store, "--state", state, "--boot", "--boot-dir", bootDir, "--boot-listen", s + ":8480",
                    "--dhcp-range", net + ".200," + net + ".220");
            try {
                for (int i = 0; i < 100 && !run.log("server").contains("dnsmasq-tftp") && !run.log("server").contains("started, version"); i++) {
                    Thread.sleep(100);
                }
                assertTrue(server.isAlive(), run.log("server"));
                // a PXE ROM: an address in the range and the BIOS build of iPXE to fetch over TFTP
                Map<String, String> pxe = dhcp(lab, "r1", script, false);
                String ip = pxe.get("ip");
                int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
                assertTrue(ip.startsWith(net + ".") && last >= 200 && last <= 220, "address in the range: " + pxe);
                assertEquals("undionly.kpxe", pxe.get("boot_file"), pxe.toString());
                assertEquals(s, pxe.get("siaddr"), pxe.toString());
                Path got = dir.resolve("undionly.kpxe");
                NetLab.ExecResult t = lab.run("r1", Duration.ofSeconds(30), "busybox", "tftp", "-g", "-r", "undionly.kpxe", "-l", got.toString(), s);
                assertTrue(t.ok(), "tftp: " + t.stdout() + t.stderr() + run.log("server"));
                assertArrayEquals(Files.readAllBytes(Path.of("/usr/lib/ipxe/undionly.kpxe")), Files.readAllBytes(got));
                // iPXE: the script's URL, which chains to itself with the MAC
                Map<String, String> ipxe = dhcp(lab, "r1", script, true);
                String url = ipxe.get("boot_file");
                assertEquals("http://" + s + ":8480/boot.ipxe", url, ipxe.toString());
                assertEquals("#!ipxe\nchain " + url + "?mac=${net0/mac}\n", curl(lab, "r1", url));
                String mine = curl(lab, "r1", url + "?mac=" + mac);
                assertTrue(mine.contains("kernel http://" + s + ":8480/boot/vmlinuz initrd=initrd.img imgcast.server=https://" + s + ":8470 imgcast.fp=")
                        && mine.contains(" imgcast.mac=" + mac + " "), "a capture task boots imgcast: " + mine);
                assertFalse(mine.contains("token"), "no secret on the kernel line: " + mine);
                String other = curl(lab, "r1", url + "?mac=52:54:00:99:99:99");
                assertTrue(other.endsWith("exit\n") && !other.contains("kernel"), "an unknown machine boots its disk: " + other);
                assertEquals("not an initramfs", curl(lab, "r1", "http://" + s + ":8480/boot/initrd.img"));
            } finally {
                server.destroy();
                assertTrue(server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "serve stops on SIGTERM");
            }
            // dnsmasq went with serve
            java.util.regex.Matcher pid = java.util.regex.Pattern.compile("dnsmasq (\\d+) on ").matcher(run.log("server"));
            assertTrue(pid.find(), run.log("server"));
            assertFalse(Files.exists(Path.of("/proc", pid.group(1), "cmdline"))
                    && Files.readString(Path.of("/proc", pid.group(1), "cmdline")).contains("dnsmasq"), "dnsmasq left running: " + pid.group(1));
            assertTrue(run.log("server").contains("dnsmasq: "), "dnsmasq's log lines are in serve's: " + run.log("server"));
        }
    }
}
