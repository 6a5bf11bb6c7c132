package io.imgcast.server;

import io.imgcast.cast.BlockReport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One machine's budget for repair: how many repair symbols its block reports may demand. A block
 * report asks for {@code missing} more symbols of a block; the scheduler sends the largest
 * shortfall any machine reports, so without a budget one machine that reports every block missing
 * multiplies the traffic for everyone. Two limits, both with what is passed in:
 * <ul>
 * <li>per unit of data: the machine earns {@link #SHARE} of a symbol for each source symbol its
 *     stream sends (plus {@link #FLOOR} to start with), so what it can demand in all is bounded by
 *     a share of the data, whatever the session's rate or length;
 * <li>per unit of time: a token bucket of {@code perSecond} symbols, one second saved up, so the
 *     credit cannot be spent in one burst.
 * </ul>
 * A report of a new burst of a block costs its missing symbols (a report repeating the burst
 * already paid for costs nothing); a report the budget cannot pay is dropped for now (the machine
 * reports again next time, and the scheduler's silent-machine rule still repairs a block that a
 * machine needs and stopped reporting). A legitimate machine losing a fraction p of the packets
 * needs about p / (1 - p) of the data as repair: {@link #SHARE} covers p up to a third.
 */
final class RepairBudget {
    /** Repair symbols a machine earns per source symbol of its stream, and the share of the packet rate it may demand. */
    static final double SHARE = 0.5;
    /** Credit to start with: two whole blocks' worth of repair. */
    static final double FLOOR = 512;

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long lastNs;
    private double credit = FLOOR;
    private long lastSource = -1;
    private int lastStream = -1;
    /** The burst of each block last paid for (only blocks still reported are kept). */
    private Map<Long, Integer> paid = new HashMap<>();

    /** {@code perSecond} symbols a second, at most {@code capacity} saved up (a full bucket to start). */
    RepairBudget(double perSecond, double capacity, long nowNs) {
        if (perSecond <= 0 || capacity < 1) throw new IllegalArgumentException("repair budget must be positive");
        this.perSecond = perSecond;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNs = nowNs;
    }

    /** The budget of a machine on a stream sending {@code packetsPerSecond}: {@link #SHARE} of it, one second saved up. */
    static RepairBudget forStream(double packetsPerSecond, long nowNs) {
        double rate = Math.max(64, packetsPerSecond * SHARE);
        return new RepairBudget(rate, rate, nowNs);
    }

    /**
     * The reports the machine can pay for now, in order; the others are dropped.
     * {@code sourceSymbols}: the source symbols its stream ({@code stream}) has sent so far.
     */
    List<BlockReport> admit(List<BlockReport> reports, int stream, long sourceSymbols, long nowNs) {
        if (nowNs > lastNs) {
            tokens = Math.min(capacity, tokens + perSecond * (nowNs - lastNs) / 1e9);
            lastNs = nowNs;
        }
        if (stream == lastStream && sourceSymbols > lastSource) credit += SHARE * (sourceSymbols - lastSource);
        lastStream = stream;
        lastSource = sourceSymbols;
        List<BlockReport> kept = new ArrayList<>(reports.size());
        Map<Long, Integer> nowPaid = new HashMap<>();
        for (BlockReport r : reports) {
            Integer before = paid.get(r.block());
            if (before != null && before == r.burst()) {
                kept.add(r);
                nowPaid.put(r.block(), r.burst());
                continue;
            }
            double cost = Math.max(1, r.missing());
            if (cost > tokens || cost > credit) continue;
            tokens -= cost;
            credit -= cost;
            kept.add(r);
            nowPaid.put(r.block(), r.burst());
        }
        paid = nowPaid;
        return kept;
    }

    /** Symbols the machine may still demand now (for tests). */
    double tokens() {
        return Math.min(tokens, credit);
    }
}
