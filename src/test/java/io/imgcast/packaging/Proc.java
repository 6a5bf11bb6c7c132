package io.imgcast.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end, with a time limit, keeping standard output and standard error apart. */
final class Proc {
    private Proc() {}

    record Result(List<String> argv, int code, String out, String err) {
        Result ok() {
            if (code != 0) throw new AssertionError(this.toString());
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", argv) + "\nexit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /**
     * Runs {@code argv}; {@code env} null inherits this process's environment, otherwise it is the
     * whole environment. A command still running after {@code timeoutSeconds} is killed and fails.
     */
    static Result run(List<String> argv, Map<String, String> env, Path cwd, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv));
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        if (cwd != null) pb.directory(cwd.toFile());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + argv);
            }
            return new Result(argv, p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Result run(String... argv) {
        return run(List.of(argv), null, null, 120);
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("proc-drain").start(r)); // not the common pool: two blocking reads at once
    }
}
