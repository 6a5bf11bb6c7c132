package io.imgcast.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Start-up fast path for the hot commands (capture, apply): a strict scan of a plain command
 * line, so that the command can set its fields without picocli. Building picocli's model costs
 * ~100-200 ms at every start (its pre-Java-6 classes are verified the slow way and cannot go in
 * the AOT cache), and reading the annotations ourselves would cost ~60 ms (annotation proxies are
 * generated at run time). Anything unusual (help, an unknown or repeated option, "--", a bad
 * number, a missing required option) makes the command decline, and picocli parses as before,
 * with its usual messages. {@code FastCliTest} checks both paths give the same fields.
 */
final class FastCli {
    /** Implemented by commands that can bind a plain command line themselves. */
    interface Bindable {
        /** Sets the fields from {@code args} (args[0] is the command name); false to leave it to picocli. */
        boolean bindFast(String[] args);
    }

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();

    private FastCli() {}

    /**
     * Scans args[1..]: {@code flagNames} take no value, {@code valueNames} take one ("--x v" or
     * "--x=v"); names of one option are given as a group, e.g. {"-q", "--quiet"}. Null when the
     * line is anything but plain.
     */
    static FastCli scan(String[] args, List<Set<String>> flagNames, List<Set<String>> valueNames) {
        FastCli c = new FastCli();
        Map<String, String> canonical = new HashMap<>();
        for (Set<String> g : flagNames) for (String n : g) canonical.put(n, "F" + first(g));
        for (Set<String> g : valueNames) for (String n : g) canonical.put(n, "V" + first(g));
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                c.positional.add(a);
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            String key = canonical.get(name);
            if (key == null) return null; // unknown, "-", "--", clusters like -qv, help
            String opt = key.substring(1);
            if (key.charAt(0) == 'F') {
                if (value != null || !c.flags.add(opt)) return null;
            } else {
                if (value == null) {
                    if (++i >= args.length) return null;
                    value = args[i];
                }
                if (c.values.putIfAbsent(opt, value) != null) return null;
            }
        }
        return c;
    }

    private static String first(Set<String> g) {
        return g.stream().sorted().findFirst().orElseThrow();
    }

    /** The value of the option named (among others) {@code name}, or null. */
    String value(Set<String> names) {
        return values.get(first(names));
    }

    boolean flag(Set<String> names) {
        return flags.contains(first(names));
    }

    List<String> positional() {
        return positional;
    }

    /** An int option's value, {@code dflt} if absent; null if it is not a number. */
    static Integer parseInt(String v, Integer dflt) {
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
