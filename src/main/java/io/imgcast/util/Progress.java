package io.imgcast.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long operation in bytes. On a terminal it draws a bar with rate and ETA;
 * elsewhere it is silent. Thread-safe.
 */
public interface Progress extends AutoCloseable {
    void add(long bytes);

    void total(long bytes);

    long done();

    @Override void close();

    Progress NONE = new Counter();

    /** A bar on the terminal if there is one, else a silent counter. */
    static Progress forTerminal(String task, long total, boolean quiet) {
        if (quiet || System.console() == null || !System.console().isTerminal() || System.getenv("IMGCAST_NO_PROGRESS") != null) {
            return new Counter();
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

    /** A terminal progress bar in MiB with rate and ETA. */
    final class Bar implements Progress {
        private final ProgressBar bar;
        private final AtomicLong done = new AtomicLong();

        Bar(String task, long total) {
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MiB", 1L << 20).showSpeed()
                    .setUpdateIntervalMillis(250).setMaxRenderedLength(100).setEtaFunction(s -> {
                        long d = s.getCurrent(), t = s.getMax();
                        Duration el = Duration.between(s.getStartInstant(), java.time.Instant.now());
                        if (d <= 0 || t <= d) return java.util.Optional.of(Duration.ZERO);
                        return java.util.Optional.of(el.multipliedBy(t - d).dividedBy(d));
                    }).build();
        }

        @Override public void add(long bytes) { bar.stepTo(done.addAndGet(bytes)); }
        @Override public void total(long bytes) { bar.maxHint(Math.max(bytes, 1)); }
        @Override public long done() { return done.get(); }
        @Override public void close() { bar.close(); }
    }
}
