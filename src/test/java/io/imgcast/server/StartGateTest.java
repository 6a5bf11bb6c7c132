package io.imgcast.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start barrier on a simulated clock. */
class StartGateTest {
    private static final long MS = 1_000_000L;

    @Test
    void opensWhenEnoughJoined() {
        StartGate g = new StartGate(3, 60_000);
        assertFalse(g.check(5, 0), "closed before anyone joined");
        g.onJoin(100 * MS);
        assertFalse(g.check(2, 200 * MS));
        assertTrue(g.check(3, 300 * MS));
        assertTrue(g.isOpen());
        assertTrue(g.check(0, 400 * MS), "open stays open");
    }

    @Test
    void opensWhenTheWaitSinceTheFirstJoinRanOut() {
        StartGate g = new StartGate(10, 5_000);
        g.onJoin(1000 * MS);
        g.onJoin(4000 * MS); // later joins do not restart the wait
        assertFalse(g.check(0, 6000 * MS), "exactly the wait is not beyond it");
        assertTrue(g.check(0, 6001 * MS));
    }

    @Test
    void nothingJoinedNeverOpensByItself() {
        StartGate g = new StartGate(1, 0);
        assertFalse(g.check(0, Long.MAX_VALUE / 2));
        g.open();
        assertTrue(g.isOpen(), "the operator's word");
    }

    @Test
    void anEndlessWaitDoesNotOverflow() {
        StartGate g = new StartGate(Integer.MAX_VALUE, Long.MAX_VALUE / 4_000_000L); // a peer master's gate
        g.onJoin(0);
        assertFalse(g.check(1000, 3_600_000 * MS));
    }
}
