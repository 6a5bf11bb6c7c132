package io.imgcast.image;

import io.imgcast.chunk.ChunkId;

import java.io.IOException;

/**
 * Supplies verified chunk content by id to the writers of a local apply ({@link TreeWriter},
 * {@link VolumeWriter}; {@link Apply#storeSource} reads the store). Receivers write what they get
 * through their own targets instead. Implementations must only return bytes whose SHA-256 is the id.
 * {@link #open()} gives a per-thread reader.
 */
public interface ChunkSource {
    interface Reader extends AutoCloseable {
        /** Writes the chunk's content into {@code dst} from 0 and returns its length. */
        int read(ChunkId id, byte[] dst) throws IOException;

        @Override void close();
    }

    Reader open();
}
