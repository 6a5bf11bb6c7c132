package io.imgcast.receiver;

import io.imgcast.api.DoneRequest;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.Scheduler;
import io.imgcast.cast.SignedManifest;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.net.McastSocket;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A destination machine (M1–M5, B2, B4, B5): asks the server for an image, checks its signed
 * descriptive data, scans the target for what it already holds, joins the multicast stream,
 * writes each verified chunk straight to its place, reports progress, and finishes the image.
 * It succeeds only when the whole target reads back equal to the image.
 */
public final class CastReceiver {
    /** {@code readback}: after finishing, read the whole target back and check every chunk again. */
    public record Config(URI server, String image, Path target, int priority, String iface, String machine,
                         String serverKey, long stallTimeoutMs, long feedbackMs, boolean readback) {}

    /** How often a receiver reports to the server by default (ms); {@code IMGCAST_FEEDBACK_MS} overrides it. */
    public static final long FEEDBACK_MS = feedbackDefault();

    private static long feedbackDefault() {
        try {
            String v = System.getenv("IMGCAST_FEEDBACK_MS");
            return v == null ? 100 : Math.max(20, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    public record Result(boolean ok, String error, String image, long neededBytes, long neededChunks, long reusedChunks,
                         long packets, Map<String, Long> rejected, long kernelDrops, long decodes, double loss, double seconds,
                         Map<String, Double> phases, boolean live) {}

    private final Map<String, Double> phases = new LinkedHashMap<>();
    private long phaseStart = System.nanoTime();

    private void phase(String name) {
        long now = System.nanoTime();
        phases.merge(name, (now - phaseStart) / 1e9, Double::sum);
        phaseStart = now;
    }

    private final Config config;
    private final Progress progress;
    private final java.util.function.Function<Manifest, ChunkTarget> targets;
    private final AtomicLong packets = new AtomicLong();
    private final Map<Wire.Reject, AtomicLong> rejects = new EnumMap<>(Wire.Reject.class);
    private final AtomicLong badChunks = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    public CastReceiver(Config config, Progress progress) {
        this(config, progress, null);
    }

    /**
     * {@code targets}: makes the target from the checked manifest (a relay receives into its
     * store); null for the usual directory or device/file at {@code config.target()}.
     */
    public CastReceiver(Config config, Progress progress, java.util.function.Function<Manifest, ChunkTarget> targets) {
        this.targets = targets;
        this.config = config;
        this.progress = progress;
        for (Wire.Reject r : Wire.Reject.values()) rejects.put(r, new AtomicLong());
    }

    private Map<String, Long> rejectCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        rejects.forEach((k, v) -> { if (v.get() > 0) m.put(k.name().toLowerCase(), v.get()); });
        if (badChunks.get() > 0) m.put("bad_chunk_hash", badChunks.get());
        return m;
    }

    /** The server forgot this machine (it restarted): join again and resume. */
    static final class Rejoin extends IOException {
        Rejoin(String m) {
            super(m);
        }
    }

    /**
     * Receives the image; if the server restarts meanwhile, joins its new session and resumes
     * (what is already on the target is kept), up to three times.
     */
    public Result run() {
        long t0 = System.nanoTime();
        Result r = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            r = runOnce(t0);
            if (r.ok() || r.error() == null || !r.error().startsWith(REJOIN)) return r;
            System.err.println("imgcast: " + r.error().substring(REJOIN.length()) + "; joining again to resume");
            failure.set(null);
            running = true;
            sleep(1000);
        }
        return r;
    }

    private static final String REJOIN = "rejoin: ";

    private Result runOnce(long t0) {
        ControlClient ctl = new ControlClient(config.server());
        JoinReply joined;
        try {
            joined = joinWithRetry(ctl);
        } catch (ControlClient.Refused e) {
            return fail("the server at " + config.server() + " refused the join: " + e.getMessage(), t0, 0, 0, 0, null);
        } catch (IOException e) {
            return fail("cannot reach the server at " + config.server() + ": " + e.getMessage(), t0, 0, 0, 0, null);
        }
        phase("join");
        int machineId = joined.machineId();
        String base = "api/v1/machines/" + machineId + "/";
        boolean live = joined.liveImage();
        Manifest manifest = null;
        if (!live) {
            try {
                manifest = checkedManifest(fetchWithRetry(ctl, base + "manifest", MAX_MANIFEST), joined.kind());
            } catch (CorruptDataException e) {
                return fail("descriptive data from the server failed its check: " + e.getMessage(), t0, 0, 0, 0, null);
            } catch (IOException e) {
                return fail("cannot fetch the image's descriptive data from " + config.server() + ": " + e.getMessage(), t0, 0, 0, 0, null);
            }
        } else if (targets != null) {
            return fail("the image '" + config.image() + "' is still being read by its master; it can be relayed once the read ended", t0, 0, 0, 0, null);
        }
        List<ChunkId> table;
        Map<ChunkId, Integer> index;
        ChunkTarget target;
        LiveFeed feed = null;
        if (live) {
            VolumeTarget vt = VolumeTarget.live(config.target(), joined.volumeSize());
            target = vt;
            table = new ArrayList<>();
            index = new java.util.concurrent.ConcurrentHashMap<>();
            feed = new LiveFeed(ctl, base, vt, table, index);
        } else {
            table = new ArrayList<>(manifest.distinctChunks().keySet());
            index = new HashMap<>();
            for (int i = 0; i < table.size(); i++) index.put(table.get(i), i);
            target = targets != null ? targets.apply(manifest)
                    : manifest.kind() == ImageKind.TREE ? new TreeTarget(manifest, config.target())
                    : new VolumeTarget(manifest, config.target());
        }
        try (target) {
            phase("manifest");
            Set<ChunkId> lacking = target.prepare();
            phase("scan");
            long needBytes = 0;
            if (!live) {
                Map<ChunkId, Integer> rawLen = manifest.distinctChunks();
                byte[] bits = new byte[(table.size() + 7) / 8];
                for (ChunkId id : lacking) {
                    int i = index.get(id);
                    bits[i >> 3] |= (byte) (1 << (i & 7));
                    needBytes += rawLen.get(id);
                }
                progress.total(needBytes);
                ctl.post(base + "needs", bits, "application/octet-stream");
            }
            long reused = table.size() - lacking.size();
            if (!lacking.isEmpty() || feed != null) {
                receive(ctl, base, joined, lacking, index, target, feed);
            }
            if (feed != null) {
                needBytes = feed.neededBytes;
                lacking = Set.copyOf(feed.lackingIds);
                reused = feed.reused;
            }
            phase("receive");
            String bad;
            Thread keepAlive = keepAlive(ctl, base);
            try {
                target.finish();
                phase("finish");
                // every chunk was hash-checked before it was written and every one was written;
                // --readback also re-reads the target (catches a disk that corrupts writes)
                bad = config.readback() ? target.verify() : null;
                phase("verify");
            } finally {
                keepAlive.interrupt();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (bad != null) {
                report(ctl, base, false, "read-back check failed: " + bad, secs);
                return fail("the received image does not read back correctly: " + bad, t0, needBytes, lacking.size(), reused, ctl);
            }
            report(ctl, base, true, null, secs);
            return new Result(true, null, config.image(), needBytes, lacking.size(), reused, packets.get(), rejectCounts(),
                    kernelDrops, decodes, loss, secs, Map.copyOf(phases), feed != null);
        } catch (Rejoin e) {
            return fail(REJOIN + e.getMessage(), t0, 0, 0, 0, null);
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof io.imgcast.image.ApplyException ? e.getMessage()
                    : (e.getMessage() != null && e.getMessage().contains("No space left"))
                    ? "the target " + config.target() + " is full (" + e.getMessage() + ")" : describe(e);
            report(ctl, base, false, msg, (System.nanoTime() - t0) / 1e9);
            return fail(msg, t0, 0, 0, 0, null);
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private long kernelDrops;
    private long decodes;
    private double loss;

    private Result fail(String msg, long t0, long needBytes, long needChunks, long reused, ControlClient ignored) {
        return new Result(false, msg, config.image(), needBytes, needChunks, reused, packets.get(), rejectCounts(), kernelDrops,
                decodes, loss, (System.nanoTime() - t0) / 1e9, Map.copyOf(phases), false);
    }

    private void report(ControlClient ctl, String base, boolean ok, String error, double secs) {
        try {
            ctl.done(base + "done", new DoneRequest(ok, error, secs));
        } catch (IOException ignored) {
            // the server may be gone; our exit status still tells the truth
        }
    }

    private JoinReply joinWithRetry(ControlClient ctl) throws IOException {
        JoinRequest req = new JoinRequest(config.machine(), config.image(), config.priority());
        long deadline = System.nanoTime() + config.stallTimeoutMs() * 1_000_000L;
        IOException last = null;
        String lastBusy = null;
        while (System.nanoTime() < deadline) {
            try {
                return ctl.join(req);
            } catch (ControlClient.Refused r) {
                if (r.status != 503) throw r;
                // not ready yet (a relay fetching the image, a master still reading): wait while it makes progress
                if (!r.getMessage().equals(lastBusy)) {
                    deadline = System.nanoTime() + config.stallTimeoutMs() * 1_000_000L;
                    if (lastBusy == null) System.err.println("imgcast: " + r.getMessage() + "; waiting");
                    lastBusy = r.getMessage();
                }
                last = r;
                sleep(1000);
            } catch (IOException e) {
                last = e;
                sleep(500);
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
                sleep(1000);
            }
        }
    }

    /** The zstd dictionary the image's chunks need (from its signed manifest), or null. */
    private volatile ChunkCodec.Dictionary dictionary;

    /** The largest signed manifest a receiver accepts (a manifest lists about 40 bytes per chunk). */
    private static final int MAX_MANIFEST = 512 << 20;

    /** Checks a {@link SignedManifest} body (pinned key, signature, kind as announced) and decodes the manifest. */
    private Manifest checkedManifest(byte[] body, String announcedKind) {
        SignedManifest sm = SignedManifest.decode(body);
        if (config.serverKey() != null) {
            String fp = ImageSignature.fingerprint(sm.publicKey());
            if (!fp.startsWith(config.serverKey().toLowerCase())) throw new CorruptDataException("the server's key " + fp.substring(0, 16) + " is not the pinned one");
        }
        PublicKey key;
        try {
            key = ImageSignature.publicKey(sm.publicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new CorruptDataException("unreadable server key");
        }
        byte[] sha = ChunkId.newDigest().digest(sm.manifest());
        if (!ImageSignature.verify(key, config.image(), sm.kind(), sha, sm.signature())) throw new CorruptDataException("manifest signature is invalid");
        if (announcedKind != null && !sm.kind().name().equals(announcedKind)) throw new CorruptDataException("manifest kind differs from the announced one");
        Manifest m = ManifestFormat.decode(sm.manifest());
        if (m.kind() != sm.kind()) throw new CorruptDataException("manifest kind differs from the signed one");
        if (sm.dictionary() != null) dictionary = new ChunkCodec.Dictionary(sm.dictionary());
        return m;
    }

    private void receive(ControlClient ctl, String base, JoinReply joined, Set<ChunkId> lacking,
                         Map<ChunkId, Integer> index, ChunkTarget target, LiveFeed feed) throws IOException {
        int session = joined.session();
        Integer ss = joined.symbolSize();
        if (ss == null || ss < Wire.MIN_SYMBOL || ss > Wire.MAX_SYMBOL) {
            throw new IOException("the server did not say its symbol size: it speaks another version of the protocol");
        }
        int symbolSize = ss.intValue();
        NetworkInterface nif = McastSocket.iface(config.iface());
        Map<Long, ChunkId> byTag = new HashMap<>();
        for (ChunkId id : lacking) {
            if (byTag.put(id.prefix64(), id) != null) throw new IOException("two chunks of the image share a wire tag; cannot receive it by multicast");
        }
        BlockAssembler asm = new BlockAssembler(byTag, symbolSize, 30_000_000L);
        if (feed != null) asm.want(Map.of()); // more chunks will come: remember finished blocks by their chunks
        Object asmLock = new Object();
        List<Integer> completed = new ArrayList<>();
        AtomicReference<String> groupRef = new AtomicReference<>(joined.group());
        ExecutorService writers = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().name("imgcast-write").unstarted(r));
        Semaphore writeSlots = new Semaphore(WRITE_SLOTS);
        AtomicLong lastProgressNs = new AtomicLong(System.nanoTime());
        Writer writer = new Writer(target, asm, asmLock, completed, index, writeSlots, lastProgressNs);

        Thread rx = Thread.ofPlatform().name("imgcast-rx").start(() -> rxLoop(nif, groupRef, session, symbolSize, asm, asmLock, writers, writer));
        Thread fb = Thread.ofPlatform().daemon().name("imgcast-feedback").start(() -> feedbackLoop(ctl, base, asm, asmLock, completed, groupRef));
        Thread tt = feed == null ? null : Thread.ofPlatform().daemon().name("imgcast-table").start(() -> feed.loop(asm, asmLock, lastProgressNs));
        try {
            while (failure.get() == null) {
                boolean tableDone = feed == null || feed.complete;
                synchronized (asmLock) {
                    if (tableDone && asm.neededCount() == 0 && writeSlots.availablePermits() == WRITE_SLOTS) break;
                }
                if (System.nanoTime() - lastProgressNs.get() > config.stallTimeoutMs() * 1_000_000L) {
                    throw new IOException("no data arrived for " + config.stallTimeoutMs() / 1000
                            + " s; is the server still running and the multicast route to this machine working?");
                }
                sleep(20);
            }
            Throwable t = failure.get();
            if (t instanceof IOException io) throw io;
            if (t instanceof RuntimeException re) throw re;
            if (t != null) throw new IOException(t);
        } finally {
            running = false;
            closeRx();
            writers.shutdown();
            try {
                rx.join(2000);
                writers.awaitTermination(30, TimeUnit.SECONDS);
                fb.join(2000);
                if (tt != null) tt.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (asmLock) {
                decodes = asm.decodes();
                loss = asm.lossEstimate();
            }
            sendFeedback(ctl, base, asm, asmLock, completed, groupRef, true);
        }
    }

    /** Chunks handed to the writers and not yet written, at most (bounds the memory they hold). */
    private static final int WRITE_SLOTS = 256;

    /** Decodes, checks and writes one completed chunk (on a writer thread), then tells the assembler. */
    private final class Writer {
        private final ChunkTarget target;
        private final BlockAssembler asm;
        private final Object asmLock;
        private final List<Integer> completed;
        private final Map<ChunkId, Integer> index;
        private final Semaphore slots;
        private final AtomicLong lastProgressNs;
        private final ThreadLocal<ChunkCodec> codecs = ThreadLocal.withInitial(() -> new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, dictionary));
        private final ThreadLocal<byte[]> bufs = ThreadLocal.withInitial(() -> new byte[300 * 1024]);

        Writer(ChunkTarget target, BlockAssembler asm, Object asmLock, List<Integer> completed, Map<ChunkId, Integer> index,
               Semaphore slots, AtomicLong lastProgressNs) {
            this.target = target;
            this.asm = asm;
            this.asmLock = asmLock;
            this.completed = completed;
            this.index = index;
            this.slots = slots;
            this.lastProgressNs = lastProgressNs;
        }

        void write(BlockAssembler.Completed c) {
            try {
                byte[] buf = bufs.get();
                try {
                    codecs.get().decode(c.codec(), c.data(), c.offset(), c.length(), buf, 0, c.rawLength());
                } catch (CorruptDataException e) {
                    buf = null;
                }
                if (buf == null || !c.id().matches(buf, 0, c.rawLength())) {
                    badChunks.incrementAndGet();
                    synchronized (asmLock) {
                        asm.rejected(c.id());
                    }
                    return;
                }
                target.write(c.id(), buf, c.rawLength());
                written.addAndGet(c.rawLength());
                progress.add(c.rawLength());
                lastProgressNs.set(System.nanoTime());
                synchronized (asmLock) {
                    asm.done(c.id());
                    completed.add(index.get(c.id()));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                slots.release();
            }
        }
    }

    /**
     * Follows an image whose chunk table grows while its master reads the source
     * ({@link LiveTable}): fetches new placements, places them on the target (finding what it
     * already holds), hands the lacking chunks' tags to the assembler before telling the server
     * it needs them (so no datagram of theirs can come unrecognised), and at the end fetches the
     * signed manifest and checks that it describes exactly the placements it was given.
     */
    private final class LiveFeed {
        private final ControlClient ctl;
        private final String base;
        private final VolumeTarget target;
        private final List<ChunkId> table;
        private final Map<ChunkId, Integer> index;
        private final Map<Long, ChunkId> tags = new HashMap<>();
        private final java.util.BitSet lackingBits = new java.util.BitSet();
        private final MessageDigest placementDigest = ChunkId.newDigest();
        private final ByteBuffer entry = ByteBuffer.allocate(8 + ChunkId.LENGTH + 4);
        final List<ChunkId> lackingIds = new ArrayList<>();
        private int placements;
        private int posted;
        private boolean tableEnded;
        volatile boolean complete;
        volatile long neededBytes;
        volatile long reused;

        LiveFeed(ControlClient ctl, String base, VolumeTarget target, List<ChunkId> table, Map<ChunkId, Integer> index) {
            this.ctl = ctl;
            this.base = base;
            this.target = target;
            this.table = table;
            this.index = index;
        }

        void loop(BlockAssembler asm, Object asmLock, AtomicLong lastProgressNs) {
            while (running && !complete && failure.get() == null) {
                boolean more;
                try {
                    int got = poll(asm, asmLock);
                    if (got != 0) lastProgressNs.set(System.nanoTime());
                    more = got >= LiveTable.MAX_SLICE; // a full slice: more is waiting
                } catch (ControlClient.Refused e) {
                    if (e.status == 404) failure.compareAndSet(null, new Rejoin("the master no longer knows this machine (restarted?)"));
                    more = false;
                } catch (CorruptDataException e) {
                    failure.compareAndSet(null, new IOException("the chunk table from the master failed its check: " + e.getMessage()));
                    return;
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith(MASTER_FAILED)) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    more = false; // unreachable for a moment: the feedback loop gives up if it lasts
                }
                if (!more) sleep(config.feedbackMs());
            }
        }

        /** One round; returns how many placements it learnt (-1: the read ended and the manifest checked out). */
        int poll(BlockAssembler asm, Object asmLock) throws IOException {
            if (!tableEnded) {
                LiveTable.Slice s = LiveTable.decodeSlice(ctl.getBytes(base + "table?from=" + placements,
                        32 + LiveTable.MAX_SLICE * LiveTable.ENTRY_BYTES));
                if (s.failure() != null) throw new IOException(MASTER_FAILED + s.failure());
                if (s.from() != placements) throw new CorruptDataException("slice starts at " + s.from() + ", asked for " + placements);
                int firstNew = table.size();
                Map<Long, ChunkId> newTags = new HashMap<>();
                for (LiveTable.Placement p : s.placements()) {
                    ChunkId id = p.chunk().id();
                    int len = p.chunk().rawLength();
                    digest(p.offset(), id, len);
                    VolumeTarget.Placed r = target.place(p.offset(), id, len);
                    if (r == VolumeTarget.Placed.REPEAT) continue;
                    ChunkId other = tags.putIfAbsent(id.prefix64(), id);
                    if (other != null) throw new IOException("two chunks of the image share a wire tag; cannot receive it by multicast");
                    index.put(id, table.size());
                    if (r == VolumeTarget.Placed.NEW_LACKING) {
                        lackingBits.set(table.size());
                        lackingIds.add(id);
                        newTags.put(id.prefix64(), id);
                        neededBytes += len;
                    } else {
                        reused++;
                    }
                    table.add(id);
                }
                placements += s.placements().size();
                if (!newTags.isEmpty()) {
                    synchronized (asmLock) {
                        asm.want(newTags);
                    }
                    progress.total(neededBytes);
                }
                tableEnded = s.complete() && placements == s.total();
                if (table.size() > firstNew || posted < table.size()) postNeeds();
                if (!tableEnded) return s.placements().size();
            }
            if (posted < table.size()) postNeeds();
            return finishTable() ? -1 : 0;
        }

        private void postNeeds() throws IOException {
            int to = table.size();
            byte[] bits = new byte[(to - posted + 7) / 8];
            for (int i = lackingBits.nextSetBit(posted); i >= 0 && i < to; i = lackingBits.nextSetBit(i + 1)) {
                int j = i - posted;
                bits[j >> 3] |= (byte) (1 << (j & 7));
            }
            ctl.post(base + "needs?from=" + posted + "&to=" + to, bits, "application/octet-stream");
            posted = to;
        }

        private void digest(long offset, ChunkId id, int len) {
            entry.clear();
            entry.putLong(offset);
            id.copyTo(entry.array(), 8);
            entry.position(8 + ChunkId.LENGTH);
            entry.putInt(len);
            placementDigest.update(entry.array(), 0, entry.position());
        }

        /** The read ended: fetch and check the signed manifest. False while the master is still signing it. */
        private boolean finishTable() throws IOException {
            byte[] body;
            try {
                body = ctl.getBytes(base + "manifest", MAX_MANIFEST);
            } catch (ControlClient.Refused e) {
                if (e.status == 503) return false;
                throw e;
            }
            Manifest m = checkedManifest(body, null);
            if (m.kind() != ImageKind.VOLUME) throw new CorruptDataException("the master's manifest is not a volume's");
            byte[] published = placementDigest.digest();
            for (io.imgcast.manifest.Extent x : m.extents()) {
                long off = x.offset();
                for (int i = 0; i < x.chunks().size(); i++) {
                    digest(off, x.chunks().id(i), x.chunks().length(i));
                    off += x.chunks().length(i);
                }
            }
            if (!java.security.MessageDigest.isEqual(published, placementDigest.digest())) {
                throw new CorruptDataException("the master's signed manifest does not describe the chunks it published while reading");
            }
            target.complete(m);
            complete = true;
            return true;
        }
    }

    private static final String MASTER_FAILED = "the master could not read its source: ";

    /**
     * Receives datagrams on its own thread and takes each one at once: checks it, hands it to the
     * assembler (which copies its body into place) and passes completed chunks to the writers.
     * One reused direct buffer, no queue, no copy besides the kernel's and the assembler's; a
     * blocking socket (no selector): {@link #closeRx} wakes it to change group or stop.
     */
    private void rxLoop(NetworkInterface nif, AtomicReference<String> groupRef, int session, int symbolSize,
                        BlockAssembler asm, Object asmLock, ExecutorService writers, Writer writer) {
        String current = null;
        DatagramChannel ch = null;
        ByteBuffer buf = ByteBuffer.allocateDirect(Wire.MAX_PACKET + 64);
        try {
            while (running && failure.get() == null) {
                String want = groupRef.get();
                if (ch == null || !ch.isOpen() || !want.equals(current)) {
                    if (ch != null) ch.close();
                    InetSocketAddress g = McastSocket.parseGroup(want);
                    ch = McastSocket.receiver(nif, g);
                    rxChannel = ch;
                    current = want;
                    localPort = g.getPort();
                    // closeRx may have come while we opened it: look again before blocking
                    if (!running || !groupRef.get().equals(current)) continue;
                }
                try {
                    receiveSome(ch, buf, session, symbolSize, asm, asmLock, writers, writer);
                } catch (java.nio.channels.ClosedChannelException e) {
                    // closeRx: a new group, or the end
                }
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            try {
                if (ch != null) ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** The receiving socket now (closed by {@link #closeRx}). */
    private volatile DatagramChannel rxChannel;

    /** Wakes the receiving thread out of its blocking receive: to join another group, or to stop. */
    private void closeRx() {
        DatagramChannel ch = rxChannel;
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /**
     * Takes up to 64 datagrams, waiting for each. A method of its own (not a loop inside the
     * thread's one long method), so that the JIT compiles it early.
     */
    private void receiveSome(DatagramChannel ch, ByteBuffer buf, int session, int symbolSize, BlockAssembler asm, Object asmLock,
                             ExecutorService writers, Writer writer) throws IOException {
        for (int n = 0; n < 64; n++) {
            buf.clear();
            ch.receive(buf);
            buf.flip();
            Wire.Reject why = Wire.check(buf, session, symbolSize);
            if (why != null) {
                rejects.get(why).incrementAndGet();
                continue;
            }
            packets.incrementAndGet();
            List<BlockAssembler.Completed> done;
            synchronized (asmLock) {
                done = asm.onPacket(buf, System.nanoTime());
            }
            for (BlockAssembler.Completed c : done) {
                writer.slots.acquireUninterruptibly();
                writers.execute(() -> writer.write(c));
            }
        }
    }

    private volatile int localPort;

    private void feedbackLoop(ControlClient ctl, String base, BlockAssembler asm, Object asmLock, List<Integer> completed,
                              AtomicReference<String> groupRef) {
        long lastOk = System.nanoTime();
        while (running) {
            sleep(config.feedbackMs());
            if (!running) return;
            if (sendFeedback(ctl, base, asm, asmLock, completed, groupRef, false)) lastOk = System.nanoTime();
            else if (System.nanoTime() - lastOk > config.stallTimeoutMs() * 1_000_000L) {
                failure.compareAndSet(null, new IOException("the server at " + config.server() + " has not answered for "
                        + config.stallTimeoutMs() / 1000 + " s; giving up"));
                return;
            }
        }
    }

    private volatile long lastFeedbackNs;

    /** A receive queue longer than this (about 30 datagrams as the kernel counts them) is a backlog. */
    private static final long BACKLOG_BYTES = 64 * 1024;

    /**
     * Reports completions, per-block shortfalls and counters. Unless {@code force}d, a round with
     * no shortfall to report is skipped while the last report is younger than three periods:
     * repairs stay prompt, and a calm receiver costs itself and the server a third of the requests.
     */
    private boolean sendFeedback(ControlClient ctl, String base, BlockAssembler asm, Object asmLock, List<Integer> completed,
                                 AtomicReference<String> groupRef, boolean force) {
        FeedbackFormat f;
        List<Integer> sent;
        KernelDrops.Socket sock = KernelDrops.forPort(localPort);
        synchronized (asmLock) {
            // while datagrams wait in the socket's queue (this machine fell behind for a moment),
            // blocks only look incomplete: report no shortfall then, or the server repairs for nothing
            List<Scheduler.BlockReport> reports = sock.queuedBytes() > BACKLOG_BYTES ? List.of() : asm.reports(System.nanoTime());
            if (!force && reports.isEmpty() && System.nanoTime() - lastFeedbackNs < 3 * config.feedbackMs() * 1_000_000L) return true;
            sent = new ArrayList<>(completed);
            completed.clear();
            // /proc lists only open sockets: keep the last reading taken while ours was open
            kernelDrops = Math.max(kernelDrops, sock.drops());
            f = new FeedbackFormat(sent.stream().mapToInt(Integer::intValue).toArray(), reports,
                    packets.get(), rejectedTotal(), kernelDrops, (int) (asm.lossEstimate() * 1e6), written.get());
        }
        try {
            FeedbackReply r = ctl.feedback(base + "feedback", f.encode());
            lastFeedbackNs = System.nanoTime();
            if (r.state() == io.imgcast.api.MachineState.FAILED) {
                // the server gave up on this machine (e.g. a chunk it needs is damaged there): stop, saying why
                failure.compareAndSet(null, new IOException("the server failed this machine: "
                        + (r.error() != null ? r.error() : "no reason given")));
                return true;
            }
            String s = r.group();
            if (s != null && !s.equals(groupRef.get())) {
                groupRef.set(s);
                closeRx(); // the receiving thread joins the new group
            }
            return true;
        } catch (ControlClient.Refused e) {
            if (e.status == 404) failure.compareAndSet(null, new Rejoin("the server no longer knows this machine (restarted?)"));
            return false;
        } catch (IOException e) {
            synchronized (asmLock) {
                completed.addAll(0, sent); // tell it again next time
            }
            return false;
        }
    }

    private long rejectedTotal() {
        return rejects.values().stream().mapToLong(AtomicLong::get).sum() + badChunks.get();
    }

    /**
     * While the machine finishes (flushes its target, reads it back), a report every 2 s with
     * nothing new in it: on a slow disk that takes longer than the server's timeout for a silent
     * machine. Stopped by interrupting the returned thread.
     */
    private Thread keepAlive(ControlClient ctl, String base) {
        return Thread.ofPlatform().daemon().name("imgcast-keepalive").start(() -> {
            while (true) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    ctl.post(base + "feedback", new FeedbackFormat(new int[0], List.of(), packets.get(), rejectedTotal(), kernelDrops,
                            (int) (loss * 1e6), written.get()).encode(), "application/octet-stream");
                } catch (IOException ignored) {
                    // the done report that follows says what matters; a lost keep-alive only risks the timeout
                }
            }
        });
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }
}
