package io.imgcast.util;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** What a parsed quantity measures; it decides the unit of a plain number and of the result. */
    public enum Quantity {
        /** Bytes: a plain number is bytes; bits are refused. */
        SIZE("bytes"),
        /** Bytes per second: a plain number is bytes/s; a rate in bits is divided by 8. */
        BYTE_RATE("bytes/s"),
        /** Bits per second: a plain number is bits/s; a rate in bytes is multiplied by 8. */
        BIT_RATE("bits/s");

        final String unit;

        Quantity(String unit) {
            this.unit = unit;
        }
    }

    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z/]*)");

    /** A size in bytes: 2GiB, 2GB, 512MiB, 4096 (plain bytes). */
    public static long parseSize(String s) {
        return parse(s, Quantity.SIZE);
    }

    /** A rate in bytes per second: 200MB/s, 200MiB/s, 1600Mbit/s (= 200 MB/s), 1000000 (plain bytes/s). */
    public static long parseByteRate(String s) {
        return parse(s, Quantity.BYTE_RATE);
    }

    /** A network rate in bits per second: 950Mbit, 1Gbit/s, 950Mbps, 100MB/s (= 800 Mbit/s), 950000000 (plain bits/s). */
    public static long parseBitRate(String s) {
        return parse(s, Quantity.BIT_RATE);
    }

    /**
     * Parses a quantity with an explicit unit: decimal prefixes k M G T with "bit" (also "bits",
     * "bps") or "B", binary prefixes with "iB" (KiB MiB GiB TiB), optionally "/s" for a rate; or a
     * plain number in the quantity's own unit. A bare prefix (950m, 2g) or a prefix with a
     * lower-case "b" is ambiguous and refused with a message naming the readings.
     */
    public static long parse(String s, Quantity q) {
        String t = s == null ? "" : s.trim();
        Matcher m = QUANTITY.matcher(t);
        if (!m.matches()) throw new IllegalArgumentException("'" + s + "' is not a number with a unit; " + examples(q));
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        boolean perSecond = false;
        if (unit.endsWith("/s")) {
            perSecond = true;
            unit = unit.substring(0, unit.length() - 2);
        }
        boolean bits;
        boolean binary = false;
        String prefix;
        String lower = unit.toLowerCase(Locale.ROOT);
        if (lower.endsWith("bps")) {
            if (perSecond) throw new IllegalArgumentException("'" + s + "': bps already means per second; " + examples(q));
            perSecond = true;
            bits = unit.endsWith("bps"); // Mbps bits, MBps bytes
            binary = !bits && lower.endsWith("ibps");
            prefix = unit.substring(0, unit.length() - (binary ? 4 : 3));
        } else if (lower.endsWith("bits") || lower.endsWith("bit")) {
            bits = true;
            prefix = unit.substring(0, unit.length() - (lower.endsWith("bits") ? 4 : 3));
        } else if (lower.endsWith("ib") && unit.endsWith("B") && unit.length() > 2) {
            bits = false;
            binary = true;
            prefix = unit.substring(0, unit.length() - 2);
        } else if (unit.endsWith("B")) {
            bits = false;
            prefix = unit.substring(0, unit.length() - 1);
        } else if (unit.endsWith("b") && unit.length() > 1) {
            String p = unit.substring(0, unit.length() - 1).toUpperCase(Locale.ROOT);
            throw new IllegalArgumentException("'" + s + "' is ambiguous: a lower-case b may mean bits or bytes; write "
                    + m.group(1) + p + "bit" + (q == Quantity.SIZE ? "" : "/s") + " for bits or " + m.group(1) + p + "B"
                    + (q == Quantity.SIZE ? "" : "/s") + " for bytes");
        } else if (unit.isEmpty()) {
            if (perSecond && q == Quantity.SIZE) throw new IllegalArgumentException("'" + s + "' is a rate; a size is in bytes: " + examples(q));
            return check(s, v, q);
        } else {
            throw ambiguous(s, m.group(1), unit, q);
        }
        if (perSecond && q == Quantity.SIZE) throw new IllegalArgumentException("'" + s + "' is a rate, but a size is wanted: " + examples(q));
        double mul = prefix(s, prefix, binary, q);
        if (bits) {
            return switch (q) {
                case SIZE -> throw new IllegalArgumentException("'" + s + "' is in bits; sizes are in bytes: " + examples(q));
                case BYTE_RATE -> check(s, v * mul / 8, q);
                case BIT_RATE -> check(s, v * mul, q);
            };
        }
        return check(s, q == Quantity.BIT_RATE ? v * mul * 8 : v * mul, q);
    }

    private static double prefix(String s, String p, boolean binary, Quantity q) {
        if (p.isEmpty()) return 1;
        if (p.length() != 1) throw new IllegalArgumentException("'" + s + "': unknown unit prefix '" + p + "'; " + examples(q));
        int power = switch (Character.toLowerCase(p.charAt(0))) {
            case 'k' -> 1;
            case 'm' -> 2;
            case 'g' -> 3;
            case 't' -> 4;
            default -> throw new IllegalArgumentException("'" + s + "': unknown unit prefix '" + p + "'; " + examples(q));
        };
        return binary ? Math.pow(1024, power) : Math.pow(1000, power);
    }

    private static IllegalArgumentException ambiguous(String s, String number, String unit, Quantity q) {
        String p = unit.toUpperCase(Locale.ROOT);
        if (unit.length() != 1 || "KMGT".indexOf(p.charAt(0)) < 0) {
            return new IllegalArgumentException("'" + s + "': unknown unit '" + unit + "'; " + examples(q));
        }
        String k = p.equals("K") ? "k" : p;
        if (q == Quantity.SIZE) {
            double bin = Double.parseDouble(number) * prefix(s, p, true, q);
            double dec = Double.parseDouble(number) * prefix(s, p, false, q);
            return new IllegalArgumentException(String.format(Locale.ROOT,
                    "'%s' is ambiguous: %s %siB (%.0f bytes) or %s %sB (%.0f bytes)? write %s%siB or %s%sB",
                    s, number, p, bin, number, k, dec, number, p, number, k));
        }
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "'%s' is ambiguous: %s %sbit/s (bits) or %s %sB/s (bytes, 8 times as much)? write %s%sbit or %s%sB/s%s",
                s, number, k, number, k, number, k, number, k,
                q == Quantity.BIT_RATE ? " (network rates are in bits per second)" : " (this rate is in bytes per second)"));
    }

    private static long check(String s, double v, Quantity q) {
        if (Double.isNaN(v) || v < 0 || v >= 0x1p62) throw new IllegalArgumentException("'" + s + "' is out of range");
        return (long) v;
    }

    private static String examples(Quantity q) {
        return switch (q) {
            case SIZE -> "sizes are in bytes, e.g. 2GiB, 2GB, 512MiB or 4096";
            case BYTE_RATE -> "this rate is in bytes per second, e.g. 200MB/s, 200MiB/s or 1600Mbit/s";
            case BIT_RATE -> "network rates are in bits per second, e.g. 950Mbit, 1Gbit or 100MB/s";
        };
    }
}
