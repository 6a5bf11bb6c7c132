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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mode 2 in one read ({@code send --capture-to}): the master sends its source while it captures
 * it into a store, in the lab with real processes and loss. The receivers' copies, the store's
 * image (applied back) and a plain capture of the same source are all the same.
 */
class CaptureWhileSendingLabTest {
    @TempDir static Path work;
    static Path volume;
    static Path tree;

    @BeforeAll
    static void sources() throws Exception {
        Needs.lab();
        Needs.tools("mkfs.ext4", "e2fsck");
        Path vtree = work.resolve("vtree");
        TreeGen.plain(vtree, 41, 10 << 20);
        volume = work.resolve("vol.img");
        Sh.run("mkfs.ext4", "-q", "-F", "-d", vtree.toString(), volume.toString(), "40M").ok();
        tree = work.resolve("tree");
        TreeGen.full(tree, 42, 4 << 20);
        // reading a file whose mtime lies in the future updates its atime: keep the times still
        Sh.bash("find " + Sh.q(tree) + " -newermt '+1 day' -exec touch -h -m -d 2020-01-01 {} +").ok();
    }

    private static Process master(NetLab lab, Path dir, Object... args) {
        List<Object> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--interface", lab.iface("s"), "--json", "--wait", 40, "--linger", "1"));
        return lab.start("s", LabRun.imgcast(a.toArray()), dir.resolve("s.log"));
    }

    private static Process peer(NetLab lab, Path dir, String host, Path target) {
        return lab.start(host, LabRun.imgcast("receive", "--from-peer", "--target", target, "--interface", lab.iface(host),
                "--machine", host, "--json", "--timeout", "30"), dir.resolve(host + ".log"));
    }

    private static Object info(Path store, String name, String field) {
        return MiniJson.object(Cli.run("info", name, "--json", "--store", store).ok().out()).get(field);
    }

    /**
     * A volume read slowly (2 MiB/s, a disk in use): data reaches the receivers before the read
     * ends, so the capture and the sending overlap; the store then holds the image they got.
     */
    @Test
    void aVolumeIsSentWhileItIsCapturedAndTheStoreHoldsWhatTheReceiversGot(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        try (NetLab lab = NetLab.up(NetLab.uniqueName("m2"), 2, NetLab.Options.defaults().loss(3))) {
            LabRun run = new LabRun(lab, dir);
            List<Process> ps = new ArrayList<>();
            for (int i = 1; i <= 2; i++) ps.add(peer(lab, dir, "r" + i, dir.resolve("r" + i + ".img")));
            Process m = master(lab, dir, "send", volume, "--capture-to", store, "--name", "v", "--min-receivers", 2,
                    "--read-rate", "2MiB/s", "--rate", "300Mbit");
            for (int i = 1; i <= 2; i++) {
                Map<String, Object> r = run.result("r" + i, ps.get(i - 1), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r" + i));
                assertTrue(Sh.cmp(volume, dir.resolve("r" + i + ".img"), Files.size(volume)), "r" + i + " holds the volume");
            }
            Map<String, Object> s = run.result("s", m, Duration.ofSeconds(60));
            assertEquals(0, ((Number) s.get("exit")).intValue(), run.log("s"));
            assertTrue(((Number) s.get("sent_while_reading_bytes")).longValue() > 1 << 20,
                    "data went out while the source was captured: " + s.get("sent_while_reading_bytes"));
        }
        Path plain = dir.resolve("plain");
        Cli.run("capture", volume, "--name", "v", "--store", plain).ok();
        assertEquals(info(plain, "v", "manifest_sha256"), info(store, "v", "manifest_sha256"), "the same image as a plain capture");
        Cli.run("verify", "--store", store).ok();
        Path back = dir.resolve("back.img");
        Cli.run("apply", "v", back, "--store", store).ok();
        assertTrue(Sh.cmp(volume, back, Files.size(volume)), "the store's image applies back to the volume");
        Sh.run("e2fsck", "-fn", back.toString()).ok();
    }

    /**
     * A tree into a store that already holds an older edition of it: chunks the store has are
     * still sent (the store is not asked to keep them twice), and the image is a plain capture's.
     */
    @Test
    void aTreeIntoAStoreThatHoldsMostOfItAlready(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path old = dir.resolve("old");
        TreeGen.copy(tree, old);
        TreeGen.nextEdition(old, 43);
        Cli.run("capture", old, "--name", "old", "--store", store).ok();
        try (NetLab lab = NetLab.up(NetLab.uniqueName("m2"), 2, NetLab.Options.defaults().loss(3))) {
            LabRun run = new LabRun(lab, dir);
            List<Process> ps = new ArrayList<>();
            for (int i = 1; i <= 2; i++) ps.add(peer(lab, dir, "r" + i, dir.resolve("t-r" + i)));
            Process m = master(lab, dir, "send", tree, "--capture-to", store, "--name", "t", "--min-receivers", 2, "--rate", "300Mbit");
            for (int i = 1; i <= 2; i++) {
                Map<String, Object> r = run.result("r" + i, ps.get(i - 1), Duration.ofSeconds(120));
                assertEquals(0, ((Number) r.get("exit")).intValue(), run.log("r" + i));
                TreeDiff.assertSame(tree, dir.resolve("t-r" + i));
            }
            assertEquals(0, ((Number) run.result("s", m, Duration.ofSeconds(60)).get("exit")).intValue(), run.log("s"));
        }
        Path plain = dir.resolve("plain");
        Cli.run("capture", old, "--name", "old", "--store", plain).ok();
        Cli.run("capture", tree, "--name", "t", "--store", plain).ok();
        assertEquals(info(plain, "t", "manifest_sha256"), info(store, "t", "manifest_sha256"), "the same image as a plain capture");
        assertEquals(info(plain, "t", "stored_bytes"), info(store, "t", "stored_bytes"));
        Cli.run("verify", "--store", store).ok();
        Path back = dir.resolve("back");
        Cli.run("apply", "t", back, "--store", store).ok();
        TreeDiff.assertSame(tree, back);
    }
}
