package io.imgcast.chunk;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastCdcTest {
    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Cuts the whole array with FastCdc.cut, as a chunker over an in-memory buffer would. */
    static List<Integer> cuts(FastCdc cdc, byte[] data) {
        List<Integer> out = new ArrayList<>();
        int off = 0;
        while (off < data.length) {
            int len = cdc.cut(data, off, data.length - off);
            assertTrue(len > 0 && len <= data.length - off, "cut within the input");
            out.add(len);
            off += len;
        }
        return out;
    }

    /** Cuts through ChunkStream, feeding it reads of random small sizes. */
    static List<Integer> streamCuts(byte[] data, long readSeed) throws IOException {
        List<Integer> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(readSeed);
        int[] pos = {0};
        new ChunkStream(new FastCdc(), 1 << 20).split((buf, off, len) -> {
            if (pos[0] >= data.length) return -1;
            int n = Math.min(Math.min(len, data.length - pos[0]), 1 + r.nextInt(70_000));
            System.arraycopy(data, pos[0], buf, off, n);
            pos[0] += n;
            return n;
        }, (buf, off, len) -> out.add(len));
        return out;
    }

    static Set<String> chunkHashes(byte[] data, List<Integer> cuts) {
        Set<String> s = new HashSet<>();
        int off = 0;
        for (int len : cuts) {
            s.add(ChunkId.hash(data, off, len).hex());
            off += len;
        }
        return s;
    }

    @Test
    void boundariesAreDeterministicAndIndependentOfReadSizes() throws IOException {
        byte[] data = random(12 << 20, 1);
        FastCdc cdc = new FastCdc();
        List<Integer> a = cuts(cdc, data);
        assertEquals(a, cuts(new FastCdc(), data));
        assertEquals(a, streamCuts(data, 5));
        assertEquals(a, streamCuts(data, 6));
        assertEquals(data.length, a.stream().mapToLong(Integer::longValue).sum());
    }

    @Test
    void chunkSizesStayWithinMinAndMax() {
        FastCdc cdc = new FastCdc();
        for (byte[] data : List.of(random(16 << 20, 2), new byte[3 << 20], repeating(5 << 20))) {
            List<Integer> c = cuts(cdc, data);
            for (int i = 0; i < c.size() - 1; i++) {
                int len = c.get(i);
                assertTrue(len >= FastCdc.DEFAULT_MIN && len <= FastCdc.DEFAULT_MAX, "chunk " + i + " has " + len + " bytes");
            }
            assertTrue(c.getLast() > 0 && c.getLast() <= FastCdc.DEFAULT_MAX);
        }
        // zeros never match the mask: every chunk is exactly max
        List<Integer> zeros = cuts(cdc, new byte[FastCdc.DEFAULT_MAX * 4 + 100]);
        assertEquals(List.of(FastCdc.DEFAULT_MAX, FastCdc.DEFAULT_MAX, FastCdc.DEFAULT_MAX, FastCdc.DEFAULT_MAX, 100), zeros);
        // inputs up to min are one chunk; the cut never exceeds what is offered
        assertEquals(List.of(FastCdc.DEFAULT_MIN), cuts(cdc, random(FastCdc.DEFAULT_MIN, 3)));
        assertEquals(List.of(1), cuts(cdc, new byte[] {42}));
    }

    private static byte[] repeating(int n) {
        byte[] b = new byte[n];
        byte[] word = "imgcast deploys images ".getBytes();
        for (int i = 0; i < n; i++) b[i] = word[i % word.length];
        return b;
    }

    @Test
    void averageIsNearTheTarget() {
        List<Integer> c = cuts(new FastCdc(), random(32 << 20, 4));
        double mean = (32 << 20) / (double) c.size();
        assertTrue(mean > FastCdc.DEFAULT_AVG / 2.0 && mean < FastCdc.DEFAULT_AVG * 2.0, "mean chunk " + mean);
    }

    @Test
    void insertingBytesNearTheStartChangesOnlyAFewChunks() {
        byte[] a = random(16 << 20, 5);
        byte[] ins = random(100, 6);
        byte[] b = new byte[a.length + ins.length];
        System.arraycopy(a, 0, b, 0, 1000);
        System.arraycopy(ins, 0, b, 1000, ins.length);
        System.arraycopy(a, 1000, b, 1000 + ins.length, a.length - 1000);
        FastCdc cdc = new FastCdc();
        Set<String> ha = chunkHashes(a, cuts(cdc, a));
        List<Integer> cb = cuts(cdc, b);
        Set<String> hb = chunkHashes(b, cb);
        Set<String> fresh = new HashSet<>(hb);
        fresh.removeAll(ha);
        assertTrue(!fresh.isEmpty() && fresh.size() <= 3, "new chunks after a 100-byte insertion: " + fresh.size() + " of " + cb.size());
        // and the same for a change in the middle
        byte[] m = a.clone();
        m[a.length / 2] ^= 1;
        Set<String> hm = chunkHashes(m, cuts(cdc, m));
        hm.removeAll(ha);
        assertTrue(!hm.isEmpty() && hm.size() <= 2, "new chunks after a 1-byte change: " + hm.size());
    }

    /** The gear table and masks are part of the store format: chunk boundaries of fixed data must never change. */
    @Test
    void boundariesArePinned() throws Exception {
        List<Integer> c = cuts(new FastCdc(), random(4 << 20, 42));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(c.toString().getBytes());
        assertEquals(PINNED, HexFormat.of().formatHex(md.digest()).substring(0, 16), "boundaries " + c);
    }

    static final String PINNED = "daa7318598df0f87";

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(16, 48, 256));
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(64, 64, 256));
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(16, 256, 256));
        assertThrows(IllegalArgumentException.class, () -> new ChunkStream(new FastCdc(), FastCdc.DEFAULT_MAX));
    }

    @Test
    void smallParametersAlsoRespectBounds() {
        FastCdc cdc = new FastCdc(256, 1024, 4096);
        List<Integer> c = cuts(cdc, random(1 << 20, 8));
        for (int i = 0; i < c.size() - 1; i++) assertTrue(c.get(i) >= 256 && c.get(i) <= 4096);
        assertTrue(c.size() > (1 << 20) / 4096);
    }
}
