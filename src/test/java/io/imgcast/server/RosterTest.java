package io.imgcast.server;

import io.imgcast.api.MachineState;
import io.imgcast.cast.ChunkTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The machines' life cycle on a simulated clock. */
class RosterTest {
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT_MS = 15_000;
    private static final ChunkTable TABLE = ChunkTable.of(List.of());

    private final Roster roster = new Roster(TIMEOUT_MS, 0);

    private Machine join(String name, long nowNs) {
        return roster.onJoin(name, "img", TABLE, null, null, 0, nowNs).machine();
    }

    private void needs(Machine m, long chunks) {
        m.needChunks = chunks;
        roster.onNeeds(m);
    }

    @Test
    void aMachineJoinsReceivesAndIsDone() {
        Machine m = join("m1", 10 * MS);
        assertEquals(MachineState.JOINING, m.state);
        assertEquals(0, roster.joinedCount(), "a machine counts once it reported its needs");
        needs(m, 5);
        assertEquals(MachineState.RECEIVING, m.state);
        assertEquals(1, roster.joinedCount());
        assertFalse(roster.allFinished());
        m.needBytes = 1000;
        roster.onDone(m, true, "ignored", 3.5);
        assertEquals(MachineState.DONE, m.state);
        assertNull(m.error);
        assertEquals(3.5, m.seconds);
        assertEquals(1000, m.doneBytes, "done means all it needed is written");
        assertTrue(roster.allFinished());
    }

    @Test
    void aMachineTheServerCannotServeFailsWithTheServersReason() {
        Machine bad = join("m1", 0);
        Machine other = join("m2", 0);
        needs(bad, 3);
        needs(other, 3);
        roster.onServerFailure(bad, "chunk abc of image img is damaged", 5 * MS);
        assertEquals(MachineState.FAILED, bad.state);
        assertEquals(List.of(other), roster.activeMachines(), "the others go on");
        // the receiver then reports its own failure: the server's reason (naming the chunk) stays
        roster.onDone(bad, false, "the server failed this machine", 1.0);
        assertEquals("chunk abc of image img is damaged", bad.error);
        // a machine already finished is not failed again
        roster.onDone(other, true, null, 2.0);
        roster.onServerFailure(other, "late", 6 * MS);
        assertEquals(MachineState.DONE, other.state);
        assertTrue(roster.allFinished());
    }

    @Test
    void aMachineThatNeedsNothingVerifies() {
        Machine m = join("m1", 0);
        needs(m, 0);
        assertEquals(MachineState.VERIFYING, m.state);
        assertTrue(m.state.active());
    }

    @Test
    void aFailureKeepsItsReason() {
        Machine m = join("m1", 0);
        needs(m, 3);
        roster.onDone(m, false, "disk full", null);
        assertEquals(MachineState.FAILED, m.state);
        assertEquals("disk full", m.error);
        assertEquals(0.0, m.seconds, "no seconds reported: left as it was");
    }

    @Test
    void rejoiningReplacesTheEarlierEntry() {
        Machine first = join("m1", 0);
        needs(first, 3);
        Machine other = join("m2", 0);
        Roster.Joined again = roster.onJoin("m1", "img", TABLE, null, null, 0, 5 * MS);
        assertEquals(List.of(first), again.replaced());
        assertEquals(MachineState.REJOINED, first.state);
        assertEquals(MachineState.JOINING, again.machine().state);
        assertEquals(MachineState.JOINING, other.state);
        assertSame(again.machine(), roster.get(again.machine().id));
        assertTrue(again.machine().id > other.id);
        // a finished entry is history, not replaced
        roster.onDone(again.machine(), true, null, 1.0);
        assertTrue(roster.onJoin("m1", "img", TABLE, null, null, 0, 6 * MS).replaced().isEmpty());
    }

    @Test
    void silenceBeyondTheTimeoutIsLost() {
        Machine m = join("m1", 0);
        needs(m, 3);
        Machine done = join("m2", 0);
        roster.onDone(done, true, null, 1.0);
        assertTrue(roster.sweep(TIMEOUT_MS * MS).isEmpty(), "exactly the timeout is not beyond it");
        roster.onContact(m, 10_000 * MS);
        assertTrue(roster.sweep((10_000 + TIMEOUT_MS) * MS).isEmpty(), "a contact restarts the count");
        assertEquals(List.of(m), roster.sweep((10_001 + TIMEOUT_MS) * MS));
        assertEquals(MachineState.LOST, m.state);
        assertEquals("no word from the machine for 15 s; dropped from the list", m.error);
        assertEquals(MachineState.DONE, done.state, "a finished machine is never lost");
        assertTrue(roster.sweep(Long.MAX_VALUE / 2).isEmpty(), "lost once");
        assertFalse(roster.active(m.id));
        assertTrue(roster.allFinished());
    }

    @Test
    void aRefusalIsListedButTakesNoPart() {
        Machine r = roster.onRefuse("m9", "img", "disk too small", 0);
        assertEquals(MachineState.REFUSED, r.state);
        assertEquals("disk too small", r.error);
        assertFalse(r.joined());
        assertFalse(roster.allFinished(), "no machine took part yet");
        assertEquals(0, roster.joinedCount());
        assertTrue(roster.sweep(Long.MAX_VALUE / 2).isEmpty());
        assertEquals(1, roster.rows().size());
        // a refusal is not an earlier entry to replace
        assertTrue(roster.onJoin("m9", "img", TABLE, null, null, 0, 0).replaced().isEmpty());
    }

    @Test
    void idleOnceAMachineFinishedAndNothingHappenedForAWhile() {
        Machine a = join("a", 0);
        needs(a, 2);
        Machine b = join("b", 0);
        needs(b, 0); // verifying: does not hold idleness back
        assertFalse(roster.idle(100_000 * MS, MS), "no machine finished yet");
        roster.onContact(a, 1000 * MS);
        roster.onDone(a, true, null, 1.0);
        assertFalse(roster.idle(1500 * MS, 1000 * MS));
        assertTrue(roster.idle(2001 * MS, 1000 * MS));
        Machine c = join("c", 3000 * MS);
        assertFalse(roster.idle(10_000 * MS, 1000 * MS), "a machine joining is activity");
        roster.onDone(c, false, "x", null);
        assertTrue(roster.idle(10_000 * MS, 1000 * MS));
    }

    @Test
    void feedbackReportsWhatIsNew() {
        Machine m = join("m1", 0);
        needs(m, 2);
        Roster.Delta d = roster.onFeedback(m, 100, 1, 4, 25_000, 4096);
        assertEquals(new Roster.Delta(4, 100), d);
        assertEquals(0.025, m.loss);
        assertEquals(4096, m.doneBytes);
        assertEquals(new Roster.Delta(0, 1), roster.onFeedback(m, 100, 1, 4, 0, 4096), "no new packets still counts one");
        assertEquals(new Roster.Delta(2, 50), roster.onFeedback(m, 150, 1, 6, 0, 8192));
        assertEquals(MachineState.RECEIVING, m.state, "feedback does not change the state");
    }

    @Test
    void othersOnStreamCountsOnlyActiveMachines() {
        Machine a = join("a", 0);
        Machine b = join("b", 0);
        assertTrue(roster.othersOnStream(a));
        roster.onDone(b, true, null, 1.0);
        assertFalse(roster.othersOnStream(a));
        Machine c = join("c", 0);
        c.stream = 1;
        assertFalse(roster.othersOnStream(a));
    }

    @Test
    void rowsAreInIdOrder() {
        for (int i = 0; i < 20; i++) join("m" + i, 0);
        List<Integer> ids = roster.rows().stream().map(r -> r.id()).toList();
        assertEquals(ids.stream().sorted().toList(), ids);
        assertEquals(20, ids.size());
    }

    @Test
    void theListIsBoundedAndFinishedMachinesGoToABoundedHistory() {
        Roster small = new Roster(TIMEOUT_MS, 0, 3, 2);
        Machine a = small.onJoin("a", "img", TABLE, null, null, 0, 0).machine();
        small.onJoin("b", "img", TABLE, null, null, 0, 0);
        small.onJoin("c", "img", TABLE, null, null, 0, 0);
        assertTrue(small.full(), "three unfinished machines fill a list of three");
        small.onDone(a, true, null, 1.0);
        assertFalse(small.full(), "a finished machine makes room");
        for (int i = 0; i < 5; i++) small.onRefuse("r" + i, "img", "no", 0);
        assertEquals(4, small.rows().size(), "two live machines and the two latest finished ones");
        assertNull(small.get(a.id), "the oldest finished machine is forgotten");
        assertEquals(List.of("b", "c", "r3", "r4"), small.rows().stream().map(r -> r.machine()).toList());
        small.onJoin("d", "img", TABLE, null, null, 0, 0);
        assertTrue(small.full());
        assertEquals(3, small.sweep(TIMEOUT_MS * MS + 1).size(), "the silent ones are lost (b, c, d)");
        assertFalse(small.full());
        assertEquals(2, small.rows().stream().filter(r -> !r.state().active()).count());
    }

    @Test
    void onlyTheSameAddressReplacesAName() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("10.0.0.1");
        java.net.InetAddress b = java.net.InetAddress.getByName("10.0.0.2");
        Machine m = roster.onJoin("m1", a, "img", TABLE, null, null, 0, 0).machine();
        assertTrue(roster.onJoin("m1", b, "img", TABLE, null, null, 0, MS).replaced().isEmpty(), "another host taking the name");
        assertEquals(MachineState.JOINING, m.state);
        assertEquals(List.of(m), roster.onJoin("m1", a, "img", TABLE, null, null, 0, 2 * MS).replaced(), "the machine restarted");
        for (int i = 0; i < Roster.MAX_PER_ADDRESS - 2; i++) roster.onJoin("x" + i, b, "img", TABLE, null, null, 0, 0);
        assertFalse(roster.full(b));
        roster.onJoin("last", b, "img", TABLE, null, null, 0, 0);
        assertTrue(roster.full(b), "one host cannot fill the list");
        assertFalse(roster.full(a));
    }
}
