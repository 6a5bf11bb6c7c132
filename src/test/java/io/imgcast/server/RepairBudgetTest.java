package io.imgcast.server;

import io.imgcast.cast.BlockReport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One machine's repair budget on a simulated clock. */
class RepairBudgetTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aReportOfANewBurstCostsItsMissingSymbolsOnce() {
        RepairBudget b = new RepairBudget(100, 100, 0);
        List<BlockReport> r = List.of(new BlockReport(1, 0, 30), new BlockReport(2, 0, 50));
        assertEquals(r, b.admit(r, 0));
        assertEquals(20, b.tokens(), 1e-9);
        assertEquals(r, b.admit(r, 0), "the same bursts again cost nothing (reports repeat every feedback)");
        assertEquals(20, b.tokens(), 1e-9);
        List<BlockReport> next = List.of(new BlockReport(1, 1, 30));
        assertEquals(List.of(), b.admit(next, 0), "a new burst the bucket cannot pay is dropped");
        assertEquals(next, b.admit(next, S / 10), "and paid once it refilled");
        assertEquals(0, b.tokens(), 1e-9);
    }

    @Test
    void aMachineReportingEveryBlockMissingGetsOnlyItsShare() {
        RepairBudget b = new RepairBudget(1000, 1000, 0);
        long demanded = 0;
        for (int t = 0; t < 100; t++) { // ten seconds of feedback every 100 ms, each a new burst of 384 blocks all missing
            List<BlockReport> all = new ArrayList<>();
            for (int k = 0; k < 384; k++) all.add(new BlockReport(k, t & 0xff, 255));
            for (BlockReport r : b.admit(all, t * S / 10)) demanded += r.missing();
        }
        // without the budget: 100 * 384 * 255 = 9.8 million symbols
        assertEquals(true, demanded <= 1000 + 10 * 1000, "at most the bucket and ten seconds of refill: " + demanded);
        assertEquals(true, demanded >= 5000, "yet it still gets repair: " + demanded);
    }

    @Test
    void aStreamShareHasAFloorAndBadBudgetsAreRefused() {
        assertEquals(64, RepairBudget.forStream(1, 0).tokens(), 1e-9);
        assertEquals(5000, RepairBudget.forStream(10_000, 0).tokens(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new RepairBudget(0, 10, 0));
    }
}
