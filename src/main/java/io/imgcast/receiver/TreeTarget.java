package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;
import io.imgcast.image.ApplyException;
import io.imgcast.image.EntryMetadata;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.util.Posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file-tree image received into a directory. The directory may be empty, or hold an older
 * image or a previous interrupted run: files at the same paths are scanned and every chunk already
 * at its place is kept (delta re-imaging, resume); a chunk found anywhere else on the target
 * ({@link DeltaScan}: renamed files, shifted content) is copied to its places. When all data is in, entries the image does not
 * have are removed and links, device nodes and metadata are set, so the result is exactly the image.
 */
public final class TreeTarget implements ChunkTarget {
    private record Place(int entry, long offset, int length) {}

    private final Manifest manifest;
    private final Path root;
    private final boolean isRoot = Posix.isRoot();
    private final Map<ChunkId, List<Place>> places = new HashMap<>();
    private final AtomicLong warnings = new AtomicLong();
    /** The target was absent or empty: nothing to scan, nothing left over to remove. */
    private boolean fresh;

    public TreeTarget(Manifest manifest, Path root) {
        this.manifest = manifest;
        this.root = root.toAbsolutePath().normalize();
        List<Entry> es = manifest.entries();
        for (int i = 0; i < es.size(); i++) {
            Entry e = es.get(i);
            if (e.type() != EntryType.FILE) continue;
            long off = 0;
            ChunkList c = e.chunks();
            long[] at = e.holes().isEmpty() ? null : e.chunkOffsets(); // a sparse file's chunks lie between its holes
            for (int j = 0; j < c.size(); j++) {
                if (at != null) off = at[j];
                places.computeIfAbsent(c.id(j), k -> new ArrayList<>(1)).add(new Place(i, off, c.length(j)));
                off += c.length(j);
            }
        }
    }

    public long warnings() {
        return warnings.get();
    }

    private Path path(Entry e) {
        if (e.path().isEmpty()) return root;
        Path p = root.resolve(e.path()).normalize();
        if (!p.startsWith(root)) throw new ApplyException("manifest path escapes the target: " + e.path());
        return p;
    }

    @Override
    public Set<ChunkId> prepare() throws IOException {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new ApplyException("target " + root + " exists and is not a directory");
        }
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (var st = Files.list(root)) {
                fresh = st.findAny().isEmpty();
            }
        } else {
            fresh = true;
        }
        Files.createDirectories(root);
        List<Entry> es = manifest.entries();
        if (fresh) {
            for (Entry e : es) {
                if (e.type() == EntryType.DIRECTORY && !e.path().isEmpty()) Files.createDirectory(path(e));
                else if (e.type() == EntryType.FILE) {
                    try (FileChannel ch = FileChannel.open(path(e), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        if (e.size() > 0 && e.holes().isEmpty()) ch.write(ByteBuffer.wrap(new byte[1]), e.size() - 1);
                    }
                    if (!e.holes().isEmpty()) Posix.setLength(path(e), e.size());
                }
            }
            return new HashSet<>(places.keySet());
        }
        for (Entry e : es) {
            Path p = path(e);
            if (e.type() == EntryType.DIRECTORY) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.delete(p);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(p);
            } else if (e.type() == EntryType.FILE) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) removeTree(p);
            }
        }
        // what is already in place
        byte[] buf = new byte[256 * 1024];
        Map<ChunkId, Place> good = new HashMap<>();
        Set<ChunkId> partial = new HashSet<>();
        for (Map.Entry<ChunkId, List<Place>> c : places.entrySet()) {
            for (Place pl : c.getValue()) {
                if (read(pl, buf) && c.getKey().matches(buf, 0, pl.length())) good.putIfAbsent(c.getKey(), pl);
                else partial.add(c.getKey());
            }
        }
        // chunks not at their places may be anywhere else on the target (a renamed file, shifted
        // content): copied aside before any file changes, written to their places below
        Set<ChunkId> missing = new HashSet<>(places.keySet());
        missing.removeAll(good.keySet());
        try (DeltaScan elsewhere = DeltaScan.run(root, missing)) {
            return place(es, buf, good, partial, elsewhere);
        }
    }

    private Set<ChunkId> place(List<Entry> es, byte[] buf, Map<ChunkId, Place> good, Set<ChunkId> partial, DeltaScan elsewhere)
            throws IOException {
        // size every file, then copy chunks held somewhere to their other places
        for (Entry e : es) {
            if (e.type() != EntryType.FILE) continue;
            try (FileChannel ch = FileChannel.open(path(e), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (ch.size() > e.size()) ch.truncate(e.size());
                else if (ch.size() < e.size() && e.holes().isEmpty()) ch.write(ByteBuffer.wrap(new byte[1]), e.size() - 1);
            }
            if (!e.holes().isEmpty()) {
                Posix.setLength(path(e), e.size());
                // an older file's bytes where the image has holes: punched, so they read as zeros
                for (Span h : e.holes()) Posix.zeroOut(path(e), false, h.offset(), h.length());
            }
        }
        Set<ChunkId> lacking = new HashSet<>(places.keySet());
        for (Map.Entry<ChunkId, Place> g : good.entrySet()) {
            ChunkId id = g.getKey();
            if (partial.contains(id)) {
                read(g.getValue(), buf);
                write(id, buf, g.getValue().length());
            }
            lacking.remove(id);
        }
        for (Map.Entry<ChunkId, DeltaScan.Held> f : elsewhere.found().entrySet()) {
            elsewhere.read(f.getValue(), buf);
            write(f.getKey(), buf, f.getValue().length());
            lacking.remove(f.getKey());
        }
        return lacking;
    }

    private boolean read(Place pl, byte[] buf) throws IOException {
        Path p = path(manifest.entries().get(pl.entry()));
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, pl.length());
            while (b.hasRemaining()) {
                if (ch.read(b, pl.offset() + b.position()) < 0) return false;
            }
            return true;
        }
    }

    @Override
    public void write(ChunkId id, byte[] data, int len) throws IOException {
        List<Place> pls = places.get(id);
        if (pls == null) throw new IllegalArgumentException("chunk " + id.shortHex() + " is not part of this image");
        for (Place pl : pls) {
            try (FileChannel ch = FileChannel.open(path(manifest.entries().get(pl.entry())), StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data, 0, len);
                while (b.hasRemaining()) ch.write(b, pl.offset() + b.position());
            }
        }
    }

    @Override
    public void finish() throws IOException {
        List<Entry> es = manifest.entries();
        Set<Path> wanted = new HashSet<>();
        for (Entry e : es) wanted.add(path(e));
        // remove what the image does not have (leftovers of an older image)
        List<Path> extra = new ArrayList<>();
        if (!fresh) Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                if (!wanted.contains(d)) {
                    extra.add(d);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (!wanted.contains(f)) extra.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path p : extra) removeTree(p);
        for (Entry e : es) {
            Path p = path(e);
            switch (e.type()) {
                case SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET -> {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) removeTree(p);
                    if (e.type() == EntryType.SYMLINK) Posix.symlink(e.target(), p);
                    else {
                        try {
                            Posix.mknod(p, e.type().formatBits() | (e.mode() & 0777), e.rdev());
                        } catch (Posix.PosixException x) {
                            if (isRoot) throw x;
                            warnings.incrementAndGet();
                        }
                    }
                }
                default -> { }
            }
        }
        for (Entry e : es) {
            if (e.type() != EntryType.HARDLINK) continue;
            Path p = path(e);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) removeTree(p);
            Files.createLink(p, root.resolve(e.target()));
        }
        for (Entry e : es) {
            if (e.type() == EntryType.DIRECTORY || e.type() == EntryType.HARDLINK) continue;
            if (!Files.exists(path(e), LinkOption.NOFOLLOW_LINKS)) continue;
            EntryMetadata.apply(path(e), e, isRoot, w -> warnings.incrementAndGet());
        }
        for (int i = es.size() - 1; i >= 0; i--) {
            Entry e = es.get(i);
            if (e.type() == EntryType.DIRECTORY) EntryMetadata.apply(path(e), e, isRoot, w -> warnings.incrementAndGet());
        }
    }

    @Override
    public String verify() throws IOException {
        byte[] buf = new byte[256 * 1024];
        List<Entry> es = manifest.entries();
        for (int i = 0; i < es.size(); i++) {
            Entry e = es.get(i);
            if (e.type() != EntryType.FILE) continue;
            Path p = path(e);
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != e.size()) return "file " + e.path() + " is missing or has the wrong size";
            long off = 0;
            ChunkList c = e.chunks();
            long[] at = e.holes().isEmpty() ? null : e.chunkOffsets();
            for (int j = 0; j < c.size(); j++) {
                if (at != null) off = at[j];
                Place pl = new Place(i, off, c.length(j));
                if (!read(pl, buf) || !c.id(j).matches(buf, 0, pl.length())) return "file " + e.path() + " differs at byte " + off;
                off += c.length(j);
            }
        }
        return null;
    }

    private static void removeTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(p)) {
                for (Path c : s.toList()) removeTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    @Override
    public void close() {
        // files are opened per write
    }
}
