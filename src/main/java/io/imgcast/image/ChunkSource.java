package io.imgcast.image;

import io.imgcast.chunk.ChunkId;

import java.io.IOException;

/**
 * Supplies verified chunk content by id: the store when applying locally, received data when
 * deploying over the network. Implementations must only return bytes whose SHA-256 is the id.
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
