package io.imgcast.util;

/** Human-readable sizes, rates and durations for command output. */
public final class Units {
    private Units() {}

    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format("%.1f %s", v, u[i]);
    }

    public static String rate(long bytes, long nanos) {
        if (nanos <= 0) return "-";
        return bytes((long) (bytes * 1e9 / nanos)) + "/s";
    }

    public static String seconds(long nanos) {
        return String.format("%.2f s", nanos / 1e9);
    }
}
