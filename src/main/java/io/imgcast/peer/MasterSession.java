package io.imgcast.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * A master's session as a state machine over {@link Phase}, with time passed in: it is
 * {@link Phase#READING reading} until its image can be joined, then {@link Phase#READY ready};
 * it starts {@link Phase#SENDING sending} once enough receivers joined, or with whoever joined
 * on the operator's word or when the wait ran out; with no one by then it ends, failed. While
 * sending it ends once every receiver finished and no one new came for the linger time.
 * {@link #end} ends it from outside (a failure, an interruption).
 */
final class MasterSession {
    /** What a step asks the master to do, in order. */
    enum Event {
        /** The image became joinable: announce it now. */
        READY,
        /** Start the data: open the server's gate and announce it. */
        START,
        /** No receiver joined within the wait: end, failed. */
        NO_ONE,
        /** Every receiver finished and the linger time passed: end. */
        FINISHED
    }

    /** What the master sees at a step. */
    record Seen(boolean joinable, int joined, boolean allFinished) {}

    private final int minReceivers;
    private final long waitNs;
    private final long lingerNs;
    private volatile Phase phase = Phase.READING;
    private volatile boolean go;
    private boolean sawReady;
    private long readyAtNs;
    private boolean calm;
    private long calmSinceNs;

    MasterSession(int minReceivers, long waitMs, long lingerMs) {
        this.minReceivers = minReceivers;
        this.waitNs = waitMs * 1_000_000L;
        this.lingerNs = lingerMs * 1_000_000L;
    }

    Phase phase() {
        return phase;
    }

    /** The operator's word: start with whoever joined. */
    void go() {
        go = true;
    }

    /** Ends the session; returns false when it had ended already. */
    synchronized boolean end() {
        if (phase == Phase.ENDED) return false;
        phase = Phase.ENDED;
        return true;
    }

    /** One look at the session; the events to act on, in order (none once ended). */
    synchronized List<Event> step(long nowNs, Seen seen) {
        List<Event> out = new ArrayList<>(2);
        if (phase == Phase.ENDED) return out;
        // joinable: the image is ready, or its chunk table is being published as it is read
        if (!sawReady) {
            if (!seen.joinable()) return out;
            sawReady = true;
            readyAtNs = nowNs;
            phase = Phase.READY;
            out.add(Event.READY);
        }
        if (phase == Phase.READY) {
            int n = seen.joined();
            boolean waited = nowNs - readyAtNs > waitNs;
            if (n >= minReceivers || (n > 0 && (go || waited))) {
                phase = Phase.SENDING;
                out.add(Event.START);
            } else if (waited) {
                phase = Phase.ENDED;
                out.add(Event.NO_ONE);
            }
            return out;
        }
        if (seen.allFinished()) {
            if (!calm) {
                calm = true;
                calmSinceNs = nowNs;
            }
            if (nowNs - calmSinceNs > lingerNs) {
                phase = Phase.ENDED;
                out.add(Event.FINISHED);
            }
        } else {
            calm = false;
        }
        return out;
    }
}
