package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
            synchronized (store) {
                Set<ChunkId> referenced = referenced(store);
                long chunks = 0;
                long bytes = 0;
                try (Statement s = store.db().createStatement();
                     ResultSet r = s.executeQuery("SELECT id, slen FROM chunk")) {
                    while (r.next()) {
                        if (!referenced.contains(ChunkId.of(r.getBytes(1)))) {
                            chunks++;
                            bytes += PackFormat.RECORD_HEADER + r.getLong(2);
                        }
                    }
                }
                return new Preview(chunks, bytes, store.packBytes());
            }
        } catch (SQLException e) {
            throw Store.sqlFailure(e);
        }
    }

    public static Result run(Store store) {
        try (Ingest ingest = store.beginIngest(); var gc = store.lockGc()) {
            Connection db = store.db();
            synchronized (store) {
                long before = store.packBytes();
                Map<Long, Long> packSizes = new HashMap<>();
                Map<Long, List<Object[]>> live = new HashMap<>();
                Map<Long, Integer> dead = new HashMap<>();
                try (Statement s = db.createStatement()) {
                    try (ResultSet r = s.executeQuery("SELECT id, size FROM pack")) {
                        while (r.next()) packSizes.put(r.getLong(1), r.getLong(2));
                    }
                    Set<ChunkId> referenced = referenced(store);
                    try (ResultSet r = s.executeQuery("SELECT c.id, c.pack, c.off, c.slen, c.rlen, c.codec FROM chunk c ORDER BY c.pack, c.off")) {
                        while (r.next()) {
                            long pack = r.getLong(2);
                            if (referenced.contains(ChunkId.of(r.getBytes(1)))) {
                                live.computeIfAbsent(pack, k -> new ArrayList<>()).add(new Object[] {r.getBytes(1), Store.location(r, 2)});
                            } else {
                                dead.merge(pack, 1, Integer::sum);
                            }
                        }
                    }
                }
                long removed = dead.values().stream().mapToLong(Integer::longValue).sum();
                int packsRemoved = 0;
                int packsWritten = 0;
                long nextPack = Math.max(packSizes.keySet().stream().mapToLong(Long::longValue).max().orElse(0), store.lastPackId()) + 1;
                // packs listed but holding no indexed chunk at all are dead too
                for (Long p : packSizes.keySet()) if (!live.containsKey(p)) dead.putIfAbsent(p, 0);
                for (Long pack : new ArrayList<>(dead.keySet())) {
                    List<Object[]> keep = live.getOrDefault(pack, List.of());
                    Long newPack = null;
                    long newSize = 0;
                    List<Object[]> moved = new ArrayList<>();
                    if (!keep.isEmpty()) {
                        newPack = nextPack++;
                        newSize = copy(store, pack, newPack, keep, moved);
                        packsWritten++;
                    }
                    db.setAutoCommit(false);
                    try (PreparedStatement delChunks = db.prepareStatement("DELETE FROM chunk WHERE pack = ?");
                         PreparedStatement delPack = db.prepareStatement("DELETE FROM pack WHERE id = ?");
                         PreparedStatement addPack = db.prepareStatement("INSERT INTO pack(id, size) VALUES (?, ?)");
                         PreparedStatement addChunk = db.prepareStatement("INSERT INTO chunk(id, pack, off, slen, rlen, codec) VALUES (?, ?, ?, ?, ?, ?)")) {
                        delChunks.setLong(1, pack);
                        delChunks.executeUpdate();
                        delPack.setLong(1, pack);
                        delPack.executeUpdate();
                        if (newPack != null) {
                            addPack.setLong(1, newPack);
                            addPack.setLong(2, newSize);
                            addPack.executeUpdate();
                            for (Object[] m : moved) {
                                ChunkLocation l = (ChunkLocation) m[1];
                                addChunk.setBytes(1, (byte[]) m[0]);
                                addChunk.setLong(2, l.pack());
                                addChunk.setLong(3, l.offset());
                                addChunk.setInt(4, l.storedLength());
                                addChunk.setInt(5, l.rawLength());
                                addChunk.setInt(6, l.codec());
                                addChunk.addBatch();
                            }
                            addChunk.executeBatch();
                        }
                        store.raiseLastPackId(newPack != null ? newPack : pack);
                        db.commit();
                    } catch (SQLException e) {
                        db.rollback();
                        throw e;
                    } finally {
                        db.setAutoCommit(true);
                    }
                    store.packs().forget(pack);
                    Store.deleteIfExists(store.packs().path(pack));
                    packsRemoved++;
                }
                try (Statement s = db.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                return new Result(removed, before, store.packBytes(), packsRemoved, packsWritten);
            }
        } catch (SQLException e) {
            throw Store.sqlFailure(e);
        } catch (IOException e) {
            throw new StoreException("gc failed: " + e.getMessage() + "; the store is unchanged where gc had not finished", e);
        }
    }

    private static long copy(Store store, long from, long to, List<Object[]> keep, List<Object[]> moved) throws IOException {
        Path dst = store.packs().path(to);
        try (FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             FileChannel in = FileChannel.open(store.packs().path(from), StandardOpenOption.READ)) {
            long size = out.write(ByteBuffer.wrap(PackFormat.FILE_MAGIC));
            for (Object[] k : keep) {
                ChunkLocation l = (ChunkLocation) k[1];
                byte[] rec = new byte[PackFormat.RECORD_HEADER + l.storedLength()];
                ByteBuffer b = ByteBuffer.wrap(rec);
                long at = l.offset();
                while (b.hasRemaining()) {
                    int n = in.read(b, at);
                    if (n < 0) throw new IOException("pack " + from + " is truncated; run 'imgcast verify'");
                    at += n;
                }
                PackFormat.check(rec, ChunkId.of((byte[]) k[0]), l);
                ByteBuffer w = ByteBuffer.wrap(rec);
                while (w.hasRemaining()) out.write(w);
                moved.add(new Object[] {k[0], new ChunkLocation(to, size, l.storedLength(), l.rawLength(), l.codec())});
                size += rec.length;
            }
            out.force(true);
            Ingest.fsyncDir(store.packs().dir());
            return size;
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p);
    }
}
