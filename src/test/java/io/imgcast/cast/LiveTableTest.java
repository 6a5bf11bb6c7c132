package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveTableTest {
    private static ChunkMeta chunk(int n, int raw) {
        byte[] b = new byte[8];
        Arrays.fill(b, (byte) n);
        return new ChunkMeta(ChunkId.hash(b, 0, b.length), (byte) 1, raw / 2, raw);
    }

    private static ServedImage image(List<ChunkMeta> chunks) {
        return new ServedImage("v", ImageKind.VOLUME, new byte[1], new byte[1], new byte[1], chunks, 1 << 20);
    }

    @Test
    void placementsComeBackInSlicesAndChunksAreIndexedByFirstPlacement() {
        LiveTable t = new LiveTable("v", 1 << 20);
        ChunkMeta a = chunk(1, 4096);
        ChunkMeta b = chunk(2, 8192);
        t.add(0, a);
        t.add(4096, b);
        t.add(65536, a); // a repeated further on (after a hole)
        assertEquals(2, t.size());
        assertEquals(a, t.get(0));
        assertEquals(b, t.get(1));
        assertEquals(3, t.placementCount());

        LiveTable.Slice s = LiveTable.decodeSlice(t.encodeSlice(1));
        assertEquals(1, s.from());
        assertEquals(3, s.total());
        assertFalse(s.complete());
        assertNull(s.failure());
        assertEquals(List.of(new LiveTable.Placement(4096, b), new LiveTable.Placement(65536, a)), s.placements());
        // past the end: nothing, still growing
        assertEquals(0, LiveTable.decodeSlice(t.encodeSlice(99)).placements().size());

        t.complete(image(List.of(a, b)));
        assertTrue(LiveTable.decodeSlice(t.encodeSlice(3)).complete());
        assertThrows(IllegalStateException.class, () -> t.add(70000, b), "nothing is added to a complete table");
    }

    @Test
    void aSliceHoldsAtMostMaxSlicePlacements() {
        LiveTable t = new LiveTable("v", 1L << 40);
        for (int i = 0; i < LiveTable.MAX_SLICE + 10; i++) t.add(i * 4096L, chunk(i % 50, 4096));
        LiveTable.Slice s = LiveTable.decodeSlice(t.encodeSlice(0));
        assertEquals(LiveTable.MAX_SLICE, s.placements().size());
        assertEquals(LiveTable.MAX_SLICE + 10, s.total());
        assertEquals(10, LiveTable.decodeSlice(t.encodeSlice(LiveTable.MAX_SLICE)).placements().size());
    }

    @Test
    void placementsOutOfOrderOrOutsideTheVolumeAreRefused() {
        LiveTable t = new LiveTable("v", 100_000);
        t.add(10_000, chunk(1, 4096));
        assertThrows(IllegalArgumentException.class, () -> t.add(12_000, chunk(2, 4096)), "overlaps the previous one");
        assertThrows(IllegalArgumentException.class, () -> t.add(99_000, chunk(3, 4096)), "beyond the volume's end");
    }

    @Test
    void aFinishedImageThatDiffersFromThePublishedTableIsRefused() {
        LiveTable t = new LiveTable("v", 1 << 20);
        ChunkMeta a = chunk(1, 4096);
        t.add(0, a);
        assertThrows(IllegalStateException.class, () -> t.complete(image(List.of(chunk(2, 4096)))));
        assertNull(t.completed());
    }

    @Test
    void aFailedReadIsToldToReceivers() {
        LiveTable t = new LiveTable("v", 1 << 20);
        t.add(0, chunk(1, 4096));
        t.fail("read error at byte 4096 of /dev/sda: Input/output error");
        LiveTable.Slice s = LiveTable.decodeSlice(t.encodeSlice(0));
        assertEquals("read error at byte 4096 of /dev/sda: Input/output error", s.failure());
    }

    @Test
    void truncatedForgedOrInconsistentSlicesAreRejected() {
        LiveTable t = new LiveTable("v", 1 << 20);
        for (int i = 0; i < 5; i++) t.add(i * 4096L, chunk(i, 4096));
        byte[] good = t.encodeSlice(0);
        for (int cut = 0; cut < good.length; cut += 7) {
            byte[] part = Arrays.copyOf(good, cut);
            assertThrows(CorruptDataException.class, () -> LiveTable.decodeSlice(part), "cut at " + cut);
        }
        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        assertThrows(CorruptDataException.class, () -> LiveTable.decodeSlice(badMagic));
        byte[] badCount = good.clone();
        badCount[13] = 9; // count 9, five entries present
        assertThrows(CorruptDataException.class, () -> LiveTable.decodeSlice(badCount));
        byte[] badLength = good.clone();
        int rawAt = 18 + 8 + 32 + 1 + 4;
        badLength[rawAt] = (byte) 0x80; // a negative raw length
        assertThrows(CorruptDataException.class, () -> LiveTable.decodeSlice(badLength));
        for (int st = 3; st < 6; st++) {
            byte[] x = good.clone();
            x[5] = (byte) st;
            assertThrows(CorruptDataException.class, () -> LiveTable.decodeSlice(x), "state " + st);
        }
        assertArrayEquals(good, t.encodeSlice(0), "encoding is stable");
    }
}
