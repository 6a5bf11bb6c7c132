package io.imgcast.image;

import io.imgcast.chunk.ChunkStream;
import io.imgcast.chunk.FastCdc;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.store.ChunkSink;
import io.imgcast.util.Posix;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Captures a volume (partition, whole disk, or raw image file) sector by sector in one pass:
 * holes (zero or unallocated regions) are recorded as absent, data extents are chunked and
 * stored. With file-system awareness ({@link UsedBlocks}; on a whole disk, each partition's:
 * {@link DiskUsedBlocks}) only the blocks the file systems use are read; the rest, like
 * partitions left out, is recorded as unused. Read errors are retried
 * a bounded number of times, then the capture stops naming the byte offset.
 */
final class VolumeCapture {
    private VolumeCapture() {}

    static Manifest capture(Path src, ChunkSink ingest, CaptureOptions o) {
        return capture(src, ingest, o, null);
    }

    /**
     * {@code ranges}: only these {@code [start, end)} pairs are read (see {@link VolumeReader}),
     * further narrowed to the used blocks when the options ask for it; the rest is unused.
     */
    static Manifest capture(Path src, ChunkSink ingest, CaptureOptions o, long[] ranges) {
        try {
            long size = Posix.deviceSize(src);
            if (o.fsAware()) {
                UsedBlocks.Result used = UsedBlocks.of(src, size);
                if (!used.aware() && used.fs().isEmpty()) {
                    UsedBlocks.Result disk = DiskUsedBlocks.of(src, size, ranges);
                    if (disk != null) used = disk;
                }
                o.notes().accept("volume read: " + used.method());
                ranges = UsedBlocks.intersect(ranges, used.ranges());
                Timing.mark("used-blocks");
            }
            o.progress().total(size);
            try (FileChannel ch = TreeCapture.opener.open(src);
                 Posix.DataSeeker seeker = Files.isRegularFile(src) ? Posix.dataSeeker(src) : null;
                 ChunkPipeline pipeline = new ChunkPipeline(ingest, o.level(), o.threads(), o.tap(), dictionary(ch, size, ranges, ingest))) {
                VolumeReader r = new VolumeReader(ch, size, seeker == null ? null : seeker::nextData, o.readRetries(), ranges);
                ChunkStream stream = new ChunkStream(new FastCdc(), 4 * 1024 * 1024);
                List<long[]> bounds = new ArrayList<>();
                List<List<Future<ChunkPipeline.Result>>> futures = new ArrayList<>();
                Placements placements = ingest.wantsPlacements() ? new Placements(ingest) : null;
                long seen = 0;
                while (true) {
                    long start = r.nextExtent();
                    o.progress().add(start - seen);
                    if (start >= size) break;
                    List<Future<ChunkPipeline.Result>> f = new ArrayList<>();
                    long[] at = {start};
                    long len = stream.split(r::read, (b, off, l) -> {
                        Future<ChunkPipeline.Result> fut = pipeline.submit(b, off, l);
                        f.add(fut);
                        if (placements != null) {
                            placements.add(at[0], fut);
                            at[0] += l;
                        }
                        o.progress().add(l);
                    });
                    bounds.add(new long[] {start, len});
                    futures.add(f);
                    seen = start + len;
                }
                if (placements != null) placements.drain(true);
                if (Posix.deviceSize(src) != size) {
                    throw new IOException("the source changed size while it was read (" + size + " -> " + Posix.deviceSize(src) + " bytes)");
                }
                List<Extent> extents = new ArrayList<>(bounds.size());
                for (int i = 0; i < bounds.size(); i++) {
                    extents.add(new Extent(bounds.get(i)[0], bounds.get(i)[1], ChunkPipeline.collect(futures.get(i))));
                }
                return Manifest.volume(size, extents, unused(ranges, size));
            }
        } catch (IOException e) {
            throw new CaptureException("cannot capture volume " + src + ": " + TreeCapture.describe(e)
                    + "; nothing was kept", e);
        }
    }

    /** The complement of {@code ranges} inside {@code [0, size)}: what was not read is unused. */
    static List<Span> unused(long[] ranges, long size) {
        List<Span> out = new ArrayList<>();
        if (ranges == null) return out;
        long at = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            long s = Math.min(size, ranges[i]);
            if (s > at) out.add(new Span(at, s - at));
            at = Math.max(at, Math.min(size, ranges[i + 1]));
        }
        if (at < size) out.add(new Span(at, size - at));
        return out;
    }

    /**
     * The sink's dictionary; for a store that has none yet, one trained on its own thread (the
     * volume is read, chunked and hashed meanwhile; new chunks wait for it in the pipeline).
     */
    private static Future<ChunkCodec.Dictionary> dictionary(FileChannel ch, long size, long[] ranges, ChunkSink sink) {
        ChunkCodec.Dictionary d = sink.dictionary();
        if (d != null || !DictionaryTrainer.ENABLED || !sink.keepsDictionary()) return CompletableFuture.completedFuture(d);
        CompletableFuture<ChunkCodec.Dictionary> f = new CompletableFuture<>();
        Thread.ofPlatform().name("imgcast-dict").daemon().start(() -> {
            try {
                ChunkCodec.Dictionary trained = train(ch, size, ranges);
                if (trained != null) sink.setDictionary(trained);
                Timing.mark("dict-train(thread)");
                f.complete(trained);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** A dictionary trained on 64 KiB reads spread evenly over the volume (or over {@code ranges}), all-zero ones skipped. */
    private static ChunkCodec.Dictionary train(FileChannel ch, long size, long[] ranges) {
        long[] r = ranges != null ? ranges : new long[] {0, size};
        long total = 0;
        for (int i = 0; i < r.length; i += 2) total += r[i + 1] - r[i];
        int n = (int) Math.min(total / DictionaryTrainer.SAMPLE, DictionaryTrainer.SAMPLE_BYTES / DictionaryTrainer.SAMPLE);
        if (n <= 0) return null;
        DictionaryTrainer trainer = new DictionaryTrainer();
        ByteBuffer b = ByteBuffer.allocate(DictionaryTrainer.SAMPLE);
        long step = total / n;
        for (int k = 0; k < n; k++) {
            long at = k * step;
            int i = 0;
            while (i + 2 < r.length && at >= r[i + 1] - r[i]) {
                at -= r[i + 1] - r[i];
                i += 2;
            }
            long pos = r[i] + at;
            b.clear().limit((int) Math.min(DictionaryTrainer.SAMPLE, r[i + 1] - pos));
            try {
                while (b.hasRemaining() && ch.read(b, pos + b.position()) >= 0) { }
            } catch (IOException e) {
                continue; // a sample less: the capture's own read will retry and report it
            }
            if (!Arrays.equals(b.array(), 0, b.position(), new byte[b.position()], 0, b.position())) {
                trainer.add(b.array(), 0, b.position());
            }
        }
        return trainer.train();
    }

    /** Tells the sink, in volume order, where each chunk lies, as soon as the chunks ahead of it are stored. */
    private static final class Placements {
        private final ChunkSink sink;
        private final ArrayDeque<Object[]> pending = new ArrayDeque<>();

        Placements(ChunkSink sink) {
            this.sink = sink;
        }

        void add(long offset, Future<ChunkPipeline.Result> f) throws IOException {
            pending.add(new Object[] {offset, f});
            drain(false);
        }

        @SuppressWarnings("unchecked")
        void drain(boolean all) throws IOException {
            while (!pending.isEmpty()) {
                Future<ChunkPipeline.Result> f = (Future<ChunkPipeline.Result>) pending.peek()[1];
                if (!all && !f.isDone()) return;
                ChunkPipeline.Result r = ChunkPipeline.await(f);
                sink.placed((Long) pending.poll()[0], r.id(), r.length());
            }
        }
    }

    static FileChannel openRead(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.READ);
    }
}
