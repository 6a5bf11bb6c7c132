package io.imgcast.util;

import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress: plain lines on the clock it is given; a bar that closes once. */
class ProgressTest {
    static final long S = 1_000_000_000L;

    @Test
    void linesComeOncePerInterval() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Progress.Lines l = new Progress.Lines("capture lab", 0, out, 5 * S, 0);
        l.total(100L << 20);
        l.add(10L << 20);
        assertFalse(l.tick(4 * S), "not before the first interval");
        assertTrue(l.tick(5 * S));
        assertFalse(l.tick(6 * S), "one line per interval");
        l.add(40L << 20);
        assertTrue(l.tick(10 * S));
        l.close();
        assertFalse(l.tick(20 * S), "nothing after close");
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("capture lab: 10.0 MiB of 100.0 MiB (10%), 2.0 MiB/s, 5 s",
                "capture lab: 50.0 MiB of 100.0 MiB (50%), 5.0 MiB/s, 10 s"), lines);
    }

    @Test
    void withoutATotalALineShowsBytesAndRate() {
        Progress.Lines l = new Progress.Lines("receive", 0, new PrintStream(new ByteArrayOutputStream()), S, 0);
        l.add(3L << 20);
        assertEquals("receive: 3.0 MiB, 1.0 MiB/s, 3 s", l.line(3 * S));
    }

    /** Records what the bar draws. */
    static final class Recorder implements ProgressBarConsumer {
        final List<String> drawn = new ArrayList<>();
        int closes;

        @Override public int getMaxRenderedLength() { return 100; }
        @Override public synchronized void accept(String s) { drawn.add(s); }
        @Override public synchronized void close() { closes++; }
    }

    @Test
    void aSecondCloseDrawsNothing() {
        Recorder r = new Recorder();
        Progress.Bar bar = new Progress.Bar("apply x", 1L << 20, r);
        bar.add(1L << 20);
        bar.close();
        int drawn;
        synchronized (r) {
            drawn = r.drawn.size();
            assertTrue(drawn >= 1, "the final state is drawn once");
        }
        bar.close(); // what a command's try block does after the command closed it before its summary
        bar.add(10);
        synchronized (r) {
            // progressbar itself redraws on every close (measured: a second draw, then the consumer's close)
            assertEquals(drawn, r.drawn.size(), "no redraw over the summary line");
            assertTrue(r.closes <= 1, "closed at most once");
        }
    }
}
