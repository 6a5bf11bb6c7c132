package io.imgcast.cast;

import java.util.List;

/**
 * An image's chunk table as the server indexes it: needs bitmaps and completion reports count
 * positions in it. Fixed for an image from the store ({@link #of}); growing for one still being
 * read ({@link LiveTable}).
 */
public interface ChunkTable {
    int size();

    ChunkMeta get(int i);

    static ChunkTable of(List<ChunkMeta> chunks) {
        return new ChunkTable() {
            @Override
            public int size() { return chunks.size(); }

            @Override
            public ChunkMeta get(int i) { return chunks.get(i); }
        };
    }
}
