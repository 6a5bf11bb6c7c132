package io.imgcast.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long operation in bytes. On a terminal it draws a bar with rate and ETA;
 * without one (a PXE console, a journal, a pipe) it prints a plain line to standard error every
 * few seconds ({@link Lines}), so a long run shows life. Closing is idempotent: a command closes
 * it before printing its summary, and again when its try block ends, and the second close must
 * not redraw over the summary. Thread-safe.
 */
public interface Progress extends AutoCloseable {
    void add(long bytes);

    void total(long bytes);

    long done();

    @Override void close();

    Progress NONE = new Counter();

    /** Seconds between two lines without a terminal ($IMGCAST_PROGRESS_SECONDS, default 5). */
    static long lineIntervalNs() {
        String s = System.getenv("IMGCAST_PROGRESS_SECONDS");
        try {
            if (s != null && !s.isBlank()) return (long) (Double.parseDouble(s) * 1e9);
        } catch (NumberFormatException ignored) {
            // the default
        }
        return 5_000_000_000L;
    }

    /**
     * A bar on a terminal; progress lines on standard error without one; a silent counter when
     * {@code quiet} or $IMGCAST_NO_PROGRESS is set.
     */
    static Progress forTerminal(String task, long total, boolean quiet) {
        if (quiet || System.getenv("IMGCAST_NO_PROGRESS") != null) return new Counter();
        if (System.console() == null || !System.console().isTerminal()) {
            return Lines.started(task, total, System.err, lineIntervalNs());
        }
        return new Bar(task, total);
    }

    /** Counts bytes and shows nothing. */
    final class Counter implements Progress {
        private final AtomicLong done = new AtomicLong();

        @Override public void add(long bytes) { done.addAndGet(bytes); }
        @Override public void total(long bytes) { }
        @Override public long done() { return done.get(); }
        @Override public void close() { }
    }

    /**
     * Plain progress lines such as {@code capture lab: 120.0 MiB of 1.0 GiB (11%), 40.0 MiB/s, 3 s},
     * one per interval. {@link #tick} decides from the time it is given; {@link #started} drives it
     * from a daemon thread, which {@link #close} stops.
     */
    final class Lines implements Progress {
        private final String task;
        private final PrintStream out;
        private final long intervalNs;
        private final long startNs;
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong total = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();
        private long nextNs;
        private Thread ticker;

        public Lines(String task, long total, PrintStream out, long intervalNs, long nowNs) {
            this.task = task;
            this.out = out;
            this.intervalNs = Math.max(1, intervalNs);
            this.startNs = nowNs;
            this.nextNs = nowNs + this.intervalNs;
            this.total.set(total);
        }

        static Lines started(String task, long total, PrintStream out, long intervalNs) {
            Lines l = new Lines(task, total, out, intervalNs, System.nanoTime());
            l.ticker = Thread.ofPlatform().daemon().name("imgcast-progress").start(() -> {
                while (!l.closed.get()) {
                    try {
                        Thread.sleep(Math.max(1, Math.min(l.intervalNs / 1_000_000, 1000)));
                    } catch (InterruptedException e) {
                        return;
                    }
                    l.tick(System.nanoTime());
                }
            });
            return l;
        }

        /** Prints a line if an interval has passed since the last one; true if it did. */
        public synchronized boolean tick(long nowNs) {
            if (closed.get() || nowNs < nextNs) return false;
            nextNs = nowNs + intervalNs;
            out.println(line(nowNs));
            out.flush();
            return true;
        }

        /** The line for the state at {@code nowNs}. */
        public String line(long nowNs) {
            long d = done.get();
            long t = total.get();
            long el = Math.max(1, nowNs - startNs);
            StringBuilder sb = new StringBuilder(task).append(": ").append(Units.bytes(d));
            if (t > 0) sb.append(" of ").append(Units.bytes(t)).append(" (").append(Math.min(100, d * 100 / t)).append("%)");
            sb.append(", ").append(Units.rate(d, el)).append(", ").append(el / 1_000_000_000L).append(" s");
            return sb.toString();
        }

        @Override public void add(long bytes) { done.addAndGet(bytes); }
        @Override public void total(long bytes) { total.set(bytes); }
        @Override public long done() { return done.get(); }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            if (ticker != null) ticker.interrupt();
        }
    }

    /** A terminal progress bar in MiB with rate and ETA. */
    final class Bar implements Progress {
        private final ProgressBar bar;
        private final AtomicLong done = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();

        Bar(String task, long total) {
            this(task, total, null);
        }

        /** With {@code consumer} null, the bar draws on the terminal; tests give their own. */
        Bar(String task, long total, me.tongfei.progressbar.ProgressBarConsumer consumer) {
            ProgressBarBuilder b = new ProgressBarBuilder();
            if (consumer != null) b.setConsumer(consumer);
            this.bar = b.setTaskName(task).setInitialMax(Math.max(total, 1))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MiB", 1L << 20).showSpeed()
                    .setUpdateIntervalMillis(250).setMaxRenderedLength(100).setEtaFunction(s -> {
                        long d = s.getCurrent(), t = s.getMax();
                        Duration el = Duration.between(s.getStartInstant(), Instant.now());
                        if (d <= 0 || t <= d) return Optional.of(Duration.ZERO);
                        return Optional.of(el.multipliedBy(t - d).dividedBy(d));
                    }).build();
        }

        @Override public void add(long bytes) { if (!closed.get()) bar.stepTo(done.addAndGet(bytes)); }
        @Override public void total(long bytes) { if (!closed.get()) bar.maxHint(Math.max(bytes, 1)); }
        @Override public long done() { return done.get(); }

        /** Draws the last state once and ends the bar's line; a second close does nothing. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) bar.close();
        }
    }
}
