package io.imgcast.peer;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peer-to-peer sessions (P1–P3) with real processes in the namespace lab: a master broadcasts
 * its own volume, partition or directory with no server and no store (mode 3), captures while
 * sending (mode 2), applies while re-broadcasting (mode 5), and a relay carries a server's
 * session into a second segment. Every result is compared with its source.
 */
class PeerLabTest {
    @TempDir static Path work;
    static Path tree;
    static Path volume;

    @BeforeAll
    static void sources() throws Exception {
        Needs.lab();
        Needs.tools("mkfs.ext4", "e2fsck", "sfdisk", "losetup");
        tree = work.resolve("tree");
        TreeGen.full(tree, 21, 4 << 20);
        Path vtree = work.resolve("vtree");
        TreeGen.plain(vtree, 22, 10 << 20);
        volume = work.resolve("vol.img");
        Sh.run("mkfs.ext4", "-q", "-F", "-d", vtree.toString(), volume.toString(), "40M").ok();
    }

    private static Process master(NetLab lab, Path dir, Object... args) {
        return lab.start("s", LabRun.imgcast(masterArgs(lab, 40, args)), dir.resolve("s.log"));
    }

    private static Object[] masterArgs(NetLab lab, long waitSeconds, Object... args) {
        List<Object> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--interface", lab.iface("s"), "--json", "--wait", waitSeconds, "--linger", "1"));
        return a.toArray();
    }

    private static Process peer(NetLab lab, Path dir, String host, Path target, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("receive", "--from-peer", "--target", target, "--interface", lab.iface(host),
                "--machine", host, "--json"));
        a.addAll(List.of(extra));
        if (!a.contains("--timeout")) a.addAll(List.of("--timeout", "30"));
        return lab.start(host, LabRun.imgcast(a.toArray()), dir.resolve(host + ".log"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> byMachine(Map<String, Object> summary) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Object o : (List<Object>) summary.get("receivers")) {
            Map<String, Object> m = (Map<String, Object>) o;
            out.put((String) m.get("machine"), m);
        }
        return out;
    }

    @Test
    void volumeToFourPeersAtZeroAndFivePercentLossAndATooSmallTargetIsRefused(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.img");
        Sh.run("truncate", "-s", "8M", small.toString()).ok();
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 5, NetLab.Options.defaults());
             Sh.Loop tooSmall = Sh.Loop.attach(small)) {
            LabRun run = new LabRun(lab, dir);
            for (double loss : new double[] {0, 5}) {
                for (int i = 1; i <= 4; i++) lab.setLoss("r" + i, loss);
                Map<String, Process> ps = new LinkedHashMap<>();
                for (int i = 1; i <= 4; i++) ps.put("r" + i, peer(lab, dir, "r" + i, dir.resolve("out-" + loss + "-r" + i + ".img")));
                if (loss == 0) ps.put("r5", peer(lab, dir, "r5", tooSmall.device()));
                Process m = master(lab, dir, "send", volume, "--min-receivers", 4, "--rate", "300Mbit");
                for (var e : ps.entrySet()) {
                    Map<String, Object> r = run.result(e.getKey(), e.getValue(), Duration.ofSeconds(120));
                    if (e.getKey().equals("r5")) {
                        assertEquals(1, ((Number) r.get("exit")).intValue(), run.log("r5"));
                        assertTrue(String.valueOf(r.get("error")).contains("holds 8.0 MiB"), String.valueOf(r.get("error")));
                        continue;
                    }
                    assertEquals(0, ((Number) r.get("exit")).intValue(), e.getKey() + ": " + run.log(e.getKey()));
                    assertEquals(Boolean.TRUE, r.get("ok"));
                    assertTrue(Sh.cmp(volume, dir.resolve("out-" + loss + "-" + e.getKey() + ".img"), Files.size(volume)), e.getKey());
                    if (loss > 0) assertTrue(((Number) r.get("loss")).doubleValue() > 0.01, "the lab really lost packets at " + e.getKey());
                }
                Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
                Map<String, Map<String, Object>> rs = byMachine(s);
                for (int i = 1; i <= 4; i++) assertEquals("done", rs.get("r" + i).get("state"), run.log("s"));
                if (loss == 0) {
                    // the master lists the refused receiver with its reason, and says not all succeeded
                    assertEquals("refused", rs.get("r5").get("state"));
                    assertTrue(String.valueOf(rs.get("r5").get("error")).contains("holds 8.0 MiB"));
                    assertEquals(1, ((Number) s.get("exit")).intValue());
                } else {
                    assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
                }
                assertEquals(0L, ((Number) s.get("reread_chunks")).longValue(), "a small source stays in memory: read once");
            }
        }
    }

    @Test
    void partitionAndSelectedPartitionsOfADiskImage(@TempDir Path dir) throws Exception {
        // a GPT disk image with two partitions, an ext4 file system in the first
        Path disk = dir.resolve("disk.img");
        Sh.run("truncate", "-s", "64M", disk.toString()).ok();
        Sh.bash("printf 'label: gpt\\n,40M\\n,\\n' | sfdisk -q " + Sh.q(disk)).ok();
        var table = io.imgcast.image.PartitionTable.read(disk);
        var p1 = table.partition(1);
        var p2 = table.partition(2);
        Sh.bash("dd if=" + Sh.q(volume) + " of=" + Sh.q(disk) + " bs=1M seek=" + (p1.start() >> 20) + " conv=notrunc status=none").ok();
        Sh.bash("head -c " + p2.size() + " /dev/urandom | dd of=" + Sh.q(disk) + " bs=1M seek=" + (p2.start() >> 20) + " conv=notrunc status=none iflag=fullblock").ok();
        Path bigger = dir.resolve("bigger.img");
        Sh.run("truncate", "-s", "96M", bigger.toString()).ok();
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 4, NetLab.Options.defaults().loss(5));
             Sh.Loop part = Sh.Loop.attach(disk, p1.start(), p1.size());
             Sh.Loop big = Sh.Loop.attach(bigger)) {
            LabRun run = new LabRun(lab, dir);
            // 1. one partition (a block device of exactly the partition)
            List<Process> ps = new ArrayList<>();
            for (int i = 1; i <= 4; i++) ps.add(peer(lab, dir, "r" + i, dir.resolve("p1-r" + i + ".img")));
            Process m = master(lab, dir, "send", part.device(), "--min-receivers", 4, "--rate", "300Mbit");
            for (int i = 1; i <= 4; i++) {
                Map<String, Object> r = run.result("r" + i, ps.get(i - 1), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r" + i));
                Path out = dir.resolve("p1-r" + i + ".img");
                assertEquals(p1.size(), Files.size(out));
                assertTrue(Sh.cmp(volume, out, Files.size(volume)), "partition 1 at r" + i);
                Sh.run("e2fsck", "-fn", out.toString()).ok();
            }
            assertEquals(0, ((Number) run.result("s", m, Duration.ofSeconds(60)).get("exit")).intValue(), run.log("s"));

            // 2. the whole disk's layout with partition 1 only; r4 has a larger disk and takes it;
            // r1's disk already holds data in partition 2, which must stay
            Path r1disk = dir.resolve("disk-r1.img");
            Sh.run("truncate", "-s", "64M", r1disk.toString()).ok();
            byte[] marker = new byte[4096];
            new java.util.SplittableRandom(77).nextBytes(marker);
            try (var f = new java.io.RandomAccessFile(r1disk.toFile(), "rw")) {
                f.seek(p2.start() + (1 << 20));
                f.write(marker);
            }
            ps.clear();
            for (int i = 1; i <= 3; i++) ps.add(peer(lab, dir, "r" + i, dir.resolve("disk-r" + i + ".img")));
            ps.add(peer(lab, dir, "r4", big.device()));
            m = master(lab, dir, "send", disk, "--partitions", "1", "--with-table", "--min-receivers", 4, "--rate", "300Mbit");
            for (int i = 1; i <= 4; i++) {
                Map<String, Object> r = run.result("r" + i, ps.get(i - 1), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r" + i));
            }
            assertEquals(0, ((Number) run.result("s", m, Duration.ofSeconds(60)).get("exit")).intValue(), run.log("s"));
            for (int i = 1; i <= 4; i++) {
                Path out = i == 4 ? bigger : dir.resolve("disk-r" + i + ".img");
                // the table and partition 1 arrived byte for byte (the larger disk's table was then
                // rewritten for its size); partition 2 was left out (zeros)
                if (i < 4) assertTrue(Sh.cmp(disk, out, p1.end()), "table + partition 1 at r" + i);
                assertEquals("", Sh.bash("cmp -s -n " + p1.size() + " -i " + p1.start() + ":" + p1.start() + " " + Sh.q(disk) + " " + Sh.q(out)
                        + " || echo differs").out().strip(), "partition 1 at r" + i);
                if (i > 1) {
                    assertEquals("", Sh.bash("cmp -s -n " + p2.size() + " -i " + p2.start() + ":0 " + Sh.q(out) + " /dev/zero || echo differs").out().strip(),
                            "partition 2 is not sent at r" + i);
                } else {
                    byte[] kept = new byte[4096];
                    try (var f = new java.io.RandomAccessFile(out.toFile(), "r")) {
                        f.seek(p2.start() + (1 << 20));
                        f.readFully(kept);
                    }
                    assertArrayEquals(marker, kept, "a marker in the unselected partition 2 survives at r1");
                }
                var t = io.imgcast.image.PartitionTable.read(out);
                assertEquals(p1, t.partition(1), "the receiver's disk has the same partition 1");
            }
            // the larger disk's GPT was made whole at its real end
            String verify = Sh.bash("sfdisk --verify " + Sh.q(big.device()) + " 2>&1").out();
            assertFalse(verify.toLowerCase().contains("backup"), verify);
        }
    }

    @Test
    void directoryToFourPeersUnderLossWhileCapturingIntoAStore(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path plain = dir.resolve("plain");
        // Reading a file may update its access time (relatime): always when its mtime lies in the
        // future. Use a copy without such times, read once, so that both captures compared below
        // see the same times.
        Path src = dir.resolve("src");
        TreeGen.copy(tree, src);
        Sh.bash("find " + Sh.q(src) + " -newermt '+1 day' -exec touch -h -m -d 2020-01-01 {} +").ok();
        Cli.run("capture", src, "--name", "t", "--store", dir.resolve("prime")).ok();
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 4, NetLab.Options.defaults().loss(5))) {
            LabRun run = new LabRun(lab, dir);
            List<Process> ps = new ArrayList<>();
            for (int i = 1; i <= 4; i++) ps.add(peer(lab, dir, "r" + i, dir.resolve("t-r" + i)));
            Process m = master(lab, dir, "send", src, "--capture-to", store, "--name", "t", "--min-receivers", 4, "--rate", "300Mbit");
            for (int i = 1; i <= 4; i++) {
                Map<String, Object> r = run.result("r" + i, ps.get(i - 1), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r" + i));
                TreeDiff.assertSame(src, dir.resolve("t-r" + i));
            }
            assertEquals(0, ((Number) run.result("s", m, Duration.ofSeconds(60)).get("exit")).intValue(), run.log("s"));
        }
        // mode 2 left the same image a plain capture makes
        Cli.run("capture", src, "--name", "t", "--store", plain).ok();
        Map<String, Object> a = MiniJson.object(Cli.run("info", "t", "--json", "--store", store).ok().out());
        Map<String, Object> b = MiniJson.object(Cli.run("info", "t", "--json", "--store", plain).ok().out());
        assertEquals(b.get("manifest_sha256"), a.get("manifest_sha256"));
        assertEquals(b.get("stored_bytes"), a.get("stored_bytes"));
        Cli.run("verify", "--store", store).ok();
    }

    @Test
    void relayAndRebroadcastCarrySessionsIntoASecondSegment(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Cli.run("capture", tree, "--name", "t", "--store", store).ok();
        Path relayStore = dir.resolve("relay-store");
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 1, NetLab.Options.defaults().segments(2, 2).loss(2))) {
            LabRun run = new LabRun(lab, dir);
            run.server(store);
            String relayUrl = "http://" + lab.address("relay", 2) + ":8470/";
            Process relay = lab.start("relay", LabRun.imgcast("relay", "--server", run.serverUrl, "--interface", lab.iface("relay", 2),
                    "--upstream-interface", lab.iface("relay", 1), "--store", relayStore, "--listen", lab.address("relay", 2) + ":8470",
                    "--min-machines", 2, "--exit-after-idle", 3), dir.resolve("relay.log"));
            // machines behind the relay use it as they would use the server
            List<Process> ps = new ArrayList<>();
            for (String h : lab.receivers2()) {
                ps.add(lab.start(h, LabRun.imgcast("receive", "--server", relayUrl, "--image", "t", "--target", dir.resolve("relayed-" + h),
                        "--interface", lab.iface(h), "--machine", h, "--json", "--timeout", "30"), dir.resolve(h + ".log")));
            }
            for (int i = 0; i < ps.size(); i++) {
                String h = lab.receivers2().get(i);
                Map<String, Object> r = run.result(h, ps.get(i), Duration.ofSeconds(150));
                assertEquals(0, ((Number) r.get("exit")).intValue(), h + ": " + run.log(h) + "\nrelay:\n" + run.log("relay"));
                TreeDiff.assertSame(tree, dir.resolve("relayed-" + h));
            }
            assertTrue(relay.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), run.log("relay"));
            assertEquals(0, relay.exitValue(), run.log("relay"));

            // mode 5 on the relay host: apply from its store and re-broadcast to segment 2 at once
            ps.clear();
            for (String h : lab.receivers2()) ps.add(peer(lab, dir, h, dir.resolve("rebroadcast-" + h)));
            Process m = lab.start("relay", LabRun.imgcast("apply", "t", dir.resolve("applied-on-relay"), "--store", relayStore,
                    "--rebroadcast", "--interface", lab.iface("relay", 2), "--min-receivers", 2, "--wait", 40, "--linger", 1, "--json"),
                    dir.resolve("s.log"));
            for (int i = 0; i < ps.size(); i++) {
                String h = lab.receivers2().get(i);
                Map<String, Object> r = run.result(h, ps.get(i), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), h + ": " + run.log(h));
                TreeDiff.assertSame(tree, dir.resolve("rebroadcast-" + h));
            }
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertEquals(Boolean.TRUE, s.get("applied"));
            TreeDiff.assertSame(tree, dir.resolve("applied-on-relay"));
        }
    }

    /** The receivers the master lists on its control API (s:8471), or an empty list while it does not answer. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> masterMachines(NetLab lab) {
        NetLab.ExecResult r = lab.run("s", Duration.ofSeconds(5), "curl", "-sk", "https://" + lab.address("s") + ":8471/api/v1/status");
        if (!r.ok() || r.stdout().isBlank()) return List.of();
        Object machines = MiniJson.object(r.stdout()).get("machines");
        return machines instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** Waits (bounded) until the master lists {@code machine}: it joined the session. */
    private static Map<String, Object> awaitJoined(NetLab lab, String machine, Process master, Path dir) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            for (Map<String, Object> m : masterMachines(lab)) if (machine.equals(m.get("machine"))) return m;
            if (!master.isAlive()) break;
            Thread.sleep(200);
        }
        throw new AssertionError(machine + " did not join the master:\n" + new LabRun(lab, dir).log("s"));
    }

    /** Waits (bounded) for a line containing {@code text} in a host's log. */
    private static void awaitLog(LabRun run, String host, String text, Process p) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (run.log(host).contains(text)) return;
            if (!p.isAlive()) break;
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' from " + host + ":\n" + run.log(host));
    }

    /** The master's JSON summary from a log written through a terminal (lines end in CR LF). */
    private static Map<String, Object> summaryOnTerminal(LabRun run, Process m) throws Exception {
        assertTrue(m.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "master ended:\n" + run.log("s"));
        String json = null;
        for (String line : run.log("s").split("\r?\n")) {
            String l = line.strip();
            if (l.startsWith("{")) json = l;
        }
        if (json == null) throw new AssertionError("master printed no summary (exit " + m.exitValue() + "):\n" + run.log("s"));
        Map<String, Object> s = MiniJson.object(json);
        s.put("exit", m.exitValue());
        return s;
    }

    /**
     * The master's other two ways to start (enough receivers is tested above): the operator's
     * word, by SIGUSR1 and by Enter on its terminal. Three receivers are expected and the wait is
     * ten minutes, so nothing but the word can start the session the single receiver joined.
     */
    @Test
    void theOperatorsWordStartsTheSessionBySignalOrByEnter(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 1, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            // SIGUSR1
            Process r1 = peer(lab, dir, "r1", dir.resolve("usr1.img"));
            Process m = lab.start("s", LabRun.imgcast(masterArgs(lab, 600, "send", volume, "--min-receivers", 3, "--rate", "300Mbit")),
                    dir.resolve("s.log"));
            Map<String, Object> joined = awaitJoined(lab, "r1", m, dir);
            assertTrue(m.isAlive() && r1.isAlive(), run.log("s"));
            assertEquals(0L, ((Number) joined.getOrDefault("done_bytes", 0)).longValue(), "nothing was sent before the word: " + joined);
            Sh.bash("kill -USR1 " + LabRun.javaPid(m)).ok(); // the shell's own kill: no procps needed
            Map<String, Object> r = run.result("r1", r1, Duration.ofSeconds(120));
            assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r1"));
            assertTrue(Sh.cmp(volume, dir.resolve("usr1.img"), Files.size(volume)));
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertEquals("done", byMachine(s).get("r1").get("state"));

            // Enter, on the terminal that script(1) gives the master
            Files.delete(dir.resolve("s.log"));
            r1 = peer(lab, dir, "r1", dir.resolve("enter.img"));
            List<String> cmd = LabRun.imgcast(masterArgs(lab, 600, "send", volume, "--min-receivers", 3, "--rate", "300Mbit"));
            String line = String.join(" ", cmd.stream().map(Sh::q).toList());
            m = lab.startWithInput("s", List.of("script", "-qefc", line, "/dev/null"), dir.resolve("s.log"));
            try (var keys = m.getOutputStream()) {
                awaitLog(run, "s", "press Enter to start", m);
                joined = awaitJoined(lab, "r1", m, dir);
                assertEquals(0L, ((Number) joined.getOrDefault("done_bytes", 0)).longValue(), "nothing was sent before Enter: " + joined);
                keys.write('\n');
                keys.flush();
                r = run.result("r1", r1, Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r1"));
                assertTrue(Sh.cmp(volume, dir.resolve("enter.img"), Files.size(volume)));
                s = summaryOnTerminal(run, m);
            }
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertEquals("done", byMachine(s).get("r1").get("state"));
        }
    }

    /**
     * The master's third way to start: --wait runs out. With a receiver that joined it starts with
     * that one (fewer than --min-receivers); with none it ends with a clear error.
     */
    @Test
    void theWaitRunningOutStartsWithWhoeverJoinedOrFailsClearlyWhenNoOneDid(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 1, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            // no receiver: the master gives up after its wait
            Process m = lab.start("s", LabRun.imgcast(masterArgs(lab, 2, "send", volume, "--min-receivers", 3)), dir.resolve("s.log"));
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(1, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertTrue(String.valueOf(s.get("error")).contains("no receiver joined within 2 s"), String.valueOf(s.get("error")));

            // one receiver of the three expected, already listening when the master announces: the
            // wait (long enough for it to join; it cannot start the session otherwise) runs out
            Files.delete(dir.resolve("s.log"));
            Process r1 = peer(lab, dir, "r1", dir.resolve("r1.img"), "--timeout", 60);
            m = lab.start("s", LabRun.imgcast(masterArgs(lab, 15, "send", volume, "--min-receivers", 3, "--rate", "300Mbit")),
                    dir.resolve("s.log"));
            Map<String, Object> r = run.result("r1", r1, Duration.ofSeconds(120));
            assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r1"));
            assertTrue(Sh.cmp(volume, dir.resolve("r1.img"), Files.size(volume)));
            s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertEquals(1, byMachine(s).size());
            assertEquals("done", byMachine(s).get("r1").get("state"));
        }
    }

    @SuppressWarnings("unchecked")
    private static long doneBytes(NetLab lab, String machine) {
        NetLab.ExecResult r = lab.run("s", Duration.ofSeconds(5), "curl", "-sk", "https://" + lab.address("s") + ":8471/api/v1/status");
        if (!r.ok() || r.stdout().isBlank()) return -1;
        for (Object o : (List<Object>) MiniJson.object(r.stdout()).get("machines")) {
            Map<String, Object> m = (Map<String, Object>) o;
            if (machine.equals(m.get("machine")) && "receiving".equals(m.get("state"))) return ((Number) m.get("done_bytes")).longValue();
        }
        return -1;
    }

    private static void awaitProgress(NetLab lab, String machine, long bytes, Path dir) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (doneBytes(lab, machine) >= bytes) return;
            Thread.sleep(200);
        }
        throw new AssertionError(machine + " made no progress:\n" + new LabRun(lab, dir).log("s"));
    }

    /**
     * The master streams a volume while it reads it (read slowed to 512 KiB/s, as a disk in use):
     * data flows before the read ends, a receiver joining mid-read and one killed and restarted
     * mid-read (resuming from what it holds) all end with the exact volume, under 5% loss.
     */
    @Test
    void aVolumeStreamsWhileItIsReadToEarlyLateAndRestartedPeers(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            for (int i = 1; i <= 3; i++) lab.setLoss("r" + i, 5);
            Path t1 = dir.resolve("r1.img");
            Process r1 = peer(lab, dir, "r1", t1);
            Process r2 = peer(lab, dir, "r2", dir.resolve("r2.img"));
            // a slow read (about 22 s for the volume's used blocks): the receivers' joins, each a TLS handshake
            // by a JVM that runs only C1, must fall well inside it on a loaded machine
            Process m = master(lab, dir, "send", volume, "--min-receivers", 2, "--read-rate", "512KiB/s", "--rate", "300Mbit");
            awaitProgress(lab, "r1", 1 << 20, dir);
            r1.destroyForcibly().waitFor();
            Process r3 = peer(lab, dir, "r3", dir.resolve("r3.img"));
            Process again = peer(lab, dir, "r1", t1);
            Map<String, Object> x2 = run.result("r2", r2, Duration.ofSeconds(120));
            assertEquals(0, ((Number) x2.get("exit")).intValue(), run.log("r2"));
            assertEquals(Boolean.TRUE, x2.get("live"), "r2 learnt the image while it was read: " + x2);
            Map<String, Object> x3 = run.result("r3", r3, Duration.ofSeconds(120));
            assertEquals(0, ((Number) x3.get("exit")).intValue(), run.log("r3"));
            Map<String, Object> x1 = run.result("r1", again, Duration.ofSeconds(120));
            assertEquals(0, ((Number) x1.get("exit")).intValue(), run.log("r1"));
            assertTrue(((Number) x1.get("reused_chunks")).longValue() > 0, "the restarted receiver kept what it had: " + x1);
            for (String h : List.of("r1", "r2", "r3")) assertTrue(Sh.cmp(volume, dir.resolve(h + ".img"), Files.size(volume)), h);
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            System.out.printf("streamed while read: %s bytes sent before the read ended; r3 live=%s; r1 restarted reused %s chunks%n",
                    s.get("sent_while_reading_bytes"), x3.get("live"), x1.get("reused_chunks"));
            assertTrue(((Number) s.get("sent_while_reading_bytes")).longValue() > 1 << 20,
                    "data went out while the source was read: " + s.get("sent_while_reading_bytes"));
            assertEquals(3, byMachine(s).size(), "the killed receiver's first entry was replaced by its second");
        }
    }

    @Test
    void aPeerKilledMidwayRejoinsForWhatItLacksOtherSessionsAreIgnoredAndAVanishedMasterFailsReceiversClearly(@TempDir Path dir)
            throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("p"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            Path t1 = dir.resolve("r1.img");
            Path t2 = dir.resolve("r2.img");
            Process r1 = peer(lab, dir, "r1", t1);
            Process r2 = peer(lab, dir, "r2", t2);
            // the killed receiver stays listed until it comes back (however long the check of another
            // session takes here), so the master cannot end before r1 rejoins
            Process m = master(lab, dir, "send", volume, "--min-receivers", 2, "--rate", "15Mbit", "--machine-timeout", 600);
            awaitProgress(lab, "r1", 3 << 20, dir);
            r1.destroyForcibly().waitFor();
            // a receiver asking for another session does not join this one
            Process other = peer(lab, dir, "r3", dir.resolve("r3.img"), "--session", 7, "--timeout", 5);
            Map<String, Object> o = run.result("r3", other, Duration.ofSeconds(60));
            assertEquals(1, ((Number) o.get("exit")).intValue());
            assertTrue(String.valueOf(o.get("error")).contains("session 7 was not announced"), String.valueOf(o.get("error")));
            assertFalse(Files.exists(dir.resolve("r3.img")));
            // r1 restarts on the same target and receives only what it lacks, while the master still sends
            Process again = peer(lab, dir, "r1", t1);
            Map<String, Object> r = run.result("r1", again, Duration.ofSeconds(120));
            assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r1"));
            assertTrue(((Number) r.get("reused_chunks")).longValue() > 0, "the restarted receiver kept what it had: " + r);
            assertTrue(Sh.cmp(volume, t1, Files.size(volume)));
            assertEquals(0, ((Number) run.result("r2", r2, Duration.ofSeconds(120)).get("exit")).intValue(), run.log("r2"));
            assertTrue(Sh.cmp(volume, t2, Files.size(volume)));
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertEquals(2, byMachine(s).size(), "the killed receiver's first entry was replaced by its second");

            // the master disappears mid-way: the receivers fail clearly instead of waiting forever
            Process a = peer(lab, dir, "r1", dir.resolve("v-r1.img"), "--timeout", 8);
            Process b = peer(lab, dir, "r2", dir.resolve("v-r2.img"), "--timeout", 8);
            Process m2 = master(lab, dir, "send", volume, "--min-receivers", 2, "--rate", "10Mbit");
            awaitProgress(lab, "r1", 1 << 20, dir);
            m2.destroyForcibly().waitFor();
            for (var e : Map.of("r1", a, "r2", b).entrySet()) {
                Map<String, Object> x = run.result(e.getKey(), e.getValue(), Duration.ofSeconds(60));
                assertEquals(1, ((Number) x.get("exit")).intValue(), run.log(e.getKey()));
                String err = String.valueOf(x.get("error"));
                assertTrue(err.contains("no data arrived") || err.contains("has not answered"), err);
            }
        }
    }
}
