package io.imgcast.image;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.ChunkList;
import io.imgcast.store.ChunkSink;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashes, deduplicates, compresses and stores chunks on worker threads while one reader thread
 * keeps cutting. Results come back as futures in submission order, so the reader can build the
 * manifest. The number of chunks in flight is bounded, so memory stays flat however large the
 * source.
 */
final class ChunkPipeline implements AutoCloseable {
    /** What became of one chunk: its id and raw length. */
    record Result(ChunkId id, int length) {}

    private static final int MAX_IN_FLIGHT = 64;

    private final ChunkSink ingest;
    private final int level;
    private final ChunkTap tap;
    /** The dictionary to compress with; while it is being trained, new chunks wait in {@link #stash}. */
    private final Future<ChunkCodec.Dictionary> dict;
    /** New chunks hashed and claimed while the dictionary was still being trained, to compress once it is ready. */
    private final ArrayDeque<Task> stash = new ArrayDeque<>();
    private long stashBytes;
    /** How much data may wait for the dictionary (128 MiB, or a quarter of a smaller heap); beyond it, workers wait too. */
    private static final long STASH_LIMIT = Math.min(128L << 20, Runtime.getRuntime().maxMemory() / 4);
    /** How long close() waits for the workers to store what they hold. */
    private static final long CLOSE_LIMIT_MS = TimeUnit.MINUTES.toMillis(10);
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(MAX_IN_FLIGHT + 8);
    private final BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(MAX_IN_FLIGHT + 8);
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long[] storedBytes = new long[1];

    /** A chunk to store; {@code id} is set once it is hashed (a stashed chunk). */
    private record Task(byte[] data, int len, boolean x86, CompletableFuture<Result> out, ChunkId id) {
        Task(byte[] data, int len, boolean x86, CompletableFuture<Result> out) {
            this(data, len, x86, out, null);
        }
    }

    private static final Task POISON = new Task(null, 0, false, null);

    ChunkPipeline(ChunkSink ingest, int level, int threads, ChunkTap tap) {
        this(ingest, level, threads, tap, (ChunkCodec.Dictionary) null);
    }

    ChunkPipeline(ChunkSink ingest, int level, int threads, ChunkTap tap, ChunkCodec.Dictionary dict) {
        this(ingest, level, threads, tap, CompletableFuture.completedFuture(dict));
    }

    /**
     * {@code dict}: the dictionary (null for none), possibly still being trained: meanwhile the
     * workers hash and claim chunks, and keep the new ones (up to {@link #STASH_LIMIT} bytes) to
     * compress once it is ready, so that reading, chunking and hashing overlap the training.
     */
    ChunkPipeline(ChunkSink ingest, int level, int threads, ChunkTap tap, Future<ChunkCodec.Dictionary> dict) {
        this.ingest = ingest;
        this.dict = dict;
        this.level = level;
        this.tap = tap;
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().name("imgcast-chunk-" + i).daemon().start(this::work);
            workers.add(t);
        }
    }

    /** Copies the chunk and queues it; blocks while too many chunks are in flight. */
    Future<Result> submit(byte[] buf, int off, int len) throws IOException {
        return submit(buf, off, len, false);
    }

    /** {@code x86}: the chunk belongs to an x86 executable or library (BCJ filter before zstd). */
    Future<Result> submit(byte[] buf, int off, int len, boolean x86) throws IOException {
        Throwable f = failure.get();
        // not an IOException: the reader would take it for a source read error and retry it
        if (f != null) throw new CaptureException("storing chunks failed: " + f.getMessage() + "; nothing was added to the store", f);
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        byte[] copy = buffers.poll();
        if (copy == null || copy.length < len) copy = new byte[Math.max(len, 256 * 1024)];
        System.arraycopy(buf, off, copy, 0, len);
        CompletableFuture<Result> out = new CompletableFuture<>();
        queue.add(new Task(copy, len, x86, out));
        return out;
    }

    long storedBytes() {
        synchronized (storedBytes) {
            return storedBytes[0];
        }
    }

    private void work() {
        byte[] dst = new byte[ChunkCodec.maxCompressedLength(256 * 1024 + 1024)];
        int[] outLen = new int[1];
        ChunkCodec codec = null;
        try {
            while (true) {
                Task t = queue.take();
                if (t == POISON) {
                    if (codec == null) codec = new ChunkCodec(level, dictionary());
                    dst = drainStash(codec, dst, outLen);
                    return;
                }
                try {
                    ChunkId id = ChunkId.hash(t.data(), 0, t.len());
                    boolean isNew = ingest.claim(id);
                    if (isNew) {
                        if (codec == null && !dict.isDone() && stash(t, id)) {
                            // kept (a copy of its bytes) to compress once the dictionary is ready
                        } else {
                            if (codec == null) codec = new ChunkCodec(level, dictionary());
                            dst = drainStash(codec, dst, outLen);
                            dst = store(codec, id, t, dst, outLen);
                        }
                    }
                    if (tap != null) tap.chunk(id, t.data(), t.len(), isNew);
                    t.out().complete(new Result(id, t.len()));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    t.out().completeExceptionally(e);
                } finally {
                    buffers.offer(t.data());
                    inFlight.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        } finally {
            if (codec != null) codec.close();
        }
    }

    /** Keeps a copy of a new chunk until the dictionary is ready; false when the stash is full (then wait for it). */
    private boolean stash(Task t, ChunkId id) {
        synchronized (stash) {
            if (stashBytes + t.len() > STASH_LIMIT) return false;
            stash.add(new Task(Arrays.copyOf(t.data(), t.len()), t.len(), t.x86(), null, id));
            stashBytes += t.len();
        }
        return true;
    }

    private ChunkCodec.Dictionary dictionary() throws IOException {
        try {
            return dict.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException("training the store's dictionary failed: " + e.getCause(), e.getCause());
        }
    }

    /** Compresses and stores the stashed chunks (any worker, once the dictionary is ready). */
    private byte[] drainStash(ChunkCodec codec, byte[] dst, int[] outLen) throws IOException {
        while (true) {
            Task t;
            synchronized (stash) {
                t = stash.poll();
                if (t == null) return dst;
                stashBytes -= t.len();
            }
            dst = store(codec, t.id(), t, dst, outLen);
        }
    }

    private byte[] store(ChunkCodec codec, ChunkId id, Task t, byte[] dst, int[] outLen) throws IOException {
        if (dst.length < ChunkCodec.maxCompressedLength(t.len())) dst = new byte[ChunkCodec.maxCompressedLength(t.len())];
        byte enc = codec.encode(t.data(), 0, t.len(), dst, outLen, t.x86());
        ingest.append(id, enc, t.len(), dst, outLen[0]);
        synchronized (storedBytes) {
            storedBytes[0] += outLen[0];
        }
        return dst;
    }

    /** Waits for a result, turning worker failures into IOExceptions. */
    static Result await(Future<Result> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            throw new IOException(c);
        }
    }

    static ChunkList collect(List<Future<Result>> futures) throws IOException {
        ChunkList.Builder b = new ChunkList.Builder();
        for (Future<Result> f : futures) {
            Result r = await(f);
            b.add(r.id(), r.length());
        }
        return b.build();
    }

    /**
     * Stops the workers once they stored every chunk, the stashed ones included (a chunk's future
     * completes as soon as it is hashed). Throws when storing any of them failed.
     */
    @Override
    public void close() {
        long deadline = System.currentTimeMillis() + CLOSE_LIMIT_MS;
        try {
            // one stop token per worker, each queued behind the chunks still waiting (workers
            // that failed take none: stop once no worker is left to take them)
            for (int i = 0; i < workers.size(); i++) {
                while (!queue.offer(POISON, 100, TimeUnit.MILLISECONDS)) {
                    if (workers.stream().noneMatch(Thread::isAlive) || System.currentTimeMillis() > deadline) break;
                }
            }
            for (Thread t : workers) t.join(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while storing chunks; nothing was added to the store", e);
        }
        if (workers.stream().anyMatch(Thread::isAlive)) {
            throw new CaptureException("storing chunks did not finish within " + CLOSE_LIMIT_MS / 60_000 + " minutes; nothing was added to the store", null);
        }
        Throwable f = failure.get();
        if (f != null) throw new CaptureException("storing chunks failed: " + f.getMessage() + "; nothing was added to the store", f);
    }
}
