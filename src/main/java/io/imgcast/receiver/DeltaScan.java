package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;
import io.imgcast.chunk.ChunkStream;
import io.imgcast.chunk.FastCdc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finds chunks a tree image needs anywhere on the target, not only at their new paths (B2): every
 * regular file under the target is cut with the capture's chunker ({@link FastCdc}) and hashed, and
 * each chunk still wanted is copied aside into a spool file beside the data, before the target's
 * files are resized or written (which could destroy the copy it was found in). A file renamed or
 * moved, or one whose content shifted (an insertion moves every later chunk's offset), so gives its
 * chunks to the new image instead of their coming over the wire.
 *
 * <p>The spool lives under the target ({@code .imgcast-delta-*.spool}) and is deleted on close.
 */
final class DeltaScan implements AutoCloseable {
    /** A chunk found: its bytes are at {@code offset} in the spool. */
    record Held(long offset, int length) {}

    private final Path spoolPath;
    private final FileChannel spool;
    private final Map<ChunkId, Held> found = new HashMap<>();
    private long spoolBytes;
    private long scannedBytes;

    private DeltaScan(Path spoolPath) throws IOException {
        this.spoolPath = spoolPath;
        this.spool = FileChannel.open(spoolPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Scans every regular file under {@code root} (symbolic links not followed) for chunks of {@code wanted}. */
    static DeltaScan run(Path root, Set<ChunkId> wanted) throws IOException {
        DeltaScan scan = new DeltaScan(Files.createTempFile(root, ".imgcast-delta-", ".spool"));
        try {
            if (!wanted.isEmpty()) scan.walk(root, wanted);
            return scan;
        } catch (IOException | RuntimeException e) {
            scan.close();
            throw e;
        }
    }

    private void walk(Path root, Set<ChunkId> wanted) throws IOException {
        ChunkStream chunker = new ChunkStream(new FastCdc(), 4 * FastCdc.DEFAULT_MAX);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                if (!a.isRegularFile() || f.equals(spoolPath) || a.size() == 0) return FileVisitResult.CONTINUE;
                if (found.size() == wanted.size()) return FileVisitResult.TERMINATE;
                try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
                    scannedBytes += chunker.split((buf, off, len) -> in.read(ByteBuffer.wrap(buf, off, len)), (buf, off, len) -> {
                        ChunkId id = ChunkId.hash(buf, off, len);
                        if (wanted.contains(id) && !found.containsKey(id)) keep(id, buf, off, len);
                    });
                } catch (IOException e) {
                    // an unreadable leftover only means its chunks come over the wire
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void keep(ChunkId id, byte[] buf, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, off, len);
        long at = spoolBytes;
        while (b.hasRemaining()) spool.write(b, at + b.position() - off);
        found.put(id, new Held(at, len));
        spoolBytes += len;
    }

    /** The chunks found, by id. */
    Map<ChunkId, Held> found() {
        return found;
    }

    /** Bytes of files read. */
    long scannedBytes() {
        return scannedBytes;
    }

    /** Reads a found chunk's bytes into {@code buf} (from 0). */
    void read(Held h, byte[] buf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, h.length());
        while (b.hasRemaining()) {
            if (spool.read(b, h.offset() + b.position()) < 0) throw new IOException("the delta spool " + spoolPath + " was cut short");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            spool.close();
        } finally {
            Files.deleteIfExists(spoolPath);
        }
    }
}
