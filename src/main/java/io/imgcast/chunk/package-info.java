/**
 * Chunking and chunk identity.
 *
 * <p>Vocabulary: a <b>chunk</b> is a run of bytes cut from a file or a volume extent at a
 * content-defined boundary ({@link io.imgcast.chunk.FastCdc}: min 16 KiB, average 64 KiB,
 * max 256 KiB), so an edit inside a big file moves only nearby boundaries. A chunk's
 * <b>id</b> ({@link io.imgcast.chunk.ChunkId}) is the SHA-256 of its uncompressed bytes; equal ids
 * mean equal content, which is how the store keeps shared data once and how a receiver
 * recognises the data its image lists.
 */
package io.imgcast.chunk;
