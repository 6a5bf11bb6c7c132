package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.util.Progress;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Two writer threads: each completed chunk is decoded, checked against its id (SHA-256) and
 * written to the target, then its {@link Outcome} is told. A chunk that fails to decode or to
 * match is rejected (forged or corrupt data: the assembler needs it again).
 */
final class ChunkWriter {
    /** Hears what became of each chunk handed to the writer. */
    interface Outcome {
        /** Written and checked: no longer needed. */
        void written(ChunkId id);

        /** Failed its check: needed again. */
        void rejected(ChunkId id);
    }

    /** Chunks handed to the writers and not yet written, at most (bounds the memory they hold). */
    static final int SLOTS = 256;

    private final ChunkTarget target;
    private final Outcome outcome;
    private final Counters counters;
    private final Progress progress;
    private final AtomicLong lastProgressNs;
    private final Stop stop;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().name("imgcast-write").unstarted(r));
    private final Semaphore slots = new Semaphore(SLOTS);
    private final ThreadLocal<ChunkCodec> codecs;
    private final ThreadLocal<byte[]> bufs = ThreadLocal.withInitial(() -> new byte[300 * 1024]);

    /**
     * @param dictionary     the zstd dictionary the image's chunks need (null: none), read when a
     *                       writer thread decodes its first chunk
     * @param lastProgressNs set whenever a chunk was written
     */
    ChunkWriter(ChunkTarget target, Outcome outcome, Supplier<ChunkCodec.Dictionary> dictionary, Counters counters,
                Progress progress, AtomicLong lastProgressNs, Stop stop) {
        this.target = target;
        this.outcome = outcome;
        this.counters = counters;
        this.progress = progress;
        this.lastProgressNs = lastProgressNs;
        this.stop = stop;
        this.codecs = ThreadLocal.withInitial(() -> new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, dictionary.get()));
    }

    /** Hands a chunk to a writer thread; waits while {@link #SLOTS} chunks are in hand. */
    void submit(BlockAssembler.Completed c) {
        slots.acquireUninterruptibly();
        pool.execute(() -> write(c));
    }

    /** No chunk in hand. */
    boolean idle() {
        return slots.availablePermits() == SLOTS;
    }

    /** Takes no more chunks; those in hand are still written. */
    void shutdown() {
        pool.shutdown();
    }

    /** After {@link #shutdown}: waits, at most {@code seconds}, for the chunks in hand. */
    void awaitTermination(long seconds) throws InterruptedException {
        pool.awaitTermination(seconds, TimeUnit.SECONDS);
    }

    private void write(BlockAssembler.Completed c) {
        try {
            byte[] buf = bufs.get();
            try {
                codecs.get().decode(c.codec(), c.data(), c.offset(), c.length(), buf, 0, c.rawLength());
            } catch (CorruptDataException e) {
                buf = null;
            }
            if (buf == null || !c.id().matches(buf, 0, c.rawLength())) {
                counters.badChunks.incrementAndGet();
                outcome.rejected(c.id());
                return;
            }
            target.write(c.id(), buf, c.rawLength());
            counters.written.addAndGet(c.rawLength());
            progress.add(c.rawLength());
            lastProgressNs.set(System.nanoTime());
            outcome.written(c.id());
        } catch (Throwable t) {
            stop.fail(t);
        } finally {
            slots.release();
        }
    }
}
