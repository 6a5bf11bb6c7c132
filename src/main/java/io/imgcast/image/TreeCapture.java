package io.imgcast.image;

import io.imgcast.chunk.ChunkStream;
import io.imgcast.chunk.FastCdc;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.X86Filter;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.store.ChunkSink;
import io.imgcast.util.Posix;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * Captures a directory tree: walks it in sorted order (parents first), records every entry's
 * metadata, detects hard links by (device, inode), and feeds file contents through the chunk
 * pipeline. A file that cannot be read is retried a bounded number of times, then the capture
 * stops with the path and the cause.
 */
public final class TreeCapture {
    /** Opens a file for reading; replaceable in tests to inject read faults. */
    interface Opener {
        FileChannel open(Path p) throws IOException;
    }

    static Opener opener = p -> FileChannel.open(p, StandardOpenOption.READ);

    private static final int S_IFMT = 0170000;

    private final Path root;
    private CaptureOptions options;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Path> sources = new ArrayList<>();
    /** Indexes of files that take less room than their size (sparse): their holes are looked for (SEEK_HOLE). */
    private final BitSet sparse = new BitSet();
    private final Map<String, String> inodes = new HashMap<>();
    private long totalFileBytes;

    private TreeCapture(Path root, CaptureOptions options) {
        this.root = root;
        this.options = options;
    }

    // The walk runs on its own thread, started as early as possible (before the store is opened),
    // and the reader follows it entry by entry: walking (stat, xattrs, readdir, sorting) overlaps
    // with opening the store and with reading, instead of preceding them.
    private final Object lock = new Object();
    private int published;          // entries[0..published) may be read by the reader; guarded by lock
    private volatile boolean walkDone; // written under lock
    private Throwable walkFailure;  // guarded by lock
    private Thread walker;

    private static final ConcurrentHashMap<Path, TreeCapture> EARLY = new ConcurrentHashMap<>();

    /** Starts walking {@code root} now, for a capture of it that follows in this process. */
    static void startWalk(Path root) {
        EARLY.computeIfAbsent(root.toAbsolutePath().normalize(), k -> {
            TreeCapture c = new TreeCapture(root, null);
            c.startWalker();
            return c;
        });
    }

    private void startWalker() {
        walker = Thread.ofPlatform().name("imgcast-walk").daemon().start(() -> {
            Throwable failure = null;
            try {
                // a symlink given as the source stands for its directory (the walk itself never follows links)
                walk(Files.isSymbolicLink(root) ? root.toRealPath() : root, "");
            } catch (Throwable t) {
                failure = t;
            }
            Timing.mark("walk(thread)");
            synchronized (lock) {
                walkFailure = failure;
                walkDone = true;
                published = entries.size();
                lock.notifyAll();
            }
        });
    }

    /** Index i's entry once the walk got there; -1 when the walk ended before it. */
    private int await(int i) {
        synchronized (lock) {
            while (i >= published && !walkDone) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CaptureException("interrupted", e);
                }
            }
            if (walkFailure != null) {
                if (walkFailure instanceof IOException io) throw new CaptureException("cannot read the source tree: " + io.getMessage(), io);
                if (walkFailure instanceof RuntimeException re) throw re;
                throw new CaptureException("cannot read the source tree: " + walkFailure, walkFailure);
            }
            return i < published ? i : -1;
        }
    }

    private void awaitWalk() {
        while (await(Integer.MAX_VALUE - 1) >= 0) {
            // not reached: returns -1 once the walk is done
        }
    }

    /** Walks {@code root}, stores its data through {@code ingest}, and returns the manifest. */
    static Manifest capture(Path root, ChunkSink ingest, CaptureOptions options) {
        TreeCapture c = EARLY.remove(root.toAbsolutePath().normalize());
        if (c == null || !c.root.equals(root)) {
            c = new TreeCapture(root, options);
            c.startWalker();
        }
        c.options = options;
        return c.readContents(ingest);
    }

    private static Posix.Stat nioStat(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,dev,nlink,uid,gid,rdev,size,lastModifiedTime,lastAccessTime",
                LinkOption.NOFOLLOW_LINKS);
        return new Posix.Stat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("nlink"),
                (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("rdev"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastAccessTime")), nanos((FileTime) a.get("lastModifiedTime")), (Long) a.get("size"));
    }

    private static final boolean NIO_STAT = Boolean.getBoolean("imgcast.nioStat");

    private void walk(Path p, String rel) throws IOException {
        Posix.Stat a = NIO_STAT ? null : Posix.lstat(p);
        if (a == null) a = nioStat(p);
        int mode = a.mode();
        int fmt = mode & S_IFMT;
        EntryType type = switch (fmt) {
            case 0040000 -> EntryType.DIRECTORY;
            case 0100000 -> EntryType.FILE;
            case 0120000 -> EntryType.SYMLINK;
            case 0020000 -> EntryType.CHAR_DEVICE;
            case 0060000 -> EntryType.BLOCK_DEVICE;
            case 0010000 -> EntryType.FIFO;
            case 0140000 -> EntryType.SOCKET;
            default -> throw new IOException(p + ": unknown file type " + Integer.toOctalString(fmt));
        };
        long size = a.size();
        String target = null;
        if (type == EntryType.SYMLINK) {
            target = Posix.readlink(p);
            size = 0;
        }
        if (type != EntryType.DIRECTORY && a.nlink() > 1) {
            String key = a.dev() + ":" + a.ino();
            String first = inodes.putIfAbsent(key, rel);
            if (first != null) {
                type = EntryType.HARDLINK;
                target = first;
                size = 0;
            }
        }
        List<Posix.Xattr> xattrs = type == EntryType.HARDLINK ? List.of() : Posix.listXattrs(p);
        Entry e = new Entry(rel, type, mode & 07777, a.uid(), a.gid(), a.atimeNs(), a.mtimeNs(),
                type == EntryType.FILE ? size : 0, target,
                (type == EntryType.CHAR_DEVICE || type == EntryType.BLOCK_DEVICE) ? a.rdev() : 0,
                xattrs, ChunkList.EMPTY);
        synchronized (lock) {
            if (type == EntryType.FILE && a.allocated() < size && size >= SPARSE_MIN) sparse.set(entries.size());
            entries.add(e);
            sources.add(p);
            if (type == EntryType.FILE) totalFileBytes += size;
            if (entries.size() - published >= 16) {
                published = entries.size();
                lock.notifyAll();
            }
        }
        if (type == EntryType.DIRECTORY) {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) names.add(c.getFileName().toString());
            }
            names.sort(null); // String order, as before; names extracted once, not per comparison
            for (String name : names) {
                walk(p.resolve(name), rel.isEmpty() ? name : rel + "/" + name);
            }
        }
    }

    /**
     * Nanoseconds since the epoch; exact before 1970 too (FileTime.to(SECONDS) rounds toward zero
     * there). Times beyond what 64-bit nanoseconds hold (before 1677, after 2262) are clamped.
     */
    static long nanos(FileTime t) {
        Instant i = t.toInstant();
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
        } catch (ArithmeticException e) {
            return i.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private Manifest readContents(ChunkSink ingest) {
        FastCdc cdc = new FastCdc();
        ChunkStream stream = new ChunkStream(cdc, 4 * 1024 * 1024);
        List<Entry> out = new ArrayList<>();
        List<List<Future<ChunkPipeline.Result>>> pendingChunks = new ArrayList<>();
        List<List<Span>> pendingHoles = new ArrayList<>();
        Future<ChunkCodec.Dictionary> dict;
        if (ingest.dictionary() == null && DictionaryTrainer.ENABLED && ingest.keepsDictionary()) {
            // trained on its own thread once the walk is done, while the tree is read, chunked and
            // hashed: new chunks wait for it in the pipeline
            CompletableFuture<ChunkCodec.Dictionary> d = new CompletableFuture<>();
            Thread.ofPlatform().name("imgcast-dict").daemon().start(() -> {
                try {
                    awaitWalk();
                    ChunkCodec.Dictionary trained = trainDictionary();
                    if (trained != null) ingest.setDictionary(trained);
                    Timing.mark("dict-train(thread)");
                    d.complete(trained);
                } catch (Throwable t) {
                    d.completeExceptionally(t);
                }
            });
            dict = d;
        } else {
            dict = CompletableFuture.completedFuture(ingest.dictionary());
        }
        try (ChunkPipeline pipeline = new ChunkPipeline(ingest, options.level(), options.threads(), options.tap(), dict)) {
            boolean totalSet = false;
            for (int i = 0; await(i) >= 0; i++) {
                if (!totalSet && walkDone) {
                    options.progress().total(totalFileBytes);
                    totalSet = true;
                }
                Entry e;
                Path src;
                boolean holey;
                synchronized (lock) {
                    e = entries.get(i);
                    src = sources.get(i);
                    holey = sparse.get(i);
                }
                if (e.type() != EntryType.FILE) {
                    pendingChunks.add(List.of());
                    pendingHoles.add(List.of());
                    continue;
                }
                List<Span> holes = new ArrayList<>();
                pendingChunks.add(readFile(src, stream, pipeline, holey ? holes : null));
                pendingHoles.add(holes);
            }
            if (!totalSet) options.progress().total(totalFileBytes);
            Timing.mark("read+chunk(reader)");
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.type() != EntryType.FILE) {
                    out.add(e);
                    continue;
                }
                ChunkList chunks = ChunkPipeline.collect(pendingChunks.get(i));
                pendingChunks.set(i, null);
                List<Span> holes = pendingHoles.get(i);
                long holeBytes = 0;
                for (Span h : holes) holeBytes += h.length();
                out.add(new Entry(e.path(), e.type(), e.mode(), e.uid(), e.gid(), e.atimeNs(), e.mtimeNs(),
                        chunks.totalBytes() + holeBytes, e.target(), e.rdev(), e.xattrs(), chunks, holes));
            }
        } catch (IOException e) {
            throw new CaptureException("capture failed: " + e.getMessage(), e);
        }
        Timing.mark("drain-workers");
        return Manifest.tree(out);
    }

    /** Files smaller than this are read whole, sparse or not. */
    static final long SPARSE_MIN = 64 * 1024;

    /**
     * The data runs ({@code [start, end)} pairs) of a sparse file, by SEEK_DATA and SEEK_HOLE;
     * {@code holes} receives the rest of {@code [0, size)}.
     */
    static List<long[]> dataRuns(Path p, long size, List<Span> holes) throws IOException {
        List<long[]> runs = new ArrayList<>();
        try (Posix.DataSeeker s = Posix.dataSeeker(p)) {
            long at = 0;
            while (at < size) {
                long d = Math.min(size, s.nextData(at));
                if (d >= size) break;
                long h = Math.min(size, s.nextHole(d));
                if (h <= d) h = size; // no hole found: data to the end
                runs.add(new long[] {d, h});
                at = h;
            }
        }
        long at = 0;
        for (long[] r : runs) {
            if (r[0] > at) holes.add(new Span(at, r[0] - at));
            at = r[1];
        }
        if (at < size) holes.add(new Span(at, size - at));
        return runs;
    }

    /**
     * Reads one file into chunks. {@code holes}: null for a file read whole; else the file is
     * sparse, its holes are found and added there, and each data run is chunked on its own (a
     * chunk never spans a hole, see {@link Entry#chunkOffsets()}).
     */
    private List<Future<ChunkPipeline.Result>> readFile(Path p, ChunkStream stream, ChunkPipeline pipeline, List<Span> holes) {
        IOException last = null;
        for (int attempt = 1; attempt <= Math.max(1, options.readRetries()); attempt++) {
            List<Future<ChunkPipeline.Result>> futures = new ArrayList<>();
            long[] counted = new long[1];
            boolean[] x86 = new boolean[1];
            try (FileChannel ch = opener.open(p)) {
                ChunkStream.Sink sink = (buf, off, len) -> {
                    if (counted[0] == 0) x86[0] = BCJ && X86Filter.isX86Elf(buf, off, len);
                    futures.add(pipeline.submit(buf, off, len, x86[0]));
                    options.progress().add(len);
                    counted[0] += len;
                };
                if (holes == null) {
                    stream.split((buf, off, len) -> ch.read(ByteBuffer.wrap(buf, off, len)), sink);
                    return futures;
                }
                holes.clear();
                long size = ch.size();
                for (long[] run : dataRuns(p, size, holes)) {
                    long[] at = {run[0]};
                    stream.split((buf, off, len) -> {
                        if (at[0] >= run[1]) return -1;
                        int n = ch.read(ByteBuffer.wrap(buf, off, (int) Math.min(len, run[1] - at[0])), at[0]);
                        if (n > 0) at[0] += n;
                        return n;
                    }, sink);
                }
                options.progress().add(size - counted[0]);
                return futures;
            } catch (IOException e) {
                last = e;
                options.progress().add(-counted[0]);
                for (Future<ChunkPipeline.Result> f : futures) {
                    try {
                        ChunkPipeline.await(f);
                    } catch (IOException | RuntimeException ignored) {
                        // the attempt is discarded anyway
                    }
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new CaptureException("cannot read " + p + " (" + describe(last) + ") after "
                + Math.max(1, options.readRetries()) + " attempts; nothing was added to the store", last);
    }

    /** The x86 BCJ filter for ELF x86 code (on; -Dimgcast.bcj=false turns it off). */
    static final boolean BCJ = !"false".equals(System.getProperty("imgcast.bcj"));

    /**
     * Trains a zstd dictionary for a store that has none, from the tree being captured: the first
     * 64 KiB of files spread evenly over the tree, up to {@link DictionaryTrainer#SAMPLE_BYTES}.
     */
    private ChunkCodec.Dictionary trainDictionary() {
        long total = 0;
        for (Entry e : entries) if (e.type() == EntryType.FILE) total += Math.min(e.size(), DictionaryTrainer.SAMPLE);
        double step = Math.max(1.0, (double) total / DictionaryTrainer.SAMPLE_BYTES);
        DictionaryTrainer trainer = new DictionaryTrainer();
        double next = 0;
        long pos = 0;
        ByteBuffer b = ByteBuffer.allocate(DictionaryTrainer.SAMPLE);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.type() != EntryType.FILE || e.size() == 0) continue;
            long take = Math.min(e.size(), DictionaryTrainer.SAMPLE);
            pos += take;
            if (pos < next) continue;
            next += step * take;
            // a plain open: a sample is best effort, and the capture's reads keep their retry accounting
            try (FileChannel ch = FileChannel.open(sources.get(i), StandardOpenOption.READ)) {
                b.clear().limit((int) take);
                while (b.hasRemaining() && ch.read(b) >= 0) { }
                trainer.add(b.array(), 0, b.position());
            } catch (IOException ignored) {
                // a sample less
            }
        }
        return trainer.train();
    }

    static String describe(IOException e) {
        if (e == null) return "unknown error";
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
