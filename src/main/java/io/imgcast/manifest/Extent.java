package io.imgcast.manifest;

/** A region of a volume image that holds data; everything outside every extent is zero. */
public record Extent(long offset, long length, ChunkList chunks) {}
