package io.imgcast.codec.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReedSolomonCodeTest {

    /** A source block with all of its repair symbols precomputed. */
    private record Block(ReedSolomonCode code, int t, byte[][] symbols) {
        static Block random(int k, int maxRepair, int t, Random rnd) {
            ReedSolomonCode code = new ReedSolomonCode(k, maxRepair);
            byte[][] source = new byte[k][t];
            for (byte[] s : source) {
                rnd.nextBytes(s);
            }
            byte[][] all = new byte[k + maxRepair][];
            System.arraycopy(source, 0, all, 0, k);
            for (int r = 0; r < maxRepair; r++) {
                all[k + r] = new byte[t];
                code.encodeRepair(source, k + r, all[k + r], 0, t);
            }
            return new Block(code, t, all);
        }

        int k() {
            return code.k();
        }

        /** Feeds the given ESIs in order to a fresh decoder and checks the result byte for byte. */
        void assertRecovers(List<Integer> esis) {
            BlockDecoder dec = new BlockDecoder(code, t);
            assertRecovers(dec, esis);
        }

        void assertRecovers(BlockDecoder dec, List<Integer> esis) {
            for (int i = 0; i < esis.size(); i++) {
                boolean done = dec.add(esis.get(i), symbols[esis.get(i)], 0);
                assertEquals(i + 1 >= k(), done, "add() result after " + (i + 1) + " symbols");
            }
            byte[][] out = dec.decode();
            assertEquals(k(), out.length);
            for (int j = 0; j < k(); j++) {
                assertArrayEquals(symbols[j], out[j], "source symbol " + j + " for ESIs " + esis);
            }
        }
    }

    @Test
    void repairSymbolsAreTheCauchyCombination() {
        Random rnd = new Random(1);
        int k = 10;
        int maxRepair = 6;
        Block b = Block.random(k, maxRepair, 33, rnd);
        for (int r = 0; r < maxRepair; r++) {
            for (int j = 0; j < k; j++) {
                assertEquals(GF256.inv((byte) ((k + r) ^ j)), b.code().coefficient(k + r, j));
            }
            for (int i = 0; i < 33; i++) {
                byte expect = 0;
                for (int j = 0; j < k; j++) {
                    expect ^= GF256.mul(b.code().coefficient(k + r, j), b.symbols()[j][i]);
                }
                assertEquals(expect, b.symbols()[k + r][i]);
            }
        }
    }

    /** Every subset of at least k ESIs, for every small (k, maxRepair), recovers the block. */
    @Test
    void everyErasurePatternForSmallCodes() {
        Random rnd = new Random(2);
        for (int k = 1; k <= 6; k++) {
            for (int maxRepair = 0; maxRepair <= 4; maxRepair++) {
                int n = k + maxRepair;
                Block b = Block.random(k, maxRepair, 17, rnd);
                for (int mask = 0; mask < (1 << n); mask++) {
                    if (Integer.bitCount(mask) < k) {
                        continue;
                    }
                    List<Integer> esis = new ArrayList<>();
                    for (int e = 0; e < n; e++) {
                        if ((mask & (1 << e)) != 0) {
                            esis.add(e);
                        }
                    }
                    b.assertRecovers(esis);
                    Collections.shuffle(esis, rnd);
                    b.assertRecovers(esis);
                }
            }
        }
    }

    /** The case named in the design: k=4, three repair symbols, all 35 four-symbol subsets in all orders. */
    @Test
    void k4m3AllSubsetsAllOrders() {
        Block b = Block.random(4, 3, 64, new Random(3));
        int patterns = 0;
        for (int mask = 0; mask < (1 << 7); mask++) {
            if (Integer.bitCount(mask) != 4) {
                continue;
            }
            List<Integer> esis = new ArrayList<>();
            for (int e = 0; e < 7; e++) {
                if ((mask & (1 << e)) != 0) {
                    esis.add(e);
                }
            }
            for (List<Integer> order : permutations(esis)) {
                b.assertRecovers(order);
                patterns++;
            }
        }
        assertEquals(35 * 24, patterns);
    }

    @Test
    void randomErasuresK47M5() {
        randomErasures(47, 5, 1400, 300, new Random(4));
    }

    @Test
    void randomErasuresK200M55() {
        randomErasures(200, 55, 1400, 25, new Random(5));
    }

    @Test
    void largestBlockAllSourcesLost() {
        Random rnd = new Random(6);
        Block b = Block.random(128, 128, 40, rnd);
        List<Integer> esis = new ArrayList<>();
        for (int e = 128; e < 256; e++) {
            esis.add(e);
        }
        Collections.shuffle(esis, rnd);
        b.assertRecovers(esis);
        Block b2 = Block.random(1, 255, 40, rnd);
        b2.assertRecovers(List.of(255));
        Block b3 = Block.random(255, 1, 40, rnd);
        List<Integer> all = new ArrayList<>();
        for (int e = 1; e < 256; e++) {
            all.add(e);
        }
        b3.assertRecovers(all);
    }

    private static void randomErasures(int k, int maxRepair, int t, int trials, Random rnd) {
        Block b = Block.random(k, maxRepair, t, rnd);
        BlockDecoder dec = new BlockDecoder(b.code(), t);
        List<Integer> all = new ArrayList<>();
        for (int e = 0; e < k + maxRepair; e++) {
            all.add(e);
        }
        for (int trial = 0; trial < trials; trial++) {
            // Lose between 0 and maxRepair source symbols (always maxRepair on the first
            // trial), together with a random subset of repair symbols that leaves enough.
            Collections.shuffle(all, rnd);
            int lost = trial == 0 ? maxRepair : rnd.nextInt(maxRepair + 1);
            List<Integer> sources = new ArrayList<>();
            List<Integer> repairs = new ArrayList<>();
            for (int e : all) {
                (e < k ? sources : repairs).add(e);
            }
            List<Integer> esis = new ArrayList<>(sources.subList(lost, k));
            esis.addAll(repairs.subList(0, lost + rnd.nextInt(maxRepair - lost + 1)));
            Collections.shuffle(esis, rnd);
            dec.reset();
            b.assertRecovers(dec, esis);
        }
    }

    @Test
    void oneRepairSymbolHealsDifferentLossesAtDifferentReceivers() {
        int k = 20;
        Block b = Block.random(k, 4, 1400, new Random(8));
        int repairEsi = k; // the single repair symbol sent
        for (int lostAtA = 0; lostAtA < k; lostAtA++) {
            int lostAtB = (lostAtA + 7) % k;
            for (int lost : new int[] {lostAtA, lostAtB}) {
                List<Integer> esis = new ArrayList<>();
                for (int e = 0; e < k; e++) {
                    if (e != lost) {
                        esis.add(e);
                    }
                }
                esis.add(repairEsi);
                b.assertRecovers(esis);
            }
        }
    }

    @Test
    void duplicatesAreIgnored() {
        Random rnd = new Random(9);
        int k = 8;
        Block b = Block.random(k, 4, 100, rnd);
        BlockDecoder dec = new BlockDecoder(b.code(), 100);
        byte[] garbage = new byte[100];
        rnd.nextBytes(garbage);
        assertEquals(k, dec.missingCount());
        assertFalse(dec.add(0, b.symbols()[0], 0));
        assertFalse(dec.add(0, b.symbols()[0], 0));
        assertFalse(dec.add(0, garbage, 0)); // first copy wins
        assertFalse(dec.add(k + 1, b.symbols()[k + 1], 0));
        assertFalse(dec.add(k + 1, garbage, 0));
        assertEquals(k - 2, dec.missingCount());
        for (int e = 2; e < k - 1; e++) {
            assertFalse(dec.add(e, b.symbols()[e], 0));
            assertFalse(dec.add(e, b.symbols()[e], 0));
        }
        assertEquals(1, dec.missingCount());
        assertFalse(dec.isComplete());
        assertTrue(dec.add(k + 3, b.symbols()[k + 3], 0));
        assertTrue(dec.isComplete());
        assertEquals(0, dec.missingCount());
        // Anything after completion is ignored as well.
        assertTrue(dec.add(1, garbage, 0));
        assertTrue(dec.add(k + 3, garbage, 0));
        byte[][] out = dec.decode();
        for (int j = 0; j < k; j++) {
            assertArrayEquals(b.symbols()[j], out[j]);
        }
        assertSame(out, dec.decode(), "decode() is idempotent");
    }

    @Test
    void tooFewSymbolsGivesClearError() {
        Block b = Block.random(5, 3, 10, new Random(10));
        BlockDecoder dec = new BlockDecoder(b.code(), 10);
        IllegalStateException none = assertThrows(IllegalStateException.class, dec::decode);
        assertTrue(none.getMessage().contains("have 0 distinct symbols but k=5"), none.getMessage());
        dec.add(0, b.symbols()[0], 0);
        dec.add(6, b.symbols()[6], 0);
        dec.add(6, b.symbols()[6], 0);
        dec.add(3, b.symbols()[3], 0);
        dec.add(7, b.symbols()[7], 0);
        assertEquals(1, dec.missingCount());
        IllegalStateException e = assertThrows(IllegalStateException.class, dec::decode);
        assertEquals("cannot decode source block: have 4 distinct symbols but k=5 are needed (1 more)",
                e.getMessage());
        // Still usable afterwards.
        dec.add(5, b.symbols()[5], 0);
        byte[][] out = dec.decode();
        for (int j = 0; j < 5; j++) {
            assertArrayEquals(b.symbols()[j], out[j]);
        }
    }

    @Test
    void offsetsAndZeroPaddedShortLastSymbol() {
        Random rnd = new Random(11);
        int k = 6;
        int t = 50;
        byte[] chunk = new byte[k * t - 23]; // last symbol is 27 bytes long
        rnd.nextBytes(chunk);
        byte[][] source = new byte[k][t];
        for (int j = 0; j < k; j++) {
            int from = j * t;
            System.arraycopy(chunk, from, source[j], 0, Math.min(t, chunk.length - from)); // rest stays 0
        }
        ReedSolomonCode code = new ReedSolomonCode(k, 3);
        // Packets: 4-byte header then the symbol, encoded straight into the packet buffer.
        byte[][] packets = new byte[k + 3][4 + t];
        for (int j = 0; j < k; j++) {
            System.arraycopy(source[j], 0, packets[j], 4, t);
        }
        for (int r = 0; r < 3; r++) {
            Arrays.fill(packets[k + r], (byte) 0x5A);
            code.encodeRepair(source, k + r, packets[k + r], 4, t);
        }
        BlockDecoder dec = new BlockDecoder(code, t);
        // Lose the short last source symbol (ESI 5), source symbol 2 and repair ESI 8.
        for (int e : new int[] {7, 1, 3, 4, 6, 0}) {
            dec.add(e, packets[e], 4);
        }
        byte[][] out = dec.decode();
        byte[] rebuilt = new byte[chunk.length];
        for (int j = 0; j < k; j++) {
            int from = j * t;
            System.arraycopy(out[j], 0, rebuilt, from, Math.min(t, chunk.length - from));
        }
        assertArrayEquals(chunk, rebuilt);
    }

    @Test
    void resetAllowsReuse() {
        Random rnd = new Random(12);
        Block b1 = Block.random(9, 3, 64, rnd);
        byte[][] src2 = new byte[9][64];
        for (byte[] s : src2) {
            rnd.nextBytes(s);
        }
        BlockDecoder dec = new BlockDecoder(b1.code(), 64);
        b1.assertRecovers(dec, List.of(9, 10, 11, 0, 1, 2, 3, 4, 5));
        dec.reset();
        assertEquals(9, dec.missingCount());
        assertFalse(dec.isComplete());
        Block b2 = new Block(b1.code(), 64, withRepairs(b1.code(), src2, 64));
        b2.assertRecovers(dec, List.of(8, 7, 11, 6, 5, 4, 3, 2, 1));
    }

    private static byte[][] withRepairs(ReedSolomonCode code, byte[][] source, int t) {
        byte[][] all = Arrays.copyOf(source, code.encodingSymbolCount());
        for (int r = 0; r < code.maxRepair(); r++) {
            all[code.k() + r] = new byte[t];
            code.encodeRepair(source, code.k() + r, all[code.k() + r], 0, t);
        }
        return all;
    }

    @Test
    void argumentChecks() {
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomonCode(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomonCode(5, -1));
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomonCode(200, 57));
        new ReedSolomonCode(200, 56);
        ReedSolomonCode code = new ReedSolomonCode(4, 2);
        byte[][] src = new byte[4][8];
        byte[] out = new byte[8];
        assertThrows(IllegalArgumentException.class, () -> code.encodeRepair(src, 3, out, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> code.encodeRepair(src, 6, out, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> code.encodeRepair(new byte[3][8], 4, out, 0, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> code.encodeRepair(src, 4, out, 1, 8));
        BlockDecoder dec = new BlockDecoder(code, 8);
        assertThrows(IllegalArgumentException.class, () -> dec.add(-1, out, 0));
        assertThrows(IllegalArgumentException.class, () -> dec.add(6, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> dec.add(0, out, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockDecoder(code, 0));
    }

    private static List<List<Integer>> permutations(List<Integer> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<Integer>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Integer> rest = new ArrayList<>(items);
            Integer head = rest.remove(i);
            for (List<Integer> tail : permutations(rest)) {
                List<Integer> p = new ArrayList<>();
                p.add(head);
                p.addAll(tail);
                result.add(p);
            }
        }
        return result;
    }
}
