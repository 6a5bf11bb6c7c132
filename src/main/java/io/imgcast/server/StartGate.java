package io.imgcast.server;

/**
 * The start barrier: data is held until {@code minMachines} machines joined (reported their
 * needs), or the wait ran out after the first join, or the operator said go. Once open it
 * stays open. Time passed in; {@link #isOpen} may be read from any thread.
 */
final class StartGate {
    private final int minMachines;
    private final long waitNs;
    private boolean anyJoined;
    private long firstJoinNs;
    private volatile boolean open;

    StartGate(int minMachines, long waitMs) {
        this.minMachines = minMachines;
        this.waitNs = waitMs * 1_000_000L;
    }

    /** A machine joined; the wait runs from the first. */
    synchronized void onJoin(long nowNs) {
        if (!anyJoined) {
            anyJoined = true;
            firstJoinNs = nowNs;
        }
    }

    /** Opens the gate when {@code joined} machines are enough or the wait since the first join ran out; returns whether it is open. */
    synchronized boolean check(int joined, long nowNs) {
        if (!open && anyJoined && (joined >= minMachines || nowNs - firstJoinNs > waitNs)) open = true;
        return open;
    }

    /** The operator's word: open now, whoever joined. */
    void open() {
        open = true;
    }

    boolean isOpen() {
        return open;
    }
}
