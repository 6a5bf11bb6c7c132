package io.imgcast.server;

import io.imgcast.api.Event;
import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.cast.ChunkTable;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.ServedImage;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's list of machines and their life cycle, with time passed in. A machine
 * {@link #onJoin joins} ({@link MachineState#JOINING}; the same machine's earlier active entry
 * becomes {@link MachineState#REJOINED}), {@link #onNeeds reports its needs}
 * ({@link MachineState#RECEIVING}, or {@link MachineState#VERIFYING} when it needs nothing),
 * and ends {@link #onDone done or failed} (or is {@link #onServerFailure failed by the server}
 * when it cannot be served); one that is silent longer than the machine timeout is
 * {@link #sweep lost}. A machine that cannot take part is listed as {@link #onRefuse refused}.
 *
 * <p>The list is bounded: at most {@link #MAX_LIVE} machines that have not finished (a join
 * beyond that is {@linkplain #full() refused}), and the last {@link #HISTORY} finished ones
 * (done, failed, lost, rejoined, refused); older finished entries are forgotten, so that a
 * stream of joins cannot grow the server's memory or its status answer without bound.
 *
 * <p>Changes happen under the caller's lock; the entries' fields are volatile, so the queries
 * may run without it.
 */
final class Roster {
    /** The result of a join: the new entry and the same machine's entries it replaced. */
    record Joined(Machine machine, List<Machine> replaced) {}

    /** What a feedback report added since the last: kernel drops, and packets (at least 1). */
    record Delta(long drops, long packets) {}

    /** Machines on the list that have not finished, at most. */
    static final int MAX_LIVE = 1024;
    /** Unfinished machines from one address, at most (one host cannot fill the list). */
    static final int MAX_PER_ADDRESS = 32;
    /** Finished machines kept for status, at most (older ones are forgotten). */
    static final int HISTORY = 256;

    private final long timeoutMs;
    private final int maxLive;
    private final int history;
    private final Map<Integer, Machine> machines = new ConcurrentHashMap<>();
    /** Ids of finished machines still on the list, oldest first (guarded by the caller's lock). */
    private final Deque<Integer> finished = new ArrayDeque<>();
    private int nextId = 1;
    private volatile long lastActivityNs;
    private volatile boolean anyFinished;
    /** Where the transitions are told ({@link Events}); none until the server sets its own. */
    private Events events = Events.none();

    Roster(long machineTimeoutMs, long nowNs) {
        this(machineTimeoutMs, nowNs, MAX_LIVE, HISTORY);
    }

    Roster(long machineTimeoutMs, long nowNs, int maxLive, int history) {
        this.timeoutMs = machineTimeoutMs;
        this.lastActivityNs = nowNs;
        this.maxLive = maxLive;
        this.history = history;
    }

    /** Tells each transition (joined, rejoined, refused, done, failed, lost) to {@code events}. */
    void events(Events events) {
        this.events = events;
    }

    /** True when the list holds {@code maxLive} unfinished machines: a new join must wait. */
    boolean full() {
        return machines.size() - finished.size() >= maxLive;
    }

    /** True when {@code address} has {@link #MAX_PER_ADDRESS} unfinished machines on the list already. */
    boolean full(InetAddress address) {
        int n = 0;
        for (Machine m : machines.values()) if (m.state.active() && address.equals(m.address) && ++n >= MAX_PER_ADDRESS) return true;
        return false;
    }

    /** The machine finished (its state no longer active): it moves to the bounded history. */
    private void finish(Machine m) {
        finished.addLast(m.id);
        while (finished.size() > history) machines.remove(finished.removeFirst());
    }

    /**
     * A machine joins for an image ({@code table}, and {@code live} for an image still being
     * read; {@code image} once it is whole). The same machine (by name) joining again while
     * its earlier entry is active restarted: that entry is marked rejoined and returned, for
     * the caller to stop sending for it.
     */
    Joined onJoin(String name, String imageName, ChunkTable table, LiveTable live, ServedImage image, int priority,
                               long nowNs) {
        return onJoin(name, null, imageName, table, live, image, priority, nowNs);
    }

    /**
     * As above, from {@code address}: only an entry of the same name from the same address is
     * replaced (a machine elsewhere that takes another's name cannot push it off the list).
     */
    Joined onJoin(String name, InetAddress address, String imageName, ChunkTable table, LiveTable live, ServedImage image, int priority,
                  long nowNs) {
        return onJoin(name, address, 0, imageName, table, live, image, priority, nowNs);
    }

    /** As above, admitted to the state's session {@code session} (0: none), which its events name. */
    Joined onJoin(String name, InetAddress address, long session, String imageName, ChunkTable table, LiveTable live, ServedImage image,
                  int priority, long nowNs) {
        Machine m = new Machine(nextId++, name, imageName, table, live, image, priority, nowNs);
        m.address = address;
        m.session = session;
        List<Machine> replaced = new ArrayList<>();
        for (Machine old : machines.values()) {
            if (old.name.equals(name) && Objects.equals(old.address, address) && old.joined() && old.state.active()) {
                old.state = MachineState.REJOINED;
                replaced.add(old);
                finish(old);
                events.machine(Event.Kind.REJOINED, old, "joined again (it restarted); its earlier entry is replaced");
            }
        }
        machines.put(m.id, m);
        lastActivityNs = nowNs;
        events.machine(Event.Kind.JOINED, m, "priority " + priority);
        return new Joined(m, replaced);
    }

    /** A machine that cannot take part, listed so that the operator sees why; it counts for nothing else. */
    Machine onRefuse(String name, String imageName, String reason, long nowNs) {
        Machine m = new Machine(nextId++, name, imageName, null, null, null, 0, nowNs);
        m.state = MachineState.REFUSED;
        m.error = reason;
        machines.put(m.id, m);
        finish(m);
        events.machine(Event.Kind.REFUSED, m, reason);
        return m;
    }

    /** The machine with that id, or null. */
    Machine get(int id) {
        return machines.get(id);
    }

    /** Any request from the machine: it is alive. */
    void onContact(Machine m, long nowNs) {
        m.lastSeenNs = nowNs;
        lastActivityNs = nowNs;
    }

    /**
     * The machine reported its needs. For a whole image it is receiving, or verifying when it
     * needs nothing ({@code needChunks} 0); for a live image it is receiving (more may come).
     */
    void onNeeds(Machine m) {
        m.state = m.live == null && m.needChunks == 0 ? MachineState.VERIFYING : MachineState.RECEIVING;
    }

    /** The machine's feedback counters; returns what is new since its last report. */
    Delta onFeedback(Machine m, long packets, long rejected, long kernelDrops, int lossPpm, long bytesWritten) {
        Delta d = new Delta(Math.max(0, kernelDrops - m.kernelDrops), Math.max(1, packets - m.packets));
        m.loss = lossPpm / 1e6;
        m.packets = packets;
        m.rejected = rejected;
        m.kernelDrops = kernelDrops;
        m.doneBytes = bytesWritten;
        return d;
    }

    /** The machine's own word: done (all it needed is written and verified) or failed ({@code error}). */
    void onDone(Machine m, boolean ok, String error, Double seconds) {
        boolean wasActive = m.state.active();
        boolean failedByServer = m.state == MachineState.FAILED && m.error != null;
        m.state = ok ? MachineState.DONE : MachineState.FAILED;
        if (!failedByServer) m.error = ok ? null : error; // the server's reason names the chunk; keep it
        if (seconds != null) m.seconds = seconds;
        if (ok) m.doneBytes = m.needBytes;
        anyFinished = true;
        if (wasActive) {
            finish(m);
            events.machine(ok ? Event.Kind.DONE : Event.Kind.FAILED, m, ok ? done(m) : m.error);
        }
    }

    private static String done(Machine m) {
        return m.seconds > 0 ? String.format(Locale.ROOT, "%.1f s, %d bytes", m.seconds, m.doneBytes) : m.doneBytes + " bytes";
    }

    /**
     * The server failed the machine: it cannot be served (a chunk it needs is damaged in the
     * store). The machine learns it, with {@code error}, from its next feedback reply.
     */
    void onServerFailure(Machine m, String error, long nowNs) {
        if (!m.state.active()) return;
        m.state = MachineState.FAILED;
        m.error = error;
        anyFinished = true;
        lastActivityNs = nowNs;
        finish(m);
        events.machine(Event.Kind.FAILED, m, error);
    }

    /** Marks the active machines silent for longer than the machine timeout as lost; returns them. */
    List<Machine> sweep(long nowNs) {
        List<Machine> lost = new ArrayList<>();
        for (Machine m : machines.values()) {
            if (m.state.active() && nowNs - m.lastSeenNs > timeoutMs * 1_000_000L) {
                m.state = MachineState.LOST;
                m.error = "no word from the machine for " + timeoutMs / 1000 + " s; dropped from the list";
                lastActivityNs = nowNs;
                lost.add(m);
            }
        }
        for (Machine m : lost) {
            finish(m);
            events.machine(Event.Kind.LOST, m, m.error);
        }
        return lost;
    }

    /** The machines that joined and are still active. */
    List<Machine> activeMachines() {
        return machines.values().stream().filter(m -> m.joined() && m.state.active()).sorted(Comparator.comparingInt(m -> m.id)).toList();
    }

    /** Whether the machine with that id is on the list and active. */
    boolean active(int id) {
        Machine m = machines.get(id);
        return m != null && m.state.active();
    }

    /** Machines that joined and reported their needs (not refused, not still joining). */
    int joinedCount() {
        return (int) machines.values().stream().filter(m -> m.joined() && m.state != MachineState.JOINING).count();
    }

    /** True when at least one machine joined and every machine that joined has finished (done, failed, lost or rejoined). */
    boolean allFinished() {
        boolean any = false;
        for (Machine m : machines.values()) {
            if (!m.joined()) continue;
            any = true;
            if (m.state.active()) return false;
        }
        return any;
    }

    /**
     * True once a machine said it is done or failed, none is joining or receiving (verifying
     * ones do not count), and nothing happened for {@code idleNs}.
     */
    boolean idle(long nowNs, long idleNs) {
        boolean busy = machines.values().stream().anyMatch(m -> m.state == MachineState.RECEIVING || m.state == MachineState.JOINING);
        return anyFinished && !busy && nowNs - lastActivityNs > idleNs;
    }

    /** Whether a machine other than {@code m} is still active on {@code m}'s stream. */
    boolean othersOnStream(Machine m) {
        for (Machine o : machines.values()) {
            if (o != m && o.stream == m.stream && o.joined() && o.state.active()) return true;
        }
        return false;
    }

    /** Every machine on the list by id, as status shows them. */
    List<Status.Machine> rows() {
        return machines.values().stream().sorted(Comparator.comparingInt(m -> m.id)).map(Machine::row).toList();
    }
}
