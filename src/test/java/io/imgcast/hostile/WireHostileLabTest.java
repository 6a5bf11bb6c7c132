package io.imgcast.hostile;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks of the trust issue, each by a hostile host (a lab namespace that never joined)
 * against a real session, with real processes: a rogue master announcing its own image, forged
 * datagrams (block directories of the blocks in use; symbols of ever new blocks, the memory
 * attack, on receivers with a 256 MiB heap), and strangers' goodbyes for every machine id. The
 * legitimate transfer must finish exact, a pinned target must hold nothing of the rogue's, and
 * the forged datagrams must be counted as rejected. The server's session is encrypted
 * ({@code --encrypt}), the peer session is not: both paths run.
 */
class WireHostileLabTest {
    @TempDir static Path work;
    static Path volume;
    static Path rogueVolume;
    static Path tree;
    static Path store;

    @BeforeAll
    static void sources() throws Exception {
        Needs.lab();
        Needs.tools("mkfs.ext4", "curl");
        Path vtree = work.resolve("vtree");
        TreeGen.plain(vtree, 31, 10 << 20);
        volume = work.resolve("vol.img");
        Sh.run("mkfs.ext4", "-q", "-F", "-d", vtree.toString(), volume.toString(), "32M").ok();
        rogueVolume = work.resolve("rogue.img");
        TreeGen.randomFile(rogueVolume, 32 << 20, 32);
        tree = work.resolve("tree");
        TreeGen.full(tree, 33, 6 << 20);
        store = work.resolve("store");
        Cli.run("capture", tree, "--name", "t", "--store", store).ok();
    }

    /** imgcast as receivers of the attack reports ran it: a 256 MiB heap. */
    private static List<String> smallHeap(Object... args) {
        List<String> cmd = new ArrayList<>(LabRun.imgcast(args));
        cmd.add(1, "-Xmx256m");
        return cmd;
    }

    private static Process forger(NetLab lab, Path dir, String statusUrl, String group, int seconds) {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", Cli.classPath(),
                Forger.class.getName(), statusUrl, group, lab.iface("r3"), String.valueOf(seconds));
        return lab.start("r3", cmd, dir.resolve("forger.log"));
    }

    /** Strangers' goodbyes: every machine id 1..4 told "done, ok" every half second; each answer's HTTP status is logged. */
    private static Process strangerGoodbyes(NetLab lab, Path dir, String base, int rounds) {
        String script = "for i in $(seq 1 " + rounds + "); do for id in 1 2 3 4; do curl -sk -o /dev/null -w '%{http_code}\\n' -X POST"
                + " -H 'Content-Type: application/json' -d '{\"ok\":true,\"seconds\":1}' " + base + "api/v1/machines/$id/done; done;"
                + " sleep 0.5; done";
        return lab.start("r3", List.of("bash", "-c", script), dir.resolve("goodbyes.log"));
    }

    private static void assertNoGoodbyeTaken(LabRun run, Process goodbyes) throws Exception {
        goodbyes.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        String log = run.log("goodbyes");
        assertFalse(log.isBlank(), "the stranger's requests ran");
        for (String code : log.trim().split("\\s+")) assertTrue(code.equals("403") || code.equals("404") || code.equals("000"), log);
        assertTrue(log.contains("403"), "a stranger's goodbye for a machine that joined is refused: " + log);
    }

    @SuppressWarnings("unchecked")
    private static long rejected(Map<String, Object> r, String reason) {
        Object n = ((Map<String, Object>) r.get("rejected")).get(reason);
        return n == null ? 0 : ((Number) n).longValue();
    }

    @Test
    void aRogueMasterForgedDatagramsAndStrangersGoodbyesChangeNothingForPinnedPeers(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("master.key");
        Cli.Result kg = Cli.run("keygen", key).ok();
        Matcher fp = Pattern.compile("fingerprint: ([0-9a-f]{64})").matcher(kg.out());
        assertTrue(fp.find(), kg.out());
        try (NetLab lab = NetLab.up(NetLab.uniqueName("h"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            // the rogue announces first, its own image (a --session pin would not help: the id travels in clear)
            Process rogue = lab.start("r3", LabRun.imgcast("send", rogueVolume, "--volume", "--interface", lab.iface("r3"), "--json",
                    "--wait", "600", "--linger", "1"), dir.resolve("rogue.log"));
            Thread.sleep(3_000);
            assertTrue(rogue.isAlive(), run.log("rogue"));
            List<Path> targets = List.of(dir.resolve("r1.img"), dir.resolve("r2.img"));
            for (Path t : targets) Files.write(t, new byte[0]);
            Process r1 = lab.start("r1", smallHeap("receive", "--from-peer", "--target", targets.get(0), "--interface", lab.iface("r1"),
                    "--machine", "r1", "--json", "--timeout", "40", "--master-key", fp.group(1)), dir.resolve("r1.log"));
            Process r2 = lab.start("r2", smallHeap("receive", "--from-peer", "--target", targets.get(1), "--interface", lab.iface("r2"),
                    "--machine", "r2", "--json", "--timeout", "40", "--master-key", fp.group(1).substring(0, 16)), dir.resolve("r2.log"));
            String base = "http://" + lab.address("s") + ":8471/";
            Process forger = forger(lab, dir, base + "api/v1/status", "239.77.1.1:9000", 25);
            Process goodbyes = strangerGoodbyes(lab, dir, base, 30);
            Process master = lab.start("s", LabRun.imgcast("send", volume, "--key", key, "--interface", lab.iface("s"), "--json",
                    "--wait", "40", "--linger", "1", "--min-receivers", 2, "--rate", "100Mbit"), dir.resolve("s.log"));
            for (int i = 0; i < 2; i++) {
                String h = "r" + (i + 1);
                Map<String, Object> r = run.result(h, i == 0 ? r1 : r2, Duration.ofSeconds(150));
                assertEquals(0, ((Number) r.get("exit")).intValue(), h + ": " + run.log(h));
                assertTrue(Sh.cmp(volume, targets.get(i), Files.size(volume)), h + " holds the master's volume, exact");
                assertTrue(rejected(r, "bad_tag") > 0, "the forged datagrams were seen and counted as rejected at " + h + ": " + r.get("rejected"));
            }
            Map<String, Object> s = run.result("s", master, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), "every receiver succeeded, by its own word: " + run.log("s"));
            assertTrue(run.log("forger").contains("forging for session"), run.log("forger"));
            assertNoGoodbyeTaken(run, goodbyes);
            // the rogue never had a receiver: no pinned target took a byte from it
            NetLab.ExecResult st = lab.run("r3", Duration.ofSeconds(10), "curl", "-s", "http://" + lab.address("r3") + ":8471/api/v1/status");
            assertTrue(st.stdout().contains("\"machines\":[]"), "the rogue's list: " + st.stdout());
            rogue.destroy();
            forger.destroy();
        }
    }

    @Test
    void forgedDatagramsAndStrangersGoodbyesAgainstAnEncryptingServerChangeNothing(@TempDir Path dir) throws Exception {
        try (NetLab lab = NetLab.up(NetLab.uniqueName("h"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            run.server(store, "--min-machines", 2, "--wait", 40, "--rate", "100Mbit", "--encrypt");
            Process forger = forger(lab, dir, run.serverUrl + "api/v1/status", "239.77.0.1:9000", 20);
            Process goodbyes = strangerGoodbyes(lab, dir, run.serverUrl, 25);
            Thread.sleep(3_000); // the forger is at work before the receivers join
            List<Process> ps = new ArrayList<>();
            for (String h : List.of("r1", "r2")) {
                ps.add(lab.start(h, smallHeap("receive", "--server", run.serverUrl, "--image", "t", "--target", dir.resolve("out-" + h),
                        "--interface", lab.iface(h), "--machine", h, "--json", "--timeout", "40"), dir.resolve(h + ".log")));
            }
            for (int i = 0; i < 2; i++) {
                String h = "r" + (i + 1);
                Map<String, Object> r = run.result(h, ps.get(i), Duration.ofSeconds(150));
                assertEquals(0, ((Number) r.get("exit")).intValue(), h + ": " + run.log(h));
                TreeDiff.assertSame(tree, dir.resolve("out-" + h));
                assertTrue(rejected(r, "bad_tag") > 0, "the forged datagrams were seen and counted as rejected at " + h + ": " + r.get("rejected"));
            }
            assertNoGoodbyeTaken(run, goodbyes);
            forger.destroy();
        }
    }
}
