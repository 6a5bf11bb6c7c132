package io.imgcast.server;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Event;
import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.util.Units;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The server's log: one line per {@link Event}, with its UTC time, on standard output (what
 * journald keeps for the service), as text for people or, with {@code serve --log-json}, as one
 * JSON object per line for machines; and the table of machines printed at the end of a session.
 * Text lines have no colours or cursor movement, and names are printed escaped, so a machine's
 * name cannot forge a line.
 */
public final class EventLog implements Consumer<Event> {
    private final PrintStream out;
    private final boolean json;

    public EventLog(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    @Override
    public void accept(Event e) {
        String line = json ? json(e) : text(e);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** {@code 2026-12-07T20:31:02.123Z joined r1 image=a stream=0 session=3: priority 0}. */
    public static String text(Event e) {
        StringBuilder sb = new StringBuilder(Instant.ofEpochMilli(e.atMs()).toString()).append(' ').append(e.kind());
        if (e.machine() != null) sb.append(' ').append(Names.text(e.machine(), Names.MAX_MACHINE));
        if (e.image() != null) sb.append(" image=").append(Names.text(e.image(), Names.MAX_IMAGE));
        if (e.stream() != null) sb.append(" stream=").append(e.stream());
        if (e.session() > 0) sb.append(" session=").append(e.session());
        if (e.detail() != null) sb.append(": ").append(Names.text(e.detail(), Names.MAX_ERROR));
        return sb.toString();
    }

    /** {@code {"time":"…","event":"joined","machine":"r1",…}}: JSON escapes whatever a name holds. */
    public static String json(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(e.atMs()).toString());
        m.put("event", e.kind().toString());
        if (e.session() > 0) m.put("session", e.session());
        if (e.machine() != null) m.put("machine", e.machine());
        if (e.image() != null) m.put("image", e.image());
        if (e.stream() != null) m.put("stream", e.stream());
        if (e.detail() != null) m.put("detail", e.detail());
        return ControlJson.write(m);
    }

    /**
     * The end-of-session table: one row per machine (name, image, state, bytes written, time,
     * loss, and why it failed), then the counts by state and what went on the wire.
     */
    public static String table(Status st) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-20s %-20s %-9s %10s %8s %6s  %s%n", "machine", "image", "state", "written", "time", "loss", "error"));
        Map<MachineState, Integer> counts = new LinkedHashMap<>();
        for (Status.Machine m : st.machines()) {
            counts.merge(m.state(), 1, Integer::sum);
            sb.append(String.format(Locale.ROOT, "%-20s %-20s %-9s %10s %8s %5.1f%%  %s%n", cut(Names.text(m.machine(), 64), 20),
                    cut(Names.text(m.image(), 64), 20), m.state(), Units.bytes(m.doneBytes()),
                    m.seconds() > 0 ? String.format(Locale.ROOT, "%.1f s", m.seconds()) : "-", m.loss() * 100,
                    m.error() == null ? "" : Names.text(m.error(), 200)));
        }
        StringBuilder c = new StringBuilder();
        counts.forEach((k, v) -> c.append(c.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        sb.append(st.machines().size()).append(" machine(s)").append(c.isEmpty() ? "" : ": " + c).append("; on the wire ")
                .append(Units.bytes(st.streamBytes()));
        return sb.toString();
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
