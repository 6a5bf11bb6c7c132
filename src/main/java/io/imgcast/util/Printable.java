package io.imgcast.util;

/**
 * Text from a store or a peer made safe for a terminal: control characters (C0, DEL, C1) and
 * Unicode format characters (bidirectional overrides, zero-width marks) become {@code \xNN} or
 * {@code \\uNNNN}, and a backslash is doubled; every other character, accented letters and
 * other scripts included, is printed as it is.
 */
public final class Printable {
    private Printable() {}

    public static String of(String text) {
        if (text == null) return "";
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = c == '\\' || Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
            if (unsafe && b == null) b = new StringBuilder(text.length() + 8).append(text, 0, i);
            if (b == null) continue;
            if (c == '\\') b.append("\\\\");
            else if (!unsafe) b.append(c);
            else if (c < 0x100) b.append(String.format("\\x%02x", (int) c));
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b == null ? text : b.toString();
    }
}
