package io.imgcast.image;

import io.imgcast.chunk.ChunkId;

import java.io.IOException;

/**
 * Sees every chunk of a capture after hashing (called from worker threads, in no particular
 * order), e.g. to broadcast it while it is stored. The bytes are valid only during the call.
 */
public interface ChunkTap {
    void chunk(ChunkId id, byte[] data, int len, boolean isNew) throws IOException;
}
