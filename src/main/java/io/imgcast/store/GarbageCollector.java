package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reclaims space no image references. Holds the writer lock and the gc lock (so no apply,
 * verify, export or server reads chunks meanwhile). For every pack holding unreferenced chunks,
 * the live records are copied into a new pack, fsynced, and the index switched over in one
 * transaction; only then is the old pack deleted. A crash at any point leaves either the old or
 * the new layout, plus leftovers the next writer removes.
 */
public final class GarbageCollector {
    private GarbageCollector() {}

    public record Result(long chunksRemoved, long bytesBefore, long bytesAfter, int packsRemoved, int packsWritten) {}

    /**
     * Every chunk some image references, read from the images' checked manifests. A damaged
     * manifest stops the collection: which chunks it needs is unknown, and they must not go.
     */
    private static Set<ChunkId> referenced(Store store) {
        Set<ChunkId> ids = new HashSet<>();
        for (ImageInfo image : store.images()) {
            try {
                ids.addAll(store.chunkSet(image));
            } catch (CorruptDataException e) {
                throw new StoreException("gc stopped, nothing removed: the manifest of image '" + image.name() + "' is damaged ("
                        + e.getMessage() + "), so the chunks it needs are unknown; restore the store from a backup, or"
                        + " 'imgcast delete " + image.name() + "' first if the image is lost");
            }
        }
        return ids;
    }

    /** What {@link #run} would remove: unreferenced chunks and their bytes in the packs (record headers included). */
    public record Preview(long chunks, long bytes, long bytesBefore) {}

    /** Counts what a collection would remove, under the reader lock; changes nothing. */
    public static Preview preview(Store store) {
        try (var lock = store.lockReader()) {
            Set<ChunkId> referenced = referenced(store);
            long chunks = 0;
            long bytes = 0;
            for (Map.Entry<ChunkId, Integer> c : store.index().allChunks().entrySet()) {
                if (!referenced.contains(c.getKey())) {
                    chunks++;
                    bytes += PackFormat.RECORD_HEADER + c.getValue();
                }
            }
            return new Preview(chunks, bytes, store.packBytes());
        }
    }

    public static Result run(Store store) {
        try (Ingest ingest = store.beginIngest(); var gc = store.lockGc()) {
            Index index = store.index();
            long before = index.packBytes();
            Map<Long, Long> packSizes = index.packs();
            Set<ChunkId> referenced = referenced(store);
            Map<Long, Map<ChunkId, ChunkLocation>> live = new HashMap<>();
            Map<Long, Integer> dead = new HashMap<>();
            index.forEachChunk((id, l) -> {
                if (referenced.contains(id)) live.computeIfAbsent(l.pack(), k -> new LinkedHashMap<>()).put(id, l);
                else dead.merge(l.pack(), 1, Integer::sum);
            });
            long removed = dead.values().stream().mapToLong(Integer::longValue).sum();
            int packsRemoved = 0;
            int packsWritten = 0;
            long nextPack = Math.max(packSizes.keySet().stream().mapToLong(Long::longValue).max().orElse(0), index.lastPackId()) + 1;
            // packs listed but holding no indexed chunk at all are dead too
            for (Long p : packSizes.keySet()) if (!live.containsKey(p)) dead.putIfAbsent(p, 0);
            for (Long pack : new ArrayList<>(dead.keySet())) {
                Map<ChunkId, ChunkLocation> keep = live.getOrDefault(pack, Map.of());
                long newPack = -1;
                long newSize = 0;
                Map<ChunkId, ChunkLocation> moved = new LinkedHashMap<>();
                if (!keep.isEmpty()) {
                    newPack = nextPack++;
                    newSize = copy(store, pack, newPack, keep, moved);
                    packsWritten++;
                }
                index.replacePack(pack, newPack, newSize, moved);
                store.packs().forget(pack);
                Store.deleteIfExists(store.packs().path(pack));
                packsRemoved++;
            }
            index.checkpoint();
            return new Result(removed, before, index.packBytes(), packsRemoved, packsWritten);
        } catch (IOException e) {
            throw new StoreException("gc failed: " + e.getMessage() + "; the store is unchanged where gc had not finished", e);
        }
    }

    private static long copy(Store store, long from, long to, Map<ChunkId, ChunkLocation> keep, Map<ChunkId, ChunkLocation> moved)
            throws IOException {
        Path dst = store.packs().path(to);
        try (FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             FileChannel in = FileChannel.open(store.packs().path(from), StandardOpenOption.READ)) {
            long size = out.write(ByteBuffer.wrap(PackFormat.FILE_MAGIC));
            for (Map.Entry<ChunkId, ChunkLocation> k : keep.entrySet()) {
                ChunkLocation l = k.getValue();
                byte[] rec = new byte[PackFormat.RECORD_HEADER + l.storedLength()];
                ByteBuffer b = ByteBuffer.wrap(rec);
                long at = l.offset();
                while (b.hasRemaining()) {
                    int n = in.read(b, at);
                    if (n < 0) throw new IOException("pack " + from + " is truncated; run 'imgcast verify'");
                    at += n;
                }
                PackFormat.check(rec, k.getKey(), l);
                ByteBuffer w = ByteBuffer.wrap(rec);
                while (w.hasRemaining()) out.write(w);
                moved.put(k.getKey(), new ChunkLocation(to, size, l.storedLength(), l.rawLength(), l.codec()));
                size += rec.length;
            }
            out.force(true);
            Ingest.fsyncDir(store.packs().dir());
            return size;
        }
    }
}
