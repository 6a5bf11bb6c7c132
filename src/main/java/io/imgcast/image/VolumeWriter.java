package io.imgcast.image;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.util.Posix;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a volume image to a block device or a file. A file target is created (or replaced) at
 * the image's size and stays sparse where the image has holes; a device must be at least as large
 * as the image, and its zero holes are zeroed by the device (BLKZEROOUT), with zeros written only
 * where it cannot. A fresh target ({@code fresh}: a blank disk, or a file written in place) has
 * its zero holes punched (files) or zeroed by the device. Unused spans are never written, so
 * whatever the target held there stays. Chunks are written with positional writes from several threads.
 */
public final class VolumeWriter {
    private final Manifest manifest;
    private final Path target;
    private final ChunkSource source;
    private final int threads;
    private final Progress progress;
    private final boolean fresh;

    public VolumeWriter(Manifest manifest, Path target, ChunkSource source, int threads, Progress progress) {
        this(manifest, target, source, threads, progress, false);
    }

    /** {@code fresh}: an existing file target is written in place (not replaced), keeping its size if larger. */
    public VolumeWriter(Manifest manifest, Path target, ChunkSource source, int threads, Progress progress, boolean fresh) {
        this.fresh = fresh;
        this.manifest = manifest;
        this.target = target;
        this.source = source;
        this.threads = Math.max(1, threads);
        this.progress = progress;
    }

    /** Is {@code target} a block device? */
    public static boolean isDevice(Path target) {
        return Files.exists(target) && Capture.isBlockDevice(target);
    }

    /** Refuses a device smaller than the image, or a file system without room; before any write. */
    public static void checkTarget(Path target, long volumeSize, long dataBytes) {
        try {
            if (isDevice(target)) {
                long have = Posix.deviceSize(target);
                if (have < volumeSize) {
                    throw new ApplyException("target device " + target + " holds " + have + " bytes but the image needs "
                            + volumeSize + "; use a device at least that large");
                }
                return;
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new ApplyException("target " + target + " is neither a block device nor a regular file");
            }
            Path dir = target.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) throw new ApplyException("directory of target " + target + " does not exist");
            FileStore fs = Files.getFileStore(dir);
            long reuse = Files.exists(target) ? Files.size(target) : 0;
            if (fs.getUsableSpace() + reuse < dataBytes) {
                throw new ApplyException("not enough space for the image at " + target + ": need " + dataBytes + " bytes, "
                        + fs.getUsableSpace() + " available; free some space or choose another target");
            }
        } catch (IOException e) {
            throw new ApplyException("cannot use target " + target + ": " + e.getMessage(), e);
        }
    }

    public void write() {
        boolean device = isDevice(target);
        boolean inPlace = device || fresh && Files.isRegularFile(target);
        try (FileChannel ch = inPlace ? FileChannel.open(target, StandardOpenOption.WRITE)
                : FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (!device && ch.size() < manifest.volumeSize()) {
                // a new, all-hole file of the right size: holes need no writing
                if (manifest.volumeSize() > 0) ch.write(ByteBuffer.wrap(new byte[1]), manifest.volumeSize() - 1);
            }
            record Piece(long offset, ChunkId id, int length) {}
            List<Piece> pieces = new ArrayList<>();
            for (Extent x : manifest.extents()) {
                long off = x.offset();
                for (int i = 0; i < x.chunks().size(); i++) {
                    pieces.add(new Piece(off, x.chunks().id(i), x.chunks().length(i)));
                    off += x.chunks().length(i);
                }
            }
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> fail = new AtomicReference<>();
            List<ChunkSource.Reader> readers = new ArrayList<>();
            Runnable work = () -> {
                byte[] buf = new byte[256 * 1024];
                ChunkSource.Reader r = source.open();
                synchronized (readers) {
                    readers.add(r);
                }
                int i;
                while (fail.get() == null && (i = next.getAndIncrement()) < pieces.size()) {
                    Piece p = pieces.get(i);
                    try {
                        int n = r.read(p.id(), buf);
                        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                        long at = p.offset();
                        while (b.hasRemaining()) at += ch.write(b, at);
                        progress.add(n);
                    } catch (Throwable t) {
                        fail.compareAndSet(null, t);
                    }
                }
            };
            List<Thread> ts = new ArrayList<>();
            for (int t = 1; t < threads; t++) ts.add(Thread.ofPlatform().name("imgcast-apply-" + t).start(work));
            work.run();
            for (Thread t : ts) t.join();
            readers.forEach(ChunkSource.Reader::close);
            Throwable t = fail.get();
            if (t instanceof IOException io) throw io;
            if (t instanceof RuntimeException re) throw re;
            if (t != null) throw new IOException(t);
            if (inPlace) zeroHoles(ch, target, device, manifest, progress);
            ch.force(true);
        } catch (IOException e) {
            throw new ApplyException(TreeWriter.describeWriteFailure(target, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while writing " + target);
        }
    }

    /**
     * Makes the manifest's zero holes read as zeros on a target written in place: punched in a
     * file, zeroed by a device, written as zeros only where neither works. Unused spans are left
     * alone. Returns the bytes that had to be written as zeros.
     */
    public static long zeroHoles(FileChannel ch, Path target, boolean device, Manifest manifest, Progress progress) throws IOException {
        return zeroHoles(ch, target, device, manifest.zeroHoles(), progress);
    }

    /** As {@link #zeroHoles(FileChannel, Path, boolean, Manifest, Progress)} for the given spans. */
    public static long zeroHoles(FileChannel ch, Path target, boolean device, List<Span> holes, Progress progress)
            throws IOException {
        ByteBuffer zero = null;
        long written = 0;
        for (Span h : holes) {
            if (Posix.zeroOut(target, device, h.offset(), h.length()) != Posix.Zeroed.NOT_SUPPORTED) continue;
            if (zero == null) zero = ByteBuffer.allocateDirect(1 << 20);
            zeroRange(ch, zero, h.offset(), h.end(), progress);
            written += h.length();
        }
        return written;
    }

    private static void zeroRange(FileChannel ch, ByteBuffer zero, long from, long to, Progress progress) throws IOException {
        while (from < to) {
            zero.clear().limit((int) Math.min(zero.capacity(), to - from));
            from += ch.write(zero, from);
            progress.add(0);
        }
    }
}
