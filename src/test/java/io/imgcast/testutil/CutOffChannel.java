package io.imgcast.testutil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only {@link FileChannel} over a real file that delivers its first {@code after} bytes
 * (sequential and positional reads count together), then, at the next read, calls {@link
 * #cutOff}: where a test makes the source fail like a bad disk or hold a run at a known point.
 * What a reader of a source does not need is unsupported.
 */
public abstract class CutOffChannel extends FileChannel {
    private final FileChannel in;
    private final long after;
    private long delivered;

    protected CutOffChannel(FileChannel in, long after) {
        this.in = in;
        this.after = after;
    }

    /** Called by a read once {@code delivered} (= after) bytes were delivered: throws the read's failure (after waiting, if the test wants). */
    protected abstract void cutOff(long delivered) throws IOException;

    private ByteBuffer room(ByteBuffer dst) throws IOException {
        if (delivered >= after) {
            cutOff(delivered);
            throw new IOException("cut off after " + delivered + " bytes");
        }
        return dst.slice().limit((int) Math.min(dst.remaining(), after - delivered));
    }

    private int took(ByteBuffer dst, int n) {
        if (n > 0) {
            dst.position(dst.position() + n);
            delivered += n;
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return took(dst, in.read(room(dst)));
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return took(dst, in.read(room(dst), position));
    }

    @Override public long read(ByteBuffer[] dsts, int offset, int length) { throw new UnsupportedOperationException(); }
    @Override public int write(ByteBuffer src) { throw new UnsupportedOperationException(); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) { throw new UnsupportedOperationException(); }
    @Override public long position() throws IOException { return in.position(); }
    @Override public FileChannel position(long p) throws IOException { in.position(p); return this; }
    @Override public long size() throws IOException { return in.size(); }
    @Override public FileChannel truncate(long size) { throw new UnsupportedOperationException(); }
    @Override public void force(boolean metaData) { }
    @Override public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }
    @Override public int write(ByteBuffer src, long position) { throw new UnsupportedOperationException(); }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }
    @Override public FileLock lock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
    @Override public FileLock tryLock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
    @Override protected void implCloseChannel() throws IOException { in.close(); }
}
