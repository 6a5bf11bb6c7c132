package io.imgcast.peer;

import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ServedImage;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.Extent;
import io.imgcast.server.ImageCatalog;
import io.imgcast.store.StoreException;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mode 3's source without a store: one read, payloads from memory or read again and checked. */
class SourceCatalogTest {
    private static Path volume(Path dir) throws IOException {
        Path v = dir.resolve("vol.img");
        try (RandomAccessFile f = new RandomAccessFile(v.toFile(), "rw")) {
            f.setLength(16L << 20);
            Random r = new Random(5);
            byte[] noise = new byte[3 << 20];
            r.nextBytes(noise);
            f.seek(1L << 20);
            f.write(noise);
            byte[] text = "the same line of text, again and again\n".repeat(50_000).getBytes();
            f.seek(9L << 20);
            f.write(text);
        }
        return v;
    }

    private static void checkAllPayloads(ServedImage img, ImageCatalog.Payloads p) throws IOException {
        byte[] raw = new byte[1 << 20];
        try (ChunkCodec codec = new ChunkCodec(3)) {
            for (ChunkMeta c : img.chunks()) {
                byte[] payload = p.payload(c.id());
                assertEquals(c.storedLength(), payload.length);
                codec.decode(c.codec(), payload, 0, payload.length, raw, 0, c.rawLength());
                assertTrue(c.id().matches(raw, 0, c.rawLength()), "chunk " + c.id().shortHex());
            }
        }
    }

    @Test
    void payloadsReadAgainFromTheSourceEqualTheCachedOnes(@TempDir Path dir) throws Exception {
        Path v = volume(dir);
        SourceCatalog cached = new SourceCatalog(v, "v", 1L << 30);
        SourceCatalog reread = new SourceCatalog(v, "v", 0);
        assertThrows(ImageCatalog.NotYet.class, () -> reread.image("v"));
        ServedImage a = cached.read(false, null, CaptureOptions.defaults());
        ServedImage b = reread.read(false, null, CaptureOptions.defaults());
        assertEquals(0, cached.uncachedChunks());
        assertEquals(b.chunks().size(), reread.uncachedChunks());
        assertEquals(a.chunks(), b.chunks());
        // holes are not part of the image: only the two written regions hold data
        long data = cached.manifest().extents().stream().mapToLong(Extent::length).sum();
        assertTrue(data < 6L << 20, "data " + data);
        ImageCatalog.Payloads pa = cached.openPayloads(), pb = reread.openPayloads();
        for (ChunkMeta c : a.chunks()) assertArrayEquals(pa.payload(c.id()), pb.payload(c.id()));
        checkAllPayloads(b, pb);
        assertEquals(b, reread.image("v"));
        assertThrows(StoreException.class, () -> reread.image("other"));
    }

    @Test
    void aSparseFileOfATreeIsReadAgainBetweenItsHoles(@TempDir Path dir) throws Exception {
        Path tree = java.nio.file.Files.createDirectories(dir.resolve("tree"));
        byte[] data = new byte[8192];
        new java.util.SplittableRandom(3).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("sparse").toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek(32L << 20);
            f.write(data);
        }
        SourceCatalog reread = new SourceCatalog(tree, "t", 0);
        ServedImage img = reread.read(false, null, CaptureOptions.defaults());
        assertTrue(reread.manifest().entries().get(1).holeBytes() > 0, "the holes are recorded");
        checkAllPayloads(img, reread.openPayloads());
    }

    @Test
    void aSourceChangedAfterItsReadFailsClearlyInsteadOfSendingWrongData(@TempDir Path dir) throws Exception {
        Path v = volume(dir);
        SourceCatalog c = new SourceCatalog(v, "v", 0);
        ServedImage img = c.read(false, null, CaptureOptions.defaults());
        try (RandomAccessFile f = new RandomAccessFile(v.toFile(), "rw")) {
            f.seek((1L << 20) + 100);
            f.write(new byte[] {1, 2, 3, 4});
        }
        ImageCatalog.Payloads p = c.openPayloads();
        IOException e = assertThrows(IOException.class, () -> {
            for (ChunkMeta m : img.chunks()) p.payload(m.id());
        });
        assertTrue(e.getMessage().contains("changed since it was read"), e.getMessage());
    }

    @Test
    void rangesLeaveTheRestOut(@TempDir Path dir) throws Exception {
        Path v = volume(dir);
        SourceCatalog c = new SourceCatalog(v, "v", 1L << 30);
        // only [0, 2 MiB) and [10 MiB, 16 MiB): half the noise and the tail of the text
        c.read(true, new long[] {0, 2L << 20, 10L << 20, 16L << 20}, CaptureOptions.defaults());
        for (Extent x : c.manifest().extents()) {
            boolean inFirst = x.offset() >= 0 && x.offset() + x.length() <= 2L << 20;
            boolean inSecond = x.offset() >= 10L << 20 && x.offset() + x.length() <= 16L << 20;
            assertTrue(inFirst || inSecond, "extent " + x.offset() + "+" + x.length());
        }
        long data = c.manifest().extents().stream().mapToLong(Extent::length).sum();
        long textEnd = (9L << 20) + 39L * 50_000;
        long blockEnd = (textEnd + 4095) / 4096 * 4096; // extents end on a 4 KiB block
        assertEquals((1L << 20) + blockEnd - (10L << 20), data, "1 MiB of noise and the text after 10 MiB");
    }

    @Test
    void treeSourcePayloadsReadAgainPerFile(@TempDir Path dir) throws Exception {
        Path tree = dir.resolve("t");
        TreeGen.plain(tree, 3, 2 << 20);
        SourceCatalog c = new SourceCatalog(tree, "t", 0);
        ServedImage img = c.read(false, null, CaptureOptions.defaults());
        assertEquals("TREE", img.kind().name());
        checkAllPayloads(img, c.openPayloads());
        Path some = Files.walk(tree).filter(Files::isRegularFile).filter(f -> f.toFile().length() > 0).findFirst().orElseThrow();
        Files.write(some, new byte[] {9, 9, 9}, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        ImageCatalog.Payloads p = c.openPayloads();
        assertThrows(IOException.class, () -> {
            for (ChunkMeta m : img.chunks()) p.payload(m.id());
        });
    }
}
