package io.imgcast.peer;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.Manifest;
import io.imgcast.receiver.ChunkTarget;
import io.imgcast.store.ImageName;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A receiver's target that is a store (a relay): verified chunks are compressed into a write
 * session of the store and the image is committed, signed by the store, when all arrived.
 * Chunks the store already holds (from other images) are not received again.
 */
final class StoreTarget implements ChunkTarget {
    private final Store store;
    private final Manifest manifest;
    private final Ingest.ImageMeta meta;
    private final ThreadLocal<ChunkCodec> codecs = ThreadLocal.withInitial(() -> new ChunkCodec(ChunkCodec.DEFAULT_LEVEL));
    private final ThreadLocal<byte[]> bufs = ThreadLocal.withInitial(() -> new byte[ChunkCodec.maxCompressedLength(256 * 1024)]);
    private Ingest ingest;

    StoreTarget(Store store, Manifest manifest, Ingest.ImageMeta meta) {
        this.store = store;
        this.manifest = manifest;
        this.meta = meta;
    }

    @Override
    public Set<ChunkId> prepare() {
        ImageName.check(meta.name()); // before receiving, not after
        ingest = store.beginIngest();
        Set<ChunkId> lacking = new LinkedHashSet<>();
        for (ChunkId id : manifest.distinctChunks().keySet()) if (!ingest.has(id)) lacking.add(id);
        return lacking;
    }

    @Override
    public void write(ChunkId id, byte[] data, int len) throws IOException {
        if (!ingest.claim(id)) return;
        byte[] dst = bufs.get();
        if (dst.length < ChunkCodec.maxCompressedLength(len)) {
            dst = new byte[ChunkCodec.maxCompressedLength(len)];
            bufs.set(dst);
        }
        int[] out = new int[1];
        byte codec = codecs.get().encode(data, 0, len, dst, out);
        ingest.append(id, codec, len, dst, out[0]);
    }

    @Override
    public void finish() {
        ingest.commit(meta, manifest);
    }

    @Override
    public String verify() {
        return null; // every chunk was checked against its hash before it was written
    }

    @Override
    public void close() {
        if (ingest != null) ingest.close();
    }
}
