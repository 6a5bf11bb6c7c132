package io.imgcast.peer;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.ServedImage;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.net.McastSocket;
import io.imgcast.server.CastServer;
import io.imgcast.server.ImageCatalog;
import io.imgcast.store.StoreException;
import io.imgcast.trust.Admission;
import io.imgcast.trust.Identity;
import io.imgcast.trust.ServerTrust;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The master of a peer-to-peer session (modes 2, 3 and 5): prepares its image (reads its
 * source, or captures it, or opens it in the store) while announcing itself, lets receivers
 * join through the same control API a server offers, starts when enough joined, the operator
 * says so or the wait ran out, sends with the multicast engine ({@link CastServer}: FEC,
 * repair, carousel for late joiners), and ends once every receiver said goodbye and no one new
 * came for the linger time. Receivers discover it with {@link Discovery}.
 */
public final class PeerMaster {
    /** {@code waitMs}: after receivers can join (at once for a volume, which streams while it is read; after the read for a directory), start with whoever joined; fail if no one did. */
    public record Config(String iface, InetSocketAddress group, InetSocketAddress announce, InetSocketAddress listen,
                         long rateBps, int streams, int minReceivers, long waitMs, long machineTimeoutMs, long lingerMs, int ttl) {}

    /** The session's outcome: per receiver its row in the server's status. */
    public record Summary(boolean ok, String error, double seconds, int session, List<Status.Machine> receivers) {}

    private final Config config;
    private final AtomicBoolean go = new AtomicBoolean();
    /** The running session, once {@link #run} began. */
    private volatile MasterSession session;

    private final KeyPair key;

    /** A master with a key made for this session. */
    public PeerMaster(Config config) {
        this(config, ImageSignature.newKeyPair());
    }

    /** A master that signs with {@code key} ({@link MasterKey}): announcements and block directories. */
    public PeerMaster(Config config, KeyPair key) {
        this.config = config;
        this.key = key;
    }

    private volatile boolean encrypt;

    /** Encrypts the session's data ({@code send --encrypt}); said before {@link #run}. */
    public void encrypt(boolean on) {
        this.encrypt = on;
    }

    private volatile boolean insecureHttp;

    /**
     * Serves the control API over plain HTTP ({@code send --insecure-http}, a lab only): the join
     * replies then carry the session's datagram key, data key and tokens in clear. By default it
     * speaks TLS 1.3 with a certificate of the master's key, the key its announcements name, so
     * that a receiver pins the connection to the announced key. Said before {@link #run}.
     */
    public void insecureHttp(boolean on) {
        this.insecureHttp = on;
    }

    /** The fingerprint of the master's key (64 hex digits), which receivers may pin. */
    public String fingerprint() {
        return MasterKey.fingerprint(key);
    }

    private volatile long sentWhileReading = -1;

    /** Bytes the streams had sent when the image was ready (read whole): data that flowed while the source was read. */
    public long sentWhileReading() {
        return Math.max(0, sentWhileReading);
    }

    /** The operator's word: start with whoever has joined. */
    public void go() {
        go.set(true);
        MasterSession s = session;
        if (s != null) s.go();
    }

    /**
     * Runs the whole session. {@code prepare} makes the image named {@code name} ready in
     * {@code catalog} (it runs while the master already announces "reading"). {@code layout}
     * describes the disk (partition table) for the announcement. {@code onStatus} sees the
     * server's status whenever it may have changed (the live list of receivers).
     */
    public Summary run(ImageCatalog catalog, String name, String kind, long sourceBytes, String layout,
                       Callable<ServedImage> prepare, Consumer<Status> onStatus) throws IOException {
        long t0 = System.nanoTime();
        NetworkInterface nif = McastSocket.iface(config.iface());
        CastServer.Config sc = new CastServer.Config(config.iface(), config.group(), config.rateBps(), config.listen(),
                config.streams(), config.machineTimeoutMs(), Integer.MAX_VALUE, Long.MAX_VALUE / 4_000_000L, config.ttl(), List.of());
        AtomicReference<ServedImage> ready = new AtomicReference<>();
        AtomicReference<String> failed = new AtomicReference<>();
        MasterSession session = new MasterSession(config.minReceivers(), config.waitMs(), config.lingerMs());
        this.session = session;
        if (go.get()) session.go(); // said before the run began
        // nothing can be joined before the image is ready, whatever the catalog knows meanwhile
        ImageCatalog gated = new ImageCatalog() {
            @Override
            public ServedImage image(String wanted) {
                if (failed.get() != null) throw new StoreException("the master could not prepare its image: " + failed.get());
                if (ready.get() == null) throw new NotYet("the master is still reading its source");
                return catalog.image(wanted);
            }

            @Override
            public LiveTable live(String wanted) {
                return failed.get() != null ? null : catalog.live(wanted);
            }

            @Override
            public Payloads openPayloads() {
                return catalog.openPayloads();
            }

            @Override
            public String describe() {
                return catalog.describe();
            }
        };
        String address = controlAddress(nif, config.listen());
        String publicKey = Base64.getEncoder().encodeToString(key.getPublic().getEncoded());
        // one key: it signs the announcements, the directories, and (as a TLS certificate) the control port
        ServerTrust trust = new ServerTrust(new Identity(key), !insecureHttp, Admission.ANY, null, false);
        try (CastServer server = new CastServer(gated, sc, trust, key, encrypt)) {
            server.start();
            int port = server.httpAddress().getPort();
            int sessionId = server.session();
            AtomicInteger joined = new AtomicInteger();
            AtomicReference<long[]> totals = new AtomicReference<>(); // data bytes, stored bytes: computed once
            Announcer announcer = new Announcer(nif, config.ttl(), config.announce(), () -> {
                ServedImage s = ready.get();
                Phase phase = session.phase();
                int type = phase == Phase.ENDED ? Announce.END : Announce.ANNOUNCE;
                if (s == null) {
                    return new Announce(type, sessionId, port, name, kind, sourceBytes, 0, 0, 0, layout, phase, joined.get(),
                            config.minReceivers(), address, publicKey);
                }
                long[] t = totals.updateAndGet(v -> v != null ? v : new long[] {dataBytes(s), s.storedBytes()});
                return new Announce(type, sessionId, port, name, s.kind().name(), s.totalBytes(), t[0], t[1],
                        s.chunks().size(), layout, phase, joined.get(), config.minReceivers(), address, publicKey);
            }, key.getPrivate(), 500);
            // interrupted (Ctrl-C, TERM): tell the receivers the session ended rather than let them time out
            Thread hook = new Thread(() -> {
                if (session.end()) endBurst(announcer);
            });
            Runtime.getRuntime().addShutdownHook(hook);
            Thread prep = Thread.ofPlatform().daemon().name("imgcast-prepare").start(() -> {
                try {
                    ready.set(prepare.call());
                } catch (Throwable e) {
                    failed.set(e.getMessage() == null ? e.toString() : e.getMessage());
                }
            });
            try {
                while (true) {
                    sleep(200);
                    long now = System.nanoTime();
                    Status st = server.status();
                    joined.set(server.joinedCount());
                    onStatus.accept(st);
                    String failure = failed.get() != null ? failed.get() : server.failure();
                    if (failure != null) {
                        session.end();
                        endBurst(announcer);
                        return new Summary(false, failure, secs(t0), sessionId, st.machines());
                    }
                    if (ready.get() != null && sentWhileReading < 0) sentWhileReading = st.streamBytes();
                    boolean joinable = ready.get() != null || gated.live(name) != null;
                    for (MasterSession.Event e : session.step(now, new MasterSession.Seen(joinable, joined.get(), server.allFinished()))) {
                        switch (e) {
                            case READY -> announcer.sendNow();
                            case START -> {
                                server.startNow();
                                announcer.sendNow();
                            }
                            case NO_ONE -> {
                                endBurst(announcer);
                                return new Summary(false, "no receiver joined within " + config.waitMs() / 1000 + " s of the image being joinable;"
                                        + " run 'imgcast receive --from-peer --target ... --interface ...' on the receivers of this network",
                                        secs(t0), sessionId, st.machines());
                            }
                            case FINISHED -> {
                                endBurst(announcer);
                                List<Status.Machine> rs = new ArrayList<>(server.status().machines());
                                rs.removeIf(r -> r.state() == MachineState.REJOINED); // replaced by the same machine's later entry
                                onStatus.accept(server.status());
                                boolean ok = !rs.isEmpty() && rs.stream().allMatch(r -> r.state() == MachineState.DONE);
                                long good = rs.stream().filter(r -> r.state() == MachineState.DONE).count();
                                return new Summary(ok, ok ? null : (rs.size() - good) + " of " + rs.size() + " receivers did not succeed",
                                        secs(t0), sessionId, rs);
                            }
                        }
                    }
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or ran
                }
                announcer.close();
                prep.interrupt();
            }
        }
    }

    /** The IPv4 address the control API is reached on: the listen address if one was given, else the interface's first. */
    private static String controlAddress(NetworkInterface nif, InetSocketAddress listen) {
        InetAddress l = listen.getAddress();
        if (l instanceof Inet4Address && !l.isAnyLocalAddress()) return l.getHostAddress();
        return nif.inetAddresses().filter(a -> a instanceof Inet4Address).map(InetAddress::getHostAddress)
                .findFirst().orElse("");
    }

    private static long dataBytes(ServedImage s) {
        long t = 0;
        for (var c : s.chunks()) t += c.rawLength();
        return t;
    }

    /** End of data: a short burst of "ended" announcements so that late listeners learn it at once. */
    private static void endBurst(Announcer a) {
        for (int i = 0; i < 5; i++) {
            a.sendNow();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
