package io.imgcast.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network lab for integration tests: network namespaces joined by a bridge, made and
 * removed by {@code lab/lab.sh}. Hosts are named {@code s} (server), {@code r1..rN}
 * (receivers on segment 1), and with two segments {@code relay} (one leg in each) and
 * {@code b1..bM} (receivers on segment 2). Nothing is created in the root namespace.
 *
 * <pre>{@code
 * Needs.lab();   // io.imgcast.testutil.Needs: fails as root if a tool is missing, skips without root
 * try (NetLab lab = NetLab.up(NetLab.uniqueName("x"), 3, NetLab.Options.defaults().loss(1))) {
 *     Process r = lab.start("r1", List.of("udp-receiver", ...), dir.resolve("r1.log"));
 *     ...
 * }
 * }</pre>
 */
public final class NetLab implements AutoCloseable {

    /** Lab options; immutable, with withers. Loss is in percent (0..100). */
    public record Options(int segments, int receivers2, String rate, double loss,
                          Map<String, Double> lossOf, boolean route) {
        public Options {
            if (segments != 1 && segments != 2) throw new IllegalArgumentException("segments must be 1 or 2");
            if (receivers2 < 0 || (receivers2 > 0 && segments != 2))
                throw new IllegalArgumentException("receivers2 needs segments 2");
            checkPct(loss);
            lossOf = Collections.unmodifiableMap(new LinkedHashMap<>(lossOf));
            lossOf.values().forEach(Options::checkPct);
        }

        public static Options defaults() { return new Options(1, 0, null, 0, Map.of(), false); }

        /** Two segments with {@code m} receivers on the second, behind {@code relay}. */
        public Options segments(int segments, int receivers2) {
            return new Options(segments, receivers2, rate, loss, lossOf, route);
        }

        /** tc rate limit on every host link, both directions, e.g. {@code "1gbit"}. */
        public Options rate(String rate) { return new Options(segments, receivers2, rate, loss, lossOf, route); }

        /** Independent random loss in percent at every receiver. */
        public Options loss(double pct) { return new Options(segments, receivers2, rate, pct, lossOf, route); }

        /** Loss in percent at one host (overrides {@link #loss(double)} for it). */
        public Options lossOf(String host, double pct) {
            Map<String, Double> m = new LinkedHashMap<>(lossOf);
            m.put(host, pct);
            return new Options(segments, receivers2, rate, loss, m, route);
        }

        /** Unicast routing between the segments through the relay (ip_forward on). */
        public Options route(boolean route) { return new Options(segments, receivers2, rate, loss, lossOf, route); }

        private static void checkPct(double pct) {
            if (!(pct >= 0 && pct <= 100)) throw new IllegalArgumentException("loss must be 0..100: " + pct);
        }
    }

    /** Outcome of {@link #run}: exit code (-1 when timed out), captured output. */
    public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
        public boolean ok() { return !timedOut && exitCode == 0; }
    }

    /** One interface of one host, as {@code lab.sh info} reports it. */
    public record Iface(String host, String netns, String name, String address, int prefix, int segment) {}

    /** Counters of one interface. */
    public record IfaceStats(String iface, long rxBytes, long rxPackets, long txBytes, long txPackets,
                             long rxDropped, long txDropped) {}

    /**
     * Counters of a host: its interfaces, the packets its loss rule saw and dropped, and the
     * kernel's UDP receive-buffer drops (to tell socket overflow from network loss).
     */
    public record Stats(List<IfaceStats> ifaces, long nftSeenPackets, long nftDroppedPackets,
                        long udpInErrors, long udpRcvbufErrors) {
        public long txBytes() { return ifaces.stream().mapToLong(IfaceStats::txBytes).sum(); }
        public long rxBytes() { return ifaces.stream().mapToLong(IfaceStats::rxBytes).sum(); }
    }

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(180);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;
    private final Path script;
    private final List<Iface> ifaces;
    private final List<Process> started = Collections.synchronizedList(new ArrayList<>());
    private final Thread shutdownHook;
    private volatile boolean closed;

    private NetLab(String name, Path script, List<Iface> ifaces) {
        this.name = name;
        this.script = script;
        this.ifaces = List.copyOf(ifaces);
        this.shutdownHook = new Thread(this::teardownQuietly, "netlab-down-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A lab name unlikely to clash with other test JVMs: prefix (≤2 chars), pid, sequence. */
    public static String uniqueName(String prefix) {
        String p = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (p.isEmpty() || !Character.isLetter(p.charAt(0))) p = "l" + p;
        p = p.substring(0, Math.min(2, p.length()));
        String pid = Long.toString(ProcessHandle.current().pid() % 100_000, 36);
        String seq = Integer.toString(SEQ.getAndIncrement() % 1296, 36);
        return p + pid + seq;   // ≤ 2 + 4 + 2 = 8 chars
    }

    /** Creates a lab with hosts {@code s} and {@code r1..r<receivers>} (plus relay and b1.. per options). */
    public static NetLab up(String name, int receivers, Options opts) {
        Objects.requireNonNull(opts);
        Path script = findScript();
        if (script == null) throw new IllegalStateException("lab/lab.sh not found above " + System.getProperty("user.dir"));
        List<String> cmd = new ArrayList<>(List.of("up", name, "--receivers", Integer.toString(receivers),
                "--segments", Integer.toString(opts.segments())));
        if (opts.receivers2() > 0) cmd.addAll(List.of("--receivers2", Integer.toString(opts.receivers2())));
        if (opts.rate() != null) cmd.addAll(List.of("--rate", opts.rate()));
        if (opts.loss() > 0) cmd.addAll(List.of("--loss", pct(opts.loss())));
        opts.lossOf().forEach((h, p) -> cmd.addAll(List.of("--loss-of", h + "=" + pct(p))));
        if (opts.route()) cmd.add("--route");
        ExecResult r = exec(SCRIPT_TIMEOUT, prepend(script.toString(), cmd));
        if (!r.ok()) {
            // lab.sh removes a half-made lab itself; make sure anyway, unless the name was taken.
            if (!r.stderr().contains("already exists")) exec(SCRIPT_TIMEOUT, script.toString(), "down", name);
            throw new IllegalStateException("lab.sh up " + name + " failed (" + r.exitCode() + "): " + r.stderr() + r.stdout());
        }
        return new NetLab(name, script, parseInfo(r.stdout()));
    }

    public String name() { return name; }

    /** Host names in lab order: s, relay, r1.., b1... */
    public List<String> hosts() { return ifaces.stream().map(Iface::host).distinct().toList(); }

    /** Receivers on segment 1: r1..rN. */
    public List<String> receivers() { return hosts().stream().filter(h -> h.matches("r\\d+")).toList(); }

    /** Receivers on segment 2: b1..bM. */
    public List<String> receivers2() { return hosts().stream().filter(h -> h.matches("b\\d+")).toList(); }

    public List<Iface> ifaces() { return ifaces; }

    /** Namespace name of a host. */
    public String netns(String host) {
        if (host.equals("sw")) return name + "-sw";
        return ifacesOf(host).getFirst().netns();
    }

    /** The host's address on its first interface (segment 1, except for b hosts). */
    public String address(String host) { return ifacesOf(host).getFirst().address(); }

    /** The host's address on the given segment (for the relay). */
    public String address(String host, int segment) { return ifaceOn(host, segment).address(); }

    /** The host's first interface name (eth0). */
    public String iface(String host) { return ifacesOf(host).getFirst().name(); }

    /** The host's interface on the given segment (relay: eth0 on 1, eth1 on 2). */
    public String iface(String host, int segment) { return ifaceOn(host, segment).name(); }

    /**
     * Starts {@code command} in the host's namespace, stdout and stderr to {@code log}, stdin
     * from /dev/null. The process is killed by {@link #close()} if still running.
     */
    public Process start(String host, List<String> command, Path log) {
        return start(host, command, log, Redirect.from(new java.io.File("/dev/null")));
    }

    /**
     * As {@link #start(String, List, Path)}, with standard input a pipe from this JVM
     * ({@link Process#getOutputStream()}): to type into the command.
     */
    public Process startWithInput(String host, List<String> command, Path log) {
        return start(host, command, log, Redirect.PIPE);
    }

    private Process start(String host, List<String> command, Path log, Redirect input) {
        checkOpen();
        try {
            if (log.getParent() != null) Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(inNetns(host, command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(input);
            Process p = pb.start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + host, e);
        }
    }

    /** Runs a command in the host's namespace and waits at most {@code timeout} (then kills it). */
    public ExecResult run(String host, Duration timeout, String... cmd) {
        checkOpen();
        return exec(timeout, inNetns(host, List.of(cmd)).toArray(String[]::new));
    }

    /** Bytes sent on all of the host's interfaces so far (the sender's wire). */
    public long txBytes(String host) { return stats(host).txBytes(); }

    /** Bytes received on all of the host's interfaces so far. */
    public long rxBytes(String host) { return stats(host).rxBytes(); }

    public Stats stats(String host) {
        ExecResult r = script(Duration.ofSeconds(30), "stats", name, host);
        if (!r.ok()) throw new IllegalStateException("lab.sh stats failed: " + r.stderr());
        List<IfaceStats> list = new ArrayList<>();
        long seen = 0, dropped = 0, inErr = 0, rcvbuf = 0;
        for (String line : r.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 0) continue;
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 2; i + 1 < f.length; i += 2) kv.put(f[i], f[i + 1]);
            switch (f[0]) {
                case "iface" -> list.add(new IfaceStats(f[1], num(kv, "rx_bytes"), num(kv, "rx_packets"),
                        num(kv, "tx_bytes"), num(kv, "tx_packets"), num(kv, "rx_dropped"), num(kv, "tx_dropped")));
                case "nft" -> {
                    kv.clear();
                    for (int i = 1; i + 1 < f.length; i += 2) kv.put(f[i], f[i + 1]);
                    seen = num(kv, "seen_packets");
                    dropped = num(kv, "dropped_packets");
                }
                case "udp" -> {
                    kv.clear();
                    for (int i = 1; i + 1 < f.length; i += 2) kv.put(f[i], f[i + 1]);
                    inErr = num(kv, "in_errors");
                    rcvbuf = num(kv, "rcvbuf_errors");
                }
                default -> { }
            }
        }
        return new Stats(List.copyOf(list), seen, dropped, inErr, rcvbuf);
    }

    /** Changes the host's random loss (percent, 0..100) at once. */
    public void setLoss(String host, double pct) {
        checkOpen();
        ExecResult r = script(Duration.ofSeconds(30), "loss", name, host, pct(pct));
        if (!r.ok()) throw new IllegalStateException("lab.sh loss failed: " + r.stderr());
    }

    /** Kills the processes started here (and their descendants), then removes the lab. */
    @Override
    public void close() {
        if (closed) return;
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    private synchronized void teardown() {
        if (closed) return;
        closed = true;
        List<Process> procs;
        synchronized (started) {
            procs = new ArrayList<>(started);
        }
        for (Process p : procs) killTree(p.toHandle());
        for (Process p : procs) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ExecResult r = exec(SCRIPT_TIMEOUT, script.toString(), "down", name);
        if (!r.ok()) System.err.println("NetLab: lab.sh down " + name + " failed: " + r.stderr());
    }

    private void teardownQuietly() {
        try {
            teardown();
        } catch (RuntimeException e) {
            System.err.println("NetLab: teardown of " + name + " failed: " + e);
        }
    }

    // ---- helpers ----

    private List<Iface> ifacesOf(String host) {
        List<Iface> l = ifaces.stream().filter(i -> i.host().equals(host)).toList();
        if (l.isEmpty()) throw new IllegalArgumentException("no host '" + host + "' in lab " + name + " " + hosts());
        return l;
    }

    private Iface ifaceOn(String host, int segment) {
        return ifacesOf(host).stream().filter(i -> i.segment() == segment).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(host + " has no interface on segment " + segment));
    }

    private List<String> inNetns(String host, List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        String ip = Objects.requireNonNullElse(findTool("ip"), "ip");
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", netns(host)));
        full.addAll(command);
        return full;
    }

    private ExecResult script(Duration timeout, String... args) {
        return exec(timeout, prepend(script.toString(), List.of(args)));
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("lab " + name + " is closed");
    }

    private static List<Iface> parseInfo(String info) {
        // "# host netns iface addr segment loss_pct rate" then one line per interface
        List<Iface> list = new ArrayList<>();
        for (String line : info.split("\n")) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            String[] a = f[3].split("/");
            list.add(new Iface(f[0], f[1], f[2], a[0], Integer.parseInt(a[1]), Integer.parseInt(f[4])));
        }
        if (list.isEmpty()) throw new IllegalStateException("lab.sh printed no hosts: " + info);
        return list;
    }

    private static long num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    private static String pct(double pct) {
        return String.format(Locale.ROOT, "%.2f", pct);
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l.toArray(String[]::new);
    }

    /** Runs a command with output captured in temp files; kills it (and children) on timeout. */
    static ExecResult exec(Duration timeout, String... cmd) {
        Path out = null, err = null;
        try {
            out = Files.createTempFile("netlab", ".out");
            err = Files.createTempFile("netlab", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(Redirect.from(new java.io.File("/dev/null"))).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                killTree(p.toHandle());
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return new ExecResult(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), !done);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + List.of(cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + List.of(cmd), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void killTree(ProcessHandle h) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // temp file; nothing to do
        }
    }

    static String findTool(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    /**
     * lab/lab.sh: from system property {@code imgcast.lab.script}, else searched from the
     * working directory (Maven's basedir when tests run) upwards.
     */
    static Path findScript() {
        String prop = System.getProperty("imgcast.lab.script");
        if (prop != null && Files.isExecutable(Path.of(prop))) return Path.of(prop).toAbsolutePath();
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("lab").resolve("lab.sh");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
