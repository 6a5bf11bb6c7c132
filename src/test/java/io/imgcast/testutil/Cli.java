package io.imgcast.testutil;

import io.imgcast.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the imgcast CLI: in this JVM ({@link #run}) or as a separate java process ({@link #start}). */
public final class Cli {
    private Cli() {}

    /** Exit code, standard output and standard error of one command. */
    public record Result(int code, String out, String err) {
        public Result ok() {
            if (code != 0) throw new AssertionError("imgcast exited " + code + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }

        public Object json() {
            return MiniJson.parse(out.strip());
        }
    }

    /** Runs {@code imgcast args...} in this JVM, capturing its output. Not for concurrent use. */
    public static synchronized Result run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = Main.run(a);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The class path of this test run (Surefire may hide it behind a manifest-only jar; both work for a child java). */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
        return cp;
    }

    /** Starts {@code java io.imgcast.cli.Main args...} as a child process with this run's class path. */
    public static Process start(Path log, Object... args) throws IOException {
        return start(List.of(), log, args);
    }

    /** As {@link #start(Path, Object...)}, with extra JVM options such as {@code -Dimgcast.lockWaitSeconds=1}. */
    public static Process start(List<String> jvmOptions, Path log, Object... args) throws IOException {
        return startMain("io.imgcast.cli.Main", jvmOptions, log, args);
    }

    /**
     * As {@link #start(List, Path, Object...)} with another main class of this run's class path
     * (a test's wrapper around the CLI). Its standard input stays a pipe from this JVM: it reaches
     * end-of-file when this JVM exits, so a child that waits on it cannot outlive the test run.
     */
    public static Process startMain(String mainClass, List<String> jvmOptions, Path log, Object... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), mainClass));
        for (Object a : args) cmd.add(String.valueOf(a));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("IMGCAST_NO_PROGRESS", "1");
        return pb.start();
    }
}
