package io.imgcast.server;

import io.imgcast.cast.BlockReport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One machine's repair budget, with the clock and the stream's source symbols passed in. */
class RepairBudgetTest {
    private static final long S = 1_000_000_000L;
    /** Plenty of data sent: only the time limit binds. */
    private static final long LOTS = 1_000_000_000L;

    @Test
    void aReportOfANewBurstCostsItsMissingSymbolsOnce() {
        RepairBudget b = new RepairBudget(100, 100, 0);
        b.admit(List.of(), 0, 0, 0);
        List<BlockReport> r = List.of(new BlockReport(1, 0, 30), new BlockReport(2, 0, 50));
        assertEquals(r, b.admit(r, 0, LOTS, 0));
        assertEquals(20, b.tokens(), 1e-9);
        assertEquals(r, b.admit(r, 0, LOTS, 0), "the same bursts again cost nothing (reports repeat every feedback)");
        assertEquals(20, b.tokens(), 1e-9);
        List<BlockReport> next = List.of(new BlockReport(1, 1, 30));
        assertEquals(List.of(new BlockReport(1, 1, 20)), b.admit(next, 0, LOTS, 0), "a new burst is cut to what the bucket holds");
        assertEquals(0, b.tokens(), 1e-9);
        assertEquals(List.of(new BlockReport(1, 1, 25)), b.admit(next, 0, LOTS, S / 20), "its rest is asked again as the bucket refills");
        assertEquals(next, b.admit(next, 0, LOTS, S / 10));
        assertEquals(0, b.tokens(), 1e-9);
        assertEquals(List.of(new BlockReport(1, 1, 12)), b.admit(List.of(new BlockReport(1, 1, 12)), 0, LOTS, S / 10), "fewer missing: free");
        assertEquals(0, b.tokens(), 1e-9);
    }

    @Test
    void whatAMachineCanDemandInAllIsAShareOfTheDataSent() {
        RepairBudget b = new RepairBudget(1e9, 1e9, 0); // no time limit to speak of
        long demanded = 0;
        int cutToNothing = 0;
        long source = 0;
        for (int t = 0; t < 100; t++) { // 100 feedbacks, each a new burst of 384 blocks all missing, 1,000 source symbols sent between
            List<BlockReport> all = new ArrayList<>();
            for (int k = 0; k < 384; k++) all.add(new BlockReport(k, t & 0xff, 255));
            List<BlockReport> kept = b.admit(all, 0, source, t * S / 10);
            assertEquals(384, kept.size(), "reports are cut, never dropped (silence would mean 'lost it all')");
            for (BlockReport r : kept) {
                demanded += r.missing();
                if (r.missing() == 0) cutToNothing++;
            }
            source += 1000;
        }
        // without the budget: 100 * 384 * 255 = 9.8 million symbols for 100,000 sent
        assertTrue(demanded <= RepairBudget.FLOOR + RepairBudget.SHARE * source + RepairBudget.TRICKLE * 10, "a share of the data: " + demanded);
        assertTrue(cutToNothing > 0);
        assertTrue(demanded >= RepairBudget.SHARE * source / 2, "yet it still gets repair: " + demanded);
    }

    @Test
    void aMachineReportingEveryBlockMissingGetsOnlyItsShareOfTime() {
        RepairBudget b = new RepairBudget(1000, 1000, 0);
        long demanded = 0;
        for (int t = 0; t < 100; t++) { // ten seconds of feedback every 100 ms
            List<BlockReport> all = new ArrayList<>();
            for (int k = 0; k < 384; k++) all.add(new BlockReport(k, t & 0xff, 255));
            for (BlockReport r : b.admit(all, 0, t == 0 ? 0 : LOTS, t * S / 10)) demanded += r.missing();
            assertTrue(demanded > 0);
        }
        assertTrue(demanded <= 1000 + 10 * 1000, "at most the bucket and ten seconds of refill: " + demanded);
        assertTrue(demanded >= 5000, "yet it still gets repair: " + demanded);
    }

    @Test
    void movingToAnotherStreamEarnsNothingFromItsCounter() {
        RepairBudget b = new RepairBudget(1e9, 1e9, 0);
        b.admit(List.of(), 0, 10, 0);
        b.admit(List.of(), 1, 1_000_000, 0);
        assertEquals(RepairBudget.FLOOR, b.tokens(), 1e-9, "another stream's counter is a new baseline");
        b.admit(List.of(), 1, 1_000_100, 0);
        assertEquals(RepairBudget.FLOOR + 50, b.tokens(), 1e-9);
        b.admit(List.of(), 1, 1_000_100, S);
        assertEquals(RepairBudget.FLOOR + 50 + RepairBudget.TRICKLE, b.tokens(), 1e-9, "a trickle when no new data is sent");
    }

    @Test
    void whileDataFlowsTimeEarnsNothingBeyondTheShare() {
        RepairBudget b = new RepairBudget(1e9, 1e9, 0);
        b.admit(List.of(), 0, 0, 0);
        for (int t = 1; t <= 600; t++) b.admit(List.of(), 0, t * 10L, t * S / 10); // a minute, 100 symbols a second
        assertEquals(RepairBudget.FLOOR + RepairBudget.SHARE * 6000, b.tokens(), 1e-6,
                "a minute of a slow stream earns its share of the data, not a minute of trickle");
        b.admit(List.of(), 0, 6000, 61 * S);
        assertEquals(RepairBudget.FLOOR + RepairBudget.SHARE * 6000 + RepairBudget.TRICKLE, b.tokens(), 1e-6, "the tail trickles");
    }

    @Test
    void aStreamShareHasAFloorAndBadBudgetsAreRefused() {
        assertEquals(64, RepairBudget.forStream(1, 0).tokens(), 1e-9);
        assertEquals(RepairBudget.FLOOR, RepairBudget.forStream(10_000, 0).tokens(), 1e-9, "the data credit binds first");
        assertThrows(IllegalArgumentException.class, () -> new RepairBudget(0, 10, 0));
    }
}
