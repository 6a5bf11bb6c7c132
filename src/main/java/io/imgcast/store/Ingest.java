package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A write session: adds chunks to new pack space and commits images. Holds the store's writer
 * lock while open. Chunk appends are thread-safe. Until {@link #commit} nothing is visible to
 * readers; closing without committing removes what was written.
 *
 * <p>On open it first removes leftovers of interrupted writers: pack files the index does not
 * list, bytes past a listed pack's recorded size, and image records and a dictionary file the
 * index does not list ({@link SideFiles}).
 *
 * <p>A chunk the store already holds is reused without reading it, unless it is known bad (a
 * reader found it damaged, {@link Store#chunkFailed}) or the store is {@link Store#paranoid}:
 * then it is read and checked first, and a copy that fails is stored again from the source.
 */
public final class Ingest implements AutoCloseable, ChunkSink {
    static final long PACK_LIMIT = Long.getLong("imgcast.packLimit", 1L << 30);

    private final Store store;
    private final AutoCloseable lock;
    /** Chunks already in the store, with their stored lengths. */
    private final Map<ChunkId, Integer> known;
    private final ConcurrentHashMap<ChunkId, Boolean> claimed = new ConcurrentHashMap<>();
    private final Map<ChunkId, ChunkLocation> pending = new HashMap<>();
    private final Map<Long, Long> packSizes = new HashMap<>();
    private final List<Long> createdPacks = new ArrayList<>();
    private long nextPack;
    private FileChannel current;
    private long currentId = -1;
    private long currentSize;
    private byte[] header = new byte[PackFormat.RECORD_HEADER];
    private boolean closed;
    // With -Dimgcast.flushEvery=N, pack data is flushed to disk in the background every N bytes,
    // so that the fsync at commit only has the tail left: for slow disks. Off by default: an
    // fdatasync of a pack stalls the workers' writes to it while it runs (measured: ~0.3 s of
    // 1.7 s capturing a Debian minbase tree with 16 MiB flushes), and on a disk that writes
    // 1 GB/s the one fsync at commit costs less than that.
    private static final long FLUSH_EVERY = Long.getLong("imgcast.flushEvery", 0);
    private long flushedUpTo;
    private ExecutorService flusher;
    private Future<?> lastFlush;
    private ChunkCodec.Dictionary newDictionary;
    /** Chunks the store holds that must be checked before reuse (known bad), or null for all of them (paranoid). */
    private final Map<ChunkId, String> suspect;
    /** Chunks a reader found damaged, when this session began. */
    private final Map<ChunkId, String> knownBad;
    /** Outcome of each reuse check: true if the stored copy is good. */
    private final ConcurrentHashMap<ChunkId, Boolean> checked = new ConcurrentHashMap<>();
    private final List<ChunkReader> checkers = new ArrayList<>();
    private final ThreadLocal<ChunkReader> checker = ThreadLocal.withInitial(this::newChecker);

    Ingest(Store store) {
        this.store = store;
        this.lock = store.lockWriter("new ingest");
        try {
            long maxPack = removeLeftovers();
            this.nextPack = Math.max(maxPack, store.index().lastPackId()) + 1;
            this.known = store.index().allChunks();
            this.knownBad = store.index().badChunks();
            this.suspect = store.paranoid() ? null : knownBad;
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    private long removeLeftovers() {
        Map<Long, Long> listed = store.index().packs();
        long max = listed.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        Path dir = store.packs().dir();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                Long id = n.matches("\\d{8}\\.pack") ? Long.parseLong(n.substring(0, 8)) : null;
                if (id == null || !listed.containsKey(id)) {
                    if (n.endsWith(".pack") || n.endsWith(".tmp")) Store.deleteIfExists(f);
                    if (id != null) max = Math.max(max, id);
                } else if (Files.size(f) > listed.get(id)) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.truncate(listed.get(id));
                        ch.force(true);
                    }
                }
            }
            Set<String> names = new HashSet<>();
            List<ImageInfo> images = store.images();
            for (ImageInfo i : images) names.add(i.name());
            byte[] dict = store.index().dictionary();
            store.files().removeLeftovers(names, dict != null);
            restoreSideFiles(images, dict);
        } catch (IOException e) {
            throw new StoreException("cannot tidy store " + store.dir() + " (leftovers of an interrupted writer): " + e.getMessage(), e);
        }
        return max;
    }

    /**
     * Writes back what the index holds and the files beside the packs lack (someone removed
     * them): the public key, the dictionary, image records. Nothing is read or written when all
     * are present.
     */
    private void restoreSideFiles(List<ImageInfo> images, byte[] dict) throws IOException {
        SideFiles f = store.files();
        if (!Files.exists(f.publicKeyFile())) SideFiles.writeDurably(f.publicKeyFile(), store.index().publicKey());
        if (dict != null && !Files.exists(f.dictionaryFile())) SideFiles.writeDurably(f.dictionaryFile(), dict);
        Set<Path> present = new HashSet<>(f.imageFiles());
        for (ImageInfo i : images) {
            if (!present.contains(f.imageFile(i.name()))) f.writeImage(Store.record(i, store.storedManifest(i)));
        }
    }

    /** The dictionary chunks are compressed with: the store's, or one set for this session. */
    @Override
    public synchronized ChunkCodec.Dictionary dictionary() {
        return newDictionary != null ? newDictionary : store.dictionary();
    }

    @Override
    public boolean keepsDictionary() {
        return true;
    }

    /** Sets the dictionary of a store that has none; stored with the next commit. */
    @Override
    public synchronized void setDictionary(ChunkCodec.Dictionary d) {
        if (store.dictionary() != null) throw new IllegalStateException("the store already has a dictionary");
        newDictionary = d;
    }

    /** True if the store or this session already holds the chunk (a known-bad copy counts only once it checks). */
    public boolean has(ChunkId id) {
        if (claimed.containsKey(id)) return true;
        if (!known.containsKey(id)) return false;
        return !mustCheck(id) || storedCopyGood(id);
    }

    /**
     * Claims a chunk for storing: true for exactly one caller per chunk the store lacks; that
     * caller must then {@link #append} it.
     */
    @Override
    public boolean claim(ChunkId id) {
        if (known.containsKey(id) && (!mustCheck(id) || storedCopyGood(id))) return false;
        return claimed.putIfAbsent(id, Boolean.TRUE) == null;
    }

    private boolean mustCheck(ChunkId id) {
        return suspect == null || suspect.containsKey(id);
    }

    /** Reads and checks the store's copy of a chunk about to be reused (once per chunk and session). */
    private boolean storedCopyGood(ChunkId id) {
        return checked.computeIfAbsent(id, k -> {
            var loc = store.index().location(k);
            if (loc.isEmpty()) return false;
            byte[] buf = new byte[Math.max(loc.get().rawLength(), 1)];
            try {
                checker.get().read(k, loc.get(), buf);
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
    }

    private ChunkReader newChecker() {
        ChunkReader r = store.reader();
        synchronized (checkers) {
            checkers.add(r);
        }
        return r;
    }

    /** Appends one encoded chunk record to the current pack. */
    @Override
    public void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) throws IOException {
        synchronized (this) {
            if (closed) throw new IllegalStateException("ingest closed");
            long off;
            try {
                if (current == null || currentSize + PackFormat.RECORD_HEADER + len > PACK_LIMIT) startPack();
                PackFormat.writeHeader(header, id, codec, rawLen, payload, len);
                off = currentSize;
                writeFully(ByteBuffer.wrap(header, 0, PackFormat.RECORD_HEADER));
                writeFully(ByteBuffer.wrap(payload, 0, len));
            } catch (IOException e) {
                // name the store: a bare "No space left on device" reads as if the source were at fault
                throw new IOException("cannot write to store " + store.dir() + " (" + store.packs().path(currentId).getFileName()
                        + "): " + e.getMessage(), e);
            }
            currentSize += PackFormat.RECORD_HEADER + len;
            pending.put(id, new ChunkLocation(currentId, off, len, rawLen, codec));
            packSizes.put(currentId, currentSize);
            if (FLUSH_EVERY > 0 && currentSize - flushedUpTo >= FLUSH_EVERY && (lastFlush == null || lastFlush.isDone())) {
                flushedUpTo = currentSize;
                if (flusher == null) {
                    flusher = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("imgcast-flush").daemon().unstarted(r));
                }
                FileChannel ch = current;
                lastFlush = flusher.submit(() -> {
                    try {
                        ch.force(false);
                    } catch (IOException ignored) {
                        // the fsync at commit reports it
                    }
                });
            }
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) current.write(b);
    }

    private void startPack() throws IOException {
        awaitFlush();
        if (current != null) {
            current.force(false);
            current.close();
        }
        currentId = nextPack++;
        Path p = store.packs().path(currentId);
        createdPacks.add(currentId);
        current = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeFully(ByteBuffer.wrap(PackFormat.FILE_MAGIC));
        currentSize = PackFormat.FILE_HEADER;
        packSizes.put(currentId, currentSize);
    }

    /** Descriptive data supplied by whoever captures or imports an image. */
    public record ImageMeta(String name, String description, String flags, String userInfo, long created) {}

    /**
     * Makes an image visible: fsyncs the packs written so far, then in one transaction lists
     * them, indexes their chunks and adds the image. Every chunk the manifest names must be in
     * the store or in this session.
     */
    public ImageInfo commit(ImageMeta meta, Manifest manifest) {
        ImageName.check(meta.name());
        if (store.find(meta.name()).isPresent()) {
            throw new StoreException("an image named '" + meta.name() + "' already exists; pick another --name or delete it first");
        }
        synchronized (this) {
            Map<ChunkId, Integer> chunks = manifest.distinctChunks();
            long storedBytes = 0;
            for (ChunkId id : chunks.keySet()) {
                ChunkLocation fresh = pending.get(id);
                Integer old = known.get(id);
                if (fresh == null && old == null) {
                    throw new IllegalStateException("chunk " + id.shortHex() + " of image " + meta.name() + " was never stored");
                }
                storedBytes += fresh != null ? fresh.storedLength() : old;
            }
            Timing.mark("commit-check");
            byte[] blob = ManifestFormat.encode(manifest);
            Timing.mark("commit-encode");
            byte[] sha = ChunkId.newDigest().digest(blob);
            byte[] sig = store.sign(meta.name(), manifest.kind(), sha);
            try {
                awaitFlush();
                if (current != null) current.force(false);
                fsyncDir(store.packs().dir());
                Timing.mark("commit-sign+fsync");
            } catch (IOException e) {
                throw new StoreException("cannot flush pack data to disk: " + e.getMessage(), e);
            }
            StoredManifest stored = new StoredManifest(blob, sha, sig);
            try {
                // after the data, before the index: a record is never listed before it is durable
                if (newDictionary != null) SideFiles.writeDurably(store.files().dictionaryFile(), newDictionary.bytes());
                store.files().writeImage(new ImageRecord(meta.name(), manifest.kind(), meta.description(), meta.flags(),
                        meta.userInfo(), meta.created(), stored));
                Timing.mark("commit-record");
            } catch (IOException e) {
                throw new StoreException("cannot write the image record to " + store.files().imagesDir() + ": " + e.getMessage(), e);
            }
            try {
                List<ChunkId> goodAgain = new ArrayList<>();
                for (Map.Entry<ChunkId, Boolean> c : checked.entrySet()) {
                    if (c.getValue() && knownBad.containsKey(c.getKey())) goodAgain.add(c.getKey());
                }
                store.index().addImage(packSizes, pending, goodAgain, new Index.ImageRow(meta.name(), manifest.kind(), meta.description(),
                        meta.flags(), meta.created(), meta.userInfo(), manifest.fileCount(), manifest.dirCount(), manifest.totalBytes(),
                        chunks.size(), stored, storedBytes), newDictionary == null ? null : newDictionary.bytes());
            } catch (RuntimeException e) {
                try {
                    store.files().removeImage(meta.name());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed); // the next writer removes it
                }
                throw e;
            }
            if (newDictionary != null) {
                store.dictionaryCommitted(newDictionary);
                newDictionary = null;
            }
            for (Map.Entry<ChunkId, ChunkLocation> c : pending.entrySet()) known.put(c.getKey(), c.getValue().storedLength());
            pending.clear();
            createdPacks.clear();
            return store.image(meta.name());
        }
    }

    private void awaitFlush() {
        if (lastFlush == null) return;
        try {
            lastFlush.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // the next force reports it
        }
        lastFlush = null;
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Ends the session; anything not committed is removed. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            awaitFlush();
            if (flusher != null) flusher.shutdown();
            try {
                if (current != null) current.close();
            } catch (IOException ignored) {
                // removed or truncated below
            }
            for (Long p : createdPacks) Store.deleteIfExists(store.packs().path(p));
            synchronized (checkers) {
                for (ChunkReader r : checkers) r.close();
                checkers.clear();
            }
            closeQuietly(lock);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing a lock does not fail in a way we can act on
        }
    }
}
