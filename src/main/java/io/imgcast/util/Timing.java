package io.imgcast.util;

import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final List<Long> cpus = new ArrayList<>();
    private static final long START_CPU = ON ? cpuMs() : 0;

    /** CPU time of the whole process (all threads, JIT and GC included) in ms, from /proc/self/stat (10 ms ticks). */
    static long cpuMs() {
        try {
            String st = Files.readString(Path.of("/proc/self/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime, stime (fields 14, 15)
        } catch (Exception e) {
            return 0;
        }
    }

    static {
        if (ON) {
            Runtime.getRuntime().addShutdownHook(new Thread(Timing::print));
        }
    }

    private Timing() {}

    public static void mark(String phase) {
        if (!ON) return;
        long t = System.nanoTime();
        long c = cpuMs();
        synchronized (names) {
            names.add(phase);
            times.add(t);
            cpus.add(c);
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
        long prevCpu = START_CPU;
        synchronized (names) {
            for (int i = 0; i < names.size(); i++) {
                sb.append(String.format(" %s=%.0fms", names.get(i), (times.get(i) - prev) / 1e6));
                prev = times.get(i);
            }
            sb.append("\ncpu:");
            sb.append(String.format(" before-main=%dms", START_CPU));
            for (int i = 0; i < names.size(); i++) {
                sb.append(String.format(" %s=%dms", names.get(i), cpus.get(i) - prevCpu));
                prevCpu = cpus.get(i);
            }
            sb.append(String.format(" [to-exit=%dms]", cpuMs() - prevCpu));
        }
        sb.append(String.format(" [main-to-exit=%.0fms]", (System.nanoTime() - START) / 1e6));
        System.err.println(sb);
    }
}
