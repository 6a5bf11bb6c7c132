package io.imgcast.server;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ChunkTable;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.RateController;
import io.imgcast.cast.Scheduler;
import io.imgcast.cast.ServedImage;
import io.imgcast.cast.SignedManifest;
import io.imgcast.cast.StreamPlanner;
import io.imgcast.cast.TableBarrier;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.net.McastSocket;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deployment server (M1–M8): keeps the list of machines and the image each wants, answers
 * descriptive data over HTTP (unicast), and streams the union of what they still need over one
 * or more multicast streams. Machines report progress over HTTP and say when they are done.
 *
 * <p>HTTP API (JSON unless noted): {@code POST /api/v1/join} {machine, image, priority} → session,
 * machine id, the image's kind and size, stream group and symbol size;
 * {@code POST /api/v1/machines/ID/needs[?from=A&to=B]} (bitmap over the image's chunk table, or
 * over its part [A, B) for an image still being read) → starts sending;
 * {@code GET /api/v1/machines/ID/table?from=N} (binary, an image still being read: its
 * {@link LiveTable} from placement N) and {@code GET /api/v1/machines/ID/manifest} (binary,
 * {@link SignedManifest}: the signed manifest; for an image still being read, once the read ended, 503 before);
 * {@code POST /api/v1/machines/ID/feedback} ({@link FeedbackFormat}) → current stream;
 * {@code POST /api/v1/machines/ID/done} {ok, error, seconds}; {@code GET /api/v1/status};
 * {@code GET /} the dashboard.
 */
public final class CastServer implements AutoCloseable {
    /** Server settings. {@code minMachines}/{@code waitMs}: hold data until that many joined or the wait ran out. */
    public record Config(String iface, InetSocketAddress group, long rateBps, InetSocketAddress listen, int streams,
                         long machineTimeoutMs, int minMachines, long waitMs, int ttl, List<PriorityRule> priorityRules) {}

    /** Priority by machine location (M6): machines whose address is in {@code cidr} get at least {@code priority}. */
    public record PriorityRule(java.net.InetAddress network, int prefix, int priority) {
        public static PriorityRule parse(String s) {
            int eq = s.lastIndexOf('=');
            int slash = s.indexOf('/');
            if (eq < 0) throw new IllegalArgumentException("priority rule must be CIDR=N, e.g. 10.1.2.0/24=5");
            try {
                String net = slash < 0 ? s.substring(0, eq) : s.substring(0, slash);
                int prefix = slash < 0 ? 32 : Integer.parseInt(s.substring(slash + 1, eq));
                return new PriorityRule(java.net.InetAddress.getByName(net), prefix, Integer.parseInt(s.substring(eq + 1)));
            } catch (IOException | NumberFormatException e) {
                throw new IllegalArgumentException("cannot read priority rule '" + s + "': " + e.getMessage());
            }
        }

        boolean matches(java.net.InetAddress a) {
            byte[] x = a.getAddress();
            byte[] n = network.getAddress();
            if (x.length != n.length) return false;
            for (int bit = 0; bit < prefix; bit++) {
                int m = 0x80 >> (bit & 7);
                if ((x[bit >> 3] & m) != (n[bit >> 3] & m)) return false;
            }
            return true;
        }
    }

    /** A machine on the list, as shown in status. */
    static final class MachineRecord {
        final int id;
        final String name;
        /** The image's chunk table, or null for a machine that refused to take part. */
        final ChunkTable table;
        /** Set when the machine joined while the image was still being read. */
        final LiveTable live;
        /** The image served to the machine (null for a live one until it completed, and for a refusal). */
        final ServedImage image;
        final int priority;
        String imageName;
        final long joinedMs = System.currentTimeMillis();
        volatile long lastSeenNs = System.nanoTime();
        volatile int stream;
        volatile String state = "joining";
        volatile String error;
        volatile long needBytes;
        volatile long doneBytes;
        volatile long needChunks;
        volatile double loss;
        volatile long packets;
        volatile long rejected;
        volatile long kernelDrops;
        volatile double seconds;

        MachineRecord(int id, String name, String imageName, ChunkTable table, LiveTable live, ServedImage image, int priority) {
            this.id = id;
            this.name = name;
            this.imageName = imageName;
            this.table = table;
            this.live = live;
            this.image = image;
            this.priority = priority;
        }
    }

    private final ImageCatalog catalog;
    private final boolean ownsCatalog;
    private final Config config;
    private final int session;
    private final Object lock = new Object();
    /** Needs for live images, held until the machines that keep up know those chunks (guarded by {@code lock}). */
    private final TableBarrier barrier = new TableBarrier(LAG_NS);
    private final List<StreamSender> streams = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, MachineRecord> machines = new ConcurrentHashMap<>();
    private final AtomicInteger nextMachine = new AtomicInteger(1);
    private final StreamPlanner planner;
    private final HttpServer http;
    private final DatagramChannel channel;
    /** Bytes of data per datagram: one Ethernet frame of the interface's MTU ({@link Wire#symbolSize}). */
    private final int symbolSize;
    private volatile boolean started;
    private volatile long firstJoinNs;
    private volatile long lastActivityNs = System.nanoTime();
    private volatile boolean anyFinished;

    /** Serves the images of {@code store} (holding a reader lease on it until closed). */
    public CastServer(Store store, Config config) throws IOException {
        this(new StoreCatalog(store), true, config);
    }

    /** Serves from {@code catalog}, which the caller keeps and closes. */
    public CastServer(ImageCatalog catalog, Config config) throws IOException {
        this(catalog, false, config);
    }

    private CastServer(ImageCatalog catalog, boolean ownsCatalog, Config config) throws IOException {
        this.catalog = catalog;
        this.ownsCatalog = ownsCatalog;
        this.config = config;
        this.session = new SecureRandom().nextInt() & 0x7fffffff;
        this.planner = StreamPlanner.defaults(config.streams());
        NetworkInterface nif = McastSocket.iface(config.iface());
        this.channel = McastSocket.sender(nif, config.ttl());
        this.symbolSize = Wire.symbolSize(nif.getMTU());
        long now = System.nanoTime();
        for (int s = 0; s < Math.max(1, config.streams()); s++) {
            long rate = s == 0 ? config.rateBps() : (long) (config.rateBps() * StreamPlanner.slowShare());
            InetSocketAddress g = new InetSocketAddress(config.group().getAddress(), config.group().getPort() + s);
            Scheduler sch = new Scheduler(s, Scheduler.Config.defaults(), (long) s << 28, symbolSize);
            ImageCatalog.Payloads payloads = catalog.openPayloads();
            streams.add(new StreamSender(s, sch, new RateController(rate, now), g, lock, channel, payloads, session, () -> started));
        }
        this.http = HttpServer.create(config.listen(), 64);
        http.setExecutor(Executors.newFixedThreadPool(4, r -> Thread.ofPlatform().daemon().name("imgcast-http").unstarted(r)));
        http.createContext("/api/v1/join", this::join);
        http.createContext("/api/v1/machines/", this::machine);
        http.createContext("/api/v1/refuse", this::refuse);
        http.createContext("/api/v1/status", ex -> reply(ex, 200, JSON.std.asString(status())));
        http.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                reply(ex, 404, "{\"error\":\"not found\"}");
                return;
            }
            byte[] page = Dashboard.html().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(page);
            }
        });
    }

    public int session() { return session; }

    public InetSocketAddress httpAddress() { return http.getAddress(); }

    public void start() {
        http.start();
        for (StreamSender s : streams) threads.add(Thread.ofPlatform().name("imgcast-stream-" + s.index).start(s));
        threads.add(Thread.ofPlatform().daemon().name("imgcast-sweeper").start(this::sweep));
    }

    /** True once at least one machine finished and none has been active for {@code idleMs}. */
    public boolean idle(long idleMs) {
        boolean active = machines.values().stream().anyMatch(m -> m.state.equals("receiving") || m.state.equals("joining"));
        return anyFinished && !active && System.nanoTime() - lastActivityNs > idleMs * 1_000_000L;
    }

    /** A failed stream sender, or null. */
    public String failure() {
        for (StreamSender s : streams) if (s.failure() != null) return "stream " + s.index + ": " + s.failure();
        return null;
    }

    private void sweep() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            synchronized (lock) {
                if (!started && firstJoinNs != 0) {
                    long joined = machines.values().stream().filter(m -> m.table != null && !m.state.equals("joining")).count();
                    if (joined >= config.minMachines() || now - firstJoinNs > config.waitMs() * 1_000_000L) started = true;
                }
                for (MachineRecord m : machines.values()) {
                    if ((m.state.equals("receiving") || m.state.equals("joining") || m.state.equals("verifying")) && now - m.lastSeenNs > config.machineTimeoutMs() * 1_000_000L) {
                        m.state = "lost";
                        m.error = "no word from the machine for " + config.machineTimeoutMs() / 1000 + " s; dropped from the list";
                        streams.get(m.stream).scheduler.removeMachine(m.id);
                        barrier.remove(m.id);
                        lastActivityNs = now;
                    }
                }
                release(now);
                lock.notifyAll();
            }
        }
    }

    private void join(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "{\"error\":\"POST only\"}");
                return;
            }
            Map<String, Object> req = JSON.std.mapFrom(readBody(ex, 64 * 1024));
            String name = String.valueOf(req.getOrDefault("machine", ex.getRemoteAddress().getAddress().getHostAddress()));
            String imageName = (String) req.get("image");
            if (imageName == null) {
                reply(ex, 400, "{\"error\":\"image is required\"}");
                return;
            }
            int priority = ((Number) req.getOrDefault("priority", 0)).intValue();
            for (PriorityRule rule : config.priorityRules()) {
                if (rule.matches(ex.getRemoteAddress().getAddress())) priority = Math.max(priority, rule.priority());
            }
            LiveTable live = catalog.live(imageName);
            // the read ended (or failed): join as for any image (or be told why not)
            if (live != null && (live.completed() != null || live.failure() != null)) live = null;
            ServedImage img = null;
            if (live == null) {
                try {
                    img = catalog.image(imageName);
                } catch (ImageCatalog.NotYet e) {
                    reply(ex, 503, JSON.std.asString(Map.of("error", e.getMessage(), "retry", true)));
                    return;
                } catch (StoreException e) {
                    reply(ex, 404, JSON.std.asString(Map.of("error", e.getMessage())));
                    return;
                } catch (CorruptDataException e) {
                    // a damaged or unservable image: the server's admin must act, the machine cannot
                    System.err.println("imgcast serve: cannot serve '" + imageName + "': " + e.getMessage());
                    reply(ex, 500, JSON.std.asString(Map.of("error", "the server cannot serve this image: " + e.getMessage())));
                    return;
                }
            }
            MachineRecord m = new MachineRecord(nextMachine.getAndIncrement(), name, imageName,
                    live != null ? live : ChunkTable.of(img.chunks()), live, img, priority);
            synchronized (lock) {
                // a live joiner has a moment to learn the table before it counts as lagging
                if (live != null) barrier.add(m.id, live, priority, System.nanoTime());
                // the same machine joining again (it restarted): its earlier entry is replaced
                for (MachineRecord old : machines.values()) {
                    if (old.name.equals(name) && old.table != null && isActive(old.state)) {
                        old.state = "rejoined";
                        for (StreamSender s : streams) s.scheduler.removeMachine(old.id);
                        barrier.remove(old.id);
                    }
                }
                machines.put(m.id, m);
            }
            if (firstJoinNs == 0) firstJoinNs = System.nanoTime();
            lastActivityNs = System.nanoTime();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("session", session);
            out.put("machine_id", m.id);
            out.put("image", imageName);
            if (live != null) {
                out.put("kind", "VOLUME");
                out.put("live", true);
                out.put("volume_size", live.volumeSize());
            } else {
                putImage(out, img);
            }
            out.put("stream", 0);
            out.put("group", groupOf(0));
            out.put("symbol_size", symbolSize);
            reply(ex, 200, JSON.std.asString(out));
        } catch (IOException | RuntimeException e) {
            reply(ex, 400, JSON.std.asString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    private static void putImage(Map<String, Object> out, ServedImage img) {
        out.put("kind", img.kind().name());
        out.put("chunks", img.chunks().size());
        out.put("manifest_bytes", img.manifest().length);
    }

    /**
     * A machine that cannot take part says why ({machine, image, reason}); it is listed as
     * refused, so the operator sees it, and takes no part in the session.
     */
    private void refuse(HttpExchange ex) throws IOException {
        try {
            Map<String, Object> req = JSON.std.mapFrom(readBody(ex, 64 * 1024));
            String name = String.valueOf(req.getOrDefault("machine", ex.getRemoteAddress().getAddress().getHostAddress()));
            MachineRecord m = new MachineRecord(nextMachine.getAndIncrement(), name, String.valueOf(req.getOrDefault("image", "?")),
                    null, null, null, 0);
            m.state = "refused";
            m.error = String.valueOf(req.getOrDefault("reason", "no reason given"));
            machines.put(m.id, m);
            reply(ex, 200, "{\"ok\":true}");
        } catch (IOException | RuntimeException e) {
            reply(ex, 400, JSON.std.asString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    private static boolean isActive(String state) {
        return state.equals("receiving") || state.equals("joining") || state.equals("verifying");
    }

    /** Starts sending now, whoever has joined (the operator's word). */
    public void startNow() {
        synchronized (lock) {
            started = true;
            lock.notifyAll();
        }
    }

    /** Machines that joined (answered with their needs) and are not refused. */
    public int joinedCount() {
        return (int) machines.values().stream().filter(m -> m.table != null && !m.state.equals("joining")).count();
    }

    /** True when at least one machine joined and every machine on the list has finished (done, failed, lost or refused). */
    public boolean allFinished() {
        boolean any = false;
        for (MachineRecord m : machines.values()) {
            if (m.table == null) continue;
            any = true;
            if (isActive(m.state)) return false;
        }
        return any;
    }

    private String groupOf(int stream) {
        InetSocketAddress g = streams.get(stream).group;
        return g.getAddress().getHostAddress() + ":" + g.getPort();
    }

    private void machine(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/");
        // /api/v1/machines/ID/ACTION
        boolean get = ex.getRequestMethod().equals("GET");
        if (parts.length != 6 || !(get || ex.getRequestMethod().equals("POST"))) {
            reply(ex, 404, "{\"error\":\"not found\"}");
            return;
        }
        MachineRecord m;
        try {
            m = machines.get(Integer.parseInt(parts[4]));
        } catch (NumberFormatException e) {
            m = null;
        }
        if (m == null || m.table == null) {
            reply(ex, 404, "{\"error\":\"unknown machine; join again\",\"state\":\"unknown\"}");
            return;
        }
        try {
            m.lastSeenNs = System.nanoTime();
            lastActivityNs = m.lastSeenNs;
            if (get != (parts[5].equals("table") || parts[5].equals("manifest"))) {
                reply(ex, 405, "{\"error\":\"wrong method\"}");
                return;
            }
            switch (parts[5]) {
                case "table" -> table(ex, m);
                case "manifest" -> manifest(ex, m);
                case "needs" -> needs(ex, m);
                case "feedback" -> feedback(ex, m);
                case "done" -> done(ex, m);
                default -> reply(ex, 404, "{\"error\":\"not found\"}");
            }
        } catch (CorruptDataException e) {
            reply(ex, 400, JSON.std.asString(Map.of("error", e.getMessage())));
        }
    }

    /** A live image's placements from {@code ?from=N} on (binary, see {@link LiveTable}). */
    private void table(HttpExchange ex, MachineRecord m) throws IOException {
        if (m.live == null) {
            reply(ex, 404, "{\"error\":\"this machine's image is not being read live; its manifest came with the join\"}");
            return;
        }
        byte[] body = m.live.encodeSlice((int) Math.min(Integer.MAX_VALUE, queryLong(ex, "from", 0)));
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, body.length);
        controlBytes.addAndGet(body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    /** The machine's image's signed manifest ({@link SignedManifest}); for a live image once its read ended (503 until then). */
    private void manifest(HttpExchange ex, MachineRecord m) throws IOException {
        ServedImage img = m.live != null ? m.live.completed() : m.image;
        if (img == null) {
            reply(ex, 503, JSON.std.asString(Map.of("error", "the image is still being read", "retry", true)));
            return;
        }
        byte[] body = envelopes.computeIfAbsent(img, i -> SignedManifest.of(i).encode());
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, body.length);
        controlBytes.addAndGet(body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    /**
     * The machine's needs: a bitmap over chunks {@code [from, to)} of its image's table (the
     * whole table by default). For a fixed image only the first report counts; for a live one
     * each report adds the next part of the table, and repeats of a part already reported are
     * ignored.
     */
    private void needs(HttpExchange ex, MachineRecord m) throws IOException {
        ChunkTable table = m.table;
        int size = table.size();
        long from = queryLong(ex, "from", 0);
        long to = queryLong(ex, "to", size);
        if (from < 0 || to < from || to > size) throw new CorruptDataException("needs range " + from + "-" + to + " is outside the table");
        int n = (int) (to - from);
        byte[] bits = readBody(ex, n / 8 + 1);
        if (bits.length != (n + 7) / 8) throw new CorruptDataException("needs bitmap has the wrong length");
        List<ChunkMeta> needs = new ArrayList<>();
        long bytes = 0;
        long now = System.nanoTime();
        synchronized (lock) {
            Scheduler s = streams.get(m.stream).scheduler;
            if (m.live == null) {
                if (!s.has(m.id)) {
                    for (int i = 0; i < n; i++) {
                        if ((bits[i >> 3] & (1 << (i & 7))) != 0) {
                            needs.add(table.get((int) from + i));
                            bytes += table.get((int) from + i).rawLength();
                        }
                    }
                    s.addMachine(m.id, m.priority, needs, now);
                    m.needBytes = bytes;
                    m.needChunks = needs.size();
                }
                m.state = m.needChunks == 0 ? "verifying" : "receiving";
            } else {
                needs = barrier.report(m.id, (int) from, (int) to, bits, now);
                for (ChunkMeta c : needs) bytes += c.rawLength();
                m.needBytes += bytes;
                m.state = "receiving";
                release(now);
                m.needChunks = s.needCount(m.id) + barrier.held(m.id);
            }
            lock.notifyAll();
        }
        reply(ex, 200, JSON.std.asString(Map.of("needed_chunks", needs.size(), "needed_bytes", bytes)));
    }

    /** Each served image's {@link SignedManifest}, encoded once (its dictionary is compressed hard). */
    private final Map<ServedImage, byte[]> envelopes = new ConcurrentHashMap<>();

    /** How long a machine may lag behind a live table before the others' data goes out without it. */
    public static final long LAG_NS = 2_000_000_000L;

    /** Live images: hands the needs {@link #barrier} held back to the schedulers once they may go. Caller holds {@code lock}. */
    private void release(long nowNs) {
        barrier.release(nowNs, id -> {
            MachineRecord r = machines.get(id);
            return r != null && isActive(r.state);
        }, (id, priority, needs) -> streams.get(machines.get(id).stream).scheduler.addNeeds(id, priority, needs, nowNs));
    }

    private static long queryLong(HttpExchange ex, String key, long dflt) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return dflt;
        for (String kv : q.split("&")) {
            if (kv.startsWith(key + "=")) {
                try {
                    return Long.parseLong(kv.substring(key.length() + 1));
                } catch (NumberFormatException e) {
                    throw new CorruptDataException("query parameter " + key + " is not a number");
                }
            }
        }
        return dflt;
    }

    private void feedback(HttpExchange ex, MachineRecord m) throws IOException {
        ChunkTable table = m.table;
        FeedbackFormat f = FeedbackFormat.decode(readBody(ex, 16 << 20), table.size());
        List<ChunkId> done = new ArrayList<>(f.completed().length);
        for (int i : f.completed()) done.add(table.get(i).id());
        long now = System.nanoTime();
        int stream;
        synchronized (lock) {
            long newDrops = Math.max(0, f.kernelDrops() - m.kernelDrops);
            long newPackets = Math.max(1, f.packets() - m.packets);
            m.loss = f.lossPpm() / 1e6;
            m.packets = f.packets();
            m.rejected = f.rejected();
            m.kernelDrops = f.kernelDrops();
            m.doneBytes = f.bytesWritten();
            StreamSender cur = streams.get(m.stream);
            cur.rate.onFeedback(newDrops, now);
            for (int i : f.completed()) barrier.got(m.id, i); // got it from data sent for the others meanwhile
            if (cur.scheduler.has(m.id)) {
                cur.scheduler.feedback(m.id, done, f.blocks(), m.loss, now);
                int want = planner.choose(m.loss, (double) newDrops / newPackets, m.stream);
                // the slow stream is for a machine that would hold the others back: with no other
                // machine left on the fast one, the rate controller serves it better there
                if (want > m.stream && !othersOnStream(m)) want = m.stream;
                if (want != m.stream && want < streams.size()) {
                    var rest = cur.scheduler.removeMachine(m.id);
                    List<ChunkMeta> needs = new ArrayList<>();
                    for (int i = 0, n = table.size(); i < n && needs.size() < rest.size(); i++) {
                        if (rest.contains(table.get(i).id())) needs.add(table.get(i));
                    }
                    streams.get(want).scheduler.addMachine(m.id, m.priority, needs, now);
                    m.stream = want;
                }
                m.needChunks = streams.get(m.stream).scheduler.needCount(m.id) + barrier.held(m.id);
            }
            stream = m.stream;
            lock.notifyAll();
        }
        reply(ex, 200, JSON.std.asString(Map.of("stream", stream, "group", groupOf(stream), "state", m.state,
                "sending", started)));
    }

    /** Whether a machine other than {@code m} is still receiving on {@code m}'s stream. */
    private boolean othersOnStream(MachineRecord m) {
        for (MachineRecord o : machines.values()) {
            if (o != m && o.stream == m.stream && o.table != null && isActive(o.state)) return true;
        }
        return false;
    }

    private void done(HttpExchange ex, MachineRecord m) throws IOException {
        Map<String, Object> req = JSON.std.mapFrom(readBody(ex, 64 * 1024));
        boolean ok = Boolean.TRUE.equals(req.get("ok"));
        synchronized (lock) {
            for (StreamSender s : streams) s.scheduler.removeMachine(m.id);
            barrier.remove(m.id);
            m.state = ok ? "done" : "failed";
            m.error = ok ? null : String.valueOf(req.get("error"));
            if (req.get("seconds") instanceof Number n) m.seconds = n.doubleValue();
            if (ok) m.doneBytes = m.needBytes;
            anyFinished = true;
            lock.notifyAll();
        }
        reply(ex, 200, "{\"ok\":true}");
    }

    /** A snapshot for {@code GET /api/v1/status} and the dashboard. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("session", session);
        out.put("started", started);
        List<Object> ss = new ArrayList<>();
        synchronized (lock) {
            for (StreamSender s : streams) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stream", s.index);
                m.put("group", groupOf(s.index));
                m.put("rate_bps", s.rate.rate());
                m.put("packets", s.packets.get());
                m.put("bytes", s.bytes.get());
                m.put("repair_packets", s.repairPackets.get());
                m.put("directory_packets", s.infoPackets.get());
                m.put("machines", s.scheduler.machineCount());
                m.put("pending_chunks", s.scheduler.pendingChunks());
                m.put("active_blocks", s.scheduler.activeBlocks());
                ss.add(m);
            }
        }
        out.put("streams", ss);
        out.put("control_bytes_sent", controlBytes.get());
        List<Object> ms = new ArrayList<>();
        for (MachineRecord r : machines.values().stream().sorted((a, b) -> Integer.compare(a.id, b.id)).toList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id);
            m.put("machine", r.name);
            m.put("image", r.imageName);
            m.put("priority", r.priority);
            m.put("stream", r.stream);
            m.put("state", r.state);
            m.put("need_bytes", r.needBytes);
            m.put("done_bytes", r.doneBytes);
            m.put("remaining_chunks", r.needChunks);
            m.put("loss", r.loss);
            m.put("packets", r.packets);
            m.put("rejected", r.rejected);
            m.put("kernel_drops", r.kernelDrops);
            m.put("seconds", r.seconds);
            if (r.error != null) m.put("error", r.error);
            ms.add(m);
        }
        out.put("machines", ms);
        return out;
    }

    /** Whether data may flow yet (the start barrier: N machines joined, or the wait ran out). */
    boolean started() {
        return started;
    }

    private static byte[] readBody(HttpExchange ex, int max) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new CorruptDataException("request body too large");
            return b;
        }
    }

    /** Bytes of HTTP reply bodies sent (descriptive data, tables, acknowledgements). */
    private final java.util.concurrent.atomic.AtomicLong controlBytes = new java.util.concurrent.atomic.AtomicLong();

    private void reply(HttpExchange ex, int code, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        controlBytes.addAndGet(b.length);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (StreamSender s : streams) s.stop();
        synchronized (lock) {
            lock.notifyAll();
        }
        for (Thread t : threads) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        http.stop(0);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        if (ownsCatalog) catalog.close();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
