package io.imgcast.console;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Event;
import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveFeedTest {
    static Status.Machine m(int id, MachineState s, long need, long done, String error) {
        return new Status.Machine(id, "pc" + id, id % 2 == 0 ? "win11" : "bookworm", 0, 0, s, need, done, 0, 0.01, 0, 0, 0, 0, error);
    }

    static Status status(boolean started, List<Status.Machine> ms) {
        return new Status(7, started, List.of(new Status.Stream(0, "239.77.0.1:9000", 950_000_000L, 1000, 1_400_000, 50, 10, ms.size(), 0, 0)),
                0, ms, null);
    }

    @Test
    void onlyWhatChangedGoesToAConsoleThatHasTheLastVersion() {
        LiveFeed f = new LiveFeed();
        f.update(status(true, List.of(m(1, MachineState.RECEIVING, 100, 10, null), m(2, MachineState.RECEIVING, 100, 20, null))), 150, 1000);
        Map<String, Object> first = f.since(0, 1000);
        assertEquals(true, first.get("reset"));
        assertEquals(2, ((List<?>) first.get("rows")).size());
        long v1 = (long) first.get("v");

        // nothing changed: no rows
        f.update(status(true, List.of(m(1, MachineState.RECEIVING, 100, 10, null), m(2, MachineState.RECEIVING, 100, 20, null))), 150, 2000);
        Map<String, Object> same = f.since(v1, 2000);
        assertEquals(v1, same.get("v"));
        assertNull(same.get("rows"));
        assertNull(same.get("p"));

        // progress of one: [id, done, loss ppm] only; a state change of the other: its whole row
        f.update(status(true, List.of(m(1, MachineState.RECEIVING, 100, 50, null), m(2, MachineState.FAILED, 100, 20, "disk full"))), 150, 3000);
        Map<String, Object> d = f.since(v1, 3000);
        assertEquals(List.of(List.of(1, 50L, 10_000)), d.get("p"));
        List<?> rows = (List<?>) d.get("rows");
        assertEquals(1, rows.size());
        assertEquals(List.of(2, "pc2", "win11", "failed", 0, 100L, 20L, 10_000, "disk full"), rows.getFirst());
        assertNull(d.get("reset"));
        long v2 = (long) d.get("v");

        // done leaves the live list (the history keeps it); the failed one stays
        f.update(status(true, List.of(m(1, MachineState.DONE, 100, 100, null), m(2, MachineState.FAILED, 100, 20, "disk full"))), 150, 4000);
        Map<String, Object> g = f.since(v2, 4000);
        assertEquals(List.of(1L), g.get("gone"));
        assertNull(g.get("rows"));
        // totals: the done machine's 100 of 100 (the failed one's needs are not the session's to finish),
        // wire, union 150, 0 active, 1 done, 1 failed
        assertEquals(List.of(100L, 100L, 1_400_000L, 150L, 0, 1, 1), g.get("totals"));
        // a console that saw nothing yet gets the whole list, without the one that left
        Map<String, Object> fresh = f.since(0, 4000);
        assertEquals(1, ((List<?>) fresh.get("rows")).size());
        assertNull(fresh.get("gone"));
    }

    @Test
    void eventsGoOnceAndAConsoleFromTheFutureStartsOver() {
        LiveFeed f = new LiveFeed();
        f.update(status(false, List.of()), 0, 0);
        long v = (long) f.since(0, 0).get("v");
        f.event(new Event(5, Event.Kind.JOINED, 3, "pc1", "bookworm", 0, "priority 0"));
        Map<String, Object> d = f.since(v, 10);
        List<?> ev = (List<?>) d.get("events");
        assertEquals(1, ev.size());
        assertEquals("joined", ((Map<?, ?>) ev.getFirst()).get("kind"));
        assertNull(f.since((long) d.get("v"), 10).get("events"));
        assertEquals(true, f.since((long) d.get("v") + 100, 10).get("reset"), "a version the feed never had (a restarted server)");
        assertEquals(false, f.since(0, 0).get("started"));
    }

    @Test
    void waitingFinishedAndFailedMachinesBelongWhereThePageShowsThem() {
        assertTrue(LiveFeed.live(MachineState.RECEIVING));
        assertTrue(LiveFeed.live(MachineState.JOINING));
        assertTrue(LiveFeed.live(MachineState.FAILED));
        assertTrue(LiveFeed.live(MachineState.LOST));
        assertFalse(LiveFeed.live(MachineState.DONE));
        assertFalse(LiveFeed.live(MachineState.REJOINED));
    }

    /**
     * The figure docs/BENCHMARKS.md records: 200 machines receiving at different speeds, one
     * console polling once a second for 120 simulated seconds; what the server sends it
     * (JSON as written, and gzipped as the console sends it to a browser that takes gzip).
     */
    @Test
    void twoHundredMachinesCostAConsoleLessThanTwentyKilobytesASecond() throws IOException {
        int n = 200;
        long need = 4L << 30;
        LiveFeed f = new LiveFeed();
        long v = 0;
        long raw = 0;
        long gz = 0;
        long worst = 0;
        long whole = 0;
        int seconds = 120;
        for (int t = 0; t <= seconds; t++) {
            List<Status.Machine> ms = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                long rate = 30_000_000L + (i % 7) * 1_000_000L;
                long done = Math.min(need, rate * t);
                MachineState s = i == 13 && t > 30 ? MachineState.FAILED : done >= need ? MachineState.DONE : MachineState.RECEIVING;
                ms.add(new Status.Machine(i, "pc-" + i, "image-" + (i % 3), 0, i % 10 == 0 ? 1 : 0, s, need, done, 0, (i % 5) / 1000.0, 0, 0,
                        0, 0, s == MachineState.FAILED ? "the disk returned an I/O error at 12.5 GiB" : null));
                if (t == 1) f.event(new Event(t * 1000L, Event.Kind.JOINED, 1, "pc-" + i, "image-" + (i % 3), 0, "priority 0"));
            }
            f.update(status(true, ms), 3L << 30, t * 1000L);
            if (t > 0) whole += ControlJson.bytes(status(true, ms)).length; // the whole status, as the old dashboard polled it
            Map<String, Object> d = f.since(v, t * 1000L);
            v = (long) d.get("v");
            byte[] b = ControlJson.bytes(d);
            if (t > 0) {
                raw += b.length;
                gz += gzip(b).length;
                worst = Math.max(worst, b.length);
            }
        }
        double rawPerS = raw / (double) seconds;
        double gzPerS = gz / (double) seconds;
        System.out.printf("live feed, %d machines: %.0f B/s as JSON, %.0f B/s gzipped, worst second %d B; the whole status each second %.0f B/s%n",
                n, rawPerS, gzPerS, worst, whole / (double) seconds);
        assertTrue(rawPerS < 20_000, rawPerS + " B/s");
        assertTrue(gzPerS < rawPerS / 2, "gzip halves it at least: " + gzPerS);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(b);
        }
        return bo.toByteArray();
    }
}
