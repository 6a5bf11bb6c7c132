package io.imgcast.store;

/**
 * The rule for image names, checked wherever a name enters a store (capture, import, import
 * under a new name, a relay's or a peer's store): 1 to 128 characters out of {@code A-Z a-z 0-9}
 * and {@code . _ + - @ :}, not starting with {@code .} or {@code -}. Such a name is safe in a file
 * name, a shell word and a terminal. Names an older store already holds that break the rule stay
 * readable: whatever prints a name passes it through {@link #printable}.
 */
public final class ImageName {
    public static final int MAX_LENGTH = 128;
    public static final String RULE = "1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ + - @ :, not starting with '.' or '-'";

    private ImageName() {}

    /** True if {@code name} follows the rule. */
    public static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) return false;
        if (name.charAt(0) == '.' || name.charAt(0) == '-') return false;
        for (int i = 0; i < name.length(); i++) {
            if (!allowed(name.charAt(i))) return false;
        }
        return true;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '+' || c == '-' || c == '@' || c == ':';
    }

    /** Returns {@code name} if it follows the rule, else throws a {@link StoreException} saying why. */
    public static String check(String name) {
        if (valid(name)) return name;
        String why;
        if (name == null || name.isEmpty()) why = "it is empty";
        else if (name.length() > MAX_LENGTH) why = "it has " + name.length() + " characters";
        else if (name.charAt(0) == '.' || name.charAt(0) == '-') why = "it starts with '" + name.charAt(0) + "'";
        else why = "it contains " + printable(firstBad(name));
        throw new StoreException("invalid image name '" + printable(shorten(name)) + "': " + why + "; a name has " + RULE);
    }

    private static String firstBad(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!allowed(name.charAt(i))) return "'" + name.charAt(i) + "'";
        }
        return "";
    }

    private static String shorten(String name) {
        return name == null ? "" : name.length() > 64 ? name.substring(0, 64) + "..." : name;
    }

    /**
     * {@code name} safe to print on a terminal: a valid name unchanged; otherwise backslash,
     * control characters, and every other character outside printable ASCII as {@code \xNN} or
     * {@code \\uNNNN}, so that no escape sequence or line break reaches the output.
     */
    public static String printable(String name) {
        if (name == null) return "";
        if (valid(name)) return name;
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') b.append("\\\\");
            else if (c >= 0x20 && c < 0x7f) b.append(c);
            else if (c < 0x100) b.append(String.format("\\x%02x", (int) c));
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}
