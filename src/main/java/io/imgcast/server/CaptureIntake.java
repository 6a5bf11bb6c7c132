package io.imgcast.server;

import com.sun.net.httpserver.HttpExchange;
import io.imgcast.api.CaptureBatch;
import io.imgcast.api.ControlJson;
import io.imgcast.api.ErrorReply;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.state.Mac;
import io.imgcast.state.StateDb;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Captures sent over the network into the server's store ({@code imgcast boot client} on a
 * machine whose host entry says {@code capture NAME}, or its menu). The server trusts no chunk id
 * it is sent: it decodes every chunk (with the store's dictionary), hashes it, and stores it only
 * when the hash is its id; a chunk that fails ends the capture. The image is committed and signed
 * with the store's key only when every chunk its manifest names is in the store or was checked in
 * this capture. A capture that stops before its commit leaves nothing: the write session's packs
 * are removed when it is dropped (after {@link #IDLE_NS} without a request, or on abort).
 *
 * <p>Authorised by a one-time token ({@link #issue}) bound to the machine's MAC, which the
 * machine gets with its assignment over TLS. Routes (header {@code X-Imgcast-Token}, query
 * {@code mac=MAC}): {@code GET /api/v1/capture/dictionary} (the store's zstd dictionary, 204 when
 * none); {@code POST .../lacks} ({@link CaptureBatch} ids → bitmap); {@code POST .../chunks}
 * (a batch); {@code POST .../commit[?name=NAME]} (the encoded manifest → {@code {"image":..}});
 * {@code POST .../abort}. One capture at a time: the store has one writer.
 */
final class CaptureIntake {
    /** A capture silent this long is dropped. */
    static final long IDLE_NS = 5 * 60 * 1_000_000_000L;
    /** A token unused this long expires. */
    static final long TOKEN_NS = 2 * 3600 * 1_000_000_000L;
    static final int MAX_MANIFEST = 128 << 20;

    /** What a token allows: a capture by {@code mac} into {@code name} (null: the machine names it, from the menu). */
    record Grant(String mac, String name, long issuedNs) {}

    /** The capture under way. */
    private static final class Active {
        final String token;
        final Grant grant;
        final Ingest ingest;
        final ChunkCodec codec;
        long lastNs;
        long chunks;
        long bytes;

        Active(String token, Grant grant, Ingest ingest, ChunkCodec codec, long nowNs) {
            this.token = token;
            this.grant = grant;
            this.ingest = ingest;
            this.codec = codec;
            this.lastNs = nowNs;
        }
    }

    private final Store store;
    private final StateDb db;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private Active active;

    CaptureIntake(Store store, StateDb db) {
        this.store = store;
        this.db = db;
    }

    void routes(ControlApi api) {
        api.route("/api/v1/capture/", this::handle);
    }

    /** A new one-time token for a capture by {@code mac} into {@code name} (null: named at commit). */
    String issue(String mac, String name) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String t = HexFormat.of().formatHex(b);
        long now = System.nanoTime();
        grants.values().removeIf(g -> now - g.issuedNs() > TOKEN_NS);
        // one live token per machine: the newest assignment's
        grants.values().removeIf(g -> g.mac().equals(mac));
        grants.put(t, new Grant(mac, name, now));
        return t;
    }

    /** A refusal with its HTTP status. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String[] p = ex.getRequestURI().getPath().split("/");
        String action = p.length == 5 ? p[4] : "";
        try {
            String token = ex.getRequestHeaders().getFirst(Tokens.HEADER);
            String mac;
            try {
                mac = Mac.normalize(query(ex, "mac"));
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "give the capturing machine's MAC: ?mac=..");
            }
            synchronized (this) {
                Grant g = token == null ? null : grants.get(token);
                if (g == null) throw new Refused(403, "a capture needs the one-time capture token of the machine's assignment; this one is missing, used or expired");
                if (!g.mac().equals(mac)) throw new Refused(403, "the capture token is not for " + mac);
                long now = System.nanoTime();
                if (active != null && now - active.lastNs > IDLE_NS) drop("silent for " + (now - active.lastNs) / 1_000_000_000L + " s");
                switch (action) {
                    case "dictionary" -> {
                        ChunkCodec.Dictionary d = store.dictionary();
                        if (d == null) reply(ex, 204, new byte[0], null);
                        else reply(ex, 200, d.bytes(), "application/octet-stream");
                    }
                    case "lacks" -> lacks(ex, begin(token, g, now));
                    case "chunks" -> chunks(ex, begin(token, g, now));
                    case "commit" -> commit(ex, begin(token, g, now), token);
                    case "abort" -> {
                        if (active != null && active.token.equals(token)) drop("the machine gave up: " + readText(ex));
                        grants.remove(token);
                        json(ex, 200, Map.of("ok", true));
                    }
                    default -> throw new Refused(404, "no capture action '" + action + "'");
                }
            }
        } catch (Refused r) {
            json(ex, r.status, new ErrorReply(r.getMessage()));
        } catch (IllegalArgumentException | CorruptDataException | IllegalStateException e) {
            json(ex, 400, new ErrorReply(String.valueOf(e.getMessage())));
        }
    }

    /** The capture of {@code token}, begun now if none runs; another machine's capture is a 409. */
    private Active begin(String token, Grant g, long now) throws Refused {
        if (active != null && !active.token.equals(token)) {
            throw new Refused(409, "another capture (by " + active.grant.mac() + ") is in progress; try again when it ends");
        }
        if (active == null) {
            Ingest ingest;
            try {
                ingest = store.beginIngest();
            } catch (RuntimeException e) {
                throw new Refused(503, "the store takes no capture now: " + e.getMessage());
            }
            ChunkCodec.Dictionary d = ingest.dictionary();
            active = new Active(token, g, ingest, d == null ? new ChunkCodec(ChunkCodec.STORE_LEVEL) : new ChunkCodec(ChunkCodec.STORE_LEVEL, d), now);
            System.err.println("imgcast serve: capture by " + g.mac() + (g.name() != null ? " into image '" + g.name() + "'" : "") + " began");
        }
        active.lastNs = now;
        return active;
    }

    private void drop(String why) {
        Active a = active;
        active = null;
        if (a == null) return;
        a.ingest.close(); // removes what it wrote
        a.codec.close();
        grants.remove(a.token);
        System.err.println("imgcast serve: capture by " + a.grant.mac() + " dropped, nothing kept: " + why);
    }

    private void lacks(HttpExchange ex, Active a) throws IOException {
        List<ChunkId> ids = CaptureBatch.readIds(read(ex, CaptureBatch.MAX_IDS * ChunkId.LENGTH));
        boolean[] lack = new boolean[ids.size()];
        for (int i = 0; i < lack.length; i++) lack[i] = !a.ingest.has(ids.get(i));
        reply(ex, 200, CaptureBatch.bitmap(lack), "application/octet-stream");
    }

    private void chunks(HttpExchange ex, Active a) throws IOException, Refused {
        List<CaptureBatch.Chunk> batch = CaptureBatch.readChunks(read(ex, CaptureBatch.MAX_BODY));
        for (CaptureBatch.Chunk c : batch) {
            byte[] raw = new byte[c.rawLength()];
            try {
                a.codec.decode(c.codec(), c.payload(), 0, c.payload().length, raw, 0, c.rawLength());
            } catch (CorruptDataException e) {
                drop("chunk " + c.id().shortHex() + " does not decode: " + e.getMessage());
                throw new Refused(400, "chunk " + c.id().shortHex() + " does not decode (" + e.getMessage() + "); the capture is dropped");
            }
            if (!c.id().matches(raw, 0, raw.length)) {
                drop("chunk " + c.id().shortHex() + " does not match its data");
                throw new Refused(400, "chunk " + c.id().shortHex() + " does not match its data (its SHA-256 differs); the capture is dropped");
            }
            if (a.ingest.claim(c.id())) a.ingest.append(c.id(), c.codec(), c.rawLength(), c.payload(), c.payload().length);
            a.chunks++;
            a.bytes += c.rawLength();
        }
        json(ex, 200, Map.of("ok", true, "chunks", batch.size()));
    }

    private void commit(HttpExchange ex, Active a, String token) throws IOException, Refused {
        String name = a.grant.name();
        if (name == null) {
            try {
                name = query(ex, "name");
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "name the new image: ?name=NAME");
            }
        }
        ImageName.check(name);
        Manifest m;
        try {
            m = ManifestFormat.decode(read(ex, MAX_MANIFEST));
        } catch (RuntimeException e) {
            throw new Refused(400, "the manifest does not decode: " + e.getMessage());
        }
        for (ChunkId id : m.distinctChunks().keySet()) {
            // in the store already, or decoded and hashed in this capture (has() counts only those)
            if (!a.ingest.has(id)) throw new Refused(400, "the manifest names chunk " + id.shortHex() + ", which was never sent; nothing is committed");
        }
        ImageInfo info;
        try {
            info = a.ingest.commit(new Ingest.ImageMeta(name, "captured over the network from " + a.grant.mac(), "", "boot client@" + a.grant.mac(),
                    System.currentTimeMillis()), m);
        } catch (RuntimeException e) {
            throw new Refused(409, e.getMessage());
        }
        active = null;
        a.ingest.close();
        a.codec.close();
        grants.remove(token);
        db.bootDone(a.grant.mac(), name, true);
        System.err.printf("imgcast serve: captured image '%s' from %s: %d chunks checked, %d bytes, signed by the store's key%n",
                info.name(), a.grant.mac(), a.chunks, info.bytes());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", true);
        r.put("image", info.name());
        r.put("bytes", info.bytes());
        json(ex, 200, r);
    }

    /** Drops a capture under way (the server stops). */
    synchronized void close() {
        if (active != null) drop("the server stopped");
    }

    private static byte[] read(HttpExchange ex, int max) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new IllegalArgumentException("request body too large (at most " + max + " bytes)");
            return b;
        }
    }

    private static String readText(HttpExchange ex) throws IOException {
        return Names.text(new String(read(ex, 4096), StandardCharsets.UTF_8), Names.MAX_ERROR);
    }

    private static String query(HttpExchange ex, String key) {
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith(key + "=")) return URLDecoder.decode(kv.substring(key.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("missing ?" + key + "=");
    }

    private static void json(HttpExchange ex, int code, Object body) throws IOException {
        reply(ex, code, ControlJson.bytes(body), "application/json");
    }

    private static void reply(HttpExchange ex, int code, byte[] b, String type) throws IOException {
        if (type != null) ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, code == 204 ? -1 : b.length);
        try (OutputStream o = ex.getResponseBody()) {
            if (code != 204) o.write(b);
        }
    }
}
