package io.imgcast.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs external commands (coreutils, e2fsprogs, losetup, mount) for tests. A command that is not
 * installed goes to {@link Needs#missing}: a failure naming its package as root, a skip otherwise.
 */
public final class Sh {
    private Sh() {}

    private static final Pattern NOT_FOUND = Pattern.compile("(?m)^(?:bash: )?(?:line \\d+: )?([\\w.+-]+): command not found$");

    /** Exit code and combined output of a finished command. */
    public record Result(int code, String out) {
        public Result ok() {
            if (code != 0) throw new AssertionError("command failed with exit " + code + ":\n" + out);
            return this;
        }
    }

    /** Runs {@code bash -c script} with a 5-minute limit. */
    public static Result bash(String script) {
        return run(List.of("bash", "-c", script), null);
    }

    public static Result run(String... argv) {
        return run(List.of(argv), null);
    }

    public static Result run(List<String> argv, Path cwd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true);
            if (cwd != null) pb.directory(cwd.toFile());
            pb.environment().put("LC_ALL", "C.UTF-8");
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                if (!argv.getFirst().contains("/") && Needs.find(argv.getFirst()) == null) Needs.missing(List.of(argv.getFirst()));
                throw e;
            }
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("command timed out: " + argv);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() == 127) {
                // bash: "bash: line 3: setfattr: command not found"
                List<String> missing = new ArrayList<>();
                Matcher m = NOT_FOUND.matcher(text);
                while (m.find()) if (!missing.contains(m.group(1))) missing.add(m.group(1));
                if (!missing.isEmpty()) Needs.missing(missing);
            }
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Single-quotes a string for bash. */
    public static String q(Object s) {
        return "'" + String.valueOf(s).replace("'", "'\\''") + "'";
    }

    /** Allocated bytes of a file (st_blocks * 512). */
    public static long allocatedBytes(Path p) {
        return Long.parseLong(run("stat", "-c", "%b", p.toString()).ok().out().strip()) * 512;
    }

    /** True if {@code cmp} finds the files (or devices) byte-identical; {@code bytes} limits the comparison when positive. */
    public static boolean cmp(Path a, Path b, long bytes) {
        List<String> argv = new ArrayList<>(List.of("cmp"));
        if (bytes > 0) argv.addAll(List.of("-n", Long.toString(bytes)));
        argv.addAll(List.of(a.toString(), b.toString()));
        Result r = run(argv, null);
        if (r.code() > 1) throw new AssertionError("cmp failed: " + r.out());
        return r.code() == 0;
    }

    /** A tmpfs of the given size mounted on {@code dir}; close unmounts. */
    public static AutoCloseable mountTmpfs(Path dir, String size) {
        Needs.root("mounts a tmpfs");
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()).ok();
        return () -> run("umount", "-l", dir.toString());
    }

    /** A loop device over {@code file}; close detaches it. */
    public record Loop(Path device) implements AutoCloseable {
        public static Loop attach(Path file) {
            Needs.root("attaches a loop device");
            Needs.tools("losetup");
            String dev = run("losetup", "-f", "--show", file.toString()).ok().out().strip();
            return new Loop(Path.of(dev));
        }

        /** A loop device over {@code length} bytes of {@code file} from {@code offset} (a partition of a disk image). */
        public static Loop attach(Path file, long offset, long length) {
            Needs.root("attaches a loop device");
            Needs.tools("losetup");
            String dev = run("losetup", "-f", "--show", "-o", String.valueOf(offset), "--sizelimit", String.valueOf(length),
                    file.toString()).ok().out().strip();
            return new Loop(Path.of(dev));
        }

        @Override
        public void close() {
            run("losetup", "-d", device.toString());
        }
    }
}
