package io.imgcast.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit status of every command: one table, printed in each command's help (picocli's exit
 * code list), in the man pages and in the README. Scripts may rely on these numbers.
 */
public enum ExitCode {
    OK(0, "success"),
    ERROR(1, "failed (the message says why), or a machine of a session failed"),
    USAGE(2, "usage error: unknown option, missing or malformed argument, ambiguous unit"),
    DAMAGE(3, "damaged data found (verify, apply or import read a chunk that does not match its hash; repair found damaged records or images)"),
    NOT_FOUND(4, "no such store or image"),
    REFUSED(5, "target refused: mounted or in use, locked by another process, or would be shrunk (--force overrides);"
            + " or no disk matches the host's disk rule (receive --auto)"),
    TRUST(6, "trust failure: a key that is not the pinned one, or an invalid signature"),
    INTERRUPTED(130, "interrupted (Ctrl-C)");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The table as picocli's exit code list: "  0" -> meaning, in order. */
    static Map<String, String> helpList() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ExitCode c : values()) m.put(String.format("%3d", c.code), c.meaning);
        return m;
    }
}
