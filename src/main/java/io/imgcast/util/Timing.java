package io.imgcast.util;

import java.util.ArrayList;
import java.util.List;

/**
 * Phase timers for performance work, off unless {@code -Dimgcast.timing=true}: {@link #mark}
 * records the end of a phase; the list is printed to stderr when the process exits. If the
 * launcher passes {@code -Dimgcast.t0=<epoch ns>}, the time before main (JVM start) is shown too.
 */
public final class Timing {
    public static final boolean ON = Boolean.getBoolean("imgcast.timing");
    private static final long START = System.nanoTime();
    private static final long START_WALL_MS = System.currentTimeMillis();
    private static final List<String> names = new ArrayList<>();
    private static final List<Long> times = new ArrayList<>();

    static {
        if (ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(Timing::print));
        }
    }

    private Timing() {}

    public static void mark(String phase) {
        if (!ON) return;
        long t = System.nanoTime();
        synchronized (names) {
            names.add(phase);
            times.add(t);
        }
    }

    private static void print() {
        StringBuilder sb = new StringBuilder("timing:");
        String t0 = System.getProperty("imgcast.t0");
        if (t0 != null) {
            long before = START_WALL_MS - Long.parseLong(t0) / 1_000_000L;
            sb.append(String.format(" jvm-start-to-main=%dms", before));
        }
        long prev = START;
        synchronized (names) {
            for (int i = 0; i < names.size(); i++) {
                sb.append(String.format(" %s=%.0fms", names.get(i), (times.get(i) - prev) / 1e6));
                prev = times.get(i);
            }
        }
        sb.append(String.format(" [main-to-exit=%.0fms]", (System.nanoTime() - START) / 1e6));
        System.err.println(sb);
    }
}
