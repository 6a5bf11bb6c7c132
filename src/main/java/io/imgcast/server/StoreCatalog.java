package io.imgcast.server;

import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ServedImage;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ChunkLocation;
import io.imgcast.store.ChunkReader;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.PackFormat;
import io.imgcast.store.Store;
import io.imgcast.store.StoreLock;
import io.imgcast.store.StoredManifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves images of a store: manifests as signed by the store, payloads read from its packs. */
public final class StoreCatalog implements ImageCatalog {
    private final Store store;
    private final StoreLock.Held lease;
    private final Map<String, ServedImage> served = new ConcurrentHashMap<>();
    private final Map<ChunkId, ChunkLocation> locations = new ConcurrentHashMap<>();

    /** Holds a reader lease on the store (gc waits) until closed. */
    public StoreCatalog(Store store) {
        this.store = store;
        this.lease = store.lockReader();
    }

    public Store store() { return store; }

    @Override
    public ServedImage image(String name) {
        return served.computeIfAbsent(name, n -> {
            ImageInfo info = store.image(n);
            Manifest m = store.manifest(info);
            Map<ChunkId, ChunkLocation> locs = store.locations(m.distinctChunks().keySet());
            List<ChunkMeta> chunks = new ArrayList<>();
            for (ChunkId id : m.distinctChunks().keySet()) {
                ChunkLocation l = locs.get(id);
                if (l == null) throw new CorruptDataException("chunk " + id.shortHex() + " of " + n + " is missing from the store");
                chunks.add(new ChunkMeta(id, l.codec(), l.storedLength(), l.rawLength()));
                locations.putIfAbsent(id, l);
            }
            StoredManifest sm = store.storedManifest(info);
            ChunkCodec.Dictionary dict = store.dictionaryFor(n, locs.values());
            return new ServedImage(info.name(), info.kind(), sm.blob(), sm.signature(), store.publicKey().getEncoded(),
                    List.copyOf(chunks), m.totalBytes(), dict == null ? null : dict.bytes());
        });
    }

    @Override
    public Payloads openPayloads() {
        ChunkReader reader = store.reader();
        return id -> {
            ChunkLocation loc = locations.get(id);
            if (loc == null) throw new IOException("chunk " + id.shortHex() + " is not in any served image");
            byte[] rec = reader.readRecord(id, loc);
            return Arrays.copyOfRange(rec, PackFormat.RECORD_HEADER, PackFormat.RECORD_HEADER + loc.storedLength());
        };
    }

    @Override
    public String describe() {
        return "store " + store.dir();
    }

    @Override
    public void close() {
        lease.close();
    }
}
