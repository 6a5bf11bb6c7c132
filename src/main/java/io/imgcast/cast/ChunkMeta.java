package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;

/** What the sender knows of a chunk it may put on the wire: id, encoding and lengths. */
public record ChunkMeta(ChunkId id, byte codec, int storedLength, int rawLength) {}
