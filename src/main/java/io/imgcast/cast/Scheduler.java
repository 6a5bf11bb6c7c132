package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides what one stream sends next. Pure: inputs are machines joining and leaving, their
 * feedback, and the time ({@code nowNs}); output is the next {@link Burst}. No I/O, no clock.
 *
 * <p>It keeps the union of the chunks that the machines on the list still need (M2). Waiting
 * chunks are packed into FEC blocks in priority order (highest machine priority first, then
 * first-need order) and sent with their source symbols plus a proactive share of repair symbols
 * sized from reported loss. Each machine reports, per incomplete block, how many symbols it still
 * lacks; a repair burst sends the largest such shortfall as fresh repair symbols (while fresh
 * data waits; with a margin at the tail), so one burst heals different losses at every machine
 * (B3). A machine that was not there when a block went out, or that has reported since the block
 * went out without a word of it while still needing its chunks, counts as lacking all of it: that
 * is the carousel (M5).
 * When no remaining machine needs a chunk it is dropped, common chunks included (M4).
 */
public final class Scheduler {
    /** Tunables; times in nanoseconds. */
    public record Config(long staleReportNs, long silentNs, int maxActiveBlocks, int maxBurstsPerBlock, double proactiveCap) {
        public static Config defaults() {
            return new Config(300_000_000L, 3_000_000_000L, 384, 40, 0.25);
        }
    }

    private record Report(int burst, int missing, boolean noDirectory, long atNs) {}

    /** A machine on this stream's list. */
    static final class Machine {
        final int id;
        final int priority;
        final long joinedNs;
        final Set<ChunkId> needs;
        final Map<Long, Report> reports = new HashMap<>();
        double loss;
        /** When its last report came (0: none yet). */
        long lastReportNs;

        Machine(int id, int priority, long joinedNs, Set<ChunkId> needs) {
            this.id = id;
            this.priority = priority;
            this.joinedNs = joinedNs;
            this.needs = needs;
        }
    }

    private static final class Demand {
        int count;
        /** The machines on this stream that need the chunk (count of them is {@code count}). */
        final Set<Integer> machines = new HashSet<>(4);
        int priority;
        long seq;
    }

    private record WaitKey(int negPriority, long seq) implements Comparable<WaitKey> {
        @Override
        public int compareTo(WaitKey o) {
            int c = Integer.compare(negPriority, o.negPriority);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final int stream;
    private final Config config;
    private final Map<Integer, Machine> machines = new LinkedHashMap<>();
    private final Map<ChunkId, Demand> demand = new HashMap<>();
    private final Map<ChunkId, ChunkMeta> meta = new HashMap<>();
    private final TreeMap<WaitKey, ChunkId> waiting = new TreeMap<>();
    private final Map<ChunkId, Block> inFlight = new HashMap<>();
    private final LinkedHashMap<Long, Block> active = new LinkedHashMap<>();
    /**
     * Per active block, the machines needing at least one of its chunks and how many: kept as
     * needs come and go, so a block's shortfall looks only at those machines, never at every
     * machine's needs against every chunk.
     */
    private final Map<Long, Map<Integer, Integer>> wanters = new HashMap<>();
    /** Machines looked at by shortfall checks so far (the scheduler's work per burst, for tests). */
    long shortfallVisits;
    /** The worst loss reported on this stream, or -1 when it must be worked out again. */
    private double maxLoss = -1;
    private long nextSeq;
    /** Stored bytes of the chunks someone on this stream still needs. */
    private long pendingBytes;
    private long nextBlockId;
    private final long blockIdBase;
    private final int symbolSize;

    /**
     * {@code blockIdBase} keeps block ids of several streams apart; {@code symbolSize} is the
     * session's ({@link Wire#symbolSize}).
     */
    public Scheduler(int stream, Config config, long blockIdBase, int symbolSize) {
        this.stream = stream;
        this.config = config;
        this.blockIdBase = blockIdBase;
        this.symbolSize = symbolSize;
    }

    public int stream() { return stream; }

    public int symbolSize() { return symbolSize; }

    /** Adds a machine that needs {@code needs} (it may already hold the rest: delta/resume). */
    public void addMachine(int id, int priority, Collection<ChunkMeta> needs, long nowNs) {
        addMachine(id, priority, needs, Set.of(), nowNs);
    }

    /**
     * As above; the chunks of {@code first} (those of the files the operator listed first) go
     * out ahead of every other, whatever the machines' priorities: they rank {@link #FIRST}
     * above the machine's own.
     */
    public void addMachine(int id, int priority, Collection<ChunkMeta> needs, Set<ChunkId> first, long nowNs) {
        if (machines.containsKey(id)) throw new IllegalArgumentException("machine " + id + " is already on the list");
        Machine m = new Machine(id, priority, nowNs, new HashSet<>());
        machines.put(id, m);
        addNeeds(m, needs, first);
    }

    /** How far the chunks of the files listed first rank above the machines' own priorities (beyond their whole range). */
    public static final int FIRST = 1 << 16;

    /**
     * Adds chunks to what a machine on the list needs (an image whose chunk table grows while
     * the master reads its source); a machine not yet on the list is added.
     */
    public void addNeeds(int id, int priority, Collection<ChunkMeta> needs, long nowNs) {
        Machine m = machines.get(id);
        if (m == null) addMachine(id, priority, needs, nowNs);
        else addNeeds(m, needs, Set.of());
    }

    private void addNeeds(Machine m, Collection<ChunkMeta> needs, Set<ChunkId> first) {
        for (ChunkMeta c : needs) {
            if (!m.needs.add(c.id())) continue;
            int priority = first.contains(c.id()) ? m.priority + FIRST : m.priority;
            meta.putIfAbsent(c.id(), c);
            Demand d = demand.get(c.id());
            if (d == null) {
                d = new Demand();
                d.seq = nextSeq++;
                d.priority = priority;
                demand.put(c.id(), d);
                pendingBytes += c.storedLength();
                if (!inFlight.containsKey(c.id())) waiting.put(new WaitKey(-priority, d.seq), c.id());
            } else if (priority > d.priority) {
                if (waiting.remove(new WaitKey(-d.priority, d.seq)) != null) waiting.put(new WaitKey(-priority, d.seq), c.id());
                d.priority = priority;
            }
            d.count++;
            d.machines.add(m.id);
            Block b = inFlight.get(c.id());
            if (b != null) wanters.get(b.id).merge(m.id, 1, Integer::sum);
        }
    }

    /** Removes a machine (done, gone, or moved to another stream); returns what it still needed. */
    public Set<ChunkId> removeMachine(int id) {
        Machine m = machines.remove(id);
        if (m == null) return Set.of();
        for (ChunkId c : m.needs) release(c, id);
        maxLoss = -1;
        return m.needs;
    }

    private void release(ChunkId c, int machine) {
        Demand d = demand.get(c);
        if (d == null) return;
        d.machines.remove(machine);
        Block b = inFlight.get(c);
        if (b != null) {
            Map<Integer, Integer> w = wanters.get(b.id);
            if (w != null) w.computeIfPresent(machine, (k, n) -> n > 1 ? n - 1 : null);
        }
        if (--d.count == 0) {
            demand.remove(c);
            waiting.remove(new WaitKey(-d.priority, d.seq));
            ChunkMeta m = meta.remove(c);
            if (m != null) pendingBytes -= m.storedLength();
        }
    }

    public boolean has(int machine) {
        return machines.containsKey(machine);
    }

    /** How many chunks the machine still needs (0 for an unknown machine), without copying them. */
    public int needCount(int id) {
        Machine m = machines.get(id);
        return m == null ? 0 : m.needs.size();
    }

    /** Chunks still needed by machine {@code id} (a copy). */
    public Set<ChunkId> needs(int id) {
        Machine m = machines.get(id);
        return m == null ? Set.of() : Set.copyOf(m.needs);
    }

    /**
     * A machine's feedback: chunks it completed since its last report, its full list of
     * incomplete blocks (null: no word on blocks this round), and its loss estimate (0..1).
     */
    public void feedback(int id, Collection<ChunkId> completed, Collection<BlockReport> blocks, double loss, long nowNs) {
        Machine m = machines.get(id);
        if (m == null) return;
        for (ChunkId c : completed) {
            if (m.needs.remove(c)) release(c, id);
        }
        m.loss = Math.max(0, Math.min(1, loss));
        maxLoss = -1;
        // no word on blocks (its socket still holds datagrams): its last reports stand, and it
        // does not count as having reported without a word of a block (which would resend it whole)
        if (blocks == null) return;
        m.reports.clear();
        m.lastReportNs = nowNs;
        for (BlockReport r : blocks) {
            if (active.containsKey(r.block())) m.reports.put(r.block(), new Report(r.burst(), r.missing(), r.noDirectory(), nowNs));
        }
    }

    /** Stored bytes of the chunks still wanted by someone on this stream. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /**
     * The machines on this stream that need mostly the same chunks as {@code id} (its twins):
     * each shares at least {@code overlap} of the smaller of the two machines' needs. Costs one
     * pass over the smaller need set per machine on the stream; the planner asks only for a
     * machine it weighs moving.
     */
    public List<Integer> twins(int id, double overlap) {
        Machine m = machines.get(id);
        if (m == null) return List.of();
        List<Integer> out = new ArrayList<>();
        for (Machine o : machines.values()) {
            if (o == m) continue;
            Set<ChunkId> small = o.needs.size() < m.needs.size() ? o.needs : m.needs;
            Set<ChunkId> big = small == o.needs ? m.needs : o.needs;
            if (small.isEmpty()) continue;
            int common = 0;
            for (ChunkId c : small) if (big.contains(c)) common++;
            if (common >= overlap * small.size()) out.add(o.id);
        }
        return out;
    }

    /**
     * Stored bytes the machines {@code ids} need between them (the union), and how many of those
     * bytes some other machine on this stream needs too: {@code {bytes, shared}}.
     */
    public long[] groupBytes(Collection<Integer> ids) {
        Map<ChunkId, Integer> inGroup = new HashMap<>();
        for (int id : ids) {
            Machine m = machines.get(id);
            if (m != null) for (ChunkId c : m.needs) inGroup.merge(c, 1, Integer::sum);
        }
        long bytes = 0;
        long shared = 0;
        for (Map.Entry<ChunkId, Integer> e : inGroup.entrySet()) {
            ChunkMeta c = meta.get(e.getKey());
            Demand d = demand.get(e.getKey());
            if (c == null || d == null) continue;
            bytes += c.storedLength();
            if (d.count > e.getValue()) shared += c.storedLength();
        }
        return new long[] {bytes, shared};
    }

    /** The machine's network loss as last reported (0 for an unknown machine). */
    public double loss(int id) {
        Machine m = machines.get(id);
        return m == null ? 0 : m.loss;
    }

    /** The worst loss reported by machines on this stream other than {@code except}. */
    public double maxLossExcept(Collection<Integer> except) {
        double l = 0;
        for (Machine m : machines.values()) if (!except.contains(m.id)) l = Math.max(l, m.loss);
        return l;
    }

    /** Total chunks still wanted by someone on this stream. */
    public int pendingChunks() {
        return demand.size();
    }

    public int machineCount() {
        return machines.size();
    }

    public int activeBlocks() {
        return active.size();
    }

    /** The next burst to send, or null when there is nothing to send now. */
    public Burst next(long nowNs) {
        retire();
        Burst r = repair(nowNs);
        if (r != null) return r;
        if (active.size() < config.maxActiveBlocks() && !waiting.isEmpty()) return fresh(nowNs);
        return null;
    }

    private void retire() {
        for (Iterator<Block> it = active.values().iterator(); it.hasNext(); ) {
            Block b = it.next();
            boolean wanted = false;
            for (ChunkMeta c : b.chunks) if (demand.containsKey(c.id())) wanted = true;
            if (!wanted || b.bursts >= config.maxBurstsPerBlock()) {
                it.remove();
                Map<Integer, Integer> w = wanters.remove(b.id);
                for (ChunkMeta c : b.chunks) {
                    inFlight.remove(c.id());
                    Demand d = demand.get(c.id());
                    if (d != null) waiting.put(new WaitKey(-d.priority, d.seq), c.id());
                }
                for (int id : w.keySet()) {
                    Machine m = machines.get(id);
                    if (m != null) m.reports.remove(b.id);
                }
            }
        }
    }

    private Burst repair(long nowNs) {
        Block best = null;
        int bestNeed = NONE;
        boolean directory = false;
        for (Block b : active.values()) {
            if (b.lastBurstNs == nowNs) continue;
            int need = shortfall(b, nowNs);
            if (need != NONE && (best == null || b.priority > best.priority)) {
                best = b;
                bestNeed = need;
                directory = shortfallNeedsDirectory;
            }
        }
        if (best == null) return null;
        // While fresh blocks wait, a repair round costs no time (the stream stays busy), so send
        // exactly the worst shortfall: any excess is pure waste on the wire. At the tail, a short
        // round means one more feedback period for everyone: add a margin for the round's own losses.
        int margin = waiting.isEmpty() ? (int) Math.ceil(bestNeed * maxLoss() * 1.5) + (bestNeed > 2 ? 1 : 0) : 0;
        int n = Math.min(Wire.MAX_ESI + 1, bestNeed + margin);
        best.burst = (best.burst + 1) & 0xff;
        best.lastBurstNs = nowNs;
        best.bursts++;
        return new Burst(stream, best, best.burst, best.takeRepairEsis(n), true, directory);
    }

    /** {@link #shortfall}: nobody needs anything of the block now. */
    private static final int NONE = -1;

    /**
     * The most symbols any machine that still needs part of {@code b} lacks, as far as we can tell
     * now: 0 when all it lacks is the block's directory, {@link #NONE} when no one lacks anything.
     */
    private int shortfall(Block b, long nowNs) {
        int need = NONE;
        shortfallNeedsDirectory = false;
        boolean staleAllowed = nowNs - b.lastBurstNs >= config.staleReportNs();
        boolean silentAllowed = nowNs - b.lastBurstNs >= config.silentNs();
        for (int id : wanters.get(b.id).keySet()) {
            Machine m = machines.get(id);
            shortfallVisits++;
            if (m == null) continue;
            Report r = m.reports.get(b.id);
            if (r != null) {
                if ((r.burst() == b.burst && r.atNs() > b.lastBurstNs) || staleAllowed) {
                    if (r.missing() > 0 || r.noDirectory()) need = Math.max(need, r.missing());
                    shortfallNeedsDirectory |= r.noDirectory();
                }
            } else if (m.joinedNs > b.lastBurstNs || silentAllowed && m.lastReportNs - b.lastBurstNs >= config.staleReportNs()) {
                // joined after the block went out (the carousel), or has reported since without a
                // word of it: it got none of it. A machine that has not reported since (stalled,
                // or its report is on the way) may well hold the block: wait for its word.
                need = Math.max(need, b.k);
                shortfallNeedsDirectory = true;
            }
        }
        return need;
    }

    /** Set by {@link #shortfall}: some machine it counted lacks the block's directory (or all of the block). */
    private boolean shortfallNeedsDirectory;

    private double maxLoss() {
        if (maxLoss < 0) {
            double l = 0;
            for (Machine m : machines.values()) l = Math.max(l, m.loss);
            maxLoss = l;
        }
        return Math.min(maxLoss, config.proactiveCap());
    }

    /**
     * Source symbols a block is filled up to (a single larger chunk still gets a block of its own,
     * up to {@link Wire#MAX_K}). Larger blocks cost less on the wire under loss: the worst of
     * several receivers' losses in a block exceeds the average by less, relative to k (measured
     * in simulation: 8 receivers at 5% loss 1.137x the data with 200, 1.153x with 100). A
     * receiver's decoding costs k symbols of work per lost one, which ISA-L makes cheap.
     * {@code -Dimgcast.blockSymbols=N} fixes another size.
     */
    static final int BLOCK_SYMBOLS = Math.max(8, Math.min(Wire.MAX_K, Integer.getInteger("imgcast.blockSymbols", Wire.MAX_K)));

    /** Proactive repair: this share of a block's expected losses at the lossiest machine goes out with it. */
    static final double PROACTIVE = 1.0;

    private Burst fresh(long nowNs) {
        List<ChunkMeta> chunks = new ArrayList<>();
        int bytes = 0;
        int priority = Integer.MIN_VALUE;
        int fill = BLOCK_SYMBOLS * symbolSize;
        for (Iterator<Map.Entry<WaitKey, ChunkId>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<WaitKey, ChunkId> e = it.next();
            ChunkMeta c = meta.get(e.getValue());
            if (!chunks.isEmpty() && (bytes + c.storedLength() > fill
                    || chunks.size() == Wire.MAX_CHUNKS_PER_BLOCK || -e.getKey().negPriority() < priority)) {
                break;
            }
            it.remove();
            chunks.add(c);
            bytes += c.storedLength();
            priority = Math.max(priority, -e.getKey().negPriority());
        }
        Block b = new Block(blockIdBase + nextBlockId++, chunks, priority, nowNs, symbolSize);
        Map<Integer, Integer> w = new HashMap<>();
        for (ChunkMeta c : chunks) {
            inFlight.put(c.id(), b);
            for (int id : demand.get(c.id()).machines) w.merge(id, 1, Integer::sum);
        }
        wanters.put(b.id, w);
        active.put(b.id, b);
        int proactive = (int) Math.ceil(b.k * maxLoss() * PROACTIVE);
        if (maxLoss() > 0) proactive = Math.max(proactive, 1);
        proactive = Math.min(proactive, Wire.MAX_ESI + 1 - b.k);
        int[] esis = new int[b.k + proactive];
        for (int i = 0; i < b.k; i++) esis[i] = i;
        int[] rep = b.takeRepairEsis(proactive);
        System.arraycopy(rep, 0, esis, b.k, proactive);
        b.lastBurstNs = nowNs;
        b.bursts = 1;
        return new Burst(stream, b, b.burst, esis, false, true);
    }
}
