package io.imgcast.cast;

/**
 * Chooses which stream a machine rides (M7). Pure. Stream 0 runs at the full rate; a machine
 * that cannot keep up with it — heavy network loss, or receive-buffer overflows that would force
 * the rate down for everyone — is moved to stream 1, which runs at a fraction of the rate, so the
 * rest keep their speed. A slow machine whose figures recover moves back.
 *
 * <p>The number of streams is fixed when the server starts; the planner only picks a machine's
 * stream, by two thresholds (by default more than 20% loss or 5% of its packets overflowing), and
 * moves it back once its loss is under half that limit and its overflows under a quarter. The
 * server keeps a machine where it is when no other rides its stream (then the
 * {@link RateController} serves it better).
 */
public final class StreamPlanner {
    private final int streams;
    private final double lossLimit;
    private final double dropLimit;

    public StreamPlanner(int streams, double lossLimit, double dropLimit) {
        this.streams = Math.max(1, streams);
        this.lossLimit = lossLimit;
        this.dropLimit = dropLimit;
    }

    public static StreamPlanner defaults(int streams) {
        return new StreamPlanner(streams, 0.20, 0.05);
    }

    /** The slow stream's share of the configured rate. */
    public static double slowShare() {
        return 0.25;
    }

    /**
     * @param loss      the machine's measured network loss (0..1)
     * @param dropShare its receive-buffer overflows as a share of the packets it was sent (0..1)
     * @param current   the stream it rides now
     */
    public int choose(double loss, double dropShare, int current) {
        if (streams < 2) return 0;
        boolean slow = loss > lossLimit || dropShare > dropLimit;
        if (slow) return 1;
        boolean recovered = loss < lossLimit / 2 && dropShare < dropLimit / 4;
        return current == 1 && !recovered ? 1 : 0;
    }
}
