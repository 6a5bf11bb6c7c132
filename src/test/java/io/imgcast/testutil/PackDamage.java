package io.imgcast.testutil;

import io.imgcast.manifest.Entry;
import io.imgcast.store.ChunkLocation;
import io.imgcast.store.Store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * Damages a store's packs the way a bad disk would, for the tests of verify and repair: finds
 * where a file's first chunk lies, and flips bits of a byte in place.
 */
public final class PackDamage {
    private PackDamage() {}

    /** Where the first chunk of file {@code path} of image {@code image} lies in the store at {@code store}. */
    public static ChunkLocation firstChunk(Path store, String image, String path) {
        try (Store s = Store.open(store, false)) {
            Entry e = s.manifest(s.image(image)).entries().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
            return s.location(e.chunks().id(0)).orElseThrow();
        }
    }

    /** The pack file that holds a chunk. */
    public static Path packFile(Path store, ChunkLocation l) {
        return store.resolve("packs").resolve(String.format("%08d.pack", l.pack()));
    }

    /** Flips the bits of {@code mask} in the byte at {@code offset} of file {@code f}. */
    public static void flip(Path f, long offset, int mask) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.seek(offset);
            int b = r.read();
            r.seek(offset);
            r.write(b ^ mask);
        }
    }
}
