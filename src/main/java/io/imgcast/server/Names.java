package io.imgcast.server;

/**
 * What a machine may put on the server's list, bounded: names and error texts are cut to a few
 * dozen characters with control characters replaced (they end up in logs, status answers and
 * the dashboard, which escapes them again), priorities are clamped to
 * [{@link #MIN_PRIORITY}, {@link #MAX_PRIORITY}] (an unclamped {@code Integer.MIN_VALUE} would
 * wrap to the highest in the scheduler's order).
 */
final class Names {
    static final int MAX_MACHINE = 64;
    static final int MAX_IMAGE = 255;
    static final int MAX_ERROR = 512;
    static final int MIN_PRIORITY = -1000;
    static final int MAX_PRIORITY = 1000;

    private Names() {}

    /** A machine's name as listed: at most {@link #MAX_MACHINE} characters, control characters as '?'. */
    static String machine(String name) {
        String t = text(name, MAX_MACHINE);
        return t.isBlank() ? "?" : t;
    }

    /** {@code s} cut to {@code max} characters (marked with "…"), control characters as '?'. */
    static String text(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        if (s.length() > max) {
            b.setLength(max - 1);
            b.append('…');
        }
        return b.toString();
    }

    /** Whether an image name can be looked up at all: not empty, bounded, no control characters. */
    static boolean imageOk(String image) {
        if (image.isEmpty() || image.length() > MAX_IMAGE) return false;
        return image.chars().noneMatch(Character::isISOControl);
    }

    static int clampPriority(int p) {
        return Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, p));
    }
}
