package io.imgcast.state;

/** Names of hosts, groups and images as the state keeps them: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
public final class Names {
    public static final int MAX = 64;

    private Names() {}

    /** {@code name} unchanged when valid; else a clear {@link IllegalArgumentException} naming {@code what}. */
    public static String check(String what, String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a " + what + " name is required");
        if (name.length() > MAX) throw new IllegalArgumentException(what + " name '" + name.substring(0, 20) + "...' is longer than " + MAX + " characters");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(what + " name '" + name + "' may hold only letters, digits, '.', '_' and '-' (starting with a letter or digit)");
        }
        return name;
    }
}
