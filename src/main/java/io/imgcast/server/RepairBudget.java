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
 * already paid for costs nothing); what the budget cannot pay is cut from the report (its
 * missing count lowered, down to 0: "nothing more for now"). A report is cut, never dropped: a
 * machine that reports but says nothing of a block counts, for the scheduler, as having lost all
 * of it. A legitimate machine losing a fraction p of the packets needs about p / (1 - p) of the
 * data as repair: {@link #SHARE} covers p up to a third; at the tail, when its stream sends no
 * new data, {@link #TRICKLE} a second still comes (so such a machine is not starved), which is all
 * that an attacker adds once its share is spent. The trickle does not flow while data does: it
 * used to, and then an attacker's demand grew with the session's length (64 symbols a second
 * over a 60 s session is 5.5 MB, most of a 7 MB image, in HostileLabTest).
 */
final class RepairBudget {
    /** Repair symbols a machine earns per source symbol of its stream, and the share of the packet rate it may demand. */
    static final double SHARE = 0.5;
    /** Credit to start with: two whole blocks' worth of repair. */
    static final double FLOOR = 512;
    /** Credit earned per second while its stream sends no new data (under 1 Mbit/s of repair). */
    static final double TRICKLE = 64;

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long lastNs;
    private double credit = FLOOR;
    private long lastSource = -1;
    private int lastStream = -1;
    /** What was paid for each block still reported: its burst and the report as cut. */
    private Map<Long, BlockReport> paid = new HashMap<>();

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
     * The reports, in order, each cut to what the machine can pay for now (a cut report's rest
     * is asked again at its next repeat).
     * {@code sourceSymbols}: the source symbols its stream ({@code stream}) has sent so far.
     */
    List<BlockReport> admit(List<BlockReport> reports, int stream, long sourceSymbols, long nowNs) {
        boolean sameStream = stream == lastStream;
        if (nowNs > lastNs) {
            double s = (nowNs - lastNs) / 1e9;
            tokens = Math.min(capacity, tokens + perSecond * s);
            // the trickle is for the tail: only while its stream sends no new data (then SHARE pays)
            if (sameStream && sourceSymbols == lastSource) credit += TRICKLE * s;
            lastNs = nowNs;
        }
        if (sameStream && sourceSymbols > lastSource) credit += SHARE * (sourceSymbols - lastSource);
        lastStream = stream;
        lastSource = sourceSymbols;
        List<BlockReport> kept = new ArrayList<>(reports.size());
        Map<Long, BlockReport> nowPaid = new HashMap<>();
        for (BlockReport r : reports) {
            BlockReport before = paid.get(r.block());
            // the same burst again (reports repeat every feedback): what was paid is free, the rest costs
            boolean again = before != null && before.burst() == r.burst();
            int paidMissing = again ? before.missing() : 0;
            boolean paidDirectory = again && (before.noDirectory() || before.missing() > 0);
            int want = Math.max(0, r.missing() - paidMissing) + (r.noDirectory() && !paidDirectory && r.missing() <= paidMissing ? 1 : 0);
            int afford = (int) Math.max(0, Math.min(Math.min(tokens, credit), want));
            tokens -= afford;
            credit -= afford;
            int missing = Math.min(r.missing(), paidMissing + afford);
            BlockReport cut = missing == r.missing() && (!r.noDirectory() || paidDirectory || afford > 0) ? r
                    : new BlockReport(r.block(), r.burst(), missing, r.noDirectory() && (missing > 0 || paidDirectory || afford > 0));
            kept.add(cut);
            nowPaid.put(r.block(), cut);
        }
        paid = nowPaid;
        return kept;
    }

    /** Symbols the machine may still demand now (for tests). */
    double tokens() {
        return Math.min(tokens, credit);
    }
}
