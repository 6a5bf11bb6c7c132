package io.imgcast.store;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;

import java.util.Collection;

/**
 * The store's zstd dictionary: trained on the first image captured into the store, kept in the
 * index (meta {@code zstd_dict}) and used by every later capture, apply and verify. Loaded on
 * first use; a store has at most one, and it never changes once committed.
 */
final class StoreDictionary {
    private final Index index;
    private ChunkCodec.Dictionary dictionary;
    private boolean loaded;

    StoreDictionary(Index index) {
        this.index = index;
    }

    /** The dictionary, or null while the store has none. */
    synchronized ChunkCodec.Dictionary current() {
        if (!loaded) {
            byte[] b = index.dictionary();
            dictionary = b == null ? null : new ChunkCodec.Dictionary(b);
            loaded = true;
        }
        return dictionary;
    }

    /**
     * The dictionary that the chunks at {@code locations} (of image {@code name}) need to be
     * decoded elsewhere (by receivers, from an export file), or null when none of them does.
     */
    ChunkCodec.Dictionary neededBy(String name, Collection<ChunkLocation> locations) {
        for (ChunkLocation l : locations) {
            if (ChunkCodec.needsDictionary(l.codec())) {
                ChunkCodec.Dictionary d = current();
                if (d == null) throw new CorruptDataException("image " + name + " needs the store's dictionary, which is missing");
                return d;
            }
        }
        return null;
    }

    /** Called once an ingest committed the store's first dictionary. */
    synchronized void committed(ChunkCodec.Dictionary d) {
        dictionary = d;
        loaded = true;
    }
}
