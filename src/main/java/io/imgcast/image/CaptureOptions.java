package io.imgcast.image;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.util.Progress;

import java.util.function.Consumer;

/**
 * How to capture: zstd level, worker threads, bounded read retries (attempts per read), progress
 * reporting, an optional tap that sees every chunk (used to broadcast while capturing), whether a
 * volume is read file-system-aware ({@link UsedBlocks}), and where notes such as "read used blocks
 * only" go.
 */
public record CaptureOptions(int level, int threads, int readRetries, Progress progress, ChunkTap tap, boolean fsAware,
                             Consumer<String> notes) {
    public CaptureOptions {
        if (readRetries < 1) throw new IllegalArgumentException("--read-retries must be at least 1, not " + readRetries);
        if (notes == null) notes = n -> { };
    }

    public CaptureOptions(int level, int threads, int readRetries, Progress progress, ChunkTap tap) {
        this(level, threads, readRetries, progress, tap, true, null);
    }

    public static CaptureOptions defaults() {
        return new CaptureOptions(ChunkCodec.STORE_LEVEL, Math.max(1, Runtime.getRuntime().availableProcessors()), 3,
                Progress.NONE, null);
    }

    public CaptureOptions withProgress(Progress p) {
        return new CaptureOptions(level, threads, readRetries, p, tap, fsAware, notes);
    }

    public CaptureOptions withLevel(int l) {
        return new CaptureOptions(l, threads, readRetries, progress, tap, fsAware, notes);
    }

    public CaptureOptions withReadRetries(int n) {
        return new CaptureOptions(level, threads, n, progress, tap, fsAware, notes);
    }

    public CaptureOptions withFsAware(boolean aware) {
        return new CaptureOptions(level, threads, readRetries, progress, tap, aware, notes);
    }

    public CaptureOptions withNotes(Consumer<String> n) {
        return new CaptureOptions(level, threads, readRetries, progress, tap, fsAware, n);
    }
}
