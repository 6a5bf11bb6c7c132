package io.imgcast.console;

import io.imgcast.api.Event;
import io.imgcast.api.MachineState;
import io.imgcast.api.Status;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The console's live view as changes: each {@link #update} compares the server's status with
 * the last one and numbers what changed with a version; a console that has version {@code v}
 * asks {@link #since(long) since v} and gets only the rows that changed after it. A row whose
 * state, stream, needs or error changed goes whole; one whose only change is progress goes as
 * {@code [id, done bytes, loss ppm]}; a machine that left the live list goes as its id. So an
 * open console costs about 20 bytes per receiving machine per second, not the whole list.
 *
 * <p>The live list holds the machines still taking part and those that failed, were lost or
 * were refused (they need the admin's eye; failures sort first in the page); a machine that is
 * done leaves it (its result is in the session's history). The last {@link #EVENTS} events go
 * along the same way. Not thread-safe: the console calls it under its lock.
 */
final class LiveFeed {
    static final int EVENTS = 100;
    /** Removals remembered; a console further behind gets the whole list again. */
    static final int GONE = 4096;

    /** One machine's row, as the page shows it (loss in parts per million). */
    record Row(int id, String name, String image, String state, int stream, long need, long done, int lossPpm, String error) {
        boolean sameShape(Row o) {
            return o.state.equals(state) && o.stream == stream && o.need == need && Objects.equals(o.error, error)
                    && o.name.equals(name) && o.image.equals(image);
        }

        List<Object> full() {
            List<Object> l = new ArrayList<>(9);
            l.add(id);
            l.add(name);
            l.add(image);
            l.add(state);
            l.add(stream);
            l.add(need);
            l.add(done);
            l.add(lossPpm);
            l.add(error);
            return l;
        }
    }

    private static final class Entry {
        Row row;
        long shapeV;
        long progressV;
    }

    private long version;
    private final Map<Integer, Entry> rows = new LinkedHashMap<>();
    private final Deque<long[]> gone = new ArrayDeque<>();
    /** Versions at or below this may have lost removals: a console that old starts over. */
    private long goneFloor;
    private final Deque<Object[]> events = new ArrayDeque<>();
    private Map<String, Object> globals = Map.of();

    /** Whether the machine belongs on the live list. */
    static boolean live(MachineState s) {
        return s.active() || s == MachineState.FAILED || s == MachineState.LOST || s == MachineState.REFUSED;
    }

    /** The server's status now; {@code unionBytes}: the images' union (what the wire would carry without loss). */
    void update(Status st, long unionBytes, long nowMs) {
        long v = version + 1;
        boolean changed = false;
        Map<Integer, Row> now = new HashMap<>();
        long need = 0;
        long done = 0;
        int active = 0;
        int finished = 0;
        int failed = 0;
        for (Status.Machine m : st.machines()) {
            if (m.state().active() || m.state() == MachineState.DONE) { // the session's progress: what it still serves, and what it served
                need += m.needBytes();
                done += m.state() == MachineState.DONE ? m.needBytes() : m.doneBytes();
            }
            if (m.state().active()) active++;
            else if (m.state() == MachineState.DONE) finished++;
            else if (m.state() != MachineState.REJOINED) failed++;
            if (!live(m.state())) continue;
            now.put(m.id(), new Row(m.id(), m.machine(), m.image(), m.state().toString(), m.stream(), m.needBytes(), m.doneBytes(),
                    (int) Math.round(m.loss() * 1e6), m.error()));
        }
        for (Row r : now.values()) {
            Entry e = rows.get(r.id());
            if (e == null) {
                e = new Entry();
                rows.put(r.id(), e);
                e.row = r;
                e.shapeV = v;
                e.progressV = v;
                changed = true;
            } else if (!e.row.sameShape(r)) {
                e.row = r;
                e.shapeV = v;
                e.progressV = v;
                changed = true;
            } else if (e.row.done() != r.done() || e.row.lossPpm() != r.lossPpm()) {
                e.row = r;
                e.progressV = v;
                changed = true;
            }
        }
        for (var it = rows.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (now.containsKey(e.getKey())) continue;
            it.remove();
            gone.addLast(new long[] {e.getKey(), v});
            changed = true;
            while (gone.size() > GONE) goneFloor = gone.removeFirst()[1];
        }
        List<Object> streams = new ArrayList<>();
        for (Status.Stream s : st.streams()) streams.add(List.of(s.stream(), s.rateBps(), s.bytes(), s.packets(), s.repairPackets(), s.machines()));
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("session", st.session());
        g.put("started", st.started());
        g.put("streams", streams);
        g.put("totals", List.of(need, done, st.streamBytes(), unionBytes, active, finished, failed));
        if (!g.equals(globals)) changed = true;
        globals = g;
        if (changed) version = v;
    }

    /** An event for the page's list of recent events. */
    void event(Event e) {
        version++;
        events.addLast(new Object[] {version, e});
        while (events.size() > EVENTS) events.removeFirst();
    }

    long version() {
        return version;
    }

    /**
     * What changed after version {@code v}, as a map the console writes as JSON:
     * {@code v} (the version now), {@code reset} (when the whole list is sent), the globals
     * ({@code session}, {@code started}, {@code streams}, {@code totals}: need and done bytes of
     * the machines taking part or done (a failed machine's needs are not the session's to
     * finish), wire and union bytes; active, done, failed machines), {@code rows} (whole), {@code p} (progress
     * only), {@code gone} (ids) and {@code events}. {@code at}: the server's clock.
     */
    Map<String, Object> since(long v, long nowMs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("v", version);
        out.put("at", nowMs);
        boolean reset = v <= 0 || v < goneFloor || v > version;
        if (reset) out.put("reset", true);
        out.putAll(globals);
        List<Object> full = new ArrayList<>();
        List<Object> progress = new ArrayList<>();
        for (Entry e : rows.values()) {
            if (reset || e.shapeV > v) full.add(e.row.full());
            else if (e.progressV > v) progress.add(List.of(e.row.id(), e.row.done(), e.row.lossPpm()));
        }
        if (!full.isEmpty()) out.put("rows", full);
        if (!progress.isEmpty()) out.put("p", progress);
        if (!reset) {
            List<Long> ids = new ArrayList<>();
            for (long[] g : gone) if (g[1] > v) ids.add(g[0]);
            if (!ids.isEmpty()) out.put("gone", ids);
        }
        List<Object> ev = new ArrayList<>();
        for (Object[] x : events) {
            if (!reset && (long) x[0] <= v) continue;
            Event e = (Event) x[1];
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", e.atMs());
            m.put("kind", e.kind().toString());
            if (e.session() > 0) m.put("session", e.session());
            if (e.machine() != null) m.put("machine", e.machine());
            if (e.image() != null) m.put("image", e.image());
            if (e.stream() != null) m.put("stream", e.stream());
            if (e.detail() != null) m.put("detail", e.detail());
            ev.add(m);
        }
        if (!ev.isEmpty()) out.put("events", ev);
        return out;
    }
}
