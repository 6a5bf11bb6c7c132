package io.imgcast.manifest;

/** A region of a volume image that holds data; outside every extent a byte is zero, or unused (see {@link Manifest#unused()}). */
public record Extent(long offset, long length, ChunkList chunks) {}
