package io.imgcast.manifest;

import io.imgcast.chunk.ChunkId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The ordered chunks of one file or volume extent, with each chunk's uncompressed length. */
public final class ChunkList {
    public static final ChunkList EMPTY = new ChunkList(new ChunkId[0], new int[0]);

    private final ChunkId[] ids;
    private final int[] lengths;

    public ChunkList(ChunkId[] ids, int[] lengths) {
        if (ids.length != lengths.length) throw new IllegalArgumentException("ids and lengths differ in count");
        this.ids = ids;
        this.lengths = lengths;
    }

    public int size() { return ids.length; }
    public ChunkId id(int i) { return ids[i]; }
    public int length(int i) { return lengths[i]; }

    public long totalBytes() {
        long t = 0;
        for (int l : lengths) t += l;
        return t;
    }

    /** Collects chunks as they are cut. Not thread-safe. */
    public static final class Builder {
        private final List<ChunkId> ids = new ArrayList<>();
        private int[] lengths = new int[8];

        public void add(ChunkId id, int length) {
            if (ids.size() == lengths.length) lengths = Arrays.copyOf(lengths, lengths.length * 2);
            lengths[ids.size()] = length;
            ids.add(id);
        }

        public ChunkList build() {
            if (ids.isEmpty()) return EMPTY;
            return new ChunkList(ids.toArray(new ChunkId[0]), Arrays.copyOf(lengths, ids.size()));
        }
    }
}
