package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Scheduler} on its own, burst by burst, with a simulated clock: what it sends, in which
 * order, and what it sends again. Chunks are large enough that each fills a block of its own (two
 * would exceed {@link Scheduler#BLOCK_SYMBOLS} symbols), so a fresh burst names one chunk.
 * Whole sessions with loss are in {@link SchedulerSimulationTest}.
 */
class SchedulerTest {
    private static final int T = CastSimulation.T;
    private static final long MS = 1_000_000L;
    /** More than half a block's worth of bytes: one chunk per block. */
    private static final int SIZE = Scheduler.BLOCK_SYMBOLS * T / 2 + 1;

    /** A machine's report on one incomplete block (the only place that names the report type). */
    private static BlockReport report(Block block, int burst, int missing, boolean noDirectory) {
        return new BlockReport(block.id(), burst, missing, noDirectory);
    }

    private static ChunkMeta chunk(int n) {
        byte[] id = new byte[ChunkId.LENGTH];
        id[0] = (byte) n;
        id[1] = (byte) (n >> 8);
        return new ChunkMeta(ChunkId.of(id), (byte) 0, SIZE, SIZE);
    }

    private static Scheduler scheduler() {
        return new Scheduler(0, Scheduler.Config.defaults(), 0, T);
    }

    /** The one chunk of a fresh burst's block. */
    private static ChunkMeta only(Burst b) {
        assertEquals(1, b.block().chunks().size());
        return b.block().chunks().get(0);
    }

    /** Fresh bursts, one per millisecond from {@code fromMs}, until the scheduler has nothing to send. */
    private static List<Burst> drain(Scheduler s, long fromMs) {
        List<Burst> out = new ArrayList<>();
        for (long t = fromMs; t < fromMs + 1_000; t++) {
            Burst b = s.next(t * MS);
            if (b == null) return out;
            out.add(b);
        }
        throw new AssertionError("the scheduler kept sending for 1000 bursts");
    }

    private static List<ChunkMeta> chunksOf(List<Burst> bursts) {
        List<ChunkMeta> out = new ArrayList<>();
        for (Burst b : bursts) {
            assertFalse(b.repair(), "no repair without a report");
            out.add(only(b));
        }
        return out;
    }

    @Test
    void sendsTheUnionOfWhatTheMachinesNeedEachChunkOnce() {
        ChunkMeta a = chunk(1), b = chunk(2), c = chunk(3), d = chunk(4);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b, c), 0);
        s.addMachine(2, 0, List.of(b, c, d), 0);
        assertEquals(4, s.pendingChunks(), "b and c are needed twice but counted once");
        assertEquals(Set.of(b.id(), c.id(), d.id()), s.needs(2));
        assertEquals(3, s.needCount(1));

        List<Burst> bursts = drain(s, 0);
        assertEquals(List.of(a, b, c, d), chunksOf(bursts), "each chunk once, in first-need order");
        for (Burst burst : bursts) {
            assertTrue(burst.directory(), "a block's first burst carries its directory");
            int k = burst.block().k();
            assertTrue(burst.esis().length >= k, "all source symbols");
            for (int i = 0; i < k; i++) assertEquals(i, burst.esis()[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> s.addMachine(1, 0, List.of(a), 0));
    }

    @Test
    void higherPriorityGoesFirstAndASharedChunkTakesItsHighestNeed() {
        ChunkMeta a = chunk(1), b = chunk(2), c = chunk(3), d = chunk(4);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b), 0);
        s.addMachine(2, 5, List.of(c, d), 0);
        s.addMachine(3, 9, List.of(b), 0);
        assertEquals(List.of(b, c, d, a), chunksOf(drain(s, 0)),
                "b (wanted at 9), then c and d (5) in first-need order, then a (0)");
    }

    @Test
    void aNewcomerOfHigherPriorityOvertakesWhatIsStillWaiting() {
        ChunkMeta a = chunk(1), b = chunk(2), c = chunk(3);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b), 0);
        assertEquals(a, only(s.next(0)));
        s.addMachine(2, 3, List.of(c), MS);
        assertEquals(List.of(c, b), chunksOf(drain(s, 2)));
    }

    @Test
    void aLateJoinerGetsABlockThatWentOutBeforeItCameWholeWithItsDirectory() {
        ChunkMeta a = chunk(1), b = chunk(2);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b), 0);
        Burst first = s.next(0);
        assertEquals(a, only(first));
        assertEquals(b, only(s.next(MS)));
        assertNull(s.next(2 * MS), "nothing more while the first machine has said nothing");
        s.feedback(1, List.of(a.id()), List.of(), 0, 100 * MS);

        s.addMachine(2, 0, List.of(a), 150 * MS);
        Burst again = s.next(151 * MS);
        assertNotNull(again, "the carousel");
        assertTrue(again.repair());
        assertEquals(first.block().id(), again.block().id(), "the same block, not a new one");
        assertTrue(again.directory(), "the newcomer has not seen its directory");
        assertTrue(again.esis().length >= first.block().k(), "it lacks all of it: " + again.esis().length);
        assertNotEquals(first.burst(), again.burst(), "a new burst number");
    }

    @Test
    void chunksNobodyNeedsAnyMoreAreForgotten() {
        ChunkMeta a = chunk(1), b = chunk(2), c = chunk(3);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b, c), 0);
        s.addMachine(2, 0, List.of(c), 0);
        assertEquals(a, only(s.next(0)));
        assertEquals(Set.of(a.id(), b.id(), c.id()), s.removeMachine(1), "what it still needed");
        assertFalse(s.has(1));
        assertEquals(1, s.pendingChunks(), "only c, which machine 2 still needs");
        assertEquals(List.of(c), chunksOf(drain(s, 1)), "a and b are not sent (again)");

        s.feedback(2, List.of(c.id()), List.of(), 0, 100 * MS);
        assertEquals(0, s.pendingChunks());
        assertNull(s.next(101 * MS));
        assertEquals(0, s.activeBlocks(), "blocks nobody wants are retired");
        assertEquals(Set.of(), s.removeMachine(7), "an unknown machine");
    }

    @Test
    void aRepairRoundIsTheWorstShortfallInFreshRepairSymbols() {
        ChunkMeta a = chunk(1), b = chunk(2), c = chunk(3);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b, c), 0);
        s.addMachine(2, 0, List.of(a, b, c), 0);
        Burst first = s.next(0);
        Block block = first.block();
        int k = block.k();
        s.feedback(1, List.of(), List.of(report(block, first.burst(), 3, false)), 0, 100 * MS);
        s.feedback(2, List.of(), List.of(report(block, first.burst(), 5, false)), 0, 100 * MS);

        Burst r1 = s.next(101 * MS);
        assertTrue(r1.repair(), "repair before fresh data");
        assertEquals(block.id(), r1.block().id());
        assertEquals(5, r1.esis().length, "the worst shortfall; no margin while fresh data waits");
        assertFalse(r1.directory(), "both have the directory");
        Set<Integer> sent = new HashSet<>();
        for (int esi : first.esis()) sent.add(esi);
        for (int esi : r1.esis()) assertTrue(esi >= k && sent.add(esi), "a repair symbol not sent before: " + esi);

        assertEquals(b, only(s.next(102 * MS)), "no new report: fresh data, not the same repair again");

        // the next round answers reports on the repair burst, again with symbols not yet sent
        s.feedback(1, List.of(), List.of(report(block, r1.burst(), 1, false)), 0, 200 * MS);
        s.feedback(2, List.of(), List.of(report(block, r1.burst(), 2, false)), 0, 200 * MS);
        Burst r2 = s.next(201 * MS);
        assertEquals(block.id(), r2.block().id());
        assertEquals(2, r2.esis().length);
        for (int esi : r2.esis()) assertTrue(esi >= k && sent.add(esi), "a repair symbol not sent before: " + esi);
    }

    @Test
    void atTheTailARepairRoundAddsAMarginForItsOwnLosses() {
        ChunkMeta a = chunk(1);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a), 0);
        Burst first = s.next(0);
        s.feedback(1, List.of(), List.of(report(first.block(), first.burst(), 10, false)), 0.1, 100 * MS);
        Burst r = s.next(101 * MS);
        assertTrue(r.repair());
        assertTrue(r.esis().length > 10, "nothing else waits: more than the shortfall, " + r.esis().length);
    }

    @Test
    void aMachineThatLacksOnlyTheDirectoryGetsTheDirectoryAlone() {
        ChunkMeta a = chunk(1), b = chunk(2);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b), 0);
        s.addMachine(2, 0, List.of(a, b), 0);
        Burst first = s.next(0);
        s.feedback(1, List.of(), List.of(report(first.block(), first.burst(), 0, true)), 0, 100 * MS);
        s.feedback(2, List.of(), List.of(), 0, 100 * MS);
        Burst r = s.next(101 * MS);
        assertTrue(r.repair());
        assertEquals(first.block().id(), r.block().id());
        assertTrue(r.directory());
        assertEquals(0, r.esis().length, "no symbol: it holds them all");

        // with a symbol shortfall elsewhere, the directory rides along with the symbols
        s.feedback(1, List.of(), List.of(report(first.block(), r.burst(), 0, true)), 0, 200 * MS);
        s.feedback(2, List.of(), List.of(report(first.block(), r.burst(), 4, false)), 0, 200 * MS);
        Burst both = s.next(201 * MS);
        assertEquals(4, both.esis().length);
        assertTrue(both.directory());
    }

    @Test
    void aReportOfNothingMissingAsksForNothing() {
        ChunkMeta a = chunk(1);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a), 0);
        Burst first = s.next(0);
        s.feedback(1, List.of(), List.of(report(first.block(), first.burst(), 0, false)), 0, 100 * MS);
        assertNull(s.next(101 * MS));
        s.feedback(9, List.of(a.id()), List.of(), 0, 100 * MS); // an unknown machine changes nothing
        assertEquals(1, s.pendingChunks());
    }

    @Test
    void aFreshBlockCarriesAProactiveShareOfRepairForTheWorstReportedLoss() {
        ChunkMeta a = chunk(1), b = chunk(2);
        Scheduler s = scheduler();
        s.addMachine(1, 0, List.of(a, b), 0);
        s.addMachine(2, 0, List.of(a, b), 0);
        Burst first = s.next(0);
        assertEquals(first.block().k(), first.esis().length, "no loss reported yet: source symbols only");
        s.feedback(1, List.of(), List.of(), 0.02, 100 * MS);
        s.feedback(2, List.of(), List.of(), 0.10, 100 * MS);
        Burst second = s.next(101 * MS);
        assertEquals(b, only(second));
        int k = second.block().k();
        int repair = second.esis().length - k;
        assertEquals((int) Math.ceil(k * 0.10), repair, "k x the worst loss; esis " + Arrays.toString(second.esis()));
        for (int i = k; i < second.esis().length; i++) assertTrue(second.esis()[i] >= k);
    }

    @Test
    void aBurstLooksOnlyAtTheMachinesNeedingEachActiveBlock() {
        // 600 machines, each needing two chunks of its own and one common chunk
        Scheduler s = scheduler();
        ChunkMeta common = chunk(0);
        for (int m = 1; m <= 600; m++) s.addMachine(m, 0, List.of(common, chunk(2 * m), chunk(2 * m + 1)), 0);
        long t = 0;
        int bursts = 0;
        for (; bursts < 300; bursts++) {
            t += MS;
            if (s.next(t) == null) break;
        }
        assertTrue(s.activeBlocks() > 100, "many blocks in flight: " + s.activeBlocks());
        // per burst: each active block's own wanters (the common block's 600, one machine for each
        // other), not 600 machines' needs against every block's chunks
        long perBurst = s.shortfallVisits / bursts;
        assertTrue(perBurst <= 600 + 2L * s.activeBlocks(), "machines looked at per burst: " + perBurst);
        // a machine that leaves takes its own chunks with it, the common one stays
        s.removeMachine(1);
        assertEquals(1 + 599 * 2, s.pendingChunks());
    }

    @Test
    void aBusyMachinesNoWordOnBlocksDoesNotResendThemWhole() {
        // a machine whose socket still holds datagrams says nothing of blocks (null), and it is
        // not taken for one that heard nothing of them: no block goes out again whole
        for (boolean busy : new boolean[] {true, false}) {
            Scheduler s = scheduler();
            s.addMachine(1, 0, List.of(chunk(1)), 0);
            Burst first = s.next(MS);
            assertNotNull(first);
            long t = 4_000 * MS; // past the silent time
            s.feedback(1, List.of(), busy ? null : List.of(), 0, t);
            Burst again = s.next(t + MS);
            if (busy) assertNull(again, "no word: its earlier word stands");
            else {
                assertNotNull(again, "a report without a word of the block: it heard none of it");
                assertTrue(again.esis().length >= first.block().k(), "so the whole block goes again");
            }
        }
        // the wire format carries the no-word round
        FeedbackFormat f = FeedbackFormat.decode(new FeedbackFormat(new int[] {0}, null, 5, 0, 1, 0, 0).encode(), 1);
        assertNull(f.blocks());
        assertArrayEquals(new int[] {0}, f.completed());
    }
}
