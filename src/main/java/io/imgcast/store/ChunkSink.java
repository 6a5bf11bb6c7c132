package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.peer.SourceCatalog;

import java.io.IOException;

/**
 * Where a capture puts the chunks it cuts: a store's write session ({@link Ingest}),
 * or a peer-to-peer master's payload cache ({@code SourceCatalog}), which keeps
 * no image file. Thread-safe: workers call it concurrently.
 */
public interface ChunkSink {
    /** True for exactly one caller per chunk the sink lacks; that caller must then {@link #append} it. */
    boolean claim(ChunkId id);

    /** Takes one encoded chunk ({@code payload[0, len)} in {@code codec}, {@code rawLen} bytes decoded). */
    void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) throws IOException;

    /**
     * True if the sink wants {@link #placed} calls: a volume capture then tells it, in volume
     * order and as soon as each chunk is stored, where each chunk lies (a master streaming a
     * disk while reading it).
     */
    default boolean wantsPlacements() { return false; }

    /** Chunk {@code id} ({@code rawLen} bytes) lies at {@code offset} of the volume; called in offset order, after its {@link #append}. */
    default void placed(long offset, ChunkId id, int rawLen) throws IOException {}

    /** The zstd dictionary chunks are compressed with, or null. */
    default ChunkCodec.Dictionary dictionary() { return null; }

    /** True if the sink keeps a dictionary ({@link #setDictionary}): a store does, a master's cache does not. */
    default boolean keepsDictionary() { return false; }

    /** Sets the dictionary of a sink that keeps one and has none yet (trained on its first image). */
    default void setDictionary(ChunkCodec.Dictionary d) {
        throw new UnsupportedOperationException("this sink cannot keep a dictionary");
    }
}
