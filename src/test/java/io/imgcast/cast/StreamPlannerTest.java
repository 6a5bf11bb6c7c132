package io.imgcast.cast;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner's decisions, with a simulated clock: twins, loss against overruns, favouring time or wire. */
class StreamPlannerTest {
    static final long CAP = 1_000_000_000L;
    static final long SLOW = (long) (CAP * StreamPlanner.slowShare());
    static final long MB = 1_000_000L;

    static StreamPlanner.StreamView fast(int machines, long pending, double loss, long rate) {
        return new StreamPlanner.StreamView(machines, pending, loss, rate, CAP);
    }

    static StreamPlanner.StreamView slow(int machines, long pending, double loss) {
        return new StreamPlanner.StreamView(machines, pending, loss, SLOW, SLOW);
    }

    @Test
    void aMachineWhoseTwinStaysDoesNotMoveAlone() {
        // three images a, b, c to six machines (two each), one planned session: a machine of c at
        // 3% loss. Its twin (the other c machine) is in its group, and c shares half its bytes
        // with a and b: moving the pair would send those again on the slow stream for 3% loss
        StreamPlanner p = StreamPlanner.defaults(2);
        StreamPlanner.Group c = new StreamPlanner.Group(List.of(5, 6), 0, 100 * MB, 50 * MB, 0.03, false, 0.0);
        // the stream without the pair: a and b's union (the shared part included), four machines
        int to = p.choose(c, List.of(fast(4, 250 * MB, 0.0, CAP), slow(0, 0, 0)));
        assertEquals(0, to, "c's machines stay together on stream 0");
        StreamPlanner.Cost stay = p.stay(c, List.of(fast(4, 250 * MB, 0.0, CAP), slow(0, 0, 0)));
        StreamPlanner.Cost move = p.move(c, List.of(fast(4, 250 * MB, 0.0, CAP), slow(0, 0, 0)), 1);
        assertTrue(move.wireBytes() > stay.wireBytes(), "moving would put the shared bytes on the wire twice");
        assertTrue(move.seconds() > stay.seconds() * 0.95, "and gains under 5% of restore time: " + move + " vs " + stay);
    }

    @Test
    void aLossyGroupWithDataOfItsOwnMovesWhenThatShortensTheSessionAndSavesWire() {
        StreamPlanner p = StreamPlanner.defaults(2);
        // 20 machines on stream 0 need 400 MB; a pair needs 40 MB nobody else does, at 30% loss:
        // its loss sizes everyone's repair while it stays
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(21, 22), 0, 40 * MB, 0, 0.30, false, 0.01);
        List<StreamPlanner.StreamView> s = List.of(fast(20, 400 * MB, 0.01, CAP), slow(0, 0, 0));
        assertEquals(1, p.choose(g, s));
        assertTrue(p.move(g, s, 1).wireBytes() < p.stay(g, s).wireBytes());
        assertTrue(p.move(g, s, 1).seconds() < p.stay(g, s).seconds());
    }

    @Test
    void theSettingFavoursRestoreTimeOrWire() {
        // one lossy machine of the same image as 39 others: moving it shortens the others' restore
        // time (no more repair for its 35%) but sends the whole image again
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(40), 0, 100 * MB, 100 * MB, 0.35, false, 0.01);
        List<StreamPlanner.StreamView> s = List.of(fast(39, 100 * MB, 0.01, CAP), slow(0, 0, 0));
        assertEquals(1, new StreamPlanner(new StreamPlanner.Config(2, 1.0, 0.02, 0.01, 0, 0.1)).choose(g, s), "favouring time");
        assertEquals(0, new StreamPlanner(new StreamPlanner.Config(2, 0.0, 0.02, 0.01, 0, 0.1)).choose(g, s), "favouring wire");
        assertEquals(0, StreamPlanner.defaults(2).choose(g, s), "balanced: twice the wire is not worth 17% of time");
        assertThrows(IllegalArgumentException.class, () -> new StreamPlanner.Config(2, 1.5, 0, 0, 0, 0));
    }

    @Test
    void overrunsAreAnsweredByPacingFirst() {
        StreamPlanner p = StreamPlanner.defaults(2);
        long t = 5_000_000_000L;
        // a busy machine overruns its socket: not a candidate until the rate controller had its settle time
        assertFalse(p.candidate(7, 0, 0.0, 0.08, t));
        assertFalse(p.candidate(7, 0, 0.0, 0.08, t + 1_000_000_000L), "still pacing");
        // pacing worked: overruns gone, the machine is forgotten
        assertFalse(p.candidate(7, 0, 0.0, 0.0, t + 1_500_000_000L));
        assertFalse(p.candidate(7, 0, 0.0, 0.08, t + 3_000_000_000L), "a new spell starts the clock again");
        assertTrue(p.candidate(7, 0, 0.0, 0.08, t + 5_000_000_000L), "overruns that outlast pacing");
        // weighed: with the stream paced down to an eighth for it, 30 others wait on it: it moves
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(7), 0, 100 * MB, 100 * MB, 0.0, true, 0.0);
        assertEquals(1, p.choose(g, List.of(fast(30, 100 * MB, 0.0, CAP / 8), slow(0, 0, 0))));
        // with the rate back near the cap, the slow stream would only send the image twice
        assertEquals(0, p.choose(g, List.of(fast(30, 100 * MB, 0.0, CAP * 9 / 10), slow(0, 0, 0))));
    }

    @Test
    void lossAndOverrunsAreWeighedApart() {
        // a machine at 8% loss and no overruns: its loss sizes the stream's repair, the rate stays
        StreamPlanner p = StreamPlanner.defaults(2);
        StreamPlanner.Group lossy = new StreamPlanner.Group(List.of(3), 0, 60 * MB, 10 * MB, 0.08, false, 0.0);
        StreamPlanner.Group overrun = new StreamPlanner.Group(List.of(3), 0, 60 * MB, 10 * MB, 0.0, true, 0.0);
        List<StreamPlanner.StreamView> pacedDown = List.of(fast(10, 300 * MB, 0.0, CAP / 6), slow(0, 0, 0));
        StreamPlanner.Cost lossyMove = p.move(lossy, pacedDown, 1);
        StreamPlanner.Cost overrunMove = p.move(overrun, pacedDown, 1);
        // moving the overrunning machine frees its stream to run at the cap again; the lossy one's
        // stream keeps the rate it has
        assertTrue(overrunMove.seconds() < lossyMove.seconds(), overrunMove + " vs " + lossyMove);
    }

    @Test
    void aLateJoinersTransientFigureDoesNotMoveIt() {
        StreamPlanner p = StreamPlanner.defaults(2);
        // a loss-free late joiner's first report (before its figure settles) shows a spike
        assertFalse(p.candidate(9, 0, 0.11, 0, 1_000_000_000L));
        assertFalse(p.candidate(9, 0, 0.0, 0, 1_300_000_000L));
        assertFalse(p.candidate(9, 0, 0.0, 0, 4_000_000_000L), "a spell under the settle time is forgotten");
    }

    @Test
    void aGroupOnTheSlowStreamComesBackOnceItsLossIsGone() {
        StreamPlanner p = StreamPlanner.defaults(2);
        assertTrue(p.candidate(21, 1, 0.0, 0.0, 0), "a machine on the slow stream is always weighed for the way back");
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(21, 22), 1, 40 * MB, 0, 0.0, false, 0.0);
        assertEquals(1, p.choose(g, List.of(fast(20, 400 * MB, 0.01, CAP), slow(0, 0, 0))),
                "the fast stream has ten times its data left: it finishes sooner beside it");
        assertEquals(0, p.choose(g, List.of(fast(20, 10 * MB, 0.01, CAP), slow(0, 0, 0))), "the fast stream nearly done: back");
        StreamPlanner.Group still = new StreamPlanner.Group(List.of(21, 22), 1, 40 * MB, 0, 0.30, false, 0.0);
        assertEquals(1, p.choose(still, List.of(fast(20, 100 * MB, 0.01, CAP), slow(0, 0, 0))), "still lossy: it stays");
    }

    @Test
    void oneStreamOnly() {
        StreamPlanner p = StreamPlanner.defaults(1);
        assertFalse(p.candidate(1, 0, 0.9, 0.9, 10_000_000_000L));
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(1), 0, MB, 0, 0.9, true, 0);
        assertEquals(0, p.choose(g, List.of(fast(3, MB, 0, CAP))));
    }
}
