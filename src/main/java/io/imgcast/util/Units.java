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

    /** Parses a size such as 512m, 2g, 64k or a plain byte count (binary units). */
    public static long parseBytes(String s) {
        String t = s.trim().toLowerCase().replace("ib", "").replace("b", "");
        long mul = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mul = 1L << 10;
                case 'm' -> mul = 1L << 20;
                case 'g' -> mul = 1L << 30;
                case 't' -> mul = 1L << 40;
                default -> { }
            }
        }
        if (mul > 1) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t);
            if (v < 0) throw new NumberFormatException();
            return (long) (v * mul);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a size; use e.g. 512m or 2g");
        }
    }
}
