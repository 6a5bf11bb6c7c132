package io.imgcast.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkCodecTest {
    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(n).nextBytes(b);
        return b;
    }

    static byte[] text(int n) {
        byte[] w = "the quick brown fox jumps over the lazy imgcast store\n".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = w[(i * 7 + i / 13) % w.length];
        return b;
    }

    @Test
    void randomDataIsKeptRaw() {
        try (ChunkCodec c = new ChunkCodec(3)) {
            byte[] src = random(200_000);
            byte[] dst = new byte[ChunkCodec.maxCompressedLength(src.length)];
            int[] len = new int[1];
            assertEquals(ChunkCodec.RAW, c.encode(src, 0, src.length, dst, len));
            assertEquals(src.length, len[0]);
            assertArrayEquals(src, Arrays.copyOf(dst, len[0]));
            byte[] back = new byte[src.length];
            c.decode(ChunkCodec.RAW, dst, 0, len[0], back, 0, src.length);
            assertArrayEquals(src, back);
        }
    }

    @Test
    void compressibleDataIsZstdAndRoundTrips() {
        try (ChunkCodec c = new ChunkCodec(3)) {
            byte[] src = text(150_000);
            byte[] dst = new byte[ChunkCodec.maxCompressedLength(src.length)];
            int[] len = new int[1];
            assertEquals(ChunkCodec.ZSTD, c.encode(src, 0, src.length, dst, len));
            assertTrue(len[0] < src.length / 4, "compressed to " + len[0]);
            byte[] back = new byte[src.length + 10];
            c.decode(ChunkCodec.ZSTD, dst, 0, len[0], back, 10, src.length);
            assertArrayEquals(src, Arrays.copyOfRange(back, 10, back.length));
        }
    }

    @Test
    void barelyCompressibleDataIsKeptRaw() {
        // 99% random, 1% zeros: zstd saves less than 3%
        byte[] src = random(100_000);
        Arrays.fill(src, 0, 1000, (byte) 0);
        try (ChunkCodec c = new ChunkCodec(3)) {
            byte[] dst = new byte[ChunkCodec.maxCompressedLength(src.length)];
            int[] len = new int[1];
            assertEquals(ChunkCodec.RAW, c.encode(src, 0, src.length, dst, len));
        }
    }

    @Test
    void damagedPayloadsAreRejected() {
        try (ChunkCodec c = new ChunkCodec(3)) {
            byte[] src = text(100_000);
            byte[] dst = new byte[ChunkCodec.maxCompressedLength(src.length)];
            int[] len = new int[1];
            c.encode(src, 0, src.length, dst, len);
            byte[] out = new byte[src.length];
            // wrong expected length, truncated frame, unknown codec, raw of the wrong size
            assertThrows(CorruptDataException.class, () -> c.decode(ChunkCodec.ZSTD, dst, 0, len[0], out, 0, src.length - 1));
            assertThrows(CorruptDataException.class, () -> c.decode(ChunkCodec.ZSTD, dst, 0, len[0] / 2, out, 0, src.length));
            assertThrows(CorruptDataException.class, () -> c.decode((byte) 7, dst, 0, len[0], out, 0, src.length));
            assertThrows(CorruptDataException.class, () -> c.decode(ChunkCodec.RAW, dst, 0, 10, out, 0, 11));
            byte[] junk = random(500);
            assertThrows(CorruptDataException.class, () -> c.decode(ChunkCodec.ZSTD, junk, 0, junk.length, out, 0, 1000));
        }
    }
}
