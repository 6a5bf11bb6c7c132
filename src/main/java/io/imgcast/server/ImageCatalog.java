package io.imgcast.server;

import io.imgcast.cast.LiveTable;
import io.imgcast.cast.ServedImage;
import io.imgcast.chunk.ChunkId;
import io.imgcast.peer.SourceCatalog;
import io.imgcast.store.StoreException;

import java.io.IOException;

/**
 * What a {@link CastServer} serves from: the store ({@link StoreCatalog}), a peer-to-peer
 * master's own source read without any store ({@code SourceCatalog}), or a
 * relay's store that fills itself from an upstream server.
 */
public interface ImageCatalog extends AutoCloseable {
    /** Supplies a chunk's stored payload (codec bytes as listed in the chunk table) by id. */
    interface Payloads {
        byte[] payload(ChunkId id) throws IOException;
    }

    /**
     * The image called {@code name}. Throws {@link StoreException} when there is
     * none (the machine is told so), or {@link NotYet} when it is being prepared.
     */
    ServedImage image(String name);

    /**
     * The growing chunk table of {@code name} while its source is still being read (a
     * peer-to-peer master streaming a volume as it reads it), or null: then {@link #image} is all.
     */
    default LiveTable live(String name) { return null; }

    /** A payload reader for one stream sender (each has its own). */
    Payloads openPayloads();

    /** Human-readable origin for the server's banner, e.g. the store directory. */
    String describe();

    @Override
    default void close() {}

    /** The image exists but is not ready yet (a relay still fetching it); the machine should retry. */
    final class NotYet extends RuntimeException {
        public NotYet(String message) {
            super(message);
        }
    }
}
