package io.imgcast.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads a volume (block device or raw image file) once, front to back, and splits it into data
 * extents and holes. A hole is a block-aligned run of zero bytes of at least {@link #HOLE_MIN}
 * (or running to the end of the volume); shorter zero runs stay inside the data. For sparse
 * files, unallocated ranges are skipped without reading them (SEEK_DATA).
 *
 * <p>Use: {@link #nextExtent()} positions at the next data byte; then {@link #read} delivers
 * that extent's bytes until it returns -1 at the next hole or the end.
 */
final class VolumeReader {
    static final int BLOCK = 4096;
    static final int HOLE_MIN = 64 * 1024;
    private static final byte[] ZERO = new byte[BLOCK];

    /** Tells where data starts at or after an offset (SEEK_DATA), or returns the offset itself. */
    interface DataMap {
        long nextData(long offset) throws IOException;
    }

    private final FileChannel ch;
    private final long size;
    private final DataMap map;
    private final int retries;
    private final byte[] win = new byte[8 * 1024 * 1024];
    private long winOff;
    private int winLen;
    private long pos;
    private final long[] ranges;

    /** End of the selected range holding {@code p}, moving {@code pos} to the next range when outside all; size if none. */
    private long rangeEnd() {
        if (ranges == null) return size;
        for (int i = 0; i < ranges.length; i += 2) {
            if (pos < ranges[i]) pos = ranges[i];
            if (pos < ranges[i + 1]) return Math.min(size, ranges[i + 1]);
        }
        pos = size;
        return size;
    }

    VolumeReader(FileChannel ch, long size, DataMap map, int retries) {
        this(ch, size, map, retries, null);
    }

    /**
     * {@code ranges}: sorted, disjoint {@code [start, end)} pairs; everything outside them is
     * treated as a hole (not read), e.g. the partitions that were not selected. Null: all of it.
     */
    VolumeReader(FileChannel ch, long size, DataMap map, int retries, long[] ranges) {
        this.ranges = ranges;
        this.ch = ch;
        this.size = size;
        this.map = map;
        this.retries = Math.max(1, retries);
    }

    long position() { return pos; }

    /** Skips holes; returns the offset of the next data byte, or the size at the end. */
    long nextExtent() throws IOException {
        while (pos < size) {
            long end = rangeEnd();
            if (pos >= size) break;
            if (map != null) {
                long d = map.nextData(pos);
                if (d >= size) {
                    pos = size;
                    break;
                }
                if (d > pos) pos = Math.max(pos, d - (d % BLOCK));
                if (pos >= end) continue;
            }
            ensure(pos, BLOCK);
            int blockLen = (int) Math.min(BLOCK - (pos % BLOCK), end - pos);
            if (!isZero(pos, blockLen)) return pos;
            pos += blockLen;
        }
        return size;
    }

    /** Delivers up to {@code len} bytes of the current extent; -1 at its end. */
    int read(byte[] buf, int off, int len) throws IOException {
        long p = pos;
        long limit = Math.min(ranges == null ? size : rangeEnd(), pos + len);
        if (p != pos) return -1;
        while (p < limit) {
            ensure(p, HOLE_MIN + BLOCK);
            int blockLen = (int) Math.min(BLOCK - (p % BLOCK), size - p);
            if (p % BLOCK == 0 && isZero(p, blockLen) && holeStartsAt(p)) break;
            long next = Math.min(p + blockLen, limit);
            p = next;
        }
        int n = (int) (p - pos);
        if (n == 0) return -1;
        ensure(pos, n);
        System.arraycopy(win, (int) (pos - winOff), buf, off, n);
        pos = p;
        return n;
    }

    private boolean holeStartsAt(long p) throws IOException {
        long end = Math.min(size, p + HOLE_MIN);
        ensure(p, (int) (end - p));
        for (long q = p; q < end; q += BLOCK) {
            if (!isZero(q, (int) Math.min(BLOCK, end - q))) return false;
        }
        return true;
    }

    private boolean isZero(long p, int len) {
        int i = (int) (p - winOff);
        return Arrays.mismatch(win, i, i + len, ZERO, 0, len) < 0;
    }

    /** Makes [p, p+need) (clipped to the volume) present in the window; keeps {@code pos} in it. */
    private void ensure(long p, int need) throws IOException {
        long end = Math.min(size, p + need);
        if (p >= winOff && end <= winOff + winLen) return;
        long keepFrom = Math.min(pos, p);
        if (keepFrom < winOff || keepFrom > winOff + winLen) {
            winOff = keepFrom;
            winLen = 0;
        } else {
            int shift = (int) (keepFrom - winOff);
            System.arraycopy(win, shift, win, 0, winLen - shift);
            winLen -= shift;
            winOff = keepFrom;
        }
        if (end - winOff > win.length) throw new IllegalStateException("window too small");
        while (winLen < win.length && winOff + winLen < size) {
            int want = (int) Math.min(win.length - winLen, size - (winOff + winLen));
            int n = readAt(winOff + winLen, want);
            winLen += n;
            if (winOff + winLen >= end && winLen >= Math.min(win.length / 2, size - winOff)) break;
        }
        if (winOff + winLen < end) throw new IOException("volume ended early at byte " + (winOff + winLen) + " (expected " + size + " bytes)");
    }

    private int readAt(long at, int want) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= retries; attempt++) {
            try {
                return readOnce(at, winLen, want);
            } catch (IOException e) {
                last = e;
                if (e.getMessage() != null && e.getMessage().startsWith("volume ended early")) throw e;
                if (attempt < retries) pause(attempt);
            }
        }
        throw new IOException("read error at byte " + firstBad(at, want) + " after " + retries + " attempts: " + last.getMessage(), last);
    }

    private int readOnce(long at, int into, int want) throws IOException {
        int n = ch.read(ByteBuffer.wrap(win, into, want), at);
        if (n < 0) throw new IOException("volume ended early at byte " + at + " (expected " + size + " bytes): did the source shrink?");
        return n;
    }

    /**
     * The offset of the first unreadable 4 KiB block of a failed read of {@code [at, at+want)},
     * each block read once more; {@code at} if none fails now.
     */
    private long firstBad(long at, int want) {
        for (long p = at; p < at + want; p += BLOCK) {
            try {
                readOnce(p, winLen, (int) Math.min(BLOCK, at + want - p));
            } catch (IOException e) {
                return p;
            }
        }
        return at;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(100L * attempt);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
