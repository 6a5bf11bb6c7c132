package io.imgcast.cli;

/** Parses rates like 950m, 1g, 100M, 2.5G (bits per second). */
final class Rates {
    private Rates() {}

    static long parse(String s) {
        String t = s.trim().toLowerCase().replace("bit", "").replace("bps", "").replace("/s", "");
        double mul = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> mul = 1e3;
            case 'm' -> mul = 1e6;
            case 'g' -> mul = 1e9;
            default -> { }
        }
        if (mul != 1) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t) * mul;
            if (v < 1e5) throw new IllegalArgumentException("rate " + s + " is too low (at least 100k)");
            return (long) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read rate '" + s + "' (examples: 950m, 1g)");
        }
    }
}
