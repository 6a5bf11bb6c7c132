package io.imgcast.manifest;

import com.github.luben.zstd.Zstd;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.util.Posix.Xattr;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ManifestFormatTest {
    static ChunkId id(int i) {
        return ChunkId.hash(new byte[] {(byte) i, (byte) (i >> 8)}, 0, 2);
    }

    static ChunkList chunks(int... idsAndLengths) {
        ChunkList.Builder b = new ChunkList.Builder();
        for (int i = 0; i < idsAndLengths.length; i += 2) b.add(id(idsAndLengths[i]), idsAndLengths[i + 1]);
        return b.build();
    }

    static Entry entry(String path, EntryType type, int mode, String target, ChunkList c) {
        return new Entry(path, type, mode, 1000, 1000, 1_600_000_000_123_456_789L, 1_500_000_000_987_654_321L,
                type == EntryType.FILE ? c.totalBytes() : 0, target, 0, List.of(), c);
    }

    static Manifest tree() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry("", EntryType.DIRECTORY, 0755, 0, 0, 0, -1_234_567_890_123L, 0, null, 0,
                List.of(new Xattr("user.a", "x".getBytes()), new Xattr("security.selinux", new byte[] {0, 1, 2})), ChunkList.EMPTY));
        e.add(entry("dir with space", EntryType.DIRECTORY, 02775, null, ChunkList.EMPTY));
        e.add(entry("dir with space/ünï 日本", EntryType.FILE, 04755, null, chunks(1, 65536, 2, 20000, 1, 65536)));
        e.add(entry("empty", EntryType.FILE, 0, null, ChunkList.EMPTY));
        e.add(entry("link", EntryType.SYMLINK, 0777, "../outside/dir/", ChunkList.EMPTY));
        e.add(entry("hard", EntryType.HARDLINK, 04755, "dir with space/ünï 日本", ChunkList.EMPTY));
        e.add(new Entry("dev", EntryType.BLOCK_DEVICE, 0660, -2, -3, 5, 6, 0, null, (7L << 8) | 200, List.of(), ChunkList.EMPTY));
        e.add(new Entry("chr", EntryType.CHAR_DEVICE, 0666, (int) 4_000_000_000L, 1, 5, 6, 0, null,
                (1L << 8) | 3, List.of(new Xattr("user.empty", new byte[0])), ChunkList.EMPTY));
        e.add(entry("fifo", EntryType.FIFO, 0600, null, ChunkList.EMPTY));
        e.add(entry("sock", EntryType.SOCKET, 0755, null, ChunkList.EMPTY));
        return Manifest.tree(e);
    }

    static Manifest volume() {
        return Manifest.volume(10L << 30, List.of(new Extent(0, 85536, chunks(1, 65536, 2, 20000)),
                new Extent(1L << 30, 65536, chunks(1, 65536)), new Extent((10L << 30) - 20000, 20000, chunks(2, 20000))));
    }

    @Test
    void treeRoundTrip() {
        Manifest m = tree();
        byte[] blob = ManifestFormat.encode(m);
        Manifest d = ManifestFormat.decode(blob);
        assertArrayEquals(blob, ManifestFormat.encode(d), "re-encoding gives the same bytes");
        assertEquals(ImageKind.TREE, d.kind());
        assertEquals(m.entries().size(), d.entries().size());
        for (int i = 0; i < m.entries().size(); i++) {
            Entry a = m.entries().get(i), b = d.entries().get(i);
            assertEquals(a.path(), b.path());
            assertEquals(a.type(), b.type());
            assertEquals(a.mode(), b.mode());
            assertEquals(a.uid(), b.uid());
            assertEquals(a.gid(), b.gid());
            assertEquals(a.atimeNs(), b.atimeNs());
            assertEquals(a.mtimeNs(), b.mtimeNs());
            assertEquals(a.size(), b.size());
            assertEquals(a.target(), b.target());
            assertEquals(a.rdev(), b.rdev());
            assertEquals(a.xattrs().size(), b.xattrs().size());
            for (int j = 0; j < a.xattrs().size(); j++) {
                assertEquals(a.xattrs().get(j).name(), b.xattrs().get(j).name());
                assertArrayEquals(a.xattrs().get(j).value(), b.xattrs().get(j).value());
            }
            assertEquals(a.chunks().size(), b.chunks().size());
            for (int j = 0; j < a.chunks().size(); j++) {
                assertEquals(a.chunks().id(j), b.chunks().id(j));
                assertEquals(a.chunks().length(j), b.chunks().length(j));
            }
        }
        assertNull(d.entries().get(1).target());
        assertEquals(-1_234_567_890_123L, d.entries().get(0).mtimeNs());
        assertEquals(2, d.distinctChunks().size());
        assertEquals(8, d.fileCount());
        assertEquals(2, d.dirCount());
        assertEquals(65536 * 2 + 20000, d.totalBytes());
    }

    @Test
    void volumeRoundTrip() {
        Manifest m = volume();
        byte[] blob = ManifestFormat.encode(m);
        Manifest d = ManifestFormat.decode(blob);
        assertArrayEquals(blob, ManifestFormat.encode(d));
        assertEquals(ImageKind.VOLUME, d.kind());
        assertEquals(10L << 30, d.volumeSize());
        assertEquals(3, d.extents().size());
        assertEquals(1L << 30, d.extents().get(1).offset());
        assertEquals(85536 + 65536 + 20000, d.dataBytes());
        assertEquals(10L << 30, d.totalBytes());
    }

    @Test
    void everyTruncationIsRejected() {
        for (Manifest m : List.of(tree(), volume())) {
            byte[] blob = ManifestFormat.encode(m);
            for (int n = 0; n < blob.length; n++) {
                byte[] cut = Arrays.copyOf(blob, n);
                assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(cut), "prefix of " + n + " bytes");
            }
        }
    }

    /** A flipped byte of the stored form: rejected, or (if zstd ignores that bit) decoded to the very same manifest. */
    @Test
    void garbledStoredBytesAreRejected() {
        for (Manifest m : List.of(tree(), volume())) {
            byte[] blob = ManifestFormat.encode(m);
            int rejected = 0;
            for (int i = 0; i < blob.length; i++) {
                for (int bit : new int[] {0x01, 0x80, 0xff}) {
                    byte[] g = blob.clone();
                    g[i] ^= (byte) bit;
                    try {
                        assertArrayEquals(blob, ManifestFormat.encode(ManifestFormat.decode(g)), "flip at " + i + " changed the manifest silently");
                    } catch (CorruptDataException e) {
                        rejected++;
                    }
                }
            }
            assertTrue(rejected > blob.length * 2, "most flips must be rejected: " + rejected);
        }
    }

    /**
     * Garbage inside a well-formed frame with a valid checksum (as a buggy or hostile writer
     * could produce): only CorruptDataException, never another exception or a huge allocation.
     */
    @Test
    void garbledContentWithValidChecksumFailsCleanly() {
        for (Manifest m : List.of(tree(), volume())) {
            byte[] raw = rawOf(ManifestFormat.encode(m));
            SplittableRandom r = new SplittableRandom(9);
            for (int i = 0; i < raw.length - 32; i++) {
                for (int k = 0; k < 4; k++) {
                    byte[] g = raw.clone();
                    g[i] = (byte) (k == 0 ? 0xff : k == 1 ? 0x80 : k == 2 ? 0 : r.nextInt(256));
                    decodeCleanly(seal(g), "byte " + i);
                }
            }
        }
    }

    @Test
    void hugeCountsAreRejected() {
        // a chunk-table count whose product with the entry size overflows a long
        for (long count : new long[] {(1L << 58) + (1L << 31), (1L << 58) + (1L << 30), Long.MAX_VALUE, -1L, 1L << 62}) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes("IMGCASTM".getBytes(StandardCharsets.US_ASCII));
            o.write(1);
            o.write(1);
            varint(o, count);
            o.writeBytes(new byte[64]);
            byte[] raw = new byte[o.size() + 32];
            System.arraycopy(o.toByteArray(), 0, raw, 0, o.size());
            assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(seal(raw)), "count " + count);
        }
    }

    @Test
    void unsafePathsAreRejected() {
        for (String bad : List.of("../x", "a/../../x", "a/..", "..", "/etc/passwd", "a//b", "./x", "a/./b", ".", "a\0b")) {
            byte[] blob = ManifestFormat.encode(Manifest.tree(List.of(
                    entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY),
                    entry(bad, EntryType.FILE, 0644, null, chunks(1, 100)))));
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(blob), bad);
            assertTrue(e.getMessage().contains("unsafe path"), e.getMessage());
        }
        for (String ok : List.of("a", "a b/c", "..a", "a..", "a/...", "ü/日本")) {
            List<Entry> es = new ArrayList<>();
            es.add(entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY));
            String[] parts = ok.split("/");
            for (int i = 1; i < parts.length; i++) es.add(entry(String.join("/", List.of(parts).subList(0, i)), EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY));
            es.add(entry(ok, EntryType.FILE, 0644, null, chunks(1, 100)));
            byte[] blob = ManifestFormat.encode(Manifest.tree(es));
            assertEquals(ok, ManifestFormat.decode(blob).entries().getLast().path());
        }
    }

    @Test
    void fileSizeMustMatchItsChunks() {
        Entry lying = new Entry("f", EntryType.FILE, 0644, 0, 0, 0, 0, 5, null, 0, List.of(), chunks(1, 100));
        byte[] blob = ManifestFormat.encode(Manifest.tree(List.of(entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY), lying)));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(blob));
        byte[] overlapping = ManifestFormat.encode(Manifest.volume(1000, List.of(new Extent(0, 100, chunks(1, 100)), new Extent(50, 100, chunks(1, 100)))));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(overlapping));
        byte[] beyond = ManifestFormat.encode(Manifest.volume(100, List.of(new Extent(50, 100, chunks(1, 100)))));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(beyond));
    }

    @Test
    void unusedSpansAndSparseHolesRoundTrip() {
        Manifest v = Manifest.volume(1 << 20, List.of(new Extent(4096, 65536, chunks(1, 65536)), new Extent(524288, 20000, chunks(2, 20000))),
                List.of(new Span(0, 4096), new Span(200_000, 100_000), new Span(600_000, (1 << 20) - 600_000)));
        Manifest back = ManifestFormat.decode(ManifestFormat.encode(v));
        assertEquals(v.unused(), back.unused());
        assertEquals(places(v), places(back));
        // zero holes: what is neither data nor unused
        assertEquals(List.of(new Span(69632, 200_000 - 69632), new Span(300_000, 524288 - 300_000), new Span(544288, 600_000 - 544288)),
                back.zeroHoles());
        assertEquals(4096 + 100_000 + (1 << 20) - 600_000, back.unusedBytes());

        Entry sparse = new Entry("big", EntryType.FILE, 0644, 0, 0, 0, 0, 200L << 20, null, 0, List.of(), chunks(3, 4096),
                List.of(new Span(0, 100L << 20), new Span((100L << 20) + 4096, (100L << 20) - 4096)));
        Manifest t = Manifest.tree(List.of(entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY), sparse));
        Entry got = ManifestFormat.decode(ManifestFormat.encode(t)).entries().get(1);
        assertEquals(sparse.holes(), got.holes());
        assertEquals(200L << 20, got.size());
        assertEquals(4096, got.chunks().totalBytes());
    }

    @Test
    void inconsistentUnusedSpansOrHolesAreRefused() {
        byte[] overlap = ManifestFormat.encode(Manifest.volume(1000, List.of(new Extent(0, 100, chunks(1, 100))), List.of(new Span(50, 100))));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(overlap));
        byte[] beyond = ManifestFormat.encode(Manifest.volume(1000, List.of(), List.of(new Span(900, 200))));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(beyond));
        byte[] unsorted = ManifestFormat.encode(Manifest.volume(1000, List.of(), List.of(new Span(500, 10), new Span(100, 10))));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(unsorted));
        // a file whose chunks and holes do not add up to its size
        Entry lying = new Entry("f", EntryType.FILE, 0644, 0, 0, 0, 0, 10_000, null, 0, List.of(), chunks(1, 4096), List.of(new Span(0, 4096)));
        byte[] blob = ManifestFormat.encode(Manifest.tree(List.of(entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY), lying)));
        assertThrows(CorruptDataException.class, () -> ManifestFormat.decode(blob));
    }

    @Test
    void version1ManifestsStillDecode() {
        // version 1 is version 2 without the unused (volume) and holes (entry) lists: drop the
        // last list's count byte before the trailer and set the version byte
        Manifest v = Manifest.volume(1 << 20, List.of(new Extent(4096, 65536, chunks(1, 65536))));
        Manifest t = Manifest.tree(List.of(entry("", EntryType.DIRECTORY, 0755, null, ChunkList.EMPTY)));
        for (Manifest m : List.of(v, t)) {
            byte[] raw2 = rawOf(ManifestFormat.encode(m));
            assertEquals(2, raw2[8], "current version");
            assertEquals(0, raw2[raw2.length - 33], "an empty last list");
            byte[] raw1 = new byte[raw2.length - 1];
            System.arraycopy(raw2, 0, raw1, 0, raw2.length - 33);
            raw1[8] = 1;
            Manifest back = ManifestFormat.decode(seal(raw1));
            assertEquals(m.kind(), back.kind());
            assertEquals(places(m), places(back));
            assertEquals(m.entries(), back.entries());
            assertTrue(back.unused().isEmpty());
        }
    }

    private static List<String> places(Manifest m) {
        return m.extents().stream().map(x -> x.offset() + "+" + x.length() + "/" + x.chunks().size()).toList();
    }

    private static void decodeCleanly(byte[] stored, String what) {
        try {
            ManifestFormat.decode(stored);
        } catch (CorruptDataException expected) {
            // fine
        } catch (Throwable t) {
            fail(what + ": decode threw " + t, t);
        }
    }

    private static byte[] rawOf(byte[] stored) {
        return Zstd.decompress(stored, (int) Zstd.getFrameContentSize(stored));
    }

    /** Recomputes the SHA-256 trailer and compresses, as the encoder does. */
    private static byte[] seal(byte[] raw) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(raw, 0, raw.length - 32);
            System.arraycopy(md.digest(), 0, raw, raw.length - 32, 32);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Zstd.compress(raw, 3);
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }
}
