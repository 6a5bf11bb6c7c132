package io.imgcast.server;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks of issue 17 from a hostile host on the segment (r3, a lab namespace) while two
 * machines (r1, r2) receive: each attack must fail and the legitimate transfers still finish
 * exact. Two sessions: a lab server that admits anyone (the attacker may join, so it tries to
 * steer and stall), and one that admits known machines only with admin-only status (the
 * attacker is a stranger, and also poses as the server).
 */
class HostileLabTest {
    @TempDir static Path work;
    static Path store;
    static Path tree;

    @BeforeAll
    static void image() throws Exception {
        Needs.lab();
        tree = work.resolve("t");
        TreeGen.full(tree, 31, 6 << 20);
        store = work.resolve("store");
        Cli.run("capture", tree, "--name", "t", "--store", store).ok();
    }

    private static List<String> hostile(Object... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", Cli.classPath(), Hostile.class.getName()));
        for (Object a : args) cmd.add(String.valueOf(a));
        return cmd;
    }

    private static Map<String, Object> finish(LabRun run, String log, Process p, Duration timeout) throws Exception {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(log + " did not finish in " + timeout + ":\n" + run.log(log));
        }
        String json = null;
        for (String line : run.log(log).split("\n")) if (line.startsWith("{")) json = line;
        if (json == null) throw new AssertionError(log + " printed no result:\n" + run.log(log));
        return MiniJson.object(json);
    }

    private static long num(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).longValue();
    }

    private static void assertExact(LabRun run, String h, Map<String, Object> r, Path out) {
        assertEquals(0, num(r, "exit"), h + ": " + run.log(h) + "\nserver:\n" + run.log("server"));
        TreeDiff.assertSame(tree, out);
    }

    @Test
    void aMachineOnTheSegmentCannotSteerOrStallTheSession(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("h"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            long tx0 = lab.txBytes("s");
            Process server = run.server(store, "--min-machines", 3, "--wait", 30, "--rate", "200Mbit");
            // the slow connections first: they must not keep anyone else out
            Process slow = lab.start("r3", hostile("slow", run.serverUrl, 40, 25), dir.resolve("slow.log"));
            Process r1 = run.receiver("r1", "t", dir.resolve("out-r1"));
            Process r2 = run.receiver("r2", "t", dir.resolve("out-r2"));
            run.awaitMachines(2, Duration.ofSeconds(60));
            Process greedy = lab.start("r3", hostile("greedy", run.serverUrl, "t", lab.iface("r3"), 40), dir.resolve("greedy.log"));
            Map<String, Object> forge = finish(run, "forge", lab.start("r3", hostile("forge", run.serverUrl, 8), dir.resolve("forge.log")),
                    Duration.ofSeconds(60));
            assertEquals(0, num(forge, "accepted"), "nothing done for a machine without its token: " + forge);
            assertTrue(num(forge, "refused") >= 1, "the machines that exist refuse strangers: " + forge);
            // a stranger taking r1's name joins as another entry; r1 is not pushed off ("rejoined")
            Map<String, Object> names = finish(run, "names", lab.start("r3", hostile("names", run.serverUrl, "t", 300), dir.resolve("names.log")),
                    Duration.ofSeconds(120));
            assertTrue(num(names, "joined") <= Roster.MAX_PER_ADDRESS, "one host cannot fill the list: " + names);
            assertEquals(200, num(names, "status_code"));
            assertTrue(num(names, "status_bytes") < 200_000, "names are cut: " + names);
            Map<String, Object> a = run.result("r1", r1, Duration.ofSeconds(180));
            Map<String, Object> b = run.result("r2", r2, Duration.ofSeconds(180));
            long wire = lab.txBytes("s") - tx0;
            assertExact(run, "r1", a, dir.resolve("out-r1"));
            assertExact(run, "r2", b, dir.resolve("out-r2"));
            long union = num(MiniJson.object(Cli.run("list", "--json", "--store", store).ok().out()), "pack_bytes");
            System.out.printf("hostile session: wire %.2fx the image; greedy %s%n", (double) wire / union, run.log("greedy").trim());
            // one machine reporting every block missing used to multiply the traffic 5.7x
            assertTrue(wire < 2.5 * union, "wire " + wire + " vs image " + union + "; greedy: " + run.log("greedy"));
            Map<String, Object> loris = finish(run, "slow", slow, Duration.ofSeconds(60));
            assertEquals(num(loris, "opened"), num(loris, "closed"), "the server closes connections that send no request: " + loris);
            Map<String, Object> st = run.status();
            for (Object o : (List<?>) st.get("machines")) {
                @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
                assertTrue(((String) m.get("machine")).length() <= Names.MAX_MACHINE, "name cut");
                assertTrue(num(m, "priority") >= Names.MIN_PRIORITY, "priority clamped: " + m.get("priority"));
                if (m.get("machine").equals("r1") || m.get("machine").equals("r2")) assertEquals("done", m.get("state"), st.toString());
            }
            greedy.destroyForcibly().waitFor();
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void strangersGetNothingAndAnImpostorIsRefused(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("k"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            // r1 is known to the server's inventory by its MAC, r2 by the --known list; r3 is a stranger
            NetLab.ExecResult mac = lab.run("r1", Duration.ofSeconds(5), "cat", "/sys/class/net/" + lab.iface("r1") + "/address");
            assertTrue(mac.ok(), mac.stderr());
            Cli.run("hosts", "add", "--mac", mac.stdout().trim(), "--name", "r1", "--image", "t", "--state", dir.resolve("state")).ok();
            Process server = run.server(store, "--admit", "known", "--known", lab.address("r2"),
                    "--status", "admin", "--min-machines", 1, "--wait", 1);
            String fp = awaitFingerprint(run, "server", server);
            // the stranger: no image, no manifest (file names), no status
            Process stranger = run.receiver("r3", "t", dir.resolve("out-r3"), "--timeout", 10);
            Map<String, Object> r3 = run.result("r3", stranger, Duration.ofSeconds(60));
            assertEquals(1, num(r3, "exit"), run.log("r3"));
            assertTrue(String.valueOf(r3.get("error")).contains("not known to the server"), run.log("r3"));
            assertFalse(Files.exists(dir.resolve("out-r3")) && Files.list(dir.resolve("out-r3")).findAny().isPresent(), "nothing written");
            NetLab.ExecResult st = lab.run("r3", Duration.ofSeconds(10), "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", run.serverUrl + "api/v1/status");
            assertEquals("403", st.stdout().trim(), "status needs the admin token");
            NetLab.ExecResult plain = lab.run("r3", Duration.ofSeconds(10), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://" + lab.address("s") + ":8470/api/v1/status");
            assertFalse(plain.stdout().trim().startsWith("2"), "no plain HTTP on the control port: " + plain);
            // the impostor: a server of its own on r3; a receiver pinned to the real key refuses it
            Path fake = dir.resolve("fake-store");
            Cli.run("capture", tree, "--name", "t", "--store", fake).ok();
            Process impostor = lab.start("r3", LabRun.imgcast("serve", "--store", fake, "--state", dir.resolve("impostor-state"),
                    "--interface", lab.iface("r3"), "--listen",
                    lab.address("r3") + ":8470", "--exit-after-idle", 5), dir.resolve("impostor.log"));
            awaitFingerprint(run, "impostor", impostor);
            Process fooled = lab.start("r2", LabRun.imgcast("receive", "--server", "https://" + lab.address("r3") + ":8470/", "--image", "t",
                    "--target", dir.resolve("out-fooled"), "--interface", lab.iface("r2"), "--machine", "r2", "--server-key", fp.substring(0, 16),
                    "--timeout", 10, "--json"), dir.resolve("fooled.log"));
            Map<String, Object> f = run.result("fooled", fooled, Duration.ofSeconds(60));
            assertEquals(6, num(f, "exit"), run.log("fooled"));
            assertFalse(Files.exists(dir.resolve("out-fooled")) && Files.list(dir.resolve("out-fooled")).findAny().isPresent(), "nothing written");
            impostor.destroyForcibly().waitFor();
            // the known machines (by the inventory, by --known), pinned by the printed fingerprint, receive exact
            Process r1 = run.receiver("r1", "t", dir.resolve("out-r1"), "--server-key", fp);
            Process r2 = run.receiver("r2", "t", dir.resolve("out-r2"), "--server-key", fp);
            assertExact(run, "r1", run.result("r1", r1, Duration.ofSeconds(120)), dir.resolve("out-r1"));
            assertExact(run, "r2", run.result("r2", r2, Duration.ofSeconds(120)), dir.resolve("out-r2"));
            server.destroyForcibly().waitFor();
        }
    }

    /** The {@code fingerprint: <64 hex>} line the server prints on its own. */
    private static String awaitFingerprint(LabRun run, String log, Process server) throws Exception {
        Pattern p = Pattern.compile("(?m)^fingerprint: ([0-9a-f]{64})$");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Matcher m = p.matcher(run.log(log));
            if (m.find()) return m.group(1);
            assertTrue(server.isAlive(), log + " ended:\n" + run.log(log));
            Thread.sleep(100);
        }
        throw new AssertionError("no fingerprint line:\n" + run.log(log));
    }
}
