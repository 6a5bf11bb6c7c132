package io.imgcast.image;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.util.Progress;

/**
 * How to capture: zstd level, worker threads, bounded read retries, progress reporting, and an
 * optional tap that sees every chunk (used to broadcast while capturing).
 */
public record CaptureOptions(int level, int threads, int readRetries, Progress progress, ChunkTap tap) {
    public static CaptureOptions defaults() {
        return new CaptureOptions(ChunkCodec.STORE_LEVEL, Math.max(1, Runtime.getRuntime().availableProcessors()), 3,
                Progress.NONE, null);
    }

    public CaptureOptions withProgress(Progress p) {
        return new CaptureOptions(level, threads, readRetries, p, tap);
    }

    public CaptureOptions withLevel(int l) {
        return new CaptureOptions(l, threads, readRetries, progress, tap);
    }
}
