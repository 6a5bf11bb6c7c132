package io.imgcast.boot;

import io.imgcast.api.CaptureBatch;
import io.imgcast.api.ControlJson;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.store.ChunkSink;
import io.imgcast.trust.ClientTrust;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sending side of a capture over the network: a {@link ChunkSink} for {@code Capture.scan}
 * that compresses with the server store's dictionary (when it has one), gathers the chunks in
 * batches, asks the server which of them its store lacks, and sends only those; then
 * {@link #commit} sends the manifest. The server checks every chunk's hash itself. Authorised by
 * the one-time capture token of the machine's assignment.
 */
public final class CaptureUpload implements ChunkSink, AutoCloseable {
    /** Bytes of encoded chunks gathered before a batch goes (well below the server's bound). */
    static final int BATCH_BYTES = 8 << 20;

    private final URI base;
    private final ClientTrust trust;
    private final String mac;
    private final String token;
    private final ChunkCodec.Dictionary dictionary;
    private final Set<ChunkId> claimed = ConcurrentHashMap.newKeySet();
    private final List<CaptureBatch.Chunk> batch = new ArrayList<>();
    private long batchBytes;
    private long sentChunks;
    private long sentBytes;
    private long skippedChunks;
    private boolean committed;

    private CaptureUpload(URI base, ClientTrust trust, String mac, String token, ChunkCodec.Dictionary dictionary) {
        this.base = base;
        this.trust = trust;
        this.mac = mac;
        this.token = token;
        this.dictionary = dictionary;
    }

    /** Begins a capture to the server at {@code base} as {@code mac} with the assignment's {@code token}: fetches the store's dictionary. */
    public static CaptureUpload open(URI base, ClientTrust trust, String mac, String token) throws IOException {
        if (token == null) throw new IOException("the server gave no capture token (does it serve a store?)");
        ControlCalls.Reply r = ControlCalls.call(base, trust, "GET", path("dictionary", mac), null, token);
        if (!r.ok()) throw new IOException("the server refused the capture: " + r.error());
        return new CaptureUpload(base, trust, mac, token, r.status() == 204 || r.body().length == 0 ? null : new ChunkCodec.Dictionary(r.body()));
    }

    private static String path(String action, String mac) {
        return "api/v1/capture/" + action + "?mac=" + URLEncoder.encode(mac, StandardCharsets.UTF_8);
    }

    @Override
    public boolean claim(ChunkId id) {
        return claimed.add(id);
    }

    @Override
    public void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) throws IOException {
        byte[] copy = java.util.Arrays.copyOf(payload, len);
        synchronized (this) {
            batch.add(new CaptureBatch.Chunk(id, codec, rawLen, copy));
            batchBytes += len + 41;
            if (batchBytes >= BATCH_BYTES || batch.size() >= CaptureBatch.MAX_IDS) flush();
        }
    }

    @Override
    public ChunkCodec.Dictionary dictionary() {
        return dictionary;
    }

    /** Sends the gathered chunks the server lacks. */
    private synchronized void flush() throws IOException {
        if (batch.isEmpty()) return;
        List<ChunkId> ids = batch.stream().map(CaptureBatch.Chunk::id).toList();
        ControlCalls.Reply lacks = ControlCalls.call(base, trust, "POST", path("lacks", mac), CaptureBatch.ids(ids), token);
        if (!lacks.ok()) throw new IOException("the server refused the capture: " + lacks.error());
        if (lacks.body().length != (ids.size() + 7) / 8) throw new IOException("the server's answer to which chunks it lacks has the wrong length");
        List<CaptureBatch.Chunk> send = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (CaptureBatch.bit(lacks.body(), i)) send.add(batch.get(i));
            else skippedChunks++;
        }
        if (!send.isEmpty()) {
            ControlCalls.Reply r = ControlCalls.call(base, trust, "POST", path("chunks", mac), CaptureBatch.chunks(send), token);
            if (!r.ok()) throw new IOException("the server refused the capture's chunks: " + r.error());
            sentChunks += send.size();
            for (CaptureBatch.Chunk c : send) sentBytes += c.payload().length;
        }
        batch.clear();
        batchBytes = 0;
    }

    /** Sends what is left and the manifest; the server commits the image ({@code name}: only when the token leaves the name to the machine). */
    public synchronized String commit(Manifest m, String name) throws IOException {
        flush();
        String p = path("commit", mac) + (name != null ? "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) : "");
        ControlCalls.Reply r = ControlCalls.call(base, trust, "POST", p, ManifestFormat.encode(m), token);
        if (!r.ok()) throw new IOException("the server did not commit the capture: " + r.error());
        committed = true;
        Map<String, Object> reply = ControlJson.readMap(new String(r.body(), StandardCharsets.UTF_8));
        return String.valueOf(reply.get("image"));
    }

    public synchronized long sentChunks() {
        return sentChunks;
    }

    public synchronized long sentBytes() {
        return sentBytes;
    }

    public synchronized long skippedChunks() {
        return skippedChunks;
    }

    /** Without a commit: tells the server to drop what it got (best effort; it drops it anyway when the capture goes silent). */
    @Override
    public void close() {
        if (committed) return;
        try {
            ControlCalls.call(base, trust, "POST", path("abort", mac), "capture stopped".getBytes(StandardCharsets.UTF_8), token);
        } catch (IOException ignored) {
            // the server is gone, or drops it when the capture goes silent
        }
    }
}
