package io.imgcast.peer;

import io.imgcast.peer.MasterSession.Event;
import io.imgcast.peer.MasterSession.Seen;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A master's session on a simulated clock: when it starts, fails, lingers and ends. */
class MasterSessionTest {
    private static final long MS = 1_000_000L;

    private static Seen reading() {
        return new Seen(false, 0, false);
    }

    private static Seen joined(int n) {
        return new Seen(true, n, false);
    }

    private static Seen finished(int n) {
        return new Seen(true, n, true);
    }

    @Test
    void readsThenStartsOnEnoughReceivers() {
        MasterSession s = new MasterSession(2, 60_000, 3_000);
        assertEquals(List.of(), s.step(0, reading()));
        assertEquals(Phase.READING, s.phase());
        assertEquals(List.of(Event.READY), s.step(200 * MS, joined(0)));
        assertEquals(Phase.READY, s.phase());
        assertEquals(List.of(), s.step(400 * MS, joined(1)));
        assertEquals(List.of(Event.START), s.step(600 * MS, joined(2)));
        assertEquals(Phase.SENDING, s.phase());
    }

    @Test
    void readyAndStartInOneStep() {
        MasterSession s = new MasterSession(1, 60_000, 3_000);
        assertEquals(List.of(Event.READY, Event.START), s.step(0, joined(1)));
    }

    @Test
    void startsOnTheOperatorsWordWithSomeoneJoined() {
        MasterSession s = new MasterSession(5, 60_000, 3_000);
        s.step(0, joined(0));
        s.go();
        assertEquals(List.of(), s.step(200 * MS, joined(0)), "the word needs someone to send to");
        assertEquals(List.of(Event.START), s.step(400 * MS, joined(1)));
    }

    @Test
    void startsWhenTheWaitRanOutWithWhoeverJoined() {
        MasterSession s = new MasterSession(5, 10_000, 3_000);
        s.step(1000 * MS, joined(0));
        assertEquals(List.of(), s.step(11_000 * MS, joined(2)), "the wait runs from ready; exactly the wait is not beyond it");
        assertEquals(List.of(Event.START), s.step(11_001 * MS, joined(2)));
    }

    @Test
    void failsWithNoOneAfterTheWait() {
        MasterSession s = new MasterSession(1, 10_000, 3_000);
        assertEquals(List.of(), s.step(50_000 * MS, reading()), "the wait starts only once joinable");
        s.step(60_000 * MS, joined(0));
        assertEquals(List.of(), s.step(70_000 * MS, joined(0)));
        assertEquals(List.of(Event.NO_ONE), s.step(70_001 * MS, joined(0)));
        assertEquals(Phase.ENDED, s.phase());
        assertEquals(List.of(), s.step(80_000 * MS, joined(3)), "ended stays ended");
    }

    @Test
    void lingersForLateReceiversThenEnds() {
        MasterSession s = new MasterSession(1, 10_000, 3_000);
        s.step(0, joined(1));
        assertEquals(List.of(), s.step(1000 * MS, finished(1)));
        assertEquals(List.of(), s.step(2000 * MS, joined(2)), "a late receiver: not finished any more");
        assertEquals(List.of(), s.step(3000 * MS, finished(2)));
        assertEquals(List.of(), s.step(6000 * MS, finished(2)), "the linger runs from the last calm start");
        assertEquals(List.of(Event.FINISHED), s.step(6001 * MS, finished(2)));
        assertEquals(Phase.ENDED, s.phase());
    }

    @Test
    void endedFromOutsideOnce() {
        MasterSession s = new MasterSession(1, 10_000, 3_000);
        s.step(0, joined(1));
        assertTrue(s.end());
        assertFalse(s.end(), "the second end (a shutdown hook after a failure) does nothing");
        assertEquals(List.of(), s.step(100_000 * MS, finished(1)));
    }

    @Test
    void phasesAreJoinableOnlyWhileReadyOrSending() {
        assertFalse(Phase.READING.joinable());
        assertTrue(Phase.READY.joinable());
        assertTrue(Phase.SENDING.joinable());
        assertFalse(Phase.ENDED.joinable());
        for (Phase p : Phase.values()) assertEquals(p, Phase.of(p.toString()));
        assertEquals("reading", Phase.READING.toString());
    }
}
