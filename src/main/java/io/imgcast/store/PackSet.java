package io.imgcast.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/** The pack files of a store, opened on demand and read with positional (thread-safe) reads. */
final class PackSet implements AutoCloseable {
    private final Path dir;
    private final ConcurrentHashMap<Long, FileChannel> open = new ConcurrentHashMap<>();

    PackSet(Path dir) {
        this.dir = dir;
    }

    Path dir() { return dir; }

    Path path(long pack) {
        return dir.resolve(String.format("%08d.pack", pack));
    }

    /** Reads a whole record (header and payload) into {@code dst}, which must be large enough. */
    void read(ChunkLocation loc, byte[] dst) throws IOException {
        FileChannel ch = channel(loc.pack());
        int len = PackFormat.RECORD_HEADER + loc.storedLength();
        ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        long pos = loc.offset();
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) throw new EOFException("pack " + path(loc.pack()) + " is truncated at offset " + pos);
            pos += n;
        }
    }

    private FileChannel channel(long pack) throws IOException {
        FileChannel ch = open.get(pack);
        if (ch != null) return ch;
        synchronized (this) {
            ch = open.get(pack);
            if (ch == null) {
                ch = FileChannel.open(path(pack), StandardOpenOption.READ);
                open.put(pack, ch);
            }
            return ch;
        }
    }

    /** Forgets an open handle (after gc removed the pack). */
    void forget(long pack) {
        FileChannel ch = open.remove(pack);
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only handle
            }
        }
    }

    @Override
    public void close() {
        for (Long p : open.keySet()) forget(p);
    }
}
