package io.imgcast.receiver;

import io.imgcast.api.DoneRequest;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.api.MachineState;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.image.ApplyException;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;

/**
 * A receiver's life with its server, one {@link Phase} after the other: join (retrying while the
 * server is unreachable or not ready), check the signed manifest, choose and scan the target,
 * receive ({@link Reception}), finish and read back, say done. When the server forgot the machine
 * (it restarted) the loop joins its new session and resumes, keeping what is on the target, up to
 * three times. The only user of the {@link ControlClient} and its messages; the threads of a
 * receive reach the server through a {@link ServerLink}.
 */
final class JoinLoop {
    /** The phases of one join, in order; each one's time is added to the result's {@code phases}. */
    enum Phase {
        JOIN, MANIFEST, SCAN, RECEIVE, FINISH, VERIFY;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int ATTEMPTS = 4;
    /** How the error of a last attempt that ended in a rejoin starts. */
    private static final String REJOIN = "rejoin: ";
    private static final String OCTETS = "application/octet-stream";

    private final CastReceiver.Config config;
    private final Progress progress;
    private final TargetChoice targets;
    private final ManifestCheck check;
    private final Counters counters = new Counters();
    private final Reception reception;
    private final Map<String, Double> phases = new LinkedHashMap<>();
    private long phaseStartNs;
    private boolean toldFirstUse;

    JoinLoop(CastReceiver.Config config, Progress progress, Function<Manifest, ChunkTarget> targets, long nowNs) {
        this.config = config;
        this.progress = progress;
        this.targets = new TargetChoice(config.target(), targets, config.targetOptions());
        this.check = new ManifestCheck(config.image(), config.trust()::manifestPin);
        this.reception = new Reception(config, counters, progress, check::dictionary);
        this.phaseStartNs = nowNs;
    }

    /** See {@link CastReceiver#pinSigner}: null for none. */
    private volatile String signerPin;

    /** The session the first join must find (the one announced), or null; later joins follow a restart. */
    private volatile Integer firstSession;
    private boolean joinedOnce;

    void expectFirstSession(int session) {
        this.firstSession = session;
    }

    void pinSigner(String fingerprint) {
        this.signerPin = fingerprint == null ? null : fingerprint.toLowerCase(Locale.ROOT);
    }

    /** Null if the join reply's signer is the pinned one (or none is pinned), else why not. */
    private String signerRefused(JoinReply joined) {
        String pin = signerPin;
        if (pin == null) return null;
        if (joined.signer() == null) return "the master did not say its key; it speaks another version of the protocol";
        String fp;
        try {
            fp = ImageSignature.fingerprint(Base64.getDecoder().decode(joined.signer()));
        } catch (IllegalArgumentException e) {
            return "the master's key is unreadable";
        }
        return fp.startsWith(pin) ? null : "the master's key " + fp + " is not the pinned one (" + pin + "); nothing was written";
    }

    private void ended(Phase p) {
        long now = System.nanoTime();
        phases.merge(p.key(), (now - phaseStartNs) / 1e9, Double::sum);
        phaseStartNs = now;
    }

    /** One join's end: its result, and why to join again (null: the result stands). */
    private record Attempt(CastReceiver.Result result, String rejoin) {}

    CastReceiver.Result run() {
        long t0 = System.nanoTime();
        CastReceiver.Result r = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Attempt a = attempt(t0);
            r = a.result();
            if (a.rejoin() == null) return r;
            System.err.println("imgcast: " + a.rejoin() + "; joining again to resume");
            Stop.sleep(1000);
        }
        return r;
    }

    private Attempt attempt(long t0) {
        ControlClient ctl = new ControlClient(config.server(), config.trust());
        JoinReply joined;
        try {
            joined = joinWithRetry(ctl);
            ctl.token(joined.token());
            String tofu = config.trust().firstUse();
            if (tofu != null && !toldFirstUse) {
                toldFirstUse = true;
                System.err.println("imgcast: no --server-key given: trusting the server's key on first use, fingerprint: " + tofu
                        + " (pin it with --server-key " + tofu.substring(0, 16) + ")");
            }
        } catch (SSLHandshakeException e) {
            return failed("the server at " + config.server() + " failed the TLS check: " + reason(e), t0);
        } catch (ControlClient.Refused e) {
            return failed("the server at " + config.server() + " refused the join: " + e.getMessage(), t0);
        } catch (IOException e) {
            return failed("cannot reach the server at " + config.server() + ": " + e.getMessage(), t0);
        }
        ended(Phase.JOIN);
        String refused = signerRefused(joined);
        if (refused == null && !joinedOnce && firstSession != null && joined.session() != firstSession) {
            refused = "the master at " + config.server() + " runs session " + joined.session() + ", not the announced session "
                    + firstSession + "; nothing was written";
        }
        if (refused != null) return failed(refused, t0);
        joinedOnce = true;
        Reception.Stream wire;
        try {
            wire = stream(joined);
        } catch (IOException e) {
            return failed(e.getMessage(), t0);
        }
        int machineId = joined.machineId();
        Link link = new Link(ctl, "api/v1/machines/" + machineId + "/");
        boolean live = joined.liveImage();
        Manifest manifest = null;
        if (!live) {
            try {
                manifest = check.manifest(fetchWithRetry(ctl, link.base + "manifest", LiveFeed.MAX_MANIFEST), joined.kind());
            } catch (CorruptDataException e) {
                return failed("descriptive data from the server failed its check: " + e.getMessage(), t0);
            } catch (IOException e) {
                return failed("cannot fetch the image's descriptive data from " + config.server() + ": " + e.getMessage(), t0);
            }
        } else if (!targets.takesLive()) {
            return failed("the image '" + config.image() + "' is still being read by its master; it can be relayed once the read ended", t0);
        }
        List<ChunkId> table;
        Map<ChunkId, Integer> index;
        ChunkTarget target;
        LiveFeed feed = null;
        if (live) {
            VolumeTarget vt = targets.live(joined.volumeSize());
            target = vt;
            table = new ArrayList<>();
            index = new ConcurrentHashMap<>();
            feed = new LiveFeed(link, vt, table, index, check, progress, config.feedbackMs(), wire.signer(), joined.session());
        } else {
            table = new ArrayList<>(manifest.distinctChunks().keySet());
            index = new HashMap<>();
            for (int i = 0; i < table.size(); i++) index.put(table.get(i), i);
            target = targets.of(manifest);
        }
        try (target) {
            ended(Phase.MANIFEST);
            Set<ChunkId> lacking = target.prepare();
            ended(Phase.SCAN);
            long needBytes = live ? 0 : postNeeds(link, manifest, table.size(), index, lacking);
            long reused = table.size() - lacking.size();
            if (!lacking.isEmpty() || feed != null) {
                reception.receive(link, wire, lacking, index, target, feed);
            }
            if (feed != null) {
                needBytes = feed.neededBytes();
                lacking = Set.copyOf(feed.lackingIds());
                reused = feed.reused();
            }
            ended(Phase.RECEIVE);
            String bad = finishAndVerify(link, target);
            double secs = seconds(t0);
            if (bad != null) {
                link.done(false, "read-back check failed: " + bad, secs);
                return failed("the received image does not read back correctly: " + bad, t0, needBytes, lacking.size(), reused);
            }
            link.done(true, null, secs);
            return new Attempt(result(true, null, secs, needBytes, lacking.size(), reused, feed != null), null);
        } catch (Rejoin e) {
            return new Attempt(result(false, REJOIN + e.getMessage(), seconds(t0), 0, 0, 0, false), e.getMessage());
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof ApplyException || e instanceof ServerLink.FailedByServer ? e.getMessage()
                    : (e.getMessage() != null && e.getMessage().contains("No space left"))
                    ? "the target " + config.target() + " is full (" + e.getMessage() + ")" : describe(e);
            link.done(false, msg, seconds(t0));
            return failed(msg, t0);
        }
    }

    /** Tells the server which chunks of the image's table the target lacks; returns their bytes. */
    private long postNeeds(Link link, Manifest manifest, int tableSize, Map<ChunkId, Integer> index, Set<ChunkId> lacking)
            throws IOException {
        Map<ChunkId, Integer> rawLen = manifest.distinctChunks();
        byte[] bits = new byte[(tableSize + 7) / 8];
        long needBytes = 0;
        for (ChunkId id : lacking) {
            int i = index.get(id);
            bits[i >> 3] |= (byte) (1 << (i & 7));
            needBytes += rawLen.get(id);
        }
        progress.total(needBytes);
        link.needs(bits);
        return needBytes;
    }

    /**
     * Finishes the target and, with {@code readback}, reads it back; returns the first mismatch or
     * null. Every chunk was hash-checked before it was written and every one was written; the
     * read-back catches a disk that corrupts writes. Keeps the server's timeout for a silent
     * machine from running out meanwhile.
     */
    private String finishAndVerify(Link link, ChunkTarget target) throws IOException {
        Thread keepAlive = FeedbackLoop.keepAlive(link, counters);
        try {
            target.finish();
            ended(Phase.FINISH);
            String bad = config.readback() ? target.verify() : null;
            ended(Phase.VERIFY);
            return bad;
        } finally {
            keepAlive.interrupt();
        }
    }

    /** The stream the join reply put this machine on; a server that does not say its symbol size speaks another version. */
    private static Reception.Stream stream(JoinReply joined) throws IOException {
        Integer ss = joined.symbolSize();
        if (ss == null || ss < Wire.MIN_SYMBOL || ss > Wire.MAX_SYMBOL) {
            throw new IOException("the server did not say its symbol size: it speaks another version of the protocol");
        }
        if (joined.wireKey() == null || joined.signer() == null) {
            throw new IOException("the server did not hand out the session's datagram key: it speaks another version of the protocol");
        }
        try {
            return new Reception.Stream(joined.session(), ss, joined.group(), Wire.Key.ofHex(joined.wireKey()),
                    ImageSignature.publicKey(Base64.getDecoder().decode(joined.signer())),
                    joined.dataKey() == null ? null : DataCipher.ofHex(joined.dataKey(), joined.session()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the server's session keys are unreadable: " + e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private Attempt failed(String msg, long t0) {
        return failed(msg, t0, 0, 0, 0);
    }

    private Attempt failed(String msg, long t0, long needBytes, long needChunks, long reused) {
        return new Attempt(result(false, msg, seconds(t0), needBytes, needChunks, reused, false), null);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private CastReceiver.Result result(boolean ok, String error, double secs, long needBytes, long needChunks, long reused, boolean live) {
        return new CastReceiver.Result(ok, error, config.image(), needBytes, needChunks, reused, counters.packets.get(),
                counters.rejectCounts(), counters.kernelDrops, counters.decodes, counters.loss, secs, Map.copyOf(phases), live);
    }

    private JoinReply joinWithRetry(ControlClient ctl) throws IOException {
        JoinRequest req = new JoinRequest(config.machine(), config.image(), config.priority(), mac(config.iface()));
        long deadline = System.nanoTime() + config.stallTimeoutMs() * 1_000_000L;
        IOException last = null;
        String lastBusy = null;
        while (System.nanoTime() < deadline) {
            try {
                return ctl.join(req);
            } catch (SSLHandshakeException e) {
                throw e; // the key is not the pinned one (or TLS is broken): retrying cannot help
            } catch (ControlClient.Refused r) {
                if (r.status != 503) throw r;
                // not ready yet (a relay fetching the image, a master still reading): wait while it makes progress
                if (!r.getMessage().equals(lastBusy)) {
                    deadline = System.nanoTime() + config.stallTimeoutMs() * 1_000_000L;
                    if (lastBusy == null) System.err.println("imgcast: " + r.getMessage() + "; waiting");
                    lastBusy = r.getMessage();
                }
                last = r;
                Stop.sleep(1000);
            } catch (IOException e) {
                last = e;
                Stop.sleep(500);
            }
        }
        throw last != null ? last : new IOException("timed out");
    }

    /**
     * GETs a body, retrying transient failures (timeouts, resets: many machines fetching large
     * manifests at once) until the stall timeout; a refusal by the server is final.
     */
    private byte[] fetchWithRetry(ControlClient ctl, String path, int max) throws IOException {
        long deadline = System.nanoTime() + config.stallTimeoutMs() * 1_000_000L;
        while (true) {
            try {
                return ctl.getBytes(path, max);
            } catch (ControlClient.Refused r) {
                throw r;
            } catch (IOException e) {
                if (System.nanoTime() >= deadline) throw e;
                System.err.println("imgcast: fetching " + path + " failed (" + e.getMessage() + "); trying again");
                Stop.sleep(1000);
            }
        }
    }

    /** The hardware address of the receiving interface (aa:bb:..), or null when it has none. */
    private static String mac(String iface) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(iface);
            byte[] a = nif == null ? null : nif.getHardwareAddress();
            if (a == null || a.length == 0) return null;
            StringBuilder b = new StringBuilder();
            for (byte x : a) b.append(b.isEmpty() ? "" : ":").append(String.format("%02x", x & 0xff));
            return b.toString();
        } catch (SocketException e) {
            return null;
        }
    }

    /** The innermost message of a TLS failure (the pin check's own words). */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : e.toString();
    }

    /** The joined machine's resources over the control client. */
    private static final class Link implements ServerLink {
        private final ControlClient ctl;
        final String base;
        private volatile boolean held;

        Link(ControlClient ctl, String base) {
            this.ctl = ctl;
            this.base = base;
        }

        @Override
        public String feedback(byte[] report) throws IOException {
            try {
                FeedbackReply r = ctl.feedback(base + "feedback", report);
                held = !r.sending();
                if (r.state() == MachineState.FAILED) throw new FailedByServer(r.error());
                return r.group();
            } catch (ControlClient.Refused e) {
                throw refused(e);
            }
        }

        @Override
        public void needs(int from, int to, byte[] bits) throws IOException {
            try {
                ctl.post(base + "needs?from=" + from + "&to=" + to, bits, OCTETS);
            } catch (ControlClient.Refused e) {
                throw refused(e);
            }
        }

        @Override
        public byte[] table(int from, int max) throws IOException {
            try {
                return ctl.getBytes(base + "table?from=" + from, max);
            } catch (ControlClient.Refused e) {
                throw refused(e);
            }
        }

        @Override
        public byte[] manifest(int max) throws IOException {
            try {
                return ctl.getBytes(base + "manifest", max);
            } catch (ControlClient.Refused e) {
                throw refused(e);
            }
        }

        @Override
        public boolean held() {
            return held;
        }

        private static Refused refused(ControlClient.Refused e) {
            return new Refused(e.status, e.getMessage());
        }

        /** Posts the needs bitmap of the whole table (an image read whole). */
        void needs(byte[] bits) throws IOException {
            ctl.post(base + "needs", bits, OCTETS);
        }

        /** Says the machine is done (its result); the server may be gone: the exit status still tells the truth. */
        void done(boolean ok, String error, double secs) {
            try {
                ctl.done(base + "done", new DoneRequest(ok, error, secs));
            } catch (IOException ignored) {
                // the server may be gone; our exit status still tells the truth
            }
        }
    }
}
