package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableBarrierTest {
    private static final long LAG = 2_000_000_000L;

    private static List<ChunkMeta> chunks(int n) {
        List<ChunkMeta> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[8];
            Arrays.fill(b, (byte) i);
            out.add(new ChunkMeta(ChunkId.hash(b, 0, 8), (byte) 0, 100, 100));
        }
        return out;
    }

    private static byte[] all(int n) {
        byte[] b = new byte[(n + 7) / 8];
        for (int i = 0; i < n; i++) b[i >> 3] |= (byte) (1 << (i & 7));
        return b;
    }

    private static Map<Integer, List<ChunkMeta>> release(TableBarrier b, long now) {
        Map<Integer, List<ChunkMeta>> out = new HashMap<>();
        b.release(now, id -> true, (id, prio, needs) -> out.computeIfAbsent(id, k -> new ArrayList<>()).addAll(needs));
        return out;
    }

    @Test
    void needsGoOutOnlyOnceEveryMachineThatKeepsUpKnowsThem() {
        List<ChunkMeta> c = chunks(20);
        ChunkTable t = ChunkTable.of(c);
        TableBarrier b = new TableBarrier(LAG);
        b.add(1, t, 0, 0);
        b.add(2, t, 0, 0);
        assertEquals(10, b.report(1, 0, 10, all(10), 100).size());
        assertTrue(release(b, 100).isEmpty(), "machine 2 has not learnt chunks 0-9 yet");
        b.report(2, 0, 4, all(4), 200);
        Map<Integer, List<ChunkMeta>> r = release(b, 200);
        assertEquals(c.subList(0, 4), r.get(1));
        assertEquals(c.subList(0, 4), r.get(2));
        assertEquals(6, b.held(1));
        // a repeated report of a part already reported adds nothing
        assertEquals(0, b.report(1, 0, 10, all(10), 300).size());
        assertEquals(6, b.held(1));
        // machine 1 got chunk 5 meanwhile: it no longer waits for it
        b.got(1, 5);
        b.report(2, 4, 20, all(16), 400);
        assertEquals(List.of(c.get(4), c.get(6), c.get(7), c.get(8), c.get(9)), release(b, 400).get(1));
    }

    @Test
    void aMachineThatLagsTooLongHoldsNoOneBack() {
        List<ChunkMeta> c = chunks(8);
        ChunkTable t = ChunkTable.of(c);
        TableBarrier b = new TableBarrier(LAG);
        b.add(1, t, 3, 0);
        b.add(2, t, 0, 0);
        b.report(1, 0, 8, all(8), 1_000);
        assertTrue(release(b, LAG).isEmpty(), "within its patience the barrier waits for machine 2");
        List<ChunkMeta> got = new ArrayList<>();
        b.release(LAG + 1, id -> true, (id, prio, needs) -> {
            assertEquals(3, prio);
            got.addAll(needs);
        });
        assertEquals(c, got);
        // a machine that is gone holds no one back either
        TableBarrier b2 = new TableBarrier(LAG);
        b2.add(1, t, 0, 0);
        b2.add(2, t, 0, 0);
        b2.report(1, 0, 8, all(8), 10);
        List<ChunkMeta> got2 = new ArrayList<>();
        b2.release(20, id -> id != 2, (id, prio, needs) -> got2.addAll(needs));
        assertEquals(c, got2);
    }

    @Test
    void aReportThatDoesNotFitTheTableIsRefused() {
        TableBarrier b = new TableBarrier(LAG);
        b.add(1, ChunkTable.of(chunks(4)), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> b.report(1, 0, 5, all(5), 0));
        assertThrows(IllegalArgumentException.class, () -> b.report(1, 0, 4, new byte[3], 0));
        assertThrows(IllegalArgumentException.class, () -> b.report(9, 0, 1, all(1), 0));
    }
}
