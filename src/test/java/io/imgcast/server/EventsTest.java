package io.imgcast.server;

import io.imgcast.api.Event;
import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.cast.ChunkTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The roster tells each transition as one event; the log writes each as one line (text or JSON). */
class EventsTest {
    static final long S = 1_000_000_000L;

    @Test
    void theRostersTransitionsAreEvents() {
        List<Event> seen = new ArrayList<>();
        Events events = new Events(() -> 1_765_000_000_000L);
        events.sink(seen::add);
        Roster r = new Roster(15_000, 0);
        r.events(events);
        ChunkTable t = ChunkTable.of(List.of());
        Machine a = r.onJoin("pc1", null, 4, "img", t, null, null, 0, 0).machine();
        Machine b = r.onJoin("pc2", "img", t, null, null, 0, 0).machine();
        Machine a2 = r.onJoin("pc1", null, 4, "img", t, null, null, 0, S).machine();
        r.onDone(a2, true, null, 12.5);
        r.onDone(a2, true, null, 12.5); // told once
        r.onRefuse("pc3", "img", "the disk is too small", S);
        Machine c = r.onJoin("pc4", "img", t, null, null, 0, S).machine();
        r.onServerFailure(c, "chunk 1234 is damaged", 2 * S);
        r.sweep(20 * S);
        assertEquals(List.of(Event.Kind.JOINED, Event.Kind.JOINED, Event.Kind.REJOINED, Event.Kind.JOINED, Event.Kind.DONE,
                Event.Kind.REFUSED, Event.Kind.JOINED, Event.Kind.FAILED, Event.Kind.LOST), seen.stream().map(Event::kind).toList());
        assertEquals(4, seen.getFirst().session(), "the session it was admitted to");
        assertEquals(0, seen.get(1).session());
        assertEquals("pc1", seen.get(2).machine());
        assertEquals("the disk is too small", seen.get(5).detail());
        assertEquals("chunk 1234 is damaged", seen.get(7).detail());
        assertEquals("pc2", seen.get(8).machine());
        assertEquals(MachineState.LOST, b.state);
        assertEquals(MachineState.REJOINED, a.state);
    }

    @Test
    void aFailingSinkDoesNotStopTheOthers() {
        List<Event> seen = new ArrayList<>();
        Events events = new Events(() -> 0);
        events.sink(e -> { throw new IllegalStateException("disk full"); });
        events.sink(seen::add);
        events.session(Event.Kind.SESSION_STARTED, 1, null);
        assertEquals(1, seen.size());
    }

    @Test
    void oneLinePerEventWithItsTimeAndNamesEscaped() {
        Event e = new Event(1_765_000_000_123L, Event.Kind.FAILED, 3, "pc\u001b[31m1", "img", 1, "disk full\nfake line");
        String line = EventLog.text(e);
        assertEquals("2025-12-06T05:46:40.123Z failed pc?[31m1 image=img stream=1 session=3: disk full?fake line", line);
        String json = EventLog.json(e);
        assertTrue(json.startsWith("{\"time\":\"2025-12-06T05:46:40.123Z\",\"event\":\"failed\",\"session\":3,\"machine\":\"pc\\u001B[31m1\""), json);
        assertTrue(json.contains("\"detail\":\"disk full\\nfake line\""), json);
        assertEquals(Event.Kind.MOVED_STREAM, Event.Kind.of("moved-stream"));

        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        new EventLog(new PrintStream(bo, true, StandardCharsets.UTF_8), false).accept(e);
        assertEquals(1, bo.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void theSummaryTableHasARowPerMachineAndTheCounts() {
        Status st = new Status(1, true, List.of(new Status.Stream(0, "g", 1, 10, 4096, 1, 1, 0, 0, 0)), 0, List.of(
                new Status.Machine(1, "pc1", "img", 0, 0, MachineState.DONE, 100, 100, 0, 0.02, 0, 0, 0, 12.5, null),
                new Status.Machine(2, "pc2", "img", 0, 0, MachineState.FAILED, 100, 40, 0, 0, 0, 0, 0, 3, "disk full")));
        String t = EventLog.table(st);
        List<String> lines = t.lines().toList();
        assertEquals(4, lines.size(), t);
        assertTrue(lines.get(1).startsWith("pc1") && lines.get(1).contains("done") && lines.get(1).contains("12.5 s"), t);
        assertTrue(lines.get(2).contains("failed") && lines.get(2).endsWith("disk full"), t);
        assertTrue(lines.get(3).startsWith("2 machine(s): 1 done, 1 failed; on the wire 4.0 KiB"), t);
    }
}
