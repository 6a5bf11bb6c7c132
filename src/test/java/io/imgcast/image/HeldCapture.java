package io.imgcast.image;

import io.imgcast.cli.Main;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The CLI with one source file that stops delivering data part-way: a capture run through it is
 * held at a known point (after {@code HOLD_AFTER} bytes of {@code FILE}) for as long as the test
 * wants, instead of hoping that it is still running. It prints {@code held: FILE} on standard
 * error when it gets there, and stays there until its standard input ends (the test closes it,
 * kills the process, or exits), so it never outlives the test run.
 *
 * <pre>java io.imgcast.image.HeldCapture FILE HOLD_AFTER capture SOURCE --name ... --store ...</pre>
 */
public final class HeldCapture {
    private HeldCapture() {}

    public static void main(String[] args) {
        Path held = Path.of(args[0]).toAbsolutePath();
        long after = Long.parseLong(args[1]);
        TreeCapture.opener = p -> {
            FileChannel in = FileChannel.open(p, StandardOpenOption.READ);
            return p.toAbsolutePath().equals(held) ? new HoldingChannel(in, after, held) : in;
        };
        System.exit(Main.run(Arrays.copyOfRange(args, 2, args.length)));
    }

    /** Delivers {@code after} bytes of the real file, then blocks until standard input ends. */
    private static final class HoldingChannel extends FileChannel {
        private final FileChannel in;
        private final long after;
        private final Path path;
        private long delivered;

        HoldingChannel(FileChannel in, long after, Path path) {
            this.in = in;
            this.after = after;
            this.path = path;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (delivered >= after) hold();
            int room = (int) Math.min(dst.remaining(), after - delivered);
            ByteBuffer slice = dst.slice().limit(room);
            int n = in.read(slice);
            if (n > 0) {
                dst.position(dst.position() + n);
                delivered += n;
            }
            return n;
        }

        private void hold() throws IOException {
            System.err.println("held: " + path + " after " + delivered + " bytes");
            System.err.flush();
            while (System.in.read() >= 0) {
                // wait for end of input
            }
            throw new IOException("released by the test (standard input ended)");
        }

        @Override public int read(ByteBuffer dst, long position) { throw new UnsupportedOperationException(); }
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
}
