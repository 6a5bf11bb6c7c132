package io.imgcast.packaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a systemd service unit a test needs: its {@code Environment=} defaults and its
 * {@code ExecStart=} words, expanded the way systemd expands them: {@code ${NAME}} is one argument
 * (empty if unset), {@code $NAME} is the value split on blanks (no argument if empty). Only
 * unquoted words that are plain or one whole variable are understood; anything else fails, so a
 * change to the unit that this model does not cover shows up here.
 */
record Unit(Map<String, String> environment, List<String> execStart, String execStartPre) {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    static Unit parse(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> exec = null;
        String pre = null;
        String section = "";
        for (String line : text.replaceAll("\\\\\n", " ").split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
            if (l.startsWith("[")) {
                section = l;
                continue;
            }
            if (!section.equals("[Service]")) continue;
            if (l.startsWith("Environment=")) {
                String kv = l.substring("Environment=".length());
                if (kv.contains(" ") || kv.contains("\"")) throw new IllegalArgumentException("one unquoted NAME=VALUE per Environment= line: " + l);
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (l.startsWith("ExecStartPre=")) {
                if (pre != null) throw new IllegalArgumentException("two ExecStartPre= lines");
                pre = l.substring("ExecStartPre=".length()).strip();
            } else if (l.startsWith("ExecStart=")) {
                if (exec != null) throw new IllegalArgumentException("two ExecStart= lines");
                exec = List.of(l.substring("ExecStart=".length()).strip().split("\\s+"));
            }
        }
        if (exec == null) throw new IllegalArgumentException("no ExecStart=");
        return new Unit(env, exec, pre);
    }

    /** The variables ExecStart reads. */
    Set<String> variables() {
        Set<String> vars = new LinkedHashSet<>();
        for (String w : execStart) {
            Matcher m = VAR.matcher(w);
            while (m.find()) vars.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return vars;
    }

    /** ExecStart's argument list with {@code env} substituted. */
    List<String> expand(Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        for (String w : execStart) {
            if (w.indexOf('$') < 0) {
                if (w.contains("\"") || w.contains("'")) throw new IllegalArgumentException("quoted word in ExecStart: " + w);
                argv.add(w);
                continue;
            }
            Matcher m = VAR.matcher(w);
            if (!m.matches()) throw new IllegalArgumentException("word mixes text and variables: " + w);
            String value = env.getOrDefault(m.group(1) != null ? m.group(1) : m.group(2), "");
            if (m.group(1) != null) {
                argv.add(value);
            } else {
                for (String part : value.strip().split("\\s+")) if (!part.isEmpty()) argv.add(part);
            }
        }
        return argv;
    }

    /**
     * The script of an {@code ExecStartPre=/bin/sh -c '...'} as the shell gets it: systemd turns
     * {@code $$} into {@code $}; any other {@code $} it would expand itself, which this refuses.
     */
    String preScript() {
        Matcher m = Pattern.compile("^/bin/sh -c '([^']*)'$").matcher(execStartPre == null ? "" : execStartPre);
        if (!m.matches()) throw new IllegalArgumentException("ExecStartPre is not /bin/sh -c '...': " + execStartPre);
        String script = m.group(1);
        if (script.replace("$$", "").contains("$")) throw new IllegalArgumentException("systemd would expand a $ in: " + script);
        return script.replace("$$", "$");
    }

    /** NAME=VALUE lines of an EnvironmentFile (comments and blank lines skipped, one pair of double quotes removed). */
    static Map<String, String> environmentFile(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
            int eq = l.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("not NAME=VALUE: " + l);
            String v = l.substring(eq + 1).strip();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
            env.put(l.substring(0, eq).strip(), v);
        }
        return env;
    }
}
