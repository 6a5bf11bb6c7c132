package io.imgcast.manifest;

import io.imgcast.chunk.ChunkId;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image consists of: for a file tree, its entries in creation order (parents first);
 * for a volume, its size and the extents that hold data. Chunks are referenced by id.
 * The byte format is defined in {@link ManifestFormat}.
 */
public final class Manifest {
    private final ImageKind kind;
    private final List<Entry> entries;
    private final long volumeSize;
    private final List<Extent> extents;

    private Manifest(ImageKind kind, List<Entry> entries, long volumeSize, List<Extent> extents) {
        this.kind = kind;
        this.entries = List.copyOf(entries);
        this.volumeSize = volumeSize;
        this.extents = List.copyOf(extents);
    }

    public static Manifest tree(List<Entry> entries) {
        return new Manifest(ImageKind.TREE, entries, 0, List.of());
    }

    public static Manifest volume(long size, List<Extent> extents) {
        return new Manifest(ImageKind.VOLUME, List.of(), size, extents);
    }

    public ImageKind kind() { return kind; }
    public List<Entry> entries() { return entries; }
    public long volumeSize() { return volumeSize; }
    public List<Extent> extents() { return extents; }

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
