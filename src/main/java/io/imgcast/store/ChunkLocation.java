package io.imgcast.store;

/** Where a chunk's record sits: pack id, byte offset of the record header, stored and raw lengths. */
public record ChunkLocation(long pack, long offset, int storedLength, int rawLength, byte codec) {}
