package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which images reference which chunks, read from their checked manifests (the index keeps no
 * per-image chunk table). Committed images are immutable, so each image's chunk set is cached by
 * id, name and creation time; the reference counts over all images are rebuilt only when the set
 * of images changed.
 */
final class References {
    private final Catalog catalog;
    private final Index index;
    private final Map<String, Set<ChunkId>> chunkSets = new HashMap<>();
    /** How many intact images reference each chunk, for the images listed in {@link #refKeys}. */
    private Map<ChunkId, Integer> refCounts = Map.of();
    private List<String> refKeys = List.of();

    References(Catalog catalog, Index index) {
        this.catalog = catalog;
        this.index = index;
    }

    private static String cacheKey(ImageInfo image) {
        return image.id() + "/" + image.created() + "/" + image.name();
    }

    /** The distinct chunks an image references, from its checked manifest. */
    synchronized Set<ChunkId> chunkSet(ImageInfo image) {
        String key = cacheKey(image);
        Set<ChunkId> set = chunkSets.get(key);
        if (set == null) {
            set = Set.copyOf(catalog.manifest(image).distinctChunks().keySet());
            chunkSets.put(key, set);
        }
        return set;
    }

    /** Raw and stored bytes of the chunks only {@code image} references; unknown (-1) when its manifest is damaged. */
    synchronized Store.Unique unique(ImageInfo image) {
        Set<ChunkId> mine;
        try {
            mine = chunkSet(image);
        } catch (CorruptDataException e) {
            return new Store.Unique(-1, -1);
        }
        Map<ChunkId, Integer> counts = refCounts();
        List<ChunkId> only = new ArrayList<>();
        for (ChunkId id : mine) if (counts.getOrDefault(id, 0) == 1) only.add(id);
        long raw = 0, stored = 0;
        for (ChunkLocation l : index.locations(only).values()) {
            raw += l.rawLength();
            stored += l.storedLength();
        }
        return new Store.Unique(raw, stored);
    }

    /**
     * References per chunk over the images now in the catalog (damaged ones count as referencing
     * nothing); rebuilt only when the set of images changed, which also drops deleted images'
     * cached chunk sets. One pass for all images, so listing n images stays linear.
     */
    private Map<ChunkId, Integer> refCounts() {
        List<ImageInfo> images = catalog.images();
        List<String> keys = images.stream().map(References::cacheKey).toList();
        if (!keys.equals(refKeys)) {
            chunkSets.keySet().retainAll(keys);
            Map<ChunkId, Integer> counts = new HashMap<>();
            for (ImageInfo o : images) {
                try {
                    for (ChunkId id : chunkSet(o)) counts.merge(id, 1, Integer::sum);
                } catch (CorruptDataException e) {
                    // damaged: what it references is unknown
                }
            }
            refCounts = counts;
            refKeys = keys;
        }
        return refCounts;
    }
}
