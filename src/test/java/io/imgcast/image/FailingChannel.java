package io.imgcast.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A read-only FileChannel that delivers {@code failAfter} bytes of the real file, then fails like a bad disk. */
class FailingChannel extends FileChannel {
    private final FileChannel in;
    private final long failAfter;
    private long delivered;

    FailingChannel(FileChannel in, long failAfter) {
        this.in = in;
        this.failAfter = failAfter;
    }

    private int limit(ByteBuffer dst, int n) throws IOException {
        if (delivered >= failAfter) throw new IOException("Input/output error (injected)");
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        limit(dst, 0);
        int room = (int) Math.min(dst.remaining(), failAfter - delivered);
        ByteBuffer slice = dst.slice().limit(room);
        int n = in.read(slice);
        if (n > 0) {
            dst.position(dst.position() + n);
            delivered += n;
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        limit(dst, 0);
        int room = (int) Math.min(dst.remaining(), failAfter - delivered);
        ByteBuffer slice = dst.slice().limit(room);
        int n = in.read(slice, position);
        if (n > 0) {
            dst.position(dst.position() + n);
            delivered += n;
        }
        return n;
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
