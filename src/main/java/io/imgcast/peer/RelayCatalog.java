package io.imgcast.peer;

import io.imgcast.cast.ServedImage;
import io.imgcast.receiver.CastReceiver;
import io.imgcast.server.ImageCatalog;
import io.imgcast.server.StoreCatalog;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Progress;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A relay's images: those in its own store are served at once; one it lacks is fetched from the
 * upstream server (as a receiver on the upstream segment, into the store) the first time a
 * machine asks for it, and machines are told to retry meanwhile ({@link NotYet}, with progress).
 * Machines behind the relay use it exactly as they would use the server.
 */
public final class RelayCatalog implements ImageCatalog {
    private static final long RETRY_AFTER_FAILURE_NS = 10_000_000_000L;

    private final Store store;
    private final StoreCatalog local;
    private final URI upstream;
    /** How the upstream server is trusted (one instance: a key first seen stays pinned). */
    private final ClientTrust upstreamTrust;
    private final String upstreamIface;
    private final String machine;
    private final long timeoutMs;
    private final Consumer<String> log;
    private final ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("imgcast-relay-fetch").unstarted(r));
    private final Map<String, Fetch> fetches = new ConcurrentHashMap<>();

    private static final class Fetch {
        final AtomicLong done = new AtomicLong();
        volatile long total;
        volatile String error;
        volatile long endedNs;
        volatile boolean finished;
    }

    public RelayCatalog(Store store, URI upstream, ClientTrust upstreamTrust, String upstreamIface, String machine, long timeoutMs,
                        Consumer<String> log) {
        this.store = store;
        this.upstreamTrust = upstreamTrust;
        this.local = new StoreCatalog(store);
        this.upstream = upstream;
        this.upstreamIface = upstreamIface;
        this.machine = machine;
        this.timeoutMs = timeoutMs;
        this.log = log;
    }

    /** Starts fetching {@code name} now unless the store has it (the relay's --image). */
    public void prefetch(String name) {
        if (store.find(name).isEmpty()) fetch(name);
    }

    @Override
    public ServedImage image(String name) {
        if (store.find(name).isPresent()) return local.image(name);
        Fetch f = fetch(name);
        if (f.error != null) throw new StoreException("the relay could not get '" + name + "' from " + upstream + ": " + f.error);
        long total = f.total;
        throw new NotYet("the relay is fetching '" + name + "' from " + upstream
                + (total > 0 ? " (" + Math.min(100, f.done.get() * 100 / total) + "%)" : ""));
    }

    private Fetch fetch(String name) {
        return fetches.compute(name, (n, old) -> {
            if (old != null && !(old.error != null && System.nanoTime() - old.endedNs > RETRY_AFTER_FAILURE_NS)) return old;
            Fetch f = new Fetch();
            log.accept("fetching '" + n + "' from " + upstream);
            fetcher.execute(() -> run(n, f));
            return f;
        });
    }

    private void run(String name, Fetch f) {
        Progress p = new Progress() {
            @Override public void add(long bytes) { f.done.addAndGet(bytes); }
            @Override public void total(long bytes) { f.total = bytes; }
            @Override public long done() { return f.done.get(); }
            @Override public void close() { }
        };
        try {
            if (store.find(name).isPresent()) {
                f.finished = true;
                return;
            }
            Ingest.ImageMeta meta = new Ingest.ImageMeta(name, "relayed from " + upstream, "", machine, System.currentTimeMillis());
            CastReceiver.Result r = new CastReceiver(new CastReceiver.Config(upstream, name, Path.of("/nonexistent-relay-target"), 0,
                    upstreamIface, machine, upstreamTrust, timeoutMs, 100, false), p, m -> new StoreTarget(store, m, meta)).run();
            if (!r.ok()) throw new StoreException(r.error());
            log.accept("fetched '" + name + "' from " + upstream + " in " + String.format("%.1f s", r.seconds()));
            f.finished = true;
        } catch (RuntimeException e) {
            f.error = e.getMessage();
            log.accept("cannot fetch '" + name + "': " + e.getMessage());
        } finally {
            f.endedNs = System.nanoTime();
        }
    }

    @Override
    public Payloads openPayloads() {
        return local.openPayloads();
    }

    @Override
    public String describe() {
        return "relay of " + upstream + " with store " + store.dir();
    }

    @Override
    public void close() {
        fetcher.shutdownNow();
        local.close();
    }
}
