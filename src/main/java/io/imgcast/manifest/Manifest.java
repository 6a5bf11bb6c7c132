package io.imgcast.manifest;

import io.imgcast.chunk.ChunkId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image consists of: for a file tree, its entries in creation order (parents first);
 * for a volume, its size, the extents that hold data and the spans no file system uses
 * ("unused"); every other byte of a volume is zero (a "zero hole"). Chunks are referenced by id.
 * The byte format is defined in {@link ManifestFormat}.
 */
public final class Manifest {
    private final ImageKind kind;
    private final List<Entry> entries;
    private final long volumeSize;
    private final List<Extent> extents;
    private final List<Span> unused;

    private Manifest(ImageKind kind, List<Entry> entries, long volumeSize, List<Extent> extents, List<Span> unused) {
        this.kind = kind;
        this.entries = List.copyOf(entries);
        this.volumeSize = volumeSize;
        this.extents = List.copyOf(extents);
        this.unused = List.copyOf(unused);
    }

    public static Manifest tree(List<Entry> entries) {
        return new Manifest(ImageKind.TREE, entries, 0, List.of(), List.of());
    }

    public static Manifest volume(long size, List<Extent> extents) {
        return volume(size, extents, List.of());
    }

    /** {@code unused}: sorted, disjoint spans outside every extent whose bytes need not be written. */
    public static Manifest volume(long size, List<Extent> extents, List<Span> unused) {
        return new Manifest(ImageKind.VOLUME, List.of(), size, extents, unused);
    }

    public ImageKind kind() { return kind; }
    public List<Entry> entries() { return entries; }
    public long volumeSize() { return volumeSize; }
    public List<Extent> extents() { return extents; }
    /** A volume's unused spans: not read back, not compared, not written. */
    public List<Span> unused() { return unused; }

    /**
     * A volume's zero holes: the sorted spans that are neither data nor unused, whose bytes must
     * read as zero on the target.
     */
    public List<Span> zeroHoles() {
        List<Span> out = new ArrayList<>();
        long pos = 0;
        int u = 0;
        for (int i = 0; i <= extents.size(); i++) {
            long end = i < extents.size() ? extents.get(i).offset() : volumeSize;
            // the gap [pos, end) minus the unused spans inside it
            while (pos < end) {
                while (u < unused.size() && unused.get(u).end() <= pos) u++;
                long stop = u < unused.size() ? Math.min(end, Math.max(pos, unused.get(u).offset())) : end;
                if (stop > pos) out.add(new Span(pos, stop - pos));
                pos = stop;
                if (u < unused.size() && pos >= unused.get(u).offset() && pos < end) pos = Math.min(end, unused.get(u).end());
            }
            if (i < extents.size()) pos = Math.max(pos, extents.get(i).offset() + extents.get(i).length());
        }
        return out;
    }

    /** Bytes in unused spans. */
    public long unusedBytes() {
        long t = 0;
        for (Span s : unused) t += s.length();
        return t;
    }

    /** Every chunk the image needs, once each, in first-use order, with its uncompressed length. */
    public Map<ChunkId, Integer> distinctChunks() {
        Map<ChunkId, Integer> m = new LinkedHashMap<>();
        if (kind == ImageKind.TREE) {
            for (Entry e : entries) add(m, e.chunks());
        } else {
            for (Extent x : extents) add(m, x.chunks());
        }
        return m;
    }

    private static void add(Map<ChunkId, Integer> m, ChunkList c) {
        for (int i = 0; i < c.size(); i++) m.putIfAbsent(c.id(i), c.length(i));
    }

    public long fileCount() {
        return entries.stream().filter(e -> e.type() != EntryType.DIRECTORY).count();
    }

    public long dirCount() {
        return entries.stream().filter(e -> e.type() == EntryType.DIRECTORY).count();
    }

    /** Bytes of content: file data for a tree, the volume's size for a volume. */
    public long totalBytes() {
        if (kind == ImageKind.VOLUME) return volumeSize;
        long t = 0;
        for (Entry e : entries) if (e.type() == EntryType.FILE) t += e.size();
        return t;
    }

    /** Bytes held in extents (a volume's non-hole data). */
    public long dataBytes() {
        if (kind == ImageKind.TREE) return totalBytes();
        long t = 0;
        for (Extent x : extents) t += x.length();
        return t;
    }
}
