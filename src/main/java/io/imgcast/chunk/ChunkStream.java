package io.imgcast.chunk;

import java.io.IOException;

/**
 * Splits a byte source into content-defined chunks with one reusable buffer.
 * Not thread-safe: one per reading thread.
 */
public final class ChunkStream {
    /** Reads up to {@code len} bytes into {@code buf} at {@code off}; returns -1 at the end. */
    @FunctionalInterface
    public interface Source {
        int read(byte[] buf, int off, int len) throws IOException;
    }

    /** Receives each chunk: its bytes are valid only during the call. */
    @FunctionalInterface
    public interface Sink {
        void chunk(byte[] buf, int off, int len) throws IOException;
    }

    private final FastCdc cdc;
    private final byte[] buf;

    public ChunkStream(FastCdc cdc, int bufferSize) {
        if (bufferSize < cdc.max() * 2) throw new IllegalArgumentException("buffer must hold two max chunks");
        this.cdc = cdc;
        this.buf = new byte[bufferSize];
    }

    /** Chunks the whole source; returns the number of bytes read. */
    public long split(Source src, Sink sink) throws IOException {
        int start = 0;
        int end = 0;
        boolean eof = false;
        long total = 0;
        while (true) {
            if (!eof && end - start < cdc.max()) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                while (end < buf.length) {
                    int n = src.read(buf, end, buf.length - end);
                    if (n < 0) { eof = true; break; }
                    end += n;
                    total += n;
                    if (n == 0) Thread.onSpinWait();
                }
            }
            int avail = end - start;
            if (avail == 0) return total;
            int len = cdc.cut(buf, start, avail);
            sink.chunk(buf, start, len);
            start += len;
        }
    }
}
