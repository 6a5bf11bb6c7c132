package io.imgcast.lab;

import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs imgcast processes inside a {@link NetLab}: a server in "s", receivers in the others. */
public final class LabRun {
    public final NetLab lab;
    public final Path dir;
    public final String serverUrl;

    public LabRun(NetLab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
        this.serverUrl = "https://" + lab.address("s") + ":8470/";
    }

    public static List<String> imgcast(Object... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", Cli.classPath(), "io.imgcast.cli.Main"));
        for (Object a : args) cmd.add(String.valueOf(a));
        return cmd;
    }

    public Process server(Path store, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("serve", "--store", store, "--interface", lab.iface("s"),
                "--listen", lab.address("s") + ":8470", "--exit-after-idle", "10"));
        a.addAll(List.of(extra));
        // the server's own state in the test's directory, not the machine's default
        if (!a.contains("--state")) a.addAll(List.of("--state", dir.resolve("state")));
        Process p = lab.start("s", imgcast(a.toArray()), dir.resolve("server.log"));
        awaitListening(p);
        return p;
    }

    /**
     * Waits (at most 60 s) until the server printed its fingerprint: it listens from then on, so
     * receivers started next do not spend their timeout on a server still setting up TLS.
     */
    private void awaitListening(Process p) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && p.isAlive() && !log("server").contains("fingerprint: ")) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public Process receiver(String host, String image, Path target, Object... extra) {
        List<Object> a = new ArrayList<>(List.of("receive", "--server", serverUrl, "--image", image, "--target", target,
                "--interface", lab.iface(host), "--machine", host, "--json"));
        a.addAll(List.of(extra));
        if (!a.contains("--timeout")) a.addAll(List.of("--timeout", "30"));
        return lab.start(host, imgcast(a.toArray()), dir.resolve(host + ".log"));
    }

    /** Waits for a receiver and returns its JSON summary (the last line of its output starting with '{'). */
    public Map<String, Object> result(String host, Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(host + " did not finish within " + timeout + ":\n" + log(host));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        String json = null;
        for (String line : log(host).split("\n")) if (line.startsWith("{")) json = line;
        if (json == null) throw new AssertionError(host + " printed no result (exit " + p.exitValue() + "):\n" + log(host));
        Map<String, Object> m = MiniJson.object(json);
        m.put("exit", p.exitValue());
        return m;
    }

    public String log(String host) {
        try {
            Path f = dir.resolve(host + ".log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the server has registered {@code n} machines (polls its status API from "s"). */
    public void awaitMachines(int n, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            NetLab.ExecResult r = lab.run("s", Duration.ofSeconds(5), "curl", "-sk", serverUrl + "api/v1/status");
            if (r.ok()) {
                Object machines = MiniJson.object(r.stdout()).get("machines");
                if (machines instanceof List<?> l && l.size() >= n) return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        StringBuilder logs = new StringBuilder();
        for (String h : lab.hosts()) logs.append("--- ").append(h).append(":\n").append(h.equals("s") ? log("server") : log(h));
        throw new AssertionError("server did not see " + n + " machines in " + timeout + ":\n" + logs);
    }

    /** The server's status entry of one machine, or null while it lists none of that name. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> machine(String name) {
        NetLab.ExecResult r = lab.run("s", Duration.ofSeconds(5), "curl", "-sk", serverUrl + "api/v1/status");
        if (!r.ok() || r.stdout().isBlank()) return null;
        if (!(MiniJson.object(r.stdout()).get("machines") instanceof List<?> l)) return null;
        for (Object o : l) if (o instanceof Map<?, ?> m && name.equals(m.get("machine"))) return (Map<String, Object>) m;
        return null;
    }

    /** Waits (bounded) until the server reports at least {@code bytes} done for {@code machine}: its transfer runs. */
    public void awaitDone(String machine, long bytes, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Map<String, Object> m = machine(machine);
            if (m != null && m.get("done_bytes") instanceof Number n && n.longValue() >= bytes) return;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError(machine + " did not get " + bytes + " bytes in " + timeout + ":\n" + log("server") + "\n" + log(machine));
    }

    /** The JVM of a process started in a namespace (ip netns exec runs it in place; its child if not): to signal it. */
    public static long javaPid(Process p) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.toHandle().descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(p.pid());
    }

    /** The server's status document. */
    public Map<String, Object> status() {
        NetLab.ExecResult r = lab.run("s", Duration.ofSeconds(5), "curl", "-sk", serverUrl + "api/v1/status");
        if (!r.ok()) throw new AssertionError("status failed: " + r.stderr());
        return MiniJson.object(r.stdout());
    }
}
