package io.imgcast.cast;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Holds back the needs that machines report for a chunk table that grows while it is sent (a
 * {@link LiveTable}: the master still reads its source) until every machine of that table that
 * keeps up has learnt those chunks too. Without it a chunk would go out as soon as the first
 * machine asked for it, pass by the machines that did not know it yet, and be sent again for
 * them. A machine whose knowledge lags more than {@code lagNs} behind the table holds no one
 * back; it gets what it missed in a later cycle of the carousel.
 *
 * <p>Pure and clock-driven: reports and {@code nowNs} in, needs to hand to the scheduler out.
 * Not thread-safe; the server calls it under its lock.
 */
public final class TableBarrier {
    /** Receives needs that may now be sent. */
    @FunctionalInterface
    public interface Sink {
        void release(int machine, int priority, List<ChunkMeta> needs);
    }

    private static final class Entry {
        final ChunkTable table;
        final int priority;
        final BitSet held = new BitSet();
        int known;
        long knownAtNs;

        Entry(ChunkTable table, int priority, long nowNs) {
            this.table = table;
            this.priority = priority;
            this.knownAtNs = nowNs;
        }
    }

    private final long lagNs;
    private final Map<Integer, Entry> entries = new LinkedHashMap<>();

    public TableBarrier(long lagNs) {
        this.lagNs = lagNs;
    }

    /** A machine joined for {@code table}; it has {@code lagNs} from {@code nowNs} to learn it before it counts as lagging. */
    public void add(int machine, ChunkTable table, int priority, long nowNs) {
        entries.put(machine, new Entry(table, priority, nowNs));
    }

    public void remove(int machine) {
        entries.remove(machine);
    }

    public boolean has(int machine) {
        return entries.containsKey(machine);
    }

    /**
     * The machine reports its needs over chunks {@code [from, to)} of its table: bit {@code i}
     * of {@code bits} is chunk {@code from + i}. Parts it reported before are ignored (a repeated
     * request). Returns the chunks newly held.
     */
    public List<ChunkMeta> report(int machine, int from, int to, byte[] bits, long nowNs) {
        Entry e = entries.get(machine);
        if (e == null) throw new IllegalArgumentException("machine " + machine + " is not behind the barrier");
        if (from < 0 || to < from || to > e.table.size() || bits.length != (to - from + 7) / 8) {
            throw new IllegalArgumentException("needs range " + from + "-" + to + " does not fit the table");
        }
        List<ChunkMeta> added = new ArrayList<>();
        for (int i = Math.max(0, e.known - from); i < to - from; i++) {
            if ((bits[i >> 3] & (1 << (i & 7))) != 0) {
                e.held.set(from + i);
                added.add(e.table.get(from + i));
            }
        }
        if (to > e.known) {
            e.known = to;
            e.knownAtNs = nowNs;
        }
        return added;
    }

    /** The machine completed chunk {@code index} (from data sent for the others): it no longer waits for it. */
    public void got(int machine, int index) {
        Entry e = entries.get(machine);
        if (e != null) e.held.clear(index);
    }

    /** Needs of the machine still held back. */
    public int held(int machine) {
        Entry e = entries.get(machine);
        return e == null ? 0 : e.held.cardinality();
    }

    /** How far the machine has learnt its table. */
    public int known(int machine) {
        Entry e = entries.get(machine);
        return e == null ? 0 : e.known;
    }

    /**
     * Hands to {@code sink} every held need that all keeping-up machines of the same table now
     * know. Machines for which {@code active} is false are left out (and hold no one back).
     */
    public void release(long nowNs, IntPredicate active, Sink sink) {
        Map<ChunkTable, Integer> threshold = new HashMap<>();
        for (Map.Entry<Integer, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (!active.test(me.getKey())) continue;
            boolean lagging = e.known < e.table.size() && nowNs - e.knownAtNs > lagNs;
            if (!lagging) threshold.merge(e.table, e.known, Math::min);
        }
        for (Map.Entry<Integer, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (e.held.isEmpty() || !active.test(me.getKey())) continue;
            int upTo = threshold.getOrDefault(e.table, Integer.MAX_VALUE);
            List<ChunkMeta> out = new ArrayList<>();
            for (int i = e.held.nextSetBit(0); i >= 0 && i < upTo; i = e.held.nextSetBit(i + 1)) out.add(e.table.get(i));
            if (out.isEmpty()) continue;
            e.held.clear(0, Math.min(upTo, e.held.length()));
            sink.release(me.getKey(), e.priority, out);
        }
    }
}
