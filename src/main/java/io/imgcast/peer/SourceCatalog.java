package io.imgcast.peer;

import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.ServedImage;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.server.ImageCatalog;
import io.imgcast.store.ChunkSink;
import io.imgcast.store.StoreException;
import io.imgcast.util.Posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mode 3's image source: the master's own disk, partition or directory, with no store and no
 * image file. {@link #read} passes over the source once (chunk, hash, compress, as a capture
 * does) and keeps the compressed chunks in memory up to a budget; chunks beyond the budget are
 * read again from the source when they are sent, and checked against their hash (a source that
 * changed meanwhile fails the session clearly). The manifest is signed with a key made for this
 * session; its fingerprint is what receivers may pin with {@code --server-key}.
 *
 * <p>A volume (disk, partition, image file) is streamed while it is read: each chunk is
 * published in a {@link LiveTable} as soon as it is cut, receivers can join at once and the
 * stream sends what they learnt, so reading, chunking, hashing and sending overlap and a disk
 * larger than memory needs no prior pass. A directory is read whole first (its tree's entries
 * are only known at the end of the walk), then sent.
 */
public final class SourceCatalog implements ImageCatalog, ChunkSink {
    /** Where a chunk's bytes are in the source: a file of the tree (or null for the volume) and an offset. */
    private record Loc(String path, long offset, int rawLength) {}

    private final Path source;
    private final String name;
    private final long cacheLimit;
    /** The zstd level of the read ({@link CaptureOptions#level}): chunks read again are encoded the same way. */
    private volatile int level = ChunkCodec.DEFAULT_LEVEL;
    private final Set<ChunkId> claimed = ConcurrentHashMap.newKeySet();
    private final Map<ChunkId, ChunkMeta> metas = new ConcurrentHashMap<>();
    private final Map<ChunkId, byte[]> cache = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final Map<ChunkId, Loc> locations = new ConcurrentHashMap<>();
    private final KeyPair key;
    private volatile ServedImage served;
    private volatile LiveTable live;
    private final long readRate;
    private long paceStartNs;
    private long pacedBytes;
    private volatile Manifest manifest;
    private volatile String failure;
    /** Mode 2: the store's write session that also gets every chunk ({@link CaptureTee}); null in mode 3. */
    private volatile ChunkSink alsoInto;
    /** The dictionary the chunks were compressed with (mode 2, trees), or null. */
    private volatile ChunkCodec.Dictionary dictionary;

    public SourceCatalog(Path source, String name, long cacheLimit) {
        this(source, name, cacheLimit, 0);
    }

    /** {@code readRate}: bytes per second a volume source is read at most (a disk in use), 0 for no limit. */
    public SourceCatalog(Path source, String name, long cacheLimit, long readRate) {
        this(source, name, cacheLimit, readRate, ImageSignature.newKeyPair());
    }

    /** As above, signing the manifest with {@code key} (the master's, {@link MasterKey}). */
    public SourceCatalog(Path source, String name, long cacheLimit, long readRate, KeyPair key) {
        this.readRate = readRate;
        this.source = source;
        this.name = name;
        this.cacheLimit = cacheLimit;
        this.key = key;
    }

    /** Leading hex of the SHA-256 of the session key, as receivers' {@code --server-key} takes it. */
    public String fingerprint() {
        return ImageSignature.fingerprint(key.getPublic().getEncoded()).substring(0, 16);
    }

    /**
     * Mode 2 at once: {@link #read} also puts every chunk into {@code ingest} (a store's write
     * session), in the same pass; the caller commits the {@link #manifest()} to it afterwards.
     */
    public void alsoInto(ChunkSink ingest) {
        this.alsoInto = ingest;
    }

    /** Reads the source once and makes the image joinable. On failure the error is kept and told to joiners. */
    public ServedImage read(boolean forceVolume, long[] ranges, CaptureOptions options) {
        level = options.level();
        try {
            if (Capture.kindOf(source, forceVolume) == ImageKind.VOLUME) {
                live = new LiveTable(name, Posix.deviceSize(source));
            }
            ChunkSink sink = alsoInto == null ? this : new CaptureTee(this, alsoInto, live != null);
            Manifest m = Capture.scan(source, forceVolume, sink, options, ranges);
            dictionary = sink.dictionary();
            byte[] blob = ManifestFormat.encode(m);
            byte[] sha = ChunkId.newDigest().digest(blob);
            byte[] signature = ImageSignature.sign(key.getPrivate(), name, m.kind(), sha);
            List<ChunkMeta> table = new ArrayList<>();
            for (ChunkId id : m.distinctChunks().keySet()) {
                ChunkMeta c = metas.get(id);
                if (c == null) throw new IllegalStateException("chunk " + id.shortHex() + " was cut but never encoded");
                table.add(c);
            }
            indexLocations(m);
            manifest = m;
            ServedImage img = new ServedImage(name, m.kind(), blob, signature, key.getPublic().getEncoded(), List.copyOf(table), m.totalBytes(),
                    dictionary == null ? null : dictionary.bytes());
            if (live != null) live.complete(img);
            served = img;
            return served;
        } catch (GeneralSecurityException e) {
            failed("cannot sign the session's manifest: " + e.getMessage());
            throw new StoreException(failure, e);
        } catch (IOException e) {
            failed("cannot read the source " + source + ": " + e.getMessage());
            throw new StoreException(failure, e);
        } catch (RuntimeException e) {
            failed(e.getMessage());
            throw e;
        }
    }

    private void failed(String why) {
        failure = why;
        if (live != null) live.fail(why);
    }

    private void indexLocations(Manifest m) {
        if (m.kind() == ImageKind.VOLUME) {
            for (Extent x : m.extents()) addLocations(null, x.offset(), x.chunks());
        } else {
            for (Entry e : m.entries()) {
                if (e.type() != EntryType.FILE) continue;
                if (e.holes().isEmpty()) {
                    addLocations(e.path(), 0, e.chunks());
                } else {
                    // a sparse file's chunks lie between its holes
                    long[] at = e.chunkOffsets();
                    for (int i = 0; i < e.chunks().size(); i++) {
                        ChunkId id = e.chunks().id(i);
                        if (!cache.containsKey(id)) locations.putIfAbsent(id, new Loc(e.path(), at[i], e.chunks().length(i)));
                    }
                }
            }
        }
    }

    private void addLocations(String path, long offset, ChunkList chunks) {
        long at = offset;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkId id = chunks.id(i);
            if (!cache.containsKey(id)) locations.putIfAbsent(id, new Loc(path, at, chunks.length(i)));
            at += chunks.length(i);
        }
    }

    public Manifest manifest() { return manifest; }

    /** Compressed bytes held in memory. */
    public long cachedBytes() { return cachedBytes.get(); }

    /** Chunks that will be read again from the source when sent. */
    public int uncachedChunks() { return locations.size(); }

    // ---- ChunkSink: called by the capture's workers -------------------------------------------

    @Override
    public boolean claim(ChunkId id) {
        return claimed.add(id);
    }

    @Override
    public void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) {
        if (cachedBytes.addAndGet(len) <= cacheLimit) {
            cache.put(id, Arrays.copyOf(payload, len));
        } else {
            cachedBytes.addAndGet(-len);
        }
        synchronized (metas) {
            metas.put(id, new ChunkMeta(id, codec, len, rawLen));
            metas.notifyAll();
        }
    }

    @Override
    public boolean wantsPlacements() {
        return live != null;
    }

    /**
     * Publishes a chunk's place. Its first occurrence may have been claimed by a worker that
     * hashed a later copy of it and is still compressing it: wait (briefly) for that.
     */
    @Override
    public void placed(long offset, ChunkId id, int rawLen) throws IOException {
        ChunkMeta c = metas.get(id);
        if (c == null) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            synchronized (metas) {
                while ((c = metas.get(id)) == null) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) throw new IOException("chunk " + id.shortHex() + " was cut but never encoded");
                    try {
                        metas.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
            }
        }
        if (!cache.containsKey(id)) locations.putIfAbsent(id, new Loc(null, offset, rawLen));
        live.add(offset, c);
        pace(rawLen);
    }

    /** Holds the reader back to {@code readRate}: it runs on the reading thread, in volume order. */
    private void pace(int bytes) throws IOException {
        if (readRate <= 0) return;
        long now = System.nanoTime();
        if (paceStartNs == 0) paceStartNs = now;
        pacedBytes += bytes;
        long dueNs = paceStartNs + (long) (pacedBytes * 1e9 / readRate);
        if (dueNs > now) {
            try {
                Thread.sleep((dueNs - now) / 1_000_000L, (int) ((dueNs - now) % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    // ---- ImageCatalog -------------------------------------------------------------------------

    @Override
    public LiveTable live(String wanted) {
        LiveTable t = live;
        return t != null && t.name().equals(wanted) ? t : null;
    }

    @Override
    public ServedImage image(String wanted) {
        ServedImage s = served;
        if (s == null) {
            if (failure != null) throw new StoreException("the master could not read its source: " + failure);
            throw new NotYet("the master is still reading its source");
        }
        if (!s.name().equals(wanted)) throw new StoreException("this master sends '" + s.name() + "', not '" + wanted + "'");
        return s;
    }

    @Override
    public Payloads openPayloads() {
        return new Rereader();
    }

    @Override
    public String describe() {
        return "source " + source;
    }

    /** Reads uncached chunks back from the source, checks them and encodes them as in the chunk table. */
    private final class Rereader implements Payloads {
        private ChunkCodec codec;
        private final int[] outLen = new int[1];
        private byte[] raw = new byte[256 * 1024];
        private byte[] enc = new byte[ChunkCodec.maxCompressedLength(256 * 1024)];
        private String openPath;
        private FileChannel open;

        @Override
        public byte[] payload(ChunkId id) throws IOException {
            byte[] hit = cache.get(id);
            if (hit != null) return hit;
            Loc loc = locations.get(id);
            ChunkMeta meta = metas.get(id);
            if (loc == null || meta == null) throw new IOException("chunk " + id.shortHex() + " is not part of this session");
            if (raw.length < loc.rawLength()) raw = new byte[loc.rawLength()];
            FileChannel ch = channel(loc.path());
            ByteBuffer b = ByteBuffer.wrap(raw, 0, loc.rawLength());
            long at = loc.offset();
            while (b.hasRemaining()) {
                int n = ch.read(b, at);
                if (n < 0) throw new IOException(where(loc) + " is shorter than when it was read: the source changed; send it again");
                at += n;
            }
            if (!id.matches(raw, 0, loc.rawLength())) {
                throw new IOException(where(loc) + " changed since it was read (chunk " + id.shortHex() + "); send it again from a source that is not in use");
            }
            int max = ChunkCodec.maxCompressedLength(loc.rawLength());
            if (enc.length < max) enc = new byte[max];
            boolean x86 = meta.codec() == ChunkCodec.ZSTD_X86;
            if (codec == null) codec = new ChunkCodec(level, dictionary); // the read set both before any chunk could be asked for
            for (int attempt = 0; attempt < 2; attempt++) {
                byte c = codec.encode(raw, 0, loc.rawLength(), enc, outLen, x86);
                if (c == meta.codec() && outLen[0] == meta.storedLength()) return Arrays.copyOf(enc, outLen[0]);
                x86 = !x86;
            }
            throw new IOException("chunk " + id.shortHex() + " encodes differently on the second read; cannot send it");
        }

        private String where(Loc loc) {
            return loc.path() == null ? "the source " + source + " at byte " + loc.offset() : "file " + source.resolve(loc.path());
        }

        private FileChannel channel(String path) throws IOException {
            String key = path == null ? "" : path;
            if (open != null && key.equals(openPath)) return open;
            if (open != null) open.close();
            open = FileChannel.open(path == null ? source : source.resolve(path), StandardOpenOption.READ);
            openPath = key;
            return open;
        }
    }
}
