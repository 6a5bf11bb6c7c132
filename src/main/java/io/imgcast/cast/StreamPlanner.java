package io.imgcast.cast;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses which stream a group of machines rides (M7), by a model of restore time and wire cost
 * (seed 000: "restore time and total bandwidth"). Pure, time passed in.
 *
 * <p>Stream 0 runs at the configured rate, stream 1 at {@link #slowShare()} of it. A machine is
 * a <em>candidate</em> for a move once its network loss or its receive overruns stayed above a
 * small floor for {@link Config#settleNs} (overruns are answered by pacing first: the
 * {@link RateController} slows its stream meanwhile, and the model then sees the paced rate).
 * A candidate never moves alone: it moves with its <em>twins</em>, the machines on its stream
 * needing mostly the same chunks (the caller finds them), as one {@link Group} — or not at all,
 * so that data they share never goes out on two streams for one machine's sake.
 *
 * <p>The model, for the group staying or moving to stream {@code t}: a stream's wire is its
 * pending bytes times (1 + the worst network loss on it) — proactive and repair symbols are
 * sized from the lossiest machine; its time is that wire over its rate, where a stream carrying
 * a machine that overruns runs at the paced rate it has now. Moving takes the group's exclusive
 * bytes off its stream and puts all its bytes (shared ones again) on {@code t}. Restore time is
 * the mean of the machines' finishing times (every machine on a stream taken to finish with it).
 * A group moves only when {@code favourTime x ln(time ratio) + (1 - favourTime) x ln(wire ratio)}
 * is below {@code ln(1 - margin)} — balanced, halving the time is worth doubling the wire — and
 * only if the time or the wire really drops. A group on the slow stream comes back when it would
 * finish sooner on stream 0.
 */
public final class StreamPlanner {
    /**
     * Settings. {@code favourTime}: 1 weighs only restore time, 0 only bytes on the wire.
     * {@code lossFloor}/{@code overrunFloor}: below these a machine is not weighed at all.
     */
    public record Config(int streams, double favourTime, double lossFloor, double overrunFloor, long settleNs, double margin) {
        public Config {
            if (favourTime < 0 || favourTime > 1) throw new IllegalArgumentException("favourTime out of 0..1: " + favourTime);
            if (streams < 1) throw new IllegalArgumentException("at least one stream: " + streams);
        }

        public static Config defaults(int streams) {
            return new Config(streams, 0.5, 0.02, 0.01, 2_000_000_000L, 0.10);
        }
    }

    /**
     * A machine and its twins, as one: the stream they ride, how many they are, the bytes they
     * need (the union) and how many of those others on their stream need too, their worst
     * network loss and overrun share, and the worst loss of the others on their stream.
     */
    public record Group(List<Integer> machines, int stream, long bytes, long sharedBytes, double loss, boolean overruns,
                        double restLoss) {}

    /** A stream as it stands without the group: its machines, pending bytes, worst loss, rate now and cap. */
    public record StreamView(int machines, long pendingBytes, double loss, long rateBps, long capBps) {}

    /** Time (mean restore seconds) and wire (bytes) of one arrangement. */
    public record Cost(double seconds, double wireBytes) {}

    private final Config config;
    /** When each machine was first seen above the floors (it is forgotten once below them). */
    private final Map<Integer, Long> since = new HashMap<>();

    public StreamPlanner(Config config) {
        this.config = config;
    }

    public static StreamPlanner defaults(int streams) {
        return new StreamPlanner(Config.defaults(streams));
    }

    public Config config() { return config; }

    /** The slow stream's share of the configured rate. */
    public static double slowShare() {
        return 0.25;
    }

    /**
     * A machine's figures from its feedback: true when it has been above the floors for the
     * settle time (on stream 0), or rides a slower stream (it is weighed for the way back).
     */
    public boolean candidate(int machine, int stream, double loss, double overruns, long nowNs) {
        if (config.streams() < 2) return false;
        if (stream > 0) return true;
        if (loss <= config.lossFloor() && overruns <= config.overrunFloor()) {
            since.remove(machine);
            return false;
        }
        long first = since.computeIfAbsent(machine, m -> nowNs);
        return nowNs - first >= config.settleNs();
    }

    /** Forgets a machine that left. */
    public void forget(int machine) {
        since.remove(machine);
    }

    /**
     * Where {@code g} should ride: its own stream, or another when the model says that is
     * better. {@code streams.get(i)} describes stream i without the group.
     */
    public int choose(Group g, List<StreamView> streams) {
        if (config.streams() < 2 || streams.size() < 2) return g.stream();
        if (g.stream() > 0) return back(g, streams);
        Cost stay = stay(g, streams);
        int best = g.stream();
        double bestScore = Math.log(1 - config.margin());
        for (int t = 0; t < streams.size(); t++) {
            if (t == g.stream()) continue;
            Cost move = move(g, streams, t);
            if (!(move.seconds() < stay.seconds() || move.wireBytes() < stay.wireBytes())) continue;
            double score = config.favourTime() * Math.log(ratio(move.seconds(), stay.seconds()))
                    + (1 - config.favourTime()) * Math.log(ratio(move.wireBytes(), stay.wireBytes()));
            if (score < bestScore) {
                bestScore = score;
                best = t;
            }
        }
        return best;
    }

    /**
     * A group on a slower stream whose loss and overruns are under the floors comes back to
     * stream 0 when it would finish sooner there (by the
     * margin), the data ahead of it and its loss counted: the slow stream runs beside the fast
     * one, so staying is better while the fast one has much left to send.
     */
    private int back(Group g, List<StreamView> streams) {
        // still lossy or overrunning: it would burden the fast stream's machines again
        if (g.loss() > config.lossFloor() || g.overruns()) return g.stream();
        StreamView here = streams.get(g.stream());
        StreamView fast = streams.get(0);
        double own = (here.pendingBytes() + g.bytes() - g.sharedBytes()) * (1 + Math.max(here.loss(), g.loss())) * 8
                / Math.max(1, here.rateBps());
        double there = (fast.pendingBytes() + g.bytes()) * (1 + Math.max(fast.loss(), g.loss())) * 8 / Math.max(1, fast.capBps());
        return there < own * (1 - config.margin()) ? 0 : g.stream();
    }

    private static double ratio(double a, double b) {
        return b <= 0 ? (a <= 0 ? 1 : Double.MAX_VALUE) : a / b;
    }

    /** The group stays where it is. */
    public Cost stay(Group g, List<StreamView> streams) {
        double seconds = 0;
        double wire = 0;
        int machines = 0;
        for (int i = 0; i < streams.size(); i++) {
            StreamView s = streams.get(i);
            if (i == g.stream()) {
                long pending = s.pendingBytes() + g.bytes() - g.sharedBytes();
                double w = pending * (1 + Math.max(s.loss(), g.loss()));
                double t = w * 8 / Math.max(1, s.rateBps());
                wire += w;
                seconds += t * (s.machines() + g.machines().size());
                machines += s.machines() + g.machines().size();
            } else {
                double w = s.pendingBytes() * (1 + s.loss());
                wire += w;
                seconds += w * 8 / Math.max(1, s.rateBps()) * s.machines();
                machines += s.machines();
            }
        }
        return new Cost(seconds / Math.max(1, machines), wire);
    }

    /** The group moves to stream {@code to}. */
    public Cost move(Group g, List<StreamView> streams, int to) {
        double seconds = 0;
        double wire = 0;
        int machines = 0;
        StreamView from = streams.get(g.stream());
        for (int i = 0; i < streams.size(); i++) {
            StreamView s = streams.get(i);
            double w;
            double t;
            int n = s.machines();
            if (i == g.stream()) {
                // without the group: its own loss no longer sizes the repair, and a stream paced
                // for the group's overruns runs at its cap again
                w = s.pendingBytes() * (1 + g.restLoss());
                t = w * 8 / Math.max(1, g.overruns() ? s.capBps() : s.rateBps());
            } else if (i == to) {
                // all the group's bytes, shared ones again; no faster than the group takes them
                w = (s.pendingBytes() + g.bytes()) * (1 + Math.max(s.loss(), g.loss()));
                long rate = g.overruns() ? Math.min(s.rateBps(), from.rateBps()) : s.rateBps();
                t = w * 8 / Math.max(1, rate);
                n += g.machines().size();
            } else {
                w = s.pendingBytes() * (1 + s.loss());
                t = w * 8 / Math.max(1, s.rateBps());
            }
            wire += w;
            seconds += t * n;
            machines += n;
        }
        return new Cost(seconds / Math.max(1, machines), wire);
    }
}
