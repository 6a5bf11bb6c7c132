package io.imgcast.hostile;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.peer.SplitKeyMaster;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
        Needs.tools("mkfs.ext4", "curl", "python3");
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
        goodbyes.waitFor(60, TimeUnit.SECONDS);
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
            String base = "https://" + lab.address("s") + ":8471/";
            Process forger = forger(lab, dir, base + "api/v1/status", "239.77.1.1:9000", 90);
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
            NetLab.ExecResult st = lab.run("r3", Duration.ofSeconds(10), "curl", "-sk", "https://" + lab.address("r3") + ":8471/api/v1/status");
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
            // the forger outlasts the transfer (it is stopped at the end), however slowly the receivers start
            Process forger = forger(lab, dir, run.serverUrl + "api/v1/status", "239.77.0.1:9000", 90);
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

    /**
     * A hostile host's view of a peer session's control connection: the bridge floods every
     * frame to every port (ageing time 0, a hub) and the hostile host captures the TCP payload
     * of the master's control port. With {@code --insecure-http} on both sides (the control) it
     * reads the join reply's datagram key and token; over TLS, the default, it reads none of
     * them. Then a master whose announcements carry the legitimate key but whose TLS presents
     * another (what a host in the middle of the control connection can do at best) is refused
     * by a pinned receiver before a byte of its target is written.
     */
    @Test
    void aPeerMastersJoinReplyIsUnreadableOnTheSegmentAndAnotherTlsKeyIsRefused(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("master.key");
        Cli.Result kg = Cli.run("keygen", key).ok();
        Matcher fp = Pattern.compile("fingerprint: ([0-9a-f]{64})").matcher(kg.out());
        assertTrue(fp.find(), kg.out());
        Path sniffer = dir.resolve("sniff.py");
        Files.writeString(sniffer, SNIFFER);
        try (NetLab lab = NetLab.up(NetLab.uniqueName("h"), 3, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            Sh.run("ip", "-n", lab.netns("sw"), "link", "set", "br1", "type", "bridge", "ageing_time", "0").ok();
            assertTrue(lab.run("r3", Duration.ofSeconds(5), "ip", "link", "set", lab.iface("r3"), "promisc", "on").ok());
            byte[] plain = sniffedSession(lab, run, dir, sniffer, key, fp.group(1), "plain", true);
            String plainText = new String(plain, StandardCharsets.ISO_8859_1);
            assertTrue(plainText.contains("\"wire_key\"") && plainText.contains("\"token\""),
                    "with --insecure-http the hostile host reads the join reply (" + plain.length + " bytes captured)");
            byte[] tls = sniffedSession(lab, run, dir, sniffer, key, fp.group(1), "tls", false);
            String tlsText = new String(tls, StandardCharsets.ISO_8859_1);
            assertTrue(tls.length > 2_000, "the hostile host saw the control connection: " + tls.length + " bytes");
            for (String secret : List.of("wire_key", "token", "signer", "api/v1/")) {
                assertFalse(tlsText.contains(secret), "over TLS the hostile host reads no '" + secret + "'");
            }

            Process split = lab.start("r3", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    Cli.classPath(), SplitKeyMaster.class.getName(), lab.iface("r3"), rogueVolume.toString(), key.toString(), "60"),
                    dir.resolve("split.log"));
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < end && split.isAlive() && !run.log("split").contains("TLS key fingerprint: ")) Thread.sleep(100);
            Matcher tlsKey = Pattern.compile("TLS key fingerprint: ([0-9a-f]{64})").matcher(run.log("split"));
            assertTrue(tlsKey.find(), run.log("split"));
            Path target = dir.resolve("r2.img");
            Files.write(target, new byte[0]);
            Process r2 = lab.start("r2", LabRun.imgcast("receive", "--from-peer", "--target", target, "--interface", lab.iface("r2"),
                    "--machine", "r2", "--json", "--timeout", "20", "--master-key", fp.group(1)), dir.resolve("r2.log"));
            Map<String, Object> r = run.result("r2", r2, Duration.ofSeconds(90));
            assertTrue(((Number) r.get("exit")).intValue() != 0, run.log("r2"));
            String error = String.valueOf(r.get("error"));
            assertTrue(error.contains(tlsKey.group(1).substring(0, 16)) && error.contains("is not the pinned one"),
                    "refused for the TLS key: " + error);
            assertEquals(0, Files.size(target), "no byte of the pinned target was written");
            split.destroy();
        }
    }

    /**
     * One peer session of the tree to r1 (pinned to the master's key) while r3 captures the
     * master's control port; returns the captured TCP payload.
     */
    private static byte[] sniffedSession(NetLab lab, LabRun run, Path dir, Path sniffer, Path key, String fp, String label,
                                         boolean insecure) throws Exception {
        Path capture = dir.resolve("capture-" + label + ".bin");
        Process sniff = lab.start("r3", List.of("python3", sniffer.toString(), lab.iface("r3"), "8471", "90", capture.toString()),
                dir.resolve("sniff-" + label + ".log"));
        Thread.sleep(1_000);
        List<Object> m = new ArrayList<>(List.of("send", tree, "--key", key, "--interface", lab.iface("s"), "--json", "--wait", "40",
                "--linger", "1", "--min-receivers", "1"));
        List<Object> r = new ArrayList<>(List.of("receive", "--from-peer", "--target", dir.resolve("out-" + label), "--interface",
                lab.iface("r1"), "--machine", "r1", "--json", "--timeout", "30", "--master-key", fp));
        if (insecure) {
            m.add("--insecure-http");
            r.add("--insecure-http");
        }
        Process master = lab.start("s", LabRun.imgcast(m.toArray()), dir.resolve("s-" + label + ".log"));
        Process r1 = lab.start("r1", LabRun.imgcast(r.toArray()), dir.resolve("r1-" + label + ".log"));
        Map<String, Object> res = run.result("r1-" + label, r1, Duration.ofSeconds(120));
        assertEquals(0, ((Number) res.get("exit")).intValue(), run.log("r1-" + label));
        TreeDiff.assertSame(tree, dir.resolve("out-" + label));
        assertEquals(0, ((Number) run.result("s-" + label, master, Duration.ofSeconds(60)).get("exit")).intValue(), run.log("s-" + label));
        sniff.destroy();
        sniff.waitFor(10, TimeUnit.SECONDS);
        assertTrue(Files.exists(capture), run.log("sniff-" + label));
        return Files.readAllBytes(capture);
    }

    /** Captures the TCP payload to and from one port on an interface (AF_PACKET; every frame the hub floods to it). */
    private static final String SNIFFER = """
            import socket, struct, sys, time
            iface, port, seconds, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
            s.bind((iface, 0))
            s.settimeout(0.5)
            end = time.time() + seconds
            n = 0
            with open(out, 'wb') as f:
                while time.time() < end:
                    try:
                        frame = s.recv(262144)
                    except socket.timeout:
                        continue
                    if len(frame) < 34 or frame[12:14] != b'\\x08\\x00' or frame[23] != 6:
                        continue
                    t = 14 + (frame[14] & 15) * 4
                    sp, dp = struct.unpack('!HH', frame[t:t + 4])
                    if port not in (sp, dp):
                        continue
                    total = struct.unpack('!H', frame[16:18])[0]
                    payload = frame[t + (frame[t + 12] >> 4) * 4:14 + total]
                    if payload:
                        f.write(payload)
                        f.flush()
                        n += len(payload)
            print('captured', n, 'bytes of port', port)
            """;
}
