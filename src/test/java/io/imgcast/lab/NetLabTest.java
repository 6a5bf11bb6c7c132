package io.imgcast.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imgcast.testutil.Needs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the lab itself: multicast reaches receivers, loss works, close() cleans up. */
class NetLabTest {
    private static final String GROUP = "239.77.1.1";
    private static final int PORT = 47001;
    private static final int COUNT = 20;
    /** A receiver gives up after this long without a datagram (the sender is a shell loop: no JVM start-up). */
    private static final Duration IDLE = Duration.ofSeconds(4);

    @TempDir Path dir;

    @BeforeAll
    static void needLab() {
        Needs.lab();
    }

    @Test
    void multicastFromServerReachesBothReceivers() throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("nt"), 2, NetLab.Options.defaults())) {
            assertEquals(List.of("s", "r1", "r2"), lab.hosts());
            assertEquals("10.77.1.1", lab.address("s"));
            assertEquals("eth0", lab.iface("r1"));
            long tx0 = lab.txBytes("s");
            assertEquals(List.of(COUNT, COUNT), probe(lab, lab.receivers()));
            assertTrue(lab.txBytes("s") - tx0 >= COUNT * 40L, "sender's wire carried the datagrams");
        }
    }

    @Test
    void receiverWithFullLossGetsNothing() throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("nt"), 2, NetLab.Options.defaults())) {
            lab.setLoss("r2", 100);
            assertEquals(List.of(COUNT, 0), probe(lab, lab.receivers()));
            NetLab.Stats r2 = lab.stats("r2");
            assertTrue(r2.nftDroppedPackets() >= COUNT, "r2's loss rule dropped the datagrams: " + r2);
            assertEquals(0, lab.stats("r1").nftDroppedPackets());
            lab.setLoss("r2", 0);
            assertEquals(List.of(COUNT, COUNT), probe(lab, lab.receivers()));
        }
    }

    @Test
    void secondSegmentIsReachedOnlyThroughTheRelay() throws Exception {
        NetLab.Options opts = NetLab.Options.defaults().segments(2, 1);
        try (NetLab lab = NetLab.up(NetLab.uniqueName("nt"), 1, opts)) {
            assertEquals(List.of("s", "relay", "r1", "b1"), lab.hosts());
            assertEquals("10.77.1.2", lab.address("relay", 1));
            assertEquals("10.77.2.2", lab.address("relay", 2));
            assertEquals("eth1", lab.iface("relay", 2));
            assertEquals("10.77.2.11", lab.address("b1"));
            // the relay hears segment 1 on eth0; b1, on segment 2, hears nothing without a relay program
            assertEquals(List.of(COUNT, COUNT, 0), probe(lab, List.of("r1", "relay", "b1")));
        }
    }

    @Test
    void closeKillsProcessesAndRemovesNamespaces() throws Exception {
        NetLab lab = NetLab.up(NetLab.uniqueName("nt"), 2, NetLab.Options.defaults());
        String name = lab.name();
        Process p;
        try (lab) {
            assertTrue(netnsList().stream().anyMatch(n -> n.startsWith(name + "-")));
            p = lab.start("r1", List.of("sleep", "600"), dir.resolve("sleep.log"));
            assertTrue(p.isAlive());
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "started process is gone");
        assertFalse(netnsList().stream().anyMatch(n -> n.startsWith(name + "-")), "namespaces left: " + netnsList());
    }

    /** Receivers join GROUP, the server sends COUNT datagrams; returns what each receiver counted. */
    private List<Integer> probe(NetLab lab, List<String> receivers) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of(McastProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> jvm = List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx32m", "-cp", cp,
                McastProbe.class.getName());
        List<Process> procs = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (String r : receivers) {
            Path log = Files.createTempFile(dir, r + "-", ".log");
            List<String> cmd = new ArrayList<>(jvm);
            int segment = r.startsWith("b") ? 2 : 1;
            cmd.addAll(List.of("recv", GROUP, Integer.toString(PORT), lab.iface(r, segment), Integer.toString(COUNT), Long.toString(IDLE.toMillis())));
            procs.add(lab.start(r, cmd, log));
            logs.add(log);
        }
        for (Path log : logs) awaitLine(log, "ready", Duration.ofSeconds(30));
        // bash's /dev/udp: the route 224.0.0.0/4 dev eth0 picks the interface, multicast TTL is 1
        String loop = "for i in $(seq 0 " + (COUNT - 1) + "); do printf 'probe %d' $i > /dev/udp/" + GROUP + "/" + PORT
                + "; sleep 0.01; done";
        NetLab.ExecResult sent = lab.run("s", Duration.ofSeconds(30), "bash", "-c", loop);
        assertTrue(sent.ok(), "sender: " + sent);
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < procs.size(); i++) {
            // a receiver that got everything stops at once; one that got nothing at its timeout
            assertTrue(procs.get(i).waitFor(30, TimeUnit.SECONDS), receivers.get(i) + " finished");
            String who = receivers.get(i);
            String out = Files.readString(logs.get(i));
            counts.add(out.lines().filter(l -> l.startsWith("received ")).map(l -> Integer.parseInt(l.substring(9).trim()))
                    .findFirst().orElseThrow(() -> new AssertionError(who + " log: " + out)));
        }
        return counts;
    }

    private static void awaitLine(Path log, String line, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).lines().anyMatch(line::equals)) return;
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + line + "' in " + log + " within " + timeout + ": " + Files.readString(log));
    }

    private static List<String> netnsList() throws IOException, InterruptedException {
        NetLab.ExecResult r = NetLab.exec(Duration.ofSeconds(10), NetLab.findTool("ip"), "netns", "list");
        return r.stdout().lines().map(l -> l.split("\\s+")[0]).toList();
    }
}
