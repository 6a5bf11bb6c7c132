package io.imgcast.boot;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code imgcast boot client} as a network-booted machine runs it, in the lab's receiver
 * namespace (its veth's MAC on the kernel line) against {@code serve} in the server's namespace.
 * The machine's disk is a loop device behind a fake /sys ({@code IMGCAST_SYS_ROOT}). One after
 * another: it receives its image; a host assigned to a missing image and a disk smaller than its
 * image fail with the reason on the client and the server, the disk untouched; a capture task puts
 * the disk into the server's store; an unknown machine is told the server ignores it, and with the
 * menu registers itself; a server that is gone is a clear failure.
 */
class BootClientLabTest {
    @TempDir Path dir;

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The boot client in r1 with the kernel line {@code cmdline}; its exit status, its log in {@code log}. */
    private static int client(LabRun run, Path sysRoot, Path cmdline, String log, String input) throws Exception {
        Process p = startClient(run, sysRoot, cmdline, log, input);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "boot client " + log + " still runs: " + run.log(log));
        return p.exitValue();
    }

    private static Process startClient(LabRun run, Path sysRoot, Path cmdline, String log, String input) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "IMGCAST_SYS_ROOT=" + sysRoot, "IMGCAST_NO_PROGRESS=1"));
        cmd.addAll(LabRun.imgcast("boot", "client", "--cmdline", cmdline, "--no-then", "--timeout", "10"));
        Process p;
        if (input != null) {
            p = run.lab.startWithInput("r1", cmd, run.dir.resolve(log + ".log"));
            try (OutputStream o = p.getOutputStream()) {
                o.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            p = run.lab.start("r1", cmd, run.dir.resolve(log + ".log"));
        }
        return p;
    }

    /** serve in the lab's server namespace until stopped; its fingerprint. */
    private static String serve(LabRun run, Path store, Path state, String log, String rate) throws InterruptedException {
        Process server = run.lab.start("s", LabRun.imgcast("serve", "--store", store, "--state", state, "--interface", run.lab.iface("s"),
                "--listen", run.lab.address("s") + ":8470", "--rate", rate), run.dir.resolve(log + ".log"));
        Matcher fp = Pattern.compile("fingerprint: ([0-9a-f]{64})").matcher("");
        for (int i = 0; i < 600 && server.isAlive() && !fp.reset(run.log(log)).find(); i++) Thread.sleep(100);
        assertTrue(fp.reset(run.log(log)).find(), run.log(log));
        servers.add(server);
        return fp.group(1);
    }

    private static final List<Process> servers = new ArrayList<>();

    /** An imgcast command in the server's namespace, through the running server. */
    private static String cli(LabRun run, Object... args) {
        List<String> cmd = LabRun.imgcast(args);
        NetLab.ExecResult r = run.lab.run("s", Duration.ofSeconds(60), cmd.toArray(String[]::new));
        assertTrue(r.ok(), cmd + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }

    @Test
    void receiveFailCaptureAndTheMenu() throws Exception {
        Needs.lab();
        Needs.tools("losetup");
        Path store = dir.resolve("store");
        byte[] imageA = random(4 << 20, 1);
        Files.write(dir.resolve("a.img"), imageA);
        Cli.run("capture", dir.resolve("a.img"), "--volume", "--name", "disk-a", "--store", store).ok();
        Files.write(dir.resolve("big.img"), random(12 << 20, 2));
        Cli.run("capture", dir.resolve("big.img"), "--volume", "--name", "big", "--store", store).ok();
        Files.write(dir.resolve("big-enough.img"), random(6 << 20, 4));
        Cli.run("capture", dir.resolve("big-enough.img"), "--volume", "--name", "big-enough", "--store", store).ok();
        // the machine's disk: an 8 MiB loop device, seen through a fake /sys as vda
        Path backing = dir.resolve("vda.backing");
        byte[] before = random(8 << 20, 3);
        Files.write(backing, before);
        String loop = Sh.run("losetup", "-f", "--show", backing.toString()).ok().out().trim();
        Path root = dir.resolve("root");
        try {
            Path d = Files.createDirectories(root.resolve("sys/block/vda"));
            Files.writeString(d.resolve("size"), ((8 << 20) / 512) + "\n");
            Files.writeString(d.resolve("removable"), "0\n");
            Files.createDirectories(root.resolve("dev/disk/by-path"));
            Files.createSymbolicLink(root.resolve("dev/disk/by-path/pci-0000:00:04.0"), Path.of("../../vda"));
            Files.createSymbolicLink(root.resolve("dev/vda"), Path.of(loop));
            Path state = dir.resolve("state");
            try (NetLab lab = NetLab.up(NetLab.uniqueName("bc"), 1, NetLab.Options.defaults())) {
                LabRun run = new LabRun(lab, dir);
                String mac = lab.run("r1", Duration.ofSeconds(5), "cat", "/sys/class/net/" + lab.iface("r1") + "/address").stdout().trim();
                Cli.run("hosts", "add", "--mac", mac, "--name", "pc1", "--image", "disk-a", "--then", "reboot", "--state", state).ok();
                // serving until stopped (no --exit-after-idle: the steps below come after the first machine finished)
                Process server = lab.start("s", LabRun.imgcast("serve", "--store", store, "--state", state, "--interface", lab.iface("s"),
                        "--listen", lab.address("s") + ":8470"), dir.resolve("server.log"));
                Matcher fp = Pattern.compile("fingerprint: ([0-9a-f]{64})").matcher("");
                for (int i = 0; i < 600 && server.isAlive() && !(fp = fp.reset(run.log("server"))).find(); i++) Thread.sleep(100);
                assertTrue(fp.reset(run.log("server")).find(), run.log("server"));
                Path cmdline = dir.resolve("cmdline");
                Files.writeString(cmdline, "BOOT_IMAGE=vmlinuz initrd=initrd.img imgcast.server=https://" + lab.address("s") + ":8470 imgcast.fp="
                        + fp.group(1) + " imgcast.mac=" + mac + " console=ttyS0,115200\n");

                // 1: it receives its image onto the disk its rule picks, and names its 'then'
                assertEquals(0, client(run, root, cmdline, "receive", null), run.log("receive"));
                assertTrue(run.log("receive").contains("then: reboot"), run.log("receive"));
                byte[] disk = Files.readAllBytes(backing);
                assertArrayEquals(imageA, Arrays.copyOf(disk, imageA.length), "the disk holds its image");

                // 2: a host assigned to an image the store does not have
                cli(run, "hosts", "add", "--mac", mac, "--name", "pc1", "--image", "nope", "--state", state);
                assertNotEquals(0, client(run, root, cmdline, "missing", null), run.log("missing"));
                assertTrue(run.log("missing").contains("network boot failed") && run.log("missing").contains("nope"), run.log("missing"));
                assertTrue(run.log("server").contains("network boot of host 'pc1' (" + mac + ") failed"), run.log("server"));

                // 3: a disk smaller than its image: refused, nothing written
                byte[] held = Files.readAllBytes(backing);
                cli(run, "hosts", "add", "--mac", mac, "--name", "pc1", "--image", "big", "--fresh", "--state", state);
                assertNotEquals(0, client(run, root, cmdline, "small", null), run.log("small"));
                assertTrue(run.log("small").contains("needs"), "the sizes are named: " + run.log("small"));
                assertArrayEquals(held, Files.readAllBytes(backing), "nothing was written to a disk that cannot take the image");

                // 4: a capture task: the disk goes into the server's store, checked chunk by chunk
                cli(run, "hosts", "add", "--mac", mac, "--name", "pc1", "--task", "capture cap-1", "--state", state);
                assertEquals(0, client(run, root, cmdline, "capture", null), run.log("capture"));
                assertTrue(run.log("capture").contains("as image cap-1"), run.log("capture"));
                Path back = dir.resolve("cap-1.img");
                Cli.run("apply", "cap-1", back, "--store", store).ok();
                assertArrayEquals(held, Files.readAllBytes(back), "the captured image equals its disk");
                assertTrue(cli(run, "hosts", "list", "--state", state).contains("pc1"));

                // 5: unknown, and the server ignores unknown machines
                cli(run, "hosts", "remove", "pc1", "--state", state);
                assertEquals(0, client(run, root, cmdline, "unknown", null), run.log("unknown"));
                assertTrue(run.log("unknown").contains("does not serve this machine"), run.log("unknown"));

                // 6: with the menu, it captures its disk under a name typed on its console, then registers itself
                cli(run, "hosts", "default", "menu", "--state", state);
                assertEquals(0, client(run, root, cmdline, "menu-capture", "3\nmenu-cap\n"), run.log("menu-capture"));
                assertTrue(run.log("menu-capture").contains("as image menu-cap"), run.log("menu-capture"));
                assertTrue(cli(run, "list", "--store", store).contains("menu-cap"));
                assertEquals(0, client(run, root, cmdline, "menu", "7\n1\nnew-pc\n"), run.log("menu"));
                assertTrue(run.log("menu").contains("'7' is not one of") && run.log("menu").contains("registered as host 'new-pc'"), run.log("menu"));
                assertTrue(cli(run, "hosts", "list", "--state", state).contains("new-pc"));

                // 7: the server is gone
                server.destroy();
                assertTrue(server.waitFor(30, TimeUnit.SECONDS));
                assertNotEquals(0, client(run, root, cmdline, "gone", null), run.log("gone"));
                assertTrue(run.log("gone").contains("network boot failed") && run.log("gone").contains("could not tell the server"), run.log("gone"));

                // 8: the server vanishes while the machine receives: a clear failure, not a hang
                Cli.run("hosts", "add", "--mac", mac, "--name", "pc1", "--image", "big-enough", "--state", state).ok();
                serve(run, store, state, "slow", "2Mbit");
                Process mid = startClient(run, root, cmdline, "midway", null);
                // serve logs one line per event: "joined pc1 ..." once the machine is in (6 MiB at 2 Mbit/s then take ~25 s)
                for (int i = 0; i < 600 && mid.isAlive() && !run.log("slow").contains("joined pc1"); i++) Thread.sleep(100);
                assertTrue(run.log("slow").contains("joined pc1"), "the machine is receiving: " + run.log("slow") + run.log("midway"));
                Process slow = servers.removeLast();
                slow.destroy();
                assertTrue(slow.waitFor(30, TimeUnit.SECONDS));
                assertTrue(mid.waitFor(120, TimeUnit.SECONDS), run.log("midway"));
                assertNotEquals(0, mid.exitValue(), run.log("midway"));
                assertTrue(run.log("midway").contains("network boot failed") && run.log("midway").contains("could not tell the server"),
                        run.log("midway"));
            }
        } finally {
            Sh.run("losetup", "-d", loop);
        }
    }
}
