package io.imgcast.server;

import io.imgcast.api.DoneRequest;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.Event;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.api.MachineState;
import io.imgcast.api.NeedsReply;
import io.imgcast.api.RefuseRequest;
import io.imgcast.api.Status;
import io.imgcast.cast.BlockData;
import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ChunkTable;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.RateController;
import io.imgcast.cast.Scheduler;
import io.imgcast.cast.ServedImage;
import io.imgcast.cast.SignedManifest;
import io.imgcast.cast.StreamPlanner;
import io.imgcast.cast.TableBarrier;
import io.imgcast.cast.TableSignature;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.net.DatagramOut;
import io.imgcast.net.McastSocket;
import io.imgcast.state.StateDb;
import io.imgcast.store.ImageName;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.trust.ServerTrust;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deployment server: keeps the list of machines and the image each wants, answers
 * descriptive data over HTTP (unicast), and streams the union of what they still need over one
 * or more multicast streams. Machines report progress over HTTP and say when they are done.
 *
 * <p>A composition: the {@link ControlApi} (HTTP and JSON, whose routes land here), the
 * {@link Roster} of machines and their states, the {@link StartGate}, the {@link TableBarrier}
 * for images still being read, and one {@link StreamSender} per multicast stream. The
 * schedulers, the barrier and the roster change under one lock; a sweeper thread checks the
 * gate and drops silent machines every 200 ms.
 */
public final class CastServer implements AutoCloseable, ControlApi.Handler {
    /** Server settings. {@code minMachines}/{@code waitMs}: hold data until that many joined or the wait ran out. */
    public record Config(String iface, InetSocketAddress group, long rateBps, InetSocketAddress listen, int streams,
                         long machineTimeoutMs, int minMachines, long waitMs, int ttl, List<PriorityRule> priorityRules,
                         PriorityFiles priorityFiles, double favourTime) {
        public Config {
            if (priorityFiles == null) priorityFiles = PriorityFiles.NONE;
        }

        /** Without a list of files first, weighing restore time and wire alike. */
        public Config(String iface, InetSocketAddress group, long rateBps, InetSocketAddress listen, int streams,
                      long machineTimeoutMs, int minMachines, long waitMs, int ttl, List<PriorityRule> priorityRules) {
            this(iface, group, rateBps, listen, streams, machineTimeoutMs, minMachines, waitMs, ttl, priorityRules, PriorityFiles.NONE, 0.5);
        }

        /** As this, with the chunks of the files the globs in {@code file} name sent first ({@code --priority-files}). */
        public Config withPriorityFiles(java.nio.file.Path file) {
            return new Config(iface, group, rateBps, listen, streams, machineTimeoutMs, minMachines, waitMs, ttl, priorityRules,
                    PriorityFiles.read(file), favourTime);
        }

        /** As this, weighing restore time by {@code favourTime} (0..1) and wire by the rest ({@link StreamPlanner}). */
        public Config withFavourTime(double favourTime) {
            return new Config(iface, group, rateBps, listen, streams, machineTimeoutMs, minMachines, waitMs, ttl, priorityRules,
                    priorityFiles, favourTime);
        }
    }

    /** Priority by machine location: machines whose address is in {@code cidr} get at least {@code priority}. */
    public record PriorityRule(InetAddress network, int prefix, int priority) {
        public static PriorityRule parse(String s) {
            int eq = s.lastIndexOf('=');
            int slash = s.indexOf('/');
            if (eq < 0) throw new IllegalArgumentException("priority rule must be CIDR=N, e.g. 10.1.2.0/24=5");
            try {
                String net = slash < 0 ? s.substring(0, eq) : s.substring(0, slash);
                int prefix = slash < 0 ? 32 : Integer.parseInt(s.substring(slash + 1, eq));
                return new PriorityRule(InetAddress.getByName(net), prefix, Integer.parseInt(s.substring(eq + 1)));
            } catch (IOException | NumberFormatException e) {
                throw new IllegalArgumentException("cannot read priority rule '" + s + "': " + e.getMessage());
            }
        }

        boolean matches(InetAddress a) {
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

    /** How long a machine may lag behind a live table before the others' data goes out without it. */
    public static final long LAG_NS = 2_000_000_000L;

    private final ImageCatalog catalog;
    private final boolean ownsCatalog;
    private final Config config;
    private final int session;
    /** The datagram key of this session ({@link Wire}), handed to each machine that joins. */
    private final Wire.Key wireKey = Wire.Key.random();
    /** Signs the block directories; its public half goes to each machine that joins. */
    private final KeyPair signing;
    /** The AES key of the symbols when the session encrypts its data, else null. */
    private final byte[] dataKey;
    private final Object lock = new Object();
    /** Needs for live images, held until the machines that keep up know those chunks (guarded by {@code lock}). */
    private final TableBarrier barrier = new TableBarrier(LAG_NS);
    private final List<StreamSender> streams = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Roster roster;
    private final StartGate gate;
    /** The scheduling glue: which stream each machine rides, what its scheduler is told (guarded by {@code lock}). */
    private final Streams plan;
    private final ControlApi api;
    /** Each stream's sending socket (batched where it can be: {@link McastSocket#out}). */
    private final List<DatagramOut> outs = new ArrayList<>();
    /** Bytes of data per datagram: one Ethernet frame of the interface's MTU ({@link Wire#symbolSize}). */
    private final int symbolSize;
    /** Each served image's {@link SignedManifest}, encoded once (its dictionary is compressed hard). */
    private final Map<ServedImage, byte[]> envelopes = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ServerTrust trust;
    /** Chunks whose stored copy failed its check while serving, with the reason (guarded by {@code lock}). */
    private final Map<ChunkId, String> badChunks = new HashMap<>();
    /** Hosts, groups and sessions when the server has a state ({@link #enableAdmin}); else null. */
    private volatile AdminApi admin;
    /** Where the roster's transitions and the sessions' changes are told: the log, the history, the console. */
    private final Events events = new Events(System::currentTimeMillis);
    /** The admin console at {@code /}, and {@code /metrics}. */
    private final ServerConsole console;
    /** Captures sent over the network, when the server serves a store and keeps a state; else null. */
    private volatile CaptureIntake intake;

    /** Serves the images of {@code store} (holding a reader lease on it until closed), over plain HTTP to anyone. */
    public CastServer(Store store, Config config) throws IOException {
        this(new StoreCatalog(store), true, config, ServerTrust.open(), ImageSignature.newKeyPair(), false);
    }

    /** Serves from {@code catalog}, which the caller keeps and closes, over plain HTTP to anyone. */
    public CastServer(ImageCatalog catalog, Config config) throws IOException {
        this(catalog, false, config, ServerTrust.open(), ImageSignature.newKeyPair(), false);
    }

    /** Serves the images of {@code store} (holding a reader lease on it until closed) as {@code trust} says. */
    public CastServer(Store store, Config config, ServerTrust trust) throws IOException {
        this(new StoreCatalog(store), true, config, trust, ImageSignature.newKeyPair(), false);
    }

    /** As above; with {@code encrypt}, every symbol is encrypted ({@link DataCipher}) under a key handed out at join. */
    public CastServer(Store store, Config config, ServerTrust trust, boolean encrypt) throws IOException {
        this(new StoreCatalog(store), true, config, trust, ImageSignature.newKeyPair(), encrypt);
    }

    /** Serves from {@code catalog}, which the caller keeps and closes, as {@code trust} says. */
    public CastServer(ImageCatalog catalog, Config config, ServerTrust trust) throws IOException {
        this(catalog, false, config, trust, ImageSignature.newKeyPair(), false);
    }

    /**
     * Serves from {@code catalog} (kept and closed by the caller) over plain HTTP to anyone,
     * signing block directories with {@code signing} (a peer master's key) instead of a key made
     * for the session; with {@code encrypt}, every symbol is encrypted ({@link DataCipher}) under
     * a key handed out at join.
     */
    public CastServer(ImageCatalog catalog, Config config, KeyPair signing, boolean encrypt) throws IOException {
        this(catalog, false, config, ServerTrust.open(), signing, encrypt);
    }

    /** As above, with the control port as {@code trust} says: a peer master's TLS with its own key. */
    public CastServer(ImageCatalog catalog, Config config, ServerTrust trust, KeyPair signing, boolean encrypt) throws IOException {
        this(catalog, false, config, trust, signing, encrypt);
    }

    private CastServer(ImageCatalog catalog, boolean ownsCatalog, Config config, ServerTrust trust, KeyPair signing, boolean encrypt)
            throws IOException {
        this.signing = signing;
        this.dataKey = encrypt ? DataCipher.newKey() : null;
        this.catalog = catalog;
        this.trust = trust;
        this.ownsCatalog = ownsCatalog;
        this.config = config;
        this.session = new SecureRandom().nextInt() & 0x7fffffff;
        long now = System.nanoTime();
        this.roster = new Roster(config.machineTimeoutMs(), now);
        roster.events(events);
        this.gate = new StartGate(config.minMachines(), config.waitMs());
        NetworkInterface nif = McastSocket.iface(config.iface());
        // an encrypted symbol carries its GCM tag: 16 bytes less of data per datagram
        this.symbolSize = encrypt ? Math.max(Wire.MIN_SYMBOL, Wire.symbolSize(nif.getMTU()) - DataCipher.TAG)
                : Wire.symbolSize(nif.getMTU());
        DataCipher cipher = encrypt ? new DataCipher(dataKey, session) : null;
        for (int s = 0; s < Math.max(1, config.streams()); s++) {
            long rate = s == 0 ? config.rateBps() : (long) (config.rateBps() * StreamPlanner.slowShare());
            InetSocketAddress g = new InetSocketAddress(config.group().getAddress(), config.group().getPort() + s);
            Scheduler sch = new Scheduler(s, Scheduler.Config.defaults(), (long) s << 28, symbolSize);
            ImageCatalog.Payloads payloads = catalog.openPayloads();
            DatagramOut out = McastSocket.out(nif, config.ttl(), g, Wire.MAX_PACKET);
            outs.add(out);
            streams.add(new StreamSender(s, sch, new RateController(rate, now), g, lock, out, payloads, session, this::sending,
                    wireKey, BlockData.signer(signing.getPrivate(), session), cipher, this::chunkFailed));
        }
        this.plan = new Streams(streams, new StreamPlanner(new StreamPlanner.Config(Math.max(1, config.streams()), config.favourTime(),
                0.02, 0.01, 2_000_000_000L, 0.10)), config.priorityFiles(), events);
        this.api = new ControlApi(config.listen(), this, trust.tls() ? trust.identity().serverContext() : null);
        this.console = new ServerConsole(this, catalog, trust, events, api);
    }

    /** The server's events (machines joining, finishing, sessions starting): add a sink to hear them. */
    public Events events() {
        return events;
    }

    /** Whether {@code /metrics} needs the admin token (default: open to scrapers). */
    public void metricsNeedAdmin(boolean needAdmin) {
        console.metricsNeedAdmin(needAdmin);
    }

    public int session() { return session; }

    private String dataKeyHex() {
        return dataKey == null ? null : HexFormat.of().formatHex(dataKey);
    }

    /**
     * Serves the inventory and sessions of {@code state} ({@link AdminApi}): machines of a group
     * join only while a session of their group admits them, and data waits for the session's
     * groups. Call before {@link #start}; the caller keeps and closes {@code state}.
     */
    public void enableAdmin(StateDb state) {
        AdminApi a = new AdminApi(state, this::fail, trust.adminToken());
        a.events(events);
        a.controls(new AdminApi.Controls() {
            @Override
            public void rate(long bps) {
                synchronized (lock) {
                    for (StreamSender s : streams) s.rate.cap(s.index == 0 ? bps : (long) (bps * StreamPlanner.slowShare()));
                    lock.notifyAll();
                }
            }

            @Override
            public boolean remove(int id, String reason) {
                if (!roster.active(id)) return false;
                fail(Set.of(id), reason);
                return true;
            }
        });
        a.routes(api);
        if (catalog instanceof StoreCatalog sc) {
            // captures over the network go into the served store
            CaptureIntake in = new CaptureIntake(sc.store(), state);
            in.routes(api);
            a.captures(in);
            intake = in;
        }
        admin = a;
        console.enable(state, a);
    }

    /**
     * The union of the images the machines on the list receive or received, in bytes (each
     * distinct chunk once; failed machines' images left out): what the wire would carry with no
     * loss and no repair.
     */
    long unionBytes() {
        Map<String, ChunkTable> tables = new HashMap<>();
        for (Status.Machine r : roster.rows()) {
            Machine m = roster.get(r.id());
            // the images still being served or served: a failed machine's image is no longer the wire's business
            if (m != null && m.table != null && (m.state.active() || m.state == MachineState.DONE)) tables.putIfAbsent(m.imageName, m.table);
        }
        Set<ChunkId> seen = new HashSet<>();
        long bytes = 0;
        for (ChunkTable t : tables.values()) {
            for (int i = 0, n = t.size(); i < n; i++) {
                ChunkMeta c = t.get(i);
                if (seen.add(c.id())) bytes += c.rawLength();
            }
        }
        return bytes;
    }

    /** Data may flow: the start gate is open and no session waits for its groups. */
    private boolean sending() {
        AdminApi a = admin;
        return gate.isOpen() && (a == null || a.mayFlow());
    }

    /** Fails machines (their session was cancelled): they are told so in their next feedback reply. */
    private void fail(Set<Integer> ids, String reason) {
        List<Machine> failed = new ArrayList<>();
        synchronized (lock) {
            for (int id : ids) {
                Machine m = roster.get(id);
                if (m == null || !m.state.active()) continue;
                plan.remove(m.id);
                barrier.remove(m.id);
                roster.onDone(m, false, reason, null);
                failed.add(m);
            }
            lock.notifyAll();
        }
        AdminApi a = admin;
        if (a != null) for (Machine m : failed) a.finished(m);
    }

    public InetSocketAddress httpAddress() { return api.address(); }

    /** Whether a network-booted machine boots imgcast's kernel ({@code boot}) or its local disk, and why. */
    public record BootPlan(boolean boot, String why) {}

    /**
     * What network boot does with the machine of {@code mac} ({@link AdminApi#bootPlan}); without
     * a state ({@link #enableAdmin}) every machine boots its local disk. A bad MAC is an
     * {@link IllegalArgumentException}.
     */
    public BootPlan bootPlan(String mac) {
        AdminApi a = admin;
        if (a == null) return new BootPlan(false, "the server keeps no hosts");
        return a.bootPlan(mac);
    }

    /** The control API's base URL for a host name or address ({@code https} unless the server speaks plain HTTP). */
    public String controlUrl(String host) {
        return (api.tls() ? "https" : "http") + "://" + host + ":" + api.address().getPort() + "/";
    }

    /** The fingerprint of the server's key (what receivers pin), or null when it has none. */
    public String fingerprint() { return trust.fingerprint(); }

    public void start() {
        api.start();
        for (StreamSender s : streams) threads.add(Thread.ofPlatform().name("imgcast-stream-" + s.index).start(s));
        threads.add(Thread.ofPlatform().daemon().name("imgcast-sweeper").start(this::sweep));
    }

    /** True once at least one machine finished and none has been active for {@code idleMs}. */
    public boolean idle(long idleMs) {
        return roster.idle(System.nanoTime(), idleMs * 1_000_000L);
    }

    /** A failed stream sender, or null. */
    public String failure() {
        for (StreamSender s : streams) if (s.failure() != null) return "stream " + s.index + ": " + s.failure();
        return null;
    }

    /** Starts sending now, whoever has joined (the operator's word). */
    public void startNow() {
        synchronized (lock) {
            gate.open();
            lock.notifyAll();
        }
    }

    /** Machines that joined (answered with their needs) and are not refused. */
    public int joinedCount() {
        return roster.joinedCount();
    }

    /** True when at least one machine joined and every machine on the list has finished (done, failed, lost or refused). */
    public boolean allFinished() {
        return roster.allFinished();
    }

    /** Whether data may flow yet (the start barrier: N machines joined, or the wait ran out). */
    boolean started() {
        return gate.isOpen();
    }

    private void sweep() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            AdminApi a = admin;
            if (a != null) a.tick(now, id -> {
                Machine m = roster.get(id);
                return m != null && m.joined() && m.state != MachineState.JOINING;
            });
            List<Machine> lost;
            synchronized (lock) {
                gate.check(roster.joinedCount(), now);
                lost = roster.sweep(now);
                for (Machine m : lost) {
                    plan.remove(m.id);
                    barrier.remove(m.id);
                }
                release(now);
                lock.notifyAll();
            }
            if (a != null) for (Machine m : lost) a.finished(m);
        }
    }

    @Override
    public JoinReply join(JoinRequest req, InetAddress from) throws ControlApi.Refusal {
        if (!trust.admission().admits(req.mac(), from)) {
            throw new ControlApi.Refusal(403, new ErrorReply("this machine (" + from.getHostAddress()
                    + (req.mac() != null ? ", " + Names.text(req.mac(), 32) : "") + ") is not known to the server"));
        }
        String name = Names.machine(req.machine() != null ? req.machine() : from.getHostAddress());
        String imageName = req.image();
        if (imageName == null) throw new ControlApi.Refusal(400, new ErrorReply("image is required"));
        if (!Names.imageOk(imageName)) throw new ControlApi.Refusal(400, new ErrorReply("image name is too long or has control characters"));
        AdminApi a = admin;
        AdminApi.Admitted admitted = a != null ? a.admit(name) : null;
        int priority = Names.clampPriority(req.priority() != null ? req.priority() : 0);
        for (PriorityRule rule : config.priorityRules()) {
            if (rule.matches(from)) priority = Math.max(priority, rule.priority());
        }
        LiveTable live = catalog.live(imageName);
        // the read ended (or failed): join as for any image (or be told why not)
        if (live != null && (live.completed() != null || live.failure() != null)) live = null;
        ServedImage img = null;
        if (live == null) {
            try {
                img = catalog.image(imageName);
            } catch (ImageCatalog.NotYet e) {
                throw new ControlApi.Refusal(503, new ErrorReply(e.getMessage(), true));
            } catch (StoreException e) {
                throw new ControlApi.Refusal(404, new ErrorReply(e.getMessage()));
            } catch (CorruptDataException e) {
                // a damaged or unservable image: the server's admin must act, the machine cannot
                System.err.println("imgcast serve: cannot serve '" + imageName + "': " + e.getMessage());
                throw new ControlApi.Refusal(500, new ErrorReply("the server cannot serve this image: " + e.getMessage()));
            }
        }
        Machine m;
        synchronized (lock) {
            long now = System.nanoTime();
            if (roster.full()) {
                throw new ControlApi.Refusal(503, new ErrorReply("the server's list of machines is full; try again later", true));
            }
            if (roster.full(from)) {
                throw new ControlApi.Refusal(429, new ErrorReply("too many machines joined from " + from.getHostAddress()));
            }
            Roster.Joined j = roster.onJoin(name, from, admitted != null ? admitted.session() : 0, imageName, live != null ? live : ChunkTable.of(img.chunks()), live, img, priority, now);
            m = j.machine();
            m.repair = RepairBudget.forStream(config.rateBps() / 8.0 / symbolSize, now);
            m.token = Tokens.fresh();
            // a live joiner has a moment to learn the table before it counts as lagging
            if (live != null) barrier.add(m.id, live, priority, now);
            // the same machine joining again (it restarted): its earlier entry is replaced
            for (Machine old : j.replaced()) {
                plan.remove(old.id);
                barrier.remove(old.id);
            }
            gate.onJoin(now);
        }
        if (admitted != null) a.joined(admitted, m);
        String signer = Base64.getEncoder().encodeToString(signing.getPublic().getEncoded());
        return live != null
                ? new JoinReply(session, m.id, imageName, "VOLUME", true, live.volumeSize(), null, null, 0, groupOf(0), symbolSize,
                        wireKey.hex(), signer, m.token, dataKeyHex())
                : new JoinReply(session, m.id, imageName, img.kind().name(), null, null, img.chunks().size(), img.manifest().length,
                        0, groupOf(0), symbolSize, wireKey.hex(), signer, m.token, dataKeyHex());
    }

    /** A machine that cannot take part says why; it is listed as refused, so the operator sees it, and takes no part in the session. */
    @Override
    public void refuse(RefuseRequest req, InetAddress from) {
        if (!trust.admission().admits(null, from)) return; // strangers are not listed
        synchronized (lock) {
            roster.onRefuse(Names.machine(req.machine() != null ? req.machine() : from.getHostAddress()),
                    req.image() != null ? Names.text(req.image(), Names.MAX_IMAGE) : "?",
                    req.reason() != null ? Names.text(req.reason(), Names.MAX_ERROR) : "no reason given", System.nanoTime());
        }
    }

    @Override
    public Machine contact(int id, String token) throws ControlApi.Refusal {
        Machine m = roster.get(id);
        if (m == null || !m.joined()) return null;
        if (m.token != null && !Tokens.same(m.token, token)) {
            throw new ControlApi.Refusal(403, new ErrorReply("this request does not carry machine " + id + "'s token"));
        }
        roster.onContact(m, System.nanoTime());
        return m;
    }

    /** A live image's placements from {@code from} on (binary, see {@link LiveTable}). */
    @Override
    public byte[] table(Machine m, long from) throws ControlApi.Refusal {
        if (m.live == null) {
            throw new ControlApi.Refusal(404, new ErrorReply("this machine's image is not being read live; its manifest came with the join"));
        }
        return TableSignature.sign(signing.getPrivate(), session, m.live.encodeSlice((int) Math.min(Integer.MAX_VALUE, from)));
    }

    /** The machine's image's signed manifest ({@link SignedManifest}); for a live image once its read ended. */
    @Override
    public byte[] manifest(Machine m) throws ControlApi.Refusal {
        ServedImage img = m.live != null ? m.live.completed() : m.image;
        if (img == null) throw new ControlApi.Refusal(503, new ErrorReply("the image is still being read", true));
        return envelopes.computeIfAbsent(img, i -> SignedManifest.of(i).encode());
    }

    /**
     * The machine's needs over chunks {@code [from, to)} of its table. For a fixed image only
     * the first report counts; for a live one each report adds the next part of the table, and
     * repeats of a part already reported are ignored.
     */
    @Override
    public NeedsReply needs(Machine m, long from, long to, byte[] bits) {
        ChunkTable table = m.table;
        int n = (int) (to - from);
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
                    plan.addMachine(m, needs, now);
                    m.needBytes = bytes;
                    m.needChunks = needs.size();
                }
                roster.onNeeds(m);
                for (ChunkMeta c : needs) {
                    String why = badChunks.get(c.id());
                    if (why != null) {
                        failMachine(m, c.id(), why, now);
                        System.err.println("imgcast serve: failed " + m.name + ": it needs chunk " + c.id().shortHex() + " of image "
                                + ImageName.printable(m.imageName) + ", which is damaged in the store");
                        break;
                    }
                }
            } else {
                needs = barrier.report(m.id, (int) from, (int) to, bits, now);
                for (ChunkMeta c : needs) bytes += c.rawLength();
                m.needBytes += bytes;
                roster.onNeeds(m);
                release(now);
                m.needChunks = s.needCount(m.id) + barrier.held(m.id);
            }
            lock.notifyAll();
        }
        return new NeedsReply(needs.size(), bytes);
    }

    /**
     * A stream could not read chunk {@code c} (damaged or missing in the store): every machine
     * that still needs it is failed, with image and chunk named, and dropped from the streams;
     * the others go on (and a machine that later needs the chunk is failed when it says so).
     */
    private void chunkFailed(ChunkMeta c, String reason) {
        List<String> failed = new ArrayList<>();
        Set<String> images = new TreeSet<>();
        synchronized (lock) {
            boolean first = badChunks.putIfAbsent(c.id(), reason) == null;
            long now = System.nanoTime();
            for (Machine m : roster.activeMachines()) {
                if (!streams.get(m.stream).scheduler.needs(m.id).contains(c.id())) continue;
                failMachine(m, c.id(), reason, now);
                failed.add(m.name);
                images.add(m.imageName);
            }
            if (!first && failed.isEmpty()) return;
            lock.notifyAll();
        }
        System.err.println("imgcast serve: chunk " + c.id().shortHex() + (images.isEmpty() ? "" : " of image " + String.join(", ", images))
                + " is damaged in the store (" + reason + "); " + (failed.isEmpty() ? "no machine needs it now"
                : "failed " + String.join(", ", failed)) + "; the session goes on for the others. Run 'imgcast verify', then capture"
                + " the image again.");
    }

    /** Fails one machine the server cannot serve. Caller holds {@code lock}. */
    private void failMachine(Machine m, ChunkId chunk, String reason, long now) {
        String error = "the server cannot send chunk " + chunk.shortHex() + " of image " + io.imgcast.store.ImageName.printable(m.imageName)
                + ": its stored copy is damaged (" + reason + ")";
        roster.onServerFailure(m, error, now);
        plan.remove(m.id);
        barrier.remove(m.id);
    }

    @Override
    public FeedbackReply feedback(Machine m, byte[] body) {
        ChunkTable table = m.table;
        FeedbackFormat f = FeedbackFormat.decode(body, table.size());
        List<ChunkId> done = new ArrayList<>(f.completed().length);
        for (int i : f.completed()) done.add(table.get(i).id());
        long now = System.nanoTime();
        int stream;
        synchronized (lock) {
            Roster.Delta d = roster.onFeedback(m, f.packets(), f.rejected(), f.kernelDrops(), f.lossPpm(), f.bytesWritten());
            for (int i : f.completed()) barrier.got(m.id, i); // got it from data sent for the others meanwhile
            plan.feedback(m, done, f.blocks(), d, now, roster);
            if (plan.of(m).has(m.id)) m.needChunks = plan.of(m).needCount(m.id) + barrier.held(m.id);
            stream = m.stream;
            lock.notifyAll();
        }
        return new FeedbackReply(stream, groupOf(stream), m.state, sending(), m.state == MachineState.FAILED ? m.error : null);
    }

    @Override
    public void done(Machine m, DoneRequest req) {
        synchronized (lock) {
            plan.remove(m.id);
            barrier.remove(m.id);
            roster.onDone(m, req.succeeded(), Names.text(String.valueOf(req.error()), Names.MAX_ERROR), req.seconds());
            lock.notifyAll();
        }
        AdminApi a = admin;
        if (a != null) a.finished(m);
    }

    /** A snapshot for {@code GET /api/v1/status} and the dashboard. */
    @Override
    public Status status(String token) throws ControlApi.Refusal {
        if (trust.statusNeedsAdmin() && !Tokens.same(trust.adminToken(), token)) {
            throw new ControlApi.Refusal(403, new ErrorReply("status needs the admin token (the server's admin.token file)"));
        }
        return status();
    }

    /** A snapshot for the operator on the server itself (no token needed in-process). */
    public Status status() {
        List<Status.Stream> ss = new ArrayList<>();
        boolean started = sending();
        synchronized (lock) {
            for (StreamSender s : streams) {
                ss.add(new Status.Stream(s.index, groupOf(s.index), s.rate.rate(), s.packets.get(), s.bytes.get(), s.repairPackets.get(),
                        s.infoPackets.get(), s.scheduler.machineCount(), s.scheduler.pendingChunks(), s.scheduler.activeBlocks()));
            }
        }
        return new Status(session, started, ss, api.controlBytes(), roster.rows(), trust.fingerprint());
    }

    private String groupOf(int stream) {
        InetSocketAddress g = streams.get(stream).group;
        return g.getAddress().getHostAddress() + ":" + g.getPort();
    }

    /** Live images: hands the needs {@link #barrier} held back to the schedulers once they may go. Caller holds {@code lock}. */
    private void release(long nowNs) {
        barrier.release(nowNs, roster::active,
                (id, priority, needs) -> plan.addNeeds(roster.get(id), needs, nowNs));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        CaptureIntake in = intake;
        if (in != null) in.close();
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
        api.close();
        AdminApi a = admin;
        if (a != null) a.close();
        console.close();
        for (DatagramOut out : outs) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        if (ownsCatalog) catalog.close();
    }
}
