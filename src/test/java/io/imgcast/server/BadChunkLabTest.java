package io.imgcast.server;

import io.imgcast.chunk.ChunkId;
import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.manifest.Entry;
import io.imgcast.store.ChunkLocation;
import io.imgcast.store.PackFormat;
import io.imgcast.store.Store;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One damaged chunk in the store fails only the machines that need it: a server serves two
 * images to four machines in network namespaces; the chunk lies only in image b, so b's two
 * machines fail, naming image and chunk (on the server's console and in their own result), and
 * a's two machines receive their image whole. b's machines have priority, so the bad chunk is
 * sent before a's own chunks: a's machines finish only because the session goes on.
 */
class BadChunkLabTest {
    @Test
    void oneBadChunkFailsOnlyTheMachinesThatNeedIt(@TempDir Path dir) throws Exception {
        Needs.lab();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        TreeGen.plain(a, 61, 4 << 20);
        TreeGen.copy(a, b);
        TreeGen.randomFile(a.resolve("only-in-a.bin"), 3 << 20, 63);
        TreeGen.randomFile(b.resolve("only-in-b.bin"), 3 << 20, 62);
        Path store = dir.resolve("store");
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", b, "--name", "b", "--store", store, "-q").ok();
        ChunkId bad;
        ChunkLocation l;
        try (Store s = Store.open(store, false)) {
            Entry e = s.manifest(s.image("b")).entries().stream().filter(x -> x.path().equals("only-in-b.bin")).findFirst().orElseThrow();
            bad = e.chunks().id(0);
            l = s.location(bad).orElseThrow();
            assertFalse(s.chunkSet(s.image("a")).contains(bad), "the chunk is b's alone");
        }
        try (RandomAccessFile r = new RandomAccessFile(store.resolve(String.format("packs/%08d.pack", l.pack())).toFile(), "rw")) {
            long at = l.offset() + PackFormat.RECORD_HEADER + l.storedLength() / 2;
            r.seek(at);
            int x = r.read();
            r.seek(at);
            r.write(x ^ 0x20);
        }

        try (NetLab lab = NetLab.up(NetLab.uniqueName("k"), 4, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            run.server(store, "--rate", "100Mbit", "--min-machines", 4, "--wait", 30);
            Map<String, Process> ps = new LinkedHashMap<>();
            // b's machines come first (priority): the bad chunk goes out while a's own chunks still
            // wait, so a's machines can only finish if the session outlives the bad chunk
            for (int i = 1; i <= 4; i++) {
                ps.put("r" + i, i <= 2 ? run.receiver("r" + i, "a", dir.resolve("out-r" + i))
                        : run.receiver("r" + i, "b", dir.resolve("out-r" + i), "--priority", 5));
            }
            for (int i = 1; i <= 4; i++) {
                String h = "r" + i;
                Map<String, Object> res = run.result(h, ps.get(h), Duration.ofSeconds(150));
                if (i <= 2) {
                    assertEquals(0, ((Number) res.get("exit")).intValue(), h + ": " + run.log(h));
                    TreeDiff.assertSame(a, dir.resolve("out-" + h));
                } else {
                    assertEquals(1, ((Number) res.get("exit")).intValue(), h + ": " + run.log(h));
                    String err = String.valueOf(res.get("error"));
                    assertTrue(err.contains(bad.shortHex()) && err.contains("image b") && err.contains("damaged"), err);
                }
            }
            List<?> machines = (List<?>) run.status().get("machines");
            String rows = machines.toString();
            assertTrue(rows.matches("(?s).*machine=r1[^}]*state=done.*") && rows.matches("(?s).*machine=r2[^}]*state=done.*"), rows);
            assertTrue(rows.matches("(?s).*machine=r3[^}]*state=failed.*") && rows.matches("(?s).*machine=r4[^}]*state=failed.*"), rows);
            String console = Files.readString(dir.resolve("server.log"));
            assertTrue(console.contains("chunk " + bad.shortHex() + " of image b") && console.contains("r3") && console.contains("r4"), console);
            assertFalse(console.contains("EOFException") || console.contains("stream 0:"), console);
        }
        try (Store s = Store.open(store, false)) {
            assertTrue(s.badChunks().containsKey(bad), "the store remembers the bad chunk for the next capture");
        }
    }
}
