package io.imgcast.server;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.Needs;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hosts, groups and sessions with real machines: receivers in network namespaces run
 * {@code receive --auto}, asking the server by their veth's MAC what to do.
 */
class SessionLabTest {
    @TempDir static Path work;
    static Path store;
    static Path treeA;
    static Path treeB;

    @BeforeAll
    static void images() {
        Needs.lab();
        treeA = work.resolve("a");
        treeB = work.resolve("b");
        TreeGen.plain(treeA, 31, 6 << 20);
        TreeGen.copy(treeA, treeB);
        TreeGen.nextEdition(treeB, 32);
        TreeGen.randomFile(treeB.resolve("only-in-b.bin"), 2 << 20, 33);
        store = work.resolve("store");
        Cli.run("capture", treeA, "--name", "a", "--store", store).ok();
        Cli.run("capture", treeB, "--name", "b", "--store", store).ok();
    }

    private static long stored(String name) {
        return ((Number) MiniJson.object(Cli.run("info", name, "--json", "--store", store).ok().out()).get("stored_bytes")).longValue();
    }

    private static String mac(NetLab lab, String host) {
        NetLab.ExecResult r = lab.run(host, Duration.ofSeconds(5), "cat", "/sys/class/net/" + lab.iface(host) + "/address");
        assertTrue(r.ok(), r.stderr());
        return r.stdout().trim();
    }

    private static Process server(LabRun run, Path state) {
        return run.lab.start("s", LabRun.imgcast("serve", "--store", store, "--state", state, "--interface", run.lab.iface("s"), "--listen",
                run.lab.address("s") + ":8470", "--exit-after-idle", "60", "--rate", "200Mbit"), run.dir.resolve("server.log"));
    }

    private static Process auto(LabRun run, String host, Object... extra) {
        return autoLogged(run, host, host, extra);
    }

    /** {@code receive --auto} on {@code host}, its output in {@code log}.log. */
    private static Process autoLogged(LabRun run, String host, String log, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("receive", "--server", run.serverUrl, "--auto", "--target", run.dir.resolve("out-" + host),
                "--interface", run.lab.iface(host), "--json"));
        a.addAll(List.of(extra));
        if (!a.contains("--timeout")) a.addAll(List.of("--timeout", "60"));
        return run.lab.start(host, LabRun.imgcast(a.toArray()), run.dir.resolve(log + ".log"));
    }

    /** An imgcast command in the server's namespace (the CLI finds the server through the state's server.url). */
    private static String cli(LabRun run, Object... args) {
        List<String> cmd = LabRun.imgcast(args);
        NetLab.ExecResult r = run.lab.run("s", Duration.ofSeconds(60), cmd.toArray(String[]::new));
        assertTrue(r.ok(), cmd + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }

    private static void awaitUrl(Path state, LabRun run) throws InterruptedException {
        for (int i = 0; i < 300 && !Files.exists(state.resolve("server.url")); i++) Thread.sleep(100);
        assertTrue(Files.exists(state.resolve("server.url")), run.log("server"));
    }

    @Test
    void twoGroupsWithDifferentImagesStartedTogetherFormOneSession(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        try (NetLab lab = NetLab.up(NetLab.uniqueName("g"), 4, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            // the server is stopped: the CLI writes the state
            Cli.run("groups", "add", "g1", "--image", "a", "--expect", "2", "--state", state).ok();
            Cli.run("groups", "add", "g2", "--image", "b", "--expect", "2", "--state", state).ok();
            for (int i = 1; i <= 4; i++) {
                Cli.run("hosts", "add", "--mac", mac(lab, "r" + i), "--name", "r" + i, "--group", i <= 2 ? "g1" : "g2", "--then", "reboot",
                        "--state", state).ok();
            }
            long tx0 = lab.txBytes("s");
            Process server = server(run, state);
            awaitUrl(state, run);
            Map<String, Object> session = MiniJson.object(cli(run, "sessions", "start", "g1", "g2", "--json", "--state", state));
            assertEquals("waiting", session.get("state"));
            List<Process> ps = new ArrayList<>();
            for (int i = 1; i <= 3; i++) ps.add(auto(run, "r" + i));
            run.awaitMachines(3, Duration.ofSeconds(60));
            // group g2 expects two machines and has one: the session holds the data (no timing: it cannot start before r4)
            assertEquals(Boolean.FALSE, run.status().get("started"), "data waits for every group of the session");
            ps.add(auto(run, "r4"));
            for (int i = 1; i <= 4; i++) {
                String h = "r" + i;
                Map<String, Object> r = run.result(h, ps.get(i - 1), Duration.ofSeconds(150));
                assertEquals(0, ((Number) r.get("exit")).intValue(), h + ": " + run.log(h));
                assertEquals("image", r.get("action"));
                assertEquals(mac(lab, h), r.get("mac"));
                assertEquals(i <= 2 ? "a" : "b", r.get("image"), "each group's image");
                assertTrue(run.log(h).contains("then: reboot (would run 'systemctl reboot'"), run.log(h));
                TreeDiff.assertSame(i <= 2 ? treeA : treeB, dir.resolve("out-" + h));
            }
            long wire = lab.txBytes("s") - tx0;
            long union = ((Number) MiniJson.object(Cli.run("list", "--json", "--store", store).ok().out()).get("pack_bytes")).longValue();
            long a = stored("a");
            long b = stored("b");
            Object streams = run.status().get("streams");
            System.out.printf("two groups, one session: wire %d, union %d, images %d + %d; %s%n", wire, union, a, b, streams);
            // one session: the data a and b share crossed the wire once, not once per group
            assertTrue(wire < 0.75 * (a + b), "wire " + wire + " vs the images' sum " + (a + b) + ": shared data went more than once");
            assertTrue(wire < 1.5 * union, "wire " + wire + " vs the deduplicated union " + union + " (images " + a + " + " + b + "): " + streams);
            String shown = cli(run, "sessions", "show", String.valueOf(((Number) session.get("id")).longValue()), "--json", "--state", state);
            Map<String, Object> s = MiniJson.object(shown);
            List<?> machines = (List<?>) s.get("machines");
            assertEquals(4, machines.size(), shown);
            for (Object m : machines) assertEquals("done", ((Map<?, ?>) m).get("state"), shown);
            server.destroy();
            server.waitFor();
        }
        // the results stay in the state after the server is gone
        Map<String, Object> after = MiniJson.object(Cli.run("sessions", "list", "--json", "--state", state).ok().out());
        assertEquals("ended", ((Map<?, ?>) ((List<?>) after.get("sessions")).getFirst()).get("state"));
    }

    @Test
    void waitStopAndCancel(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        try (NetLab lab = NetLab.up(NetLab.uniqueName("c"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            Cli.run("groups", "add", "gw", "--image", "a", "--expect", "5", "--wait", "8", "--state", state).ok();
            Cli.run("groups", "add", "gc", "--image", "b", "--expect", "2", "--state", state).ok();
            Cli.run("hosts", "add", "--mac", mac(lab, "r1"), "--name", "r1", "--group", "gw", "--state", state).ok();
            Cli.run("hosts", "add", "--mac", mac(lab, "r3"), "--name", "r3", "--group", "gw", "--state", state).ok();
            Cli.run("hosts", "add", "--mac", mac(lab, "r2"), "--name", "r2", "--group", "gc", "--state", state).ok();
            Process server = server(run, state);
            awaitUrl(state, run);

            // --wait: one of five expected machines, and the session starts after its wait; the
            // receiver's stall timeout is shorter than the wait: data held on purpose is no stall
            cli(run, "sessions", "start", "gw", "--state", state);
            Map<String, Object> r1 = run.result("r1", auto(run, "r1", "--timeout", "3"), Duration.ofSeconds(120));
            assertEquals(0, ((Number) r1.get("exit")).intValue(), run.log("r1"));
            TreeDiff.assertSame(treeA, dir.resolve("out-r1"));

            // stop: a machine of the group that comes now is not admitted
            assertTrue(cli(run, "sessions", "stop", "1", "--state", state).contains("[stopped]"));
            Map<String, Object> r3 = run.result("r3", auto(run, "r3", "--timeout", "4", "--session-wait", "3"), Duration.ofSeconds(60));
            assertEquals(1, ((Number) r3.get("exit")).intValue(), run.log("r3"));
            assertTrue(String.valueOf(r3.get("error")).contains("admits no one new"), run.log("r3"));
            assertFalse(Files.exists(dir.resolve("out-r3").resolve("only-in-b.bin")));

            // a machine that comes while its group has no admitting session waits for one, longer than its stall timeout
            Process early = autoLogged(run, "r3", "r3-early", "--timeout", "3");
            for (int i = 0; i < 600 && !run.log("r3-early").contains("admits no one new; waiting"); i++) Thread.sleep(100);
            assertTrue(run.log("r3-early").contains("admits no one new; waiting"), run.log("r3-early"));
            Thread.sleep(5000); // beyond its 3 s stall timeout: it still waits
            assertTrue(early.isAlive(), run.log("r3-early"));

            // a new session of both groups admits it; cancel: its machines abort and report failed, saying why
            cli(run, "sessions", "start", "gc", "gw", "--state", state);
            Process p2 = auto(run, "r2");
            run.awaitMachines(3, Duration.ofSeconds(60)); // r1 (done), r3 and r2
            assertEquals(Boolean.FALSE, run.status().get("started"), "gc expects two machines");
            assertTrue(cli(run, "sessions", "cancel", "2", "--state", state).contains("[cancelled]"));
            for (String h : List.of("r2", "r3-early")) {
                Map<String, Object> r = run.result(h, h.equals("r2") ? p2 : early, Duration.ofSeconds(60));
                assertEquals(1, ((Number) r.get("exit")).intValue(), run.log(h));
                assertTrue(String.valueOf(r.get("error")).contains("session 2 was cancelled by the operator"), run.log(h));
            }
            String shown = cli(run, "sessions", "show", "2", "--state", state);
            assertTrue(shown.contains("r2") && shown.contains("r3") && shown.contains("failed") && shown.contains("cancelled"), shown);
            server.destroy();
            server.waitFor();
        }
    }
}
