package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;

import java.io.IOException;
import java.util.Set;

/**
 * Where a receiver puts an image: every chunk goes straight to its final place(s).
 * {@link #prepare} scans what the target already holds (delta re-imaging, resume) and returns
 * the chunks it still lacks; {@link #write} places one verified chunk; {@link #finish} completes
 * the image (metadata, links, holes) and {@link #verify} reads everything back against the hashes.
 */
public interface ChunkTarget extends AutoCloseable {
    Set<ChunkId> prepare() throws IOException;

    void write(ChunkId id, byte[] data, int len) throws IOException;

    void finish() throws IOException;

    /** Returns a description of the first mismatch, or null when the whole image checks out. */
    String verify() throws IOException;

    @Override void close() throws IOException;
}
