package io.imgcast.server;

import io.imgcast.api.Event;

import io.imgcast.cast.BlockReport;
import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ChunkTable;
import io.imgcast.cast.ReceiveLoss;
import io.imgcast.cast.Scheduler;
import io.imgcast.cast.StreamPlanner;
import io.imgcast.chunk.ChunkId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The server's scheduling glue: which stream each machine rides and what its scheduler is told.
 * Feedback goes to the machine's stream's {@link Scheduler} and {@link io.imgcast.cast.RateController};
 * the {@link StreamPlanner} weighs a machine whose loss or overruns persist, together with its
 * twins (machines on its stream needing mostly the same chunks), and moves the whole group when
 * its model of restore time and wire says so. Chunks of the files named by {@code --priority-files}
 * ({@link PriorityFiles}) are handed to the schedulers ahead of the rest.
 *
 * <p>Not thread-safe: every call is made under the server's lock, as the stream senders' are.
 */
final class Streams {
    /** Twins share at least this part of the smaller of their two need sets. */
    static final double TWIN_OVERLAP = 0.5;
    /** The planner weighs a stream's machines at most this often. */
    static final long PLAN_INTERVAL_NS = 500_000_000L;

    private final List<StreamSender> senders;
    private final StreamPlanner planner;
    private final PriorityFiles priorityFiles;
    /** Where a move is told (the log, the history, the console). */
    private final Events events;
    private long lastPlanNs = Long.MIN_VALUE;
    /** Group moves made, for status and tests. */
    private int moves;

    Streams(List<StreamSender> senders, StreamPlanner planner, PriorityFiles priorityFiles, Events events) {
        this.senders = senders;
        this.events = events;
        this.planner = planner;
        this.priorityFiles = priorityFiles;
    }

    List<StreamSender> senders() { return senders; }

    int moves() { return moves; }

    Scheduler of(Machine m) {
        return senders.get(m.stream).scheduler;
    }

    /** The machine's needs (a whole image's, reported once at join) go to its stream's scheduler. */
    void addMachine(Machine m, List<ChunkMeta> needs, long nowNs) {
        of(m).addMachine(m.id, m.priority, needs, priorityFiles.first(m.image), nowNs);
    }

    /** Needs of a live image released by the barrier. */
    void addNeeds(Machine m, Collection<ChunkMeta> needs, long nowNs) {
        of(m).addNeeds(m.id, m.priority, needs, nowNs);
    }

    /** The machine leaves every stream (done, failed, lost, replaced). */
    void remove(int id) {
        for (StreamSender s : senders) s.scheduler.removeMachine(id);
        planner.forget(id);
    }

    /**
     * One feedback report of {@code m}: completions and shortfalls to its scheduler, its overruns
     * to its stream's rate controller, then the planner's word on its stream.
     */
    void feedback(Machine m, List<ChunkId> done, List<BlockReport> blocks, Roster.Delta d, long nowNs, Roster roster) {
        StreamSender cur = senders.get(m.stream);
        cur.rate.onFeedback(d.drops(), nowNs);
        if (!cur.scheduler.has(m.id)) return;
        List<BlockReport> told = blocks == null || m.repair == null ? blocks : m.repair.admit(blocks, m.stream, cur.sourcePackets(), nowNs);
        cur.scheduler.feedback(m.id, done, told, m.loss, nowNs);
        double overruns = ReceiveLoss.overruns(d.packets(), d.drops());
        if (!planner.candidate(m.id, m.stream, m.loss, overruns, nowNs) || nowNs - lastPlanNs < PLAN_INTERVAL_NS) return;
        lastPlanNs = nowNs;
        plan(m, overruns > planner.config().overrunFloor(), nowNs, roster);
    }

    /** Weighs moving {@code m} with its twins; moves the group when the model says so. */
    private void plan(Machine m, boolean overruns, long nowNs, Roster roster) {
        Scheduler sch = of(m);
        List<Integer> group = new ArrayList<>();
        group.add(m.id);
        group.addAll(sch.twins(m.id, TWIN_OVERLAP));
        long[] bytes = sch.groupBytes(group);
        double loss = 0;
        for (int id : group) loss = Math.max(loss, sch.loss(id));
        double rest = sch.maxLossExcept(group);
        StreamPlanner.Group g = new StreamPlanner.Group(group, m.stream, bytes[0], bytes[1], loss, overruns, rest);
        List<StreamPlanner.StreamView> views = new ArrayList<>();
        for (StreamSender s : senders) {
            boolean own = s.index == m.stream;
            int machines = s.scheduler.machineCount() - (own ? group.size() : 0);
            long pending = s.scheduler.pendingBytes() - (own ? bytes[0] - bytes[1] : 0);
            double l = own ? rest : s.scheduler.maxLossExcept(Set.of());
            views.add(new StreamPlanner.StreamView(machines, Math.max(0, pending), l, s.rate.rate(), s.rate.cap()));
        }
        int to = planner.choose(g, views);
        if (to == m.stream) return;
        for (int id : group) {
            Machine t = roster.get(id);
            if (t != null) move(t, to, nowNs);
        }
        moves++;
    }

    /** Moves one machine to stream {@code to} with what it still needs. */
    private void move(Machine m, int to, long nowNs) {
        Set<ChunkId> rest = of(m).removeMachine(m.id);
        ChunkTable table = m.table;
        List<ChunkMeta> needs = new ArrayList<>(rest.size());
        for (int i = 0, n = table.size(); i < n && needs.size() < rest.size(); i++) {
            if (rest.contains(table.get(i).id())) needs.add(table.get(i));
        }
        int was = m.stream;
        m.stream = to;
        senders.get(to).scheduler.addMachine(m.id, m.priority, needs, priorityFiles.first(m.image), nowNs);
        events.machine(Event.Kind.MOVED_STREAM, m, String.format(Locale.ROOT, "from stream %d: loss %.1f%%", was, m.loss * 100));
    }
}
