package io.imgcast.image;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.receiver.TreeTarget;
import io.imgcast.store.Store;
import io.imgcast.testutil.Sh;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.imgcast.image.TreeRoundTripTest.meta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sparse files in file trees: their holes are recorded at capture and stay holes after apply and receive. */
class SparseTreeTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    /** A 200 MiB file holding 4 bytes at 100 MiB, nothing else allocated. */
    static Path lastlogLike(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("lastlog");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(200 * MiB);
            r.seek(100 * MiB);
            r.write(new byte[] {'a', 'b', 'c', 'd'});
        }
        Files.writeString(dir.resolve("plain.txt"), "not sparse\n");
        return f;
    }

    @Test
    void aSparseFileComesBackSparseWithItsExactSize() throws IOException {
        Path src = tmp.resolve("src");
        Path f = lastlogLike(src);
        assertTrue(Sh.allocatedBytes(f) <= 64 * 1024, "the source is sparse");
        Path out = tmp.resolve("out");
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, src, false, meta("sparse"), CaptureOptions.defaults());
            Manifest m = s.manifest(s.image("sparse"));
            Entry e = m.entries().stream().filter(x -> x.path().equals("lastlog")).findFirst().orElseThrow();
            assertEquals(200 * MiB, e.size());
            assertTrue(e.holeBytes() >= 200 * MiB - 64 * 1024, "holes recorded: " + e.holes());
            Apply.run(s, "sparse", out, 2, Progress.NONE);
        }
        Path g = out.resolve("lastlog");
        assertEquals(200 * MiB, Files.size(g));
        assertTrue(Sh.allocatedBytes(g) <= 64 * 1024, "allocated " + Sh.allocatedBytes(g));
        assertTrue(Sh.cmp(f, g, 0), "same bytes");
        assertEquals("not sparse\n", Files.readString(out.resolve("plain.txt")));
    }

    @Test
    void aReceivedSparseFileStaysSparse() throws IOException {
        byte[] block = new byte[4096];
        block[0] = 'a';
        block[3] = 'd';
        ChunkList.Builder b = new ChunkList.Builder();
        ChunkId id = ChunkId.hash(block, 0, block.length);
        b.add(id, block.length);
        Entry root = new Entry("", EntryType.DIRECTORY, 0755, 0, 0, 0, 0, 0, null, 0, List.of(), ChunkList.EMPTY);
        Entry big = new Entry("lastlog", EntryType.FILE, 0644, 0, 0, 0, 0, 200 * MiB, null, 0, List.of(), b.build(),
                List.of(new Span(0, 100 * MiB), new Span(100 * MiB + 4096, 100 * MiB - 4096)));
        Manifest m = Manifest.tree(List.of(root, big));
        Path out = tmp.resolve("received");
        try (TreeTarget t = new TreeTarget(m, out)) {
            assertEquals(java.util.Set.of(id), t.prepare());
            t.write(id, block, block.length);
            t.finish();
            assertNull(t.verify());
        }
        Path g = out.resolve("lastlog");
        assertEquals(200 * MiB, Files.size(g));
        assertTrue(Sh.allocatedBytes(g) <= 64 * 1024, "allocated " + Sh.allocatedBytes(g));
        byte[] got = new byte[4];
        try (RandomAccessFile r = new RandomAccessFile(g.toFile(), "r")) {
            r.seek(100 * MiB);
            r.readFully(got);
        }
        assertEquals("a\0\0d", new String(got, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
