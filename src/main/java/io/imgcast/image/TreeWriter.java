package io.imgcast.image;

import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ImageName;
import io.imgcast.util.Posix;
import io.imgcast.util.Progress;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Rebuilds a file tree from its manifest into an empty or absent directory: directories, file
 * contents (in parallel), symlinks, device nodes, FIFOs, hard links, then metadata — ownership
 * (when root; first, since chown clears file capabilities and setuid/setgid), xattrs, full mode
 * bits and nanosecond times, directories last and deepest first so that writing into them does
 * not disturb their times.
 *
 * <p>Interrupted applies resume. While it runs, the target holds a marker
 * ({@value #MARKER}: image name and manifest hash), removed only when everything is written.
 * Each file is written under a temporary name ({@value #PARTIAL}N beside it, N its place in the
 * manifest), given its metadata and then renamed: a file under its final name is complete. An
 * apply of the same image into a target with the marker {@link Start#RESUME resumes}: it keeps
 * the complete files, rewrites the rest and removes partial ones; {@code force} empties the
 * target and starts over.
 */
public final class TreeWriter {
    private final Manifest manifest;
    private final Path root;
    private final ChunkSource source;
    private final int threads;
    private final Progress progress;
    private final boolean root_;
    private final AtomicLong warnings = new AtomicLong();
    private final List<String> warningSamples = new ArrayList<>();

    public TreeWriter(Manifest manifest, Path target, ChunkSource source, int threads, Progress progress) {
        this.manifest = manifest;
        this.root = target.toAbsolutePath().normalize();
        this.source = source;
        this.threads = Math.max(1, threads);
        this.progress = progress;
        this.root_ = Posix.isRoot();
        Posix.Ids ids = Posix.ids();
        this.umask = ids.umask();
        this.euid = ids.euid();
        this.egid = ids.egid();
    }

    // What a newly created entry gets without further calls: permission bits (requested & ~umask)
    // and owner (euid, egid; unless a set-group-id target directory hands down its group).
    // Calls that would set what is already there are skipped.
    private final int umask;
    private final int euid;
    private final int egid;
    private boolean ownerPredictable;

    /** The marker of an incomplete apply, in the target's top directory. */
    public static final String MARKER = ".imgcast-apply-incomplete";
    /** Prefix of a file being written. */
    public static final String PARTIAL = ".imgcast-partial-";

    /** How an apply starts: into an empty or new target, or resuming an incomplete apply of the same image. */
    public enum Start { FRESH, RESUME }

    private Start start = Start.FRESH;
    private String markerText;

    /**
     * Checks the target before anything is written and decides how to start: an empty or absent
     * target starts fresh (if there is space); one holding the marker of an incomplete apply of
     * the same image (same manifest hash) resumes, or with {@code force} is emptied and starts
     * fresh; any other non-empty target is refused.
     */
    public static Start prepare(Path target, long bytes, String imageName, String manifestSha, boolean force) {
        Path marker = target.resolve(MARKER);
        try {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
                String want = markerText(imageName, manifestSha);
                String have = Files.readString(marker);
                if (force) {
                    emptyDirectory(target);
                } else if (have.equals(want)) {
                    return Start.RESUME;
                } else {
                    String other = have.lines().filter(l -> l.startsWith("image ")).findFirst().orElse("image ?").substring(6);
                    throw new ApplyException("target " + target + " holds an incomplete apply of another image or edition ('"
                            + ImageName.printable(other) + "'); pass --force to empty it and start over");
                }
            }
        } catch (IOException e) {
            throw new ApplyException("cannot use target " + target + ": " + e.getMessage(), e);
        }
        checkTarget(target, bytes);
        return Start.FRESH;
    }

    static String markerText(String imageName, String manifestSha) {
        return "imgcast apply in progress; apply the same image again to resume\nimage " + imageName + "\nmanifest " + manifestSha + "\n";
    }

    /** Removes everything inside {@code dir} (not following symbolic links), keeping {@code dir}. */
    private static void emptyDirectory(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                if (!d.equals(dir)) Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Sets how this writer starts ({@link #prepare}) and the marker it leaves while it runs. */
    public TreeWriter startAs(Start how, String imageName, String manifestSha) {
        this.start = how;
        this.markerText = markerText(imageName, manifestSha);
        return this;
    }

    /** Checks the target is usable before anything is written. */
    public static void checkTarget(Path target, long bytes) {
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) throw new ApplyException("target " + target + " exists and is not a directory");
                try (var s = Files.list(target)) {
                    if (s.findAny().isPresent()) throw new ApplyException("target directory " + target + " is not empty; give an empty or new directory");
                }
            }
            Path probe = target.toAbsolutePath();
            while (probe != null && !Files.exists(probe)) probe = probe.getParent();
            if (probe != null) {
                FileStore fs = Files.getFileStore(probe);
                long free = fs.getUsableSpace();
                if (free < bytes) {
                    throw new ApplyException("not enough space for the image at " + target + ": need " + bytes + " bytes, "
                            + free + " available; free some space or choose another target");
                }
            }
        } catch (IOException e) {
            throw new ApplyException("cannot use target " + target + ": " + e.getMessage(), e);
        }
    }

    public long warnings() { return warnings.get(); }

    public synchronized List<String> warningSamples() { return List.copyOf(warningSamples); }

    public void write() {
        try {
            Files.createDirectories(root);
            Path marker = root.resolve(MARKER);
            if (markerText != null) {
                for (Entry e : manifest.entries()) {
                    if (e.path().equals(MARKER)) throw new ApplyException("the image holds a file named " + MARKER + ", which apply uses itself");
                }
                if (start == Start.FRESH) {
                    Files.writeString(marker, markerText);
                    try (FileChannel ch = FileChannel.open(root, StandardOpenOption.READ)) {
                        ch.force(true); // the marker is on disk before any file of the image
                    }
                }
            }
            boolean resume = start == Start.RESUME;
            ownerPredictable = euid >= 0 && egid >= 0 && ((Integer) Files.getAttribute(root, "unix:mode") & 02000) == 0;
            List<Entry> entries = manifest.entries();
            // each entry's target path, checked once (resolve and normalize per use cost both time and JIT work)
            paths = new IdentityHashMap<>(entries.size() * 2);
            for (Entry e : entries) paths.put(e, e.path().isEmpty() ? root : root.resolve(checked(e.path())));
            if (markerText != null) {
                indexes = new IdentityHashMap<>(entries.size() * 2);
                for (int i = 0; i < entries.size(); i++) indexes.put(entries.get(i), i);
            }
            for (Entry e : entries) {
                if (e.type() != EntryType.DIRECTORY || e.path().isEmpty()) continue;
                if (resume && Files.isDirectory(resolve(e), LinkOption.NOFOLLOW_LINKS)) continue;
                if (resume) Files.deleteIfExists(resolve(e));
                Files.createDirectory(resolve(e));
            }
            Timing.mark("mkdirs");
            // files, symlinks and special files, each with its metadata, by several threads (none
            // depends on another: their directories exist); hard links once their files exist
            parallel(entries, e -> e.type() != EntryType.DIRECTORY && e.type() != EntryType.HARDLINK, this::writeEntry);
            Timing.mark("files+links+nodes");
            for (Entry e : entries) {
                if (e.type() != EntryType.HARDLINK) continue;
                if (resume) Files.deleteIfExists(resolve(e));
                Files.createLink(resolve(e), root.resolve(checked(e.target())));
            }
            Timing.mark("hardlinks");
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
                if (e.type() != EntryType.DIRECTORY) continue;
                if (e.path().isEmpty() && markerText != null) removeMarker(marker); // before the top directory's times are set
                applyMetadata(e, createdMode(0777));
            }
            if (markerText != null) removeMarker(marker);
            Timing.mark("metadata-dirs");
        } catch (IOException e) {
            throw new ApplyException(describeWriteFailure(root, e), e);
        }
    }

    private void removeMarker(Path marker) throws IOException {
        if (!Files.deleteIfExists(marker)) return;
        try (FileChannel ch = FileChannel.open(root, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static String describeWriteFailure(Path target, IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No space left")) {
            return "the target " + target + " is full (" + m + "); free space or choose a larger target, then apply again";
        }
        return "writing to " + target + " failed: " + TreeCapture.describe(e);
    }

    private Map<Entry, Path> paths;

    private Path resolve(Entry e) {
        return paths.get(e);
    }

    private String checked(String rel) {
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) throw new ApplyException("manifest path escapes the target: " + rel);
        return rel;
    }

    private interface Step {
        void run(Entry e) throws IOException;
    }

    private void parallel(List<Entry> entries, Predicate<Entry> which, Step step) throws IOException {
        List<Entry> todo = entries.stream().filter(which).toList();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> fail = new AtomicReference<>();
        Runnable work = () -> {
            int i;
            while (fail.get() == null && (i = next.getAndIncrement()) < todo.size()) {
                try {
                    step.run(todo.get(i));
                } catch (Throwable t) {
                    fail.compareAndSet(null, t);
                }
            }
        };
        List<Thread> ts = new ArrayList<>();
        for (int t = 1; t < threads; t++) ts.add(Thread.ofPlatform().name("imgcast-apply-" + t).start(work));
        work.run();
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        Throwable t = fail.get();
        if (t instanceof IOException io) throw io;
        if (t instanceof RuntimeException re) throw re;
        if (t != null) throw new IOException(t);
    }

    private final ThreadLocal<ChunkSource.Reader> readers = new ThreadLocal<>();
    private final List<ChunkSource.Reader> allReaders = new ArrayList<>();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[256 * 1024]);

    private ChunkSource.Reader reader() {
        ChunkSource.Reader r = readers.get();
        if (r == null) {
            r = source.open();
            readers.set(r);
            synchronized (allReaders) {
                allReaders.add(r);
            }
        }
        return r;
    }

    /** A non-directory entry other than a hard link, with its metadata. */
    private void writeEntry(Entry e) throws IOException {
        if (start == Start.RESUME && e.type() != EntryType.FILE) Files.deleteIfExists(resolve(e));
        switch (e.type()) {
            case FILE -> writeFile(e);
            case SYMLINK -> {
                Posix.symlink(e.target(), resolve(e));
                applyMetadata(e, -1);
            }
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET -> {
                try {
                    Posix.mknod(resolve(e), e.type().formatBits() | (e.mode() & 0777), e.rdev());
                } catch (Posix.PosixException x) {
                    if (x.errno() != Posix.EPERM || root_) throw x;
                    warn("cannot create device node " + e.path() + " (not root)");
                    return;
                }
                applyMetadata(e, createdMode(e.mode() & 0777));
            }
            default -> throw new IllegalStateException("not a file, link or node: " + e.path());
        }
    }

    private void writeFile(Entry e) throws IOException {
        Path p = resolve(e);
        if (markerText == null) {
            writeFileAt(e, p);
            return;
        }
        Path partial = p.resolveSibling(PARTIAL + index(e));
        if (start == Start.RESUME) {
            Files.deleteIfExists(partial);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == e.size()) {
                progress.add(e.size()); // under its final name: written whole by the interrupted apply
                return;
            }
            Files.deleteIfExists(p);
        }
        writeFileAt(e, partial);
        Files.move(partial, p, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Each entry's place in the manifest (names its temporary file); filled before the writers start. */
    private Map<Entry, Integer> indexes;

    private int index(Entry e) {
        return indexes.get(e);
    }

    private void writeFileAt(Entry e, Path p) throws IOException {
        ChunkSource.Reader r = reader();
        byte[] buf = buffers.get();
        try (FileChannel ch = FileChannel.open(p, CREATE_FILE, PosixFilePermissions.asFileAttribute(permissions(e.mode())))) {
            ChunkList c = e.chunks();
            long[] at = e.holes().isEmpty() ? null : e.chunkOffsets(); // sparse: chunks go between the holes
            for (int i = 0; i < c.size(); i++) {
                int n = r.read(c.id(i), buf);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                if (at == null) {
                    while (b.hasRemaining()) ch.write(b);
                } else {
                    while (b.hasRemaining()) ch.write(b, at[i] + b.position());
                }
                progress.add(n);
            }
            if (at != null) Posix.setLength(p, e.size());
        }
        // metadata at once, while the inode is hot; creating hard links later does not change it
        applyMetadata(e, p, createdMode(e.mode() & 0777));
    }

    private static final Set<OpenOption> CREATE_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final PosixFilePermission[] PERMS = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) s.add(PERMS[i]);
        }
        return s;
    }

    /** Permission bits an entry created asking for {@code requested} has; -1 if unknown. */
    private int createdMode(int requested) {
        return umask < 0 ? -1 : requested & ~umask;
    }

    private void applyMetadata(Entry e, int createdMode) throws IOException {
        applyMetadata(e, resolve(e), createdMode);
    }

    private void applyMetadata(Entry e, Path p, int createdMode) throws IOException {
        // Ownership and mode through NIO (lchown, chmod with all 12 bits, not following links);
        // times and xattrs through FFM (Posix), which the warm-up thread readies at start.
        if (root_ && !(ownerPredictable && e.uid() == euid && e.gid() == egid)) {
            if (e.uid() != euid) Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
            if (e.gid() != egid || !ownerPredictable) Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        // xattrs after ownership: chown clears security.capability
        for (Posix.Xattr x : e.xattrs()) {
            try {
                Posix.setXattr(p, x.name(), x.value());
            } catch (Posix.PosixException ex) {
                if (root_ && ex.errno() != Posix.ENOTSUP) throw ex;
                warn("extended attribute " + x.name() + " of " + e.path() + " not set: " + ex.getMessage());
            }
        }
        // chown may clear set-id bits, but then e.mode() has some and differs from createdMode
        if (e.type() != EntryType.SYMLINK && (createdMode < 0 || createdMode != e.mode())) {
            Files.setAttribute(p, "unix:mode", e.mode() & 07777);
        }
        // one utimensat by path (NIO's setTimes opens the entry, calls futimens and closes it again;
        // it would open a device node or FIFO, and it turns times before 1970 into 0)
        Posix.setTimes(p, e.atimeNs(), e.mtimeNs());
    }

    private void warn(String w) {
        warnings.incrementAndGet();
        synchronized (this) {
            if (warningSamples.size() < 5) warningSamples.add(w);
        }
    }

    /** Frees per-thread readers. */
    public void closeReaders() {
        synchronized (allReaders) {
            for (ChunkSource.Reader r : allReaders) r.close();
            allReaders.clear();
        }
    }
}
